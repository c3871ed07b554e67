from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.template import loader
from django.urls import reverse

from catalogue.params import RefusedParameter


def bad_request(request, exception, template_name="400.html"):
    """Django's 400 view, also showing what to change when the site refused a value itself.

    Other 400s (SuspiciousOperation: a bad host header, too many fields …) keep Django's silence.
    """
    reason = str(exception) if isinstance(exception, RefusedParameter) else ""
    template = loader.get_template(template_name)
    return HttpResponseBadRequest(template.render({"reason": reason}))


def start_page_name(user) -> str:
    """Where `user` starts: who only reads (supervisors) the report, everyone else the admin."""
    reads_only = user.has_perm("catalogue.view_reports") and not user.has_perm(
        "catalogue.change_serviceitem"
    )
    return "reports:page" if reads_only else "admin:index"


def home(request):
    return redirect(start_page_name(request.user))


@login_not_required
def admin_login(request, extra_context=None):
    """The admin's login page; without a `next` it sends to the user's start page, not /admin/."""
    if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
        extra_context = {**(extra_context or {}), REDIRECT_FIELD_NAME: reverse("home")}
    return admin.site.login(request, extra_context)
