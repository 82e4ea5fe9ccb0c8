from django.urls import URLPattern, URLResolver, path

from bangfu.pairings import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("pairings/<int:pk>/", views.pairing_page, name="pairing-page"),
    path("agreements/<int:pk>/document/", views.agreement_document, name="agreement-document"),
    path("meeting-documents/<int:pk>/", views.meeting_document_file, name="meeting-document-file"),
]
