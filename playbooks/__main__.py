"""``python -m playbooks validate DIR`` and ``python -m playbooks match DIR --category env --grade II ...``.

validate prints "OK: N playbooks" or one ``FILE:LINE:COL: message`` line per problem and exits 1.
match prints every matching playbook, best first (the first is the one an escalation would use),
and exits 1 when none matches. Exit 2 is a usage error.

This entry point is a caller of playbooks like the escalation worker: it reads the known department
codes from command's one reader of departments.yaml and passes them in; the library imports nothing of command.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from command.directory import department_codes
from playbooks.loader import PlaybookError, load_dir
from playbooks.matcher import ranked
from playbooks.vocab import CATEGORIES, GRADES, SEVERITIES


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        playbooks = load_dir(args.dir, department_codes())
    except PlaybookError as exc:
        for problem in exc.problems:
            print(problem)
        print(f"{len(exc.problems)} problem(s) found", file=sys.stderr)
        return 1
    if args.command == "validate":
        print(f"OK: {len(playbooks)} playbooks")
        return 0
    return _match(playbooks, args)


def _match(playbooks, args) -> int:
    try:
        zone = ZoneInfo(args.tz)
    except (ZoneInfoNotFoundError, ValueError):
        print(f"unknown time zone {args.tz!r}", file=sys.stderr)
        return 2
    if args.at is None:
        local_time = datetime.now(zone)
    else:  # a time without an offset is the duty room's wall clock
        local_time = args.at.astimezone(zone) if args.at.tzinfo else args.at.replace(tzinfo=zone)
    facts = {"category": args.category, "event": args.event, "headline": args.headline, "severity": args.severity,
             "grade": args.grade, "grade_proposed": args.grade_proposed, "region_code": args.region_code,
             "lat": args.lat, "lon": args.lon, "source": args.source, "sensitive": args.sensitive,
             "departments": args.departments or []}
    found = ranked(playbooks, facts, local_time)
    if not found:
        print(f"no playbook matches at {local_time:%Y-%m-%d %H:%M %Z}")
        return 1
    for position, playbook in enumerate(found):
        mark = "*" if position == 0 else " "
        print(f"{mark} {playbook.name} (priority {playbook.priority}, {playbook.criteria.count} criteria): "
              f"{playbook.title['en']} / {playbook.title['zh']}  [{playbook.file.name}]")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m playbooks", description="Check and try out playbooks.")
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check every playbook file in DIR")
    validate.add_argument("dir", metavar="DIR")
    try_match = commands.add_parser("match", help="show which playbooks match an incident, best first")
    try_match.add_argument("dir", metavar="DIR")
    try_match.add_argument("--category", choices=CATEGORIES)
    try_match.add_argument("--event", help="the incident's event text")
    try_match.add_argument("--headline")
    try_match.add_argument("--severity", choices=SEVERITIES)
    try_match.add_argument("--grade", choices=GRADES, help="the confirmed grade")
    try_match.add_argument("--grade-proposed", choices=GRADES)
    try_match.add_argument("--region-code")
    try_match.add_argument("--lat", type=float)
    try_match.add_argument("--lon", type=float)
    try_match.add_argument("--source", help="the feed source name")
    try_match.add_argument("--sensitive", action="store_true")
    try_match.add_argument("--departments", nargs="*", metavar="CODE")
    try_match.add_argument("--at", type=datetime.fromisoformat,
                           help="local time in the duty room, e.g. 2024-07-01T23:30 (default: now)")
    try_match.add_argument("--tz", default=os.environ.get("VIGIL_TIME_ZONE", "Asia/Shanghai"),
                           help="the duty room's time zone (default: $VIGIL_TIME_ZONE or Asia/Shanghai)")
    return parser


if __name__ == "__main__":
    sys.exit(main())
