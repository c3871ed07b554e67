"""Record a confirmed import: the batch, its links to the items and their history, in bulk."""

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db import transaction

from ..bulk_rows import rows_insert
from ..choices import ChangeSource
from ..history import CHANGED, CREATED, history_records_insert_select
from ..maintenance import catalogue_tables_analyze_if_stale
from ..models import ImportBatch, ImportBatchItem, ImportFile, ServiceItem


@transaction.atomic
def import_batch_record(
    *,
    file_name: str,
    user: User | None,
    created_ids: Sequence[int],
    updated_ids: Sequence[int],
    unchanged_count: int,
    upload: ImportFile | int | None = None,
) -> ImportBatch:
    """Record a confirmed import after its bulk writes: the batch with its counts and links,
    and one historical record per created or updated item, all written in bulk.
    `user` is None for an import from the command line; `upload` the file read (an ImportFile
    or its id), offered for download on the batch's page.

    Call it in the import's transaction, after the items (with pks) and their mobile channels
    are written with bulk_create/bulk_update, which record no history themselves. The records
    hold the items' rows as they are in the database at this call.
    """
    batch = ImportBatch.objects.create(
        file_name=file_name[:255],
        user=user,
        created_count=len(created_ids),
        updated_count=len(updated_ids),
        unchanged_count=unchanged_count,
        upload_id=upload.pk if isinstance(upload, ImportFile) else upload,
    )
    _import_batch_links_insert(batch, created_ids=created_ids, updated_ids=updated_ids)
    catalogue_tables_analyze_if_stale(rows_written=len(created_ids) + len(updated_ids))
    for ids, is_new in ((created_ids, True), (updated_ids, False)):
        if ids:
            history_records_insert_select(
                ServiceItem.objects.filter(
                    import_batch_links__batch=batch, import_batch_links__created=is_new
                ),
                history_type=CREATED if is_new else CHANGED,
                user=user,
                source=ChangeSource.IMPORT,
                import_batch=batch,
            )
    return batch


def _import_batch_links_insert(
    batch: ImportBatch,
    *,
    created_ids: Sequence[int],
    updated_ids: Sequence[int],
) -> None:
    # Plain tuples (COPY on PostgreSQL): building 100,000 model instances for bulk_create
    # would take longer than the import's own writes.
    rows_insert(
        model=ImportBatchItem,
        fields=("batch", "item", "created"),
        rows=(
            *((batch.pk, pk, True) for pk in created_ids),
            *((batch.pk, pk, False) for pk in updated_ids),
        ),
    )
