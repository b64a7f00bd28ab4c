from rest_framework.routers import DefaultRouter

from . import views

app_name = "audit-api"

router = DefaultRouter()
router.register("audit-events", views.AuditEventViewSet)

urlpatterns = router.urls
