"""``gennai extract FILE [--json] [--no-ocr] [--searchable-pdf OUT.pdf]``: the text the tasks would see, per page and block.

Text mode prints each block with a "p.N" header per page (OCR'd blocks marked [OCR 0.97]);
--json prints one JSON object per block per line:
{"page": 3, "block": "b0012", "text": "...", "ocr": true, "confidence": 0.974}
(page/confidence are null for documents without pages / not OCR'd). Progress of OCR goes
to stderr. Exit codes as for the other commands (input errors: 3).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..core.i18n import tr
from ..core.outputs import check_output_target
from ..documents.loader import load_document
from ..ocr.runner import ocr_context
from ..ocr.searchable import make_searchable_pdf
from ..storage.audit import audit_folders


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("extract", help=tr("ocr.extract.help"))
    p.add_argument("file", help=tr("ocr.extract.file"))
    p.add_argument("--json", action="store_true", help=tr("ocr.extract.json"))
    p.add_argument("--no-ocr", action="store_true", help=tr("ocr.extract.no_ocr"))
    p.add_argument("--searchable-pdf", metavar="OUT.pdf", help=tr("ocr.extract.searchable"))
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(func=cmd_extract)


def cmd_extract(args: argparse.Namespace) -> int:

    def progress(done: int, total: int) -> None:
        if not args.quiet:
            print(tr("ocr.progress.page", done=done, total=total), file=sys.stderr, flush=True)

    if args.searchable_pdf:
        out = check_output_target(args.searchable_pdf, audit_folders())
        n = make_searchable_pdf(Path(args.file), out, progress=progress)
        print(tr("ocr.extract.searchable_done", path=args.searchable_pdf, pages=n), file=sys.stderr, flush=True)
        return 0
    with ocr_context(progress=progress, enabled=not args.no_ocr):
        doc = load_document(args.file)
    for key in doc.warnings:
        print(tr("cli.notice_prefix") + tr(key), file=sys.stderr, flush=True)
    out = sys.stdout
    page = object()
    for b in doc.blocks:
        if args.json:
            out.write(json.dumps({"page": b.page, "block": b.id, "text": b.text, "ocr": b.ocr,
                                  "confidence": b.confidence}, ensure_ascii=False) + "\n")
            continue
        if b.page != page and b.page is not None:
            out.write(f"\n--- p.{b.page} ---\n")
        page = b.page
        mark = f"[OCR {b.confidence:.2f}] " if b.ocr and b.confidence is not None else ""
        out.write(mark + b.text + "\n")
    out.flush()
    return 0
