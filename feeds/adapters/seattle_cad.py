"""Seattle Police Department "Call Data" CSV (calls for service), read by the CAD adapter with mapping seattle_spd.

Columns: CAD Event Number, Event Clearance Description, Call Type, Priority,
Initial Call Type, Final Call Type, Original Time Queued (US 12-hour Seattle
local time), Arrived Time (empty for calls nobody arrived at), Precinct, Sector,
Beat, Blurred_Longitude, Blurred_Latitude. Priority 1 maps to severe, 2 to
moderate, 3-7 to minor; everything else is in ``cad_mappings/seattle_spd.yaml``.
"""

from __future__ import annotations

from feeds.adapters import adapter_util as util
from feeds.adapters import cad

SOURCE = "seattle_cad"
TITLE = "Seattle Police Department Call Data (calls for service, CSV)"
FORMAT = "CSV (data.seattle.gov SPD Call Data export)"
DEFAULT_POLL_SECONDS = 900  # the open-data export is refreshed in batches, not live
EXAMPLE = "seattle_spd_call_data_sector_c3_2018-2023.csv"
MAPPING = cad.load_mapping("seattle_spd")


def detect(payload: bytes) -> bool:
    """Return True when the first line is an SPD Call Data header."""
    return payload[:40].lstrip(b"\xef\xbb\xbf").startswith(b"CAD Event Number,") and cad.detect(payload, MAPPING)


def parse_report(payload: bytes, source: str = SOURCE) -> util.Report:
    """Return (events, skipped) where skipped lists (row index, reason) of the calls that could not be read."""
    return cad.parse_report(payload, source, MAPPING)



parse = util.events_only(parse_report)