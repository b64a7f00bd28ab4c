"""The project's URLs: the browser interface, the API under /api/v1/, its schema and the admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from agencies import joining_views as joining
from agencies.account import EnrolmentCodeView, NameShownView, RecoveryCodesView, TwoFactorView, VerifyView
from agencies.api import joining as joining_api
from agencies.api.views import ObtainTokenView, RevokeTokenView
from agencies.kept import KeepAliveView, KeptFormView
from agencies.offline import OfflineKeyView
from agencies.views import set_language
from cases import urls as case_urls
from pages.views import CaseView, HomeView, PanelView
from panels import urls as panel_urls

# The case page is composed of sections above every app (pages/, decision 56); it keeps its address
# and its name among the case URLs.
case_pages = [path("<int:pk>/", CaseView.as_view(), name="case"), *case_urls.urlpatterns]
# So is a panel's page, whose case list shows each case's plan progress (interventions, decision 101).
panel_pages = [path("<int:pk>/", PanelView.as_view(), name="panel"), *panel_urls.urlpatterns]

api_v1 = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("auth/logout/", RevokeTokenView.as_view(), name="api-logout"),
    path("agencies/", joining_api.AgencyListView.as_view(), name="api-agencies"),
    path("people/", joining_api.InviteView.as_view(), name="api-invite"),
    path("agencies/<int:pk>/memberships/", joining_api.AgencyMembershipsView.as_view(), name="api-agency-memberships"),
    path("memberships/", joining_api.AddMemberView.as_view(), name="api-memberships"),
    path("memberships/<int:pk>/end/", joining_api.EndMembershipView.as_view(), name="api-membership-end"),
    path("memberships/<int:pk>/roles/", joining_api.RolesView.as_view(), name="api-membership-roles"),
    path("induction/", joining_api.InductionView.as_view(), name="api-induction"),
    path("induction/acknowledge/", joining_api.AcknowledgeView.as_view(), name="api-induction-acknowledge"),
    path("", include("learning.api.urls")),
    path("", include("cases.api.urls")),
    path("", include("referrals.api.urls")),
    path("", include("panels.api.urls")),
    path("", include("interventions.api.urls")),
    path("", include("reminders.api.urls")),
    path("", include("audit.api.urls")),
    path("", include("stats.api.urls")),
]

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/language/", set_language, name="set_language"),
    path("accounts/name/", NameShownView.as_view(), name="name_shown"),
    path("accounts/kept/", KeptFormView.as_view(), name="kept_form"),
    path("accounts/keep-alive/", KeepAliveView.as_view(), name="keep_alive"),
    path("accounts/offline-key/", OfflineKeyView.as_view(), name="offline_key"),
    path("accounts/two-factor/", TwoFactorView.as_view(), name="two_factor"),
    path("accounts/two-factor/verify/", VerifyView.as_view(), name="two_factor_verify"),
    path("accounts/two-factor/recovery-codes/", RecoveryCodesView.as_view(), name="two_factor_recovery"),
    path("accounts/two-factor/enrolment-codes/", EnrolmentCodeView.as_view(), name="two_factor_codes"),
    path("accounts/invitation/<str:token>/", joining.InvitationView.as_view(), name="invitation"),
    path("accounts/password/", joining.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/reset/", joining.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        joining.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("induction/", joining.InductionView.as_view(), name="induction"),
    path("induction/protocols/", joining.ProtocolListView.as_view(), name="protocols"),
    path("induction/protocols/new/", joining.ProtocolEditView.as_view(), name="protocol_add"),
    path("induction/protocols/<int:pk>/", joining.ProtocolEditView.as_view(), name="protocol_edit"),
    path("people/", joining.DirectoryView.as_view(), name="people"),
    path("people/agencies/new/", joining.AgencyAddView.as_view(), name="people_agency_add"),
    path("people/agencies/<int:pk>/", joining.AgencyView.as_view(), name="people_agency"),
    path("people/agencies/<int:pk>/invite/", joining.InviteView.as_view(), name="people_invite"),
    path("people/agencies/<int:pk>/add/", joining.AddMemberView.as_view(), name="people_add_member"),
    path("people/memberships/<int:pk>/invite-again/", joining.InviteAgainView.as_view(), name="people_invite_again"),
    path("people/memberships/<int:pk>/end/", joining.EndMembershipView.as_view(), name="people_end"),
    path("people/memberships/<int:pk>/roles/", joining.RolesView.as_view(), name="people_roles"),
    path("cases/", include((case_pages, case_urls.app_name))),
    path("agreements/", include("cases.agreement_urls")),
    path("panels/", include((panel_pages, panel_urls.app_name))),
    path("referrals/", include("referrals.urls")),
    path("interventions/", include("interventions.urls")),
    path("learning/", include("learning.urls")),
    path("notifications/", include("reminders.urls")),
    path("privacy/", include("privacy.urls")),
    path("audit/", include("privacy.trail_urls")),
    path("dashboard/", include("stats.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler400 = "agencies.api.errors.bad_request"  # JSON under /api/ (too many fields, too big a body)
handler403 = "agencies.api.errors.permission_denied"
handler404 = "agencies.api.errors.not_found"  # JSON under /api/ (a malformed id), the page elsewhere
handler500 = "agencies.outage.server_error"
