from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from config.health import healthz
from config.views import admin_login, home

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", home, name="home"),
    # The login page has the language switch too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    # Before the admin's own: the same login page, with the role's start page as its default.
    path("admin/login/", admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("reports/", include("reports.urls")),
]

handler400 = "config.views.bad_request"
