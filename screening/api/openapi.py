"""The OpenAPI 3.1 description of /api/v1, kept beside the routes it describes."""
from __future__ import annotations

from typing import Any

ERROR = {"$ref": "#/components/schemas/Error"}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(c): {"description": "Error", "content": {"application/json": {"schema": ERROR}}} for c in codes}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error", "message"],
              "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                             "reasons": {"type": "object"}, "current": {"type": "object"}}},
    "TagRequest": {"type": "object", "required": ["text"],
                   "properties": {"text": {"type": "string", "maxLength": 50000},
                                  "lang": {"type": "string", "enum": ["ru", "en"]}}},
    "TaggedSentence": {"type": "object", "required": ["text", "start", "end", "indicators", "probabilities", "star"],
                       "properties": {"text": {"type": "string"}, "start": {"type": "integer"},
                                      "end": {"type": "integer"},
                                      "indicators": {"type": "array", "items": {"type": "string"}},
                                      "probabilities": {"type": "object",
                                                        "additionalProperties": {"type": "number"}},
                                      "star": {"type": ["string", "null"]}}},
    "TagResult": {"type": "object", "required": ["lang", "model_version", "sentences"],
                  "properties": {"lang": {"type": "string"}, "model_version": {"type": "string"},
                                 "sentences": {"type": "array",
                                               "items": {"$ref": "#/components/schemas/TaggedSentence"}}}},
}

PATHS: dict[str, Any] = {
    "/me": {"get": {"summary": "The token's user", "responses": {"200": _json({"type": "object"}), **_errors(401)}}},
    "/tag": {"post": {
        "summary": "Tag the sentences of a text with indicators and STAR parts",
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TagRequest"}}}},
        "responses": {"200": _json({"$ref": "#/components/schemas/TagResult"}),
                      **_errors(400, 401, 413, 415, 422, 503)}}},
}


def register_path(path: str, spec: dict[str, Any]) -> None:
    """Feature modules add their endpoints' descriptions here."""
    PATHS.setdefault(path, {}).update(spec)


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Screening API", "version": "1.0.0",
                 "description": "Structured interviews for client orientation."},
        "servers": [{"url": "/api/v1"}],
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": PATHS,
    }
