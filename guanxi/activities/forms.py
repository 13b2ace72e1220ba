"""Forms check shape only; the task services validate (STYLE.md rule 8)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.activities.models import Meeting, MeetingStatus, Task, TaskPriority, TaskStatus
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
    "remind_minutes_before",
    "lead",
    "opportunity",
    "contract",
)
RELATED_RECORDS = ("lead", "opportunity", "contract")

REMINDER_CHOICES = [
    ("", _("No reminder")),
    ("0", _("At the due time")),
    ("15", _("15 minutes before")),
    ("60", _("1 hour before")),
    ("1440", _("1 day before")),
]


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
    # Set from the lead/opportunity/contract page (?lead=<id>); the service checks scope.
    lead = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )
    opportunity = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )
    contract = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )
    remind_minutes_before = forms.TypedChoiceField(
        label=_("Reminder"),
        choices=REMINDER_CHOICES,
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Without a time, the task is due at 09:00."),
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
                    "remind_minutes_before": task.remind_minutes_before,
                    "lead": task.lead_id,
                    "opportunity": task.opportunity_id,
                    "contract": task.contract_id,
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
        minutes = task.remind_minutes_before if task is not None else None
        if minutes is not None and str(minutes) not in dict(REMINDER_CHOICES):
            # Set through the API to another lead time: keep it selectable here.
            self.fields["remind_minutes_before"].choices = [
                *REMINDER_CHOICES,
                (str(minutes), _("%(minutes)s minutes before") % {"minutes": minutes}),
            ]
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
        for name in RELATED_RECORDS:
            if fields.get(name) is None and name in fields and not self.initial.get(name):
                fields.pop(name)  # not linked, nothing to check
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


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Empty: one hour after the start."),
    )
    is_all_day = forms.BooleanField(label=_("All day"), required=False)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    online_url = forms.URLField(
        label=_("Online meeting link"), max_length=500, required=False, assume_scheme="https"
    )
    customer = forms.IntegerField(
        label=_("Customer"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        widget=forms.Select(attrs={"data-customer-search": ""}),
    )
    attendees = forms.TypedMultipleChoiceField(
        label=_("Colleagues"), required=False, coerce=int, widget=forms.SelectMultiple
    )
    contacts = forms.TypedMultipleChoiceField(
        label=_("Customer contacts"),
        required=False,
        coerce=int,
        widget=forms.SelectMultiple,
        help_text=_("The contacts of the chosen customer."),
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One item per line."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=MeetingStatus.choices)

    def __init__(
        self,
        data: Any = None,
        *,
        users: list[Any],
        customer: Any = None,
        contacts: list[Any] | None = None,
        meeting: Meeting | None = None,
        initial: dict[str, Any] | None = None,
    ) -> None:
        initial = dict(initial or {})
        if meeting is not None:
            initial.update(
                {
                    "title": meeting.title,
                    "starts_at": _local_input(meeting.starts_at),
                    "ends_at": _local_input(meeting.ends_at),
                    "is_all_day": meeting.is_all_day,
                    "location": meeting.location,
                    "online_url": meeting.online_url,
                    "customer": meeting.customer_id,
                    "attendees": [user.pk for user in meeting.attendees.all()],
                    "contacts": [contact.pk for contact in meeting.contacts.all()],
                    "agenda": "\n".join(meeting.agenda or []),
                    "status": meeting.status,
                    "version": meeting.version,
                }
            )
        super().__init__(data, initial=initial or None)
        self.fields["attendees"].choices = [(user.pk, str(user)) for user in users]
        self.fields["attendees"].widget.attrs["data-tom-select"] = ""
        self.fields["contacts"].choices = [
            (contact.pk, f"{contact.name} {contact.title}".strip()) for contact in contacts or []
        ]
        self.fields["contacts"].widget.attrs["data-tom-select"] = ""
        self.fields["contacts"].widget.attrs["data-contacts-url"] = reverse(
            "activities:contact_options"
        )
        choices: list[tuple[Any, Any]] = [("", _("— none —"))]
        if customer is not None:
            choices.append((customer.pk, customer.name))
        self.fields["customer"].widget.choices = choices
        self.fields["customer"].widget.attrs["data-search-url"] = reverse(
            "activities:customer_options"
        )
        if meeting is None:
            del self.fields["status"]
        else:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
        style_widgets(self)

    def service_fields(self) -> dict[str, Any]:
        names = [
            "title",
            "starts_at",
            "ends_at",
            "is_all_day",
            "location",
            "online_url",
            "customer",
            "attendees",
            "contacts",
            "agenda",
            "status",
        ]
        return {name: self.cleaned_data.get(name) for name in names if name in self.fields}


def _local_input(value: Any) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


class MeetingMinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One decision or action per line: each line can become a follow-up task."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class FollowUpRowForm(forms.Form):
    """One line of the follow-up table: tick it to create the task."""

    is_selected = forms.BooleanField(label=_("Create"), required=False)
    title = forms.CharField(label=_("Task"), max_length=200, required=False)
    assignee = forms.TypedChoiceField(label=_("Assignee"), coerce=int, required=False)
    due_in_working_days = forms.IntegerField(
        label=_("In working days"), required=False, min_value=0, max_value=365
    )
    due_on = forms.DateField(
        label=_("Or on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, assignees: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [(user.pk, str(user)) for user in assignees or []]
        style_widgets(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("is_selected"):
            if not (data.get("title") or "").strip():
                self.add_error("title", _("Enter a title."))
            if data.get("due_on") is None and data.get("due_in_working_days") is None:
                self.add_error("due_in_working_days", _("Enter a due date or working days."))
        return data

    def row(self) -> dict[str, Any]:
        data = self.cleaned_data
        row: dict[str, Any] = {"title": data.get("title") or "", "assignee": data.get("assignee")}
        if data.get("due_on") is not None:
            row["due_on"] = data["due_on"]
        else:
            row["due_in_working_days"] = data.get("due_in_working_days")
        return row


FollowUpFormSet = forms.formset_factory(FollowUpRowForm, extra=0, max_num=50, absolute_max=60)
