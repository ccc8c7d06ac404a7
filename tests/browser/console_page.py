"""What the console tests do to the page: open it, find an incident in the list, open its panel."""

from __future__ import annotations


def open_console(open_page, url: str, **options):
    """Open the console at ``url`` (with ``open_page``'s options) and wait until it is live."""
    page = open_page(url, **options)
    page.wait_for_selector("#live-status.connected")
    return page


def incident_item(page, headline: str):
    """The list item of the incident with ``headline``."""
    return page.locator(f"#incident-list li:has-text(\"{headline}\")")


def open_panel(page, headline: str | None = None, incident_id: int | None = None):
    """Open the incident panel from the list item with ``headline`` (or ``incident_id``); return the panel."""
    item = incident_item(page, headline) if headline is not None else \
        page.locator(f'#incident-list li[data-id="{incident_id}"]')
    item.locator("button.details").click()
    page.wait_for_selector("#incident-panel .panel-headline")
    return page.locator("#incident-panel")
