# Sourced by .ci/serve-check and .ci/serve-measure: gunicorn on the production settings
# (DEBUG off) on a free loopback port, SQLite and STATIC_ROOT in a temporary folder.
# Sets $work, $base (http://127.0.0.1:PORT) and $server_pid; stops and cleans up on exit.
work="$(mktemp -d)"
port="$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

export DJANGO_SETTINGS_MODULE=config.settings.base DEBUG=false
SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY
export DATABASE_URL="sqlite:///$work/db.sqlite3" STATIC_ROOT="$work/static"
export SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false

.venv/bin/python manage.py collectstatic --noinput --verbosity 0
.venv/bin/python manage.py migrate --noinput --verbosity 0
.venv/bin/python manage.py setup_roles >/dev/null
.venv/bin/gunicorn -c deploy/gunicorn.conf.py --bind "127.0.0.1:$port" \
    --workers "${GUNICORN_WORKERS:-1}" config.wsgi >"$work/access.log" 2>"$work/error.log" &
server_pid=$!

for _ in $(seq 50); do
    curl -fsS -o /dev/null "$base/healthz" 2>/dev/null && break
    sleep 0.2
done
