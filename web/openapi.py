"""GET /api/v1/openapi.json: the OpenAPI 3 description of the REST API (a test keeps it true to the routes)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from command.enums import Grade, Severity, Status
from feeds.event import CATEGORIES, MSG_TYPES, STATUSES

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

_ERROR = {"type": "object", "required": ["error"],
          "properties": {"error": {"type": "string", "description": "the sentence in the reader's language "
                                   "(the page's, ?lang= or Accept-Language), times in the duty room's zone"},
                         "code": {"type": "string", "description": "stable machine code, e.g. reason_required, "
                                  "stale_version, invalid_transition, for programs to branch on"},
                         "field": {"type": "string"}}}
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
_ESCALATION_ID = {"name": "escalation_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_ESCALATION = {"type": "object", "required": ["id", "incident_id", "state", "reply_code"],
               "properties": {"id": {"type": "integer"}, "incident_id": {"type": "integer"},
                              "state": {"type": "string"}, "reply_code": {"type": "string"},
                              "acknowledged_at": {"type": ["string", "null"]}, "answers": {"type": "array"},
                              "due_at": {"type": ["string", "null"], "format": "date-time"},
                              "overdue": {"type": "boolean", "description": "the auditor raised the current due "
                                                                            "time and nothing has moved it since"},
                              "step_type": {"type": ["string", "null"],
                                            "description": "the type of the step that is due next"}}}
_SOURCE = {"name": "source", "in": "path", "required": True,
           "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_.-]{0,63}$"}}
_OBLIGATION = {"type": "object", "required": ["id", "incident_id", "rule", "channel", "due_at", "status"],
               "properties": {"id": {"type": "integer"}, "incident_id": {"type": "integer"},
                              "profile": {"type": "string"}, "rule": {"type": "string"},
                              "trigger": {"type": "string", "description": "grade:I..IV | sensitive"},
                              "channel": {"enum": ["phone", "written"]},
                              "base_clock": {"enum": ["occurred_at", "received_at", "triggered_at"]},
                              "base_at": {"type": "string", "format": "date-time"},
                              "due_at": {"type": "string", "format": "date-time"},
                              "status": {"enum": ["open", "filed", "late", "missed"]},
                              "report_id": {"type": ["integer", "null"]},
                              "filed_at": {"type": ["string", "null"], "format": "date-time"},
                              "late_minutes": {"type": ["integer", "null"]}}}
_REPORT = {"type": "object", "required": ["id", "kind", "number", "channel", "fields", "filed_at"],
           "properties": {"id": {"type": "integer"}, "kind": {"enum": ["first", "follow_up", "final"]},
                          "number": {"type": "integer", "description": "1.. for follow-ups (续报 N), 0 otherwise"},
                          "label_zh": {"type": "string"}, "label_en": {"type": "string"},
                          "channel": {"enum": ["phone", "written"]}, "fields": {"type": "object"},
                          "to_verify": {"type": "array", "items": {"type": "string"}},
                          "filed_by": {"type": "string"}, "filed_at": {"type": "string", "format": "date-time"}}}
_REPORT_PATHS = {  # web/reports_api.py
    "/api/v1/incidents/{incident_id}/reports": {
        "get": {"summary": "The incident's report series (首报, 续报 N, 终报) and its obligations with due times",
                "parameters": [_INCIDENT_ID], "responses": _answers({"type": "object", "properties": {
                    "reports": {"type": "array", "items": _REPORT},
                    "obligations": {"type": "array", "items": _OBLIGATION},
                    "next_kinds": {"type": "array", "items": {"type": "string"}}}}, 404)},
        "post": {"summary": "File the next report; 422 with field and code when it breaks a rule of the series",
                 "parameters": [_INCIDENT_ID],
                 "requestBody": {"required": True, **_json({
                     "type": "object", "required": ["kind", "channel", "fields", "actor"],
                     "properties": {"kind": {"enum": ["first", "follow_up", "final"]},
                                    "channel": {"enum": ["phone", "written"]},
                                    "fields": {"type": "object", "description": "first needs time, place, source, "
                                               "nature; final needs casualties, losses, measures, contact"},
                                    "to_verify": {"type": "array", "items": {"type": "string"},
                                                  "description": "fields marked 待核实 (not on the final)"},
                                    "actor": {"type": "string", "minLength": 1}}})},
                 "responses": {"201": {"description": "filed", **_json({"type": "object", "properties": {
                     "report": _REPORT, "discharged": {"type": "array", "items": _OBLIGATION}}})},
                     **{str(c): {"description": "refused", **_json(_ERROR)} for c in (400, 404, 422)}}}},
    "/api/v1/reports/due": {"get": {
        "summary": "Report obligations not yet filed, soonest due first",
        "parameters": [{"name": "status", "in": "query", "required": False, "schema": {"type": "string"},
                        "description": "comma-separated: open (default), missed"},
                       {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer"}}],
        "responses": _answers({"type": "object", "properties": {
            "obligations": {"type": "array", "items": _OBLIGATION}}}, 400)}},
    "/api/v1/reports/monthly": {"get": {
        "summary": "Per department: report obligations due in a month, on time, late (迟报), missed (漏报)",
        "parameters": [{"name": "month", "in": "query", "required": True,
                        "schema": {"type": "string", "pattern": "^\\d{4}-\\d{2}$"}}],
        "responses": _answers({"type": "object", "properties": {
            "departments": {"type": "array", "items": {"type": "object"}}, "total": {"type": "object"}}}, 400)}},
}

_ENTRY_ID = {"name": "entry_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_HANDOVER_ID = {"name": "handover_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_LOG_ENTRY = {"type": "object", "required": ["id", "occurred_at", "written_at", "author", "kind", "summary", "hash"],
              "properties": {"id": {"type": "integer"}, "occurred_at": {"type": "string", "format": "date-time"},
                             "written_at": {"type": "string", "format": "date-time"}, "author": {"type": "string"},
                             "shift_id": {"type": ["integer", "null"]}, "incident_id": {"type": ["integer", "null"]},
                             "escalation_id": {"type": ["integer", "null"]}, "kind": {"type": "string"},
                             "summary": {"type": "string"}, "data": {"type": ["object", "null"]},
                             "significant": {"type": "boolean", "description": "as now flagged"},
                             "corrects_id": {"type": ["integer", "null"]}, "prev_hash": {"type": "string"},
                             "hash": {"type": "string"}, "corrections": {"type": "array"},
                             "flag": {"type": ["object", "null"]}}}
_LOG_FILTERS = [{"name": name, "in": "query", "required": False, "schema": {"type": "string"},
                 "description": description} for name, description in (
    ("incident", "incident number"), ("shift", "shift number"),
    ("kind", "comma-separated kinds, e.g. phone_call,note"), ("significant", "true | false (as now flagged)"),
    ("since", "occurred at or after: ISO date or date-time; without an offset, the duty room's time"),
    ("until", "occurred before: as since"), ("q", "text in the summary"), ("author", "exact author"))]
_HANDOVER = {"type": "object", "required": ["id", "shift_id", "state", "draft", "digest"],
             "properties": {"id": {"type": "integer"}, "shift_id": {"type": "integer"},
                            "incoming_shift_id": {"type": ["integer", "null"]},
                            "state": {"enum": ["draft", "outgoing_signed", "closed"]},
                            "draft": {"type": "object", "description": "open_incidents, unacknowledged_escalations, "
                                      "reports_due, open_items, notes, settled"},
                            "digest": {"type": "string", "description": "SHA-256 of the draft, to sign what was seen"},
                            "outgoing_signed_by": {"type": ["string", "null"]},
                            "incoming_signed_by": {"type": ["string", "null"]}}}
_DUTY_ROOM_PATHS = {  # web/dutylog_api.py and web/handover_page.py
    "/api/v1/dutylog": {"get": {
        "summary": "Duty log entries, newest first, filtered; page with before=<last id>",
        "parameters": [*_LOG_FILTERS,
                       {"name": "before", "in": "query", "required": False, "schema": {"type": "integer"}},
                       {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer"}}],
        "responses": _answers({"type": "object", "properties": {
            "entries": {"type": "array", "items": _LOG_ENTRY}, "next_before": {"type": ["integer", "null"]},
            "shift": {"type": "object"}}}, 400)}},
    "/api/v1/dutylog/export": {"get": {
        "summary": "The filtered log as CSV (UTF-8 with BOM), oldest first, streamed",
        "parameters": [*_LOG_FILTERS, {"name": "format", "in": "query", "required": False,
                                       "schema": {"enum": ["csv"]}}],
        "responses": {"200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}},
                      "400": {"description": "refused", **_json(_ERROR)}}}},
    "/api/v1/dutylog/verify": {"get": {
        "summary": "Walk the hash chain and name the first broken entry",
        "responses": _answers({"type": "object", "properties": {
            "ok": {"type": "boolean"}, "checked": {"type": "integer"},
            "first_broken_id": {"type": ["integer", "null"]}, "reason": {"type": ["string", "null"]}}})}},
    "/api/v1/dutylog/phone-calls": {"post": {
        "summary": "Record an inbound or outbound phone call in the log; 422 lists every wrong field",
        "requestBody": {"required": True, **_json({
            "type": "object", "required": ["direction", "unit", "situation", "recorded_by"],
            "properties": {"direction": {"enum": ["inbound", "outbound"]},
                           "occurred_at": {"type": "string", "description": "ISO; without an offset, duty room time"},
                           "unit": {"type": "string", "maxLength": 128}, "name": {"type": "string", "maxLength": 64},
                           "post": {"type": "string", "maxLength": 64},
                           "number": {"type": "string", "maxLength": 32, "description": "required when inbound"},
                           "place": {"type": "string", "maxLength": 256},
                           "situation": {"type": "string", "maxLength": 4000},
                           "trend": {"type": "string", "maxLength": 2000},
                           "already_told": {"type": "string", "maxLength": 512},
                           "recorded_by": {"type": "string", "maxLength": 128},
                           "incident_id": {"type": ["integer", "null"]}}})},
        "responses": {"201": {"description": "recorded", **_json(_LOG_ENTRY)},
                      **{str(c): {"description": "refused", **_json(_ERROR)} for c in (400, 422)}}}},
    "/api/v1/dutylog/{entry_id}/significant": {"post": {
        "summary": "The leader on duty flags or unflags an entry with a reason (a new entry)",
        "parameters": [_ENTRY_ID],
        "requestBody": {"required": True, **_json({
            "type": "object", "required": ["significant", "reason", "actor"],
            "properties": {"significant": {"type": "boolean"}, "reason": {"type": "string", "maxLength": 500},
                           "actor": {"type": "string", "maxLength": 128}}})},
        "responses": {**_answers({"type": "object"}, 400, 403, 404, 422),
                      "201": {"description": "flag entry appended", **_json({"type": "object"})}}}},
    "/api/v1/dutylog/{entry_id}/corrections": {"post": {
        "summary": "Correct an entry: a new correction entry pointing at it",
        "parameters": [_ENTRY_ID],
        "requestBody": {"required": True, **_json({
            "type": "object", "required": ["summary", "actor"],
            "properties": {"summary": {"type": "string", "maxLength": 4000},
                           "actor": {"type": "string", "maxLength": 128}}})},
        "responses": {"201": {"description": "correction appended", **_json(_LOG_ENTRY)},
                      **{str(c): {"description": "refused", **_json(_ERROR)} for c in (400, 404, 422)}}}},
    "/api/v1/handovers": {"post": {
        "summary": "Draft (or refresh) a shift's handover; default the shift due now. 201 new, 200 refreshed",
        "requestBody": {"required": False, **_json({"type": "object",
                                                    "properties": {"shift_id": {"type": "integer"}}})},
        "responses": {**_answers(_HANDOVER, 400, 404, 422), "201": {"description": "drafted", **_json(_HANDOVER)}}}},
    "/api/v1/handovers/current": {"get": {
        "summary": "The shift whose handover is due now (or ?shift=), its incoming shift and its handover",
        "parameters": [{"name": "shift", "in": "query", "required": False, "schema": {"type": "integer"}}],
        "responses": _answers({"type": "object", "properties": {
            "shift": {"type": "object"}, "incoming_shift": {"type": ["object", "null"]},
            "handover": {"oneOf": [_HANDOVER, {"type": "null"}]}}}, 400, 404)}},
    "/api/v1/handovers/{handover_id}": {"get": {
        "summary": "One handover", "parameters": [_HANDOVER_ID], "responses": _answers(_HANDOVER, 404)}},
    "/api/v1/handovers/{handover_id}/notes": {"post": {
        "summary": "Set notes and settle or reopen open items, before the outgoing signature",
        "parameters": [_HANDOVER_ID],
        "requestBody": {"required": True, **_json({
            "type": "object", "required": ["actor"],
            "properties": {"actor": {"type": "string"}, "notes": {"type": "string", "maxLength": 4000},
                           "settled": {"type": "object", "description": "item key -> remark, or null to reopen"}}})},
        "responses": _answers(_HANDOVER, 400, 404, 409, 422)}},
    "/api/v1/handovers/{handover_id}/sign": {"post": {
        "summary": "Sign as outgoing (first) or incoming officer; the incoming signature closes the shift",
        "parameters": [_HANDOVER_ID],
        "requestBody": {"required": True, **_json({
            "type": "object", "required": ["role", "actor"],
            "properties": {"role": {"enum": ["outgoing", "incoming"]}, "actor": {"type": "string"},
                           "digest": {"type": "string", "description": "the draft's digest as shown (outgoing)"}}})},
        "responses": _answers(_HANDOVER, 400, 403, 404, 409, 422)}},
}


_SWAP = {"type": "object", "required": ["id", "shift_id", "post", "status"],
         "properties": {"id": {"type": "integer"}, "shift_id": {"type": "integer"},
                        "post": {"enum": ["duty_officer", "leader"]},
                        "status": {"enum": ["requested", "approved", "refused"]},
                        "from_person": {"type": ["object", "null"]}, "to_person": {"type": "object"},
                        "requested_by": {"type": "string"}, "decided_by": {"type": ["string", "null"]}}}
_JOB_ID = {"name": "job_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_JOB = {"type": "object", "required": ["id", "kind", "status", "progress"],
        "properties": {"id": {"type": "integer"}, "kind": {"enum": ["report", "handover", "daily", "monthly"]},
                       "params": {"type": "object"}, "format": {"enum": ["pdf", "html"]},
                       "language": {"enum": ["zh", "en"]}, "status": {"enum": ["queued", "running", "done", "failed"]},
                       "progress": {"type": "integer", "minimum": 0, "maximum": 100},
                       "error": {"type": ["string", "null"]}, "file_name": {"type": ["string", "null"]},
                       "url": {"type": "string"}, "file_url": {"type": ["string", "null"]}}}
_ROSTER_DOCUMENT_PATHS = {  # web/roster_api.py and web/documents_api.py
    "/api/v1/roster": {"get": {
        "summary": "Shifts of the next days and the gaps per post (UTC times)",
        "parameters": [{"name": "days", "in": "query", "required": False,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 31}}],
        "responses": _answers({"type": "object", "properties": {"shifts": {"type": "array"},
                                                                "gaps": {"type": "array"}}}, 400)}},
    "/api/v1/roster/swaps": {
        "get": {"summary": "Roster swaps, newest first",
                "parameters": [{"name": "status", "in": "query", "required": False,
                                "schema": {"enum": ["requested", "approved", "refused"]}}],
                "responses": _answers({"type": "object", "properties": {
                    "swaps": {"type": "array", "items": _SWAP}}}, 400)},
        "post": {"summary": "Ask for a swap of one post of one shift (logged)",
                 "requestBody": {"required": True, **_json({
                     "type": "object", "required": ["shift_id", "post", "to_person", "actor"],
                     "properties": {"shift_id": {"type": "integer"}, "post": {"enum": ["duty_officer", "leader"]},
                                    "to_person": {"type": ["string", "integer"], "description": "username or id"},
                                    "reason": {"type": "string", "maxLength": 1000}, "actor": {"type": "string"}}})},
                 "responses": {"201": {"description": "requested", **_json(_SWAP)},
                               **{str(c): {"description": "refused", **_json(_ERROR)} for c in (400, 404, 409, 422)}}}},
    "/api/v1/roster/swaps/{swap_id}/decision": {"post": {
        "summary": "Approve (the post changes hands) or refuse a requested swap; decided once, logged",
        "parameters": [{"name": "swap_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "requestBody": {"required": True, **_json({
            "type": "object", "required": ["decision", "actor"],
            "properties": {"decision": {"enum": ["approve", "refuse"]}, "actor": {"type": "string"},
                           "reason": {"type": "string"}}})},
        "responses": _answers(_SWAP, 400, 403, 404, 409, 422)}},
    "/api/v1/documents": {
        "get": {"summary": "The newest document jobs",
                "parameters": [{"name": "limit", "in": "query", "required": False, "schema": {"type": "integer"}}],
                "responses": _answers({"type": "object", "properties": {
                    "documents": {"type": "array", "items": _JOB}}}, 400)},
        "post": {"summary": "Ask for a document, made in the background (poll the job, then fetch its file)",
                 "requestBody": {"required": True, **_json({
                     "type": "object", "required": ["kind", "params", "actor"],
                     "properties": {"kind": {"enum": ["report", "handover", "daily", "monthly"]},
                                    "params": {"type": "object", "description": "report: {report_id}; handover: "
                                               "{handover_id}; daily: {date: YYYY-MM-DD}; monthly: {month: YYYY-MM}"},
                                    "format": {"enum": ["pdf", "html"]}, "language": {"enum": ["zh", "en"]},
                                    "actor": {"type": "string"}}})},
                 "responses": {"202": {"description": "queued", **_json(_JOB)},
                               **{str(c): {"description": "refused", **_json(_ERROR)} for c in (400, 422)}}}},
    "/api/v1/documents/{job_id}": {"get": {
        "summary": "A document job's status and progress", "parameters": [_JOB_ID],
        "responses": _answers(_JOB, 404)}},
    "/api/v1/documents/{job_id}/file": {"get": {
        "summary": "The finished document (PDF as attachment, HTML inline); 409 while not done",
        "parameters": [_JOB_ID, {"name": "download", "in": "query", "required": False, "schema": {"enum": ["1"]}}],
        "responses": {"200": {"description": "the document", "content": {
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            "text/html": {"schema": {"type": "string"}}}},
            **{str(c): {"description": "not found, or not done", **_json(_ERROR)} for c in (404, 409)}}}},
}


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
        "components": {"securitySchemes": {
            "feedToken": {"type": "http", "scheme": "bearer", "description": "a feed's ingest token (vgf_…)"},
            "personalToken": {"type": "http", "scheme": "bearer",
                              "description": "a person's API token (vgu_…, `python -m command users token NAME`)"},
            "session": {"type": "apiKey", "in": "cookie", "name": "vigil_session",
                        "description": "a logged-in browser; state-changing requests also send X-CSRF-Token"}}},
        "security": [{"personalToken": []}, {"session": []}],
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
                        ("415", "format unknown"), ("422", "rejected"),
                        ("429", "over the feed's rate limit; retry after Retry-After seconds"),
                        ("503", "database unavailable"))},
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
            "/api/v1/escalations": {"get": {
                "summary": "Escalations, newest first", "parameters": [
                    {"name": "state", "in": "query", "required": False, "schema": {"type": "string"},
                     "description": "comma-separated: active (default), acknowledged, resolved, finished, cancelled, "
                                    "superseded"},
                    {"name": "department", "in": "query", "required": False, "schema": {"type": "string"}},
                    {"name": "incident", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1},
                     "description": "only this incident's escalations"},
                    {"name": "overdue", "in": "query", "required": False, "schema": {"type": "boolean"},
                     "description": "true: only escalations whose due step the auditor raised as overdue and that "
                                    "have not moved on since; false: only the others"},
                    {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer"}}],
                "responses": _answers({"type": "object", "properties": {
                    "escalations": {"type": "array", "items": _ESCALATION}}}, 400)}},
            "/api/v1/escalations/{escalation_id}": {"get": {
                "summary": "One escalation with its playbook snapshot, notifications and duty-log entries",
                "parameters": [_ESCALATION_ID], "responses": _answers(_ESCALATION, 404)}},
            "/api/v1/escalations/{escalation_id}/answers": {"post": {
                "summary": "Acknowledge, say we are going, or not ours (escalates at once); idempotent",
                "parameters": [_ESCALATION_ID],
                "requestBody": {"required": True, **_json({
                    "type": "object", "required": ["actor", "answer"],
                    "properties": {"actor": {"type": "string", "minLength": 1, "maxLength": 128},
                                   "answer": {"enum": ["acknowledge", "going", "not_ours"]},
                                   "via": {"enum": ["web", "api", "sms"]}}})},
                "responses": {**_answers(_ESCALATION, 400, 404, 409, 422),
                              "201": {"description": "answer recorded", **_json(_ESCALATION)}}}},
            **_REPORT_PATHS,
            **_DUTY_ROOM_PATHS,
            **_ROSTER_DOCUMENT_PATHS,
            "/api/v1/openapi.json": {"get": {"summary": "This document", "responses": _answers({"type": "object"})}},
            "/api/v1/me": {"get": {"summary": "Who is logged in: name, role, departments, and the CSRF token for "
                                              "state-changing requests from a session",
                                   "responses": _answers({"type": "object", "required": ["username", "role"]}, 401)}},
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    """Serve the OpenAPI document."""
    return jsonify(spec())
