from django.urls import path

from guanxi.platform import views
from guanxi.platform.views import imports

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
    path("imports/", imports.import_list, name="import_list"),
    path("imports/new/", imports.import_upload, name="import_upload"),
    path("imports/new/<str:token>/mapping/", imports.import_mapping, name="import_mapping"),
    path("imports/new/<str:token>/preview/", imports.import_preview_step, name="import_preview"),
    path("imports/<int:run_id>/", imports.import_run_detail, name="import_run_detail"),
    path("imports/<int:run_id>/errors/", imports.import_error_report, name="import_error_report"),
    path("imports/<int:run_id>/undo/", imports.import_run_undo, name="import_run_undo"),
]
