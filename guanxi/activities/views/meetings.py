"""Meeting pages: list, create, edit, detail with minutes and follow-up tasks, cancel."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi.activities import selectors, services
from guanxi.activities.forms import (
    FollowUpFormSet,
    MeetingForm,
    MeetingMinutesForm,
)
from guanxi.activities.models import Meeting, MeetingStatus
from guanxi.activities.permissions import (
    ADD_MEETING,
    ADD_TASK,
    CHANGE_MEETING,
    DELETE_MEETING,
    VIEW_MEETING,
)
from guanxi.activities.views.tasks import _next_url
from guanxi.customers.selectors import ContactFilter, contact_list, customer_get
from guanxi.customers.views.detail import _save_versioned_form
from guanxi.platform.exceptions import ApplicationError, ConflictError, NotFound
from guanxi.platform.forms import apply_field_errors
from guanxi.platform.pagination import keyset_page
from guanxi.platform.permissions import has_permission, require_page_permission

PAGE_SIZE = 50
BLANK_FOLLOW_UP_ROWS = 2
DEFAULT_FOLLOW_UP_DAYS = 3


def _meeting(request: HttpRequest, meeting_id: int, action: str = "view") -> Meeting:
    try:
        return selectors.meeting_get(actor=request.user, meeting_id=meeting_id, action=action)
    except NotFound as error:
        raise Http404(str(error)) from error


def _customer_and_contacts(request: HttpRequest, customer_id: Any) -> tuple[Any, list[Any]]:
    if customer_id in (None, ""):
        return None, []
    try:
        customer = customer_get(actor=request.user, customer_id=customer_id)
    except NotFound:
        return None, []
    contacts = list(
        contact_list(actor=request.user, filters=ContactFilter(customer=customer.pk))[:200]
    )
    return customer, contacts


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, VIEW_MEETING)
    when = request.GET.get("when", "upcoming")
    now = timezone.now()
    filters = selectors.MeetingFilter(q=(request.GET.get("q") or "").strip()[:100])
    if request.GET.get("mine", "1") == "1":
        filters.person = request.user.pk
    qs = selectors.meeting_list(actor=request.user, filters=filters)
    if when == "past":
        qs = qs.filter(starts_at__lt=now)
        ordering = selectors.MEETING_SORTS["-start"]
    elif when == "all":
        ordering = selectors.MEETING_SORTS["-start"]
    else:
        when = "upcoming"
        qs = qs.filter(ends_at__gte=now)
        ordering = selectors.MEETING_SORTS["start"]
    params = request.GET.copy()
    params.pop("cursor", None)
    page = keyset_page(
        qs, ordering=ordering, cursor=request.GET.get("cursor") or None, size=PAGE_SIZE
    )
    context = {
        "page": page,
        "when": when,
        "q": filters.q,
        "is_mine": filters.person is not None,
        "filter_query": params.urlencode(),
        "is_first_page": not request.GET.get("cursor"),
        "table_id": "meeting-table",
        "can_add": has_permission(request.user, ADD_MEETING),
    }
    template = "activities/meeting_list.html"
    if getattr(request, "htmx", False):
        template += "#meeting-table"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, ADD_MEETING)
    source = request.POST if request.method == "POST" else request.GET
    customer, contacts = _customer_and_contacts(request, source.get("customer"))
    users = selectors.assignee_choices(actor=request.user)
    initial: dict[str, Any] = {"customer": getattr(customer, "pk", None)}
    if request.GET.get("date"):
        initial["starts_at"] = f"{request.GET['date'][:10]}T10:00"
    form = MeetingForm(
        request.POST if request.method == "POST" else None,
        users=users,
        customer=customer,
        contacts=contacts,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=request.user, **form.service_fields())
        except ApplicationError as error:
            apply_field_errors(form, error)
        else:
            messages.success(request, _("Meeting “%(title)s” created.") % {"title": meeting.title})
            return redirect(
                _next_url(request, reverse("activities:meeting_detail", args=[meeting.pk]))
            )
    return render(
        request,
        "activities/meeting_form.html",
        {"form": form, "is_create": True, "next": _next_url(request, "")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_update(request: HttpRequest, meeting_id: int) -> HttpResponse:
    require_page_permission(request, CHANGE_MEETING)
    meeting = _meeting(request, meeting_id, action="change")
    source = request.POST if request.method == "POST" else None
    customer_id = source.get("customer") if source is not None else meeting.customer_id
    customer, contacts = _customer_and_contacts(request, customer_id)
    if customer is None and meeting.customer_id and str(customer_id) == str(meeting.customer_id):
        customer = meeting.customer
    users = selectors.assignee_choices(actor=request.user)

    def build(data: Any) -> MeetingForm:
        return MeetingForm(data, users=users, customer=customer, contacts=contacts, meeting=meeting)

    form = build(source)
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict, form = _save_versioned_form(
            request,  # type: ignore[arg-type]
            form,
            lambda valid: services.meeting_update(
                actor=request.user,
                meeting=meeting,
                expected_version=valid.cleaned_data["version"],
                **valid.service_fields(),
            ),
            build,
        )
        if saved:
            messages.success(request, _("Changes saved."))
            return redirect(
                _next_url(request, reverse("activities:meeting_detail", args=[meeting.pk]))
            )
    return render(
        request,
        "activities/meeting_form.html",
        {
            "form": form,
            "meeting": meeting,
            "is_create": False,
            "conflict": conflict,
            "next": _next_url(request, ""),
        },
    )


def _follow_up_initial(meeting: Meeting, actor: Any) -> list[dict[str, Any]]:
    """One row per line of the minutes not yet turned into a task, plus blank rows."""
    taken = {task.title for task in meeting.follow_up_tasks.all()}
    rows = []
    for line in (meeting.minutes or "").splitlines():
        title = line.strip().lstrip("-*•·0123456789.、) ").strip()[:200]
        if title and title not in taken:
            rows.append(
                {
                    "title": title,
                    "assignee": actor.pk,
                    "due_in_working_days": DEFAULT_FOLLOW_UP_DAYS,
                }
            )
    blank = {"assignee": actor.pk, "due_in_working_days": DEFAULT_FOLLOW_UP_DAYS}
    return rows + [dict(blank) for _index in range(BLANK_FOLLOW_UP_ROWS)]


def _detail_context(
    request: HttpRequest,
    meeting: Meeting,
    *,
    minutes_form: MeetingMinutesForm | None = None,
    follow_ups: Any = None,
) -> dict[str, Any]:
    can_change = has_permission(request.user, CHANGE_MEETING) and (
        selectors.meeting_list(actor=request.user, action="change").filter(pk=meeting.pk).exists()
    )
    can_add_tasks = has_permission(request.user, ADD_TASK)
    assignees = selectors.assignee_choices(actor=request.user) if can_add_tasks else []
    if minutes_form is None:
        minutes_form = MeetingMinutesForm(
            initial={"minutes": meeting.minutes, "version": meeting.version}
        )
    if follow_ups is None and can_add_tasks:
        follow_ups = FollowUpFormSet(
            initial=_follow_up_initial(meeting, request.user),
            prefix="rows",
            form_kwargs={"assignees": assignees},
        )
    return {
        "meeting": meeting,
        "tasks": list(
            meeting.follow_up_tasks.filter(deleted_at__isnull=True).select_related("assignee")
        ),
        "minutes_form": minutes_form,
        "follow_ups": follow_ups,
        "can_change": can_change,
        "can_add_tasks": can_add_tasks and meeting.status != MeetingStatus.CANCELLED,
        "can_delete": has_permission(request.user, DELETE_MEETING),
        "is_cancelled": meeting.status == MeetingStatus.CANCELLED,
        "today": timezone.localdate(),
    }


@login_required
@require_GET
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    require_page_permission(request, VIEW_MEETING)
    meeting = _meeting(request, meeting_id)
    return render(request, "activities/meeting_detail.html", _detail_context(request, meeting))


@login_required
@require_POST
def meeting_minutes(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Save the minutes; the page comes back with a follow-up row per line."""
    require_page_permission(request, CHANGE_MEETING)
    meeting = _meeting(request, meeting_id, action="change")
    form = MeetingMinutesForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_minutes_record(
                actor=request.user,
                meeting=meeting,
                minutes=form.cleaned_data["minutes"],
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as error:
            form.add_error(None, error.message)
        except ApplicationError as error:
            apply_field_errors(form, error)
        else:
            messages.success(request, _("Minutes saved. Tick the lines to follow up as tasks."))
            return redirect(reverse("activities:meeting_detail", args=[meeting.pk]) + "#follow-ups")
    return render(
        request,
        "activities/meeting_detail.html",
        _detail_context(request, meeting, minutes_form=form),
        status=200,
    )


@login_required
@require_POST
def meeting_follow_ups(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Create a task for every ticked row (all or none)."""
    require_page_permission(request, ADD_TASK)
    meeting = _meeting(request, meeting_id)
    assignees = selectors.assignee_choices(actor=request.user)
    formset = FollowUpFormSet(request.POST, prefix="rows", form_kwargs={"assignees": assignees})
    if formset.is_valid():
        ticked = [form for form in formset.forms if form.cleaned_data.get("is_selected")]
        if not ticked:
            messages.warning(request, _("Tick at least one row to create tasks."))
            return redirect(reverse("activities:meeting_detail", args=[meeting.pk]) + "#follow-ups")
        try:
            tasks = services.meeting_follow_up_tasks_create(
                actor=request.user, meeting=meeting, rows=[form.row() for form in ticked]
            )
        except ApplicationError as error:
            for key, errors in (getattr(error, "field_errors", None) or {}).items():
                parts = key.split(".")
                if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(ticked):
                    form = ticked[int(parts[1])]
                    field = parts[2] if parts[2] in form.fields else None
                    if field == "due_on" and "due_in_working_days" in form.fields:
                        field = "due_in_working_days"
                    for message in errors:
                        form.add_error(field, message)
                else:
                    for message in errors:
                        formset.forms[0].add_error(None, message)
        else:
            messages.success(
                request, _("%(count)s follow-up tasks created.") % {"count": len(tasks)}
            )
            return redirect(reverse("activities:meeting_detail", args=[meeting.pk]) + "#follow-ups")
    return render(
        request,
        "activities/meeting_detail.html",
        _detail_context(request, meeting, follow_ups=formset),
    )


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, meeting_id: int) -> HttpResponse:
    require_page_permission(request, CHANGE_MEETING)
    meeting = _meeting(request, meeting_id, action="change")
    services.meeting_cancel(actor=request.user, meeting=meeting)
    messages.success(request, _("Meeting cancelled; the attendees were told."))
    return redirect("activities:meeting_detail", meeting_id=meeting.pk)


@login_required
@require_POST
def meeting_delete(request: HttpRequest, meeting_id: int) -> HttpResponse:
    require_page_permission(request, DELETE_MEETING)
    meeting = _meeting(request, meeting_id, action="delete")
    services.meeting_delete(actor=request.user, meeting=meeting)
    messages.success(request, _("Moved to the recycle bin."))
    return redirect("activities:meeting_list")


@login_required
@require_GET
def contact_options(request: HttpRequest) -> JsonResponse:
    """The contacts of a customer in scope, for the meeting form's contacts picker."""
    require_page_permission(request, ADD_MEETING)
    _customer, contacts = _customer_and_contacts(request, request.GET.get("customer"))
    items = [{"value": c.pk, "text": f"{c.name} {c.title}".strip()} for c in contacts]
    return JsonResponse({"items": items})
