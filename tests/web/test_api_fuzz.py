"""Schemathesis against /api/v1/openapi.json: generated requests (bounded) never get a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from command.runtime import build_runtime
from command.migrate import upgrade
from tests.conftest import ADMIN, ADMIN_TOKEN, make_user

EXAMPLES = 15  # per operation: about a minute for the whole API


@pytest.fixture
def fuzzed_app(tmp_path):
    from web import create_app
    runtime = build_runtime({"DATABASE_URL": f"sqlite:///{tmp_path / 'fuzz.db'}", "SECRET_KEY": "test"})
    upgrade(runtime.engine)
    make_user(runtime, ADMIN, token=ADMIN_TOKEN)
    app = create_app(runtime=runtime)
    yield app
    runtime.engine.dispose()


def test_no_generated_request_gets_a_server_error(fuzzed_app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzzed_app,
                                            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    errors = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def call(case):
            response = case.call(headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
            if response.status_code >= 500:
                errors.append(f"{case.method} {case.formatted_path} {case.body!r:.200}: "
                              f"{response.status_code} {response.text[:200]}")
        call()
    assert errors == []
