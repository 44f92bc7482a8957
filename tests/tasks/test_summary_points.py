"""要約 without a model: points are whole body sentences carrying the key facts, lists come
with their items, 報告 is labelled, the length is the user's choice, and the model path
reads the document section by section."""
from __future__ import annotations

import re

import pytest

from gennai_desktop.core.document import Block, Document, table_text
from gennai_desktop.tasks import sentence_shape
from gennai_desktop.tasks.extractive import SentenceTable
from gennai_desktop.tasks.keypoints import key_sentences
from gennai_desktop.tasks.summarize import _chunk_text, _chunks, points_for, summarize
from tests.support.events import run_to_result

from .conftest import fake


def _pdf(blocks: list[tuple[str, str]], page: int = 1) -> Document:
    return Document.from_blocks([Block(f"b{i:04d}", kind, text, page=page)  # type: ignore[arg-type]
                                 for i, (kind, text) in enumerate(blocks)], fmt="pdf", title="報告")


# A PDF page as a reader without block kinds for every line gives it: a sentence broken over
# two blocks, a heading glued to the first sentence, a caption, a URL, a table, a reference.
FRAGMENTS = [
    ("title", "地域交通の維持に関する報告"),
    ("paragraph", "1　はじめに　本報告は、地域の公共交通の維持策について有識者の意見を取りまとめたものである。"),
    ("paragraph", "地方部のバス路線は、運転手不足と利用者の減少により、令和4年度までの5年間で"),
    ("paragraph", "約1割が廃止されています。"),
    ("caption", "図1　地方部のバス路線数の推移（令和元年度から令和5年度まで）を示したものである。"),
    ("url", "https://www.example.go.jp/koutsu/bus/rosen.html"),
    ("reference", "国土交通省（2023）「地域公共交通の現状と課題に関する調査報告書」。"),
    ("table", table_text((("年度", "路線数"), ("令和元年度", "1200本の路線を運行していた。")))),
    ("image_text", "バス路線の維持には自治体の補助が欠かせないと回答した事業者は8割に上った。"),
    ("paragraph", "国は、自治体と事業者が協議する場を設け、路線の再編と運賃の見直しを令和6年度から支援する。"),
    ("paragraph", "自治体の補助金に依存する事業者は多く、地方部のバス事業者の8割が赤字である。"),
    ("note", "注1　ここでいう地方部とは、三大都市圏以外の地域をいう。"),
]


def test_points_are_whole_body_sentences_only():
    doc = _pdf(FRAGMENTS)
    result = run_to_result(summarize(doc, None, style="bullets", length="long"))
    assert result.points
    for p in result.points:
        blocks = [doc.block(c.block_id) for c in p.citations]
        assert all(b.kind in ("paragraph", "list_item") for b in blocks), p.text
        assert p.text.endswith("。") and not p.text.endswith("…")
        assert not p.text.startswith(("約1割", "はじめに", "1　"))          # no cut start, no glued heading
        assert "本報告は" not in p.text                                     # its block starts with a heading
        # a sentence the reader cut over two lines is one point citing both
        assert p.text.rstrip("…") in "".join(b.text.replace("\n", "") for b in blocks)


def test_a_sentence_that_carries_on_from_the_previous_block_is_not_whole():
    doc = _pdf(FRAGMENTS)
    table = SentenceTable(doc)
    whole = {table.sentences[i].text for i in range(len(table.sentences)) if table.whole(i)}
    assert "約1割が廃止されています。" not in whole
    assert "国は、自治体と事業者が協議する場を設け、路線の再編と運賃の見直しを令和6年度から支援する。" in whole
    # the same lines as author's paragraphs in a Word file are whole
    docx = Document.from_blocks([Block(f"b{i:04d}", "paragraph", t) for i, t in
                                 enumerate(["令和4年度までに路線の", "約1割が廃止されています。"])], fmt="docx")
    t2 = SentenceTable(docx)
    assert t2.whole(1)


def test_wrapped_lines_inside_a_block_make_one_sentence():
    doc = _pdf([("paragraph", "国は、自治体と事業者が協議する場を設け、\n路線の再編と運賃の見直しを支援する。"
                              "また、デマンド交通の\n実証事業に対する補助を拡充する。")])
    table = SentenceTable(doc)
    assert len(table.sentences) == 2 and all(table.whole(i) for i in range(2))
    result = run_to_result(summarize(doc, None))
    assert "国は、自治体と事業者が協議する場を設け、路線の再編と運賃の見直しを支援する。" in [p.text for p in result.points]


LIST_DOC = [
    ("heading", "1　取組の方向"),
    ("paragraph", "政府情報システムにおいてゼロトラストを適用していくには、以下の取組が有効である。"),
    ("list_item", "・パブリック・クラウド利用可能システムと利用不可システムの分離"),
    ("list_item", "・システムのクラウド化徹底とネットワークセキュリティ依存の最小化。あわせて既存の境界型の仕組みを段階的に縮小する。"),
    ("list_item", "・エンドポイント・セキュリティの強化"),
    ("heading", "2　留意点"),
    ("paragraph", "特定秘密を扱うシステムについては、パブリック・クラウドを利用できないため、分離して考える必要がある。"),
    ("paragraph", "移行は予算の制約から複数年をかけて段階的に行い、境界型の仕組みをフェイルセーフとして残すべきである。"),
    ("paragraph", "なお、具体的な手順は次のとおりである。"),
    ("heading", "3　今後の予定"),
    ("paragraph", "今後、令和6年度までに各府省の移行計画を取りまとめる予定である。"),
]


def test_a_list_intro_comes_with_its_items_or_not_at_all():
    doc = Document.from_blocks([Block(f"b{i:04d}", k, t) for i, (k, t) in enumerate(LIST_DOC)],  # type: ignore[arg-type]
                               fmt="docx")
    result = run_to_result(summarize(doc, None, style="bullets", length="long"))
    by_text = {p.text: p for p in result.points}
    assert "なお、具体的な手順は次のとおりである。" not in by_text          # its list is missing
    intro = by_text.get("政府情報システムにおいてゼロトラストを適用していくには、以下の取組が有効である。")
    assert intro is not None
    assert intro.items[0] == "パブリック・クラウド利用可能システムと利用不可システムの分離"
    assert intro.items[1].endswith("…") and "あわせて" not in intro.items[1]   # first sentence only, marked cut
    assert len(intro.items) == 3
    assert {c.block_id for c in intro.citations} >= {"b0001", "b0002", "b0003", "b0004"}
    assert "　・エンドポイント・セキュリティの強化" in result.text
    # an item of an announced list is not a point on its own
    assert not any(p.text.startswith(("パブリック", "エンドポイント")) for p in result.points)
    three = run_to_result(summarize(doc, None, style="three_lines"))
    assert all(not p.items for p in three.points)                      # 3行: one line each


KEY_FACTS = [
    "データの利活用は様々な分野で進んでおり、データの利活用に関する取組も多様になっている。",
    "データの利活用には様々な方法があり、データの利活用の方法も分野によって異なっている。",
    "本報告は、行政機関におけるデータの利活用の現状を整理し、その推進方策を示すことを目的とする。",
    "データの利活用の状況は分野ごとに異なり、データの利活用の度合いにも差がみられる。",
    "調査の結果、データを利活用している行政機関は全体の42.5%にとどまった。",
    "データの利活用を進めるうえでは、データの利活用に関する理解を深めることが大切になる。",
    "デジタル庁は、令和5年3月に「データ利活用推進方針」を決定した。",
    "データの利活用については、データの利活用に関する多様な意見がある。",
    "今後、令和6年度末までに各府省の推進計画を取りまとめる予定である。",
    "データの利活用の在り方は、データの利活用の目的に応じて様々である。",
]


def test_key_facts_outrank_sentences_that_only_repeat_the_topic():
    doc = Document.from_blocks([Block(f"b{i:04d}", "paragraph", t) for i, t in enumerate(KEY_FACTS)], fmt="docx")
    table = SentenceTable(doc)
    chosen = [table.sentences[i].text for i in key_sentences(table, 4)]
    for needle in ("本報告は", "42.5%", "令和5年3月", "今後、"):
        assert any(needle in t for t in chosen), (needle, chosen)


def test_no_two_points_on_the_same_fact():
    doc = Document.from_blocks([Block(f"b{i:04d}", "paragraph", t) for i, t in enumerate([
        "デジタル庁は、令和5年3月に「データ利活用推進方針」を決定した。",
        "令和5年3月、デジタル庁は「データ利活用推進方針」を決定している。",
        "本報告は、行政機関におけるデータの利活用の推進方策を示すことを目的とする。",
        "調査の結果、データを利活用している行政機関は全体の42.5%にとどまった。",
    ])], fmt="docx")
    result = run_to_result(summarize(doc, None, style="bullets"))
    assert sum("推進方針" in p.text for p in result.points) == 1


@pytest.mark.parametrize("style", ["bullets", "three_lines", "report"])
def test_length_sets_how_many_points(style):
    topics = ["道路", "河川", "港湾", "空港", "鉄道", "住宅", "公園", "下水道", "砂防", "海岸", "官庁営繕", "都市計画"]
    bodies = ["国土交通省", "財務省", "総務省", "内閣府", "農林水産省", "環境省", "経済産業省", "文部科学省",
              "厚生労働省", "法務省", "外務省", "防衛省"]
    paras = [f"{b}は、{t}の整備について{n + 3}件の事業を了承した。" for n, (t, b) in enumerate(zip(topics, bodies))]
    doc = Document.from_blocks([Block(f"b{i:04d}", "paragraph", t) for i, t in enumerate(paras)], fmt="docx")
    counts = {n: len(run_to_result(summarize(doc, None, style=style, length=n)).points)
              for n in ("short", "standard", "long")}
    assert counts == {n: points_for(style, n, len(doc.text)) for n in counts}
    if style != "three_lines":
        assert counts["short"] < counts["standard"] < counts["long"]
    with pytest.raises(ValueError):
        run_to_result(summarize(doc, None, style=style, length="huge"))  # type: ignore[arg-type]


def test_report_says_which_part_the_document_is_silent_on():
    doc = Document.from_blocks([Block("b0000", "paragraph",
                                      "この規程は、職員の勤務時間、休日及び休暇に関し必要な事項を定めるものとする。")], fmt="docx")
    result = run_to_result(summarize(doc, None, style="report"))
    lines = result.text.splitlines()
    assert lines[0] == "【概要】" and lines[1].startswith("１　この規程は")
    assert lines[lines.index("【経緯】") + 1] == "（文書中に該当する記述は見当たりません）"


SECTIONS = [("heading", f"{n}　第{n}の論点") if k == 0 else
            ("paragraph", f"第{n}の論点について、委員{k}から、制度{n}の見直しが必要であるとの意見があった。")
            for n in range(1, 7) for k in range(4)]


def test_map_chunks_are_cut_at_headings_and_read_body_text_only():
    blocks = [Block(f"b{i:04d}", k, t) for i, (k, t) in enumerate(SECTIONS)]  # type: ignore[arg-type]
    rows = (("区分", "内容"), ("表の中の文", "表の中の文は要約に渡さない。"))
    blocks.insert(3, Block("t0099", "table", table_text(rows), rows=rows))
    doc = Document.from_blocks(blocks, fmt="docx")
    eng = fake(lambda p: "・制度の見直しが必要であるとの意見があった。", ctx=500)
    spans = list(_chunks(doc, eng))
    assert len(spans) > 1
    heading_starts = {b.start for b in doc.blocks if b.kind == "heading"}
    assert all(s in heading_starts for s, _ in spans)                  # every chunk begins at a heading
    texts = [_chunk_text(doc, s, e) for s, e in spans]
    assert not any("表の中の文" in t for t in texts)
    assert all(p.count("の論点について") >= 1 for p in texts)
    result = run_to_result(summarize(doc, eng, style="bullets"))
    assert result.method == "model"
    assert not any("表の中の文" in p for p in eng.prompts)


def test_law_summary_is_fast_enough_to_be_cited_whole_and_spread(ja_corpus):
    """民法: whole sentences from across the text, none from the 附則 while the main
    provisions have enough, each cited (the time is measured by bench/bench_summary_long.py)."""
    from gennai_desktop.documents import load_document
    doc = load_document(ja_corpus / "law_minpo_129AC0000000089.txt")
    result = run_to_result(summarize(doc, None, style="bullets", length="long"))
    assert len(result.points) == points_for("bullets", "long", len(doc.text)) == points_for("bullets", "long") + 2
    supplementary = next(b.start for b in doc.blocks if re.match(r"^附\s*則", b.text))
    offsets = []
    for p in result.points:
        block = doc.block(p.citations[0].block_id)
        assert p.text.endswith("。") and not p.text.endswith("…")
        assert p.text in block.text
        offsets.append(block.start)
    assert max(offsets) < supplementary
    assert min(offsets) < len(doc.text) // 5 and max(offsets) > supplementary * 0.7


# A 通知 whose lead sentence the PDF reader cut into two paragraph blocks on one page.
NOTICE = [
    ("title", "検査料の点数の取扱いについて"),
    ("paragraph", "標記について、「診療報酬の算定方法の一部改正に伴う実施上の留意事項について」"),
    ("paragraph", "（令和4年3月4日付け保医発0304第1号）を下記のとおり改正し、令和4年4月1日から適用するので、"
                  "貴管下の保険医療機関に対して周知徹底をお願いいたします。"),
    ("paragraph", "なお、委託する場合の点数については、令和4年7月1日に再度見直しを行う予定である。"),
]


def test_a_sentence_cut_over_two_pdf_blocks_is_one_point_citing_both():
    doc = _pdf(NOTICE)
    result = run_to_result(summarize(doc, None, style="bullets"))
    lead = [p for p in result.points if p.text.startswith("標記について")]
    assert lead, [p.text for p in result.points]
    assert lead[0].text.endswith("周知徹底をお願いいたします。")
    assert [c.block_id for c in lead[0].citations] == ["b0001", "b0002"]
    assert not any(p.text.startswith("（令和4年3月4日") for p in result.points)   # never the cut half


def test_word_paragraphs_are_never_joined_into_one_sentence():
    doc = Document.from_blocks([Block(f"b{i:04d}", kind, text) for i, (kind, text) in enumerate(NOTICE)],  # type: ignore[arg-type]
                               fmt="docx")
    table = SentenceTable(doc)
    assert all(doc.block_at(s.start).id == doc.block_at(s.end - 1).id for s in table.sentences)


def test_the_fallback_never_quotes_titles_tables_or_screenshot_text():
    slides = _pdf([("slide_title", "商法（船荷証券等関係）等の改正に関する中間試案の概要について"),
                   ("image_text", "船荷証券の電子化により運送品の引渡し手続が迅速になる"),
                   ("list_item", "・電子船荷証券記録の支配の移転を定める"),
                   ("list_item", "・運送品の引渡しに係る債権への強制執行の規律")])
    result = run_to_result(summarize(slides, None, style="bullets"))
    assert result.points
    assert {slides.block(c.block_id).kind for p in result.points for c in p.citations} == {"list_item"}
    table_only = _pdf([("title", "オンライン診療を実施する宮城県内の医療機関の一覧（令和3年1月現在）"),
                       ("table", table_text((("番号", "医療機関名", "所在地"), ("1", "医療法人社団やまと内科クリニック", "宮城県仙台市若林区なないろの里１丁目"))))])
    with pytest.raises(Exception, match="要約に使える文|No sentences"):
        run_to_result(summarize(table_only, None, style="bullets"))


def test_parenthesised_digit_labels_are_not_part_of_the_point():
    doc = Document.from_blocks([Block("b0000", "paragraph", "⑴　電子船荷証券記録の支配の移転の技術的要件は、省令で定めることとする。")],
                               fmt="docx")
    result = run_to_result(summarize(doc, None, style="bullets"))
    assert result.points[0].text == "電子船荷証券記録の支配の移転の技術的要件は、省令で定めることとする。"


def test_the_problem_a_document_answers_counts_as_a_key_fact():
    from gennai_desktop.tasks.keyfacts import fact_bonus, signals
    problem = signals("国内の行政機関にはメタデータの標準が存在しないため、各機関が独自に管理している。")
    plain = signals("各機関はメタデータを独自の様式で管理し、利用者に提供している。")
    assert problem.problem and not plain.problem
    assert fact_bonus(problem) > fact_bonus(plain)


def test_a_connective_costs_less_than_a_word_that_points_back():
    from gennai_desktop.tasks.keyfacts import fact_bonus, signals
    plain = fact_bonus(signals("分野を越えたデータ活用が広がり、コードの共通化が求められる。"))
    connective = fact_bonus(signals("しかし、分野を越えたデータ活用が広がり、コードの共通化が求められる。"))
    pointing = fact_bonus(signals("その分野を越えたデータ活用が広がり、コードの共通化が求められる。"))
    assert plain > connective > pointing


def test_a_conjunction_built_on_a_demonstrative_is_a_connective_not_a_word_that_points_back():
    """そのため / その後 / このうち link to the sentence before as しかし does; the sentence states
    its own fact (「そのため、…BregDCATをベースに検討を行った。」), so it costs what a connective costs."""
    from gennai_desktop.tasks.keyfacts import fact_bonus, signals
    connective = fact_bonus(signals("しかし、分野を越えたデータ活用が広がり、コードの共通化が求められる。"))
    for opening in ("そのため、", "その後、", "このうち、"):
        linked = signals(opening + "分野を越えたデータ活用が広がり、コードの共通化が求められる。")
        assert linked.connective and not linked.anaphora, opening
        assert fact_bonus(linked) == connective, opening
    assert signals("その方針に沿って、コードの共通化が求められる。").anaphora


# A narrow 白書 column as some PDF readers give it: every printed line its own block.
COLUMN = [
    ("heading", "１．行政での活用"),
    ("paragraph", "例えば、ある県では、令和５年８月に"),
    ("paragraph", "職員向けの利活用指針を作成するとと"),
    ("paragraph", "もに、業務で使える環境を整え、活用"),
    ("paragraph", "事例の共有も進めています。"),
    ("paragraph", "国は、自治体と事業者が協議する場を設け、路線の再編と運賃の見直しを令和6年度から支援する。"),
]


def test_a_sentence_over_the_lines_of_a_narrow_column_is_one_point_citing_each_line():
    doc = _pdf(COLUMN)
    table = SentenceTable(doc)
    whole = [table.sentences[i].text for i in range(len(table.sentences)) if table.whole(i)]
    joined = ("例えば、ある県では、令和５年８月に職員向けの利活用指針を作成するとともに、"
              "業務で使える環境を整え、活用事例の共有も進めています。")
    assert joined in [t.replace("\n", "") for t in whole]
    result = run_to_result(summarize(doc, None, style="bullets", length="long"))
    point = next(p for p in result.points if p.text.startswith("例えば"))
    assert [c.block_id for c in point.citations] == ["b0001", "b0002", "b0003", "b0004"]


# Two columns of a 新旧対照表 read across, line by line: the same words come twice.
ACROSS = [
    ("paragraph", "新たに検査を委託する場合は、本区分の所定点数を準用して算定する場合は、本区分の所"),
    ("paragraph", "定点数を準用して算定するものとし、施設名を明細書に記載すること。なお、委託した施"),
    ("paragraph", "設名を明細書の摘要欄に記載すること。施設名を明細書の摘要欄に記載すること。"),
    ("paragraph", "国は、自治体と事業者が協議する場を設け、路線の再編と運賃の見直しを令和6年度から支援する。"),
]


def test_lines_of_two_columns_read_across_give_no_point():
    result = run_to_result(summarize(_pdf(ACROSS), None, style="bullets", length="long"))
    assert result.points
    assert all("明細書" not in p.text for p in result.points)


def test_a_longer_document_gets_more_points_at_the_same_length_choice(ja_corpus):
    from gennai_desktop.documents import load_document
    short_law = load_document(ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.txt")     # 10,491 characters
    longer_law = load_document(ja_corpus / "law_gyosei-tetsuzuki_405AC0000000088.txt")   # 22,181 characters
    for style in ("bullets", "report"):
        base = points_for(style, "standard")
        assert len(run_to_result(summarize(short_law, None, style=style)).points) == base
        assert len(run_to_result(summarize(longer_law, None, style=style)).points) == base + 1
    assert len(run_to_result(summarize(longer_law, None, style="three_lines")).points) == 3
    assert points_for("bullets", "short", 100_000) == points_for("bullets", "short") + 1
    assert points_for("bullets", "long", 100_000) == points_for("bullets", "long") + 2


@pytest.mark.parametrize("style", ["bullets", "report"])
def test_a_short_notice_gets_one_point_fewer_except_at_the_short_choice(style):
    paras = ["本通知は、道路の点検の方法を改めることを目的とする。",
             "橋梁の定期点検は、令和6年4月1日から5年に1回行うこととする。",
             "点検の結果は、各地方整備局が取りまとめて本省に報告する。",
             "補修が必要な橋梁は全国で約6万橋に上り、予算の確保が課題である。",
             "自治体には、点検を担う技術者の研修に要する費用の2分の1を補助する。",
             "ドローンを用いた点検は、近接目視に代わる方法として認める。",
             "今後、令和7年度末までに点検要領を改定する予定である。",
             "貴管下の市町村に対して周知徹底をお願いいたします。",
             "トンネルの点検についても、同じ周期で実施するよう求める。",
             "点検の記録は、国のデータベースに登録して10年間保存する。",
             "従前の通知は、令和6年3月31日をもって廃止する。"]
    doc = Document.from_blocks([Block(f"b{i:04d}", "paragraph", t) for i, t in enumerate(paras)], fmt="docx")
    assert len(doc.text) < 3_000          # two A4 pages at most: a 通知, a 事務連絡
    for length in ("standard", "long"):
        got = len(run_to_result(summarize(doc, None, style=style, length=length)).points)
        assert got == points_for(style, length) - 1
    assert len(run_to_result(summarize(doc, None, style=style, length="short")).points) == points_for(style, "short")
    assert points_for("three_lines", "standard", 500) == 3


# A slide deck with no prose: titles and bullet items, one item wrapped over two lines.
DECK = [
    ("title", "電子化に関する制度見直しの概要"),
    ("list_item", "・令和5年3月に中間試案を公表し、意見募集を実施"),
    ("list_item", "・電子記録の発行には荷主の承諾を要件とする案"),
    ("list_item", "・紙の証券から電子記録への転換を認める方向で検討し、"),
    ("paragraph", "令和6年中に要綱案を取りまとめ"),
    ("heading", "今後のスケジュール"),
    ("list_item", "・法制審議会の部会で審議を継続（月1回程度）"),
    ("list_item", "・国際的な規範との整合性を確保"),
]


def test_a_deck_with_no_prose_gives_whole_list_items_labelled_as_such():
    doc = _pdf(DECK)
    result = run_to_result(summarize(doc, None, style="bullets"))
    assert "summary.notice.slide_items" in result.notices
    assert result.points
    items = {sentence_shape.ITEM_LABEL.sub("", b.text).strip(): b.id for b in doc.blocks if b.kind == "list_item"}
    for p in result.points:
        assert p.text in items, p.text                              # one whole item, never a fragment of one
        assert [c.block_id for c in p.citations] == [items[p.text]]
    assert not any(p.text.startswith("紙の証券") for p in result.points)   # runs on into the next line


def test_a_decision_put_to_the_meeting_is_a_decision_not_a_question():
    from gennai_desktop.tasks import keyfacts
    put = keyfacts.signals("それでは、要綱案を原案のとおり決定することとしてよろしいでしょうか。")
    assert put.decision and not put.question
    asked = keyfacts.signals("この点について、委員の皆様はどのようにお考えでしょうか。")
    assert asked.question
    assert keyfacts.signals("要綱案は、出席委員の全会一致で原案のとおり承認された。").decision
