"""Record a confirmed import: the batch, its links to the items and their history, in bulk."""

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db import connections, router, transaction

from ..choices import ChangeSource
from ..history import CHANGED, CREATED, history_records_insert_select
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
    batch_size: int = 1000,
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
    _import_batch_links_insert(
        batch, created_ids=created_ids, updated_ids=updated_ids, batch_size=batch_size
    )
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
    batch_size: int,
) -> None:
    # executemany with plain tuples: building 100,000 model instances for bulk_create would
    # take longer than the import's own writes.
    link = ImportBatchItem._meta
    connection = connections[router.db_for_write(ImportBatchItem)]
    qn = connection.ops.quote_name
    columns = [link.get_field(name).column for name in ("batch", "item", "created")]
    sql = (
        f"INSERT INTO {qn(link.db_table)} ({', '.join(qn(c) for c in columns)}) VALUES (%s, %s, %s)"
    )
    rows = [(batch.pk, pk, True) for pk in created_ids]
    rows += [(batch.pk, pk, False) for pk in updated_ids]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, rows[start : start + batch_size])
