"""The catalogue outside Flask: render a message (a key and its values) in English or Simplified Chinese.

A message is stored as ``{"msg": key, ...values}``; a value may itself be a message (a report kind,
a channel) or a list of them, rendered in the same language. The templates are the English texts in
command/messages.py; their translations live in command/translations (gettext), which the web pages
use too, so one sentence has one translation wherever it is shown.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Callable

from babel.support import NullTranslations, Translations

from command.messages import MESSAGES

CATALOGUE = Path(__file__).resolve().parent / "translations"
LOCALES = {"zh": "zh_Hans_CN", "en": "en"}  # a language as Vigil names it -> its catalogue


def locale_of(language: str | None) -> str:
    """The catalogue for a language tag ("zh", "zh-CN", "zh_Hans_CN", "en"…); English when unknown."""
    return LOCALES["zh"] if (language or "").lower().replace("_", "-").startswith("zh") else LOCALES["en"]


@cache
def _translations(locale: str) -> NullTranslations:
    if locale == LOCALES["en"]:
        return NullTranslations()
    return Translations.load(str(CATALOGUE), [locale])


def gettext_for(language: str | None) -> Callable[[str], str]:
    """The gettext function of a language (English returns the template itself)."""
    return _translations(locale_of(language)).gettext


def message(key: str, /, **values: Any) -> dict:
    """A message to store (in a log entry's data, a timeline row): its key and its values."""
    return {"msg": key, **values}


def render(stored: dict | str | None, language: str | None = "en", gettext: Callable[[str], str] | None = None) -> str:
    """A stored message as text in ``language`` (or through ``gettext``, e.g. Flask-Babel's for a request)."""
    if not stored:
        return ""
    if isinstance(stored, str):
        return stored
    gettext = gettext or gettext_for(language)
    values = {name: _value(value, gettext) for name, value in stored.items() if name != "msg"}
    template = MESSAGES.get(stored.get("msg", ""), stored.get("msg", ""))
    text = gettext(template)
    try:
        return text % values if values else text
    except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder must not hide the fact
        return template % values if values else template


def bilingual(stored: dict) -> str:
    """The message in Chinese, then English: the text a duty-log entry keeps (its hash covers it)."""
    return f"{render(stored, 'zh')} / {render(stored, 'en')}"


def _value(value: Any, gettext: Callable[[str], str]) -> Any:
    if isinstance(value, dict) and "msg" in value:
        return render(value, gettext=gettext)
    if isinstance(value, list) and value and all(isinstance(item, dict) and "msg" in item for item in value):
        separator = MESSAGES["list_separator"]
        return gettext(separator).join(render(item, gettext=gettext) for item in value)
    return "" if value is None else value
