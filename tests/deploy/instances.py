"""Application instances as separate processes: gunicorn on the production settings on a
loopback port, against the suite's own test database, and a small cookie-keeping HTTP client."""

import http.cookiejar
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

GUNICORN = Path(sys.executable).with_name("gunicorn")
WORKER = ["--workers", "1", "config.wsgi"]


def test_database_url() -> str:
    """The URL of the test database the suite runs on (PostgreSQL)."""
    params = connection.settings_dict
    credentials = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    host = f"{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{params['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Instances of one site share the secret key: sessions and CSRF tokens are signed with it.
SHARED_SECRET_KEY = secrets.token_urlsafe(50)


def production_environment(work: Path, **extra) -> dict:
    """The environment of `make serve`, on the test database; STATIC_ROOT under `work`."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DJANGO_TESTING": "false",
        "DEBUG": "false",
        "SECRET_KEY": SHARED_SECRET_KEY,
        "DATABASE_URL": test_database_url(),
        "STATIC_ROOT": str(work / "static"),
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        **extra,
    }


def collect_static(environment: dict) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env=environment,
        check=True,
        timeout=120,
    )


@dataclass
class Instance:
    base: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_instance(environment: dict, log: Path) -> Instance:
    """One gunicorn with one worker; returns once /healthz answers."""
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [GUNICORN, "-c", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", *WORKER],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    instance = Instance(base=f"http://127.0.0.1:{port}", process=process, log=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{instance.base}/healthz", timeout=5) as response:
                if response.status == 200:
                    return instance
        except OSError:  # not listening yet, or too busy to answer in time
            pass
        time.sleep(0.2)
    instance.stop()
    raise RuntimeError(f"gunicorn did not answer /healthz: {log.read_text(errors='replace')}")


@dataclass
class Response:
    status: int
    url: str
    body: bytes
    headers: dict

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Browser:
    """Cookies kept across requests, whichever instance they go to (as behind one proxy)."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def _send(self, request) -> Response:
        try:
            with self.opener.open(request, timeout=60) as answer:
                return Response(answer.status, answer.url, answer.read(), dict(answer.headers))
        except urllib.error.HTTPError as error:
            return Response(error.code, error.url, error.read(), dict(error.headers))

    def get(self, url: str) -> Response:
        return self._send(urllib.request.Request(url))

    def csrf_token(self) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")

    def post(self, url: str, fields: dict, files: dict | None = None) -> Response:
        fields = {"csrfmiddlewaretoken": self.csrf_token(), **fields}
        headers = {"Referer": url}
        if files:
            boundary = uuid.uuid4().hex
            parts = []
            for name, value in fields.items():
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                    f"{value}\r\n".encode()
                )
            for name, (file_name, content) in files.items():
                head = (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                    f'filename="{file_name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                )
                parts.append(head.encode() + content + b"\r\n")
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self._send(urllib.request.Request(url, data=body, headers=headers, method="POST"))

    def log_in(self, base: str, username: str, password: str) -> Response:
        self.get(f"{base}/admin/login/")
        return self.post(
            f"{base}/admin/login/",
            {"username": username, "password": password, "next": "/admin/"},
        )


def hidden_field(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    if match is None:
        raise AssertionError(f"no hidden field {name} in the page")
    return match.group(1)
