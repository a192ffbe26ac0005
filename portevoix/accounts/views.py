# Placeholder views: replaced by the accounts web UI work.
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")


@login_required
def members(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")
