"""Keeping an uploaded file while a person chooses its sheet or places its columns (issue 10).

The choice page posts back a token instead of the file; the file is read again with the choice.
Stored beside the kept plans, bound to the uploading user, and forgotten like them.
"""

import secrets
import time
from pathlib import Path

from django.conf import settings

from .store import PLAN_LIFETIME_SECONDS, PlanExpired

_TOKEN_BYTES = 16


def _directory() -> Path:
    directory = Path(settings.IMPORT_PLAN_DIR) / "uploads"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def upload_keep(*, data: bytes, user, file_name: str) -> str:
    directory = _directory()
    cutoff = time.time() - PLAN_LIFETIME_SECONDS
    for path in directory.glob("*.xlsx"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    (directory / f"{token}.{user.pk}.xlsx").write_bytes(data)
    (directory / f"{token}.{user.pk}.name").write_text(file_name, encoding="utf-8")
    return token


def upload_fetch(*, token: str, user) -> tuple[bytes, str]:
    """The kept file and its name, if it is this user's and fresh; else PlanExpired."""
    if not token or not token.replace("-", "").replace("_", "").isalnum() or len(token) != 22:
        raise PlanExpired
    path = _directory() / f"{token}.{user.pk}.xlsx"
    try:
        if path.stat().st_mtime < time.time() - PLAN_LIFETIME_SECONDS:
            raise PlanExpired
        name = path.with_suffix(".name").read_text(encoding="utf-8")
        return path.read_bytes(), name
    except OSError:
        raise PlanExpired from None


def upload_discard(*, token: str, user) -> None:
    for suffix in (".xlsx", ".name"):
        (_directory() / f"{token}.{user.pk}{suffix}").unlink(missing_ok=True)
