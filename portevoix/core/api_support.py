"""What every API router shares: token authentication, the error shape, common types.

Every error answer has one shape: `{"detail": "<message>", "errors": {"<field>": ["..."]}}`,
where a field is a dotted path into the request (`copies.0.text`, `limit`, ...).

`core` imports no app: the token resolver and the membership type are passed in by
`config.api`, which wires the API together.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer
from pydantic import AfterValidator, BeforeValidator, Strict
from pydantic_core import PydanticCustomError

from portevoix.core.api_access import RateLimited, TokenGrant, check_token
from portevoix.core.errors import DomainError

if TYPE_CHECKING:
    from ninja.openapi.schema import OpenAPISchema

# Largest primary key / integer the databases accept (signed 64-bit): bigger values would
# raise OverflowError deep in the driver instead of a clean 4xx.
MAX_DB_INT = 2**63 - 1
MAX_PAGE_SIZE = 100
MAX_OFFSET = 1_000_000_000


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text columns; refuse it here, as Django forms do.
    if "\x00" in value:
        raise ValueError("null characters are not allowed")
    return value


# A string without NUL characters. Use it for every string the API accepts.
Text = Annotated[str, AfterValidator(_no_nul)]
# A database id that cannot overflow the column.
DbId = Annotated[int, Field(ge=1, le=MAX_DB_INT)]
# An id in a JSON body: a number (never `true` or `"3"`) that cannot overflow the column.
BodyId = Annotated[int, Strict(), Field(ge=1, le=MAX_DB_INT)]

# A day given as YYYY-MM-DD, and only so: `0` is not 1970-01-01 (pydantic would read a
# number as a Unix time). Refused (422) rather than changed, and within a sane range.
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)


def _iso_day(value: Any) -> Any:
    if isinstance(value, dt.date) or (isinstance(value, str) and ISO_DAY.fullmatch(value)):
        return value
    raise PydanticCustomError("date_parsing", "Input should be a date as YYYY-MM-DD")


def _day_in_range(value: dt.date) -> dt.date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise PydanticCustomError(
            "date_out_of_range",
            _("Enter a date between {first} and {last}."),
            {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
        )
    return value


Day = Annotated[dt.date, BeforeValidator(_iso_day), AfterValidator(_day_in_range)]

# JSON body fields that must be given as their own JSON type: `true`/`false` for a boolean
# (never `0`, `1` or `"yes"`), a number for an integer (never `false` or `"3"`). Query
# parameters arrive as strings and keep the lax types.
StrictBool = Annotated[bool, Strict()]
StrictInt = Annotated[int, Strict()]


class PageParams(Schema):
    """Limit/offset pagination parameters; list endpoints extend this query schema."""

    limit: int = Field(20, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


# Error answers documented on every operation that has them.
ERROR_RESPONSES: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


def responses(ok: dict[int, Any]) -> dict[int, Any]:
    """`ok` plus the documented error answers, for `@router.get(..., response=...)`."""
    return {**ok, **ERROR_RESPONSES}


# --- The API object


class CachedSchemaAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI schema is built once per path prefix and language: it only
    changes with the code, and building it walks every schema of every router (hundreds of
    milliseconds a request)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._openapi_cache: dict[tuple[str, str | None], OpenAPISchema] = {}

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        key = (path_prefix, get_language())
        schema = self._openapi_cache.get(key)
        if schema is None:
            schema = super().get_openapi_schema(path_prefix=path_prefix)
            self._openapi_cache[key] = schema
        return schema


# --- Parsing


class BodyNotAnObjectError(ValueError):
    pass


class JsonObjectParser(Parser):
    """Request bodies are JSON objects: `[]`, `"x"` or `null` are refused (400), not
    silently read as an empty object."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise BodyNotAnObjectError("the body must be a JSON object")
        return cast(dict[str, Any], data)


# --- Authentication


def membership(request: HttpRequest) -> Any:
    """The membership an API request acts as (set by `TokenAuth` or `SessionMembershipAuth`).

    Every router calls this instead of reading `request.auth` itself; apps cast the result
    to their `Membership` type where they need it."""
    found = getattr(request, "auth", None)
    if found is None:
        raise AuthenticationError()
    return found


# The secret -> what the token may do (`TokenGrant`), or None for an unknown secret.
TokenResolver = Callable[[str], "TokenGrant | None"]


class TokenAuth(HttpBearer):
    """`Authorization: Bearer pv_...`: a personal token, scoped to one organization, whose
    scopes and rate limit are checked here (`core.api_access`).

    On success `request.auth` and `request.membership` are the token's membership.
    """

    def __init__(self, resolve: TokenResolver) -> None:
        self.resolve = resolve
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        # Same as HttpBearer's, minus its debug log of the raw header (it may hold a token).
        scheme, _sep, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token.strip():
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        grant = self.resolve(token.strip())
        if grant is None:
            return None
        # The one place where a token's rate limit and scopes are enforced (429, 403).
        check_token(request, grant)
        request.membership = grant.membership  # type: ignore[attr-defined]
        return grant.membership


class SessionMembershipAuth(APIKeyCookie):
    """The logged-in web user (session cookie, CSRF checked) acting in their current
    organization. Only for endpoints the web UI itself calls, such as the copy counter."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        # Not logged in: no session to speak of, so answer 401 rather than a CSRF 403.
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)  # checks CSRF, then authenticate()

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not request.user.is_authenticated:
            return None
        membership = getattr(request, "membership", None)
        # The middleware gives a lazy object wrapping None when there is no membership.
        if membership is None or not bool(membership):
            return None
        return membership


# --- Errors


def error_body(detail: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or {}}


def _field_key(loc: Sequence[Any]) -> str:
    """("body", "payload", "copies", 0, "text") -> "copies.0.text"; ("query", "limit")
    -> "limit". Body parameters are always named `payload` in our routers."""
    parts = list(loc)
    source = str(parts.pop(0)) if parts else "body"
    if source == "body" and parts and parts[0] == "payload":
        parts.pop(0)
    return ".".join(str(p) for p in parts) or source


def _message(error: dict[str, Any]) -> str:
    """A translated message for the common pydantic error types; pydantic's own otherwise."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    simple = {
        "missing": _("This field is required."),
        "string_type": _("Enter a text."),
        "int_type": _("Enter a whole number."),
        "int_parsing": _("Enter a whole number."),
        "int_from_float": _("Enter a whole number."),
        "bool_type": _("Enter true or false."),
        "bool_parsing": _("Enter true or false."),
        "list_type": _("Enter a list."),
        "dict_type": _("Enter an object."),
        "model_type": _("Enter an object."),
        "model_attributes_type": _("Enter an object."),
        "date_type": _("Enter a date (YYYY-MM-DD)."),
        "date_parsing": _("Enter a date (YYYY-MM-DD)."),
        "date_from_datetime_parsing": _("Enter a date (YYYY-MM-DD)."),
        "datetime_type": _("Enter an ISO 8601 date and time with a time zone."),
        "datetime_parsing": _("Enter an ISO 8601 date and time with a time zone."),
        "datetime_from_date_parsing": _("Enter an ISO 8601 date and time with a time zone."),
        "extra_forbidden": _("Unknown field."),
    }
    if kind in simple:
        return simple[kind]
    if kind == "string_too_long":
        return _("At most %(max)s characters.") % {"max": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("At least %(min)s characters.") % {"min": ctx.get("min_length")}
    if kind == "too_long":
        return _("At most %(max)s items.") % {"max": ctx.get("max_length")}
    if kind in {"greater_than_equal", "greater_than"}:
        limit = ctx.get("ge", ctx.get("gt"))
        return _("Enter a number of at least %(min)s.") % {"min": limit}
    if kind in {"less_than_equal", "less_than"}:
        limit = ctx.get("le", ctx.get("lt"))
        return _("Enter a number of at most %(max)s.") % {"max": limit}
    if kind == "literal_error" or kind == "enum":
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind == "value_error" and "null characters" in str(ctx.get("error", "")):
        return _("Null characters are not allowed.")
    return str(error.get("msg", _("Invalid value.")))


def validation_field_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for error in errors:
        loc = error.get("loc") or ()
        key = _field_key(loc)
        result.setdefault(key, []).append(_message(error))
    return result


def install_error_handlers(api: NinjaAPI) -> None:
    """Map every expected failure to a 4xx answer of the one error shape.

    (Handlers take `exc: Any`: ninja types the argument as "exception or its class".)"""

    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    def on_domain_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, exc.status, error_body(exc.message, exc.field_errors))

    def on_validation_error(request: HttpRequest, exc: Any) -> HttpResponse:
        body = error_body(_("The request has errors."), validation_field_errors(exc.errors))
        return respond(request, 422, body)

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 404, error_body(_("Not found.")))

    def on_authentication_error(request: HttpRequest, exc: Any) -> HttpResponse:
        response = respond(
            request, 401, error_body(_("Authentication required: send a valid API token."))
        )
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            # The body could not be parsed (ninja raises HttpError from the parser's error).
            if isinstance(exc.__cause__, BodyNotAnObjectError):
                message = _("The request body must be a JSON object.")
            else:
                message = _("The request body is not valid JSON.")
            return respond(request, 400, error_body(message, {"body": [message]}))
        if isinstance(exc, RateLimited):
            response = respond(request, 429, error_body(str(exc)))
            response["Retry-After"] = str(exc.retry_after)
            return response
        if exc.status_code == 403 and "CSRF" in str(exc):
            return respond(request, 403, error_body(_("CSRF check failed.")))
        return respond(request, exc.status_code, error_body(str(exc)))

    def on_django_validation_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            errors = {field: list(msgs) for field, msgs in exc.message_dict.items()}
        else:
            errors = {"__all__": list(exc.messages)}
        return respond(request, 400, error_body(_("The request has errors."), errors))

    api.add_exception_handler(DomainError, on_domain_error)
    api.add_exception_handler(NinjaValidationError, on_validation_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(AuthenticationError, on_authentication_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(DjangoValidationError, on_django_validation_error)
