"""The report filter bar: period, owner, team (and pipeline on the funnel)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.customers.forms.filters import style_widgets
from guanxi.reports.selectors import ReportFilter


class ReportFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)

    def __init__(self, data: Any = None, *, owners: list[Any], teams: list[Any]) -> None:
        super().__init__(data)
        self.fields["owner"].choices = [("", _("All"))] + [(u.pk, str(u)) for u in owners]
        self.fields["team"].choices = [("", _("All"))] + [
            (t.pk, f"{'· ' * t.depth}{t.name}") for t in teams
        ]
        style_widgets(self)

    def to_filter(self) -> ReportFilter:
        """The valid fields (a typo in one date must not hide the whole report)."""
        if not self.is_bound:
            return ReportFilter()
        self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}
        return ReportFilter(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            owner=data.get("owner"),
            team=data.get("team"),
        )
