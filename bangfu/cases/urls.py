from django.urls import URLPattern, URLResolver, path

from bangfu.cases import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/", views.case_list, name="case-list"),
    path("cases/open/", views.case_open, name="case-open"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/advance/<str:target>/", views.case_advance, name="case-advance"),
    path("cases/<int:pk>/measures/", views.case_measure_add, name="case-measure-add"),
    path("cases/<int:pk>/visits/", views.case_visit_add, name="case-visit-add"),
    path("cases/<int:pk>/notice/", views.case_notice, name="case-notice"),
    path("cases/<int:pk>/authorisation/", views.authorisation_scan, name="case-authorisation"),
]
