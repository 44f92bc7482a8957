"""``gennai extract FILE [--json] [--no-ocr] [--searchable-pdf OUT.pdf]``: the text the tasks
would see, per page and block, with its kind.

Text mode prints each block with a "p.N" header per page; a block that is not a plain
paragraph starts with its kind in brackets ("[heading 2] ", "[note] ", "[table] " …; OCR'd
blocks also "[OCR 0.97] "), and running headers, footers, page and line numbers follow
under "--- furniture ---". --json prints one JSON object per block per line:
{"page": 3, "page_end": null, "block": "b0012", "kind": "note", "level": 0, "label": "1",
 "text": "...", "bbox": [x0, top, x1, bottom], "anchor": "b0010", "continued": false,
 "ocr": false, "confidence": null} (+ "rows" for a table), then one per piece of furniture:
{"furniture": true, "page": 3, "block": "f0002", "kind": "page_number", "text": "3", "bbox": […]}
(page/bbox/confidence are null where a document has no pages, boxes or OCR; bbox is in PDF
points, y up). Progress of OCR goes to stderr. Exit codes as for the other commands (input
errors: 3).
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
    if args.json:
        for b in doc.blocks:
            row: dict[str, Any] = {"page": b.page, "page_end": b.page_end, "block": b.id, "kind": b.kind,
                                   "level": b.level, "label": b.label, "text": b.text,
                                   "bbox": list(b.bbox) if b.bbox else None, "anchor": b.anchor,
                                   "continued": b.continued, "ocr": b.ocr, "confidence": b.confidence}
            if b.ruby:
                row["ruby"] = [list(r) for r in b.ruby]
            if b.rows is not None:
                row["rows"] = [list(r) for r in b.rows]
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        for f in doc.furniture:
            out.write(json.dumps({"furniture": True, "page": f.page, "block": f.id, "kind": f.kind, "text": f.text,
                                  "bbox": list(f.bbox) if f.bbox else None}, ensure_ascii=False) + "\n")
        out.flush()
        return 0
    page = object()
    for b in doc.blocks:
        if b.page != page and b.page is not None:
            out.write(f"\n--- p.{b.page} ---\n")
        page = b.page
        mark = f"[OCR {b.confidence:.2f}] " if b.ocr and b.confidence is not None else ""
        out.write(_kind_mark(b) + mark + b.text + "\n")
    if doc.furniture:
        out.write("\n--- furniture ---\n")
        for f in doc.furniture:
            out.write(f"[{f.kind} p.{f.page}] " + f.text.replace("\n", " / ") + "\n")
    out.flush()
    return 0


def _kind_mark(b: Any) -> str:
    if b.kind == "paragraph":
        return ""
    level = f" {b.level}" if b.kind == "heading" and b.level else ""
    return f"[{b.kind}{level}] "
