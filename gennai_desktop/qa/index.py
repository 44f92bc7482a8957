"""A question-answering index over one file or a folder, updated incrementally.

``FolderIndex.update()`` scans the folder (recursively, .docx/.pdf/.txt), compares each
file with what the index holds — mtime and size first, the SHA-256 of the content only
when those differ — and re-reads only new or changed files; deleted files are dropped.
Files that cannot be read (corrupt, encrypted, too large) are skipped with a Notice and the
rest is indexed. Every file's passages and postings are one blob in an ``IndexStore``
(see store.py: the encrypted store plugs in there; the default keeps them in memory), and a
manifest blob lists them, so a new FolderIndex over the same store and folder starts from
what was indexed before instead of reading every document again.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..core.cancel import NEVER, CancelToken
from ..core.errors import DocumentError
from ..core.events import Done, Notice, Progress, TaskEvent
from ..core.i18n import tr
from ..core.safefiles import regular_size, sha256_regular
from ..documents.limits import DEFAULT_LIMITS
from ..documents.loader import SUPPORTED_SUFFIXES, load_document
from .passages import SPLIT_PARAGRAPHS, Passage, doc_context, doc_title, make_passages
from .retrieval import CAPTION_WEIGHT, MULTI_GRANULAR, RERANK, TITLE_WEIGHT, Collection, Postings, batch_terms, terms
from .search import Hit, rank
from .store import IndexStore, process_store

FORMAT = 5        # 4: note passages carry the rows that reference them (passages.anchor_notes)
                  # 5: each file keeps its title (passages.doc_title) for the document-level view


@dataclass
class FileEntry:
    path: str
    mtime_ns: int
    size: int
    sha256: str
    passages: list[Passage]
    postings: Postings
    chars: int = 0
    title: str = ""          # passages.doc_title: what search.py's document-level view matches


@dataclass
class UpdateReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: dict[str, str] = field(default_factory=dict)     # path → reason
    chars: int = 0
    seconds: float = 0.0


def passage_terms(passages: list[Passage], title: str = "", opts: IndexOptions | None = None) -> list[list[str]]:
    """Index terms of each passage: its text, its caption/heading's terms ``caption_weight``
    times and the document title's ``title_weight`` times."""
    o = opts or IndexOptions()
    body = batch_terms([p.text for p in passages], o.multi_granular)
    title_terms = terms(title, o.multi_granular) * o.title_weight if title else []
    ctx_cache: dict[str, list[str]] = {}
    out = []
    for p, words in zip(passages, body):
        if p.context not in ctx_cache:
            ctx_cache[p.context] = terms(p.context, o.multi_granular) * o.caption_weight if p.context else []
        out.append(words + ctx_cache[p.context] + title_terms)
    return out


@dataclass(frozen=True)
class IndexOptions:
    """How passages are cut and indexed (the defaults are what eval/qa/score.py kept)."""

    split_paragraphs: bool = SPLIT_PARAGRAPHS
    caption_weight: int = CAPTION_WEIGHT
    title_weight: int = TITLE_WEIGHT
    multi_granular: bool = MULTI_GRANULAR
    rerank: frozenset[str] = RERANK         # question-type signals (retrieval.bonus)
    pool: int = 60                          # BM25 candidates the re-ranking looks at


def options_key(options: IndexOptions) -> dict:
    """The options as stable JSON data (sets sorted): part of the namespace."""
    out = {}
    for f in dataclasses.fields(options):
        v = getattr(options, f.name)
        out[f.name] = sorted(v) if isinstance(v, (set, frozenset)) else v
    return out


def namespace(root: Path, options: IndexOptions) -> str:
    """``qa/<hash>/`` for a folder and options: the same in every process (it used to hash
    ``str(options)``, whose frozenset order changes with the hash seed, so every run rebuilt
    the index under a new name)."""
    ident = json.dumps({"format": FORMAT, "root": str(root), "options": options_key(options)},
                       sort_keys=True, ensure_ascii=False)
    return "qa/" + hashlib.sha256(ident.encode("utf-8")).hexdigest()[:24] + "/"


def _encode(entry: FileEntry) -> bytes:
    """One file's blob: a JSON header (metadata, passages, term list) + packed postings arrays."""
    words, arrays = entry.postings.to_bytes()
    head = {"v": FORMAT, "path": entry.path, "mtime_ns": entry.mtime_ns, "size": entry.size,
            "sha256": entry.sha256, "chars": entry.chars, "title": entry.title, "words": words,
            "passages": [p.to_list() for p in entry.passages]}
    hb = json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return zlib.compress(len(hb).to_bytes(8, "little") + hb + arrays, 3)


def _decode(blob: bytes) -> FileEntry:
    raw = zlib.decompress(blob)
    n = int.from_bytes(raw[:8], "little")
    d = json.loads(raw[8:8 + n].decode("utf-8"))
    if d.get("v") != FORMAT:
        raise ValueError("index format changed")
    passages = [Passage.from_list(x) for x in d["passages"]]
    return FileEntry(d["path"], d["mtime_ns"], d["size"], d["sha256"], passages,
                     Postings.from_bytes(d["words"], raw[8 + n:]), d.get("chars", 0), d.get("title", ""))


class FolderIndex:
    """Index of one folder (or a single file) for ``answer.ask``; see the module docstring."""

    def __init__(self, root: str | os.PathLike[str], store: IndexStore | None = None,
                 options: IndexOptions | None = None) -> None:
        self.root = Path(root).resolve()
        self.options = options or IndexOptions()    # options exist for eval/qa/score.py's comparison
        self.store: IndexStore = store if store is not None else process_store()
        self.opts_key = options_key(self.options)
        self.ns = namespace(self.root, self.options)
        self.entries: dict[str, FileEntry] = {}
        self.skipped: dict[str, tuple[int, int, str]] = {}        # path → (mtime_ns, size, reason)
        self.collection = Collection()
        self._remove_stale_copies()
        self._load()

    # -- persistence (through the IndexStore only) ------------------------------------------
    def _remove_stale_copies(self) -> None:
        """Delete other copies of this folder's index made with the same options: those of
        earlier versions (their namespace hashed a frozenset's unstable repr, so every run
        made a new copy and the old ones kept deleted documents' text)."""
        by_ns: dict[str, list[str]] = {}
        for key in self.store.keys("qa/"):
            parts = key.split("/", 2)
            if len(parts) == 3 and parts[1] + "/" != self.ns[3:]:
                by_ns.setdefault(parts[1], []).append(key)
        for ns, keys in by_ns.items():
            raw = self.store.get(f"qa/{ns}/manifest")
            try:
                man = json.loads(raw.decode("utf-8")) if raw is not None else None
            except (ValueError, UnicodeDecodeError):
                man = None
            if not isinstance(man, dict) or man.get("root") != str(self.root):
                continue
            if man.get("opts") not in (None, self.opts_key):
                continue                          # the same folder indexed with other options (eval)
            for key in keys:
                self.store.delete(key)

    def _load(self) -> None:
        raw = self.store.get(self.ns + "manifest")
        if raw is None:
            return
        try:
            man = json.loads(raw.decode("utf-8"))
            if man.get("v") != FORMAT:
                return
            for path, key in man["files"].items():
                blob = self.store.get(key)
                if blob is None:
                    continue
                entry = _decode(blob)
                self.entries[path] = entry
                self.collection.add(entry.postings)
            self.skipped = {p: (v[0], v[1], v[2]) for p, v in man.get("skipped", {}).items()}
        except (ValueError, KeyError, TypeError, zlib.error):
            self.entries.clear()          # unreadable index: start again rather than trust it
            self.collection = Collection()

    def _key(self, path: str) -> str:
        return self.ns + "file/" + hashlib.sha256(path.encode("utf-8")).hexdigest()[:32]

    def _save_manifest(self) -> None:
        man = {"v": FORMAT, "root": str(self.root), "opts": self.opts_key,
               "files": {p: self._key(p) for p in self.entries},
               "skipped": {p: list(v) for p, v in self.skipped.items()}}
        self.store.put(self.ns + "manifest", json.dumps(man, ensure_ascii=False).encode("utf-8"))

    # -- scanning ----------------------------------------------------------------------------
    def files(self) -> list[Path]:
        return self.scan()[0]

    def scan(self) -> tuple[list[Path], dict[str, str]]:
        """(files to index, refused: path → notice key). A file whose link leads out of the
        folder is refused (a prepared folder must not pull /etc or the user's private files
        into answers), and so is anything that is not a regular file (a FIFO or a link to
        /dev/urandom used to hang the index forever)."""
        if self.root.is_file():
            return [self.root], {}
        found: list[Path] = []
        refused: dict[str, str] = {}
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith((".", "~$")) or not name.lower().endswith(SUPPORTED_SUFFIXES):
                    continue
                p = Path(dirpath) / name
                try:
                    inside = p.resolve().is_relative_to(self.root)
                except (OSError, RuntimeError):      # a link loop
                    inside = False
                if not inside:
                    refused[str(p)] = "qa.notice.outside_folder"
                elif regular_size(p) is None:
                    refused[str(p)] = "qa.notice.not_regular"
                else:
                    found.append(p)
        return found, refused

    def update(self, cancel: CancelToken = NEVER) -> Iterator[TaskEvent]:
        """Bring the index up to date with the folder; ends with Done(UpdateReport)."""
        t0 = time.perf_counter()
        report = UpdateReport()
        yield Progress(0, 1, "qa.stage.scan")
        present: dict[str, os.stat_result] = {}
        listed, refused = self.scan()
        for path, key in sorted(refused.items()):
            yield Notice(key, {"file": Path(path).name})
        for p in listed:
            try:
                present[str(p)] = p.stat()
            except OSError:
                continue
        for path in [p for p in self.entries if p not in present]:
            self._drop(path)
            report.removed.append(path)
        for path in [p for p in self.skipped if p not in present]:
            del self.skipped[path]
        todo: list[tuple[str, os.stat_result, str]] = []
        for path, st in present.items():
            old = self.entries.get(path)
            if old is not None and (old.mtime_ns, old.size) == (st.st_mtime_ns, st.st_size):
                report.unchanged += 1
                continue
            sk = self.skipped.get(path)
            if sk is not None and (sk[0], sk[1]) == (st.st_mtime_ns, st.st_size):
                report.skipped[path] = sk[2]
                continue
            found = sha256_regular(path, DEFAULT_LIMITS.max_file_bytes, cancel)
            if found is None:        # changed under us, not regular any more, or above the cap
                report.skipped[path] = tr("qa.notice.unreadable")
                continue
            digest = found[0]
            if old is not None and old.sha256 == digest:      # touched, not changed
                old.mtime_ns, old.size = st.st_mtime_ns, st.st_size
                self.store.put(self._key(path), _encode(old))
                report.unchanged += 1
                continue
            todo.append((path, st, digest))
        total = len(todo)
        try:
            for n, (path, st, digest) in enumerate(todo):
                cancel.raise_if_cancelled()
                yield Progress(n, total, "qa.stage.index", Path(path).name)
                cancel.raise_if_cancelled()          # the consumer may have cancelled while we waited
                try:
                    doc = load_document(path)
                except DocumentError as exc:
                    reason = exc.message()
                    self.skipped[path] = (st.st_mtime_ns, st.st_size, reason)
                    if path in self.entries:
                        self._drop(path)
                    report.skipped[path] = reason
                    continue
                cancel.raise_if_cancelled()
                passages = make_passages(doc, split_paragraphs=self.options.split_paragraphs)
                postings = Postings.build(passage_terms(passages, doc_context(doc), self.options))
                entry = FileEntry(path, st.st_mtime_ns, st.st_size, digest or "", passages, postings, len(doc.text),
                                  doc_title(doc))
                cancel.raise_if_cancelled()
                (report.changed if path in self.entries else report.added).append(path)
                if path in self.entries:
                    self._drop(path)
                self.skipped.pop(path, None)
                self.entries[path] = entry
                self.collection.add(entry.postings)
                self.store.put(self._key(path), _encode(entry))
                report.chars += entry.chars
            yield Progress(total, total, "qa.stage.index")
        finally:
            self._save_manifest()
        for path, reason in sorted(report.skipped.items()):
            yield Notice("qa.notice.skipped", {"file": Path(path).name, "reason": reason})
        report.seconds = time.perf_counter() - t0
        yield Done(report)

    def _drop(self, path: str) -> None:
        entry = self.entries.pop(path)
        self.collection.remove(entry.postings)
        self.store.delete(self._key(path))

    # -- search ------------------------------------------------------------------------------
    def search(self, question: str, k: int = 5, query_terms: list[str] | None = None) -> list[Hit]:
        """The ``k`` best passages for ``question`` (ranking lives in search.py)."""
        return rank(self, question, k, query_terms)

    @property
    def n_passages(self) -> int:
        return self.collection.n_passages
