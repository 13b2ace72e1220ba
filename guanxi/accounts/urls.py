from django.contrib.auth import views as auth_views
from django.urls import path

from guanxi.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.language_set, name="language_set"),
    path("settings/", views.settings_home, name="settings_home"),
    path("profile/", views.settings_home, name="profile"),
    path("password/", views.settings_home, name="password_change"),
    path("tokens/", views.settings_home, name="api_token_list"),
]
