from django.urls import URLPattern, URLResolver, path

from bangfu.core import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("audit/", views.audit_page, name="audit"),
]
