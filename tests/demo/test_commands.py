import re
from io import StringIO

import pytest
from django.core.management import call_command

from catalogue.models import ServiceItem
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
