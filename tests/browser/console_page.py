"""What the console tests do to the page: find an incident in the list, open its panel."""

from __future__ import annotations


def incident_item(page, headline: str):
    """The list item of the incident with ``headline``."""
    return page.locator(f"#incident-list li:has-text(\"{headline}\")")


def open_panel(page, headline: str):
    """Open the incident panel from the list item with ``headline``; return the panel."""
    incident_item(page, headline).locator("button.details").click()
    page.wait_for_selector("#incident-panel .panel-headline")
    return page.locator("#incident-panel")
