"""Shapes of the scoring settings page (the services validate the rest)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.analytics.models import GradeRule, ScoringSettings, StagePlaybook
from guanxi.analytics.services import SETTINGS_FIELDS


class _Styled(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class ScoringSettingsForm(_Styled):
    class Meta:
        model = ScoringSettings
        fields = list(SETTINGS_FIELDS)


class GradeRuleForm(_Styled):
    class Meta:
        model = GradeRule
        fields = [
            "grade",
            "min_spend",
            "min_profit",
            "min_frequency",
            "max_recency_days",
            "min_interactions",
            "min_rfm_score",
        ]

    def clean_min_rfm_score(self) -> int | None:
        value = self.cleaned_data.get("min_rfm_score")
        if value is not None and not 3 <= value <= 15:
            raise forms.ValidationError(_("An RFM score is between 3 and 15."))
        return value


GradeRuleFormSet = forms.formset_factory(GradeRuleForm, extra=2, can_delete=True, max_num=20)


class StagePlaybookForm(_Styled):
    class Meta:
        model = StagePlaybook
        fields = ["is_active", "task_title", "due_in_working_days", "instructions"]
        widgets = {"instructions": forms.Textarea(attrs={"rows": 2})}
