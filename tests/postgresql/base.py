"""PostgreSQL for the test suite (config/settings/test.py): Django's backend, except that a
transactional test's flush empties the tables with DELETE instead of TRUNCATE.

TRUNCATE gives every table and index a new file and fsyncs them: about a second for the ~30
tables, after each of the suite's transactional tests (the browser tests, the threads and
processes on one database); DELETE of the few rows a test leaves takes milliseconds. Every
foreign key Django creates is DEFERRABLE INITIALLY DEFERRED, so the order does not matter: the
keys are checked at the flush's commit, when every table is empty. A flush that resets the
sequences (reset_sequences=True) still truncates.
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
