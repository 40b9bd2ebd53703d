from django.contrib.auth import views as auth_views
from django.urls import path

from openisms.accounts import login_views, security_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", login_views.LoginView.as_view(), name="login"),
    path("login/code/", login_views.login_code, name="login_code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("security/", security_views.security, name="security"),
    path("password/", login_views.PasswordChangeView.as_view(), name="password_change"),
    path("password-reset/", login_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        login_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        login_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        login_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("sessions/<int:session_id>/end/", security_views.session_end, name="session_end"),
    path("sessions/end-others/", security_views.sessions_end_others, name="sessions_end_others"),
    path("mfa/enrol/", security_views.mfa_enrol, name="mfa_enrol"),
    path("mfa/setup/", security_views.mfa_setup, name="mfa_setup"),
    path("mfa/disable/", security_views.mfa_disable, name="mfa_disable"),
    path("mfa/recovery-codes/", security_views.mfa_recovery_codes, name="mfa_recovery_codes"),
]
