"""The HTTP side of the wire protocol: typed endpoints, validated in one place, errors in the contract's shape.

Each app declares its request and response bodies as msgspec structs in `<app>/schemas.py` and
its endpoints in `<app>/views.py` with `@endpoint(...)`; its `urls.py` is `urlpatterns_of(views)`
and its AppConfig names that module as `api_urls`, so the project URLconf collects it without an
edit. The decorator does what every endpoint shares, in this order: the method (405 otherwise),
the rate limit, authentication, decoding the body into the request struct, calling the view with
the typed body, encoding the typed response with the endpoint's status. An `ApiError` raised
anywhere on the way becomes `{"error": CODE, "detail": TEXT}`, and so does a service's
`Refused` (forbidden 403, not_found 404, too_large 413, rate_limited 429, else 400, or the
refusal's own `http_status`): views call the service and let its refusal through. `protocol.openapi` describes the
same registry, so the OpenAPI document cannot drift from what is served.

This module is the bottom layer: it knows requests, structs and callables, nothing of users.
Authentication is passed in by the app that owns identities (`accounts.http.Bearer`).
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import msgspec
from asgiref.sync import sync_to_async
from django.db import connections
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.urls import URLPattern, re_path
from django.utils.log import log_response
from django.views.decorators.csrf import csrf_exempt

from protocol.errors import Refused

API_ROOT = "/api/v1/"
MAX_BODY_BYTES = 256 * 1024
ErrorCode = Literal[
    "bad_request",
    "too_large",
    "unauthorized",
    "forbidden",
    "not_found",
    "rate_limited",
    "invalid",
    "invalid_transition",
]
Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


class ErrorBody(msgspec.Struct):
    """The contract's error shape (docs/protocol.md, HTTP): a code a client can branch on, and a text."""

    error: ErrorCode
    detail: str


class RequestBody(msgspec.Struct, kw_only=True):
    """What every request body shares. Fields a body does not declare are ignored, as they were
    before the bodies were typed: a client that sends more (a newer mini-program) keeps working.
    Refusing them would be `forbid_unknown_fields=True` here, for every endpoint at once."""


class ApiError(Exception):
    def __init__(self, status: int, code: ErrorCode, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.extra = status, code, detail, extra

    def response(self) -> HttpResponse:
        return json_response({"error": self.code, "detail": self.detail, **self.extra}, status=self.status)

    @classmethod
    def of(cls, refusal: Refused) -> ApiError:
        """A service's refusal as the HTTP answer: one mapping for every endpoint."""
        status = refusal.http_status or _REFUSAL_STATUS.get(refusal.code, 400)
        return cls(status, refusal.code, refusal.detail)  # type: ignore[arg-type]  # the codes are shared


_REFUSAL_STATUS = {"forbidden": 403, "not_found": 404, "too_large": 413, "rate_limited": 429}


@dataclass(frozen=True, slots=True)
class Refusal:
    """An error answer an endpoint can give: documented in the OpenAPI document, raised as ApiError."""

    status: int
    code: ErrorCode
    description: str
    schema: type[msgspec.Struct] = ErrorBody


class Authenticator(Protocol):
    """Establishes who calls (or raises ApiError 401/403); what it returns is passed to the view as
    `principal`. `scheme_name` and `scheme` are its OpenAPI security scheme."""

    @property
    def scheme_name(self) -> str: ...
    @property
    def scheme(self) -> Mapping[str, Any]: ...
    @property
    def roles(self) -> Sequence[str]: ...

    def __call__(self, request: HttpRequest) -> Any: ...


Throttle = Callable[[HttpRequest], None]  # raises ApiError(429, "rate_limited", ...) when over budget


@dataclass(frozen=True, slots=True)
class Endpoint:
    path: str  # below API_ROOT, without a leading or trailing slash
    method: Method
    view: Callable[..., Any]
    name: str  # the URL name of the path and, with the app, the OpenAPI operationId
    app: str
    summary: str
    request: type[RequestBody] | None
    response: Any  # a Struct type, another msgspec-encodable type, or None for 204
    status: int
    auth: Authenticator | None
    throttle: Throttle | None
    refusals: tuple[Refusal, ...]
    example: Mapping[str, Any] | None
    is_async: bool = field(init=False)
    decoder: msgspec.json.Decoder[Any] | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "is_async", inspect.iscoroutinefunction(self.view))
        object.__setattr__(self, "decoder", msgspec.json.Decoder(self.request) if self.request else None)

    def all_refusals(self) -> tuple[Refusal, ...]:
        """What the shared steps can refuse, then what the endpoint itself declares."""
        shared: list[Refusal] = []
        if self.request is not None:
            shared += [
                Refusal(400, "bad_request", "the body is not JSON or does not match the request schema"),
                Refusal(413, "too_large", f"the body is larger than {MAX_BODY_BYTES} bytes"),
            ]
        if self.auth is not None:
            roles = ", ".join(self.auth.roles)
            shared += [
                Refusal(401, "unauthorized", "no valid access token"),
                Refusal(403, "forbidden", f"the token's role is not one of: {roles}"),
            ]
        if self.throttle is not None:
            shared.append(Refusal(429, "rate_limited", "too many calls from this address; wait a minute"))
        return (*shared, *self.refusals)

    def decode(self, request: HttpRequest) -> RequestBody:
        assert self.decoder is not None  # noqa: S101 - only endpoints with a request schema decode
        if len(request.body) > MAX_BODY_BYTES:
            raise ApiError(413, "too_large", "the body is too large")
        try:
            # An empty body reads as {}: required fields are then reported missing, as before.
            decoded: RequestBody = self.decoder.decode(request.body or b"{}")
        except msgspec.ValidationError as exc:
            raise ApiError(400, "bad_request", str(exc)) from None
        # msgspec reports bytes that are not UTF-8 (a surrogate encoded as UTF-8 is one) as
        # UnicodeDecodeError, not as a DecodeError.
        except (msgspec.DecodeError, UnicodeDecodeError):
            raise ApiError(400, "bad_request", "the body is not JSON") from None
        where = unstorable_text(decoded)
        if where is not None:
            raise ApiError(400, "bad_request", f"{where}: NUL characters and lone surrogates are not allowed")
        return decoded

    def answer(self, result: Any) -> HttpResponse:
        if self.response is None:
            if result is not None:
                raise TypeError(f"{self.app}.{self.view.__name__} answers {self.status} without a body")
            return HttpResponse(status=self.status)
        if isinstance(self.response, type) and not isinstance(result, self.response):
            raise TypeError(
                f"{self.app}.{self.view.__name__} must return {self.response.__name__}, not {type(result).__name__}"
            )
        return json_response(result, status=self.status)


def unstorable_text(value: Any, where: str = "$") -> str | None:
    """Where in a decoded body a string holds what cannot be stored or sent on: NUL (PostgreSQL
    text refuses it) or a lone surrogate (not encodable as UTF-8). msgspec decodes `\\u0000` into
    a string as JSON allows; the answer must be 400, not a database error's 500."""
    if isinstance(value, str):
        if "\x00" in value:
            return where
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return where
        return None
    if isinstance(value, msgspec.Struct):
        items: Any = ((name, getattr(value, name)) for name in value.__struct_fields__)
    elif isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and unstorable_text(key) is not None:
            return f"{where} (a key)"
        found = unstorable_text(item, f"{where}.{key}")
        if found is not None:
            return found
    return None


_encoder = msgspec.json.Encoder()


def json_response(value: Any, *, status: int = 200) -> HttpResponse:
    return HttpResponse(_encoder.encode(value), status=status, content_type="application/json")


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class EndpointRegistry:
    """Every endpoint of every app, by path then method; filled as the apps' views modules load."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paths: dict[str, dict[str, Endpoint]] = {}

    def add(self, endpoint: Endpoint) -> None:
        with self._lock:
            methods = self._paths.setdefault(endpoint.path, {})
            if endpoint.method in methods:
                raise ValueError(f"{endpoint.method} {API_ROOT}{endpoint.path} is declared twice")
            for other in methods.values():
                if other.app != endpoint.app or other.name != endpoint.name:
                    raise ValueError(
                        f"{API_ROOT}{endpoint.path}: every method of a path belongs to one app "
                        f"and one URL name ({other.app}:{other.name})"
                    )
                if other.is_async != endpoint.is_async:
                    raise ValueError(f"{API_ROOT}{endpoint.path}: mix of async and sync views")
            methods[endpoint.method] = endpoint

    def endpoints(self) -> list[Endpoint]:
        with self._lock:
            return [e for path in sorted(self._paths) for _, e in sorted(self._paths[path].items())]

    def methods_of(self, path: str) -> dict[str, Endpoint]:
        with self._lock:
            return dict(self._paths.get(path, {}))


registry = EndpointRegistry()


def endpoint(
    path: str,
    *,
    method: Method,
    name: str,
    summary: str,
    request: type[RequestBody] | None = None,
    response: Any = None,
    status: int = 200,
    auth: Authenticator | None = None,
    throttle: Throttle | None = None,
    refusals: Sequence[Refusal] = (),
    example: Mapping[str, Any] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare an endpoint. The view is called as `view(request, body=..., principal=...)`
    (`body` when there is a request schema, `principal` when there is `auth`) and returns an
    instance of `response` (None for a body-less status such as 204)."""
    if request is not None and example is not None:
        msgspec.convert(dict(example), request)  # an example that the schema refuses must not ship
    if response is None and status != 204:
        raise ValueError("only a 204 answer has no body")

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        registry.add(
            Endpoint(
                path=path.strip("/"),
                method=method,
                view=view,
                name=name,
                app=view.__module__.split(".")[0],
                summary=summary,
                request=request,
                response=response,
                status=status,
                auth=auth,
                throttle=throttle,
                refusals=tuple(refusals),
                example=example,
            )
        )
        return view

    return register


def _arguments(endpoint: Endpoint, request: HttpRequest) -> dict[str, Any]:
    """The shared steps before the view: throttle, then auth, then the body (the order of old)."""
    if endpoint.throttle is not None:
        endpoint.throttle(request)
    kwargs: dict[str, Any] = {}
    if endpoint.auth is not None:
        kwargs["principal"] = endpoint.auth(request)
    if endpoint.request is not None:
        kwargs["body"] = endpoint.decode(request)
    return kwargs


def _not_allowed(request: HttpRequest, methods: Mapping[str, Endpoint]) -> HttpResponseNotAllowed:
    response = HttpResponseNotAllowed(sorted(methods))
    log_response("Method Not Allowed (%s): %s", request.method, request.path, response=response, request=request)
    return response


def recycle_unusable_connections(**_: Any) -> None:
    """Close every open database connection of this thread that no longer answers; the next
    query opens a fresh one. Run before each HTTP request (youthline/apps.py connects it to
    `request_started`) and by views that work in a thread of their own (sign-in).

    Connections are kept (CONN_MAX_AGE) and not health-checked per use, because every socket
    frame touches the database; a frame that meets a connection a database restart left stale
    is retried once there (gateway: `with_a_live_connection`). An HTTP request had no such
    retry: the first sign-in after a restart answered 500. One round trip per request."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and not connection.in_atomic_block and not connection.is_usable():
            connection.close()


def _dispatcher(path: str) -> Callable[..., Any]:
    """One Django view per path, choosing the endpoint by method."""
    methods = registry.methods_of(path)
    if next(iter(methods.values())).is_async:

        async def dispatch_async(request: HttpRequest) -> HttpResponseBase:
            endpoint = methods.get(request.method or "")
            if endpoint is None:
                return _not_allowed(request, methods)
            try:
                if endpoint.auth is None:  # throttle and decoding are CPU only: no hop to another thread
                    kwargs = _arguments(endpoint, request)
                else:  # authentication reads the database: on Django's database thread, like a sync view
                    kwargs = await sync_to_async(_arguments, thread_sensitive=True)(endpoint, request)
                return endpoint.answer(await endpoint.view(request, **kwargs))
            except ApiError as exc:
                return exc.response()
            except Refused as refusal:  # a service refused: nothing was changed
                return ApiError.of(refusal).response()

        view: Callable[..., Any] = dispatch_async
    else:

        def dispatch(request: HttpRequest) -> HttpResponseBase:
            endpoint = methods.get(request.method or "")
            if endpoint is None:
                return _not_allowed(request, methods)
            try:
                return endpoint.answer(endpoint.view(request, **_arguments(endpoint, request)))
            except ApiError as exc:
                return exc.response()
            except Refused as refusal:  # a service refused: nothing was changed
                return ApiError.of(refusal).response()

        view = dispatch
    # No endpoint reads a cookie (identity is a bearer token or the body), so there is nothing for
    # a cross-site request to ride on; safe methods were never checked anyway.
    return csrf_exempt(view)


def urlpatterns_of(*modules: Any) -> list[URLPattern]:
    """The URL patterns of the endpoints declared in these views modules (a trailing slash is accepted)."""
    names = {module.__name__ for module in modules}
    paths = sorted({e.path for e in registry.endpoints() if e.view.__module__ in names})
    return [
        re_path(rf"^{path}/?$", _dispatcher(path), name=next(iter(registry.methods_of(path).values())).name)
        for path in paths
    ]
