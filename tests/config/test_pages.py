"""Error pages, the landing page after signing in, and the cache and CSP headers (issue 12.7)."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from tests.factories import ServiceItemFactory, UserFactory

PASSWORD = "a-Strong-passw0rd-for-tests"
REPORT_URLS = [
    reverse("reports:page"),
    reverse("reports:summary"),
    reverse("reports:export"),
    reverse("reports:chart", args=["handling-type"]),
]


# --- cache and CSP headers ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", REPORT_URLS)
def test_report_pages_and_json_are_private_and_not_stored(admin_client, url):
    ServiceItemFactory()

    response = admin_client.get(url)

    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


@pytest.mark.django_db
def test_a_refused_report_filter_is_not_stored_either(admin_client):
    response = admin_client.get(reverse("reports:summary"), {"department": "x"})

    assert response.status_code == 400
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", [reverse("reports:page"), reverse("admin:catalogue_serviceitem_add"), "/admin/login/"]
)
def test_pages_carry_a_content_security_policy_without_inline_code(admin_client, url):
    policy = admin_client.get(url)["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy and "http" not in policy


# --- signing in ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", ""])
def test_signing_in_with_an_unsafe_next_lands_on_the_catalogue(client, next_url):
    UserFactory(username="clerk", password=PASSWORD, is_staff=True)

    response = client.post(
        "/admin/login/", {"username": "clerk", "password": PASSWORD, "next": next_url}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    landing = client.get(response["Location"], follow=True)
    assert landing.redirect_chain == [(reverse("admin:index"), 302)]
    assert landing.status_code == 200


def _sign_in_from_the_login_page(client, username):
    """Signs in as a person does: the login page's own form, with its hidden `next`."""
    page = client.get(reverse("admin:login")).content.decode()
    next_url = page.split('name="next" value="', 1)[1].split('"', 1)[0]
    return client.post(
        reverse("admin:login"), {"username": username, "password": PASSWORD, "next": next_url}
    )


@pytest.mark.django_db
def test_a_supervisor_signing_in_lands_on_the_report(client, supervisor):
    supervisor.set_password(PASSWORD)
    supervisor.save()

    response = _sign_in_from_the_login_page(client, "supervisor")

    assert client.get(response["Location"])["Location"] == reverse("reports:page")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["centre_admin", "dept_staff"])
def test_people_who_change_items_signing_in_land_on_the_catalogue(client, request, role):
    user = request.getfixturevalue(role)
    user.set_password(PASSWORD)
    user.save()

    response = _sign_in_from_the_login_page(client, user.username)

    assert client.get(response["Location"])["Location"] == reverse("admin:index")


@pytest.mark.django_db
def test_signing_in_with_a_next_still_goes_there(client, supervisor):
    supervisor.set_password(PASSWORD)
    supervisor.save()

    response = client.post(
        reverse("admin:login") + "?next=/admin/catalogue/serviceitem/",
        {"username": "supervisor", "password": PASSWORD, "next": "/admin/catalogue/serviceitem/"},
    )

    assert response["Location"] == "/admin/catalogue/serviceitem/"


# --- the way to the report ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["centre_admin", "dept_staff", "supervisor"])
def test_the_admin_header_and_index_link_to_the_report(client, request, role):
    client.force_login(request.getfixturevalue(role))

    page = client.get(reverse("admin:index")).content.decode()

    link = f'href="{reverse("reports:page")}"'
    assert page.count(link) >= 2
    assert 'id="report-module"' in page
    assert "统计报表" in page


@pytest.mark.django_db
def test_the_admin_has_no_report_link_for_staff_without_the_right(client):
    client.force_login(UserFactory(username="plain"))

    page = client.get(reverse("admin:index")).content.decode()

    assert f'href="{reverse("reports:page")}"' not in page


@pytest.mark.django_db
def test_the_report_page_has_the_language_switch(client, supervisor):
    client.force_login(supervisor)

    page = client.get(reverse("reports:page")).content.decode()

    assert f'action="{reverse("set_language")}"' in page
    assert 'name="language"' in page


# --- error pages --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_404_page_is_chinese_with_a_way_back(admin_client):
    response = admin_client.get("/admin/catalogue/serviceitem/999999/change/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and "Not Found" not in page
    assert f'href="{reverse("admin:index")}"' in page


@pytest.mark.django_db
def test_the_403_page_is_chinese_with_a_way_back(client, supervisor):
    client.force_login(supervisor)

    response = client.get(reverse("admin:catalogue_serviceitem_add"))

    page = response.content.decode()
    assert response.status_code == 403
    assert "没有权限" in page and "Forbidden" not in page
    assert f'href="{reverse("admin:index")}"' in page


@pytest.mark.django_db
def test_the_400_page_is_chinese_with_a_way_back(admin_client):
    response = admin_client.get(reverse("admin:catalogue_serviceitem_changelist"), {"q": "\x00"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "请求无效" in page and "Bad Request" not in page
    assert f'href="{reverse("admin:index")}"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"import_batch": "²"}, "参数 import_batch 应为对象编号（数字）。"),
        ({"q": "\x00"}, "网址中含有不允许的空字符（NUL）。"),
    ],
)
def test_the_400_page_says_what_to_change(admin_client, params, reason):
    response = admin_client.get(reverse("admin:catalogue_serviceitem_changelist"), params)

    assert response.status_code == 400
    assert reason in response.content.decode()


@pytest.mark.django_db
def test_error_pages_follow_the_language_of_the_session(admin_client):
    admin_client.cookies["django_language"] = "en"

    page = admin_client.get("/admin/catalogue/serviceitem/999999/change/").content.decode()

    assert "Page not found" in page
    assert "页面不存在" not in page


def test_the_500_page_renders_without_the_database_or_context_processors(rf):
    # No django_db mark: any query would raise. Django renders 500.html with an empty context.
    request = rf.get("/admin/")

    with translation.override("zh-hans"):
        response = server_error(request)

    page = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错" in page and "Server Error" not in page
    assert f'href="{reverse("admin:index")}"' in page
    assert 'href="/static/css/base.css"' in page


def test_the_500_page_in_english(rf):
    with translation.override("en"):
        page = server_error(rf.get("/")).content.decode()

    assert "Server error" in page


urlpatterns = []  # for the test below: a site whose URLs cannot be reversed


@pytest.mark.urls(__name__)
def test_the_500_page_renders_even_when_its_links_cannot_be_reversed(rf):
    with translation.override("zh-hans"):
        page = server_error(rf.get("/")).content.decode()

    assert "服务器出错" in page and 'href="/"' in page
