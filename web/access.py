"""What each role may do: one table, read by the request gate and by the test that tries every role.

A blueprint gives the roles that may read (GET) and write (any other method); an endpoint
listed in OVERRIDES replaces that. An endpoint in neither is refused to everyone, so a new route
must be added here before anyone can use it. Liaisons are further narrowed to their own
departments inside the routes they may use (see web.scope).
"""

from __future__ import annotations

ADMIN = frozenset({"administrator"})
LEADS = ADMIN | {"shift_leader"}
STAFF = LEADS | {"operator"}  # the duty room
READERS = STAFF | {"leader"}  # who may watch everything
EVERYONE = READERS | {"liaison"}

# Endpoints (or whole blueprints) anyone may reach: they check a signature or a token of their own.
PUBLIC = frozenset({"static", "health", "auth.login", "auth.login_post", "twilio_webhooks",
                    "feeds_api.post_events"})

BLUEPRINTS: dict[str, tuple[frozenset, frozenset]] = {  # blueprint -> (may read, may write)
    "auth": (EVERYONE, EVERYONE),
    "console": (READERS, STAFF),
    "feeds_page": (READERS, STAFF),
    "feeds_api": (READERS, STAFF),
    "incidents_api": (EVERYONE, STAFF),
    "correlations_api": (READERS, STAFF),
    "escalations_api": (EVERYONE, EVERYONE),
    "queue_page": (EVERYONE, EVERYONE),
    "reports_api": (READERS, STAFF),
    "dutylog_api": (READERS, STAFF),
    "dutylog_page": (READERS, STAFF),
    "handover_page": (STAFF | {"leader"}, STAFF),
    "roster_page": (READERS, STAFF),
    "roster_api": (READERS, STAFF),
    "documents_api": (READERS, READERS),
    "documents_page": (READERS, READERS),
    "admin": (ADMIN, ADMIN),
    "metrics": (ADMIN, frozenset()),  # Prometheus scrapes with an administrator's personal token
    "openapi": (EVERYONE, frozenset()),
}

OVERRIDES: dict[str, frozenset] = {  # endpoint -> who may, whatever the method
    "dutylog_api.post_significant": LEADS | {"leader"},  # the flag of whoever leads the shift (带班领导)
    "roster_api.post_decision": LEADS,  # approving or refusing a swap
}


def allowed(role: str, endpoint: str, method: str) -> bool:
    """True when ``role`` may call ``endpoint`` with ``method``."""
    if endpoint in OVERRIDES:
        return role in OVERRIDES[endpoint]
    blueprint = endpoint.split(".", 1)[0]
    if blueprint not in BLUEPRINTS:
        return False
    read, write = BLUEPRINTS[blueprint]
    return role in (read if method in ("GET", "HEAD", "OPTIONS") else write)
