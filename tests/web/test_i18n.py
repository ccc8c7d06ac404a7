"""The Chinese catalogue covers every string in the code and templates, and is compiled."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

WEB = Path(__file__).resolve().parents[2] / "web"
CATALOGUE = WEB / "translations" / "zh_Hans_CN" / "LC_MESSAGES"


def _read(reader, name: str) -> dict[str, str]:
    with (CATALOGUE / name).open("rb") as handle:
        return {m.id: m.string for m in reader(handle) if m.id}


def _source_messages() -> set[str]:
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    return {message for _file, _line, message, _comments, _context in
            extract_from_dir(str(WEB), method_map, keywords={"_": None, "gettext": None})}


def test_every_string_has_a_chinese_translation():
    translated = _read(read_po, "messages.po")
    missing = sorted(m for m in _source_messages() if not translated.get(m))
    assert missing == [], "add these to web/translations/zh_Hans_CN/LC_MESSAGES/messages.po"


def test_the_compiled_catalogue_matches_the_po_file():
    assert _read(read_mo, "messages.mo") == _read(read_po, "messages.po"), "run: cd web && pybabel compile -d translations"
