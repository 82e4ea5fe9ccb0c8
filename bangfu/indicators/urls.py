from django.urls import URLPattern, URLResolver, path

from bangfu.indicators import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("pairings/<int:pk>/indicators/", views.indicator_grid, name="indicator-grid"),
]
