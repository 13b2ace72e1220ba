from django.utils.translation import gettext_lazy as _

from guanxi.platform.permissions import register_permissions

VIEW_SALES_REPORTS = "reports.view_sales_reports"
REFRESH_SALES_REPORTS = "reports.refresh_sales_reports"

# Built-in roles that see the sales reports (their data scope limits what they see);
# accounts.builtin_roles should list VIEW_SALES_REPORTS for them too (new installs),
# migration 0002 grants it to the roles that exist. Refreshing is for admins ("*").
REPORT_ROLES = ("manager", "sales")


# --- report builder -------------------------------------------------------------------
EXPORT_REPORTS = "reports.export_reports"
SCHEDULE_REPORTS = "reports.schedule_reports"
# model-shaped code: the recycle bin lists rows through scoped(action="delete")
DELETE_SAVED_REPORTS = "reports.delete_savedreport"
BUILDER_PERMISSIONS = (EXPORT_REPORTS, SCHEDULE_REPORTS, DELETE_SAVED_REPORTS)


def register() -> None:
    register_permissions(
        _("Sales reports"),
        {
            VIEW_SALES_REPORTS: _("View sales reports (trend, funnel, forecast)"),
            REFRESH_SALES_REPORTS: _("Refresh the sales report data"),
        },
    )
    # Running and saving built reports needs VIEW_SALES_REPORTS (the builder reads the
    # same data as the sales reports); exporting, scheduling and deleting have their own.
    register_permissions(
        _("Report builder"),
        {
            EXPORT_REPORTS: _("Export built reports (XLSX, CSV, PDF)"),
            SCHEDULE_REPORTS: _("E-mail built reports on a schedule"),
            DELETE_SAVED_REPORTS: _("Delete saved reports (and restore them)"),
        },
    )
