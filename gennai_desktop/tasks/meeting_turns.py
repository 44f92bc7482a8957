"""議事録 as a document to summarise: which blocks are the chair's turns.

Why: in minutes the decisions and next steps are stated by the chair when an item is
closed (「それでは、原案のとおり決定することといたします。」「次回は7月に開催する予定です。」),
while most sentences are members' opinions that share the topic's words and so rank high
on centrality. Knowing which blocks are the chair's turns lets the summariser prefer the
chair's decision and next-step sentences over the opinions. A speaker turn is a block
that opens with a speaker label (○山田座長　…, 【山田座長】…, 山田座長：…); the blocks after
it belong to the same turn until the next label. Only a text with several turns by at least
two speakers counts as minutes.
"""
from __future__ import annotations

import re

from ..core.document import Document

# a speaker is named by a role (or 氏/君): 座長, 委員, 事務局（佐藤課長）, 大臣 … — a list
# item 「○ 予算額　100億円」 is no speaker
_ROLE = (r"(?:会長|議長|委員長|座長|主査|司会|委員|幹事|大臣|副大臣|政務官|局長|部長|課長|室長|参事官|審議官|"
         r"事務局|事務官|参考人|説明者|氏|君)(?:代理)?(?:[（(][^）)\s]{1,12}[）)])?")
_LABEL = re.compile(rf"^\s*(?:[○◯〇●◎]\s*(?P<a>[^\s　。、]{{0,16}}?{_ROLE})[\s　]"
                    rf"|【(?P<b>[^】。、\s]{{0,16}}?{_ROLE})】|(?P<c>[^\s　。、：:]{{0,16}}?{_ROLE})[：:])")
# the one who chairs: 会長, 部会長, 分科会長, 議長, 委員長, 座長, 主査, 司会 (and their 代理)
_CHAIR = re.compile(r"(?:会長|議長|委員長|座長|主査|司会)(?:代理)?(?:[（(][^）)]*[）)])?$")
MIN_TURNS = 4
# running the meeting, not its content: opening, closing, thanks, handing over
CEREMONY = re.compile(r"(?:開会|閉会|散会)(?:いた)?します。$|(?:始め|終わり)(?:ます|たいと思います)。$|"
                      r"ありがとうござ(?:います|いました)。$|御?説明(?:いた|を)?(?:お願い)?(?:いた)?します。$|"
                      r"(?:御?説明|御?発言|御?意見)を?お願い(?:いた)?します。$")


def speaker_of(text: str) -> str | None:
    """The speaker label a block opens with (「山田座長」), or None."""
    m = _LABEL.match(text)
    if not m:
        return None
    return (m.group("a") or m.group("b") or m.group("c") or "").strip() or None


def turns(doc: Document) -> tuple[set[int], bool]:
    """(indices in ``doc.blocks`` of the blocks the chair speaks, whether ``doc`` is minutes
    at all: at least ``MIN_TURNS`` speaker turns by at least two speakers). The chair's set
    is empty when it is not minutes. Read once per sentence table (keypoints.candidates)."""
    speaker: str | None = None
    count = 0
    speakers: set[str] = set()
    chair: set[int] = set()
    for n, b in enumerate(doc.blocks):
        who = speaker_of(b.text)
        if who is not None:
            speaker = who
            count += 1
            speakers.add(who)
        if speaker is not None and _CHAIR.search(speaker):
            chair.add(n)
    minutes = count >= MIN_TURNS and len(speakers) >= 2
    return (chair if minutes else set()), minutes
