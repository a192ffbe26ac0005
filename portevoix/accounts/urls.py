from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .views import auth, first_run, two_factor

app_name = "accounts"
urlpatterns = [
    path("login/", two_factor.PasswordLoginView.as_view(), name="login"),
    path("login/code/", two_factor.login_code, name="login_code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/reset/", auth.PasswordResetRequestView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth.PasswordResetSentView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth.PasswordResetSetView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("org/switch/", views.org_switch, name="org_switch"),
    path("people/", views.members, name="members"),
    path("people/invite/", views.invite, name="invite"),
    path(
        "people/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("people/<int:pk>/", views.member_detail, name="member"),
    path("people/<int:pk>/unlock/", views.member_unlock, name="member_unlock"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("teams/<int:pk>/delete/", views.team_delete, name="team_delete"),
    path("me/", views.me, name="me"),
    path("me/ambassador/", views.enrol, name="enrol"),
    path("me/ambassador/withdraw/", views.enrol_withdraw, name="enrol_withdraw"),
    path("me/security/", two_factor.security, name="security"),
    path("me/security/setup/", two_factor.security_setup, name="security_setup"),
    path("me/security/off/", two_factor.security_disable, name="security_disable"),
    path(
        "me/security/recovery-codes/",
        two_factor.security_recovery_codes,
        name="security_recovery_codes",
    ),
    path("me/tokens/", views.tokens, name="tokens"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("settings/", views.settings_hub, name="settings"),
    path("settings/organization/", views.org_settings, name="org_settings"),
    path("setup/organization/", first_run.organization_setup, name="organization_setup"),
]
