from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "guanxi.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from guanxi.analytics import permissions
        from guanxi.analytics.models import (
            CustomerScore,
            CustomerSnapshot,
            KpiPeriod,
            ScoreCell,
            StageFlowMonth,
        )
        from guanxi.platform.scoping import register_scope

        permissions.register()
        # The dashboard tables are keyed like customers are scoped: owner and team.
        for model in (KpiPeriod, CustomerSnapshot, ScoreCell, StageFlowMonth):
            register_scope(model, owner_path="scope_owner", team_path="team")
        # Scores belong to their customer (the dashboard's top lists join, not IN).
        register_scope(
            CustomerScore,
            owner_path="customer__owner",
            team_path="customer__team",
            deleted_paths=("customer__deleted_at",),
        )
