"""The Chinese catalogue covers every string in the code and templates, and is compiled."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "command" / "translations" / "zh_Hans_CN" / "LC_MESSAGES"


def _read(reader, name: str) -> dict[tuple[str | None, str], str]:
    with (CATALOGUE / name).open("rb") as handle:
        return {(m.context.decode() if isinstance(m.context, bytes) else m.context, m.id): m.string
                for m in reader(handle) if m.id}


def _source_messages() -> set[str]:
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    return {message for folder in ("web", "command")
            for _file, _line, message, _comments, _context in
            extract_from_dir(str(ROOT / folder), method_map, keywords={"_": None, "gettext": None, "N_": None})}


def test_every_string_has_a_chinese_translation():
    translated = _read(read_po, "messages.po")
    said = {msgid for (_context, msgid), text in translated.items() if text}  # with or without a msgctxt
    missing = sorted(m for m in _source_messages() if m not in said)
    assert missing == [], "add these to command/translations/zh_Hans_CN/LC_MESSAGES/messages.po"


def test_every_word_of_the_documents_reads_as_chinese():
    from command.documents.labels import _LABELS, _NAMES, labels, name
    zh, en = labels("zh"), labels("en")
    assert [key for key in _LABELS if zh[key] == en[key]] == []
    assert [(group, code) for group, codes in _NAMES.items() for code in codes
            if name(group, code, "zh") == name(group, code, "en")] == []


def test_every_sentence_the_core_says_reads_as_chinese():
    """Each message key renders in Chinese: through its own translation (msgctxt = key) or its sentence's."""
    from command.i18n import render
    from command.messages import MESSAGES
    worded = {key: template for key, template in MESSAGES.items()
              if re.search(r"[A-Za-z]", re.sub(r"%\(\w+\)s", "", template))}  # not " @ %(place)s"
    untranslated = [key for key in worded if render({"msg": key}, "zh") == render({"msg": key}, "en")]
    assert untranslated == []


def test_the_compiled_catalogue_matches_the_po_file():
    assert _read(read_mo, "messages.mo") == _read(read_po, "messages.po"), "run: pybabel compile -d command/translations"


def _lang(page: str) -> str:
    return re.search(r'<html lang="([^"]+)"', page)[1]


def test_the_language_follows_the_browser_until_the_person_chooses_then_follows_the_person(app, runtime):
    from tests.conftest import log_in
    english_pc = app.test_client()
    english_pc.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    log_in(english_pc, runtime, "zhou", role="operator")
    assert _lang(english_pc.get("/handover").get_data(as_text=True)).startswith("en")  # the browser's, at first

    chinese_pc = app.test_client()
    chinese_pc.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    log_in(chinese_pc, runtime, "zhou")
    assert _lang(chinese_pc.get("/handover").get_data(as_text=True)).startswith("zh")
    chinese_pc.get("/handover?lang=en")  # zhou picks English on the duty-room PC…

    laptop = app.test_client()  # …and a browser that has never seen that choice (no cookie) follows zhou
    laptop.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    log_in(laptop, runtime, "zhou")
    assert _lang(laptop.get("/handover").get_data(as_text=True)).startswith("en")
    assert _lang(app.test_client().get("/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)) \
        .startswith("zh"), "someone not logged in still gets their browser's language"
