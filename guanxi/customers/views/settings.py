"""Stub views: replaced by the real screens."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def tag_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def tag_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def tag_update(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def tag_delete(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def tag_group_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def custom_field_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def custom_field_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")


@login_required
def custom_field_update(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")
