from django.urls import URLPattern, URLResolver, path

from bangfu.indicators import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("pairings/<int:pk>/indicators/", views.indicator_grid, name="indicator-grid"),
    path("pairings/<int:pk>/indicators/submit/", views.grid_submit, name="indicator-grid-submit"),
    path("indicators/review/", views.review_inbox, name="indicator-inbox"),
    path("indicators/review/approve/", views.review_approve, name="indicator-inbox-approve"),
    path(
        "indicators/review/<int:pk>/send-back/",
        views.review_send_back,
        name="indicator-inbox-send-back",
    ),
    path("indicators/review/badge/", views.review_badge, name="indicator-inbox-badge"),
]
