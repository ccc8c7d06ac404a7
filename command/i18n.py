"""The catalogue outside Flask: render a message (a key and its values) in English or Simplified Chinese.

A message is stored as ``{"msg": key, ...values}``; a value may itself be a message (a report kind,
a channel) or a list of them, rendered in the same language. The templates are the English texts in
command/messages.py; their translations live in command/translations (gettext), which the web pages
use too, so one sentence has one translation wherever it is shown.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

from command.messages import MESSAGES

CATALOGUE = Path(__file__).resolve().parent / "translations"
LOCALES = {"zh": "zh_Hans_CN", "en": "en"}  # a language as Vigil names it -> its catalogue


def locale_of(language: str | None) -> str:
    """The catalogue for a language tag ("zh", "zh-CN", "zh_Hans_CN", "en"…); English when unknown."""
    return LOCALES["zh"] if (language or "").lower().replace("_", "-").startswith("zh") else LOCALES["en"]


@cache
def translations_for(language: str | None) -> NullTranslations:
    """The catalogue of a language (English: none, the templates are English)."""
    locale = locale_of(language)
    return NullTranslations() if locale == LOCALES["en"] else Translations.load(str(CATALOGUE), [locale])


def say(translations: NullTranslations, key: str, template: str) -> str:
    """``template`` translated: the translation made for ``key`` (msgctxt), else the template's own."""
    text = translations.pgettext(key, template)
    return text if text != template else translations.gettext(template)


def message(key: str, /, **values: Any) -> dict:
    """A message to store (in a log entry's data, a timeline row): its key and its values."""
    return {"msg": key, **values}


def render(stored: dict | str | None, language: str | None = "en", translations: NullTranslations | None = None) -> str:
    """A stored message as text in ``language`` (or in ``translations``, e.g. Flask-Babel's for a request)."""
    if not stored:
        return ""
    if isinstance(stored, str):
        return stored
    translations = translations or translations_for(language)
    values = {name: _value(value, translations) for name, value in stored.items() if name != "msg"}
    key = stored.get("msg", "")
    template = MESSAGES.get(key, key)
    text = say(translations, key, template)
    try:
        return text % values if values else text
    except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder must not hide the fact
        return template % values if values else template


def bilingual(stored: dict) -> str:
    """The message in Chinese, then English: the text a duty-log entry keeps (its hash covers it)."""
    return f"{render(stored, 'zh')} / {render(stored, 'en')}"


def _value(value: Any, translations: NullTranslations) -> Any:
    if isinstance(value, dict) and "msg" in value:
        return render(value, translations=translations)
    if isinstance(value, list) and value and all(isinstance(item, dict) and "msg" in item for item in value):
        separator = say(translations, "list_separator", MESSAGES["list_separator"])
        return separator.join(render(item, translations=translations) for item in value)
    return "" if value is None else value
