"""Reads that may go to the replica do, and writes and their checks stay on the primary.

The `replica` alias mirrors the test database (config/settings/test.py) on a second connection,
so the queries of each alias are captured separately.
"""

from contextlib import ExitStack, contextmanager

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import ServiceItem
from config.db_routers import replica_reads
from tests.factories import ServiceItemFactory

pytestmark = pytest.mark.django_db(
    transaction=True, serialized_rollback=True, databases=["default", "replica"]
)

CATALOGUE_TABLE = '"catalogue_serviceitem"'


@pytest.fixture
def replica_on(settings):
    settings.READ_REPLICA = "replica"


@contextmanager
def queries_by_alias():
    with ExitStack() as stack:
        captured = {
            alias: stack.enter_context(CaptureQueriesContext(connections[alias]))
            for alias in ("default", "replica")
        }
        yield captured


def catalogue_queries(captured, alias):
    return [q["sql"] for q in captured[alias].captured_queries if CATALOGUE_TABLE in q["sql"]]


@pytest.mark.parametrize(
    "url",
    [
        reverse("reports:page"),
        reverse("reports:summary"),
        reverse("reports:export"),
        reverse("reports:chart", args=["online"]),
    ],
)
def test_report_reads_go_to_the_replica_and_the_session_stays_on_the_primary(
    client, replica_on, supervisor, own_item, url
):
    client.force_login(supervisor)
    with queries_by_alias() as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert catalogue_queries(captured, "replica")
    assert catalogue_queries(captured, "default") == []
    # The session and the user's permissions (the access check) are read on the primary.
    default_sql = " ".join(q["sql"] for q in captured["default"].captured_queries)
    assert "django_session" in default_sql
    assert "auth_permission" in default_sql


def test_item_export_reads_go_to_the_replica(client, replica_on, centre_admin, own_item):
    client.force_login(centre_admin)
    with queries_by_alias() as captured:
        response = client.post(reverse("admin:catalogue_serviceitem_export"), {"format": "0"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert catalogue_queries(captured, "replica")
    assert catalogue_queries(captured, "default") == []


def test_an_item_change_reads_and_writes_only_on_the_primary(
    client, replica_on, centre_admin, own_item
):
    client.force_login(centre_admin)
    with queries_by_alias() as captured:
        client.get(reverse("admin:catalogue_serviceitem_change", args=[own_item.pk]))
        client.post(
            reverse("admin:catalogue_serviceitem_changelist"),
            {"action": "suspend_items", "_selected_action": [own_item.pk]},
        )
    assert captured["replica"].captured_queries == []
    own_item.refresh_from_db()
    assert own_item.status == "suspended"


def test_reads_inside_a_transaction_on_the_primary_stay_there(replica_on, own_item):
    with replica_reads(), queries_by_alias() as captured:
        assert ServiceItem.objects.filter(pk=own_item.pk).exists()
        with transaction.atomic():
            ServiceItem.objects.select_for_update().get(pk=own_item.pk)
    assert len(catalogue_queries(captured, "replica")) == 1
    assert len(catalogue_queries(captured, "default")) == 1


def test_without_a_replica_everything_reads_the_primary(client, supervisor, own_item):
    client.force_login(supervisor)
    with queries_by_alias() as captured:
        assert client.get(reverse("reports:summary")).status_code == 200
    assert captured["replica"].captured_queries == []
    assert catalogue_queries(captured, "default")


def test_writes_in_a_replica_scope_go_to_the_primary(replica_on, own_department, sector):
    with replica_reads(), queries_by_alias() as captured:
        ServiceItemFactory(department=own_department, sector=sector)
    assert captured["replica"].captured_queries == []
    assert catalogue_queries(captured, "default")
