"""Evaluation-only cache of parsed documents, so a re-score does not re-read every PDF.

Reading ../shared/corpus/real takes minutes on 2 cores (one 196-page vertical 告示); a
ranking change does not change what the readers give. ``install()`` wraps the loader the
QA index calls with a pickle cache keyed by the file's path, size and mtime and by the
readers' source code (a reader change invalidates it). Never used by the product.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("GENNAI_EVAL_DOC_CACHE", "/tmp/gennai-eval-doc-cache"))


def _readers_digest() -> str:
    h = hashlib.sha256()
    for p in sorted((REPO / "gennai_desktop" / "documents").rglob("*.py")):
        h.update(p.read_bytes())
    for p in sorted((REPO / "gennai_desktop" / "core").glob("document.py")):
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def install() -> None:
    """Route ``qa.index.load_document`` (and the blind scorer's) through the cache."""
    from gennai_desktop.documents import loader
    from gennai_desktop.qa import index
    real = loader.load_document
    digest = _readers_digest()
    CACHE.mkdir(parents=True, exist_ok=True)

    def cached(path, *args, **kwargs):
        st = os.stat(path)
        key = hashlib.sha256(f"{digest}\0{os.path.abspath(path)}\0{st.st_size}\0{st.st_mtime_ns}".encode()).hexdigest()
        f = CACHE / f"{key}.pickle"
        if f.exists():
            with open(f, "rb") as fh:
                return pickle.load(fh)
        doc = real(path, *args, **kwargs)
        with open(f, "wb") as fh:
            pickle.dump(doc, fh)
        return doc

    index.load_document = cached
    return cached
