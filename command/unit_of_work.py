"""The one way domain events leave ``command``: a unit of work publishes what its transaction announced, after commit.

Every write runs in ``with runtime.unit_of_work() as session:``. Command functions announce their
events on the session (``announce(session, event)``); the unit of work keeps them and, once the
transaction has committed, hands them to the publisher in order. A transaction that rolls back
publishes nothing, and nothing is ever published before the data is there to be read.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy.orm import Session, sessionmaker

from command.events import DomainEvent
from command.publish import Publisher

_EVENTS = "vigil.unit_of_work.events"


class NoUnitOfWork(RuntimeError):
    """An event was announced on a session that no unit of work owns: it could never be published."""


def announce(session: Session, event: DomainEvent) -> None:
    """Queue ``event`` for publication when the session's transaction commits."""
    try:
        session.info[_EVENTS].append(event)
    except KeyError:
        raise NoUnitOfWork(f"{type(event).__name__} announced outside a unit of work") from None


@contextmanager
def unit_of_work(sessions: sessionmaker[Session], publisher: Publisher) -> Iterator[Session]:
    """A session in one transaction; its announced events are published after it commits, never otherwise."""
    with sessions() as session:
        session.info[_EVENTS] = events = []
        with session.begin():
            yield session
        del session.info[_EVENTS]
    for event in events:
        publisher.publish(event)
