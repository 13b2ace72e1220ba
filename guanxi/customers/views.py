from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def customer_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "accounts/settings_home.html")
