"""``gennai history list|show ID|search TEXT|export ID --out F|delete ID|delete --all``.

The history lives in the encrypted store (storage/store.py); this module only presents it.
Deleting is real deletion: rows go, freed pages are overwritten (secure_delete) and the file
is VACUUMed. Deletions and exports are audited (without content).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys

from ..core.atomicio import atomic_write_text
from ..core.document import Block
from ..core.errors import EXIT_OK, GennaiError
from ..core.i18n import one_line, tr
from ..core.outputs import check_output_target
from ..documents.docx_writer import write_docx
from ..storage import StoreUnavailable, destroy_store, open_store
from ..storage.audit import audit_folders
from ..storage.history import audit_event, entry_preview, search_history, task_label
from .output import emit, emit_json

# a store that cannot be read any more: `history delete --all` starts a new one
RESETTABLE = ("storage.error.key_lost", "storage.error.corrupt", "storage.error.meta_broken")


class HistoryError(GennaiError):
    exit_code = 3          # EXIT_INPUT: no such entry


def _when(ts: float) -> str:
    return _dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def _snippet(text: str, n: int = 40) -> str:
    one = " ".join(text.split())
    return one if len(one) <= n else one[:n] + "…"


def _store():
    return open_store()


def _print_rows(entries, as_json: bool) -> None:
    if as_json:
        emit_json([{k: v for k, v in e.to_json().items() if k not in ("text", "payload")} for e in entries])
        return
    if not entries:
        emit(tr("storage.history.empty"))
        return
    for e in entries:
        emit(f"{e.id}\t{_when(e.created)}\t{task_label(e.task)}\t{one_line(e.source_name or e.title)}\t"
             f"{_snippet(entry_preview(e))}")


def _get(store, entry_id: int):
    e = store.get_result(entry_id)
    if e is None:
        raise HistoryError("storage.history.not_found", id=entry_id)
    return e


def cmd_history(args: argparse.Namespace) -> int:
    try:
        store = _store()
    except StoreUnavailable as exc:
        if exc.key in RESETTABLE and args.history_command == "delete" and args.all:
            destroy_store()          # undecryptable without its key / damaged anyway: start over
            audit_event("history.reset", outcome="ok")
            print(tr("storage.history.reset"), file=sys.stderr)
            return EXIT_OK
        raise
    try:
        action = args.history_command
        if action == "list":
            _print_rows(store.list_results(limit=args.limit), args.json)
            audit_event("history.list", outcome="ok")
        elif action == "search":
            found = search_history(store, args.text, limit=args.limit)
            _print_rows(found, args.json)
            audit_event("history.search", outcome="ok", detail=str(len(found)))   # the count, never the words
        elif action == "show":
            e = _get(store, args.id)
            audit_event("history.show", task=e.task, doc_sha256=e.source_sha256 or None,
                        doc_size=e.source_size, outcome="ok")
            if args.json:
                emit_json(e.to_json())
            else:
                emit(entry_preview(e))
        elif action == "export":
            e = _get(store, args.id)
            out = check_output_target(args.out, audit_folders())
            if out.suffix.lower() == ".json":
                atomic_write_text(out, json.dumps(e.to_json(), ensure_ascii=False, indent=2) + "\n")
            elif out.suffix.lower() == ".docx":
                write_docx([Block(id=f"h{i}", kind="paragraph", text=t)
                            for i, t in enumerate(e.text.splitlines()) if t.strip()], out)
            else:
                atomic_write_text(out, e.text if e.text.endswith("\n") else e.text + "\n")
            audit_event("history.export", task=e.task, doc_sha256=e.source_sha256 or None,
                        doc_size=e.source_size, outcome="ok")
            print(tr("cli.saved", path=str(out)), file=sys.stderr, flush=True)
        elif action == "delete":
            if args.all:
                n = store.delete_all_results()
                audit_event("history.delete_all", outcome="ok", detail=str(n))
                print(tr("storage.history.deleted_all", n=n), file=sys.stderr)
            elif args.id is not None:
                e = _get(store, args.id)
                store.delete_result(e.id)
                audit_event("history.delete", task=e.task, doc_sha256=e.source_sha256 or None,
                            doc_size=e.source_size, outcome="ok")
                print(tr("storage.history.deleted", id=e.id), file=sys.stderr)
            else:
                raise GennaiError("storage.history.delete_what")
    finally:
        store.close()
    return EXIT_OK


def register(sub) -> None:
    t = tr
    p = sub.add_parser("history", help=t("storage.cli.history"))
    p.add_argument("--lang", choices=("ja", "en"), help=t("cli.opt.lang"))
    hs = p.add_subparsers(dest="history_command", metavar="ACTION")
    hs.required = True
    sp = hs.add_parser("list", help=t("storage.cli.list"))
    sp.add_argument("--json", action="store_true", help=t("cli.opt.json"))
    sp.add_argument("--limit", type=int, default=50)
    sp = hs.add_parser("show", help=t("storage.cli.show"))
    sp.add_argument("id", type=int)
    sp.add_argument("--json", action="store_true", help=t("cli.opt.json"))
    sp = hs.add_parser("search", help=t("storage.cli.search"))
    sp.add_argument("text")
    sp.add_argument("--json", action="store_true", help=t("cli.opt.json"))
    sp.add_argument("--limit", type=int, default=50)
    sp = hs.add_parser("export", help=t("storage.cli.export"))
    sp.add_argument("id", type=int)
    sp.add_argument("--out", required=True, metavar="FILE", help=t("storage.cli.export_out"))
    sp = hs.add_parser("delete", help=t("storage.cli.delete"))
    sp.add_argument("id", type=int, nargs="?")
    sp.add_argument("--all", action="store_true", help=t("storage.cli.delete_all"))
    p.set_defaults(func=cmd_history)
