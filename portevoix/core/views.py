from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("accounts:dashboard")


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})
