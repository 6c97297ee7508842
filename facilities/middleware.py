from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

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
