from django.urls import include, path

from guanxi.api import api
from guanxi.platform import views as platform_views

urlpatterns = [
    path("", platform_views.home, name="home"),
    path("healthz", platform_views.healthz, name="healthz"),
    path("accounts/", include("guanxi.accounts.urls")),
    path("customers/", include("guanxi.customers.urls")),
    path("sales/", include("guanxi.sales.urls")),
    path("activities/", include("guanxi.activities.urls")),
    path("leads/", include("guanxi.leads.urls")),
    path("pool/", include("guanxi.pool.urls")),
    path("deals/", include("guanxi.deals.urls")),
    path("contracts/", include("guanxi.contracts.urls")),
    path("reports/", include("guanxi.reports.urls")),
    path("notifications/", include("guanxi.notifications.urls")),
    path("analytics/", include("guanxi.analytics.urls")),
    path("platform/", include("guanxi.platform.urls")),
    path("api/", api.urls),
]
