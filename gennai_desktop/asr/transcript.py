"""A transcript: utterances with times, words, pause-based turns and user-named speakers.

Why these shapes: minutes cite the line they came from (utterance index and time), the UI
plays the audio from a line, and subtitles need start/end per cue. Speaker turns are only
*pause-based* (a silence of ``TURN_GAP`` seconds or more starts a new turn): no model that
tells voices apart ships offline here, so no 「発言者A/B」 is guessed — the user names the
speaker of a turn and every export shows that name.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

TURN_GAP = 1.0        # seconds of silence that start a new turn
SENTENCE_GAP = 0.8    # a pause this long ends a sentence even without 。 (not after 、)


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float
    probability: float = 1.0


@dataclass
class Utterance:
    """One sentence (or a stretch without sentence punctuation ended by a pause)."""

    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)
    turn: int = 0
    speaker: str = ""             # set by the user; "" = not named
    confidence: float = 1.0       # mean word probability
    edited: bool = False          # the user changed the text

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["words"] = [[w.text, round(w.start, 2), round(w.end, 2), round(w.probability, 3)] for w in self.words]
        d["start"], d["end"] = round(self.start, 2), round(self.end, 2)
        d["confidence"] = round(self.confidence, 3)
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Utterance:
        words = [Word(str(w[0]), float(w[1]), float(w[2]), float(w[3])) for w in d.get("words", [])]
        return cls(start=float(d["start"]), end=float(d["end"]), text=str(d["text"]), words=words,
                   turn=int(d.get("turn", 0)), speaker=str(d.get("speaker", "")),
                   confidence=float(d.get("confidence", 1.0)), edited=bool(d.get("edited", False)))


@dataclass
class Transcript:
    utterances: list[Utterance]
    duration: float                           # seconds of audio (from the decoder)
    model_id: str = ""
    language: str = "ja"
    source_name: str = ""                     # the audio file's name (the audio itself is never kept)
    recorded_at: str = ""                     # the audio file's modification date (a hint for 日時)
    partial: bool = False                     # stopped early: cancel, crash or limit
    stopped_at: float | None = None           # audio second up to which it is complete
    notices: list[str] = field(default_factory=list)   # i18n keys shown to the user
    diarised: bool = False                    # True only if a real speaker model labelled the turns

    # --- turns and speakers ----------------------------------------------------------
    def turns(self) -> list[list[int]]:
        """Utterance indices grouped by turn, in order."""
        out: list[list[int]] = []
        for i, u in enumerate(self.utterances):
            if out and self.utterances[out[-1][-1]].turn == u.turn:
                out[-1].append(i)
            else:
                out.append([i])
        return out

    def set_speaker(self, turn: int, name: str) -> int:
        """Name the speaker of one turn; returns how many utterances changed."""
        n = 0
        for u in self.utterances:
            if u.turn == turn:
                u.speaker = name.strip()
                n += 1
        return n

    def rename_speaker(self, old: str, new: str) -> int:
        """Rename a speaker everywhere (「田中」 → 「田中課長」); returns the count."""
        n = 0
        for u in self.utterances:
            if u.speaker == old:
                u.speaker = new.strip()
                n += 1
        return n

    def speakers(self) -> list[str]:
        seen: list[str] = []
        for u in self.utterances:
            if u.speaker and u.speaker not in seen:
                seen.append(u.speaker)
        return seen

    def edit(self, index: int, text: str) -> None:
        """The user corrects a line; its word timings no longer match, so they are dropped."""
        u = self.utterances[index]
        if text != u.text:
            self.utterances[index] = replace(u, text=text, words=[], edited=True)

    @property
    def text(self) -> str:
        return "\n".join(u.text for u in self.utterances)

    # --- serialisation ---------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {"duration": round(self.duration, 2), "model_id": self.model_id, "language": self.language,
                "source_name": self.source_name, "recorded_at": self.recorded_at, "partial": self.partial,
                "stopped_at": self.stopped_at,
                "notices": list(self.notices), "diarised": self.diarised,
                "utterances": [u.to_json() for u in self.utterances]}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Transcript:
        return cls(utterances=[Utterance.from_json(u) for u in d.get("utterances", [])],
                   duration=float(d.get("duration", 0.0)), model_id=str(d.get("model_id", "")),
                   language=str(d.get("language", "ja")), source_name=str(d.get("source_name", "")),
                   recorded_at=str(d.get("recorded_at", "")),
                   partial=bool(d.get("partial", False)), stopped_at=d.get("stopped_at"),
                   notices=list(d.get("notices", [])), diarised=bool(d.get("diarised", False)))

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False)


def assign_turns(utterances: list[Utterance], gap: float = TURN_GAP) -> None:
    """Number turns in place: a silence of ``gap`` seconds or more between two utterances
    starts a new turn (a pause is all that is known without a speaker model)."""
    turn, prev_end = 0, None
    for u in utterances:
        if prev_end is not None and u.start - prev_end >= gap:
            turn += 1
        u.turn = turn
        prev_end = u.end


# --- text, subtitles -------------------------------------------------------------------

def clock(seconds: float, sep: str = ",", hours: bool = True) -> str:
    """12.345 → 00:00:12,345 (SRT) / 00:00:12.345 (VTT)."""
    ms = max(0, int(round(seconds * 1000)))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}" if hours else f"{m:02d}:{s:02d}"


def short_clock(seconds: float) -> str:
    """12:05 or 1:02:05 for a line label."""
    total = max(0, int(seconds))
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def _cue_text(u: Utterance) -> str:
    return f"{u.speaker}：{u.text}" if u.speaker else u.text


def to_srt(t: Transcript) -> str:
    cues = []
    for n, u in enumerate(t.utterances, 1):
        cues.append(f"{n}\n{clock(u.start)} --> {clock(max(u.end, u.start + 0.3))}\n{_cue_text(u)}\n")
    return "\n".join(cues)


def to_vtt(t: Transcript) -> str:
    cues = ["WEBVTT", ""]
    for u in t.utterances:
        cues.append(f"{clock(u.start, '.')} --> {clock(max(u.end, u.start + 0.3), '.')}")
        cues.append(f"<v {u.speaker}>{u.text}" if u.speaker else u.text)
        cues.append("")
    return "\n".join(cues)


def to_text(t: Transcript, unnamed: str = "") -> str:
    """One paragraph per turn: 「[03:12] 田中：…」."""
    lines = []
    for idx in t.turns():
        first = t.utterances[idx[0]]
        who = first.speaker or unnamed
        head = f"[{short_clock(first.start)}] " + (f"{who}：" if who else "")
        lines.append(head + "".join(t.utterances[i].text for i in idx))
    return "\n".join(lines)


def join_texts(parts: Iterable[str]) -> str:
    return "".join(parts)
