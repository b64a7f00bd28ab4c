from rest_framework.routers import DefaultRouter

from . import views

app_name = "interventions-api"

router = DefaultRouter()
router.register("plans", views.InterventionPlanViewSet)
router.register("plan-actions", views.PlanActionViewSet)
router.register("reviews", views.ReviewViewSet)
router.register("withdrawals", views.WithdrawalViewSet)
router.register("closures", views.ClosureViewSet)
router.register("follow-ups", views.FollowUpViewSet)

urlpatterns = router.urls
