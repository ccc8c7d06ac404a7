"""The composition root shared by web and worker processes: settings, database, publisher."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from contextlib import AbstractContextManager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from command.db import make_engine, make_session_factory
from command.publish import Publisher
from command.reporting import DEFAULT_FILE, Profile, ProfileError, get_profile
from command.settings import PREFIX, SettingsError, load_settings
from command.unit_of_work import unit_of_work


@dataclass(frozen=True)
class Runtime:
    """Everything a Vigil process needs, built once at start-up."""

    settings: dict[str, Any]
    engine: Engine
    sessions: sessionmaker[Session]
    publisher: Publisher
    reporting_profile: Profile  # read once at start: a wrong name stops the start, not a grade change

    def unit_of_work(self) -> AbstractContextManager[Session]:
        """A session in one transaction whose announced events are published after it commits."""
        return unit_of_work(self.sessions, self.publisher)


def build_runtime(overrides: Mapping[str, Any] | None = None) -> Runtime:
    """Load settings and open the database (the schema is not touched: see migrate)."""
    settings = load_settings(overrides)
    try:
        profile = get_profile(settings["REPORTING_PROFILE"], settings["REPORTING_PROFILES_FILE"] or DEFAULT_FILE)
    except (ProfileError, OSError) as exc:
        raise SettingsError(f"{PREFIX}REPORTING_PROFILE / {PREFIX}REPORTING_PROFILES_FILE: {exc}") from exc
    engine = make_engine(settings["DATABASE_URL"])
    return Runtime(settings, engine, make_session_factory(engine), Publisher(), profile)
