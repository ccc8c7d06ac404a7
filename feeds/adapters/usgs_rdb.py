"""USGS RDB site listings (NWIS site service, format=rdb): site number -> (name, lat, lon).

RDB is tab-delimited text: ``#`` comment lines, a header row of column names,
then a field-width row ("5s", "15s", "16n", ...) that is not data, then one row
per site. Decimal positions are ``dec_lat_va`` / ``dec_long_va`` in the datum
of ``dec_coord_datum_cd`` (NAD83 for most US gauges: within about a metre of
WGS-84). Not a feed adapter: a helper for gauge positions and names.
"""

from __future__ import annotations

import math
import re

_SITE = "site_no"
_NAME = "station_nm"
_LAT = "dec_lat_va"
_LON = "dec_long_va"
_WIDTH = re.compile(r"^\d+[sndx]$")  # RDB field-width cell: digits, then s(tring) n(umber) d(ate) x


class RdbError(ValueError):
    """The text is not a USGS RDB site listing."""


def read_sites(payload: bytes) -> dict[str, tuple[str, float | None, float | None]]:
    """Return {site_no: (station name, lat, lon)}; lat/lon are None when a row has no decimal position."""
    lines = [line.rstrip("\r") for line in payload.decode("utf-8", errors="replace").split("\n")]
    rows = [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]
    if len(rows) < 2:
        raise RdbError("no header and field-width rows, so not an RDB file")
    header, widths = [cell.strip() for cell in rows[0]], rows[1]
    if not all(_WIDTH.match(cell.strip()) for cell in widths) or len(widths) != len(header):
        raise RdbError("the row under the header is not a field-width row (5s, 15s, 16n ...)")
    for column in (_SITE, _NAME, _LAT, _LON):
        if column not in header:
            raise RdbError(f"no {column!r} column")
    sites = {}
    for cells in rows[2:]:
        row = dict(zip(header, (cell.strip() for cell in cells)))
        if row.get(_SITE):
            lat, lon = _degrees(row.get(_LAT), 90), _degrees(row.get(_LON), 180)
            both = lat is not None and lon is not None
            sites[row[_SITE]] = (row.get(_NAME, ""), lat if both else None, lon if both else None)
    return sites


def _degrees(text: str | None, limit: float) -> float | None:
    try:
        value = float(text) if text else math.nan
    except ValueError:
        return None
    return value if math.isfinite(value) and abs(value) <= limit else None
