"""Keeping a checked plan between the admin's preview and its confirmation.

The preview does all the reading and checking once; confirming writes the kept plan instead of
importing the file a second time. A plan is stored in the database (catalogue.KeptImportPlan,
shared by every instance of the site) as compressed JSON (never pickle) under a random token,
bound to the user who uploaded it and to the file's SHA-256, and expires. Confirming claims it
inside the import's transaction, so that a plan is written at most once.
"""

import gzip
import json
import re
import secrets
from datetime import timedelta

from django.utils import timezone

from ..models import KeptImportPlan
from . import messages
from .plan import ImportPlan
from .problems import ImportProblem

PLAN_LIFETIME = timedelta(hours=2)
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{22}")


class PlanExpired(ImportProblem):
    """No such plan for this user and file, or it has expired."""

    def __init__(self, message=messages.PLAN_EXPIRED):
        super().__init__(message)


class PlanAlreadyConfirmed(ImportProblem):
    """The plan was confirmed already (by another request, or another tab)."""

    def __init__(self, message=messages.PLAN_ALREADY_CONFIRMED):
        super().__init__(message)


def plan_keep(*, plan: ImportPlan, user, file_hash: str, file_name: str) -> str:
    now = timezone.now()
    KeptImportPlan.objects.filter(expires_at__lt=now).delete()
    token = secrets.token_urlsafe(16)
    # dumps, not dump: json.dump streams through the pure-Python encoder, five times slower.
    text = json.dumps(plan.to_dict(), ensure_ascii=False, separators=(",", ":"))
    KeptImportPlan.objects.create(
        token=token,
        user=user,
        file_hash=file_hash,
        file_name=file_name[:255],
        plan=gzip.compress(text.encode("utf-8"), compresslevel=1),
        expires_at=now + PLAN_LIFETIME,
    )
    return token


def plan_fetch(*, token: str, user, file_hash: str | None = None) -> tuple[ImportPlan, dict]:
    """The kept plan and its record, if it exists, is fresh, unconfirmed and is this user's
    (and file's). Raises PlanExpired or PlanAlreadyConfirmed."""
    if not TOKEN_PATTERN.fullmatch(token or ""):
        raise PlanExpired
    kept = KeptImportPlan.objects.filter(token=token, user=user).first()
    if kept is None or (file_hash is not None and kept.file_hash != file_hash):
        raise PlanExpired
    if kept.confirmed_at is not None:
        raise PlanAlreadyConfirmed
    if kept.expires_at < timezone.now():
        raise PlanExpired
    try:
        data = json.loads(gzip.decompress(kept.plan))
    except (OSError, EOFError, ValueError):
        raise PlanExpired from None
    return ImportPlan.from_dict(data), {"file_name": kept.file_name, "file_hash": kept.file_hash}


def plan_claim(*, token: str) -> None:
    """Mark the plan confirmed, once: call it in the transaction that writes the plan.

    A single conditional UPDATE: of two requests claiming the same plan, the second waits for
    the first's transaction (a row lock on PostgreSQL, the write lock on SQLite) and then finds
    it claimed; if the first rolled back, the second may claim it.
    """
    claimed = KeptImportPlan.objects.filter(
        token=token, confirmed_at__isnull=True, expires_at__gte=timezone.now()
    ).update(confirmed_at=timezone.now(), plan=b"")
    if not claimed:
        if KeptImportPlan.objects.filter(token=token, confirmed_at__isnull=False).exists():
            raise PlanAlreadyConfirmed
        raise PlanExpired


def plan_discard(*, token: str) -> None:
    if TOKEN_PATTERN.fullmatch(token or ""):
        KeptImportPlan.objects.filter(token=token).delete()
