"""Keeping uploaded files in the database (shared by every instance of the site).

- While a person chooses a file's sheet or places its columns (issue 10), the choice page posts
  back a token instead of the file (catalogue.KeptUpload), bound to the uploading user and
  forgotten after the plans' lifetime.
- The file an import reads is kept as an ImportFile: the import batch offers it for download,
  and a background import (catalogue.services.import_jobs) reads it in the worker. Files that
  no batch, kept plan or background job refers to are forgotten after the same lifetime.
"""

import hashlib
import mimetypes
import secrets

from django.utils import timezone

from ..models import ImportFile, KeptUpload
from .store import PLAN_LIFETIME, TOKEN_PATTERN, PlanExpired

DEFAULT_CONTENT_TYPE = "application/octet-stream"


def content_type_for(file_name: str, given: str | None = None) -> str:
    """The content type a browser gave, else the one of the file's extension."""
    return (given or "").strip()[:100] or mimetypes.guess_type(file_name)[0] or DEFAULT_CONTENT_TYPE


def import_file_keep(*, data: bytes, file_name: str, content_type: str, user) -> ImportFile:
    """Keep the file an import reads, exactly as it arrived (`user` None: the command line)."""
    import_files_prune()
    return ImportFile.objects.create(
        file_name=file_name[:255],
        content_type=content_type_for(file_name, content_type),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        user=user,
    )


def import_files_prune() -> int:
    """Forget the files older than the plans' lifetime that nothing refers to any more."""
    deleted, _by_model = (
        ImportFile.objects.filter(
            uploaded_at__lt=timezone.now() - PLAN_LIFETIME,
            batches__isnull=True,
            kept_plans__isnull=True,
            import_jobs__isnull=True,
        )
        .distinct()
        .delete()
    )
    return deleted


def upload_keep(*, data: bytes, user, file_name: str, content_type: str = "") -> str:
    now = timezone.now()
    KeptUpload.objects.filter(expires_at__lt=now).delete()
    token = secrets.token_urlsafe(16)
    KeptUpload.objects.create(
        token=token,
        user=user,
        file_name=file_name,
        content_type=content_type_for(file_name, content_type),
        data=data,
        expires_at=now + PLAN_LIFETIME,
    )
    return token


def upload_fetch(*, token: str, user) -> tuple[bytes, str, str]:
    """The kept file, its name and content type, if it is this user's and fresh; else
    PlanExpired."""
    if not TOKEN_PATTERN.fullmatch(token or ""):
        raise PlanExpired
    kept = (
        KeptUpload.objects.filter(token=token, user=user, expires_at__gte=timezone.now())
        .values_list("data", "file_name", "content_type")
        .first()
    )
    if kept is None:
        raise PlanExpired
    data, file_name, content_type = kept
    return bytes(data), file_name, content_type


def upload_discard(*, token: str, user) -> None:
    KeptUpload.objects.filter(token=token, user=user).delete()
