"""The one way the core refuses: a typed error carrying a code, the field at fault and the values its message needs.

``web`` maps each class to an HTTP status and renders the message for the code from the catalogue
(command/messages.py, translated in command/translations) in the reader's language; nothing parses
the English text, which exists only for logs and the command line.
"""

from __future__ import annotations

from typing import Any

from command.i18n import message as make_message, render


class DomainError(Exception):
    """A refusal: ``code`` is stable for programs, ``field`` names what was wrong, ``values`` fill the message.

    ``message`` is the catalogue key of the sentence when it differs from the code (one code, several
    wordings: every "not_found" says what was not found).
    """

    def __init__(self, code: str, field: str | None = None, *, message: str | None = None, **values: Any):
        self.code, self.field, self.values = code, field, values
        self.message = message or code
        super().__init__(render(self.stored(), "en"))

    def stored(self) -> dict:
        """The error's sentence as a message (key and values, the field's name among them) for command.i18n."""
        return make_message(self.message, **{"field": self.field, **self.values})


class Malformed(DomainError):
    """The request itself cannot be read: not a JSON object, a required part missing, a bad query parameter."""


class Invalid(DomainError):
    """A value is well formed but not acceptable (a grade that does not exist, a note too long)."""


class NotFound(DomainError):
    """The thing asked for does not exist (or is not the asker's to see)."""

    def __init__(self, what: str, ident: Any = None, field: str | None = "id", code: str = "not_found", **values: Any):
        super().__init__(code, field, message=f"{what}_not_found", id=ident, **values)


class Conflict(DomainError):
    """The thing moved on: a stale version, a decision already taken, a lease someone else holds."""


class Forbidden(DomainError):
    """Not the asker's to do (a liaison deciding swaps, the wrong officer signing)."""


class Unavailable(DomainError):
    """A resource the request needs is exhausted or down; the client should retry later."""
