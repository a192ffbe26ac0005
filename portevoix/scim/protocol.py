"""The SCIM 2.0 service (RFC 7644) at /scim/v2/: Users, Groups and the discovery endpoints.

Every request carries an organization's directory token (`Authorization: Bearer pvscim_...`):
none or a wrong one answers 401; a resource of another organization answers 404. Bodies are
parsed and answers serialized by scim2-models; errors use the SCIM error format. Views only
parse, call a service and serialize.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError
from scim2_models import (
    Context,
    Error,
    Group,
    InvalidSyntaxException,
    ListResponse,
    NotFoundException,
    PatchOp,
    ResourceType,
    ResponseParameters,
    Schema,
    SCIMException,
    SearchRequest,
    UnauthorizedException,
)

from portevoix.core.errors import DomainError

from . import filtering, resources, services

SCIM_JSON = "application/scim+json"
MAX_BODY = 1024 * 1024
DEFAULT_COUNT = 100
MAX = resources.MAX_COUNT
View = Callable[..., HttpResponse]


def _answer(data: Any, status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(json.dumps(data), status=status, content_type=SCIM_JSON)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _error(error: Error) -> HttpResponse:
    data = error.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    return _answer(data, int(error.status or 400))


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/scim/v2")


def scim_view(methods: set[str]) -> Callable[[View], View]:
    """Authenticate the directory token, refuse other methods, and answer every refusal in the
    SCIM error format."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
            organization = (
                services.directory_token_authenticate(secret.strip())
                if scheme.lower() == "bearer"
                else None
            )
            if organization is None:
                refused = _error(
                    UnauthorizedException(detail="A valid directory token is required").to_error()
                )
                refused["WWW-Authenticate"] = 'Bearer realm="scim"'
                return refused
            if request.method not in methods:
                return _error(Error(status=405, detail=f"{request.method} is not allowed here"))
            try:
                return view(request, organization, *args, **kwargs)
            except services.BrakeHeld as held:
                return _error(Error(status=409, detail=held.detail))
            except SCIMException as exc:
                return _error(exc.to_error())
            except ValidationError as exc:
                return _error(Error.from_validation_errors(exc)[0])
            except DomainError as exc:
                return _error(Error(status=exc.status, detail=exc.message))

        return wrapper

    return decorate


def _body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > MAX_BODY:
        raise InvalidSyntaxException(detail="The body is too large")
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidSyntaxException(detail="The body is not JSON") from exc
    if not isinstance(body, dict):
        raise InvalidSyntaxException(detail="The body is not a JSON object")
    return body


def _page(request: HttpRequest) -> tuple[int, int]:
    def number(name: str, default: int) -> int:
        try:
            return int(request.GET.get(name, default))
        except ValueError:
            raise InvalidSyntaxException(detail=f"{name} is not a number") from None

    start = max(number("startIndex", 1), 1)
    count = min(max(number("count", DEFAULT_COUNT), 0), resources.MAX_COUNT)
    return start, count


def _shown(request: HttpRequest, model: Any, body: dict[str, Any] | None = None) -> Any:
    """The `attributes` / `excludedAttributes` the client asked for (RFC 7644 §3.9)."""
    source = body if body is not None else request.GET
    asked = {k: source.get(k) for k in ("attributes", "excludedAttributes") if source.get(k)}
    return ResponseParameters[model].model_validate(asked) if asked else None


def _listing(
    request: HttpRequest,
    model: Any,
    qs: Any,
    to_resource: Callable[[Any], Any],
    search: Any = None,
) -> HttpResponse:
    if search is not None:
        start = max(search.start_index or 1, 1)
        count = DEFAULT_COUNT if search.count is None else min(max(search.count, 0), MAX)
    else:
        start, count = _page(request)
    total = qs.count()
    rows = list(qs[start - 1 : start - 1 + count]) if count else []
    listed = ListResponse[model](
        total_results=total,
        start_index=start,
        items_per_page=len(rows),
        resources=[to_resource(row) for row in rows],
    )
    shown = search if search is not None else _shown(request, model)
    return _answer(listed.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=shown))


def _search(request: HttpRequest, model: Any, fields: Any) -> tuple[Any, Any]:
    search = SearchRequest[model].model_validate(_body(request), scim_ctx=Context.SEARCH_REQUEST)
    return search, filtering.parse(str(search.filter) if search.filter else None, fields)


# --- Users


def _user(request: HttpRequest, membership: Any) -> Any:
    return resources.user_resource(membership, services.link_of(membership), base_url(request))


def _dump(resource: Any, status: int = 200, shown: Any = None) -> HttpResponse:
    data = resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=shown)
    location = resource.meta.location if resource.meta else None
    return _answer(data, status, **({"Location": str(location)} if status == 201 else {}))


@scim_view({"GET", "POST"})
def users(request: HttpRequest, organization: Any) -> HttpResponse:
    if request.method == "POST":
        print("DEBUGBODY", request.body[:600])
        resource = resources.FullUser.model_validate(
            _body(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST
        )
        created = services.user_create(organization=organization, resource=resource)
        return _dump(_user(request, created), 201)
    condition = filtering.parse(request.GET.get("filter"), filtering.USER_FIELDS)
    qs = services.directory_users(organization=organization).filter(condition).distinct()
    return _listing(request, resources.FullUser, qs.order_by("pk"), lambda m: _user(request, m))


@scim_view({"GET", "PUT", "PATCH", "DELETE"})
def user(request: HttpRequest, organization: Any, pk: str) -> HttpResponse:
    membership = services.directory_user(organization=organization, pk=pk)
    if request.method == "GET":
        return _dump(_user(request, membership), shown=_shown(request, resources.FullUser))
    if request.method == "DELETE":
        services.user_delete(organization=organization, membership=membership)
        return HttpResponse(status=204)
    if request.method == "PUT":
        resource = resources.FullUser.model_validate(
            _body(request), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST
        )
    else:
        patch = PatchOp[resources.FullUser].model_validate(
            _body(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST
        )
        resource = _user(request, membership)
        patch.patch(resource)
    updated = services.user_replace(
        organization=organization, membership=membership, resource=resource
    )
    return _dump(_user(request, updated))


@scim_view({"POST"})
def users_search(request: HttpRequest, organization: Any) -> HttpResponse:
    search, condition = _search(request, resources.FullUser, filtering.USER_FIELDS)
    qs = services.directory_users(organization=organization).filter(condition).distinct()
    return _listing(
        request, resources.FullUser, qs.order_by("pk"), lambda m: _user(request, m), search
    )


# --- Groups


def _group(request: HttpRequest, team: Any) -> Group:
    return resources.group_resource(
        team, services.group_link_of(team), services.members_of(team), base_url(request)
    )


@scim_view({"GET", "POST"})
def groups(request: HttpRequest, organization: Any) -> HttpResponse:
    if request.method == "POST":
        group = Group.model_validate(_body(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
        created = services.group_create(organization=organization, group=group)
        return _dump(_group(request, created), 201)
    condition = filtering.parse(request.GET.get("filter"), filtering.GROUP_FIELDS)
    qs = services.directory_groups(organization=organization).filter(condition).distinct()
    return _listing(request, Group, qs.order_by("pk"), lambda t: _group(request, t))


@scim_view({"GET", "PUT", "PATCH", "DELETE"})
def group(request: HttpRequest, organization: Any, pk: str) -> HttpResponse:
    team = services.directory_group(organization=organization, pk=pk)
    if request.method == "GET":
        return _dump(_group(request, team), shown=_shown(request, Group))
    if request.method == "DELETE":
        services.group_delete(organization=organization, team=team)
        return HttpResponse(status=204)
    if request.method == "PUT":
        body = Group.model_validate(_body(request), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
    else:
        patch = PatchOp[Group].model_validate(
            _body(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST
        )
        body = _group(request, team)
        patch.patch(body)
    updated = services.group_replace(organization=organization, team=team, group=body)
    return _dump(_group(request, updated))


@scim_view({"POST"})
def groups_search(request: HttpRequest, organization: Any) -> HttpResponse:
    search, condition = _search(request, Group, filtering.GROUP_FIELDS)
    qs = services.directory_groups(organization=organization).filter(condition).distinct()
    return _listing(request, Group, qs.order_by("pk"), lambda t: _group(request, t), search)


@scim_view({"POST"})
def root_search(request: HttpRequest, organization: Any) -> HttpResponse:
    return _error(Error(status=501, detail="Search one resource type: /Users/.search"))


# --- Discovery


@scim_view({"GET"})
def service_provider_config(request: HttpRequest, organization: Any) -> HttpResponse:
    return _dump(resources.service_provider_config(base_url(request)))


def _discovery_list(model: Any, items: list[Any], key: str | None) -> HttpResponse:
    if key is not None:
        for item in items:
            if item.id == key:
                return _dump(item)
        raise NotFoundException(detail=f"{key} not found")
    listed = ListResponse[model](
        total_results=len(items), start_index=1, items_per_page=len(items), resources=items
    )
    return _answer(listed.model_dump(scim_ctx=Context.SEARCH_RESPONSE))


@scim_view({"GET"})
def resource_types(request: HttpRequest, organization: Any, key: str | None = None) -> HttpResponse:
    return _discovery_list(ResourceType, resources.resource_types(base_url(request)), key)


@scim_view({"GET"})
def schemas(request: HttpRequest, organization: Any, key: str | None = None) -> HttpResponse:
    return _discovery_list(Schema, resources.schemas(base_url(request)), key)


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return _error(Error(status=404, detail="No such SCIM endpoint"))
