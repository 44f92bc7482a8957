"""``gennai doctor``: the runtime report for officials and ministry IT (exit 0 / 4 / 8)."""
from __future__ import annotations

import argparse
import json
import sys

from ..app.diagnostics import diagnose
from ..core.i18n import tr
from ..llm.doctor import exit_status, format_report


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help=tr("doctor.cmd"))
    p.add_argument("--lang", choices=("ja", "en"), help=tr("cli.opt.lang"))
    p.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    p.add_argument("--no-probe", action="store_true", help=tr("doctor.opt.no_probe"))
    p.set_defaults(func=run_cli)


def run_cli(args: argparse.Namespace) -> int:
    report = diagnose(probe=not args.no_probe)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print(format_report(report))
    sys.stdout.flush()
    return exit_status(report)
