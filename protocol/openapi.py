"""The OpenAPI 3.1 document of the HTTP API, generated from the endpoint registry and its msgspec schemas.

Served at /api/v1/openapi.json. It is built from what `protocol.http.registry` holds, which is what
the URLconf serves (`urlpatterns_of` reads the same registry), so the two cannot drift apart;
tests/unit/test_openapi.py checks it validates and covers every URL under /api/v1/.
"""

from __future__ import annotations

import functools
import inspect
from collections import defaultdict
from typing import Any

import msgspec
from django.http import HttpRequest

from protocol.http import API_ROOT, Endpoint, ErrorBody, endpoint, registry

OPENAPI_VERSION = "3.1.0"
REF_TEMPLATE = "#/components/schemas/{name}"
_DESCRIPTION = (
    "Youthline's HTTP API, protocol v1. The WebSocket half of the protocol (/ws/v1/) and the meaning of "
    "every field are in docs/protocol.md. Every path also accepts a trailing slash. Errors are "
    '`{"error": CODE, "detail": TEXT}`; unknown fields in a request body are ignored.'
)


def _bodies(endpoints: list[Endpoint]) -> list[Any]:
    """Every type whose schema the document needs, each once, in a stable order."""
    seen: dict[Any, None] = {ErrorBody: None}
    for e in endpoints:
        for t in (e.request, e.response, *(r.schema for r in e.all_refusals())):
            if t is not None:
                seen.setdefault(t, None)
    return list(seen)


def _tidy(components: dict[str, Any]) -> dict[str, Any]:
    """Docstrings become descriptions as written, indented; dedent them."""
    for schema in components.values():
        if isinstance(schema.get("description"), str):
            schema["description"] = inspect.cleandoc(schema["description"])
    return components


def _json(schema: dict[str, Any], example: Any = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": schema}
    if example is not None:
        media["example"] = example
    return {"application/json": media}


def _operation(e: Endpoint, schema_of: dict[Any, dict[str, Any]]) -> dict[str, Any]:
    operation: dict[str, Any] = {"operationId": f"{e.app}.{e.view.__name__}", "tags": [e.app], "summary": e.summary}
    doc = inspect.getdoc(e.view)
    if doc:
        operation["description"] = doc
    if e.request is not None:
        operation["requestBody"] = {"required": True, "content": _json(schema_of[e.request], e.example)}
    success: dict[str, Any] = {"description": e.summary}
    if e.response is not None:
        success["content"] = _json(schema_of[e.response])
    responses: dict[str, Any] = {str(e.status): success}
    by_status: dict[int, list[Any]] = defaultdict(list)
    for refusal in e.all_refusals():
        by_status[refusal.status].append(refusal)
    for status, refusals in sorted(by_status.items()):
        codes = sorted({r.code for r in refusals})
        schemas = list(dict.fromkeys(r.schema for r in refusals))
        refs = [schema_of[s] for s in schemas]
        # The error code each status can carry, narrowed on top of the shared shape (3.1: JSON Schema 2020-12).
        schema = {**(refs[0] if len(refs) == 1 else {"anyOf": refs}), "properties": {"error": {"enum": codes}}}
        description = "; ".join(f"`{r.code}`: {r.description}" for r in refusals)
        responses[str(status)] = {"description": description, "content": _json(schema)}
    operation["responses"] = responses
    if e.auth is not None:
        operation["security"] = [{e.auth.scheme_name: []}]
        operation["x-roles"] = list(e.auth.roles)
    return operation


def openapi_document() -> dict[str, Any]:
    """The document for every endpoint registered so far (all of them once the URLconf has loaded)."""
    endpoints = registry.endpoints()
    bodies = _bodies(endpoints)
    schemas, components = msgspec.json.schema_components(bodies, ref_template=REF_TEMPLATE)
    schema_of = dict(zip(bodies, schemas, strict=True))
    paths: dict[str, dict[str, Any]] = {}
    security_schemes: dict[str, Any] = {}
    for e in endpoints:
        paths.setdefault(API_ROOT + e.path, {})[e.method.lower()] = _operation(e, schema_of)
        if e.auth is not None:
            security_schemes[e.auth.scheme_name] = dict(e.auth.scheme)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Youthline HTTP API",
            "version": "1",
            "description": _DESCRIPTION,
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "paths": paths,
        "components": {"schemas": _tidy(components), "securitySchemes": security_schemes},
    }


@functools.cache
def _served_document() -> dict[str, Any]:
    # Built on the first request, when the URLconf (and so every app's endpoints) has loaded.
    return openapi_document()


@endpoint(
    "openapi.json",
    method="GET",
    name="openapi",
    response=dict[str, Any],
    summary="This document: the HTTP API as OpenAPI 3.1",
)
def openapi(request: HttpRequest) -> dict[str, Any]:
    return _served_document()
