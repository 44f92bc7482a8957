"""``gennai-admin audit verify FILE [FILE...]``: check an audit log's hash chain.

Several files are checked as one chain in the order given (oldest rotated file first, the
current ``audit.jsonl`` last). Prints every broken line as ``FILE:LINE: reason``; exit 0
when the chain is intact, 7 (security) when not. ``--anchor`` (run as the user, on the
laptop) also checks the chain against the last line recorded in the encrypted store.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.errors import EXIT_OK, EXIT_SECURITY
from ..core.i18n import tr
from ..storage.audit import read_anchor, verify


def cmd_verify(args: argparse.Namespace) -> int:
    files = [Path(f) for f in args.files]
    anchor = read_anchor(files[-1]) if args.anchor else None
    if args.anchor and anchor is None:
        print(tr("storage.audit.no_anchor", file=str(files[-1])), file=sys.stderr)
    count, problems = verify(files, anchor=anchor)
    for p in problems:
        print(tr("storage.audit.problem", file=p.file, line=p.line, reason=tr(f"storage.audit.reason.{p.reason}")),
              file=sys.stderr)
    if problems:
        print(tr("storage.audit.broken", n=len(problems), lines=count), file=sys.stderr)
        return EXIT_SECURITY
    print(tr("storage.audit.ok", lines=count, files=len(args.files)))
    return EXIT_OK


def register(sub) -> None:
    sp = sub.add_parser("audit", help="audit log tools (verify the hash chain)")
    asub = sp.add_subparsers(dest="audit_command", required=True)
    v = asub.add_parser("verify", help="check the hash chain; names each edited, removed or reordered line")
    v.add_argument("files", nargs="+", metavar="FILE", help="audit file(s), oldest first")
    v.add_argument("--anchor", action="store_true",
                   help="also check that the chain reaches the last line recorded in this user's encrypted "
                        "store (detects a truncated or deleted log)")
    v.set_defaults(func=cmd_verify)
