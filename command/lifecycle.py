"""The incident lifecycle: one transition function; every move has a named rule id for the log.

new → acknowledged → responding → resolved → closed, and reopen. An impossible
move raises InvalidTransition, whose message says why in the operator's language.
"""

from __future__ import annotations

from command.enums import Action, Status
from command.errors import Invalid
from command.i18n import message

# (from, action) -> (to, rule id). The rule id goes into the incident's log.
RULES: dict[tuple[Status, Action], tuple[Status, str]] = {
    (Status.NEW, Action.ACKNOWLEDGE): (Status.ACKNOWLEDGED, "NEW-ACK"),
    (Status.NEW, Action.RESPOND): (Status.RESPONDING, "NEW-RESPOND"),
    (Status.ACKNOWLEDGED, Action.RESPOND): (Status.RESPONDING, "ACK-RESPOND"),
    (Status.NEW, Action.RESOLVE): (Status.RESOLVED, "NEW-RESOLVE"),
    (Status.ACKNOWLEDGED, Action.RESOLVE): (Status.RESOLVED, "ACK-RESOLVE"),
    (Status.RESPONDING, Action.RESOLVE): (Status.RESOLVED, "RESPOND-RESOLVE"),
    (Status.RESOLVED, Action.CLOSE): (Status.CLOSED, "RESOLVED-CLOSE"),
    (Status.RESOLVED, Action.REOPEN): (Status.NEW, "RESOLVED-REOPEN"),
    (Status.CLOSED, Action.REOPEN): (Status.NEW, "CLOSED-REOPEN"),
    (Status.NEW, Action.FEED_CANCEL): (Status.RESOLVED, "FEED-CANCEL-NEW"),
    (Status.ACKNOWLEDGED, Action.FEED_CANCEL): (Status.RESOLVED, "FEED-CANCEL-ACK"),
    (Status.RESPONDING, Action.FEED_CANCEL): (Status.RESPONDING, "FEED-CANCEL-KEEP"),  # people are on site
    (Status.NEW, Action.EXPIRE): (Status.RESOLVED, "EXPIRE-NEW"),
    (Status.ACKNOWLEDGED, Action.EXPIRE): (Status.RESOLVED, "EXPIRE-ACK"),
}


class InvalidTransition(Invalid):
    """The move is impossible from the incident's status; the message says why (command/messages.py)."""

    def __init__(self, status: Status, action: Action):
        super().__init__("invalid_transition", "action", status=status.value, action=action.value,
                         status_name=message(f"status.{status.value}"), action_name=message(f"action.{action.value}"),
                         why=message(f"why_not.{action.value}"))
        self.status, self.action = status, action


# The moves an operator makes from the console; the feed's own (cancel, expire) are not offered.
OPERATOR_ACTIONS = (Action.ACKNOWLEDGE, Action.RESPOND, Action.RESOLVE, Action.CLOSE, Action.REOPEN)


def allowed_actions(status: str) -> list[str]:
    """The operator actions valid from ``status``, in Action order (what the console offers as buttons)."""
    return [action.value for action in OPERATOR_ACTIONS if (Status(status), action) in RULES]


def transition(status: str, action: str) -> tuple[Status, str]:
    """Return (new status, rule id) for ``action`` on an incident in ``status``, or raise InvalidTransition."""
    status, action = Status(status), Action(action)
    try:
        return RULES[(status, action)]
    except KeyError:
        raise InvalidTransition(status, action) from None
