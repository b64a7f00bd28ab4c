from rest_framework.routers import DefaultRouter

from . import views

app_name = "cases-api"

router = DefaultRouter()
router.register("cases", views.CaseViewSet)
router.register("case-shares", views.CaseShareViewSet)
router.register("disclosure-checks", views.DisclosureCheckViewSet)

urlpatterns = router.urls
