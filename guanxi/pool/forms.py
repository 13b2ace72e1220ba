"""Pool forms: they check shape only; services validate (STYLE rule 8)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.leads.models import LeadSource
from guanxi.pool.models import PoolEventKind, PoolRule
from guanxi.pool.selectors import PoolFilter

MAX_DAYS = 36_500
RELEASE_REASONS = [
    _("The customer has no need at the moment"),
    _("Cannot reach the contact"),
    _("Not our target customer"),
    _("Too many customers to follow up"),
]


class PoolFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    province = forms.CharField(label=_("Region (province)"), required=False, max_length=50)
    source = forms.CharField(label=_("Source"), required=False, max_length=100)
    industry = forms.CharField(label=_("Industry"), required=False, max_length=100)
    min_days_in_pool = forms.IntegerField(
        label=_("In the pool at least (days)"), required=False, min_value=0, max_value=MAX_DAYS
    )

    def __init__(self, *args: Any, kind: str = "customer", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind == "lead":
            # Lead sources are fixed codes: choose one rather than type a label.
            self.fields["source"] = forms.ChoiceField(
                label=_("Source"), required=False, choices=[("", "—"), *LeadSource.choices]
            )
            self.fields["source"].widget.attrs["class"] = "form-select"
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    def to_filter(self) -> PoolFilter:
        if not self.is_bound or not self.is_valid():
            return PoolFilter()
        data = self.cleaned_data
        return PoolFilter(
            q=data["q"] or "",
            province=data["province"] or "",
            source=data["source"] or "",
            industry=data["industry"] or "",
            min_days_in_pool=data["min_days_in_pool"] or None,
        )


class ReleaseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs.update(
            {"class": "form-control", "list": "pool-release-reasons", "autocomplete": "off"}
        )


class HistoryFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Event"),
        required=False,
        choices=[("", _("All events")), *PoolEventKind.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-select"


class PoolRuleForm(forms.ModelForm):
    class Meta:
        model = PoolRule
        fields = [
            "team",
            "max_customers",
            "max_leads",
            "recycle_without_follow_up_days",
            "recycle_without_deal_days",
            "warn_days_before",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if name == "team" else "form-control"
        if self.instance.pk:
            self.fields["team"].disabled = True

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("team", None)
        return data

    def _post_clean(self) -> None:
        """Leave model validation to the service (it reports field errors itself)."""
