"""OASIS EDXL-DE 1.0 distributions carrying CAP alerts (NSW RFS incidents, 2011).

The envelope (<EDXLDistribution>) holds <contentObject>s; each CAP alert sits in
<xmlContent><embeddedXMLContent><alert>. Every embedded alert is mapped exactly
as ``feeds.adapters.cap`` maps a lone alert, from its own fields: the envelope's
distributionID, sender and dateTimeSent are routing data, not the warning.
Other content (non-XML, or XML that is not CAP) is passed over; an envelope
with no CAP alert at all is refused. Skipped indexes count the <info> blocks
of all embedded alerts in document order.
"""

from __future__ import annotations

from feeds.adapters import adapter_util as util
from feeds.adapters import cap
from feeds.adapters.cap_area import CircleBudget
from feeds.adapters.errors import PayloadRefused
from feeds.adapters.xml_util import Element, children, parse_root

SOURCE = "edxl_de"
TITLE = "EDXL-DE 1.0 distribution of CAP alerts"
FORMAT = "XML (OASIS EDXL-DE 1.0 <EDXLDistribution> with embedded CAP 1.1/1.2)"
DEFAULT_POLL_SECONDS = 120  # the NSW RFS feed this comes from refreshed every few minutes
EXAMPLE = "nsw_rfs_edxlde_incidents_2011-10.xml"

EDXL_DE_NAMESPACE = b"urn:oasis:names:tc:emergency:EDXL:DE:1.0"
_ROOT = "EDXLDistribution"


def detect(payload: bytes) -> bool:
    """Return True when the root element is an EDXL-DE 1.0 <EDXLDistribution>."""
    return cap.root_name(payload) == _ROOT.encode() and EDXL_DE_NAMESPACE in payload[:4096]


def parse_report(payload: bytes, source: str = SOURCE) -> util.Report:
    """Return (events, skipped) where skipped lists (info index across the alerts, reason)."""
    util.check_source(source)
    root, guesses = parse_root(payload, TITLE, _ROOT, "an EDXL-DE")
    alerts = embedded_alerts(root)
    if not alerts:
        raise PayloadRefused("the EDXL-DE distribution carries no embedded CAP <alert>")
    circles = CircleBudget()  # one budget for the whole envelope
    items = [item for alert in alerts for item in cap.alert_items(alert, guesses, circles)]
    return util.map_items(items, cap.event_mapping, source, TITLE)


parse = util.events_only(parse_report)


def embedded_alerts(distribution: Element) -> list[Element]:
    """Return the CAP <alert> elements of every contentObject's embeddedXMLContent."""
    return [alert
            for content in children(distribution, "contentObject")
            for xml in children(content, "xmlContent")
            for embedded in children(xml, "embeddedXMLContent")
            for alert in children(embedded, "alert")]
