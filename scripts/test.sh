#!/bin/sh
# Install everything (Python packages, Chromium and CJK fonts, local PostgreSQL and Redis
# started if down) and run the whole test suite. Extra arguments go to pytest.
set -eu
cd "$(dirname "$0")/.."
sh scripts/bootstrap.sh dev
sh scripts/system_deps.sh
exec .venv/bin/python -m pytest "$@"
