"""`/healthz`: is this instance able to serve? For the process manager and the reverse proxy.

200 ``{"status": "ok"}`` when the database answers and every migration on disk is applied,
503 ``{"status": "error", "reason": ...}`` otherwise. No login, never cached, two queries
(is there a migration table; what it holds).
"""

import logging
from functools import cache

from django.contrib.auth.decorators import login_not_required
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@cache
def _migrations_on_disk() -> tuple[frozenset, dict]:
    """The migrations this code needs, and what each squashed one replaces.

    Read once per process: the files on disk do not change while it runs.
    """
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return frozenset(loader.graph.nodes), dict(loader.replacements)


def unapplied_migrations(applied: set) -> list[str]:
    needed, replacements = _migrations_on_disk()
    missing = []
    for key in sorted(needed - applied):
        replaced = replacements.get(key)
        if replaced is not None and all(old in applied for old in replaced.replaces):
            continue
        missing.append(".".join(key))
    return missing


def _unhealthy(reason: str) -> JsonResponse:
    logger.warning("Health check failed: %s", reason)
    return JsonResponse({"status": "error", "reason": reason}, status=503)


@login_not_required
@never_cache
@require_safe
def healthz(request):
    recorder = MigrationRecorder(connections[DEFAULT_DB_ALIAS])
    try:
        migrated = recorder.has_table()
        applied = set(recorder.applied_migrations()) if migrated else set()
    except DatabaseError as error:
        # The details (host, port) go to the log, not to an anonymous caller.
        logger.warning("Health check: database error: %s", error)
        return _unhealthy("database unavailable")
    if not migrated:
        return _unhealthy("migrations not applied: the database has never been migrated")
    missing = unapplied_migrations(applied)
    if missing:
        return _unhealthy(f"migrations not applied: {', '.join(missing)}")
    return JsonResponse({"status": "ok"})
