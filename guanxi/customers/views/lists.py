"""Stub views: replaced by the real screens."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def customer_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def search(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def customer_bulk_action(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def contact_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def saved_view_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def saved_view_delete(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")
