"""The table of feed adapters, by name: the one place a format is enabled.

Settings and the CLI name adapters by these keys; an unknown name fails loudly
with the list of valid ones. Each adapter module exposes ``parse``,
``parse_report``, ``detect`` and the constants SOURCE, TITLE, FORMAT,
DEFAULT_POLL_SECONDS and EXAMPLE (a file in feeds/samples/).
"""

from __future__ import annotations

from types import ModuleType

from feeds.adapters import (cad, cap, edxl, firms, geonet, georss, nina, nsw_rfs, nws_api, nwis, polisen, quakeml,
                            qweather, seattle_cad, usgs_quake, waterdata_ogc)

ADAPTERS: dict[str, ModuleType] = {
    "cap": cap,  # CAP 1.1 / 1.2 XML
    "edxl_de": edxl,  # EDXL-DE envelopes of CAP alerts
    "georss": georss,  # Atom / RSS with GeoRSS, W3C geo, CAP fields
    "usgs_quake": usgs_quake,
    "geonet": geonet,
    "quakeml": quakeml,
    "nsw_rfs": nsw_rfs,
    "firms": firms,
    "nws_api": nws_api,
    "qweather": qweather,
    "nina": nina,
    "nwis": nwis,
    "waterdata_ogc": waterdata_ogc,
    "seattle_cad": seattle_cad,
    "polisen": polisen,
    "cad": cad,  # generic CAD export: needs options {mapping: NAME}; never detected
}


class UnknownFormat(ValueError):
    """No adapter has this name; the message lists the valid ones."""

    def __init__(self, name: object):
        super().__init__(f"unknown feed format {name!r}; valid formats: {', '.join(sorted(ADAPTERS))}")
        self.name = name


def get_adapter(name: str) -> ModuleType:
    """Return the adapter module registered as ``name``, or raise UnknownFormat."""
    try:
        return ADAPTERS[name]
    except (KeyError, TypeError):
        raise UnknownFormat(name) from None


def detect_formats(payload: bytes) -> list[str]:
    """Return the names of every adapter whose sniff accepts the payload."""
    return [name for name, adapter in ADAPTERS.items() if adapter.detect(payload)]


def detect_format(payload: bytes) -> str | None:
    """Return the one adapter name that recognizes the payload, or None when none or several do."""
    names = detect_formats(payload)
    return names[0] if len(names) == 1 else None
