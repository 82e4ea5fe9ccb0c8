from django.urls import URLPattern, URLResolver, path

from bangfu.ingest import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("ingest/", views.document_list, name="ingest-documents"),
    path("ingest/documents/<int:pk>/", views.document_detail, name="ingest-document"),
    path("ingest/facts/<int:pk>/accept/", views.fact_accept, name="ingest-fact-accept"),
    path("ingest/facts/<int:pk>/reject/", views.fact_reject, name="ingest-fact-reject"),
    path(
        "ingest/sources/<str:record_type>/<str:record_id>/",
        views.record_source,
        name="ingest-record-source",
    ),
]
