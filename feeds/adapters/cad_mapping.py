"""The CAD mapping language: which column of a county's CSV/JSON export feeds which event field.

A mapping is a YAML file in ``feeds/adapters/cad_mappings/`` (``example_110.yaml`` documents
every key). ``load_mapping(name_or_path)`` reads and checks it once; a wrong file
raises ``MappingError`` (a ValueError) naming the file, the line and the key:
a bad mapping is the administrator's mistake, never the payload's.

Top level: ``format`` (csv | json), ``items`` (json: dotted path to the list, ""
for a top-level array), ``encoding`` and ``delimiter`` (csv), ``language``,
``sender``, ``fields``, ``notes``. A column is a name (json: a dotted path), a
list of names (the first non-empty wins) or ``{column: ..., strip: "- "}``.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from feeds.adapters import cad_hooks
from feeds.adapters.yaml_config import ConfigError, Doc, read
from feeds.event import CATEGORIES, SEVERITIES

MAPPINGS_DIR = Path(__file__).resolve().parent / "cad_mappings"
_NAME = re.compile(r"^[a-z0-9_]{1,64}$")
_TOP = ("format", "items", "encoding", "delimiter", "language", "sender", "fields", "notes")
_FIELDS = ("id", "time", "occurred", "type", "headline", "priority", "position", "address", "description",
           "category", "status")
_SAMPLE_TIME = datetime(2001, 2, 3, 14, 5, 6, tzinfo=timezone.utc)


class MappingError(ConfigError):
    """A CAD mapping file is wrong (unknown key, missing field, bad format); the message says where."""


@dataclass(frozen=True)
class Column:
    """Source column names, the first non-empty value winning; ``strip`` characters are trimmed off."""

    names: tuple[str, ...]
    strip: str = ""


@dataclass(frozen=True)
class TimeField:
    """How to read a time: strptime ``format`` or "iso", or a named hook ``parser``; naive times in ``zone``."""

    column: Column
    format: str | None
    parser: str | None
    zone: ZoneInfo | None


@dataclass(frozen=True)
class Part:
    """One piece of the description or address: a column, an optional label and text put before the value."""

    column: Column
    label: str | None
    prefix: str = ""


@dataclass(frozen=True)
class Position:
    """Either ``lat`` + ``lon`` columns or one ``pair`` column split at ``separator``, in ``order``, on ``datum``."""

    lat: Column | None
    lon: Column | None
    pair: Column | None
    separator: str
    lat_first: bool
    datum: str


@dataclass(frozen=True)
class Note:
    """A sentence added to ``guessed`` when a column matches a regular expression ({value} is replaced)."""

    column: Column
    pattern: re.Pattern
    text: str


@dataclass(frozen=True)
class Mapping:
    """A checked CAD mapping, ready for ``cad.parse``."""

    name: str
    format: str
    items: tuple[str, ...]
    encoding: str
    delimiter: str
    language: str | None
    sender: str | None
    id: Column
    time: TimeField
    occurred: TimeField | None
    type: Column
    headline: Column | None
    priority: Column | None
    severity: dict[str, str]
    position: Position | None
    address: tuple[Part, ...]
    description: tuple[Part, ...]
    category: str
    category_by_type: dict[str, str]
    status: Column | None
    cancel: frozenset[str]
    notes: tuple[Note, ...]

    def columns(self) -> list[Column]:
        """Return every column the mapping reads (for header checks and sniffing)."""
        parts = [part.column for part in (*self.address, *self.description)]
        times = [t.column for t in (self.time, self.occurred) if t]
        position = [c for c in (self.position.lat, self.position.lon, self.position.pair)] if self.position else []
        optional = [self.headline, self.priority, self.status, *position]
        return [self.id, *times, self.type, *[c for c in optional if c], *parts, *(n.column for n in self.notes)]


def load_mapping(name_or_path: str | Path) -> Mapping:
    """Return the checked mapping named ``name_or_path`` (a file in cad_mappings/) or at that path."""
    path = _path(name_or_path)
    doc = read(path, MappingError)
    return _mapping(doc, path.stem)


def mapping_names() -> list[str]:
    """Return the names of the shipped mappings."""
    return sorted(path.stem for path in MAPPINGS_DIR.glob("*.yaml"))


def _path(name_or_path: str | Path) -> Path:
    if isinstance(name_or_path, Path) or not _NAME.match(str(name_or_path)):
        return Path(name_or_path)
    path = MAPPINGS_DIR / f"{name_or_path}.yaml"
    if not path.is_file():
        raise MappingError(str(name_or_path), f"no such CAD mapping; shipped: {', '.join(mapping_names())}")
    return path


def _mapping(doc: Doc, name: str) -> Mapping:
    top = doc.table((), doc.root, required=("format", "fields"), optional=_TOP)
    fmt = doc.choice(("format",), top["format"], ("csv", "json"))
    fields = doc.table(("fields",), top["fields"], required=("id", "time", "type"), optional=_FIELDS)
    severity, priority = _priority(doc, fields.get("priority"))
    category, by_type = _category(doc, fields.get("category"))
    status, cancel = _status(doc, fields.get("status"))
    return Mapping(
        name=name,
        format=fmt,
        items=_items(doc, fmt, top.get("items")),
        encoding=_encoding(doc, fmt, top.get("encoding")),
        delimiter=_delimiter(doc, fmt, top.get("delimiter")),
        language=_optional_text(doc, ("language",), top.get("language")),
        sender=_optional_text(doc, ("sender",), top.get("sender")),
        id=_column(doc, ("fields", "id"), fields["id"]),
        time=_time(doc, ("fields", "time"), fields["time"]),
        occurred=_time(doc, ("fields", "occurred"), fields["occurred"]) if fields.get("occurred") else None,
        type=_column(doc, ("fields", "type"), fields["type"]),
        headline=_column(doc, ("fields", "headline"), fields["headline"]) if fields.get("headline") else None,
        priority=priority,
        severity=severity,
        position=_position(doc, fields.get("position")),
        address=_parts(doc, ("fields", "address"), fields.get("address"), default_label=False),
        description=_parts(doc, ("fields", "description"), fields.get("description"), default_label=True),
        category=category,
        category_by_type=by_type,
        status=status,
        cancel=cancel,
        notes=_notes(doc, top.get("notes")),
    )


def _items(doc: Doc, fmt: str, value) -> tuple[str, ...]:
    if fmt == "csv":
        if value is not None:
            doc.fail(("items",), "is for json mappings only (a CSV is one list of rows)")
        return ()
    if value is None:
        doc.fail((), "a json mapping needs 'items': the dotted path to the list, or \"\" for a top-level array")
    if not isinstance(value, str):
        doc.fail(("items",), "must be a dotted path such as data.items, or \"\"")
    return tuple(value.split(".")) if value else ()


def _encoding(doc: Doc, fmt: str, value) -> str:
    if value is None:
        return "utf-8"
    if fmt != "csv":
        doc.fail(("encoding",), "is for csv mappings only (JSON is UTF-8)")
    try:
        codecs.lookup(doc.text(("encoding",), value))
    except LookupError:
        doc.fail(("encoding",), f"unknown text encoding {value!r} (e.g. utf-8, gb18030)")
    return value


def _delimiter(doc: Doc, fmt: str, value) -> str:
    if value is None:
        return ","
    if fmt != "csv":
        doc.fail(("delimiter",), "is for csv mappings only")
    if not isinstance(value, str) or len(value) != 1 or value in "\"\r\n":
        doc.fail(("delimiter",), "must be one character such as ',', ';' or a tab")
    return value


def _optional_text(doc: Doc, path: tuple, value) -> str | None:
    return None if value is None else doc.text(path, value)


def _column(doc: Doc, path: tuple, value) -> Column:
    if isinstance(value, dict):
        spec = doc.table(path, value, required=("column",), optional=("strip",))
        strip = spec.get("strip") or ""
        if not isinstance(strip, str):
            doc.fail((*path, "strip"), "must be the characters to trim, such as \"- \"")
        return Column(tuple(doc.texts((*path, "column"), spec["column"])), strip)
    return Column(tuple(doc.texts(path, value)))


def _time(doc: Doc, path: tuple, value) -> TimeField:
    spec = doc.table(path, value, required=("column",), optional=("format", "parser", "timezone"))
    fmt, parser = spec.get("format"), spec.get("parser")
    if (fmt is None) == (parser is None):
        doc.fail(path, "give exactly one of 'format' (a strptime format or \"iso\") and 'parser' (a named hook)")
    if parser is not None and parser not in cad_hooks.TIME_PARSERS:
        doc.fail((*path, "parser"), f"unknown parser {parser!r} (known: {', '.join(sorted(cad_hooks.TIME_PARSERS))})")
    if fmt is not None:
        _check_format(doc, (*path, "format"), fmt)
    zone = _zone(doc, (*path, "timezone"), spec.get("timezone"))
    if zone is None and (fmt is None or "%z" not in fmt):
        doc.fail(path, "needs 'timezone' (e.g. Asia/Shanghai) to read times written without a UTC offset")
    return TimeField(_column(doc, (*path, "column"), spec["column"]), fmt, parser, zone)


def _check_format(doc: Doc, path: tuple, fmt) -> None:
    if fmt == "iso":
        return
    if not isinstance(fmt, str) or "%" not in fmt:
        doc.fail(path, "must be \"iso\" or a strptime format such as \"%m/%d/%Y %I:%M:%S %p\"")
    try:
        datetime.strptime(_SAMPLE_TIME.strftime(fmt), fmt)
    except ValueError as exc:
        doc.fail(path, f"{fmt!r} is not a usable strptime format: {exc}")
    if not any(code in fmt for code in ("%d", "%j")) or not any(code in fmt for code in ("%Y", "%y")):
        doc.fail(path, f"{fmt!r} must give the year (%Y) and the day (%d)")


def _zone(doc: Doc, path: tuple, value) -> ZoneInfo | None:
    if value is None:
        return None
    try:
        return ZoneInfo(doc.text(path, value))
    except (ZoneInfoNotFoundError, ValueError):
        doc.fail(path, f"unknown time zone {value!r} (an IANA name such as Asia/Shanghai or America/Los_Angeles)")


def _priority(doc: Doc, value) -> tuple[dict[str, str], Column | None]:
    if value is None:
        return {}, None
    path = ("fields", "priority")
    spec = doc.table(path, value, required=("column", "severity"), optional=("strip",))
    table = doc.pairs((*path, "severity"), spec["severity"])
    severity = {key.strip().casefold(): doc.choice((*path, "severity", key), level, SEVERITIES)
                for key, level in table.items()}
    return severity, _column(doc, path, {k: v for k, v in spec.items() if k != "severity"})


def _category(doc: Doc, value) -> tuple[str, dict[str, str]]:
    path = ("fields", "category")
    if value is None:
        return "other", {}
    if isinstance(value, str):
        return doc.choice(path, value, CATEGORIES), {}
    spec = doc.table(path, value, required=("default",), optional=("by_type",))
    by_type = doc.pairs((*path, "by_type"), spec.get("by_type") or {})
    table = {key.casefold(): doc.choice((*path, "by_type", key), category, CATEGORIES)
             for key, category in by_type.items()}
    return doc.choice((*path, "default"), spec["default"], CATEGORIES), table


def _status(doc: Doc, value) -> tuple[Column | None, frozenset[str]]:
    if value is None:
        return None, frozenset()
    path = ("fields", "status")
    spec = doc.table(path, value, required=("column", "cancel"), optional=("strip",))
    cancel = frozenset(text.strip().casefold() for text in doc.texts((*path, "cancel"), spec["cancel"]))
    return _column(doc, path, {k: v for k, v in spec.items() if k != "cancel"}), cancel


def _position(doc: Doc, value) -> Position | None:
    if value is None:
        return None
    path = ("fields", "position")
    spec = doc.table(path, value, optional=("lat", "lon", "column", "separator", "order", "datum"))
    datum = doc.choice((*path, "datum"), spec.get("datum", "wgs84"), tuple(cad_hooks.DATUMS))
    if spec.get("column") is not None:
        if spec.get("lat") is not None or spec.get("lon") is not None:
            doc.fail(path, "give either 'lat' and 'lon' columns or one 'column' with a separator, not both")
        separator = spec.get("separator", ",")
        if not isinstance(separator, str) or not separator:
            doc.fail((*path, "separator"), "must be the text between the two numbers, such as \",\"")
        order = doc.choice((*path, "order"), spec.get("order", "lat,lon"), ("lat,lon", "lon,lat"))
        return Position(None, None, _column(doc, (*path, "column"), spec["column"]), separator,
                        order == "lat,lon", datum)
    if spec.get("lat") is None or spec.get("lon") is None:
        doc.fail(path, "needs both 'lat' and 'lon' columns, or one 'column' holding \"lat,lon\"")
    if "separator" in spec or "order" in spec:
        doc.fail(path, "'separator' and 'order' go with one 'column', not with 'lat' and 'lon'")
    return Position(_column(doc, (*path, "lat"), spec["lat"]), _column(doc, (*path, "lon"), spec["lon"]),
                    None, ",", True, datum)


def _parts(doc: Doc, path: tuple, value, default_label: bool) -> tuple[Part, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        value = [value]
    parts = []
    for index, item in enumerate(value):
        where = (*path, index)
        if isinstance(item, str):
            parts.append(Part(Column((doc.text(where, item),)), item if default_label else None))
            continue
        spec = doc.table(where, item, required=("column",), optional=("label", "prefix", "strip"))
        label = spec.get("label") or None
        prefix = spec.get("prefix") or ""
        if not isinstance(label, (str, type(None))) or not isinstance(prefix, str):
            doc.fail(where, "'label' and 'prefix' must be text")
        column = _column(doc, where, {k: v for k, v in spec.items() if k in ("column", "strip")})
        parts.append(Part(column, label, prefix))
    return tuple(parts)


def _notes(doc: Doc, value) -> tuple[Note, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        doc.fail(("notes",), "must be a list of {column, matches, note}")
    notes = []
    for index, item in enumerate(value):
        path = ("notes", index)
        spec = doc.table(path, item, required=("column", "matches", "note"))
        try:
            pattern = re.compile(doc.text((*path, "matches"), spec["matches"]))
        except re.error as exc:
            doc.fail((*path, "matches"), f"not a regular expression: {exc}")
        notes.append(Note(_column(doc, (*path, "column"), spec["column"]), pattern,
                          doc.text((*path, "note"), spec["note"])))
    return tuple(notes)
