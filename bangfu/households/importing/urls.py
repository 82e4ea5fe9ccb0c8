from django.urls import URLPattern, path

from bangfu.households.importing import views

urlpatterns: list[URLPattern] = [
    path("", views.import_page, name="households-import"),
    path("jobs/<int:pk>/", views.job_page, name="households-import-job"),
    path("jobs/<int:pk>/status/", views.job_status, name="households-import-status"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="households-import-progress"),
    path("templates/<str:kind>.xlsx", views.sheet_template, name="import-template"),
    path(
        "jobs/<int:pk>/report.<str:fmt>",
        views.job_report,
        name="households-import-report",
    ),
]
