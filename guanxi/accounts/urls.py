from django.contrib.auth import views as auth_views
from django.urls import path

from guanxi.accounts.views import admin, auth, me

app_name = "accounts"
urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", auth.language_set, name="language_set"),
    # the signed-in user's own pages
    path("settings/", me.settings_home, name="settings_home"),
    path("profile/", me.profile, name="profile"),
    path("password/", me.password_change, name="password_change"),
    path("tokens/", me.api_token_list, name="api_token_list"),
    path("tokens/<int:token_id>/revoke/", me.api_token_revoke, name="api_token_revoke"),
    # admin screens
    path("users/", admin.user_list, name="user_list"),
    path("users/create/", admin.user_create, name="user_create"),
    path("users/<int:user_id>/update/", admin.user_update, name="user_update"),
    path("users/<int:user_id>/active/", admin.user_set_active, name="user_set_active"),
    path("users/<int:user_id>/password/", admin.user_set_password, name="user_set_password"),
    path("users/<int:user_id>/unlock/", admin.user_unlock, name="user_unlock"),
    path("teams/", admin.team_list, name="team_list"),
    path("teams/create/", admin.team_create, name="team_create"),
    path("teams/<int:team_id>/update/", admin.team_update, name="team_update"),
    path("teams/<int:team_id>/delete/", admin.team_delete, name="team_delete"),
    path("roles/", admin.role_list, name="role_list"),
    path("roles/create/", admin.role_create, name="role_create"),
    path("roles/<int:role_id>/update/", admin.role_update, name="role_update"),
]
