"""Forms check shape only; the task services validate (STYLE.md rule 8)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.activities.models import Task, TaskPriority, TaskStatus
from guanxi.activities.selectors import TaskFilter
from guanxi.customers.forms.customer import style_widgets

SERVICE_FIELDS = (
    "title",
    "due_on",
    "due_time",
    "priority",
    "status",
    "assignee",
    "customer",
    "notes",
    "due_in_working_days",
)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    due_on = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    due_in_working_days = forms.IntegerField(
        label=_("Or in N working days"),
        required=False,
        min_value=0,
        max_value=365,
        help_text=_("Counts Chinese public holidays and make-up working days."),
    )
    due_time = forms.TimeField(
        label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=TaskPriority.choices,
        initial=TaskPriority.NORMAL,
        required=False,
    )
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)
    assignee = forms.TypedChoiceField(label=_("Assignee"), coerce=int)
    # An id, not a choice: the picker searches all customers in scope (the service
    # checks the scope); the select only renders the chosen one.
    customer = forms.IntegerField(
        label=_("Customer"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        widget=forms.Select(attrs={"data-customer-search": ""}),
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        data: Any = None,
        *,
        assignees: list[Any],
        customer: Any = None,
        task: Task | None = None,
        initial: dict[str, Any] | None = None,
    ) -> None:
        initial = dict(initial or {})
        if task is not None:
            initial.update(
                {
                    "title": task.title,
                    "due_on": task.due_on,
                    "due_time": task.due_time,
                    "priority": task.priority,
                    "status": task.status,
                    "assignee": task.assignee_id,
                    "customer": task.customer_id,
                    "notes": task.notes,
                    "version": task.version,
                }
            )
            customer = task.customer
        super().__init__(data, initial=initial or None)
        self.fields["assignee"].choices = [(user.pk, str(user)) for user in assignees]
        choices: list[tuple[Any, Any]] = [("", _("— none —"))]
        if customer is not None:
            choices.append((customer.pk, customer.name))
        self.fields["customer"].widget.choices = choices
        self.fields["customer"].widget.attrs["data-search-url"] = reverse(
            "activities:customer_options"
        )
        if task is None:
            del self.fields["status"]
        else:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
        style_widgets(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        has_due = data.get("due_on") or data.get("due_in_working_days") is not None
        if not has_due and "due_on" not in self.errors:
            self.add_error("due_on", _("Enter a due date or a number of working days."))
        return data

    def service_fields(self) -> dict[str, Any]:
        fields = {
            name: self.cleaned_data.get(name) for name in SERVICE_FIELDS if name in self.fields
        }
        if fields.get("due_in_working_days") is None:
            fields.pop("due_in_working_days", None)
        return fields


class TaskFilterForm(forms.Form):
    q = forms.CharField(label=_("Title"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *TaskStatus.choices]
    )
    due = forms.ChoiceField(
        label=_("Due"),
        required=False,
        choices=[
            ("", _("Any time")),
            ("overdue", _("Overdue")),
            ("today", _("Today")),
            ("week", _("This week")),
        ],
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("All")), *TaskPriority.choices]
    )
    assignee = forms.TypedChoiceField(
        label=_("Assignee"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, data: Any = None, *, assignees: list[Any] | None) -> None:
        super().__init__(data)
        if assignees is None:
            del self.fields["assignee"]
        else:
            self.fields["assignee"].choices = [("", _("Everyone I can see"))] + [
                (user.pk, str(user)) for user in assignees
            ]
        style_widgets(self)

    def to_filter(self) -> TaskFilter:
        if not self.is_bound:
            return TaskFilter(status="open")
        if not self.is_valid():
            return TaskFilter()
        data = self.cleaned_data
        return TaskFilter(
            q=data.get("q") or "",
            status=data.get("status") or "",
            due=data.get("due") or "",
            priority=data.get("priority") or "",
            assignee=data.get("assignee"),
        )
