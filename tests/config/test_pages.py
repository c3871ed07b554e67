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
    assert response["Location"] == reverse("admin:index")
    assert client.get(response["Location"]).status_code == 200


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
