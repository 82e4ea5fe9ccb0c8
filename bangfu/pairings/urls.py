from django.urls import URLPattern, URLResolver, include, path

from bangfu.pairings import views

# The home page and the pairing page are dashboards now (bangfu/dashboards: "home",
# "pairing-page", region pages, record lists and downloads).
urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("bangfu.dashboards.urls")),
    path("agreements/<int:pk>/document/", views.agreement_document, name="agreement-document"),
    path("meeting-documents/<int:pk>/", views.meeting_document_file, name="meeting-document-file"),
]
