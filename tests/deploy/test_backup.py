"""deploy/backup.sh and deploy/restore.sh, run as an operator would."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg import sql

DEPLOY = Path(settings.BASE_DIR) / "deploy"
ROWS = [(1, "建设工程施工许可"), (2, "社会团体登记")]


def _run(script, *arguments, database_url):
    environment = {**os.environ, "DATABASE_URL": database_url, "PYTHON": sys.executable}
    return subprocess.run(
        [DEPLOY / script, *map(str, arguments)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_sqlite_backup_and_restore_bring_back_the_data_as_it_was(tmp_path):
    database = tmp_path / "db.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT)")
        db.executemany("INSERT INTO item VALUES (?, ?)", ROWS)
    url = f"sqlite:///{database}"
    backup = tmp_path / "backups" / "catalogue.sqlite3"

    written = _run("backup.sh", backup, database_url=url)
    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM item WHERE id = 1")
        db.execute("INSERT INTO item VALUES (3, '后来的事项')")
    _run("restore.sh", backup, database_url=url)

    assert written.stdout.strip() == str(backup)
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT id, name FROM item ORDER BY id").fetchall() == ROWS


def test_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(subprocess.CalledProcessError) as refused:
        _run("restore.sh", tmp_path / "none.sqlite3", database_url=f"sqlite:///{tmp_path}/db")

    assert f"no backup file at {tmp_path / 'none.sqlite3'}" in refused.value.stderr


@pytest.fixture
def scratch_postgres_database():
    """A database of its own on the test server, dropped afterwards; its URL."""
    params = connection.settings_dict
    name = f"{params['NAME']}_backup_test"
    server = {
        "host": params["HOST"] or None,
        "port": params["PORT"] or None,
        "user": params["USER"] or None,
        "password": params["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    credentials = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    host = f"{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
    yield f"postgres://{credentials}@{host}/{name}", {"dbname": name, **server}
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="DATABASE_URL is not PostgreSQL")
def test_postgresql_backup_and_restore_bring_back_the_data_as_it_was(
    tmp_path, scratch_postgres_database
):
    url, params = scratch_postgres_database
    with psycopg.connect(autocommit=True, **params) as db:
        db.execute("CREATE TABLE item (id integer PRIMARY KEY, name text)")
        with db.cursor() as cursor:
            cursor.executemany("INSERT INTO item VALUES (%s, %s)", ROWS)
    backup = tmp_path / "catalogue.dump"

    _run("backup.sh", backup, database_url=url)
    with psycopg.connect(autocommit=True, **params) as db:
        db.execute("DELETE FROM item WHERE id = 1")
        db.execute("INSERT INTO item VALUES (3, '后来的事项')")
    _run("restore.sh", backup, database_url=url)

    with psycopg.connect(**params) as db:
        assert db.execute("SELECT id, name FROM item ORDER BY id").fetchall() == ROWS
