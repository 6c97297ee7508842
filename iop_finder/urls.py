from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from facilities import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("facilities.api_urls")),
    path("api/hsds/", include("facilities.hsds.urls")),
    path("healthz", views.healthz, name="healthz"),
]
# The public pages: English at /search/, Spanish at /es/search/.
urlpatterns += i18n_patterns(path("", include("facilities.urls")), prefix_default_language=False)
