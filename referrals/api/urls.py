from rest_framework.routers import DefaultRouter

from . import views

app_name = "referrals-api"

router = DefaultRouter()
router.register("referrals", views.ReferralViewSet)

urlpatterns = router.urls
