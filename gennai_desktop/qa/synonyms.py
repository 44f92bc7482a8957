"""Synonyms and variants for query expansion: resources/qa/synonyms.tsv.

Why: a question's words and the document's differ (申し込み/応募, 開始/スタート), and BM25
only meets words it shares. The table is a mechanically filtered part of the Sudachi
synonym dictionary (Apache-2.0; scripts/build_qa_synonyms.py says how), stored as Sudachi
normalised forms, so it plugs straight into the index terms. Expanded terms count at
``WEIGHT`` of the question's own word, so a literal match still ranks first.
"""
from __future__ import annotations

from functools import lru_cache

from ..core.paths import resources_dir

WEIGHT = 0.6


@lru_cache(maxsize=1)
def table() -> dict[str, frozenset[str]]:
    """Normalised form → the other forms of its group(s)."""
    out: dict[str, set[str]] = {}
    path = resources_dir() / "qa" / "synonyms.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        words = line.split("\t")[1:]
        for w in words:
            out.setdefault(w, set()).update(x for x in words if x != w)
    return {w: frozenset(v) for w, v in out.items()}


def expand(terms: list[str]) -> list[tuple[str, float, int]]:
    """(term, weight, index of the question term it stands for) for the distinct ``terms``
    and their synonyms; a synonym that is itself a question term is not added twice."""
    distinct = list(dict.fromkeys(terms))
    out = [(w, 1.0, i) for i, w in enumerate(distinct)]
    have = set(distinct)
    syn = table()
    for i, w in enumerate(distinct):
        for s in sorted(syn.get(w, ())):
            if s not in have:
                have.add(s)
                out.append((s, WEIGHT, i))
    return out
