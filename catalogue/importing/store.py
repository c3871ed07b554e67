"""Keeping a checked plan between the admin's preview and its confirmation.

The preview does all the reading and checking once; confirming writes the kept plan instead of
importing the file a second time. A plan is stored as compressed JSON (never pickle) under a
random token, bound to the user who uploaded it and to the file's SHA-256, and expires.
"""

import gzip
import json
import re
import secrets
import time
from pathlib import Path

from django.conf import settings

from .plan import ImportPlan

PLAN_LIFETIME_SECONDS = 2 * 60 * 60
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}$")


class PlanExpired(Exception):
    pass


def _directory() -> Path:
    directory = Path(settings.IMPORT_PLAN_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _forget_old_plans(directory: Path) -> None:
    cutoff = time.time() - PLAN_LIFETIME_SECONDS
    for path in directory.glob("*.json.gz"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass


def plan_keep(*, plan: ImportPlan, user, file_hash: str, file_name: str) -> str:
    directory = _directory()
    _forget_old_plans(directory)
    token = secrets.token_urlsafe(16)
    record = {
        "user_id": user.pk,
        "file_hash": file_hash,
        "file_name": file_name,
        "plan": plan.to_dict(),
    }
    with gzip.open(directory / f"{token}.json.gz", "wt", encoding="utf-8", compresslevel=1) as out:
        # dumps, not dump: json.dump streams through the pure-Python encoder, five times slower.
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
    return token


def plan_fetch(*, token: str, user, file_hash: str | None = None) -> tuple[ImportPlan, dict]:
    """The kept plan and its record, if it exists, is fresh and is this user's (and file's)."""
    if not _TOKEN.match(token or ""):
        raise PlanExpired
    path = _directory() / f"{token}.json.gz"
    try:
        if path.stat().st_mtime < time.time() - PLAN_LIFETIME_SECONDS:
            raise PlanExpired
        with gzip.open(path, "rt", encoding="utf-8") as stream:
            record = json.load(stream)
    except (FileNotFoundError, OSError, ValueError):
        raise PlanExpired from None
    if record["user_id"] != user.pk or (file_hash is not None and record["file_hash"] != file_hash):
        raise PlanExpired
    return ImportPlan.from_dict(record.pop("plan")), record


def plan_discard(*, token: str) -> None:
    if _TOKEN.match(token or ""):
        (_directory() / f"{token}.json.gz").unlink(missing_ok=True)
