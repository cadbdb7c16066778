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

OBJ = {"type": "object"}
ID = {"type": "integer", "minimum": 1}


def _param(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


SCHEMAS.update({
    "CandidateIn": {"type": "object", "required": ["name", "consent"],
                    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200},
                                   "email": {"type": ["string", "null"], "maxLength": 254},
                                   "phone": {"type": ["string", "null"], "maxLength": 40},
                                   "consent": {"type": "boolean"}}},
    "InterviewIn": {"type": "object", "required": ["candidate_id"],
                    "properties": {"candidate_id": ID, "guide_id": {"type": ["string", "null"]},
                                   "vacancy_id": {"type": ["integer", "null"]}, "lang": {"type": "string", "enum": ["ru", "en"]}}},
    "AnswerIn": {"type": "object",
                 "properties": {"text": {"type": "string", "maxLength": 20000},
                                "rating": {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
                                "notes": {"type": "string"}, "version": {"type": "integer", "minimum": 0}}},
    "Answer": {"type": "object", "required": ["question_id", "text", "version"],
               "properties": {"question_id": {"type": "string"}, "text": {"type": "string"},
                              "rating": {"type": ["integer", "null"]}, "notes": {"type": "string"},
                              "version": {"type": "integer"}, "updated_at": {"type": ["string", "null"]}}},
    "Scorecard": {"type": "object", "required": ["hiring_score", "recommendation", "indicators", "answers"],
                  "properties": {"hiring_score": {"type": ["number", "null"], "minimum": 0, "maximum": 100},
                                 "recommendation": {"type": "string",
                                                    "description": "band of the score under the thresholds in force now"},
                                 "recommendation_when_scored": {"type": ["string", "null"],
                                                                "description": "band under the thresholds at scoring time"},
                                 "thresholds": {"type": "object", "additionalProperties": {"type": "number"}},
                                 "indicators": OBJ, "answers": {"type": "array", "items": OBJ}}},
})

PATHS: dict[str, Any] = {
    "/me": {"get": {"summary": "The token's user", "responses": {"200": _json({"type": "object"}), **_errors(401)}}},
    "/tag": {"post": {
        "summary": "Tag the sentences of a text with indicators and STAR parts",
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TagRequest"}}}},
        "responses": {"200": _json({"$ref": "#/components/schemas/TagResult"}),
                      **_errors(400, 401, 413, 415, 422, 503)}}},
    "/guides": {"get": {"summary": "Interview guides the user may use", "responses": {"200": _json(OBJ), **_errors(401)}}},
    "/guides/{guide_id}": {"get": {
        "summary": "One guide with its ordered questions, probes and targeted indicators",
        "parameters": [_param("guide_id", {"type": "string"})],
        "responses": {"200": _json(OBJ), **_errors(401, 404)}}},
    "/candidates": {"post": {
        "summary": "Create a candidate; consent is required", "requestBody": _body({"$ref": "#/components/schemas/CandidateIn"}),
        "responses": {"201": _json(OBJ, "Created"), **_errors(400, 401, 403, 413, 415, 422)}}},
    "/candidates/{candidate_id}/export": {"get": {
        "summary": "Everything stored about the candidate (right of access); for whoever may view the candidate", "parameters": [_param("candidate_id", ID)],
        "responses": {"200": _json(OBJ), **_errors(401, 403, 404)}}},
    "/candidates/{candidate_id}": {"delete": {
        "summary": "Erase the candidate's personal data and answers (admin)", "parameters": [_param("candidate_id", ID)],
        "responses": {"200": _json(OBJ), **_errors(401, 403, 404)}}},
    "/interviews": {"post": {
        "summary": "Start an interview on the current bank version",
        "requestBody": _body({"$ref": "#/components/schemas/InterviewIn"}),
        "responses": {"201": _json(OBJ, "Created"), **_errors(400, 401, 403, 404, 413, 415, 422)}}},
    "/interviews/{interview_id}": {"get": {
        "summary": "An interview with its questions and answers", "parameters": [_param("interview_id", ID)],
        "responses": {"200": _json(OBJ), **_errors(401, 404)}}},
    "/interviews/{interview_id}/answers/{question_id}": {"put": {
        "summary": "Save an answer; a stale version gets 409 with the current text",
        "parameters": [_param("interview_id", ID), _param("question_id", {"type": "string"})],
        "requestBody": _body({"$ref": "#/components/schemas/AnswerIn"}),
        "responses": {"200": _json({"$ref": "#/components/schemas/Answer"}),
                      **_errors(400, 401, 403, 404, 409, 413, 415, 422)}}},
    "/interviews/{interview_id}/complete": {"post": {
        "summary": "Lock the interview and score it", "parameters": [_param("interview_id", ID)],
        "responses": {"200": _json(OBJ), **_errors(401, 403, 404, 409)}}},
    "/interviews/{interview_id}/scorecard": {"get": {
        "summary": "The scorecard: hiring score, recommendation, evidence with quotes, per-answer ratings",
        "parameters": [_param("interview_id", ID)],
        "responses": {"200": _json({"$ref": "#/components/schemas/Scorecard"}), **_errors(401, 404, 409)}}},
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
