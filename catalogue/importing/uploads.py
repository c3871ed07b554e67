"""Keeping an uploaded file while a person chooses its sheet or places its columns (issue 10).

The choice page posts back a token instead of the file; the file is read again with the choice.
Kept in the database (catalogue.KeptUpload) like the kept plans, bound to the uploading user,
and forgotten after the same lifetime.
"""

import secrets

from django.utils import timezone

from ..models import KeptUpload
from .store import PLAN_LIFETIME, TOKEN_PATTERN, PlanExpired


def upload_keep(*, data: bytes, user, file_name: str) -> str:
    now = timezone.now()
    KeptUpload.objects.filter(expires_at__lt=now).delete()
    token = secrets.token_urlsafe(16)
    KeptUpload.objects.create(
        token=token, user=user, file_name=file_name, data=data, expires_at=now + PLAN_LIFETIME
    )
    return token


def upload_fetch(*, token: str, user) -> tuple[bytes, str]:
    """The kept file and its name, if it is this user's and fresh; else PlanExpired."""
    if not TOKEN_PATTERN.fullmatch(token or ""):
        raise PlanExpired
    kept = (
        KeptUpload.objects.filter(token=token, user=user, expires_at__gte=timezone.now())
        .values_list("data", "file_name")
        .first()
    )
    if kept is None:
        raise PlanExpired
    data, file_name = kept
    return bytes(data), file_name


def upload_discard(*, token: str, user) -> None:
    KeptUpload.objects.filter(token=token, user=user).delete()
