"""議事録 as a document to summarise: which blocks are the chair's turns.

Why: in minutes the decisions and next steps are stated by the chair when an item is
closed (「それでは、原案のとおり決定することといたします。」「次回は7月に開催する予定です。」),
while most sentences are members' opinions that share the topic's words and so rank high
on centrality. Knowing which blocks are the chair's turns lets the summariser prefer the
chair's decision and next-step sentences over the opinions. A speaker turn is a block
that opens with a speaker label (○山田座長　…, 【山田座長】…, 山田座長：…; nlp.speaker_labels,
the same recogniser the 公用文 checker uses); the blocks after it belong to the same turn
until the next label. Only a text with several turns by at least two speakers counts as
minutes. 関係官 turns (法制審議会) end the chair's turn like any other speaker's.
"""
from __future__ import annotations

import re

from ..core.document import Document
from ..nlp.speaker_labels import speaker_of

# the one who chairs: 会長, 部会長, 分科会長, 議長, 委員長, 座長, 主査, 司会 (and their 代理)
_CHAIR = re.compile(r"(?:会長|議長|委員長|座長|主査|司会)(?:代理)?(?:[（(][^）)]*[）)])?$")
MIN_TURNS = 4
# running the meeting, not its content: opening, closing, thanks, handing over
CEREMONY = re.compile(r"(?:開会|閉会|散会)(?:いた)?します。$|(?:始め|終わり)(?:ます|たいと思います)。$|"
                      r"ありがとうござ(?:います|いました)。$|御?説明(?:いた|を)?(?:お願い)?(?:いた)?します。$|"
                      r"(?:御?説明|御?発言|御?意見)を?お願い(?:いた)?します。$")


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
