"""Swedish Police Authority events API (polisen.se/api/events), read by the CAD adapter with mapping polisen.

A JSON array of events: id, datetime (published or updated, '2025-06-07 7:32:06
+02:00' with an unpadded hour), name ('06 juni 18.50, Trafikbrott, Kungsör': the
local time it happened, then type and place), summary, url (relative), type and
location {name, gps 'lat,lon'}. The position is a municipality's or a county's
centre, never the scene; a county (län) is said in ``guessed``. The API gives no
priority: severity is unknown. Details in ``cad_mappings/polisen.yaml``.
"""

from __future__ import annotations

from feeds.adapters import adapter_util as util
from feeds.adapters import cad

SOURCE = "polisen"
TITLE = "Swedish Police events (polisen.se/api/events)"
FORMAT = "JSON array (polisen.se events API)"
DEFAULT_POLL_SECONDS = 300  # events are written up by hand, minutes to hours after the fact
EXAMPLE = "polisen_se_events_2025-06-07.json"
MAPPING = cad.load_mapping("polisen")


def detect(payload: bytes) -> bool:
    """Return True when the bytes look like a polisen.se events array."""
    return payload[:1024].lstrip().startswith(b"[") and cad.detect(payload, MAPPING)


def parse_report(payload: bytes, source: str = SOURCE) -> util.Report:
    """Return (events, skipped) where skipped lists (item index, reason) of the events that could not be read."""
    return cad.parse_report(payload, source, MAPPING)



parse = util.events_only(parse_report)