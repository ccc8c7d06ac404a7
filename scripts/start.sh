#!/bin/sh
# Quick start: install, create the SQLite schema, and serve Vigil with the demo feeds.
# Extra arguments go to `python -m command serve` (e.g. --port 8080).
set -eu
cd "$(dirname "$0")/.."
sh scripts/bootstrap.sh runtime
.venv/bin/python -m command migrate
exec .venv/bin/python -m command serve --demo "$@"
