"""Calendar pages (month and week), the iCal subscribe page and the feed itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from guanxi.activities import selectors, services
from guanxi.activities.ical import calendar_feed
from guanxi.activities.models import CalendarFeedToken
from guanxi.activities.permissions import ADD_MEETING, ADD_TASK, VIEW_MEETING, VIEW_TASK
from guanxi.platform.exceptions import NotFound
from guanxi.platform.permissions import has_permission

WEEKDAY_COUNT = 7


def _require_calendar(request: HttpRequest) -> None:
    if not (has_permission(request.user, VIEW_TASK) or has_permission(request.user, VIEW_MEETING)):
        raise DjangoPermissionDenied


def _day(value: str | None) -> dt.date:
    if value:
        try:
            day = dt.date.fromisoformat(value[:10])
        except ValueError:
            day = None
        if day is not None and 1900 <= day.year <= 2200:
            return day
    return timezone.localdate()


@login_required
@require_GET
def calendar_view(request: HttpRequest) -> HttpResponse:
    """?view=month|week, ?date=YYYY-MM-DD (any day in the period), ?user=<id> (managers)."""
    _require_calendar(request)
    try:
        person = selectors.calendar_person(actor=request.user, user_id=request.GET.get("user"))
    except NotFound as error:
        raise Http404(str(error)) from error
    day = _day(request.GET.get("date"))
    view = "week" if request.GET.get("view") == "week" else "month"
    people = selectors.calendar_people(actor=request.user)
    context: dict[str, Any] = {
        "view": view,
        "day": day,
        "person": person,
        "people": people if len(people) > 1 else [],
        "today": timezone.localdate(),
        "user_query": "" if person.pk == request.user.pk else f"&user={person.pk}",
        "can_add_task": has_permission(request.user, ADD_TASK),
        "can_add_meeting": has_permission(request.user, ADD_MEETING),
        "weekdays": [dt.date(2026, 11, 23) + dt.timedelta(days=n) for n in range(WEEKDAY_COUNT)],
    }
    if view == "month":
        month = selectors.calendar_month(
            actor=request.user, person=person, year=day.year, month=day.month
        )
        context.update(
            month=month,
            first_of_month=dt.date(day.year, day.month, 1),
            previous=month.previous,
            next=month.next,
        )
    else:
        days = selectors.calendar_week(actor=request.user, person=person, day=day)
        context.update(
            days=days,
            previous=days[0].day - dt.timedelta(days=7),
            next=days[0].day + dt.timedelta(days=7),
        )
    return render(request, "activities/calendar.html", context)


def _feed_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("activities:calendar_feed", args=[token]))


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def calendar_subscribe(request: HttpRequest) -> HttpResponse:
    """Show whether a feed is live; POST `regenerate` issues a new URL (shown once,
    revoking the old one), POST `revoke` stops the feed."""
    _require_calendar(request)
    feed_url = ""
    is_revoked = False
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            is_revoked = services.calendar_feed_token_revoke(actor=request.user)
        else:
            feed_url = _feed_url(
                request, services.calendar_feed_token_regenerate(actor=request.user)
            )
    live = CalendarFeedToken.objects.filter(user=request.user, revoked_at__isnull=True).first()
    return render(
        request,
        "activities/calendar_subscribe.html",
        {
            "feed_url": feed_url,
            "webcal_url": feed_url.replace("https://", "webcal://").replace("http://", "webcal://"),
            "live": live,
            "is_revoked": is_revoked,
        },
    )


@require_GET
def calendar_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    """The feed, without a session: the token in the path is the credential.
    Unknown, revoked or a deactivated user's token -> 404 (nothing to tell apart)."""
    if len(token) > 200:
        raise Http404("feed")
    feed_token = (
        CalendarFeedToken.objects.filter(
            token_hash=services.token_hash(token), revoked_at__isnull=True, user__is_active=True
        )
        .select_related("user", "user__role", "user__team")
        .first()
    )
    if feed_token is None:
        raise Http404("feed")
    user = feed_token.user
    with translation.override(user.language or None):
        feed = calendar_feed(
            user=user,
            host=request.get_host().split(":")[0] or "guanxi",
            base_url=request.build_absolute_uri("/").rstrip("/"),
        )
    services.calendar_feed_token_used(feed_token)
    etag = feed.etag
    if_none_match = request.headers.get("If-None-Match", "")
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    last_modified = int(feed.last_modified.timestamp()) if feed.last_modified else None
    if (if_none_match and etag in [tag.strip() for tag in if_none_match.split(",")]) or (
        not if_none_match and since and last_modified and last_modified <= since
    ):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(feed.body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="guanxi.ics"'
    response["ETag"] = quote_etag(etag)
    if last_modified:
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
