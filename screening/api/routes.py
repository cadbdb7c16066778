"""API endpoints. Each one parses JSON, calls one service and returns JSON."""
from __future__ import annotations

from flask import current_app, jsonify

from screening import security
from screening.api.core import any_role, bp, current_api_user, json_body
from screening.api.openapi import openapi_document
from screening.errors import json_error


@bp.get("/openapi.json")
@security.public
def openapi():
    return jsonify(openapi_document())


@bp.get("/me")
@any_role
def me():
    user = current_api_user()
    return jsonify(id=user.id, email=user.email, name=user.name, role=user.role)


@bp.post("/tag")
@any_role
def tag():
    data = json_body(required=("text",))
    from screening.nlp.errors import ModelUnavailable, TaggerInputError
    from screening.nlp.runtime import get_tagger

    text, lang = data.get("text"), data.get("lang")
    if not isinstance(text, str):
        return json_error(422, "text must be a string.", reasons={"text": "must be a string"})
    if lang is not None and lang not in ("ru", "en"):
        return json_error(422, "lang must be 'ru' or 'en'.", reasons={"lang": "must be 'ru' or 'en'"})
    if len(text) > current_app.config["MAX_TAG_CHARS"]:
        return json_error(413, f"text is longer than {current_app.config['MAX_TAG_CHARS']} characters.")
    try:
        return jsonify(get_tagger(current_app).tag(text, lang))
    except TaggerInputError as exc:
        return json_error(422, str(exc))
    except ModelUnavailable as exc:
        return json_error(503, f"The evidence tagger is unavailable: {exc}", "tagger_unavailable")
