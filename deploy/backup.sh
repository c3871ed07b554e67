#!/usr/bin/env bash
# Back up the catalogue's database: deploy/backup.sh [FILE] (default var/backups/catalogue-<time>.*).
# Prints the file written. See deploy/database_backup.py.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exec "${PYTHON:-$root/.venv/bin/python}" "$root/deploy/database_backup.py" backup "$@"
