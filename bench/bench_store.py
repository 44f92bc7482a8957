"""Cost of encryption at rest: saving a 100-page result into the SQLCipher store vs plain sqlite3.

Why: every finished task and every autosave tick writes into the encrypted store, so the
cipher must not make saving noticeably slower. Same schema, same pragmas (secure_delete,
temp_store=MEMORY, rollback journal, synchronous=FULL default), same row; runs alternate
between the two and medians are reported. Opening (key derivation: scrypt for a passphrase,
nothing for a keyring key) is timed separately because it happens once per process.

    python bench/bench_store.py [--reps 15] [--pages 100]
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAGE = ("第一条　この法律は、行政機関の保有する情報の一層の公開を図り、もって政府の有するその諸活動を"
        "国民に説明する責務が全うされるようにするとともに、国民の的確な理解と批判の下にある公正で民主的な"
        "行政の推進に資することを目的とする。\n") * 12          # ~1,300 characters ≈ one A4 page


def _result(pages: int) -> tuple[str, dict]:
    text = "".join(f"【{i + 1}ページ】\n{PAGE}" for i in range(pages))
    payload = {"method": "model", "blocks": [{"id": f"b{i}", "text": PAGE} for i in range(pages)]}
    return text, payload


def _plain(path: Path) -> sqlite3.Connection:
    from gennai_desktop.storage.store import _SCHEMA
    db = sqlite3.connect(str(path), isolation_level=None)
    for p in ("secure_delete = ON", "temp_store = MEMORY", "journal_mode = DELETE"):
        db.execute(f"PRAGMA {p}").fetchall()
    db.executescript(_SCHEMA)
    return db


def _plain_save(db: sqlite3.Connection, text: str, payload: dict) -> None:
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO results (created, task, title, source_name, source_sha256, source_size, model_id,"
               " origin, text, payload) VALUES (?,?,?,?,?,?,?,?,?,?)",
               (time.time(), "translate", "", "bench.docx", "0" * 64, 1, "m", "bench", text,
                json.dumps(payload, ensure_ascii=False)))
    db.execute("COMMIT")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--pages", type=int, default=100)
    args = ap.parse_args()
    text, payload = _result(args.pages)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["GENNAI_HOME"] = tmp
        os.environ.setdefault("GENNAI_STORE_PASSPHRASE", "bench-passphrase-not-secret")
        from gennai_desktop.storage import open_store
        from gennai_desktop.storage import keys as K
        t0 = time.perf_counter()
        enc = open_store(Path(tmp) / "enc")
        open_first = time.perf_counter() - t0
        enc.close()
        K._derived.clear()
        t0 = time.perf_counter()
        enc = open_store(Path(tmp) / "enc")
        open_again = time.perf_counter() - t0
        plain = _plain(Path(tmp) / "plain.db")
        t_enc, t_plain = [], []
        for i in range(args.reps):
            for which in ((0, 1) if i % 2 == 0 else (1, 0)):
                t0 = time.perf_counter()
                if which == 0:
                    enc.add_result("translate", text, source_name="bench.docx", source_sha256="0" * 64,
                                   model_id="m", origin="bench", payload=payload)
                    t_enc.append(time.perf_counter() - t0)
                else:
                    _plain_save(plain, text, payload)
                    t_plain.append(time.perf_counter() - t0)
        me, mp = statistics.median(t_enc), statistics.median(t_plain)
        size = len(text.encode("utf-8")) + len(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
        print(f"result: {args.pages} pages, {size / 1024:.0f} KiB per save, {args.reps} saves each")
        print(f"open encrypted store: first {open_first * 1000:.0f} ms (scrypt + create), "
              f"again {open_again * 1000:.0f} ms (scrypt)")
        print(f"save plaintext sqlite3: median {mp * 1000:.1f} ms")
        print(f"save SQLCipher store:   median {me * 1000:.1f} ms")
        print(f"encryption cost ratio (SQLCipher / plaintext): {me / mp:.2f}x")
        enc.close()
        plain.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
