"""The site is Chinese first: the browser's language does not choose, the language switch does."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_browser_set_to_english_gets_the_chinese_login_page(client):
    response = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.headers["Content-Language"] == "zh-hans"
    assert "政务服务事项目录管理系统" in response.content.decode()


def test_the_language_switch_chooses_english_for_the_following_pages(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/admin/login/"})

    response = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="zh-CN")

    assert response.headers["Content-Language"] == "en"
    assert "Government Service Catalogue" in response.content.decode()


def test_an_unknown_language_cookie_falls_back_to_chinese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx-unknown"

    response = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.headers["Content-Language"] == "zh-hans"


def test_the_login_error_reads_as_one_chinese_sentence(client, admin_user):
    response = client.post(
        reverse("admin:login"), {"username": "admin", "password": "wrong-password"}
    )

    assert "请输入正确的工作人员用户名和密码（区分大小写）。" in response.content.decode()
