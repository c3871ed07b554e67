import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalogue.models import ImportBatch, ServiceItem
from tests.factories import ServiceItemFactory

pytestmark = pytest.mark.django_db

LOGIN = re.compile(r"用户名：(?P<username>\S+)\s+密码：(?P<password>\S+)")


def _load_demo(*args):
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def test_load_demo_loads_the_catalogue_and_prints_a_working_login_per_role(client, settings):
    settings.DEMO_PASSWORD = ""

    output = _load_demo()

    assert "演示目录已载入：新建 681 个事项、31 个实施主体。" in output
    logins = {match["username"]: match["password"] for match in LOGIN.finditer(output)}
    assert set(logins) == {"centre_admin", "dept_staff", "supervisor"}
    for username, password in logins.items():
        assert client.login(username=username, password=password)
        assert client.get("/admin/catalogue/serviceitem/").status_code == 200


def test_load_demo_prints_a_fresh_working_login_on_every_run(client, settings):
    settings.DEMO_PASSWORD = ""
    first = LOGIN.search(_load_demo())

    output = _load_demo()

    second = LOGIN.search(output)
    assert "演示目录已齐全，未作更改。" in output
    assert client.login(username=second["username"], password=second["password"])
    assert not client.login(username=first["username"], password=first["password"])


def test_load_demo_prints_the_configured_password(settings):
    settings.DEMO_PASSWORD = "光明演示-2024"

    login = LOGIN.search(_load_demo("--if-empty"))

    assert (login["username"], login["password"]) == ("centre_admin", "光明演示-2024")


def test_load_demo_if_empty_loads_an_empty_catalogue():
    output = _load_demo("--if-empty")

    assert "新建 681 个事项" in output
    assert ServiceItem.objects.count() == 681


def test_load_demo_if_empty_leaves_a_catalogue_with_items_alone_but_prints_the_login():
    ServiceItemFactory()

    output = _load_demo("--if-empty")

    assert "目录中已有事项，未载入演示目录。" in output
    assert LOGIN.search(output)
    assert ServiceItem.objects.count() == 1


def test_benchmark_demo_load_reports_timings_and_leaves_the_database_as_it_was():
    out = StringIO()

    call_command("benchmark_demo_load", "--repeat", "1", stdout=out)

    assert "load into an empty catalogue: median" in out.getvalue()
    assert "rerun (nothing to write): median" in out.getvalue()
    assert not ServiceItem.objects.exists()


def test_benchmark_demo_load_refuses_a_catalogue_with_items():
    ServiceItemFactory()

    with pytest.raises(CommandError, match="The catalogue must be empty"):
        call_command("benchmark_demo_load", "--repeat", "1", stdout=StringIO())


def test_benchmark_history_measures_each_write_and_leaves_the_database_as_it_was():
    out = StringIO()

    call_command("benchmark_history", "--items", "5", stdout=out)

    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert "import_batch_record (new items)" in lines[0] and "queries" in lines[0]
    assert "service_items_set_status (action)" in lines[2]
    assert not ServiceItem.objects.exists()
    assert not ImportBatch.objects.exists()
