"""Notification pages: the list, the navbar bell (loaded by htmx), choices."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.notifications import selectors, services
from guanxi.platform.exceptions import NotFound
from guanxi.platform.pagination import keyset_page
from guanxi.platform.views.general import raise_404

PAGE_SIZE = 30


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = keyset_page(
        selectors.notification_list(actor=request.user, unread_only=unread_only),
        ordering=["-id"],
        cursor=request.GET.get("cursor"),
        size=PAGE_SIZE,
    )
    template = "notifications/notification_list.html"
    if request.htmx:
        template += "#notification-table"
    context = {
        "page": page,
        "unread_only": unread_only,
        "is_first_page": not request.GET.get("cursor"),
        "filter_query": "unread=1" if unread_only else "",
        "table_id": "notification-table",
    }
    return render(request, template, context)


@login_required
def notification_bell(request: HttpRequest) -> HttpResponse:
    """The bell's badge and dropdown; pages load it after rendering (no queries in them)."""
    return render(
        request, "notifications/_bell.html", selectors.notification_bell(actor=request.user)
    )


@login_required
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark read and follow the link (GET so a plain link works; marking read is idempotent)."""
    try:
        notification = services.notification_mark_read(
            actor=request.user, notification_id=notification_id
        )
    except NotFound as error:
        raise_404(error)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:notification_list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_all_read(actor=request.user)
    if request.htmx:
        return render(
            request,
            "notifications/_bell.html",
            selectors.notification_bell(actor=request.user),
        )
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return redirect("notifications:notification_list")


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    rows = selectors.notification_preference_rows(actor=request.user)
    if request.method == "POST":
        choices = {
            row.code: (
                request.POST.get(f"in_app:{row.code}") == "on",
                request.POST.get(f"email:{row.code}") == "on",
            )
            for row in rows
        }
        services.notification_preferences_save(actor=request.user, choices=choices)
        messages.success(request, _("Your notification choices were saved."))
        return redirect("notifications:notification_preferences")
    return render(
        request,
        "notifications/notification_preferences.html",
        {"rows": rows, "has_email": bool(request.user.email)},
    )
