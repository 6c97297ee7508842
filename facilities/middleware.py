from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

UNAVAILABLE = "The directory is unavailable for a moment. Please try again in a minute."


class DatabaseUnavailableMiddleware:
    """A friendly 503 when the database does not answer, instead of a 500.

    The page is rendered without the request, so nothing on it needs the database. Django's
    health-checked persistent connections reconnect on the next request once it is back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": UNAVAILABLE}, status=503)
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "60"
        return response


# Said to API clients for an error that Django, not the API, answered.
API_ERRORS = {
    400: _("The request could not be read."),
    403: _("This is not allowed."),
    404: _("There is nothing at this address. The API's documentation is at /api/v1/docs/."),
    405: _("This method is not allowed here."),
    413: _("The request is too large."),
    500: _("Something went wrong on our side. Please try again in a minute."),
}


class ApiErrorsAsJsonMiddleware:
    """Every error under /api/ in JSON, `{"detail": ...}`, whoever answered it: an unknown
    address, a refused host or body, or a failure (500), which Django has logged already."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            not request.path.startswith("/api/")
            or response.status_code < 400
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        detail = API_ERRORS.get(response.status_code, response.reason_phrase)
        answer = JsonResponse({"detail": str(detail)}, status=response.status_code)
        for header, value in response.items():  # Retry-After, Allow, the security headers
            if header.lower() not in ("content-type", "content-length"):
                answer[header] = value
        return answer


class PermissionsPolicyMiddleware:
    """Which browser features our pages may use (settings.PERMISSIONS_POLICY)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class PublicBodyLimitMiddleware:
    """413 for a body larger than settings.PUBLIC_BODY_MAX_BYTES outside the admin, before
    anything reads it: public forms are a few fields of text."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/admin/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0  # Django reads no body without a length it understands
            if length > settings.PUBLIC_BODY_MAX_BYTES:
                # The language middleware comes later: the page speaks the address's language.
                language = translation.get_language_from_path(request.path_info)
                with translation.override(language or settings.LANGUAGE_CODE):
                    return HttpResponse(render_to_string("413.html"), status=413)
        return self.get_response(request)
