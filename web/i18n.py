"""English and Simplified Chinese: the locale comes from ?lang=, then the logged-in person's choice, then a
cookie, then the browser. A ?lang= choice is remembered for the person (every browser they use) and in a cookie."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, g, request
from flask_babel import Babel

from command import users
from command.i18n import CATALOGUE
from web.context import runtime

LOCALES = {"en": "en", "zh": "zh_Hans_CN"}  # what ?lang= accepts -> catalogue name
LANG_COOKIE = "vigil_lang"


def select_locale() -> str:
    """Return the catalogue for this request."""
    user = g.get("user")
    chosen = request.args.get("lang")
    if chosen not in LOCALES:
        chosen = (user.page_language if user else None) or request.cookies.get(LANG_COOKIE)
    if chosen in LOCALES:
        return LOCALES[chosen]
    best = request.accept_languages.best_match(["en", "zh", "zh-CN", "zh-Hans"], default="en")
    return LOCALES["zh" if best.startswith("zh") else "en"]


def remember_choice(response):
    """Keep an explicit ?lang= choice in a cookie for later pages."""
    chosen = request.args.get("lang")
    if chosen in LOCALES:
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax")
        user = g.get("user")
        if user and user.page_language != chosen:
            with runtime().unit_of_work() as session:
                users.choose_page_language(session, user.id, chosen)
    return response


def lang_url(code: str) -> str:
    """This page in another language, keeping its other query arguments."""
    return "?" + urlencode({**request.args.to_dict(), "lang": code})


def init_app(app: Flask) -> None:
    """Install Flask-Babel with Vigil's catalogues and locale choice."""
    app.jinja_env.globals["lang_url"] = lang_url
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(CATALOGUE))  # one catalogue, shared with command
    Babel(app, locale_selector=select_locale)
    app.after_request(remember_choice)
