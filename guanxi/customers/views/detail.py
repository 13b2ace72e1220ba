"""One customer: the create/edit form, the 360 page, its contacts and follow-ups.

Views are thin (STYLE.md rule 7): parse the request with a form, call one
selector or service, render. Not-found and out-of-scope are both 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget, trigger_client_event
from django_htmx.middleware import HtmxDetails

from guanxi.accounts.models import User
from guanxi.accounts.selectors import team_list, user_list
from guanxi.customers import selectors, services
from guanxi.customers.forms.contact import ContactForm
from guanxi.customers.forms.customer import (
    CustomerForm,
    CustomerTransferForm,
    conflict_rows,
    contact_errors_to_form,
)
from guanxi.customers.forms.interaction import InteractionForm
from guanxi.customers.masking import emails_for, phones_for
from guanxi.customers.models import Contact, Customer, CustomFieldTarget, Interaction
from guanxi.customers.permissions import TRANSFER_CUSTOMERS
from guanxi.customers.timeline import TimelineEvent, timeline_for_customer
from guanxi.customers.timeline_sources import AUDIT_TITLES
from guanxi.platform.exceptions import (
    ConflictError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from guanxi.platform.forms import apply_field_errors
from guanxi.platform.permissions import has_permission
from guanxi.platform.selectors import audit_list_for_object


class AuthedRequest(HttpRequest):
    """A request to these views: signed in (login_required) and read by django-htmx."""

    user: User
    htmx: HtmxDetails


# The 360 page opens with the newest 20 events (a screen or two; every event costs
# one query row per timeline source and its markup); "load more" brings 50 at a time.
TIMELINE_FIRST_PAGE_SIZE = 20
TIMELINE_PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 50
MASKED_FIELDS = {"phones": phones_for, "emails": emails_for}


# --- helpers ---------------------------------------------------------------


def _customer(request: AuthedRequest, customer_id: int, action: str = "view") -> Customer:
    try:
        return selectors.customer_get(actor=request.user, customer_id=customer_id, action=action)
    except NotFound as error:
        raise Http404(str(error)) from error


def _contact(request: AuthedRequest, contact_id: int, action: str = "view") -> Contact:
    try:
        return selectors.contact_get(actor=request.user, contact_id=contact_id, action=action)
    except NotFound as error:
        raise Http404(str(error)) from error


def _interaction(request: AuthedRequest, interaction_id: int, action: str = "view") -> Interaction:
    try:
        return selectors.interaction_get(
            actor=request.user, interaction_id=interaction_id, action=action
        )
    except NotFound as error:
        raise Http404(str(error)) from error


def _parse_before(raw: str | None) -> dt.datetime | None:
    """The timeline cursor: an ISO timestamp; anything unreadable means "newest"."""
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw.replace(" ", "+"))
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return None


def _timeline_page(
    request: AuthedRequest,
    customer: Customer,
    before: dt.datetime | None,
    size: int = TIMELINE_PAGE_SIZE,
) -> dict[str, Any]:
    events = timeline_for_customer(
        customer=customer, actor=request.user, limit=size + 1, before=before
    )
    has_more = len(events) > size
    events = events[:size]
    return {
        "events": events,
        "next_before": events[-1].at.isoformat() if has_more and events else "",
    }


def _page_size(before: dt.datetime | None) -> int:
    return TIMELINE_FIRST_PAGE_SIZE if before is None else TIMELINE_PAGE_SIZE


def _permissions(user: Any) -> dict[str, bool]:
    return {
        code: has_permission(user, f"customers.{code}")
        for code in (
            "change_customer",
            "delete_customer",
            "transfer_customer",
            "add_contact",
            "change_contact",
            "delete_contact",
            "add_interaction",
            "change_interaction",
            "delete_interaction",
            "export_customer",
        )
    }


def _safe_next(request: AuthedRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _interaction_event(interaction: Interaction) -> TimelineEvent:
    """The timeline entry for one follow-up, as the timeline source builds it."""
    return TimelineEvent(
        at=interaction.occurred_at,
        kind=f"interaction.{interaction.kind}",
        title=interaction.get_kind_display(),
        body=interaction.content,
        actor_name=str(interaction.author or ""),
        url=reverse("customers:interaction_update", args=[interaction.pk]),
        icon=interaction.kind,
        extra={"interaction": interaction},
    )


def _detail_url(customer_id: int, anchor: str = "") -> str:
    url = reverse("customers:customer_detail", args=[customer_id])
    return f"{url}#{anchor}" if anchor else url


# --- customer form ----------------------------------------------------------


def _save_versioned_form(
    request: AuthedRequest,
    form: forms.BaseForm,
    save: Callable[[Any], Any],
    rebuild: Callable[[QueryDict], forms.BaseForm],
) -> tuple[bool, dict[str, Any] | None, forms.BaseForm]:
    """Run an update service on a valid edit form: (saved, conflict, form to show).

    A stale version shows what changed (their value / yours) and re-arms the same
    input with the current version so a second submit overwrites deliberately;
    field errors land on the form; not-found or out-of-scope is a 404.
    """
    try:
        save(form)
    except ConflictError as error:
        conflict = {
            "message": error.message,
            "rows": conflict_rows(form, error.current_values, request.user),
        }
        data = request.POST.copy()
        data["version"] = str(error.current_version)
        rearmed = rebuild(data)
        rearmed.is_valid()
        return False, conflict, rearmed
    except NotFound as error:
        raise Http404(str(error)) from error
    except (ValidationError, PermissionDenied) as error:
        apply_field_errors(form, error)
        return False, None, form
    return True, None, form


@login_required
@require_http_methods(["GET", "POST"])
def customer_create(request: AuthedRequest) -> HttpResponse:
    if not has_permission(request.user, "customers.add_customer"):
        raise DjangoPermissionDenied
    definitions = selectors.custom_field_definitions(CustomFieldTarget.CUSTOMER)
    form = CustomerForm(
        request.POST if request.method == "POST" else None,
        actor=request.user,
        custom_fields=definitions,
    )
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            customer = services.customer_create_with_contact(
                actor=request.user, contact=form.first_contact(), **fields
            )
        except ValidationError as error:
            apply_field_errors(form, contact_errors_to_form(error))
        except PermissionDenied as error:
            apply_field_errors(form, error)
        else:
            messages.success(request, _("Customer “%(name)s” created.") % {"name": customer.name})
            return redirect("customers:customer_detail", customer_id=customer.pk)
    return render(
        request,
        "customers/customer_form.html",
        {"form": form, "is_create": True},
        status=200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def customer_update(request: AuthedRequest, customer_id: int) -> HttpResponse:
    customer = _customer(request, customer_id, action="change")
    definitions = selectors.custom_field_definitions(CustomFieldTarget.CUSTOMER)
    form = CustomerForm(
        request.POST if request.method == "POST" else None,
        actor=request.user,
        custom_fields=definitions,
        customer=customer,
    )
    conflict: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        saved, conflict, form = _save_versioned_form(
            request,
            form,
            lambda valid: services.customer_update(
                actor=request.user,
                customer=customer,
                expected_version=valid.cleaned_data["version"],
                **valid.service_fields(),
            ),
            lambda data: CustomerForm(
                data, actor=request.user, custom_fields=definitions, customer=customer
            ),
        )
        if saved:
            messages.success(request, _("Changes saved."))
            return redirect("customers:customer_detail", customer_id=customer.pk)
    return render(
        request,
        "customers/customer_form.html",
        {"form": form, "customer": customer, "is_create": False, "conflict": conflict},
    )


# --- the 360 page -----------------------------------------------------------


@login_required
@require_GET
def customer_detail(request: AuthedRequest, customer_id: int) -> HttpResponse:
    """The 360 page.

    It renders at once what a user comes for (header, profile, contacts, the order
    history) and loads the other panels and the timeline with htmx right after
    (`hx-trigger="load"`, one request each): each panel costs a query or three and
    its markup, the timeline a query per source. `?full=1` (the links in the
    placeholders, for browsers without JavaScript) and the timeline's `?before=`
    cursor render everything in the page.
    """
    customer = _customer(request, customer_id)
    before = _parse_before(request.GET.get("before"))
    is_full = before is not None or request.GET.get("full") == "1"
    contacts = customer.live_contacts
    context: dict[str, Any] = {
        "customer": customer,
        "contacts": contacts,
        "tags": list(customer.tags.all()),
        "custom_fields": selectors.custom_field_definitions(CustomFieldTarget.CUSTOMER),
        "interaction_form": InteractionForm(contacts=contacts),
        "contact_form": ContactForm(actor=request.user, custom_fields=[], prefix="new_contact"),
        "can": _permissions(request.user),
        "is_full": is_full,
    }
    if is_full:
        context.update(_timeline_page(request, customer, before, size=_page_size(before)))
    return render(request, "customers/customer_detail.html", context)


@login_required
@require_GET
def customer_panels(request: AuthedRequest, customer_id: int) -> HttpResponse:
    """The 360 page's other panels (tasks, meetings, pool, contracts, quotes,
    opportunities, value and risk), loaded by the page with htmx."""
    customer = _customer(request, customer_id)
    if not request.htmx:
        return redirect(_detail_url(customer.pk))
    # "next" of the panels' links (new task, release to the pool): the page, not this URL
    context = {
        "customer": customer,
        "can": _permissions(request.user),
        "next_path": _detail_url(customer.pk),
    }
    return render(request, "customers/customer_detail.html#customer-panels", context)


@login_required
@require_GET
def customer_timeline(request: AuthedRequest, customer_id: int) -> HttpResponse:
    """A page of the timeline: the first one (loaded by the 360 page) or the next one
    ("load more"), older than `before`."""
    customer = _customer(request, customer_id)
    before = _parse_before(request.GET.get("before"))
    if not request.htmx:
        url = _detail_url(customer.pk)
        if before:
            return redirect(f"{url}?before={before.isoformat()}#timeline")
        return redirect(f"{url}?full=1#timeline")
    context = {
        "customer": customer,
        "can": _permissions(request.user),
        **_timeline_page(request, customer, before, size=_page_size(before)),
    }
    return render(request, "customers/customer_detail.html#timeline-page", context)


def _readable(name: str, value: Any, actor: Any, names: dict[tuple[str, Any], str]) -> str:
    if value in (None, "", [], {}):
        return "—"
    if name in MASKED_FIELDS and isinstance(value, list):
        return "、".join(MASKED_FIELDS[name](actor, value))
    if isinstance(value, list):
        return "、".join(names.get((name, item), str(item)) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {item}" for key, item in value.items())
    if (name, value) in names:
        return names[(name, value)]
    choices = _field_choices(name)
    if isinstance(value, str) and value in choices:
        return str(choices[value])
    return str(value)


def _field_choices(name: str) -> dict[Any, Any]:
    try:
        return dict(Customer._meta.get_field(name).choices or [])
    except Exception:  # not a model field (e.g. "tags" or a retired one)
        return {}


def _field_label(name: str) -> str:
    try:
        return str(Customer._meta.get_field(name).verbose_name)
    except Exception:  # unknown or retired field names are shown as they are
        return name


def _history_rows(entries: list[Any], actor: Any) -> list[dict[str, Any]]:
    """Audit entries as rows of (field, before, after), masked like the rest of the page."""
    raw_changes: list[tuple[Any, list[tuple[str, Any, Any]]]] = []
    user_ids: set[Any] = set()
    team_ids: set[Any] = set()
    tag_ids: set[Any] = set()
    for entry in entries:
        changes = entry.changes or {}
        pairs: list[tuple[str, Any, Any]] = []
        if isinstance(changes.get("after"), dict):
            pairs = [(key, None, value) for key, value in changes["after"].items()]
        else:
            pairs = [
                (key, value[0], value[1])
                for key, value in changes.items()
                if isinstance(value, list) and len(value) == 2
            ]
        pairs = [pair for pair in pairs if pair[1] not in (None, "", [], {}) or pair[2]]
        for key, old, new in pairs:
            if key == "owner":
                user_ids.update(v for v in (old, new) if v)
            if key == "team":
                team_ids.update(v for v in (old, new) if v)
            if key == "tags":
                tag_ids.update(v for value in (old, new) for v in (value or []))
        raw_changes.append((entry, pairs))
    names: dict[tuple[str, Any], str] = {}
    for user in user_list(actor=actor, include_inactive=True).filter(pk__in=user_ids):
        names[("owner", user.pk)] = str(user)
    for team in team_list(actor=actor).filter(pk__in=team_ids):
        names[("team", team.pk)] = str(team)
    for tag in selectors.tag_list().filter(pk__in=tag_ids):
        names[("tags", tag.pk)] = tag.name
    return [
        {
            "entry": entry,
            "title": _(AUDIT_TITLES.get(entry.action, entry.action)),
            "changes": [
                {
                    "field": _field_label(key),
                    "before": _readable(key, old, actor, names),
                    "after": _readable(key, new, actor, names),
                }
                for key, old, new in pairs
            ],
        }
        for entry, pairs in raw_changes
    ]


@login_required
@require_GET
def customer_history(request: AuthedRequest, customer_id: int) -> HttpResponse:
    customer = _customer(request, customer_id)
    entries = audit_list_for_object(actor=request.user, instance=customer).order_by(
        "-created_at", "-id"
    )
    page = Paginator(entries, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "customers/customer_history.html",
        {"customer": customer, "page": page, "rows": _history_rows(list(page), request.user)},
    )


# --- transfer and delete ----------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def customer_transfer(request: AuthedRequest, customer_id: int) -> HttpResponse:
    customer = _customer(request, customer_id, action="change")
    if not has_permission(request.user, TRANSFER_CUSTOMERS):
        raise DjangoPermissionDenied
    form = CustomerTransferForm(
        request.POST if request.method == "POST" else None, actor=request.user, customer=customer
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_transfer(
                actor=request.user,
                customer=customer,
                new_owner=form.cleaned_data["owner"],
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as error:
            # Show the current owner and start over from the current version.
            customer = _customer(request, customer_id, action="change")
            form = CustomerTransferForm(actor=request.user, customer=customer)
            apply_field_errors(form, error)
        except NotFound as error:
            raise Http404(str(error)) from error
        except (ValidationError, PermissionDenied) as error:
            apply_field_errors(form, error)
        else:
            messages.success(
                request,
                _("“%(name)s” now belongs to %(owner)s.")
                % {"name": customer.name, "owner": form.cleaned_data["owner"]},
            )
            return redirect("customers:customer_detail", customer_id=customer.pk)
    return render(request, "customers/customer_transfer.html", {"form": form, "customer": customer})


@login_required
@require_POST
def customer_delete(request: AuthedRequest, customer_id: int) -> HttpResponse:
    customer = _customer(request, customer_id, action="delete")
    try:
        services.customer_delete(actor=request.user, customer=customer)
    except NotFound as error:
        raise Http404(str(error)) from error
    messages.success(
        request,
        format_html(
            '{} <a href="{}" class="alert-link" data-testid="recycle-bin-link">{}</a>',
            _("“%(name)s” was moved to the recycle bin.") % {"name": customer.name},
            reverse("platform:recycle_bin"),
            _("Undo: restore it from the recycle bin."),
        ),
    )
    url = reverse("customers:customer_list")
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


# --- contacts ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request: AuthedRequest, customer_id: int) -> HttpResponse:
    customer = _customer(request, customer_id, action="change")
    definitions = selectors.custom_field_definitions(CustomFieldTarget.CONTACT)
    # The small form on the customer page posts with a prefix; this page without.
    prefix = "new_contact" if "new_contact-name" in request.POST else None
    form = ContactForm(
        request.POST if request.method == "POST" else None,
        actor=request.user,
        custom_fields=definitions,
        prefix=prefix,
    )
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_create(
                actor=request.user, customer=customer, **form.service_fields()
            )
        except NotFound as error:
            raise Http404(str(error)) from error
        except (ValidationError, PermissionDenied) as error:
            apply_field_errors(form, error)
        else:
            messages.success(request, _("Contact “%(name)s” added.") % {"name": contact.name})
            return redirect(_detail_url(customer.pk, "contacts"))
    return render(
        request,
        "customers/contact_form.html",
        {"form": form, "customer": customer, "contact": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_update(request: AuthedRequest, contact_id: int) -> HttpResponse:
    contact = _contact(request, contact_id, action="change")
    definitions = selectors.custom_field_definitions(CustomFieldTarget.CONTACT)
    form = ContactForm(
        request.POST if request.method == "POST" else None,
        actor=request.user,
        custom_fields=definitions,
        contact=contact,
    )
    conflict: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        saved, conflict, form = _save_versioned_form(
            request,
            form,
            lambda valid: services.contact_update(
                actor=request.user,
                contact=contact,
                expected_version=valid.cleaned_data["version"],
                **valid.service_fields(),
            ),
            lambda data: ContactForm(
                data, actor=request.user, custom_fields=definitions, contact=contact
            ),
        )
        if saved:
            messages.success(request, _("Changes saved."))
            return redirect(_detail_url(contact.customer_id, "contacts"))
    return render(
        request,
        "customers/contact_form.html",
        {"form": form, "customer": contact.customer, "contact": contact, "conflict": conflict},
    )


@login_required
@require_POST
def contact_delete(request: AuthedRequest, contact_id: int) -> HttpResponse:
    contact = _contact(request, contact_id, action="delete")
    try:
        services.contact_delete(actor=request.user, contact=contact)
    except NotFound as error:
        raise Http404(str(error)) from error
    messages.success(
        request,
        _("Contact “%(name)s” was moved to the recycle bin.") % {"name": contact.name},
    )
    return redirect(_detail_url(contact.customer_id, "contacts"))


# --- follow-ups ---------------------------------------------------------------


@login_required
@require_POST
def interaction_create(request: AuthedRequest, customer_id: int) -> HttpResponse:
    """Record a follow-up. From the 360 page (htmx) the answer is the new timeline
    entry, prepended; on errors the form comes back in place with its messages."""
    customer = _customer(request, customer_id)
    contacts = customer.live_contacts
    form = InteractionForm(request.POST, contacts=contacts)
    if form.is_valid():
        try:
            interaction = services.interaction_create(
                actor=request.user, customer=customer, **form.service_fields()
            )
        except NotFound as error:
            raise Http404(str(error)) from error
        except (ValidationError, PermissionDenied) as error:
            apply_field_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, _("Follow-up recorded."))
                return redirect(_detail_url(customer.pk, "timeline"))
            response = render(
                request,
                "customers/partials/detail_timeline_event.html",
                {
                    "event": _interaction_event(interaction),
                    "customer": customer,
                    "can": _permissions(request.user),
                    "is_new": True,
                },
            )
            return trigger_client_event(response, "followUpRecorded")
    if request.htmx:
        response = render(
            request,
            "customers/customer_detail.html#interaction-form",
            {"interaction_form": form, "customer": customer},
        )
        return reswap(retarget(response, "#interaction-form"), "outerHTML")
    return render(
        request,
        "customers/interaction_form.html",
        {"form": form, "customer": customer, "interaction": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def interaction_update(request: AuthedRequest, interaction_id: int) -> HttpResponse:
    interaction = _interaction(request, interaction_id, action="change")
    contacts = list(
        selectors.contact_list(actor=request.user).filter(customer_id=interaction.customer_id)
    )
    form = InteractionForm(
        request.POST if request.method == "POST" else None,
        contacts=contacts,
        interaction=interaction,
    )
    conflict: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        saved, conflict, form = _save_versioned_form(
            request,
            form,
            lambda valid: services.interaction_update(
                actor=request.user,
                interaction=interaction,
                expected_version=valid.cleaned_data["version"],
                **valid.service_fields(),
            ),
            lambda data: InteractionForm(data, contacts=contacts, interaction=interaction),
        )
        if saved:
            messages.success(request, _("Changes saved."))
            return redirect(_detail_url(interaction.customer_id, "timeline"))
    return render(
        request,
        "customers/interaction_form.html",
        {
            "form": form,
            "customer": interaction.customer,
            "interaction": interaction,
            "conflict": conflict,
        },
    )


@login_required
@require_POST
def interaction_done(request: AuthedRequest, interaction_id: int) -> HttpResponse:
    """Tick off a follow-up (from the 360 page or the home page's due list)."""
    interaction = _interaction(request, interaction_id, action="change")
    try:
        services.interaction_follow_up_done(actor=request.user, interaction=interaction)
    except NotFound as error:
        raise Http404(str(error)) from error
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error.message)
    if request.htmx:
        response = HttpResponse(
            format_html(
                '<span class="badge bg-success-lt" data-testid="follow-up-done">{}</span>',
                _("Follow-up done"),
            )
        )
        return trigger_client_event(response, "followUpDone", {"id": interaction.pk})
    return redirect(_safe_next(request, _detail_url(interaction.customer_id, "timeline")))


@login_required
@require_POST
def interaction_delete(request: AuthedRequest, interaction_id: int) -> HttpResponse:
    interaction = _interaction(request, interaction_id, action="delete")
    try:
        services.interaction_delete(actor=request.user, interaction=interaction)
    except NotFound as error:
        raise Http404(str(error)) from error
    if request.htmx:
        return HttpResponse("")
    messages.success(request, _("Follow-up moved to the recycle bin."))
    return redirect(_detail_url(interaction.customer_id, "timeline"))


__all__ = [
    "contact_create",
    "contact_delete",
    "contact_update",
    "customer_create",
    "customer_delete",
    "customer_detail",
    "customer_history",
    "customer_timeline",
    "customer_transfer",
    "customer_update",
    "interaction_create",
    "interaction_delete",
    "interaction_done",
    "interaction_update",
]
