"""Reference data looked up by name, loaded once per import (one query per table)."""

import difflib

from django.utils.translation import pgettext_lazy

from catalogue.models import Department, MainItem, MobileChannel, Sector, ServiceItem
from catalogue.text import join_list

from . import messages
from .values import CellProblem, label_key

_SQLITE_SAFE_CHUNK = 900  # stays under every backend's limit of query parameters


class NameLookup:
    """Names (simplified or traditional, any spacing) -> id, with closest names for typos."""

    def __init__(self, rows, *, kind, suggestible=None):
        """`suggestible`: the ids whose names may be suggested (None: all). A name outside it is
        still recognised, so that the row's error can say it is not the user's to import."""
        self.kind = kind
        self.by_key = {}
        self.names = {}
        for pk, *names in rows:
            self.names[pk] = names[0]
            for name in names:
                if name:
                    self.by_key.setdefault(label_key(name), pk)
        self.suggestion_keys = [
            key for key, pk in self.by_key.items() if suggestible is None or pk in suggestible
        ]

    def get(self, text: str) -> int:
        key = label_key(text)
        try:
            return self.by_key[key]
        except KeyError:
            raise CellProblem(self.unknown_message(key)) from None

    def unknown_message(self, key):
        close = difflib.get_close_matches(key, self.suggestion_keys, n=3, cutoff=0.4)
        suggestions = list(dict.fromkeys(self.names[self.by_key[match]] for match in close))
        if not suggestions:
            return messages.UNKNOWN_REFERENCE_NO_SUGGESTION.format(kind=self.kind)
        return messages.UNKNOWN_REFERENCE.format(kind=self.kind, suggestions=join_list(suggestions))


def department_lookup(*, suggestible=None) -> NameLookup:
    """`suggestible`: the ids of the departments whose names the user may see (None: all)."""
    rows = list(Department.objects.values_list("id", "name", "short_name", "credit_code"))
    # A short name counts only where it is unambiguous.
    short_counts = {}
    for _pk, _name, short_name, _credit_code in rows:
        short_counts[short_name] = short_counts.get(short_name, 0) + 1
    lookup = NameLookup(
        [
            (pk, name, short_name if short_counts[short_name] == 1 else "")
            for pk, name, short_name, _credit_code in rows
        ],
        kind=pgettext_lazy("in a sentence", "实施主体"),
        suggestible=suggestible,
    )
    # For checking 实施编码 against the department's 统一社会信用代码 (plan), in the same query.
    lookup.credit_codes = {pk: credit_code for pk, _n, _s, credit_code in rows if credit_code}
    return lookup


def sector_lookup() -> NameLookup:
    return NameLookup(
        Sector.objects.values_list("id", "name"), kind=pgettext_lazy("in a sentence", "行业/领域")
    )


def channel_lookup() -> NameLookup:
    return NameLookup(
        MobileChannel.objects.values_list("id", "name"),
        kind=pgettext_lazy("in a sentence", "指尖办渠道"),
    )


def main_items_of(department_ids) -> dict[tuple[int, str], int]:
    """(department id, name key) -> main item id, for the departments of the file."""
    return {
        (department_id, label_key(name)): pk
        for pk, department_id, name in MainItem.objects.filter(department_id__in=department_ids)
        .order_by()
        .values_list("id", "department_id", "name")
    }


def all_main_items() -> dict[tuple[int, str], int]:
    """(department id, name key) -> main item id, for every main item (one query)."""
    return {
        (department_id, label_key(name)): pk
        for pk, department_id, name in MainItem.objects.order_by().values_list(
            "id", "department_id", "name"
        )
    }


def chunks(sequence, size=_SQLITE_SAFE_CHUNK):
    for start in range(0, len(sequence), size):
        yield sequence[start : start + size]


_FOREIGN_KEY_FIELDS = {
    "department_id": "department",
    "sector_id": "sector",
    "main_item_id": "main_item",
}


def existing_items(codes, field_names) -> dict[str, dict]:
    """code -> current values of the items the file names, with their channel ids.

    One query per 900 codes, plus one per 900 items for their channels.
    """
    columns = [
        "id",
        "code",
        "updated_at",
        "main_item__department_id",
        *(f"{name}_id" if name in ("department", "sector", "main_item") else name
          for name in field_names if name != "code"),
    ]  # fmt: skip
    # Each row as a dict keyed by field name (department, not department_id), made at C speed.
    keys = [_FOREIGN_KEY_FIELDS.get(column, column) for column in columns]
    items = {}
    for chunk in chunks(list(codes)):
        for values in ServiceItem.objects.filter(code__in=chunk).order_by().values_list(*columns):
            row = dict(zip(keys, values, strict=True))
            row["mobile_channels"] = []
            items[row["code"]] = row
    by_id = {row["id"]: row for row in items.values()}
    through = ServiceItem.mobile_channels.through
    for chunk in chunks(list(by_id)):
        for item_id, channel_id in (
            through.objects.filter(serviceitem_id__in=chunk)
            .order_by()
            .values_list("serviceitem_id", "mobilechannel_id")
        ):
            by_id[item_id]["mobile_channels"].append(channel_id)
    for row in items.values():
        row["mobile_channels"].sort()
    return items
