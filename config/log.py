"""Log records that name the request's user and path, one line per event.

`RequestContextMiddleware` remembers the current request; `RequestContextFilter` puts its user
and path on every record logged while it is handled (``-`` outside a request);
`OneLineFormatter` keeps a record with a traceback on a single line, so that a log collector
reading stderr sees one event per line.
"""

import logging
from contextvars import ContextVar

from django.utils.functional import empty

_current_request: ContextVar = ContextVar("current_request", default=None)


class RequestContextMiddleware:
    """Placed after AuthenticationMiddleware, so that the request carries its user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def _user_label(request) -> str:
    user = getattr(request, "user", None)
    if user is None:
        return "-"
    # request.user is lazy: a log call must not query the database (it may be what failed),
    # so a user nobody has looked at yet stays unnamed.
    if getattr(user, "_wrapped", None) is empty:
        return "-"
    if not user.is_authenticated:
        return "anonymous"
    return user.get_username()


class RequestContextFilter(logging.Filter):
    def filter(self, record):
        # django.request passes the request itself on the records it logs.
        request = getattr(record, "request", None) or _current_request.get()
        if not hasattr(record, "user"):
            record.user = _user_label(request) if request is not None else "-"
        if not hasattr(record, "path"):
            record.path = request.get_full_path() if request is not None else "-"
        return True


class OneLineFormatter(logging.Formatter):
    def format(self, record):
        return super().format(record).replace("\r", "").replace("\n", "\\n")
