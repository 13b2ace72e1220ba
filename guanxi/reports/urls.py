from django.urls import path

from guanxi.reports import views
from guanxi.reports.builder import views as builder

app_name = "reports"
urlpatterns = [
    path("", views.sales_trend, name="sales_trend"),
    path("funnel/", views.sales_funnel, name="sales_funnel"),
    path("forecast/", views.sales_forecast, name="sales_forecast"),
    path("refresh/", views.sales_refresh, name="sales_refresh"),
    path("builder/", builder.builder, name="builder"),
    path("builder/export/<str:fmt>/", builder.builder_export, name="builder_export"),
    path("builder/save/", builder.saved_report_save, name="saved_report_save"),
    path("builder/saved/", builder.saved_report_list, name="saved_report_list"),
    path(
        "builder/saved/<int:report_id>/rename/",
        builder.saved_report_rename,
        name="saved_report_rename",
    ),
    path(
        "builder/saved/<int:report_id>/delete/",
        builder.saved_report_delete,
        name="saved_report_delete",
    ),
    path(
        "builder/saved/<int:report_id>/schedules/",
        builder.saved_report_schedules,
        name="saved_report_schedules",
    ),
    path(
        "builder/schedules/<int:schedule_id>/delete/",
        builder.schedule_delete,
        name="schedule_delete",
    ),
]
