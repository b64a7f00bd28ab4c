from agencies.api.routers import ApiRouter

from . import views

app_name = "interventions-api"

router = ApiRouter()
router.register("plans", views.InterventionPlanViewSet)
router.register("plan-actions", views.PlanActionViewSet)
router.register("reviews", views.ReviewViewSet)
router.register("withdrawals", views.WithdrawalViewSet)
router.register("closures", views.ClosureViewSet)
router.register("follow-ups", views.FollowUpViewSet)
router.register("case-progress", views.CaseProgressViewSet, basename="case-progress")

urlpatterns = router.urls
