from django.urls import path

from guanxi.analytics import views
from guanxi.analytics.dashboards import views as dashboard_views

app_name = "analytics"
urlpatterns = [
    path("churn/", views.churn_list, name="churn_list"),
    path("churn/<int:customer_id>/win-back/", views.win_back_start, name="win_back_start"),
    path("stage-flow/", views.stage_flow, name="stage_flow"),
    path("settings/", views.scoring_settings, name="scoring_settings"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("customers/", dashboard_views.dashboard_customers, name="dashboard_customers"),
]
