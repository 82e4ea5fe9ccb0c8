from django.urls import URLPattern, path

from bangfu.households.monitoring import views

urlpatterns: list[URLPattern] = [
    path("", views.monitoring_page, name="monitoring"),
    path("households/", views.household_list, name="monitoring-households"),
    path("households/<int:pk>/", views.household_detail, name="monitoring-household"),
]
