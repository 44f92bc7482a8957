"""Support check on what the bundled model (Gemma 3 270M) really writes for the corpus laws.

For each of the smaller laws, every chunk's map prompt is run through the bundled model
(llama.cpp in process, 2 threads); each parsed point is checked the old way (TF-IDF match +
word overlap) and the new way (``extractive.support``). Printed: points, kept old/new, and
for kept points whether the text is a verbatim sentence of the law.

    python eval/summary/support_bundled.py [--laws N] [--chunks N]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from gennai_desktop.documents import load_document                       # noqa: E402
from gennai_desktop.llm.bundled import bundled_model_spec, ensure_bundled_model  # noqa: E402
from gennai_desktop.tasks import prompting                                # noqa: E402
from gennai_desktop.tasks.extractive import SentenceTable, support, supported_by  # noqa: E402
from gennai_desktop.tasks.summarize import _chunks, _parse_points         # noqa: E402

CORPUS = Path("/work/shared/corpus/ja")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--laws", type=int, default=4)
    ap.add_argument("--chunks", type=int, default=3)
    args = ap.parse_args()
    from gennai_desktop.llm.engine import LlamaEngine
    eng = LlamaEngine(bundled_model_spec(ensure_bundled_model()), n_gpu_layers=0, n_threads=2, n_ctx=2048)
    laws = sorted(CORPUS.glob("law_*.txt"), key=lambda p: p.stat().st_size)[: args.laws]
    tot = {"points": 0, "old": 0, "new": 0, "old_verbatim": 0, "new_verbatim": 0}
    for path in laws:
        doc = load_document(path)
        table = SentenceTable(doc)
        for s, e in list(_chunks(doc.text, eng))[: args.chunks]:
            prompt = prompting.build("summarize", "map", eng, text=doc.text[s:e])
            out = prompting.Output()
            for _ in prompting.stream(eng, prompt, prompting.params_for(eng, prompt, expect_language="ja"), out):
                pass
            for p in _parse_points(prompt, out.text):
                tot["points"] += 1
                verbatim = p in doc.text
                ids = table.match(p, None, 0.2)
                if ids and supported_by(p, [table.sentences[i].text for i in ids]):
                    tot["old"] += 1
                    tot["old_verbatim"] += verbatim
                if support(table, p):
                    tot["new"] += 1
                    tot["new_verbatim"] += verbatim
                print(f"{path.name[:28]}\told={'Y' if ids and supported_by(p, [table.sentences[i].text for i in ids]) else '-'}"
                      f"\tnew={'Y' if support(table, p) else '-'}\tverbatim={'Y' if verbatim else '-'}\t{p[:70]}")
    print(tot)


if __name__ == "__main__":
    main()
