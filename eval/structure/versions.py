"""Run the document readers of one code version — the working tree, or a git commit — and
get every file's blocks as plain dicts.

Why a child process per version: the "before" figures must come from the code as it was
(main at the start of issue 20), read in the same run as the "after" figures. The child
imports ``gennai_desktop`` from a ``git archive`` of that commit put first on ``sys.path``;
it asserts that it really did. Used by eval/structure/pairs.py, score.py and
bench/bench_extract.py. OCR answers are cached per file and page list
(``GENNAI_EVAL_OCR_CACHE``, default ~/.cache/gennai-eval/ocr): the OCR engine is not what is
measured here, and one outline page costs a minute of CPU.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# main when issue 20 started: the reader before any structure work
BASE_REF = "76a44d5"

_CHILD = r"""
import json, sys, time
root = sys.argv[1]
sys.path.insert(0, root)
import gennai_desktop
assert gennai_desktop.__file__.startswith(root), gennai_desktop.__file__
from gennai_desktop.documents.loader import load_document
from gennai_desktop.ocr.runner import ocr_context
import gennai_desktop.ocr.pdf as ocr_pdf
import hashlib, os
cache_dir = os.environ.get("GENNAI_EVAL_OCR_CACHE")
if cache_dir:
    # The OCR engine's answer for a file's pages does not depend on the reader under test;
    # caching it keeps a run at seconds instead of minutes per outline page.
    real_run_ocr = ocr_pdf.run_ocr
    def cached_run_ocr(path, kind, pages=None, **kw):
        digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
        name = os.path.join(cache_dir, f"{digest}-{kind}-{'_'.join(map(str, pages or []))}.json")
        if os.path.exists(name):
            with open(name, encoding="utf-8") as fh:
                cached = json.load(fh)
            try:    # the cache keeps the child's events; newer readers take typed pages
                from gennai_desktop.ocr.runner import OcrResult
                from gennai_desktop.ocr.pages import OcrPage
            except ImportError:
                return cached
            return OcrResult(cached.get("provider"), [OcrPage.from_event(ev) for ev in cached.get("pages", [])])
        result = real_run_ocr(path, kind, pages, **kw)
        if isinstance(result, dict):
            os.makedirs(cache_dir, exist_ok=True)
            with open(name, "w", encoding="utf-8") as fh:
                json.dump(result, fh)
        return result
    ocr_pdf.run_ocr = cached_run_ocr
out = []
for path in sys.argv[2:]:
    t = time.perf_counter()
    try:
        with ocr_context(enabled=True):
            doc = load_document(path)
    except Exception as exc:
        out.append({"path": path, "error": f"{type(exc).__name__}: {exc}"})
        continue
    def row(b, furniture=False):
        return {"id": b.id, "kind": b.kind, "text": b.text, "page": b.page, "level": b.level,
                "label": getattr(b, "label", ""), "anchor": getattr(b, "anchor", None),
                "continued": getattr(b, "continued", False), "page_end": getattr(b, "page_end", None), "bbox": getattr(b, "bbox", None),
                "rows": [list(r) for r in b.rows] if b.rows else None, "furniture": furniture}
    out.append({"path": path, "seconds": time.perf_counter() - t, "page_count": doc.page_count,
                "blocks": [row(b) for b in doc.blocks]
                          + [row(b, True) for b in getattr(doc, "furniture", [])]})
sys.stdout.write(json.dumps(out, ensure_ascii=False))
"""


def checkout(ref: str, into: Path) -> Path:
    """``gennai_desktop`` and ``resources`` of commit ``ref`` under ``into``."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", ref, "gennai_desktop", "resources"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def extract(files: list[Path], ref: str | None = None) -> list[dict]:
    """Blocks of ``files`` as read by commit ``ref`` (None: the working tree)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = checkout(ref, Path(tmp)) if ref else REPO
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        env.setdefault("GENNAI_EVAL_OCR_CACHE", str(Path.home() / ".cache" / "gennai-eval" / "ocr"))
        proc = subprocess.run([sys.executable, "-c", _CHILD, str(root), *map(str, files)],
                              capture_output=True, env=env, cwd=str(root))
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr.decode("utf-8", "replace")[-2000:])
        return json.loads(proc.stdout)
