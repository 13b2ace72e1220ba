"""The builder's form (shape only: definition_parse and the query check the rest),
the save form and the schedule form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.customers.forms.filters import style_widgets
from guanxi.customers.models import Grade, LifecycleStage
from guanxi.reports.builder.definition import DIMENSIONS, LABEL_SORT, MAX_TOP_N, MEASURES
from guanxi.reports.models import ScheduleFormat, ScheduleFrequency

DEFAULT_MEASURES = ["customers", "revenue"]
WEEKDAYS = [
    (0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
    (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday")),
]  # fmt: skip


class BuilderForm(forms.Form):
    dimension = forms.ChoiceField(label=_("Group by"), choices=[])
    measures = forms.MultipleChoiceField(
        label=_("Measures"), choices=[], widget=forms.CheckboxSelectMultiple
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    grade = forms.ChoiceField(label=_("Grade"), required=False)
    stage = forms.ChoiceField(label=_("Lifecycle stage"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False)
    descending = forms.TypedChoiceField(
        label=_("Order"),
        required=False,
        coerce=lambda value: value != "0",
        empty_value=True,
        choices=[("1", _("Largest first")), ("0", _("Smallest first"))],
    )
    top_n = forms.IntegerField(label=_("Top N"), required=False, min_value=1, max_value=MAX_TOP_N)

    def __init__(self, data: Any = None, *, owners: list[Any], teams: list[Any], **kw: Any):
        super().__init__(data, **kw)
        every = [("", _("All"))]
        self.fields["dimension"].choices = [(k, v) for k, v in DIMENSIONS.items()]
        self.fields["measures"].choices = [(k, v) for k, v in MEASURES.items()]
        self.fields["owner"].choices = every + [(u.pk, str(u)) for u in owners]
        self.fields["team"].choices = every + [(t.pk, f"{'· ' * t.depth}{t.name}") for t in teams]
        self.fields["grade"].choices = every + list(Grade.choices)
        self.fields["stage"].choices = every + list(LifecycleStage.choices)
        self.fields["sort"].choices = [
            ("", _("First measure")),
            (LABEL_SORT, _("Name")),
            *[(k, v) for k, v in MEASURES.items()],
        ]
        style_widgets(self)
        self.fields["measures"].widget.attrs["class"] = "form-check-input"

    def to_definition(self) -> dict[str, Any]:
        """The raw values for definition_parse (which gives the field errors)."""
        data = self.data if self.is_bound else self.initial
        measures = (
            data.getlist("measures") if hasattr(data, "getlist") else data.get("measures")
        ) or []
        return {
            "dimension": data.get("dimension") or "",
            "measures": list(measures),
            **{
                name: data.get(name) or None
                for name in ("date_from", "date_to", "owner", "team", "top_n")
            },
            "grade": data.get("grade") or "",
            "stage": data.get("stage") or "",
            "sort": data.get("sort") or "",
            "descending": data.get("descending", "1") != "0",
        }


class SaveForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    is_shared = forms.BooleanField(label=_("Share with my team"), required=False)


class ScheduleForm(forms.Form):
    frequency = forms.ChoiceField(label=_("Frequency"), choices=ScheduleFrequency.choices)
    weekday = forms.TypedChoiceField(label=_("Weekday"), choices=WEEKDAYS, coerce=int)
    day_of_month = forms.IntegerField(
        label=_("Day of the month"), min_value=1, max_value=31, initial=1
    )
    format = forms.ChoiceField(label=_("Format"), choices=ScheduleFormat.choices)
    recipients = forms.TypedMultipleChoiceField(label=_("Recipients"), coerce=int)

    def __init__(self, data: Any = None, *, users: list[Any], **kw: Any) -> None:
        super().__init__(data, **kw)
        self.fields["recipients"].choices = [(u.pk, str(u)) for u in users]
        style_widgets(self)
