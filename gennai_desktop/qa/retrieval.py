"""BM25 over Sudachi terms: the retrieval every answer rests on.

Why BM25 on morphemes: legal and administrative questions share their key terms with the
provision that answers them (「年次有給休暇」「標準処理期間」), and Sudachi's normalized form
makes spelling variants meet (申し込み/申込み/申込 → 申込, 附則/付則). eval/qa/score.py
measured the alternatives on eval/qa/questions.tsv; only what raised hit@3 is used here.

``Postings`` is one file's inverted index (term → passage numbers and counts); a
``Collection`` ranks passages of many files with global document frequencies, so a folder
index adds or drops one file's postings without touching the others.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..nlp.morph import index_terms
from ..tasks.sentence_shape import ARTICLE

_CONTENT = {"名詞", "動詞", "形容詞", "副詞", "形状詞", "代名詞", "接頭辞"}
# Light verbs, formal nouns and question words: in every passage or in every question.
STOP = frozenset(["する", "ある", "なる", "いる", "できる", "れる", "られる", "こと", "もの", "ため", "よう", "の",
                  "何", "いつ", "どこ", "どの", "どう", "誰", "どれ", "幾つ", "幾ら", "いくら", "何故", "なぜ", "如何",
                  "とき", "場合", "其の", "その", "これ", "それ", "此の", "この", "於く", "於ける", "おく", "次",
                  "教える", "知る", "言う", "いう", "思う", "ください", "下さい", "可能", "必要"])
_QUESTION_POS = {"代名詞"}
K1 = 1.2
B = 0.75
CAPTION_WEIGHT = 2          # a passage's caption/heading terms count this many times (0 = not indexed)
TITLE_WEIGHT = 1            # the document title's terms (the law's name)


MULTI_GRANULAR = True       # index mode-A parts of mode-C compounds too (年次有給休暇 → 年次/有給/休暇)


def _keep(w: str, p: tuple[str, ...]) -> bool:
    if p[0] not in _CONTENT or p[0] in _QUESTION_POS:
        return False
    return not (not w.strip() or w in STOP or w.startswith("何") or (p[1] == "非自立可能" and p[0] != "名詞"))


def _located_terms(text: str, multi: bool) -> list[tuple[int, str]]:
    """(offset, term) pairs: each mode-C content word, plus (``multi``) the mode-A words
    inside a compound, so a question's 有給休暇 finds a provision's 年次有給休暇 and back."""
    c_tokens = index_terms(text, "C")
    out = [(st, w) for st, _, w, p in c_tokens if _keep(w, p)]
    if not multi:
        return out
    c_spans = {(st, en) for st, en, _, _ in c_tokens}
    extra = [(st, w) for st, en, w, p in index_terms(text, "A") if (st, en) not in c_spans and _keep(w, p)]
    return sorted(out + extra)


def terms(text: str, multi: bool | None = None) -> list[str]:
    """Index terms of ``text``: normalised content words (Sudachi), stop words out."""
    return [w for _, w in _located_terms(text, MULTI_GRANULAR if multi is None else multi)]


def batch_terms(texts: Sequence[str], multi: bool | None = None) -> list[list[str]]:
    """``terms`` of many texts with one tokenizer pass (newline-joined, split back by offset)."""
    joined = "\n".join(t.replace("\n", " ") for t in texts)
    ends = []
    pos = 0
    for t in texts:
        pos += len(t)
        ends.append(pos)
        pos += 1
    out: list[list[str]] = [[] for _ in texts]
    i = 0
    for st, w in _located_terms(joined, MULTI_GRANULAR if multi is None else multi):
        while i < len(ends) and st >= ends[i]:
            i += 1
        if i >= len(ends):
            break
        out[i].append(w)
    return out


@dataclass
class Postings:
    """One file's inverted index: for each term the passages containing it (int32) and how
    often (float32), as numpy arrays so a query scores a file's passages in a few vector
    operations — terms such as the law's own name occur in every passage of it."""

    index: dict[str, tuple[np.ndarray, np.ndarray]]
    lengths: np.ndarray

    @classmethod
    def build(cls, docs: Iterable[Sequence[str]]) -> Postings:
        lists: dict[str, tuple[list[int], list[int]]] = {}
        lengths = []
        for pid, words in enumerate(docs):
            lengths.append(len(words))
            for w, c in Counter(words).items():
                pl = lists.get(w)
                if pl is None:
                    lists[w] = pl = ([], [])
                pl[0].append(pid)
                pl[1].append(c)
        index = {w: (np.asarray(p, dtype=np.int32), np.asarray(t, dtype=np.float32)) for w, (p, t) in lists.items()}
        return cls(index, np.asarray(lengths, dtype=np.float32))

    def df(self) -> Counter[str]:
        return Counter({w: len(p[0]) for w, p in self.index.items()})

    def to_bytes(self) -> tuple[list[str], bytes]:
        """(terms, packed arrays): lengths, then per term its count, pids and tfs."""
        words = list(self.index)
        parts = [np.asarray([len(self.lengths)], dtype=np.int32).tobytes(), self.lengths.astype(np.float32).tobytes(),
                 np.asarray([len(self.index[w][0]) for w in words], dtype=np.int32).tobytes()]
        parts += [self.index[w][0].tobytes() for w in words]
        parts += [self.index[w][1].tobytes() for w in words]
        return words, b"".join(parts)

    @classmethod
    def from_bytes(cls, words: list[str], data: bytes) -> Postings:
        n = int(np.frombuffer(data, dtype=np.int32, count=1)[0])
        pos = 4
        lengths = np.frombuffer(data, dtype=np.float32, count=n, offset=pos).copy()
        pos += 4 * n
        counts = np.frombuffer(data, dtype=np.int32, count=len(words), offset=pos)
        pos += 4 * len(words)
        total = int(counts.sum())
        pids = np.frombuffer(data, dtype=np.int32, count=total, offset=pos)
        tfs = np.frombuffer(data, dtype=np.float32, count=total, offset=pos + 4 * total)
        bounds = np.concatenate(([0], np.cumsum(counts)))
        index = {w: (pids[bounds[i]:bounds[i + 1]], tfs[bounds[i]:bounds[i + 1]]) for i, w in enumerate(words)}
        return cls(index, lengths)


@dataclass
class Collection:
    """Global statistics over many files' postings (kept up to date as files come and go)."""

    df: Counter[str] = field(default_factory=Counter)
    n_passages: int = 0
    total_len: float = 0.0

    def add(self, p: Postings) -> None:
        self.df.update(p.df())
        self.n_passages += len(p.lengths)
        self.total_len += float(p.lengths.sum())

    def remove(self, p: Postings) -> None:
        self.df.subtract(p.df())
        self.df += Counter()          # drop zero counts
        self.n_passages -= len(p.lengths)
        self.total_len -= float(p.lengths.sum())

    def idf(self, term: str) -> float:
        n = max(1, self.n_passages)
        d = self.df.get(term, 0)
        return math.log(1.0 + (n - d + 0.5) / (d + 0.5))

    def score(self, query: Sequence[str], p: Postings) -> tuple[np.ndarray, np.ndarray]:
        """BM25 of every passage of ``p``, and a bit mask of the query terms each one has
        (bit j = the j-th distinct query term, in ``distinct(query)`` order)."""
        avg = self.total_len / max(1, self.n_passages) or 1.0
        n = len(p.lengths)
        scores = np.zeros(n, dtype=np.float32)
        bits = np.zeros(n, dtype=np.int64)
        k = K1 * (1 - B)
        kb = K1 * B / avg
        for j, w in enumerate(distinct(query)):
            pl = p.index.get(w)
            if pl is None:
                continue
            pids, tfs = pl
            idf = self.idf(w)
            scores[pids] += idf * tfs * (K1 + 1) / (tfs + k + kb * p.lengths[pids])
            bits[pids] |= 1 << j
        return scores, bits

    def score_weighted(self, query: Sequence[str], weights: np.ndarray, origin: Sequence[int],
                       p: Postings, length_floor: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """BM25 of every passage of ``p`` for weighted terms (a synonym counts less than the
        question's own word), and a bit mask of the question terms each passage holds:
        term j sets bit ``origin[j]`` (the question term it stands for, < 62). ``length_floor``
        × the mean length is the least length BM25 assumes, so a title-only line does not
        outrank the paragraph that answers."""
        avg = self.total_len / max(1, self.n_passages) or 1.0
        lengths = np.maximum(p.lengths, np.float32(length_floor * avg)) if length_floor else p.lengths
        n = len(p.lengths)
        scores = np.zeros(n, dtype=np.float32)
        bits = np.zeros(n, dtype=np.int64)
        k = K1 * (1 - B)
        kb = K1 * B / avg
        for w, wt, o in zip(query, weights, origin):
            pl = p.index.get(w)
            if pl is None:
                continue
            pids, tfs = pl
            scores[pids] += wt * self.idf(w) * tfs * (K1 + 1) / (tfs + k + kb * lengths[pids])
            bits[pids] |= 1 << o
        return scores, bits

    def coverage(self, query: Sequence[str], passage_terms: set[str]) -> float:
        """Share of the query's idf weight that one passage carries (0..1): the abstention
        signal. Unlike raw BM25 it is comparable across questions; a question whose key
        terms occur nowhere in the documents gets a low value however common its other words."""
        q = set(query)
        if not q:
            return 0.0
        total = sum(self.idf(w) for w in q)
        have = sum(self.idf(w) for w in q if w in passage_terms)
        return have / total if total else 0.0


def distinct(query: Sequence[str]) -> list[str]:
    """Query terms without repeats, first occurrence order (at most 62: one bit each)."""
    return list(dict.fromkeys(query))[:62]


# -- question-type re-ranking ---------------------------------------------------------------
# Three cheap signals, each measured separately by eval/qa/score.py, applied to the BM25
# pool before the final cut:
#  * the provision's caption or heading names what the question asks about
#    (「年次有給休暇は…」 → （年次有給休暇）, 「…法の目的は」 → （目的）);
#  * a definition question (「Xとは何か」「どのような情報をいうのか」) → the passage that
#    defines 「X」とは;
#  * a "how many" question (何日・何歳・何年・何時間・何パーセント…) → a passage with a number
#    in that unit;
#  * the first paragraph of an article (第N条…), where a provision states its main rule.
_NUM = "[〇一二三四五六七八九十百千万０-９0-9]+"
_HOW_MANY = re.compile(r"何(日|歳|年|時間|パーセント|割|回|週間|箇月|か月|ヶ月|カ月|分|人|円|条)")
_DEFINITION = re.compile(r"とは(何|なに|どの|どういう|どんな)|の(定義|意味)"
                         r"|(どのような|どういう|どんな)[^、。]{0,8}をいう")
_HEADING_NUMBER = re.compile(r"^第" + _NUM + r"[編章節款目](?:の" + _NUM + r")*[\s\u3000]*")
_BRACKETED = re.compile(r"[（(]([^（）()]{1,40})[）)]")
CAPTION_BONUS = 0.5
DEFINITION_BONUS = 0.6
NUMBER_BONUS = 0.3
LEAD_BONUS = 0.2
RERANK = frozenset({"caption", "definition", "number"})   # IndexOptions only; ranking reads search.SearchOptions


def caption_names(context: str) -> list[str]:
    """The names a passage's caption/heading gives it: （目的） → 目的, 第四節　保護期間 → 保護期間."""
    names = [m.group(1).strip() for m in _BRACKETED.finditer(context)]
    rest = _BRACKETED.sub(" ", context)
    for part in rest.split():
        part = _HEADING_NUMBER.sub("", part).strip()
        if len(part) >= 2 and not part.startswith("第"):
            names.append(part)
    return [n for n in names if len(n) >= 2 and not n.startswith("第")]


def caption_match(question: str, context: str) -> float:
    """How fully a caption/heading name occurs in the question (0..1, best name)."""
    best = 0.0
    q = question.replace(" ", "").replace("\u3000", "")
    for name in caption_names(context):
        core = name.rstrip("等")
        if core and core in q:
            best = max(best, 1.0)
        else:      # the question names part of a longer caption: （保護期間の原則） ← 保護期間
            for piece in re.split(r"[のにおける及び並びに又は若しくは等・、]", core):
                if len(piece) >= 2 and piece in q:
                    best = max(best, len(piece) / len(core))
    return best


def question_features(question: str) -> dict:
    """What kind of answer the question wants (used by ``rerank``)."""
    q = question.strip()
    units = [m.group(1) for m in _HOW_MANY.finditer(q)]
    defined = []
    if _DEFINITION.search(q):
        head = re.split(r"とは|の定義|の意味|って", q, maxsplit=1)[0]
        if head == q:        # 「どのような情報をいうのか」: the defined word is the first noun phrase
            head = re.split(r"[はがを]", q, maxsplit=1)[0]
        head = head.strip("「」 　")
        if head:
            defined.append(head)
    return {"units": units, "defined": defined}


def bonus(question: str, feats: dict, text: str, context: str, use: frozenset[str]) -> float:
    """The multiplicative re-ranking bonus of one passage (``use`` names the signals on)."""
    b = 0.0
    if "caption" in use and context:
        b += CAPTION_BONUS * caption_match(question, context)
    elif "article_caption" in use and context:      # only a bracketed article caption: （年次有給休暇）
        b += CAPTION_BONUS * caption_match(question, " ".join(f"（{m}）" for m in _BRACKETED.findall(context)))
    if "definition" in use and feats["defined"]:
        flat = "".join(text.split())
        if any(f"「{d}」とは" in flat or f"{d}」とは" in flat for d in feats["defined"]):
            b += DEFINITION_BONUS
    if "lead" in use and ARTICLE.match(text):
        b += LEAD_BONUS
    if "number" in use and feats["units"] and has_number_in(text, feats["units"]):
        b += NUMBER_BONUS
    return b


def has_number_in(text: str, units: Sequence[str]) -> bool:
    """Does ``text`` give a number in one of ``units`` (十五歳, 三十日, 四十時間…)?"""
    return any(re.search(_NUM + re.escape(u), text) for u in units)
