"""How well does ``quality.polarity_flipped`` flag translations whose negation flipped?

Labelled set: eval/translate/polarity_pairs.tsv — real KFTT test pairs (label ok; line
numbers 1-based in /work/shared/corpus/translation/kyoto-test.*) and the same pairs with
the English negation removed or added by hand (label flipped).

    python eval/translate/polarity_eval.py
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from gennai_desktop.tasks.quality import polarity_flipped  # noqa: E402

rows = list(csv.DictReader(open(Path(__file__).with_name("polarity_pairs.tsv"), encoding="utf-8"),
                           delimiter="\t", quoting=csv.QUOTE_NONE))
tp = fp = fn = tn = 0
for r in rows:
    flag = polarity_flipped(r["ja"], r["en"], "ja-en")
    want = r["label"] == "flipped"
    tp += flag and want
    fp += flag and not want
    fn += (not flag) and want
    tn += (not flag) and not want
    if flag != want:
        print("MISS" if want else "FALSE ALARM", r["kftt_line"], r["ja"], "||", r["en"])
print(f"pairs {len(rows)}: flipped caught {tp}/{tp + fn}, false alarms {fp}/{fp + tn}")

# false-alarm rate on all real KFTT test pairs (human translations: flips should be rare,
# so nearly every flag here is a false alarm — the cost of the check for a reviewer)
KFTT = Path("/work/shared/corpus/translation")
if (KFTT / "kyoto-test.ja").exists():
    ja = (KFTT / "kyoto-test.ja").read_text(encoding="utf-8").splitlines()
    en = (KFTT / "kyoto-test.en").read_text(encoding="utf-8").splitlines()
    flags = sum(polarity_flipped(a, b, "ja-en") for a, b in zip(ja, en))
    print(f"KFTT test, all {len(ja)} human pairs: flagged {flags} ({flags / len(ja):.1%})")
