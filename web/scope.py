"""A liaison sees only their departments' incidents and escalations; everyone else sees all."""

from __future__ import annotations

from web.auth import current_user


def departments_in_scope() -> frozenset[str] | None:
    """The departments the current person is limited to, or None when they see everything."""
    user = current_user()
    if user is None or user.role != "liaison":
        return None
    return frozenset(user.departments)


def in_scope(departments) -> bool:
    """True when an item concerning ``departments`` may be shown to the current person."""
    scope = departments_in_scope()
    return scope is None or bool(scope & set(departments or ()))
