"""``python -m feeds parse FILE``: print the FeedEvents of a payload file, one JSON object a line.

Exit 0 when the payload was read (skipped items are reported on stderr), 1 when
the payload is refused or its format cannot be detected, 2 for bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys

from feeds.adapters.errors import PayloadRefused
from feeds.adapters.registry import ADAPTERS, UnknownFormat, detect_formats, get_adapter
from feeds.event import InvalidEvent


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        adapter = get_adapter(args.format) if args.format else None
    except UnknownFormat as exc:
        parser.error(str(exc))
    payload = _read(parser, args.file)
    if adapter is None:
        names = detect_formats(payload)
        if len(names) != 1:
            what = f"it looks like several ({', '.join(names)})" if names else "no adapter recognizes it"
            return _fail(f"cannot detect the format of {args.file}: {what}; give --format "
                         f"({', '.join(sorted(ADAPTERS))})")
        adapter = ADAPTERS[names[0]]
    try:
        events, skipped = adapter.parse_report(payload, args.source or adapter.SOURCE)
    except InvalidEvent as exc:  # only the source name can be wrong before the payload is read
        parser.error(f"--source: {exc.message}")
    except PayloadRefused as exc:
        return _fail(f"refused {args.file}: {exc.reason}")
    if hasattr(sys.stdout, "reconfigure"):  # a lone surrogate from a hostile payload must not crash the print
        sys.stdout.reconfigure(encoding="utf-8", errors="backslashreplace")
    for event in events:
        print(json.dumps(event.to_dict(), ensure_ascii=False))
    for index, reason in skipped:
        print(f"skipped item {index}: {reason}", file=sys.stderr)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m feeds", description="Vigil feed adapters")
    commands = parser.add_subparsers(dest="command", required=True)
    parse = commands.add_parser("parse", help="print the FeedEvents of a payload file as JSON lines")
    parse.add_argument("file", metavar="FILE", help="payload file, or - for standard input")
    parse.add_argument("--format", metavar="NAME", help=f"adapter name ({', '.join(sorted(ADAPTERS))}); "
                                                        "detected from the payload when absent")
    parse.add_argument("--source", metavar="NAME", help="feed source name for the events (default: the adapter's)")
    return parser


def _read(parser: argparse.ArgumentParser, path: str) -> bytes:
    try:
        if path == "-":
            return sys.stdin.buffer.read()
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        parser.error(f"cannot read {path}: {exc.strerror or exc}")


def _fail(reason: str) -> int:
    print(reason.replace("\n", " "), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
