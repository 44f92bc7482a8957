"""翻訳: same structure as the source, glossary terms enforced, honest when untranslated."""
from __future__ import annotations

import pytest

from gennai_desktop.core.errors import DocumentError, EXIT_INPUT
from gennai_desktop.core.events import Notice
from tests.support.events import run_to_result
from gennai_desktop.tasks.glossary import Glossary, load_glossary
from gennai_desktop.tasks.translate import translate

from .conftest import fake

GLOSSARY = Glossary((("年次休暇", "annual leave"), ("休暇", "leave"), ("人事院規則", "Rules of the National Personnel Authority")))


def _same_structure(src, blocks):
    assert [b.kind for b in blocks] == [b.kind for b in src.blocks]
    assert [b.id for b in blocks] == [b.id for b in src.blocks]
    for a, b in zip(src.blocks, blocks):
        if a.rows is not None:
            assert b.rows is not None and [len(r) for r in a.rows] == [len(r) for r in b.rows]


def _targets_present(src, blocks, glossary):
    for a, b in zip(src.blocks, blocks):
        for s, t in glossary.occurring(a.text).items():
            assert t in b.text, (a.text, b.text, t)


def test_no_model_keeps_source_with_glossary(doc):
    events = list(translate(doc, None, glossary=GLOSSARY))
    result = events[-1].result
    assert result.method == "glossary_only"
    _same_structure(doc, result.blocks)
    _targets_present(doc, result.blocks, GLOSSARY)
    untranslated = [e for e in events if isinstance(e, Notice) and e.key == "translate.notice.untranslated"]
    assert untranslated and untranslated[0].params["count"] == untranslated[0].params["total"] > 0
    assert result.blocks[4].text.startswith("annual leaveは")     # longest term wins over 休暇


def test_model_output_used_and_missing_terms_repaired(doc):
    def reply(prompt):
        src = prompt.rsplit("日本語: ", 1)[1]
        # a model that translates but leaves one protected term in Japanese
        return "The 人事院規則 decide special leave." if "Rules of the National" in src else "This is a translation of the rule."
    events = list(translate(doc, fake(reply), glossary=Glossary((("人事院規則", "Rules of the National Personnel Authority"),))))
    result = events[-1].result
    assert result.method == "model"
    assert result.blocks[7].text == "The Rules of the National Personnel Authority decide special leave."
    assert any(isinstance(e, Notice) and e.key == "translate.notice.repaired" and e.params["count"] == 1 for e in events)
    assert result.blocks[1].text == "This is a translation of the rule."
    _same_structure(doc, result.blocks)


def test_lost_term_falls_back_to_source_for_that_block(doc):
    events = list(translate(doc, fake(lambda p: "Employees may take some days off."), glossary=GLOSSARY))
    result = events[-1].result
    _targets_present(doc, result.blocks, GLOSSARY)
    assert result.blocks[2].text == "Employees may take some days off."      # no glossary term needed
    note = [e for e in events if isinstance(e, Notice) and e.key == "translate.notice.untranslated"][0]
    assert 0 < note.params["count"] < note.params["total"]


def test_table_cells_translated_one_by_one(doc):
    seen = []
    def reply(prompt):
        seen.append(prompt.rsplit("日本語: ", 1)[1].split("\n")[0])
        return "cell"
    result = run_to_result(translate(doc, fake(reply)))
    table = result.blocks[6]
    assert table.rows == (("cell", "cell"), ("cell", "cell")) and table.text == "cell\tcell\ncell\tcell"
    assert "申請書" in seen and "五月一日" in seen


def test_japanese_echo_is_not_accepted_as_english(doc):
    result = run_to_result(translate(doc, fake(lambda p: p.rsplit("日本語: ", 1)[1].split("\n")[0])))
    assert result.method == "glossary_only"
    assert [b.text for b in result.blocks] == [b.text for b in doc.blocks]


def test_en_ja_direction_uses_its_prompt():
    from gennai_desktop.core.document import Block, Document
    d = Document.from_blocks([Block("b0000", "paragraph", "The committee met on Monday.")])
    eng = fake(lambda p: "委員会は月曜日に開催された。")
    result = run_to_result(translate(d, eng, direction="en-ja"))
    assert result.blocks[0].text == "委員会は月曜日に開催された。" and "English: The committee" in eng.prompts[0]


@pytest.mark.parametrize("content,key", [
    (b"a,b,c\n", "glossary.error.columns"),
    (b"source,target\n,x\n", "glossary.error.empty_term"),
    (b"a,b\na,c\n", "glossary.error.duplicate"),
    (b"\xff\xfe\x00a", "glossary.error.encoding"),
    (b"# only a comment\n", "glossary.error.no_entries"),
])
def test_bad_glossary_is_a_clear_input_error(tmp_path, content, key):
    p = tmp_path / "g.csv"
    p.write_bytes(content)
    with pytest.raises(DocumentError) as exc:
        load_glossary(p)
    assert exc.value.key == key and exc.value.exit_code == EXIT_INPUT and str(p) in str(exc.value)


def test_example_glossary_loads():
    from gennai_desktop.core.paths import resources_dir
    g = load_glossary(resources_dir() / "glossaries" / "example_gyosei_ja_en.csv")
    assert len(g) >= 10 and g.mapping["個人情報保護委員会"] == "Personal Information Protection Commission"


def test_invented_numbers_reject_a_fluent_translation():
    from gennai_desktop.core.document import Block, Document
    from gennai_desktop.tasks.quality import invented_numbers, numbers_in
    assert numbers_in("昭和二十三年法律第百七十八号、一〇三、三万二千、２３") >= {23, 178, 103, 32000}
    assert invented_numbers("Act No. 187 of 2024", "昭和二十三年法律第百七十八号") == {187, 2024}
    assert invented_numbers("Act No. 178 of 1948 (Showa 23)", "昭和二十三年法律第百七十八号") == {1948}
    d = Document.from_blocks([Block("b0000", "paragraph", "憲法記念日｜五月三日｜日本国憲法の施行を記念する。")])
    bad = run_to_result(translate(d, fake(lambda p: "Constitution Day | May 4 | commemorates the Constitution.")))
    good = run_to_result(translate(d, fake(lambda p: "Constitution Memorial Day | May 3 | commemorates the Constitution.")))
    assert bad.method == "glossary_only" and bad.blocks[0].text == d.blocks[0].text
    assert good.method == "model" and good.blocks[0].text.startswith("Constitution Memorial Day")


def test_labels_kept_and_references_urls_left_as_they_are():
    from gennai_desktop.core.document import Block, Document
    src = Document.from_blocks([
        Block("b0000", "heading", "１．　はじめに", level=1, label="１．"),
        Block("b0001", "list_item", "（ア）　申請書を提出する。", level=1, label="（ア）"),
        Block("b0002", "reference", "「報告書」2026 年 3 月 6 日, https://example.go.jp/a"),
        Block("b0003", "url", "https://example.go.jp/b"),
        Block("b0004", "paragraph", "本文である。"),
    ])
    seen = []

    def reply(prompt):
        seen.append(prompt.rsplit("日本語: ", 1)[1].split("\n")[0])
        return "Translated."
    result = run_to_result(translate(src, fake(reply)))
    texts = [b.text for b in result.blocks]
    assert texts[0] == "１． Translated." and texts[1] == "（ア） Translated."
    assert texts[2] == src.blocks[2].text and texts[3] == src.blocks[3].text
    assert texts[4] == "Translated."
    # the model saw the text after the label, never a reference entry or a URL
    assert "はじめに" in seen and "申請書を提出する。" in seen
    assert not any("example.go.jp" in s or s.startswith(("１．", "（ア）")) for s in seen)
