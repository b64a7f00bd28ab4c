from django.urls import path

from agencies.api.routers import ApiRouter

from . import directory, door_views, views

app_name = "referrals-api"

router = ApiRouter()
router.register("referrals", views.ReferralViewSet)
router.register("concerns", door_views.ConcernViewSet, basename="concern")
router.register("deconfliction-checks", door_views.DeconflictionCheckViewSet, basename="deconfliction-check")
router.register("services", directory.SupportServiceViewSet)
router.register("service-referrals", directory.ServiceReferralViewSet)

urlpatterns = [
    # Public: no sign-in, throttled per address (decision 126).
    path("public/concerns/", door_views.PublicConcernView.as_view(), name="public-concern"),
    path("public/concerns/status/", door_views.PublicStatusView.as_view(), name="public-status"),
    *router.urls,
]
