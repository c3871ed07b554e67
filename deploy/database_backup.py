"""Back up or restore the catalogue's database: `backup [FILE]`, `restore FILE`.

Run through deploy/backup.sh and deploy/restore.sh. The database is the one the application
uses: DATABASE_URL from the environment, else from .env, else db.sqlite3 in the project.
PostgreSQL: pg_dump's custom format and pg_restore (the client tools of the server's version).
SQLite: SQLite's online backup API, safe while the application is writing.
Restoring replaces the whole database: stop the application first.
"""

import argparse
import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent


def _database() -> dict:
    env = environ.Env()
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
    return env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")


def _pg_environment(database: dict) -> dict:
    environment = dict(os.environ)
    for variable, key in [
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ]:
        if database.get(key):
            environment[variable] = str(database[key])
    if database.get("OPTIONS", {}).get("sslmode"):
        environment["PGSSLMODE"] = database["OPTIONS"]["sslmode"]
    return environment


def _sqlite_copy(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)
    with sqlite3.connect(target) as copy:
        [(verdict,)] = copy.execute("PRAGMA integrity_check").fetchall()
    if verdict != "ok":
        raise SystemExit(f"the copy {target} failed SQLite's integrity check: {verdict}")


def backup(database: dict, target: Path | None) -> Path:
    postgres = database["ENGINE"] == "django.db.backends.postgresql"
    if target is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = (
            BASE_DIR / "var" / "backups" / f"catalogue-{stamp}.{'dump' if postgres else 'sqlite3'}"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    if postgres:
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={target}"],
            env=_pg_environment(database),
            check=True,
        )
    else:
        source = Path(database["NAME"])
        if not source.exists():
            raise SystemExit(f"no SQLite database at {source}")
        _sqlite_copy(source, target)
    return target


def restore(database: dict, source: Path) -> None:
    if not source.is_file():
        raise SystemExit(f"no backup file at {source}")
    if database["ENGINE"] == "django.db.backends.postgresql":
        subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={database['NAME']}",
                str(source),
            ],
            env=_pg_environment(database),
            check=True,
        )
    else:
        _sqlite_copy(source, Path(database["NAME"]))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("backup").add_argument("file", nargs="?", type=Path)
    commands.add_parser("restore").add_argument("file", type=Path)
    arguments = parser.parse_args(argv)
    database = _database()
    try:
        if arguments.command == "backup":
            print(backup(database, arguments.file))
        else:
            restore(database, arguments.file)
            print(f"restored {arguments.file}")
    except subprocess.CalledProcessError as error:
        print(f"{error.cmd[0]} failed (exit {error.returncode})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
