"""GET /api/v1/openapi.json: the OpenAPI 3 description of the REST API (a test keeps it true to the routes)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from command.enums import Grade, Severity, Status
from feeds.event import CATEGORIES, MSG_TYPES, STATUSES

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

_ERROR = {"type": "object", "required": ["error"],
          "properties": {"error": {"type": "string"}, "field": {"type": "string"}}}
_FEATURE = {"type": "object", "required": ["type", "id", "geometry", "properties"],
            "properties": {"type": {"const": "Feature"}, "id": {"type": "integer"},
                           "geometry": {"type": ["object", "null"]}, "properties": {"type": "object"}}}
_EVENT = {
    "type": "object", "required": ["external_id"], "additionalProperties": False,
    "properties": {
        "external_id": {"type": "string"}, "version": {"type": "string"}, "headline": {"type": "string"},
        "msg_type": {"enum": list(MSG_TYPES)}, "status": {"enum": list(STATUSES)},
        "category": {"type": "string", "description": f"one of {', '.join(CATEGORIES)}; others become other"},
        "severity": {"type": "string", "description": "extreme|severe|moderate|minor; others become unknown"},
        "urgency": {"type": "string"}, "certainty": {"type": "string"}, "event": {"type": "string"},
        "description": {"type": "string"}, "instruction": {"type": "string"}, "scope": {"type": "string"},
        "sender": {"type": "string"}, "response_type": {"type": "string"},
        **{name: {"type": "string", "format": "date-time"}
           for name in ("occurred_at", "sent_at", "effective_at", "expires_at")},
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "lon": {"type": "number", "minimum": -180, "maximum": 180},
        "area": {"type": ["object", "null"], "description": "a GeoJSON geometry, [lon, lat]"},
        "address": {"type": "string"}, "region_code": {"type": "string"}, "language": {"type": "string"},
        "references": {"type": "array", "items": {"type": "string"}}, "raw_level": {"type": "string"},
        "guessed": {"type": "array", "items": {"type": "string"}},
    },
}
_CHANGE_COMMON = {"version": {"type": "integer"}, "actor": {"type": "string", "minLength": 1},
                  "reason": {"type": "string"}}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _answers(ok: dict, *errors: int) -> dict:
    answers = {"200": {"description": "OK", **_json(ok)}}
    answers.update({str(code): {"description": "refused", **_json(_ERROR)} for code in errors})
    return answers


def _change(description: str, fields: dict, required: list[str]) -> dict:
    body = {"type": "object", "required": ["version", "actor", *required],
            "properties": {**_CHANGE_COMMON, **fields}}
    return {"post": {"summary": description, "parameters": [_INCIDENT_ID],
                     "requestBody": {"required": True, **_json(body)},
                     "responses": _answers({"type": "object", "properties": {"incident": _FEATURE}},
                                           400, 404, 409, 422)}}


_INCIDENT_ID = {"name": "incident_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_SOURCE = {"name": "source", "in": "path", "required": True,
           "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_.-]{0,63}$"}}


def spec() -> dict:
    """Return the OpenAPI document."""
    collection = {"type": "object", "properties": {"type": {"const": "FeatureCollection"},
                                                   "features": {"type": "array", "items": _FEATURE}}}
    list_filters = [{"name": name, "in": "query", "required": False, "schema": {"type": "string"},
                     "description": description} for name, description in (
        ("source", "comma-separated feed names"), ("severity", "|".join(s.value for s in Severity)),
        ("grade", "|".join(g.value for g in Grade)), ("status", "|".join(s.value for s in Status)),
        ("category", "CAP categories"), ("q", "text in headline, event or address"),
        ("since", "ISO 8601 time with offset"), ("limit", "1..50000"))]
    return {
        "openapi": "3.1.0",
        "info": {"title": "Vigil", "version": "1", "description": "Emergency duty and incident coordination"},
        "components": {"securitySchemes": {"feedToken": {"type": "http", "scheme": "bearer"}}},
        "paths": {
            "/api/v1/feeds": {"get": {"summary": "Every feed's health", "responses": _answers(
                {"type": "object", "properties": {"feeds": {"type": "array", "items": {"type": "object"}}}})}},
            "/api/v1/feeds/{source}/events": {"post": {
                "summary": "Push normalized events or the source's raw payload",
                "security": [{"feedToken": []}],
                "parameters": [_SOURCE, {"name": "format", "in": "query", "required": False,
                                         "schema": {"type": "string"}}],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"oneOf": [_EVENT, {"type": "array", "items": _EVENT}]}},
                    "application/xml": {"schema": {"type": "string"}},
                    "text/csv": {"schema": {"type": "string"}}}},
                "responses": {
                    "201": {"description": "stored", **_json({"type": "object"})},
                    **{code: {"description": text, **_json(_ERROR)} for code, text in (
                        ("200", "all duplicates"), ("207", "some items rejected"), ("400", "not events"),
                        ("401", "bad token"), ("404", "bad source name"), ("413", "too large"),
                        ("415", "format unknown"), ("422", "rejected"), ("503", "database unavailable"))},
                }}},
            "/api/v1/incidents": {"get": {"summary": "Incidents as GeoJSON, newest change first",
                                          "parameters": list_filters, "responses": _answers(collection, 400)}},
            "/api/v1/incidents/{incident_id}": {"get": {
                "summary": "One incident with its events and timeline", "parameters": [_INCIDENT_ID],
                "responses": _answers({"type": "object", "required": ["incident", "events", "timeline"],
                                       "properties": {"incident": _FEATURE, "events": {"type": "array"},
                                                      "timeline": {"type": "array"}}}, 404)}},
            "/api/v1/incidents/{incident_id}/actions": _change(
                "Acknowledge, respond, resolve, close or reopen",
                {"action": {"enum": ["acknowledge", "respond", "resolve", "close", "reopen"]}}, ["action"]),
            "/api/v1/incidents/{incident_id}/grade": _change(
                "Confirm or change the grade (reason required)",
                {"grade": {"enum": [g.value for g in Grade]}}, ["grade", "reason"]),
            "/api/v1/incidents/{incident_id}/harm": _change(
                "Record deaths, serious injuries and direct loss (reason required)",
                {name: {"type": ["integer", "null"], "minimum": 0}
                 for name in ("deaths", "serious_injuries", "direct_loss_yuan")}, ["reason"]),
            "/api/v1/incidents/{incident_id}/sensitive": _change(
                "Flag or unflag as sensitive", {"sensitive": {"type": "boolean"}}, ["sensitive"]),
            "/api/v1/incidents/{incident_id}/merge": _change(
                "Merge into another incident (reversible)", {"into": {"type": "integer"}}, ["into"]),
            "/api/v1/incidents/{incident_id}/split": _change("Undo a merge", {}, []),
            "/api/v1/incidents/{incident_id}/notes": {"post": {
                "summary": "Add a note to the timeline", "parameters": [_INCIDENT_ID],
                "requestBody": {"required": True, **_json({"type": "object", "required": ["text", "actor"],
                                                          "properties": {"text": {"type": "string"},
                                                                         "actor": {"type": "string"}}})},
                "responses": {"201": {"description": "added", **_json({"type": "object"})},
                              **{str(c): {"description": "refused", **_json(_ERROR)} for c in (400, 404, 422)}}}},
            "/api/v1/incidents/{incident_id}/lease": {
                method: {"summary": summary, "parameters": [_INCIDENT_ID],
                         "requestBody": {"required": True, **_json({"type": "object", "required": ["actor"],
                                                                   "properties": {"actor": {"type": "string"}}})},
                         "responses": _answers({"type": "object"}, 400, 404, 409)}
                for method, summary in (("post", "Say who is editing (two minutes, renewable)"),
                                        ("delete", "Stop editing"))},
            "/api/v1/correlations": {"get": {
                "summary": "Correlation proposals", "parameters": [{
                    "name": "status", "in": "query", "required": False,
                    "schema": {"enum": ["proposed", "merged", "dismissed", "split"]}}],
                "responses": _answers({"type": "object"}, 400)}},
            "/api/v1/correlations/{proposal_id}/dismiss": {"post": {
                "summary": "Dismiss a correlation proposal",
                "parameters": [{"name": "proposal_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "requestBody": {"required": True, **_json({"type": "object", "required": ["actor"],
                                                          "properties": {"actor": {"type": "string"}}})},
                "responses": _answers({"type": "object"}, 400, 404, 409)}},
            "/api/v1/openapi.json": {"get": {"summary": "This document", "responses": _answers({"type": "object"})}},
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    """Serve the OpenAPI document."""
    return jsonify(spec())
