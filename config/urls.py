from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config.api_urls import router

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("bangfu.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/", include(router.urls)),
    path("households/import/", include("bangfu.households.importing.urls")),
    path("monitoring/", include("bangfu.households.monitoring.urls")),
    path("", include("bangfu.core.urls")),
    path("", include("bangfu.pairings.urls")),
    path("", include("bangfu.cases.urls")),
    path("", include("bangfu.ingest.urls")),
    path("", include("bangfu.indicators.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
