"""Remember how a person placed the columns of a department's file (issue 10)."""

from collections.abc import Iterable, Mapping

from django.utils import timezone

from ..importing.columns import header_key
from ..models import ImportColumnChoice


def import_column_choices_record(
    *, department_ids: Iterable[int], mapping: Mapping[str, str | None]
) -> None:
    """Keep each header's element (None: set aside) for each department, replacing an earlier
    choice for the same header."""
    now = timezone.now()
    choices = [
        ImportColumnChoice(
            department_id=department_id,
            header=header_key(header),
            field=field or "",
            chosen_at=now,
        )
        for department_id in department_ids
        for header, field in mapping.items()
        if header_key(header)
    ]
    ImportColumnChoice.objects.bulk_create(
        choices,
        update_conflicts=True,
        unique_fields=["department", "header"],
        update_fields=["field", "chosen_at"],
    )
