from django.urls import path

from guanxi.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("bell/", views.notification_bell, name="notification_bell"),
    path("read-all/", views.notification_read_all, name="notification_read_all"),
    path("settings/", views.notification_preferences, name="notification_preferences"),
    path("<int:notification_id>/open/", views.notification_open, name="notification_open"),
]
