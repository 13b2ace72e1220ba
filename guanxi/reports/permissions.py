from django.utils.translation import gettext_lazy as _

from guanxi.platform.permissions import register_permissions

VIEW_SALES_REPORTS = "reports.view_sales_reports"
REFRESH_SALES_REPORTS = "reports.refresh_sales_reports"

# Built-in roles that see the sales reports (their data scope limits what they see);
# accounts.builtin_roles should list VIEW_SALES_REPORTS for them too (new installs),
# migration 0002 grants it to the roles that exist. Refreshing is for admins ("*").
REPORT_ROLES = ("manager", "sales")


def register() -> None:
    register_permissions(
        _("Sales reports"),
        {
            VIEW_SALES_REPORTS: _("View sales reports (trend, funnel, forecast)"),
            REFRESH_SALES_REPORTS: _("Refresh the sales report data"),
        },
    )
