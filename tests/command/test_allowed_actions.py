"""The operator actions each status offers: what the console shows as buttons, from command/lifecycle.py alone."""

from __future__ import annotations

import pytest

from command.enums import Action, Status
from command.incidents import feature
from command.lifecycle import InvalidTransition, allowed_actions, transition
from command.models import Incident

OFFERED = {
    "new": ["acknowledge", "respond", "resolve"],
    "acknowledged": ["respond", "resolve"],
    "responding": ["resolve"],
    "resolved": ["close", "reopen"],
    "closed": ["reopen"],
}


@pytest.mark.parametrize("status", list(OFFERED))
def test_each_status_offers_its_operator_moves_in_action_order(status):
    assert allowed_actions(status) == OFFERED[status]


@pytest.mark.parametrize("status", list(Status))
def test_an_action_is_offered_exactly_when_the_transition_accepts_it(status):
    offered = allowed_actions(status)
    for action in (Action.ACKNOWLEDGE, Action.RESPOND, Action.RESOLVE, Action.CLOSE, Action.REOPEN):
        try:
            transition(status, action)
            accepted = True
        except InvalidTransition:
            accepted = False
        assert (action.value in offered) is accepted, (status, action)


def test_the_feeds_own_moves_are_never_offered():
    for status in Status:
        assert not {"feed_cancel", "expire"} & set(allowed_actions(status))


def test_the_pushed_feature_carries_the_actions_of_its_status():
    incident = Incident(id=7, headline="Levee seepage", status="resolved", severity="severe", version=3)
    assert feature(incident)["properties"]["actions"] == ["close", "reopen"]
