"""Safe XML reading for adapters: defusedxml, no DTDs, honest about encodings.

Feeds are untrusted: a DOCTYPE (the door to XXE and entity bombs) is refused
before anything is resolved, so no file or URL is ever read. A document that
declares UTF-8 but is not (a real NAAD quirk) is read as ISO-8859-1 and the
guess is reported, so the adapter can say so in the event.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Iterator

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring

from feeds.adapters.adapter_util import MAX_PAYLOAD_BYTES
from feeds.adapters.errors import PayloadRefused

Element = ET.Element
_BOM = b"\xef\xbb\xbf"
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
LATIN1_GUESS = "declared UTF-8 but is not valid UTF-8; read as ISO-8859-1"


def parse_xml(payload: bytes, title: str) -> tuple[Element, list[str]]:
    """Return (root element, guesses) or raise PayloadRefused with a one-line reason."""
    if not isinstance(payload, (bytes, bytearray)):
        raise PayloadRefused(f"{title}: payload must be bytes")
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise PayloadRefused(f"{title}: payload of {len(payload)} bytes is over the {MAX_PAYLOAD_BYTES} limit")
    payload = bytes(payload)
    if payload.startswith(_BOM):
        payload = payload[len(_BOM):]
    if not payload.strip():
        raise PayloadRefused(f"{title}: empty payload")
    guesses: list[str] = []
    if _declared_utf8(payload) and not _is_utf8(payload):
        payload = _reencode_latin1(payload)
        guesses.append(LATIN1_GUESS)
    try:
        return fromstring(payload, forbid_dtd=True, forbid_entities=True, forbid_external=True), guesses
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden):
        raise PayloadRefused(f"{title}: refused a document with a DTD or entities "
                             "(external entities are an XXE attack vector)") from None
    except ET.ParseError as exc:
        raise PayloadRefused(f"{title}: not well-formed XML ({exc})") from None
    except (ValueError, LookupError) as exc:  # e.g. an unknown declared encoding
        raise PayloadRefused(f"{title}: unreadable XML ({exc})") from None


def parse_root(payload: bytes, title: str, name: str, kind: str) -> tuple[Element, list[str]]:
    """Return ``parse_xml``'s (root, guesses), refusing a document whose root is not <name> (kind: "a CAP")."""
    root, guesses = parse_xml(payload, title)
    if local(root.tag) != name:
        raise PayloadRefused(f"the root element is <{local(root.tag)[:40]}>, not {kind} <{name}>")
    return root, guesses


def local(tag: str) -> str:
    """Return a tag's name without its namespace ('{urn:oasis…}alert' -> 'alert')."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(element: Element, name: str) -> Iterator[Element]:
    """Yield direct children named ``name`` in any namespace (CAP 1.1, 1.2, prefixed or not)."""
    for child in element:
        if local(child.tag) == name:
            yield child


def child(element: Element, name: str) -> Element | None:
    """Return the first direct child named ``name`` in any namespace, or None."""
    return next(children(element, name), None)


def child_text(element: Element, name: str) -> str | None:
    """Return the stripped text of the first child named ``name``, or None when absent or empty."""
    found = child(element, name)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def descendants(element: Element, name: str) -> Iterator[Element]:
    """Yield every descendant named ``name`` in any namespace."""
    for node in element.iter():
        if node is not element and local(node.tag) == name:
            yield node


def _declared_utf8(payload: bytes) -> bool:
    match = _DECLARATION.match(payload[:200])
    return match is None or match.group(1).lower().replace(b"_", b"-") in (b"utf-8", b"utf8")


def _is_utf8(payload: bytes) -> bool:
    try:
        payload.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _reencode_latin1(payload: bytes) -> bytes:
    text = payload.decode("latin-1")
    return text.encode("utf-8")
