"""Computer-aided dispatch exports (110 / 119 / 911 calls for service), CSV or JSON, read through a YAML mapping.

A county connects its own export without code: a mapping file in
``feeds/adapters/cad_mappings/`` (see ``example_110.yaml`` and ``cad_mapping.py``) says
which column holds the call number, the time, the call type, the priority,
the position, the address and the status. One row or item is one call:

- ``external_id`` is the call number; ``version`` the call time plus the status,
  so a status change is a new version; a status listed under ``cancel``
  (closed, cleared, 已结案) makes the event a cancel of that call.
- ``sent_at`` is the mapped ``time``; ``occurred_at`` the optional ``occurred``
  time, else the same. Naive times are read in the mapping's time zone; one
  that falls in a daylight-saving change is noted in ``guessed``.
- ``severity`` comes from the mapping's priority table (``raw_level`` keeps the
  priority as written; an unlisted priority is ``unknown``); ``category`` is a
  constant or looked up by call type.
- A position that is not two numbers, is 0,0 or is off the globe is left out,
  and a latitude/longitude pair written the wrong way round is swapped, each
  with a note in ``guessed``.

``parse`` needs a mapping (a name, a path or a loaded ``Mapping``); a wrong
mapping raises ``MappingError``, a payload that does not fit it ``PayloadRefused``.
Thin wrappers with a preset mapping: ``seattle_cad``, ``polisen``.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from feeds.adapters import adapter_util as util
from feeds.adapters.cad_hooks import DATUMS, TIME_PARSERS
from feeds.adapters.cad_mapping import Column, Mapping, MappingError, Part, Position, TimeField, load_mapping
from feeds.adapters.errors import PayloadRefused

__all__ = ["SOURCE", "MappingError", "load_mapping", "detect", "parse", "parse_report", "check_options"]

SOURCE = "cad"
TITLE = "CAD calls for service (CSV/JSON export read through a YAML mapping)"
FORMAT = "CSV or JSON, columns named in feeds/adapters/cad_mappings/<name>.yaml"
DEFAULT_POLL_SECONDS = 60  # a dispatch export is the freshest feed a duty room gets
EXAMPLE = "seattle_spd_call_data_sector_c3_2018-2023.csv"  # read with mapping="seattle_spd"

_MAX_TEXT = 1000  # a single cell longer than this is cut before times, regexes or notes see it
_MAX_GUESSES = 20
_SNIFF_BYTES = 65536


def detect(payload: bytes, mapping: Mapping | str | Path | None = None) -> bool:
    """Return True when the payload carries every column the mapping reads (always False without a mapping)."""
    if mapping is None or not isinstance(payload, (bytes, bytearray)):
        return False
    mapping = _resolve(mapping)
    head = bytes(payload[:_SNIFF_BYTES])
    if mapping.format == "csv":
        first_line = head.split(b"\n", 1)[0].decode(_encoding(mapping), errors="replace")
        header = next(csv.reader([first_line], delimiter=mapping.delimiter), [])
        return _missing_column(mapping, {cell.strip() for cell in header}) is None
    return all(any(_json_keys_in(head, name) for name in column.names) for column in mapping.columns())


def parse_report(payload: bytes, source: str = SOURCE, mapping: Mapping | str | Path | None = None) -> util.Report:
    """Return (events, skipped) where skipped lists (row or item index, reason) of the calls that could not be read."""
    mapping = _resolve(mapping)
    util.check_source(source)
    items = _csv_rows(payload, mapping) if mapping.format == "csv" else _json_items(payload, mapping)
    return util.map_items(items, lambda item: _event(_Row(item, mapping.format == "json"), mapping),
                          source, f"{TITLE}, mapping {mapping.name}")


parse = util.events_only(parse_report)


def _resolve(mapping: Mapping | str | Path | None) -> Mapping:
    if isinstance(mapping, Mapping):
        return mapping
    if mapping is None:  # a payload pushed as "cad" to a feed without a mapping: refuse it, keep it
        raise PayloadRefused(f"{TITLE}: no mapping configured; set the feed's options.mapping to a file "
                             "in feeds/adapters/cad_mappings or a path")
    return load_mapping(mapping)


def check_options(options: dict) -> None:
    """Raise MappingError unless ``options`` names a readable mapping (checked when feeds are loaded)."""
    if "mapping" not in options:
        raise MappingError("cad", "a cad feed needs options: {mapping: NAME}")
    load_mapping(options["mapping"])


def _encoding(mapping: Mapping) -> str:
    # A UTF-8 export from Excel starts with a byte order mark; utf-8-sig drops it.
    return "utf-8-sig" if codecs.lookup(mapping.encoding).name == "utf-8" else mapping.encoding


def _json_keys_in(head: bytes, name: str) -> bool:
    return all(json.dumps(key, ensure_ascii=False).encode() in head for key in name.split("."))


def _missing_column(mapping: Mapping, header: set[str]) -> str | None:
    """Return the first mapped column (of a list: the first alternative) absent from a CSV header."""
    for column in mapping.columns():
        if not any(name in header for name in column.names):
            return column.names[0]
    return None


def _csv_rows(payload: bytes, mapping: Mapping) -> list[dict]:
    if not isinstance(payload, (bytes, bytearray)):
        raise TypeError("payload must be bytes")
    if len(payload) > util.MAX_PAYLOAD_BYTES:
        raise PayloadRefused(f"payload is {len(payload)} bytes, more than {util.MAX_PAYLOAD_BYTES}")
    try:
        text = bytes(payload).decode(_encoding(mapping))
    except UnicodeDecodeError as exc:
        raise PayloadRefused(f"not {mapping.encoding} text (byte {exc.start}); set 'encoding' in mapping "
                             f"{mapping.name} if the export uses another (e.g. gb18030)") from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=mapping.delimiter))
    except csv.Error as exc:
        raise PayloadRefused(f"not readable as CSV: {exc}"[:300]) from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise PayloadRefused(f"no CSV header row, so not a CAD export for mapping {mapping.name}")
    header = [cell.strip() for cell in rows[0]]
    missing = _missing_column(mapping, set(header))
    if missing is not None:
        raise PayloadRefused(f"the CSV header has no column {missing[:80]!r}, which mapping {mapping.name} reads")
    return [dict(zip(header, row)) for row in rows[1:] if any(cell.strip() for cell in row)]


def _json_items(payload: bytes, mapping: Mapping) -> list:
    document = util.load_json(payload, TITLE)
    for key in mapping.items:
        if not isinstance(document, dict) or key not in document:
            raise PayloadRefused(f"no {'.'.join(mapping.items)!r} list, so not a CAD export for mapping {mapping.name}")
        document = document[key]
    if not isinstance(document, list):
        where = ".".join(mapping.items) or "the top level"
        raise PayloadRefused(f"{where} is not a JSON array, so not a CAD export for mapping {mapping.name}")
    return document


class _Row:
    """One CSV row or JSON item, read through mapping columns (JSON names may be dotted paths)."""

    def __init__(self, item: dict, nested: bool):
        self.item = item
        self.nested = nested

    def get(self, column: Column) -> str | None:
        """Return the first non-empty value among the column's names, stripped, or None."""
        for name in column.names:
            value = _cell(self._raw(name))
            if value and column.strip:
                value = value.strip(column.strip)
            if value:
                return value[:_MAX_TEXT]
        return None

    def _raw(self, name: str) -> Any:
        if name in self.item or not self.nested:
            return self.item.get(name)
        node: Any = self.item
        for key in name.split("."):
            node = node.get(key) if isinstance(node, dict) else None
        return node


def _cell(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    number = util.as_number(value)
    if number is None:
        return None
    return str(value) if isinstance(value, int) else repr(number)


def _event(row: _Row, mapping: Mapping) -> dict[str, Any]:
    guessed: list[str] = []
    external_id = row.get(mapping.id)
    if not external_id:
        raise util.SkipItem(f"{mapping.id.names[0]}: a call needs its number")
    sent_at = _main_time(row, mapping.time, guessed)
    call_type = row.get(mapping.type)
    headline = (row.get(mapping.headline) if mapping.headline else None) or call_type
    if not headline:
        headline = f"Call {external_id}"
        guessed.append(f"the call has no {mapping.type.names[0]!r}; headline made from its number")
    level = row.get(mapping.priority) if mapping.priority else None
    status = row.get(mapping.status) if mapping.status else None
    lat, lon = _position(row, mapping.position, guessed) if mapping.position else (None, None)
    _notes(row, mapping, guessed)
    return {
        "external_id": external_id,
        "version": util.version_stamp(sent_at) + (f"|{status[:60]}" if status else ""),
        "msg_type": "cancel" if status and status.casefold() in mapping.cancel else "alert",
        "sender": mapping.sender,
        "category": _category(mapping, call_type),
        "event": (call_type or "")[:256],
        "headline": headline,
        "description": _joined(row, mapping.description, "\n"),
        "severity": mapping.severity.get(level.casefold(), "unknown") if level else "unknown",
        "occurred_at": _occurred_at(row, mapping.occurred, sent_at, guessed),
        "sent_at": sent_at,
        "lat": lat,
        "lon": lon,
        "address": _joined(row, mapping.address, ", ")[:512] or None,
        "language": mapping.language,
        "raw_level": level[:256] if level else None,
        "guessed": guessed[:_MAX_GUESSES],
    }


def _main_time(row: _Row, spec: TimeField, guessed: list[str]) -> datetime:
    text = row.get(spec.column)
    if not text:
        raise util.SkipItem(f"{spec.column.names[0]}: a call needs its time")
    try:
        return _time(text, spec, None, guessed)
    except ValueError as exc:
        raise util.SkipItem(f"{spec.column.names[0]}: {exc}") from None


def _occurred_at(row: _Row, spec: TimeField | None, sent_at: datetime, guessed: list[str]) -> datetime:
    """The mapped occurred time; when empty the call time, when unreadable the call time said in guessed."""
    if spec is None:
        return sent_at
    text = row.get(spec.column)
    if not text:
        return sent_at
    try:
        return _time(text, spec, sent_at, guessed)
    except ValueError as exc:
        guessed.append(f"occurred time {spec.column.names[0]!r} {exc}; the call time is used instead")
    return sent_at


def _time(text: str, spec: TimeField, reference: datetime | None, guessed: list[str]) -> datetime:
    """Read ``text`` as ``spec`` says and return it aware UTC; raise ValueError with a short reason."""
    try:
        if spec.parser:
            local_reference = reference.astimezone(spec.zone) if reference and spec.zone else reference
            moment = TIME_PARSERS[spec.parser](text, local_reference)
        elif spec.format == "iso":
            moment = datetime.fromisoformat(text)
        else:
            moment = datetime.strptime(text, spec.format)
    except (ValueError, OverflowError):
        how = f"parser {spec.parser}" if spec.parser else f"format {spec.format!r}"
        raise ValueError(f"{text[:40]!r} is not a time in {how}") from None
    try:
        return _aware(moment, spec, text, guessed)
    except OverflowError:
        raise ValueError(f"{text[:40]!r} is out of range") from None


def _aware(moment: datetime, spec: TimeField, text: str, guessed: list[str]) -> datetime:
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        return moment.astimezone(timezone.utc)
    local = moment.replace(tzinfo=spec.zone)
    if local.utcoffset() != moment.replace(tzinfo=spec.zone, fold=1).utcoffset():
        guessed.append(f"local time {text[:40]!r} falls in a daylight-saving change in {spec.zone.key}; "
                       f"read as UTC{local.strftime('%z')}")
    return local.astimezone(timezone.utc)


def _category(mapping: Mapping, call_type: str | None) -> str:
    """The per-type table (exact match first, then "PREFIX*" keys in file order), else the default."""
    if call_type:
        key = call_type.casefold()
        if key in mapping.category_by_type:
            return mapping.category_by_type[key]
        for pattern, category in mapping.category_by_type.items():
            if pattern.endswith("*") and key.startswith(pattern[:-1]):
                return category
    return mapping.category


def _position(row: _Row, spec: Position, guessed: list[str]) -> tuple[float | None, float | None]:
    """Return (lat, lon) in WGS-84, or (None, None) with a note when the source's position is unusable."""
    if spec.pair:
        text = row.get(spec.pair)
        if not text:
            return None, None
        first, _, second = text.partition(spec.separator)
        lat_text, lon_text = (first, second) if spec.lat_first else (second, first)
    else:
        lat_text, lon_text = row.get(spec.lat), row.get(spec.lon)
        if not lat_text and not lon_text:
            return None, None
        text = f"{lat_text},{lon_text}"
    lat, lon = _float(lat_text), _float(lon_text)
    if lat is None or lon is None:
        guessed.append(f"position {text[:60]!r} is not two numbers; left out")
        return None, None
    if lat == 0 and lon == 0:
        guessed.append("position 0,0 is a placeholder, not a place; left out")
        return None, None
    if abs(lat) > 90 and abs(lon) <= 90 and abs(lat) <= 180:
        guessed.append(f"latitude and longitude were swapped in {text[:60]!r} (latitude {lat:g} is off the globe)")
        lat, lon = lon, lat
    lat, lon = DATUMS[spec.datum](lat, lon) if abs(lat) <= 90 and abs(lon) <= 180 else (lat, lon)
    if abs(lat) > 90 or abs(lon) > 180:
        guessed.append(f"position {text[:60]!r} is off the globe; left out")
        return None, None
    return lat, lon


def _float(text: str | None) -> float | None:
    try:
        value = float(text) if text else math.nan
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _joined(row: _Row, parts: tuple[Part, ...], separator: str) -> str:
    pieces = []
    for part in parts:
        value = row.get(part.column)
        if value:
            pieces.append(f"{part.label}: {part.prefix}{value}" if part.label else f"{part.prefix}{value}")
    return separator.join(pieces)[:20000]


def _notes(row: _Row, mapping: Mapping, guessed: list[str]) -> None:
    for note in mapping.notes:
        value = row.get(note.column)
        if value and note.pattern.search(value):
            guessed.append(note.text.replace("{value}", value[:100]))
