#!/usr/bin/env bash
# Restore the catalogue's database from a backup: deploy/restore.sh FILE. Replaces the whole
# database: stop the application first. See deploy/database_backup.py.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exec "${PYTHON:-$root/.venv/bin/python}" "$root/deploy/database_backup.py" restore "$@"
