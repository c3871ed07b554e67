"""Imports and admin saves at the same time, in threads with their own database connections.

In each race, every item ends as some serial order of the accepted writes left it, each
refused write says why in Chinese, and nothing answers 500 or raises anything else.

PostgreSQL only: the test database on SQLite is in memory, and one in-memory database cannot
be shared between threads' connections. SQLite serialises writers anyway (every transaction
begins IMMEDIATE and waits up to 20 s for the write lock, see config/settings/base.py and
test_sqlite_transactions_take_the_write_lock_at_once_and_wait_for_it below).
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from catalogue.history import HistoricalServiceItem
from catalogue.importing import StalePlan, messages
from catalogue.models import ImportBatch, ServiceItem
from catalogue.services.importing import items_import_apply, items_import_plan
from tests.admin_forms import admin_form_data
from tests.catalogue.importing_support import valid_row, xlsx_bytes
from tests.factories import ServiceItemFactory, UserFactory

IMPORT_URL = reverse("admin:catalogue_serviceitem_import")
CONFIRM_URL = reverse("admin:catalogue_serviceitem_process_import")
WAIT_SECONDS = 60  # a bound: a deadlock or a lost wake-up fails the test instead of hanging CI

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="threads cannot share the in-memory SQLite test database",
)
# serialized_rollback: later tests (tests/config/test_db_routers.py) restore the serialized
# database, which a plain flush would leave holding duplicates of the content types.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _code(number):
    return f"11440300MB2C{number:019d}"


def _items(department, sector, count):
    """`count` items of valid_row's department and sector, in bulk (no history of their own)."""
    return ServiceItem.objects.bulk_create(
        ServiceItemFactory.build(code=_code(n), department=department, sector=sector)
        for n in range(count)
    )


def _rows(items, name):
    return [valid_row(实施编码=item.code, 事项名称=f"{name}{item.pk}") for item in items]


def _in_threads(*calls):
    """Run the calls at once (a barrier releases them together); their results or exceptions."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait(timeout=WAIT_SECONDS)
            return call()
        except Exception as error:  # returned, so that the test asserts what each one got
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        return [future.result(timeout=WAIT_SECONDS) for future in futures]


def _logged_in_client(user):
    client = Client(raise_request_exception=True)
    client.force_login(user)
    return client


def _preview(client, rows):
    response = client.post(
        IMPORT_URL, {"import_file": _upload_file(xlsx_bytes(rows))}, raise_request_exception=True
    )
    assert response.status_code == 200
    form = response.context["confirm_form"]
    assert form is not None, response.content.decode()
    return {"token": form.initial["token"], "file_hash": form.initial["file_hash"]}


def _upload_file(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("部门事项.xlsx", data)


def _confirm(client, data):
    """(status of the POST, the text of the page it leads to)."""
    response = client.post(CONFIRM_URL, data)
    page = client.get(response["Location"]) if response.status_code == 302 else response
    return response.status_code, page.content.decode()


def _names(items):
    return dict(ServiceItem.objects.filter(pk__in=[i.pk for i in items]).values_list("pk", "name"))


def _expected_names(items, name):
    return {item.pk: f"{name}{item.pk}" for item in items}


WRITTEN_PREFIX = str(messages.WRITTEN).split("：")[0]  # 导入完成
STALE_PREFIX = str(messages.STALE_PLAN).split("（")[0]  # 预览之后目录已被修改


@on_postgresql
def test_of_two_overlapping_confirms_the_second_is_refused_as_stale(department, sector):
    items = _items(department, sector, 100)
    first, second = (_logged_in_client(UserFactory(is_superuser=True, is_staff=True)) for _ in "12")
    plans = [_preview(first, _rows(items, "甲")), _preview(second, _rows(items, "乙"))]

    outcomes = _in_threads(lambda: _confirm(first, plans[0]), lambda: _confirm(second, plans[1]))

    assert [status for status, _page in outcomes] == [302, 302]
    written = [WRITTEN_PREFIX in page for _status, page in outcomes]
    assert sorted(written) == [False, True]
    refused_page = outcomes[written.index(False)][1]
    assert STALE_PREFIX in refused_page
    accepted = "甲" if written[0] else "乙"
    assert _names(items) == _expected_names(items, accepted)
    assert ImportBatch.objects.count() == 1


@on_postgresql
def test_one_plan_posted_three_times_at_once_is_written_once(department, sector):
    user = UserFactory(is_superuser=True, is_staff=True)
    clients = [_logged_in_client(user) for _ in range(3)]
    existing = _items(department, sector, 100)
    new_codes = [_code(1000 + n) for n in range(100)]
    rows = _rows(existing, "新名") + [valid_row(实施编码=code) for code in new_codes]
    plan = _preview(clients[0], rows)

    outcomes = _in_threads(*(lambda client=client: _confirm(client, plan) for client in clients))

    assert [status for status, _page in outcomes] == [302, 302, 302]
    pages = [page for _status, page in outcomes]
    assert sum(WRITTEN_PREFIX in page for page in pages) == 1
    assert sum(str(messages.PLAN_ALREADY_CONFIRMED) in page for page in pages) == 2
    assert ImportBatch.objects.count() == 1
    assert ServiceItem.objects.filter(code__in=new_codes).count() == 100
    assert _names(existing) == _expected_names(existing, "新名")
    # One import record per item written, not one per post.
    touched = [item.pk for item in existing] + list(
        ServiceItem.objects.filter(code__in=new_codes).values_list("pk", flat=True)
    )
    assert (
        HistoricalServiceItem.objects.filter(id__in=touched, change_source="import").count() == 200
    )


def _command_import(data, tmp_path, name):
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(data)
    try:
        call_command("import_items", str(path), stdout=_Sink(), stderr=_Sink())
    except CommandError as error:
        return error
    return "written"


class _Sink:
    def write(self, text):
        pass

    def flush(self):
        pass


@on_postgresql
def test_a_command_line_import_and_an_admin_confirm_end_in_a_serial_order(
    department, sector, tmp_path
):
    items = _items(department, sector, 100)
    client = _logged_in_client(UserFactory(is_superuser=True, is_staff=True))
    plan = _preview(client, _rows(items, "后台"))
    command_file = xlsx_bytes(_rows(items, "命令行"))

    admin_outcome, command_outcome = _in_threads(
        lambda: _confirm(client, plan), lambda: _command_import(command_file, tmp_path, "cli")
    )

    status, page = admin_outcome
    assert status == 302
    admin_written = WRITTEN_PREFIX in page
    command_written = command_outcome == "written"
    if not admin_written:
        assert STALE_PREFIX in page
    if not command_written:
        assert isinstance(command_outcome, CommandError)
        assert STALE_PREFIX in str(command_outcome)
    assert admin_written or command_written
    batches = list(ImportBatch.objects.order_by("pk"))
    assert len(batches) == admin_written + command_written
    # The last accepted write is what the items hold.
    last = "后台" if batches[-1].user_id is not None else "命令行"
    assert _names(items) == _expected_names(items, last)


@on_postgresql
def test_command_line_imports_with_the_same_new_codes_end_in_a_chinese_message(
    department, sector, tmp_path
):
    codes = [_code(5000 + n) for n in range(100)]
    files = [
        xlsx_bytes([valid_row(实施编码=code, 事项名称=f"{name}{code}") for code in codes])
        for name in ("甲", "乙")
    ]

    outcomes = _in_threads(
        *(
            lambda data=data, n=n: _command_import(data, tmp_path, f"f{n}")
            for n, data in enumerate(files)
        )
    )

    # Serially, the second import updates what the first created; overlapping, it is refused.
    for outcome in outcomes:
        if outcome != "written":
            assert isinstance(outcome, CommandError), outcome
            assert "实施编码已被其他导入或编辑占用" in str(outcome) or STALE_PREFIX in str(outcome)
    assert "written" in outcomes
    last = ImportBatch.objects.order_by("pk").last()
    name = "甲" if last.file_name == "f0.xlsx" else "乙"
    assert set(ServiceItem.objects.filter(code__in=codes).values_list("name", flat=True)) == {
        f"{name}{code}" for code in codes
    }
    assert ServiceItem.objects.filter(code__in=codes).count() == 100


@on_postgresql
def test_two_imports_updating_the_same_items_in_opposite_row_orders_do_not_deadlock(
    department,
    sector,
):
    items = _items(department, sector, 500)
    forward = items_import_plan(rows=_rows(items, "正序"))
    backward = items_import_plan(rows=list(reversed(_rows(items, "倒序"))))

    outcomes = _in_threads(
        lambda: items_import_apply(plan=forward), lambda: items_import_apply(plan=backward)
    )

    refused = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert len(refused) == 1, outcomes
    assert isinstance(refused[0], StalePlan)
    assert STALE_PREFIX in str(refused[0].message)
    accepted = "倒序" if refused[0] is outcomes[0] else "正序"
    assert _names(items) == _expected_names(items, accepted)


@on_postgresql
def test_admin_saves_during_an_import_wait_and_succeed(department, sector):
    items = _items(department, sector, 1000)
    edited = items[len(items) // 2]
    plan = items_import_plan(rows=_rows(items, "导入"))
    client = _logged_in_client(UserFactory(is_superuser=True, is_staff=True))
    change_url = reverse("admin:catalogue_serviceitem_change", args=[edited.pk])
    form = admin_form_data(client.get(change_url), name="后台保存")

    def admin_saves():
        statuses = []
        for _ in range(5):
            statuses.append(client.post(change_url, form).status_code)
        return statuses

    import_outcome, statuses = _in_threads(lambda: items_import_apply(plan=plan), admin_saves)

    assert statuses == [302] * 5
    edited.refresh_from_db()
    others = [item for item in items if item.pk != edited.pk]
    if isinstance(import_outcome, Exception):
        # An admin save committed first: the import saw it and wrote nothing.
        assert isinstance(import_outcome, StalePlan)
        assert _names(others) == {item.pk: item.name for item in others}
    else:
        assert _names(others) == _expected_names(others, "导入")
    # Whatever the order, the admin's saves came last for the edited item or the import
    # was refused: either way the item holds the admin's name.
    assert edited.name == "后台保存"


def test_sqlite_transactions_take_the_write_lock_at_once_and_wait_for_it():
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite's transaction mode")
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert database["OPTIONS"]["timeout"] >= 20
