from django.urls import path

from guanxi.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.sales_trend, name="sales_trend"),
    path("funnel/", views.sales_funnel, name="sales_funnel"),
    path("forecast/", views.sales_forecast, name="sales_forecast"),
    path("refresh/", views.sales_refresh, name="sales_refresh"),
]
