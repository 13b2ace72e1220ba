"""The dashboard's filter bar and the drill-down list's filters (shape only: the
selectors check what the values mean and answer with field errors)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.analytics.dashboards.selectors import (
    PRESETS,
    VIEW_COMPANY,
    VIEW_MINE,
    VIEW_TEAM,
    CustomerFilter,
)
from guanxi.customers.forms.filters import style_widgets

VIEW_LABELS = {
    VIEW_MINE: _("My customers"),
    VIEW_TEAM: _("My teams"),
    VIEW_COMPANY: _("Company"),
}
PRESET_LABELS = {
    "this_month": _("This month"),
    "last_month": _("Last month"),
    "this_quarter": _("This quarter"),
    "this_year": _("This year"),
    "last_12_months": _("Last 12 months"),
    "custom": _("Custom"),
}


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class DashboardFilterForm(forms.Form):
    view = forms.ChoiceField(label=_("View"), required=False)
    preset = forms.ChoiceField(
        label=_("Period"), required=False, choices=[(p, PRESET_LABELS[p]) for p in PRESETS]
    )
    date_from = _date_field(_("From"))
    date_to = _date_field(_("To"))
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)

    def __init__(
        self, data: Any = None, *, views: list[str], teams: list[Any], default_view: str
    ) -> None:
        if data is not None and not data.get("view"):
            # The select shows the view the page shows (not the first choice).
            data = data.copy()
            data["view"] = default_view
        super().__init__(data)
        self.fields["view"].choices = [(view, VIEW_LABELS[view]) for view in views]
        self.fields["view"].initial = default_view
        self.fields["team"].choices = [("", _("All"))] + [
            (team.pk, f"{'· ' * team.depth}{team.name}") for team in teams
        ]
        style_widgets(self)

    def values(self) -> dict[str, Any]:
        """The raw choices (unknown values go through, the selectors refuse them
        with a field error); dates that do not parse are reported here."""
        data = self.data if self.is_bound else {}
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        raw_team = str(data.get("team") or "")
        # Not a number: an id no team has, so the selector answers "choose a team".
        team = (int(raw_team) if raw_team.isdigit() else -1) if raw_team else None
        return {
            "view": data.get("view") or None,
            "preset": data.get("preset") or None,
            "date_from": cleaned.get("date_from"),
            "date_to": cleaned.get("date_to"),
            "team": team,
        }


class CustomerFilterForm(forms.Form):
    view = forms.CharField(required=False)
    team = forms.IntegerField(required=False)
    grade = forms.CharField(required=False)
    stage = forms.CharField(required=False)
    r = forms.IntegerField(required=False)
    f = forms.IntegerField(required=False)
    at_risk = forms.BooleanField(required=False)
    moved_from = forms.CharField(required=False)
    moved_to = forms.CharField(required=False)
    since = forms.DateField(required=False)
    until = forms.DateField(required=False)
    after = forms.IntegerField(required=False)

    def to_filter(self) -> CustomerFilter:
        data = self.cleaned_data
        return CustomerFilter(
            grade=data.get("grade") or None,
            stage=data.get("stage") or None,
            r=data.get("r"),
            f=data.get("f"),
            at_risk=data.get("at_risk") or None,
            moved_from=data.get("moved_from") or None,
            moved_to=data.get("moved_to") or None,
            since=data.get("since"),
            until=data.get("until"),
            after=data.get("after"),
        )
