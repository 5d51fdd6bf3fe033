from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("accounts/", include("cityops.accounts.urls")),
    path("registry/", include("cityops.registry.urls")),
    path("calendar/", include("cityops.workcal.urls")),
    path("notifications/", include("cityops.notifications.urls")),
    path("cases/", include("cityops.cases.urls")),
    path("estates/", include("cityops.estates.urls")),
    path("decisions/", include("cityops.decisions.urls")),
    path("inspections/", include("cityops.inspections.urls")),
    path("ranking/", include("cityops.evaluations.ranking.urls")),
    path("evaluations/", include("cityops.evaluations.urls")),
    path("assessment/", include("cityops.assessment.urls")),
    path("staffing/", include("cityops.staffing.urls")),
    path("procurement/", include("cityops.procurement.urls")),
    path("cockpit/", include("cityops.cockpit.urls")),
    path("vehicles/", include("cityops.vehicles.urls")),
    path("open311/v2/", include("cityops.open311.urls")),
    path("api/v1/", include("cityops.api.urls")),
    path("console/webhooks/", include("cityops.api.urls_console")),
    path("console/", include("cityops.console.urls")),
    path("maps/", include("cityops.maps.urls")),
    path("", include("cityops.public.urls")),
    path("", include("cityops.core.urls")),
]

# Errors no view wrote answer in the format of the URL's API (cityops.core.httperrors).
handler400 = "cityops.core.httperrors.bad_request"
handler403 = "cityops.core.httperrors.permission_denied"
handler404 = "cityops.core.httperrors.page_not_found"
handler500 = "cityops.core.httperrors.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
