"""Request checks made once for the whole site, before any view runs."""

from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from catalogue.params import RefusedParameter


def _has_nul(query) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in query.lists()
    )


class RefuseNulCharactersMiddleware:
    """Answer 400 to a request whose path, query string or form fields hold a NUL character.

    PostgreSQL text cannot hold NUL, so such a value reaching a filter, a search or an
    autocomplete raises DataError (a 500); no one types it, so no real input is lost. Refusing
    it here closes every door at once, the admin's own list filters and searches included,
    instead of patching each parameter.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or _has_nul(request.GET):
            raise RefusedParameter(_("网址中含有不允许的空字符（NUL）。"))
        if request.method == "POST" and _has_nul(request.POST):
            raise RefusedParameter(_("提交的表单中含有不允许的空字符（NUL）。"))
        return self.get_response(request)


class PrivateCacheMiddleware:
    """Unless a view chose its own Cache-Control, answer `Cache-Control: private, no-store`.

    Every page of the site needs a login and shows what that user may see (the report, its JSON
    and its Excel export included): no shared cache may keep it, and no browser cache should
    keep it after the session ends.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
