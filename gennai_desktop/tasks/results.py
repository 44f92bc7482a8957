"""Result objects carried by the final ``Done`` event of each task (shared by CLI and UI)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..core.document import Block, Document, Location
from ..core.findings import Finding


@dataclass(frozen=True)
class SummaryPoint:
    text: str
    citations: tuple[Location, ...]   # every one exists in the source document
    items: tuple[str, ...] = ()       # the list a point introduces (「次のとおり。」), shortened
    part: str = ""                    # 報告 style: "overview" (概要), "background" (経緯), "next" (今後の予定)


@dataclass
class SummaryResult:
    points: list[SummaryPoint]
    style: Literal["bullets", "three_lines", "report"]
    method: Literal["model", "extractive"]   # extractive = the document's own sentences
    text: str                                # rendered for display / --out
    model_id: str = ""
    notices: list[str] = field(default_factory=list)   # i18n keys shown to the user
    partial: bool = False                    # stopped early (cancel/time limit): points of the chunks done
    length: str = "standard"                 # "short" | "standard" | "long": how many points were asked for
    # 文書情報 (tasks.docinfo): title, number, date, issuer from the cover — shown before the
    # points in every style, cited; not a point (never counted as one)
    info: SummaryPoint | None = None


@dataclass
class TranslationResult:
    source: Document
    blocks: list[Block]                      # translated, same order/kinds/tables as source
    direction: Literal["ja-en", "en-ja"]
    glossary_applied: dict[str, str] = field(default_factory=dict)
    method: Literal["model", "glossary_only"] = "model"
    notices: list[str] = field(default_factory=list)
    model_id: str = ""                       # the model that translated (named in the saved .docx)
    review: list[str] = field(default_factory=list)   # block ids flagged for review (negation flipped?)

    @property
    def document(self) -> Document:
        return Document.from_blocks(self.blocks, fmt="docx", title=self.source.title)


@dataclass
class ProofreadResult:
    document: Document
    findings: list[Finding]
    used_rules: bool
    used_model: bool
    notices: list[str] = field(default_factory=list)
    profile: str = ""                        # writing standard the rules used (koyobun / horei)


@dataclass
class DraftResult:
    template_id: str
    fields: dict[str, str]
    blocks: list[Block]                      # laid-out draft (date, addressee, title, body, 記, 以上)
    method: Literal["model", "template"]
    notices: list[str] = field(default_factory=list)

    @property
    def document(self) -> Document:
        return Document.from_blocks(self.blocks, fmt="docx")
