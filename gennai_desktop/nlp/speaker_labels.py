"""Speaker labels that open a remark in minutes (議事録): 「○藤田部会長　」「【山田座長】」「山田委員：」.

Why one module: the summariser (which turns are the chair's) and the 公用文 checker (which
blocks are recorded speech, to be left as said) must agree on what a speaker turn is. They
used to carry two patterns with different role lists, so a 〇知事 turn was speech to one and
text to the other.

A label names a role (座長, 委員, 事務局（佐藤課長）, 大臣, 君 …) so that a list item
「○ 基本方針」 or 「○予算額　100億円」 is not taken for a speaker. ● is no speaker mark: in the corpus it opens
profile headings (「●江間有沙氏」 in a 白書 column), never a remark. Forms, as printed in
国会・審議会・地方議会 minutes:

* ○/〇/◯/◎ + name + role (+ 代理) (+ （name）), then a space or the end of the line;
* 【name + role】;
* name + role + ：/: (「山田座長：」);
* 発言者：/説明者：/質問者：/回答者： (transcripts that name no role).
"""
from __future__ import annotations

import re

__all__ = ["ROLE", "SPEAKER_LABEL", "speaker_of"]

# roles named in minutes of 国会, 審議会, 地方議会 and 府省庁 meetings; 氏/君 close a bare name
ROLE = (r"(?:副?委員長|委員|副?議長|副?会長|部会長|分科会長|座長|主査|司会|幹事|副?大臣|政務官|長官|次官|"
        r"局長|部長|課長|室長|参事官|審議官|統括官|官房長|関係官|事務局長|事務局|事務官|参考人|説明員|説明者|"
        r"政府参考人|理事|監事|所長|知事|市長|町長|村長|区長|准?教授|弁護士|首相|総理|氏|君)"
        r"(?:代理)?(?:[（(][^）)\n]{1,20}[）)])?")
_NAME = r"[^\s\u3000○〇◯●◎。、「」【】：:]{0,16}?"
SPEAKER_LABEL = re.compile(
    rf"^[ \t\u3000]*(?:[○〇◯◎][ \t\u3000]*(?P<a>{_NAME}{ROLE})(?=[ \t\u3000]|$)"
    rf"|【(?P<b>{_NAME}{ROLE})】"
    rf"|(?P<c>{_NAME}{ROLE})[ \t\u3000]*[：:]"
    r"|(?P<d>発言者|説明者|質問者|回答者)[ \t\u3000]*[：:])")


def speaker_of(text: str) -> str | None:
    """The speaker a block opens with (「山田座長」, 「事務局（佐藤課長）」), or None."""
    m = SPEAKER_LABEL.match(text)
    if not m:
        return None
    return next(g for g in m.group("a", "b", "c", "d") if g).strip() or None
