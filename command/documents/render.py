"""Render a document: its sections read from the database, one Jinja2 HTML template, then WeasyPrint for PDF.

The printable HTML and the PDF are the same HTML (print CSS, A4), so what a
browser prints and what the PDF shows agree. Text from outside (incident
headlines from feeds, report fields) is escaped by the templates, and WeasyPrint
fetches nothing: only data: URLs are allowed, so a document never reaches the
network. Chinese is set in Noto Sans CJK SC (Debian's fonts-noto-cjk, installed
by scripts/system_deps.sh); the font subset is embedded in the PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session, sessionmaker

from command.documents import content
from command.documents.labels import check_language, labels, name
from command.models import utcnow

TEMPLATES = Path(__file__).resolve().parent / "templates"
FORMATS = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}
ZH_NUMERALS = "一二三四五六七八九十"

_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class Document:
    """A rendered document."""

    body: bytes
    content_type: str
    file_name: str


def check_format(fmt: str) -> str:
    """Return ``fmt`` if it is pdf or html, else raise ValueError."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    return fmt


def file_name(kind: str, params: dict, fmt: str, language: str) -> str:
    """The download name, e.g. vigil-daily-2026-11-24-zh.pdf."""
    return f"vigil-{content.KINDS[kind].stem(params)}-{language}.{fmt}"


def render_document(sessions: sessionmaker[Session], kind: str, params: dict, fmt: str, language: str,
                    time_zone: str, *, requested_by: str = "", progress: Callable[[int], None] | None = None,
                    now: datetime | None = None) -> Document:
    """Read the document's sections (one short session each), render it, and report progress (0–100) on the way.

    ``params`` must already be checked (content.check_params). Raises whatever
    reading or rendering raises; the job records it as the failure.
    """
    spec = content.KINDS[kind]
    check_format(fmt)
    check_language(language)
    zone = ZoneInfo(time_zone)
    context = content.Context(params=params, zone=zone, language=language)
    report = progress or (lambda _percent: None)
    reading_share = 60 if fmt == "pdf" else 90  # the PDF layout is the slow part
    data = {}
    for done, section in enumerate(spec.sections, start=1):
        with sessions() as session:
            data[section.name] = section.build(session, context)
        report(reading_share * done // len(spec.sections))
    html = render_html(kind, params, data, language, time_zone, requested_by=requested_by, now=now)
    if fmt == "html":
        return Document(html.encode("utf-8"), FORMATS["html"], file_name(kind, params, fmt, language))
    report(reading_share + 5)
    return Document(html_to_pdf(html), FORMATS["pdf"], file_name(kind, params, fmt, language))


def render_html(kind: str, params: dict, data: dict, language: str, time_zone: str, *, requested_by: str = "",
                now: datetime | None = None) -> str:
    """The document's HTML from its sections' data."""
    zone = ZoneInfo(time_zone)
    words = labels(language)

    def when(moment: datetime | str | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
        if not isinstance(moment, datetime):
            return "" if moment is None else str(moment)
        return moment.astimezone(zone).strftime(pattern)

    def numbered(index: int) -> str:
        return f"{ZH_NUMERALS[index - 1]}、" if language == "zh" and index <= len(ZH_NUMERALS) else f"{index}. "

    def paren(text: str) -> str:
        return f"（{text}）" if language == "zh" else f" ({text})"

    page_before, _, rest = words["page"].partition("{page}")
    page_middle, _, page_after = rest.partition("{pages}")
    template = _env.get_template(content.KINDS[kind].template)
    return template.render(
        data=data, params=params, t=words, lang=language, html_lang="zh-CN" if language == "zh" else "en",
        n=lambda group, value: name(group, value, language), when=when, numbered=numbered, paren=paren,
        time_zone=time_zone, requested_by=requested_by, generated_at=when(now or utcnow()),
        page_counter=(page_before, page_middle, page_after))


def html_to_pdf(html: str) -> bytes:
    """Lay out ``html`` as an A4 PDF with embedded CJK font subsets; no resource is fetched."""
    from weasyprint import HTML  # imported late: loading pango takes a moment and only PDFs need it
    from weasyprint.urls import URLFetcher
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf()
