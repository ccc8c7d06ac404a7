"""Every page rendered in zh-CN in Chromium shows no English UI string: each visible text node is checked
against the English msgids of the translation catalogue (feed data, names and codes may stay as they are)."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from tests.conftest import ROOT, event_body

pytestmark = pytest.mark.browser

PAGES = ["/", "/feeds", "/queue", "/queue?department=water", "/dutylog", "/handover", "/roster", "/documents", "/admin"]
VISIBLE_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (!parent || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(parent.tagName)) continue;
    if (!parent.checkVisibility({visibilityProperty: true})) continue;
    const text = node.textContent.trim();
    if (text) out.push(text);
  }
  for (const el of document.querySelectorAll('input[placeholder], textarea[placeholder], [title], [aria-label]')) {
    for (const attr of ['placeholder', 'title', 'aria-label']) if (el.getAttribute(attr)) out.push(el.getAttribute(attr).trim());
  }
  return out;
}"""


def _english_msgids() -> set[str]:
    with open(ROOT / "command" / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalog = read_po(po)
    ids = set()
    for message in catalog:
        if message.id and isinstance(message.id, str) and re.search(r"[A-Za-z]{3}", message.id):
            if "%(" not in message.id:  # a template with values never appears verbatim
                ids.add(message.id.strip())
    return ids - {"Vigil"}  # the product's name is not translated


def test_no_page_shows_an_english_ui_string_in_chinese(live, open_page):
    server, post = live
    post(event_body("zh-1", headline="秦淮河水位超警戒", severity="severe"))
    english = _english_msgids()
    leaks = {}
    for path in PAGES:
        page = open_page(f"{server.url}{path}", locale="zh-CN")
        page.wait_for_load_state("networkidle")
        if page.locator(".leaflet-control-layers").count():
            page.hover(".leaflet-control-layers")  # open the layers control so its labels are checked too
        found = sorted({text for text in page.evaluate(VISIBLE_TEXT) if text in english})
        if found:
            leaks[path] = found
    assert leaks == {}, "\n".join(f"{path}: {found}" for path, found in leaks.items())
