from agencies.api.routers import ApiRouter

from . import views

app_name = "audit-api"

router = ApiRouter()
router.register("audit-events", views.AuditEventViewSet)

urlpatterns = router.urls
