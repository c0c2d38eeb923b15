"""No servers: the HTTP endpoint registry, its one validation step, and the OpenAPI document built from it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from accounts.models import Channel, Role
from protocol.http import API_ROOT, MAX_BODY_BYTES, registry
from protocol.openapi import openapi_document

HTTP = Client(HTTP_HOST="127.0.0.1")


@pytest.fixture(scope="module")
def document() -> dict:
    assert get_resolver().url_patterns  # loading the URLconf registers every app's endpoints, as in a server
    return openapi_document()


def api_urls() -> set[str]:
    """Every URL the URLconf serves under /api/v1/, as an OpenAPI path."""
    found: set[str] = set()

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            text = str(p.pattern).lstrip("^").removesuffix("$").removesuffix("/?").rstrip("/")
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + text + ("/" if text else ""))
            elif isinstance(p, URLPattern):
                found.add("/" + prefix + text)

    walk(get_resolver().url_patterns, "")
    return {url for url in found if url.startswith(API_ROOT)}


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_registered_endpoint_is_in_the_document(document):
    registered = {(API_ROOT + e.path, e.method.lower()) for e in registry.endpoints()}
    documented = {(path, method) for path, operations in document["paths"].items() for method in operations}
    assert registered == documented
    assert {
        ("/api/v1/auth/login", "post"),
        ("/api/v1/crisis/lexicon", "put"),
        ("/api/v1/openapi.json", "get"),
    } <= documented


def test_every_url_under_the_api_root_is_in_the_document(document):
    urls = api_urls()
    assert "/api/v1/auth/youth" in urls and "/api/v1/crisis/lexicon/versions" in urls
    assert urls - set(document["paths"]) == set()


def test_bearer_endpoints_declare_security_and_their_refusals(document):
    lexicon = document["paths"]["/api/v1/crisis/lexicon"]
    for operation in lexicon.values():
        assert operation["security"] == [{"bearer": []}]
        assert {"401", "403"} <= set(operation["responses"])
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert "security" not in document["paths"]["/api/v1/auth/login"]["post"]
    assert "security" not in document["paths"]["/api/v1/openapi.json"]["get"]
    # A rejected lexicon lists its problems; the document says so.
    put_400 = lexicon["put"]["responses"]["400"]["content"]["application/json"]["schema"]
    assert put_400["properties"]["error"]["enum"] == ["bad_request", "invalid"]


def _validator(document: dict, schema: dict) -> OAS31Validator:
    """A validator for one documented schema; its `#/components/...` references resolve in the document's."""
    return OAS31Validator({**schema, "components": document["components"]})


def test_every_example_matches_its_documented_schema_and_errors_have_the_contract_shape(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if status.startswith("4"):
                    schema = answer["content"]["application/json"]["schema"]
                    code = schema["properties"]["error"]["enum"][0]
                    _validator(document, schema).validate({"error": code, "detail": "why"})
                    with pytest.raises(ValidationError):
                        _validator(document, schema).validate({"detail": "no code"})
            if "requestBody" not in operation:
                continue
            media = operation["requestBody"]["content"]["application/json"]
            assert "example" in media, f"{method} {path} has no example"
            _validator(document, media["schema"]).validate(media["example"])


def test_the_schemas_say_what_the_models_allow(document):
    schemas = document["components"]["schemas"]
    assert set(schemas["YouthSignUp"]["properties"]["channel"]["enum"]) == set(Channel.values)
    assert set(schemas["StaffTokens"]["properties"]["role"]["enum"]) == {Role.COUNSELOR, Role.SUPERVISOR, Role.ADMIN}


# ----- the one validation step, through the URLconf (no database is reached) ---------------------
def post(path: str, raw: bytes, **headers: Any):
    return HTTP.generic("POST", path, raw, content_type="application/json", **headers)


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b'{"refresh": "a"',
        b'["a"]',
        b'"a"',
        b"\xff\xfe\x00",
        b"{}",
        b'{"refresh": null}',
        b'{"refresh": 12345}',
        b"",
    ],
    ids=["text", "truncated", "array", "string", "binary", "empty-object", "null", "number", "no-body"],
)
def test_a_body_that_does_not_match_the_schema_is_bad_request(raw):
    answer = post("/api/v1/auth/refresh", raw)
    assert answer.status_code == 400, answer.content
    body = json.loads(answer.content)
    assert body["error"] == "bad_request" and body["detail"] and set(body) == {"error", "detail"}


def test_a_body_over_the_limit_is_too_large():
    answer = post("/api/v1/auth/refresh", json.dumps({"refresh": "x" * MAX_BODY_BYTES}).encode())
    assert (answer.status_code, json.loads(answer.content)["error"]) == (413, "too_large")


def test_a_well_formed_body_reaches_the_service():
    answer = post("/api/v1/auth/refresh/", json.dumps({"refresh": "not.a-token", "unknown": 1}).encode())
    assert (answer.status_code, json.loads(answer.content)["error"]) == (401, "unauthorized")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/api/v1/auth/login", "POST"),
        ("PUT", "/api/v1/service", "GET"),
        ("DELETE", "/api/v1/crisis/lexicon", "GET, PUT"),
        ("POST", "/api/v1/openapi.json", "GET"),
    ],
)
def test_other_methods_are_not_allowed(method, path, allowed):
    answer = HTTP.generic(method, path)
    assert answer.status_code == 405 and answer["Allow"] == allowed


@pytest.mark.parametrize("authorization", [None, "Basic abc", "Bearer", "Bearer not.a-token"])
def test_a_bearer_endpoint_refuses_without_a_good_token_before_reading_the_body(authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    answer = HTTP.generic("PUT", "/api/v1/crisis/lexicon", b"not json", content_type="application/json", **headers)
    assert (answer.status_code, json.loads(answer.content)["error"]) == (401, "unauthorized")


def test_the_document_is_served_publicly(document):
    answer = HTTP.get("/api/v1/openapi.json")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    served = json.loads(answer.content)
    assert served == json.loads(json.dumps(document))
    text = answer.content.decode()
    assert settings.SECRET_KEY not in text and settings.JWT_SIGNING_KEY not in text


def test_a_view_that_returns_the_wrong_type_is_a_server_bug_not_a_body():
    from accounts.schemas import TokenPair, YouthTokens
    from protocol.http import Endpoint

    def view(request):  # never called: answer() only names it in its error
        raise AssertionError

    answering = Endpoint(
        path="x",
        method="GET",
        view=view,
        name="x",
        app="tests",
        summary="x",
        request=None,
        response=TokenPair,
        status=200,
        auth=None,
        throttle=None,
        refusals=(),
        example=None,
    )
    assert json.loads(answering.answer(TokenPair(access="a", refresh="r")).content) == {"access": "a", "refresh": "r"}
    with pytest.raises(TypeError):
        answering.answer(YouthTokens(access="a", refresh="r", youth_id=1))
    with pytest.raises(TypeError):
        answering.answer({"access": "a", "refresh": "r"})


def test_services_and_selectors_know_nothing_of_http_bodies():
    """Services return domain results; only views turn them into schemas (docs/architecture.md)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in [*root.glob("*/services/*.py"), *root.glob("*/services.py"), *root.glob("*/selectors.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            imported = [n for n in names if n.endswith(".schemas") or n in ("protocol.http", "django.http")]
            if isinstance(node, ast.ImportFrom) and any(a.name == "schemas" for a in node.names):
                imported.append(f"{node.module}.schemas")
            offenders += [f"{path.relative_to(root)}: {n}" for n in imported]
    assert offenders == []
