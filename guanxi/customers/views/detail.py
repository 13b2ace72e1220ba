"""Stub views: replaced by the real screens."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def customer_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def customer_detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def customer_update(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def customer_delete(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def customer_transfer(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def customer_timeline(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def customer_history(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def contact_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def interaction_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def contact_update(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def contact_delete(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def interaction_update(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def interaction_done(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def interaction_delete(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")
