from agencies.api.routers import ApiRouter

from . import views

app_name = "referrals-api"

router = ApiRouter()
router.register("referrals", views.ReferralViewSet)

urlpatterns = router.urls
