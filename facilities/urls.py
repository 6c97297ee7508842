from django.urls import path

from facilities import corrections, shortlist, views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("facilities/<slug:slug>/", views.facility_detail, name="facility_detail"),
    path(
        "facilities/<slug:slug>/programs/<int:program_id>/checklist/",
        views.checklist,
        name="checklist",
    ),
    path("facilities/<slug:slug>/suggest/", corrections.suggest, name="suggest"),
    path("facilities/<slug:slug>/suggest/thanks/", corrections.thanks, name="suggest_thanks"),
    path("compare/", views.compare, name="compare"),
    path("shortlist/", shortlist.shortlist, name="shortlist"),
    path("shortlist/add/<int:program_id>/", shortlist.add, name="shortlist_add"),
    path("shortlist/remove/<int:program_id>/", shortlist.remove, name="shortlist_remove"),
    path("shortlist/keep/", shortlist.keep, name="shortlist_keep"),
    path("shortlist/print/", shortlist.referral_sheet, name="referral_sheet"),
    path("shortlist/export.csv", shortlist.export_csv, name="shortlist_csv"),
    path("privacy/", views.privacy, name="privacy"),
]
