import json
from types import SimpleNamespace

import pytest
from django.db import DatabaseError, connection
from django.db.migrations.recorder import MigrationRecorder

from config import health


@pytest.mark.django_db
def test_healthz_answers_ok_without_login_in_two_queries(client, django_assert_num_queries):
    with django_assert_num_queries(2):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_naming_a_migration_not_applied(client, caplog):
    MigrationRecorder.Migration.objects.filter(
        app="catalogue", name="0006_import_batch_from_command_line"
    ).delete()

    response = client.get("/healthz")

    assert response.status_code == 503
    assert json.loads(response.content) == {
        "status": "error",
        "reason": "migrations not applied: catalogue.0006_import_batch_from_command_line",
    }
    assert "migrations not applied" in caplog.text


@pytest.mark.django_db
def test_healthz_answers_503_on_a_database_never_migrated(client):
    with connection.cursor() as cursor:  # rolled back with the test's transaction
        cursor.execute("DROP TABLE django_migrations")

    response = client.get("/healthz")

    assert response.status_code == 503
    assert json.loads(response.content) == {
        "status": "error",
        "reason": "migrations not applied: the database has never been migrated",
    }


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_unreachable(client, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise DatabaseError('connection to server at "10.0.0.5", port 5432 failed')

    monkeypatch.setattr("django.db.models.query.QuerySet._fetch_all", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    # The caller learns the fact; the server's address goes to the log only.
    assert json.loads(response.content) == {"status": "error", "reason": "database unavailable"}
    assert "10.0.0.5" in caplog.text


@pytest.mark.django_db
def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_is_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/admin/login/").status_code == 301


def test_a_squashed_migration_counts_as_applied_when_everything_it_replaces_is(monkeypatch):
    squashed = ("catalogue", "0001_squashed_0003")
    replaced = [("catalogue", "0001_initial"), ("catalogue", "0002_a"), ("catalogue", "0003_b")]
    monkeypatch.setattr(
        health,
        "_migrations_on_disk",
        lambda: (frozenset({squashed}), {squashed: SimpleNamespace(replaces=replaced)}),
    )

    assert health.unapplied_migrations(set(replaced)) == []
    assert health.unapplied_migrations({squashed}) == []
    # Only part of it: the squashed migration still has to run.
    assert health.unapplied_migrations(set(replaced[:2])) == ["catalogue.0001_squashed_0003"]
