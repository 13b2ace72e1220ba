from django.urls import path

from guanxi.platform import views

app_name = "platform"
urlpatterns = [
    path("jobs/<uuid:job_id>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:job_id>/cancel/", views.job_cancel, name="job_cancel"),
    path("recycle-bin/", views.recycle_bin, name="recycle_bin"),
    path("recycle-bin/purge/", views.recycle_bin_purge, name="recycle_bin_purge"),
    path(
        "recycle-bin/<str:type_key>/<int:object_id>/restore/",
        views.recycle_bin_restore,
        name="recycle_bin_restore",
    ),
]
