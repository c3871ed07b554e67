"""Two application instances (gunicorn processes on two ports) on one PostgreSQL database:
whatever a person does on one is there on the other (issue 11.2)."""

import pytest
from django.apps import apps
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from catalogue.models import ServiceItem
from tests.catalogue.importing_support import valid_row, xlsx_bytes
from tests.deploy.instances import (
    Browser,
    collect_static,
    hidden_field,
    production_environment,
    start_instance,
)

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="instances in other processes need a database server (the SQLite test database "
        "is in memory)",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "Gm-2026-instances!"
FAILURE_LIMIT = 3
IMPORT = "/admin/catalogue/serviceitem/import/"
CONFIRM = "/admin/catalogue/serviceitem/process_import/"


def kept_plan_model():
    """The model that keeps checked import plans in the database, once there is one (the
    integrity work moves them there from IMPORT_PLAN_DIR); None before."""
    return next(
        (m for m in apps.get_app_config("catalogue").get_models() if "plan" in m.__name__.lower()),
        None,
    )


@pytest.fixture(scope="module")
def two_instances(tmp_path_factory):
    # Each instance has its own disk: its own static files and its own plan folder.
    tmp_path = tmp_path_factory.mktemp("instances")
    environments = []
    for name in ("a", "b"):
        work = tmp_path / name
        work.mkdir()
        environments.append(
            production_environment(
                work,
                IMPORT_PLAN_DIR=str(work / "import-plans"),
                AXES_FAILURE_LIMIT=str(FAILURE_LIMIT),
            )
        )
        collect_static(environments[-1])
    started = []
    try:
        for name, environment in zip(("a", "b"), environments, strict=True):
            started.append(start_instance(environment, tmp_path / f"{name}.log"))
        yield started
    finally:
        for instance in started:
            instance.stop()


@pytest.fixture
def centre_admin_with_password(centre_admin):
    # Hashed as production does (the tests' own hasher is MD5, unknown to the instances).
    centre_admin.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    centre_admin.save()
    return centre_admin


def test_a_session_opened_on_one_instance_is_valid_on_the_other(
    two_instances, centre_admin_with_password
):
    a, b = two_instances
    browser = Browser()

    signed_in = browser.log_in(a.base, "centre_admin", PASSWORD)
    on_b = browser.get(f"{b.base}/admin/catalogue/serviceitem/")

    assert signed_in.url == f"{a.base}/admin/"
    assert on_b.status == 200
    assert on_b.url == f"{b.base}/admin/catalogue/serviceitem/"
    assert "实施清单事项" in on_b.text


def test_failed_sign_ins_on_one_instance_lock_the_account_out_on_the_other(
    two_instances, centre_admin_with_password
):
    a, b = two_instances
    for _ in range(FAILURE_LIMIT):
        refused = Browser().log_in(a.base, "centre_admin", "wrong password")
        assert refused.url.startswith(f"{a.base}/admin/login/")

    locked = Browser().log_in(b.base, "centre_admin", PASSWORD)

    assert locked.status == 429
    assert "登录" in locked.text
    assert not locked.url.endswith("/admin/")


def test_an_upload_previewed_on_one_instance_is_confirmed_on_the_other(
    two_instances, centre_admin_with_password, import_references
):
    a, b = two_instances
    browser = Browser()
    browser.log_in(a.base, "centre_admin", PASSWORD)
    row = valid_row()

    browser.get(f"{a.base}{IMPORT}")
    preview = browser.post(
        f"{a.base}{IMPORT}", {}, files={"import_file": ("事项.xlsx", xlsx_bytes([row]))}
    )

    assert preview.status == 200
    assert "导入预览" in preview.text
    if kept_plan_model() is None:
        pytest.skip(
            "import plans are still kept on the instance's disk (IMPORT_PLAN_DIR): the "
            "confirmation on the other instance needs them in the database"
        )
    confirmed = browser.post(
        f"{b.base}{CONFIRM}",
        {
            "token": hidden_field(preview.text, "token"),
            "file_hash": hidden_field(preview.text, "file_hash"),
        },
    )
    assert confirmed.url == f"{b.base}/admin/catalogue/serviceitem/"
    assert ServiceItem.objects.filter(code=row["实施编码"]).exists()
