"""gunicorn settings: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Every value can be changed from the environment (GUNICORN_*), or on the command line.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers, one request at a time each: the pages are CPU- and database-bound and short.
# The rule: 2 x CPU cores + 1 (gunicorn's advice), set lower on a small machine that also runs
# PostgreSQL; each worker holds about 85 MB idle, and up to 400 MB during a 100,000-row import.
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))

# An upload of the largest accepted size (20 MB, about 100,000 rows) is checked and written
# in one request: 11 s on PostgreSQL on the benchmark machine (docs/benchmarks.md). 120 s
# leaves room on a slower or busier host; the proxy's read timeout must be longer.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 30

# Access lines on stdout, gunicorn's own messages on stderr; the application logs to stderr.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s"'

# The reverse proxy on this machine sets X-Forwarded-*; Django reads them (settings).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn 25+ opens a control socket in the home folder: one path for every instance on the
# machine, and nothing here uses it.
control_socket_disable = True
