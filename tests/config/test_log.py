import io
import logging

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from django.utils.functional import SimpleLazyObject

from config.log import OneLineFormatter
from tests.factories import UserFactory

logger = logging.getLogger("catalogue.example")


def _logging_view(request):
    logger.info("导入已确认：%d 个事项", 3)
    return HttpResponse("ok")


def _failing_view(request):
    raise ValueError("boom\nsecond line")


urlpatterns = [
    path("logs/", _logging_view),
    path("fails/", _failing_view),
]


@pytest.fixture
def stderr_log():
    """What the configured stderr handler writes, instead of the real stderr."""
    [handler] = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler.formatter, OneLineFormatter)
    ]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_log_line_names_the_requests_user_and_path(client, stderr_log):
    client.force_login(UserFactory(username="centre", is_staff=True))

    client.get("/logs/?page=2")

    [line] = stderr_log.getvalue().splitlines()
    assert " INFO catalogue.example user=centre path=/logs/?page=2 导入已确认：3 个事项" in line


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_an_unhandled_error_is_logged_with_its_traceback_on_one_line(stderr_log):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(username="centre", is_staff=True))

    response = client.get("/fails/")

    assert response.status_code == 500
    [line] = stderr_log.getvalue().splitlines()
    assert " ERROR django.request user=centre path=/fails/ Internal Server Error: /fails/" in line
    assert "\\nTraceback (most recent call last):\\n" in line
    assert 'in _failing_view\\n    raise ValueError("boom\\nsecond line")' in line
    assert line.endswith("ValueError: boom\\nsecond line")


def test_a_log_line_outside_a_request_has_no_user_or_path(stderr_log):
    logger.warning("plan store full")

    [line] = stderr_log.getvalue().splitlines()
    assert " WARNING catalogue.example user=- path=- plan store full" in line


def test_a_log_line_names_no_user_that_the_request_has_not_looked_up(stderr_log, rf):
    # django.request may log a request before AuthenticationMiddleware gave it a user; a user
    # nobody has looked at is not looked up by the log call (the database may be what failed).
    without_user = rf.get("/admin/")
    unlooked = rf.get("/reports/")
    unlooked.user = SimpleLazyObject(lambda: pytest.fail("the log call looked the user up"))

    logger.warning("refused", extra={"request": without_user})
    logger.warning("refused", extra={"request": unlooked})

    first, second = stderr_log.getvalue().splitlines()
    assert " WARNING catalogue.example user=- path=/admin/ refused" in first
    assert " WARNING catalogue.example user=- path=/reports/ refused" in second
