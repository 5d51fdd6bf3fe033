from django.urls import path

from cityops.api.views import cases, geocoding, hotline, photos, registry, webhooks

app_name = "api"

urlpatterns = [
    path("cases/", cases.CaseListView.as_view(), name="case-list"),
    path("cases/<str:number>/", cases.CaseDetailView.as_view(), name="case-detail"),
    path(
        "cases/<str:number>/actions/<str:action>/",
        cases.CaseActionView.as_view(),
        name="case-action",
    ),
    path("cases/<str:number>/photos/", photos.CasePhotosView.as_view(), name="case-photos"),
    path("registry/areas/", registry.AreasView.as_view(), name="areas"),
    path("registry/assets/", registry.AssetsView.as_view(), name="assets"),
    path("registry/lots/", registry.LotsView.as_view(), name="lots"),
    path("responsibility/", registry.ResponsibilityView.as_view(), name="responsibility"),
    path("geocode/", geocoding.GeocodeView.as_view(), name="geocode"),
    path("geocode/reverse/", geocoding.ReverseGeocodeView.as_view(), name="geocode-reverse"),
    path("hotline/orders/", hotline.HotlineOrderView.as_view(), name="hotline-orders"),
    path("webhooks/", webhooks.WebhookListView.as_view(), name="webhooks"),
    path("webhooks/deliveries/", webhooks.DeliveryListView.as_view(), name="webhook-deliveries"),
    path(
        "webhooks/deliveries/<int:delivery_id>/redeliver/",
        webhooks.DeliveryRedeliverView.as_view(),
        name="webhook-redeliver",
    ),
]
