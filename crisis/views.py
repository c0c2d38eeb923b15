"""Lexicon API for the supervisor console (docs/crisis.md). Transport only."""
from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import bearer_principal
from accounts.models import Role
from crisis.services import lexicon
from protocol.http import ApiError, api_view, json_body

EDITORS = (Role.SUPERVISOR, Role.ADMIN)


def _view(v: lexicon.LexiconView) -> dict:
    return {"version": v.version, "document": v.document, "updated_by": v.updated_by, "updated_at": v.updated_at}


@csrf_exempt  # bearer-token API, no cookie authentication
@require_http_methods(["GET", "PUT"])
@api_view
def lexicon_document(request: HttpRequest) -> JsonResponse:
    principal = bearer_principal(request, roles=EDITORS)
    if request.method == "GET":
        return JsonResponse(_view(lexicon.current_lexicon()))
    body = json_body(request)
    base_version, note = body.get("base_version"), body.get("note", "")
    if not isinstance(base_version, int) or not isinstance(note, str):
        raise ApiError(400, "bad_request", "base_version (integer) and note (string) are required")
    try:
        saved = lexicon.do_save_lexicon(author_id=principal.user_id, document=body.get("document"), note=note,
                                        base_version=base_version)
    except lexicon.LexiconRejected as exc:
        raise ApiError(400, "invalid", exc.detail, errors=exc.problems) from None
    except lexicon.StaleBase as exc:
        raise ApiError(409, "invalid", str(exc)) from None
    return JsonResponse(_view(saved))


@require_GET
@api_view
def lexicon_versions(request: HttpRequest) -> JsonResponse:
    bearer_principal(request, roles=EDITORS)
    return JsonResponse({"versions": lexicon.lexicon_versions()})
