from django.http import HttpResponseBadRequest
from django.template import loader

from catalogue.params import RefusedParameter


def bad_request(request, exception, template_name="400.html"):
    """Django's 400 view, also showing what to change when the site refused a value itself.

    Other 400s (SuspiciousOperation: a bad host header, too many fields …) keep Django's silence.
    """
    reason = str(exception) if isinstance(exception, RefusedParameter) else ""
    template = loader.get_template(template_name)
    return HttpResponseBadRequest(template.render({"reason": reason}))
