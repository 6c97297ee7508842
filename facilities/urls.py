from django.urls import path

from facilities import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("facilities/<slug:slug>/", views.facility_detail, name="facility_detail"),
    path("healthz", views.healthz, name="healthz"),
]
