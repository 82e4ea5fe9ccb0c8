from django.urls import URLPattern, URLResolver, path

from bangfu.dashboards import records, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.overview, name="home"),
    path("overview/export/", views.overview_export, name="overview-export"),
    path("pairings/<int:pk>/", views.pairing_page, name="pairing-page"),
    path("pairings/<int:pk>/export/", views.pairing_export, name="pairing-export"),
    path("pairings/<int:pk>/workbook/<int:year>/", views.pairing_workbook, name="pairing-workbook"),
    path("regions/<str:code>/", views.region_page, name="region-page"),
    path("regions/<str:code>/export/", views.region_export, name="region-export"),
    path("records/fund-flows/", records.fund_flow_list, name="records-fund-flows"),
    path("records/fund-flows/<int:pk>/", records.fund_flow_detail, name="records-fund-flow"),
    path("records/projects/", records.project_list, name="records-projects"),
    path("records/projects/<int:pk>/", records.project_detail, name="records-project"),
    path("records/values/", records.value_list, name="records-values"),
    path("records/values/<int:pk>/", records.value_detail, name="records-value"),
]
