"""The item list of the admin at province scale (1,000,000 items; docs/benchmarks.md, "Item list").

- `IdPagePaginator` counts once and fetches a page by the ids of its rows: a subquery that reads
  only the sort index, from the nearer end of the list (the last page reads the index backwards).
- `ItemChangeList` sorts by the chosen column and then the id in the same direction, so that one
  index (column, id) serves both directions. Its facet counts are sums of grouped counts: the
  items per value of every filtered column at once (`column_value_counts` sums them per column),
  the departments and the sectors grouped apart. On PostgreSQL a list filtered by those columns
  only (no search) reads them from `ItemFacetCount`, the counts the database keeps per
  combination of the columns, instead of the items (2.7 s of SQL at 1,000,000 items).
- the search itself is `ServiceItemQuerySet.matching` (a fragment of the name, a code prefix).
"""

from collections import Counter
from collections.abc import Iterable, Sequence

from django.contrib.admin.filters import (
    BooleanFieldListFilter,
    ChoicesFieldListFilter,
    RelatedFieldListFilter,
)
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db.models import BigIntegerField, Count, Q, Sum
from django.db.models.functions import Cast
from django.utils.functional import cached_property

from .models import ItemFacetCount
from .roles import department_scope
from .services.facet_counts import (
    COMPACT_AFTER_ROWS,
    item_facet_counts_compact,
    item_facet_counts_kept,
)


def column_value_counts(rows: Iterable[Sequence], columns: Sequence[str]) -> dict[str, Counter]:
    """{column: {value: count}} from grouped rows: each row holds a value of every column, in the
    order of `columns`, then the count of its group (further values are ignored)."""
    counts = {column: Counter() for column in columns}
    width = len(columns)
    for row in rows:
        count = row[width]
        for column, value in zip(columns, row[:width], strict=True):
            counts[column][value] += count
    return counts


def facet_counts_from_values(spec, counts: Counter) -> dict:
    """The facet counts of the list filter `spec`, keyed as its choices() reads them, from the
    items counted per value of its column."""
    if hasattr(spec, "facet_counts_from_values"):
        return spec.facet_counts_from_values(counts)
    if isinstance(spec, BooleanFieldListFilter):
        return {"true__c": counts[True], "false__c": counts[False], "null__c": counts[None]}
    if isinstance(spec, RelatedFieldListFilter):
        result = {f"{pk}__c": counts[pk] for pk, _name in spec.lookup_choices}
        if spec.include_empty_choice:
            result["__c"] = counts[None]
        return result
    if isinstance(spec, ChoicesFieldListFilter):
        choices = enumerate(spec.field.flatchoices)
        return {f"{i}__c": counts[value] for i, (value, _title) in choices}
    raise TypeError(f"no facet counts by column for {type(spec).__name__}")


def facet_column(spec, model) -> str | None:
    """The column of `model` whose values decide `spec`'s facet counts, if there is one."""
    column = getattr(spec, "facet_column", None)
    if column is not None:
        return column
    if not isinstance(
        spec, BooleanFieldListFilter | RelatedFieldListFilter | ChoicesFieldListFilter
    ):
        return None
    path = spec.field_path
    if "__" in path:
        return None
    return model._meta.get_field(path).attname


class IdPagePaginator(Paginator):
    """Counts the rows once and fetches a page by its ids, read in the list's order from the
    nearer end: the page's rows are then looked up by primary key.

    A filtered or searched list is counted up to `count_limit` rows (`count_capped` says the
    list holds more): an exact count of 150,000 items named 许可 reads them all (1.3 s at
    1,000,000 items). The whole list is counted exactly, from an index.
    """

    count_limit = 10_000

    @cached_property
    def count(self):
        rows = self.object_list
        if not rows.query.has_filters():
            self.count_capped = False
            return rows.count()
        count = rows.order_by()[: self.count_limit + 1].count()
        self.count_capped = count > self.count_limit
        return min(count, self.count_limit)

    count_capped = False

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if bottom > self.count - top and not self.count_capped:
            ids = rows.reverse().values("pk")[self.count - top : self.count - bottom]
        else:
            ids = rows.values("pk")[bottom:top]
        return self._get_page(rows.filter(pk__in=ids), number, self)


class ItemChangeList(ChangeList):
    # Columns of many values (1,240 departments, 22 sectors at province scale): counted in a
    # grouped query each; the other filtered columns are grouped together.
    grouped_apart = ("department_id", "sector_id")

    def __init__(self, request, *args, **kwargs):
        self.request = request  # whose departments the kept counts are narrowed to
        super().__init__(request, *args, **kwargs)

    def get_ordering(self, request, queryset):
        ordering = super().get_ordering(request, queryset)
        # Sorted by one column, Django adds the default order (the code) or -pk to break ties;
        # the id in the column's direction lets one index (column, id) serve both directions.
        first, *rest = ordering
        if (
            isinstance(first, str)
            and first.lstrip("-") not in {"code", "pk", "id"}
            and rest in (["code"], ["pk"], ["-pk"])
        ):
            ordering = [first, "-pk" if first.startswith("-") else "pk"]
        return ordering

    def facet_counts(self, spec) -> dict:
        """The facet counts of `spec` (a list filter), as its get_facet_queryset gives them."""
        if not self._uses(spec):
            return self._shared_facet_counts[spec]
        if self._counts_kept:
            return self._facet_counts_of([spec], self._kept_counts(without=spec))[spec]
        # The list without this filter's own choice; get_queryset sets the filters anew, which
        # the page being rendered still iterates.
        kept = self.filter_specs, self.has_filters, self.has_active_filters
        queryset = self.get_queryset(spec.request, exclude_parameters=spec.expected_parameters())
        self.filter_specs, self.has_filters, self.has_active_filters = kept
        return self._facet_counts_of([spec], queryset)[spec]

    def _uses(self, spec) -> bool:
        return any(name in self.params for name in spec.expected_parameters())

    @cached_property
    def _counts_kept(self) -> bool:
        """Whether the facets can be read from ItemFacetCount: on PostgreSQL, for a list narrowed
        only by filters of its columns (no search, no other parameter)."""
        if not item_facet_counts_kept() or self.query:
            return False
        expected = set()
        for spec in self.filter_specs:
            if self._uses(spec):
                column = facet_column(spec, self.model)
                if column not in ItemFacetCount.COLUMNS:
                    return False
            expected.update(spec.expected_parameters())
        return set(self.get_filters_params()) <= expected

    def _kept_counts(self, without=None):
        """ItemFacetCount's rows of the user's departments narrowed by the filters used, all but
        `without`."""
        rows = department_scope(self.request.user).filter_by_department(
            ItemFacetCount.objects.all(), "department_id"
        )
        for spec in self.filter_specs:
            if spec is not without and self._uses(spec):
                rows = spec.queryset(self.request, rows)
        return rows

    @cached_property
    def _shared_facet_counts(self) -> dict:
        specs = [spec for spec in self.filter_specs if not self._uses(spec)]
        rows = self._kept_counts() if self._counts_kept else self.queryset
        return self._facet_counts_of(specs, rows)

    def _facet_counts_of(self, specs, rows) -> dict:
        """The facet counts of `specs` over `rows`: the list's items, or ItemFacetCount's."""
        rows = rows.order_by()
        kept = rows.model is ItemFacetCount
        # sum() of a bigint is a numeric on PostgreSQL: cast back to a bigint.
        count = Cast(Sum("items"), BigIntegerField()) if kept else Count("*")
        # A filter not counted by a column (none at present in a list whose counts are kept)
        # counts the list's own items.
        items = self.queryset.order_by() if kept else rows
        counts, aggregates, together = {spec: {} for spec in specs}, {}, {}
        for index, spec in enumerate(specs):
            column = facet_column(spec, rows.model)
            if column in self.grouped_apart:
                grouped = column_value_counts(rows.values_list(column).annotate(n=count), [column])
                counts[spec] = facet_counts_from_values(spec, grouped[column])
            elif column is not None:
                together[spec] = column
            else:
                for key, expression in spec.get_facet_counts(self.pk_attname, items).items():
                    aggregates[f"f{index}_{key}"] = expression
        if together:
            columns = sorted(set(together.values()))
            grouped = rows.values_list(*columns).annotate(n=count)
            if kept:
                grouped = grouped.annotate(unfolded=Count("pk", filter=Q(folded=False)))
            grouped = list(grouped)
            by_column = column_value_counts(grouped, columns)
            for spec, column in together.items():
                counts[spec] = facet_counts_from_values(spec, by_column[column])
            if kept and sum(row[-1] for row in grouped) > COMPACT_AFTER_ROWS:
                item_facet_counts_compact()
        if aggregates:
            values = items.aggregate(**aggregates)
            for index, spec in enumerate(specs):
                prefix = f"f{index}_"
                counts[spec].update(
                    (key.removeprefix(prefix), value)
                    for key, value in values.items()
                    if key.startswith(prefix)
                )
        return counts
