"""Reads that may go to a read replica, and everything else on the primary.

A view opts in with `replica_reads` (a context manager and decorator) or `ReplicaReadsMixin`:
inside it, the ORM's reads go to `settings.READ_REPLICA` (the `replica` alias, set from
`DATABASE_REPLICA_URL`) when one is configured. Writes always go to the primary, and so does any
read inside a transaction on the primary: a read there is part of a write (a check guarding it,
a lock), and a replica lags behind.
"""

import contextvars
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

_replica_allowed = contextvars.ContextVar("replica_reads_allowed", default=False)


@contextmanager
def replica_reads():
    token = _replica_allowed.set(True)
    try:
        yield
    finally:
        _replica_allowed.reset(token)


class ReplicaReadsMixin:
    """A class-based view whose handler reads from the replica. Put it after the access mixins:
    their checks run first, on the primary."""

    def dispatch(self, request, *args, **kwargs):
        with replica_reads():
            return super().dispatch(request, *args, **kwargs)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        replica = settings.READ_REPLICA
        if replica and _replica_allowed.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return replica
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, **hints):
        return db == DEFAULT_DB_ALIAS
