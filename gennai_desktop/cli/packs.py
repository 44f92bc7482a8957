"""``gennai packs list|update|install|rollback|verify`` — mounted into ``gennai`` by the CLI.

``register(subparsers)`` adds the ``packs`` command; every sub-command's ``func(args)``
returns an exit code. Progress goes to stderr, results to stdout; errors are one message
(Japanese or English) and exit code 7 (verification/policy) — never a traceback.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator

from ..app.models import ModelService
from ..core.cancel import Cancelled, CancelToken
from ..core.errors import EXIT_CANCELLED, EXIT_OK, EXIT_SECURITY, GennaiError, OutputError
from ..core.events import Notice, Progress, TaskEvent, drain
from ..core.i18n import get_language, tr
from ..core.paths import home_dir
from ..packs.api import rollback, trust_notices, update_from_folder, update_from_mirror, verify
from ..packs.loadtest import engine_load_test


def _drain(events: Iterator[TaskEvent], quiet: bool = False):
    """Progress as one updating percentage line on stderr (downloads are long), notices below."""
    last = -1

    def show(ev: TaskEvent) -> None:
        nonlocal last
        if isinstance(ev, Progress) and not quiet:
            pct = int(100 * ev.done / ev.total) if ev.total else 0
            if pct != last or ev.done == 0:
                last = pct
                print(f"\r{tr(ev.stage) if ev.stage else ''} {ev.detail} {pct:3d}%", end="", file=sys.stderr)
                if ev.done >= ev.total:
                    print(file=sys.stderr)
        elif isinstance(ev, Notice):
            print(tr(ev.key, **ev.params), file=sys.stderr)

    return drain(events, show)


def _run(func):
    def wrapper(args) -> int:
        try:
            return int(func(args))
        except Cancelled:
            print(tr("packs.cli.cancelled"), file=sys.stderr)
            return EXIT_CANCELLED
        except KeyboardInterrupt:
            print(tr("packs.cli.cancelled"), file=sys.stderr)
            return EXIT_CANCELLED
        except GennaiError as exc:
            print(exc.message(), file=sys.stderr)
            return exc.exit_code
        except OSError as exc:
            # read-only or full GENNAI_HOME (EACCES, EROFS, ENOSPC …): a message, not a traceback
            try:
                where = exc.filename or home_dir()
            except OSError:
                where = "GENNAI_HOME"
            err = OutputError("hardening.home.unwritable", path=where, detail=exc.strerror or str(exc))
            print(err.message(), file=sys.stderr)
            return err.exit_code
    return wrapper


def _load_test(args):
    if not getattr(args, "load_test", False):
        return None
    return engine_load_test


def _trust_notices() -> None:
    """Say on stderr when trust comes from the user folder (developer mode), when a user-folder
    root is being ignored, when the policy fell back, and how old the cached metadata is."""
    for key, params in trust_notices():
        print(tr(key, **params), file=sys.stderr)


@_run
def cmd_list(args) -> int:
    lang = get_language()
    _trust_notices()
    for row in ModelService().pack_rows():
        flags = [tr("packs.cli.domestic") if row.domestic else tr("packs.cli.not_domestic"),
                 tr(f"packs.status.{row.status}")]
        if row.active:
            flags.insert(0, tr("packs.cli.active"))
        if not row.allowed:
            flags.append(tr("packs.cli.not_allowed"))
        prev = f" (← {row.previous})" if row.previous else ""
        signer = f" [{row.signed_by}]" if row.signed_by else ""
        print(f"{'*' if row.active else ' '} {row.id} {row.version}{prev}  {row.name(lang)}  {row.vendor}{signer}  "
              f"{' / '.join(flags)}")
    return EXIT_OK


def _report(report) -> int:
    none = tr("packs.cli.nothing")

    def fmt(items: list[tuple[str, str]]) -> str:
        return ", ".join(f"{i} {v}" for i, v in items) or none
    print(tr("packs.cli.updated", installed=fmt(report.installed), unchanged=fmt(report.unchanged)))
    return EXIT_OK


@_run
def cmd_update(args) -> int:
    cancel = CancelToken()
    ids = list(getattr(args, "pack_ids", None) or [])
    if args.folder:
        events = update_from_folder(args.folder, cancel=cancel, pack_ids=ids, load_test=_load_test(args))
    else:
        events = update_from_mirror(args.url, cancel=cancel, pack_ids=ids, load_test=_load_test(args))
    return _report(_drain(events, args.quiet))


@_run
def cmd_rollback(args) -> int:
    pid, version = _drain(rollback(args.pack_id, load_test=_load_test(args)), args.quiet)
    print(tr("packs.cli.rolled_back", pack=pid, version=version))
    return EXIT_OK


@_run
def cmd_verify(args) -> int:
    results = _drain(verify(args.pack_ids or None), args.quiet)
    bad = 0
    for pid, verdict in results.items():
        if verdict.ok:
            print(tr("packs.cli.verify_ok", pack=pid, role=verdict.signed_by))
        else:
            bad += 1
            print(tr("packs.cli.verify_bad", pack=pid, status=tr(f"packs.status.{verdict.status}"),
                     reason=verdict.reason))
    return EXIT_SECURITY if bad else EXIT_OK


def register(subparsers) -> None:
    """Add ``packs`` (with list/update/install/rollback/verify) to the ``gennai`` parser."""
    p = subparsers.add_parser("packs", help="モデルパック / model packs (signed, TUF)")
    sub = p.add_subparsers(dest="packs_command", required=True)
    sp = sub.add_parser("list", help="installed packs / インストール済みパック")
    sp.set_defaults(func=cmd_list)

    def source_args(sp: argparse.ArgumentParser) -> None:
        g = sp.add_mutually_exclusive_group()
        g.add_argument("--url", help="HTTP(S) mirror (default: the policy's mirror)")
        g.add_argument("--folder", help="USB stick / shared folder with an exported bundle")
        sp.add_argument("--load-test", action="store_true", help="test-load the model before activating it")
        sp.add_argument("--quiet", action="store_true")

    sp = sub.add_parser("update", help="update from the mirror or a folder / 更新")
    source_args(sp)
    sp.set_defaults(func=cmd_update)
    sp = sub.add_parser("install", help="install packs by id / パックを追加")
    sp.add_argument("pack_ids", nargs="+")
    source_args(sp)
    sp.set_defaults(func=cmd_update)
    sp = sub.add_parser("rollback", help="return to the previous version / 以前の版に戻す")
    sp.add_argument("pack_id")
    sp.add_argument("--load-test", action="store_true")
    sp.add_argument("--quiet", action="store_true")
    sp.set_defaults(func=cmd_rollback)
    sp = sub.add_parser("verify", help="re-verify installed packs (full hash) / 検証")
    sp.add_argument("pack_ids", nargs="*")
    sp.add_argument("--quiet", action="store_true")
    sp.set_defaults(func=cmd_verify)


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (``python -m gennai_desktop.cli.packs packs …``) for tests and scripts."""
    parser = argparse.ArgumentParser(prog="gennai")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
