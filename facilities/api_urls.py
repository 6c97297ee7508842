from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from facilities import api

router = SimpleRouter()
router.register("programs", api.ProgramViewSet, basename="api-program")
router.register("facilities", api.FacilityViewSet, basename="api-facility")

urlpatterns = [
    path("", include(router.urls)),
    path("vocabularies/", api.vocabularies, name="api-vocabularies"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's set-up as a script file: no inline script, so the
    # Content-Security-Policy holds on this page too.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
