"""/api/hsds/: HSDS 3.0's read-only endpoints (facilities.hsds.views), at HSDS's paths
(/services, /services/{id}) and with a trailing slash as well, as /api/v1/ has them."""

from django.urls import path

from facilities.hsds import views

ENDPOINTS = [
    ("services", views.Services, "hsds-services"),
    ("services/<str:id>", views.Service, "hsds-service"),
    ("service_at_locations", views.ServiceAtLocations, "hsds-service-at-locations"),
    ("service_at_locations/<str:id>", views.ServiceAtLocation, "hsds-service-at-location"),
    ("organizations", views.Organizations, "hsds-organizations"),
    ("organizations/<str:id>", views.Organization, "hsds-organization"),
    ("taxonomies", views.Taxonomies, "hsds-taxonomies"),
    ("taxonomies/<str:id>", views.Taxonomy, "hsds-taxonomy"),
    ("taxonomy_terms", views.TaxonomyTerms, "hsds-taxonomy-terms"),
    ("taxonomy_terms/<str:id>", views.TaxonomyTerm, "hsds-taxonomy-term"),
]

urlpatterns = [path("", views.Root.as_view(), name="hsds-root")]
for route, view, name in ENDPOINTS:
    urlpatterns += [path(route, view.as_view(), name=name), path(f"{route}/", view.as_view())]
