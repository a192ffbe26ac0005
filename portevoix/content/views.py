# Placeholder views: replaced by the content web UI work.
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def feed(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")


@login_required
def library(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")
