from agencies.api.routers import ApiRouter

from . import directory, views

app_name = "referrals-api"

router = ApiRouter()
router.register("referrals", views.ReferralViewSet)
router.register("services", directory.SupportServiceViewSet)
router.register("service-referrals", directory.ServiceReferralViewSet)

urlpatterns = router.urls
