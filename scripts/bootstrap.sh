#!/bin/sh
# Create .venv with Python 3.11+ and install pinned requirements (runtime, or dev with "dev").
# Re-running is cheap: installs happen only when a requirements file changed.
set -eu
cd "$(dirname "$0")/.."
kind="${1:-runtime}"

python=""
for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        python="$candidate"; break
    fi
done
[ -n "$python" ] || { echo "vigil: Python 3.11 or newer is required" >&2; exit 1; }

[ -x .venv/bin/python ] || "$python" -m venv .venv

requirements=requirements.txt
[ "$kind" = dev ] && requirements=requirements-dev.txt
stamp=".venv/.installed-$kind"
wanted="$(cat requirements.txt "$requirements" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "vigil: installing $requirements into .venv" >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements" 2>&1 |
        grep -v "^WARNING: Location" >&2 || true
    .venv/bin/python -c "import flask_socketio, sqlalchemy, folium" ||
        { echo "vigil: installing $requirements failed" >&2; exit 1; }
    echo "$wanted" > "$stamp"
fi
