"""The causes the blind judgement of whole documents showed, each as a general rule tested on
text written here: recorded speech, the 改正前 side of a comparison table, quotations that
run over a block, item numbers and the references to them, a form's fixed wording, 表外漢字
inside the document's own terms, provision text of amendment notices, names quoted as
written, and 長文 measured on the writer's own words."""
from __future__ import annotations

from gennai_desktop.core.document import Block, Document, table_text
from gennai_desktop.proofread.document_check import check_document
from gennai_desktop.proofread.scope import regions

LONG_REMARK = ("本日は、関係する部会の部会長である委員の皆様にお越しいただいておりますので、各部会における審議状況等を"
               "御報告していただき、御報告の後、委員の皆様から御質問等をお伺いしたいと存じますが、時間の都合もございますので、"
               "御質問は簡潔にお願いできればと考えておりまして、その点も含めて御協力をお願い申し上げる次第でございます。")


def _doc(*items: tuple[str, str], fmt: str = "docx", rows: dict[int, tuple] | None = None) -> Document:
    blocks = []
    for i, (k, t) in enumerate(items):
        r = (rows or {}).get(i)
        blocks.append(Block(id=f"b{i:04d}", kind=k, text=table_text(r) if r else t, rows=r,  # type: ignore[arg-type]
                            page=1 if fmt == "pdf" else None))
    return Document.from_blocks(blocks, fmt=fmt)  # type: ignore[arg-type]


def _found(doc: Document):
    return check_document(doc, "koyobun").findings


def _rules(doc: Document) -> list[str]:
    return [f.rule for f in _found(doc)]


# --- 議事録: a remark is recorded as said ------------------------------------------------------
def test_a_transcribed_remark_gets_no_long_sentence_hint_but_notation_is_still_checked():
    minutes = _doc(("paragraph", "○山田部会長　" + LONG_REMARK),
                   ("paragraph", "続いて、事務当局から御説明致します。"),
                   ("paragraph", "○鈴木委員　ありがとうございます。"))
    fs = _found(minutes)
    assert "style.long_sentence" not in [f.rule for f in fs]
    assert any(f.original == "致し" for f in fs)           # 補助動詞 notation: still reviewed
    # the same text without speaker labels is prose, and gets the hint
    prose = _doc(("paragraph", LONG_REMARK), ("paragraph", "続いて、事務当局から御説明致します。"))
    assert "style.long_sentence" in _rules(prose)


def test_a_circle_bullet_is_not_a_speaker():
    doc = _doc(("paragraph", "○ 基本方針　" + LONG_REMARK), ("paragraph", "○ 実施体制　体制を整える。"))
    assert "style.long_sentence" in _rules(doc)


def test_speech_style_is_not_counted_against_the_document():
    record = [("paragraph", "本会議の概要は次のとおりである。"), ("paragraph", "議事は以下のとおりである。"),
              ("paragraph", "○田中議長　ただいまから会議を開きます。"), ("paragraph", "会議は予定どおり終了した。"),
              ("paragraph", "○佐藤委員　賛成します。"), ("paragraph", "出席者は十名であった。")]
    assert "style.mixed" not in _rules(_doc(*record))
    unlabelled = [(k, t.split("\u3000")[-1]) for k, t in record]     # the same sentences as prose: a mix
    assert "style.mixed" in _rules(_doc(*unlabelled))


# --- 新旧対照表: the 改正前 side is quoted as it stood ---------------------------------------------
def test_the_old_column_of_a_comparison_table_is_never_rewritten():
    rows = (("改正後", "改正前"),
            ("１日分製剤するごとに算定する。", "１日分製剤する毎に算定する。"),
            ("１回調剤するごとに加算する。", "１回調剤する毎に加算する。"))
    doc = _doc(("paragraph", "別添のとおり改正する。"), ("table", ""), rows={1: rows})
    assert not [f for f in _found(doc) if f.original == "毎"]
    swapped = tuple((b, a) for a, b in rows)                  # the new side is the issuer's text: checked
    doc = _doc(("paragraph", "別添のとおり改正する。"), ("table", ""), rows={1: (("改正後", "改正前"),) + swapped[1:]})
    assert len([f for f in _found(doc) if f.original == "毎"]) == 2


def test_a_pdf_line_read_across_both_columns_leaves_the_old_side_alone():
    doc = _doc(("paragraph", "改 正 後 改 正 前"),
               ("paragraph", "１日分製剤する毎に算定する。 １日分製剤する毎に算定する。"), fmt="pdf")
    reg = regions(doc)[1]
    assert len(reg.old) == 1 and doc.text[reg.old[0][0]:reg.old[0][1]].startswith("１日分")
    hits = [f for f in _found(doc) if f.original == "毎"]
    assert len(hits) == 1 and hits[0].start < reg.old[0][0]


def test_lines_read_across_both_columns_and_run_on_leave_the_old_side_alone():
    # the reader joins each printed line of the left column to the same line of the right one by a
    # space and runs the lines of a paragraph on: 「n1　o1n2　o2」 (full lines are equally long)
    new1 = old1 = "未満の乳幼児の場合においては、１日分製剤する毎にそれ"
    new2, old2 = "ぞれ137点又は137点）を加算する。", "ぞれ135点又は135点）を加算する。"
    doc = _doc(("paragraph", "改正後\u3000改正前"), ("paragraph", f"{new1}\u3000{old1}{new2}\u3000{old2}"), fmt="pdf")
    reg = regions(doc)[1]
    assert [doc.text[s:e] for s, e in reg.old] == [old1, old2]
    hits = [f for f in _found(doc) if f.original == "毎"]
    assert len(hits) == 1 and hits[0].start < reg.old[0][0]          # the 改正後 side's is still checked


def test_a_table_row_holding_both_sides_leaves_the_old_half_alone():
    rows = (("イ　１日分製剤する毎に69点を加算する。", "区分01", "イ　１日分製剤する毎に68点を加算する。", "区分01"),)
    doc = _doc(("paragraph", "改正後\u3000改正前"), ("table", ""), fmt="pdf", rows={1: rows})
    hits = [f for f in _found(doc) if f.original == "毎"]
    assert len(hits) == 1 and "69点" in doc.text[hits[0].start:hits[0].start + 8]
    # without a comparison header the same row is ordinary table text: both are checked
    doc = _doc(("paragraph", "次のとおり算定する。"), ("table", ""), fmt="pdf", rows={1: rows})
    assert len([f for f in _found(doc) if f.original == "毎"]) == 2


# --- quoted text from another document ------------------------------------------------------------
def test_a_quoted_title_wrapped_into_the_next_block_is_left_as_written():
    doc = _doc(("paragraph", "講演は、セミナー「情報技術の３つのトレンドと生成ＡＩ"),
               ("paragraph", "のインパクト」（2023年８月）による。"), fmt="pdf")
    assert "number.wago" not in _rules(doc)
    doc = _doc(("paragraph", "講演は、情報技術の３つのトレンドを示した。"), fmt="pdf")
    assert "number.wago" in _rules(doc)


def test_a_name_introduced_in_brackets_keeps_its_spelling():
    body = [("paragraph", "ＡＩの研究はＯＥＣＤでも議論されている。"), ("paragraph", "ＡＩの利用はＥＵでも広がった。"),
            ("paragraph", "ＩＣＴとＡＩの関係を整理した。")]
    doc = _doc(*body, ("paragraph", "対話プログラム「ELIZA」が開発された。ELIZAは広く知られた。"))
    assert not [f for f in _found(doc) if f.original == "ELIZA"]
    doc = _doc(*body, ("paragraph", "対話プログラムELIZAが開発された。"))   # not introduced as a name: majority
    assert [f.suggestion for f in _found(doc) if f.original == "ELIZA"] == ["ＥＬＩＺＡ"]


# --- item numbers and the references to them ---------------------------------------------------
FULL_BODY = [("paragraph", "令和６年４月１日から適用する。"), ("paragraph", "対象は１２０名で、うち３０名が出席した。"),
             ("paragraph", "第３四半期に行う。")]


def test_references_follow_the_items_of_their_own_form():
    form = [("heading", "様式１"), ("paragraph", "(1)免許の取得"), ("paragraph", "(2)研修の実績"),
            ("paragraph", "(3)会議の出席"), ("paragraph", "※以下の(1)から(3)までの基準を満たすこと。")]
    assert "width.mixed" not in _rules(_doc(*FULL_BODY, *form))
    # the same reference in the main text, whose items are numbered full-width, follows those
    main = [("paragraph", "（１）　目的"), ("paragraph", "（２）　対象"), ("paragraph", "詳細は(1)に記載する。")]
    fs = [f for f in _found(_doc(*FULL_BODY, *main)) if f.rule == "width.mixed"]
    assert [(f.original, f.suggestion) for f in fs] == [("1", "１")] and "項目番号" in fs[0].message


def test_a_reference_to_a_part_follows_the_part_headings_not_the_running_digits():
    half = [("paragraph", f"令和{y}年{m}月に{n}件を公表した。") for y, m, n in ((5, 10, 12), (6, 11, 30), (6, 12, 45))]
    doc = _doc(("heading", "第２部 基本理念"), ("heading", "第３部 共通の指針"), *half,
               ("paragraph", "第２部では基本理念を記載する。"))
    assert not [f for f in _found(doc) if f.original == "２"]


def test_part_references_get_advice_in_one_direction_only():
    """Headings 「第２部」 but the text's references mostly 「第2部」: the labels and the references
    are one family, so only its minority goes to its majority — never 2→２ here and ３→3 there."""
    half = [("paragraph", f"令和{y}年{m}月に{n}件を公表した。") for y, m, n in ((5, 10, 12), (6, 11, 30), (6, 12, 45))]
    refs = [("paragraph", "第2部では基本理念を記載する。"), ("paragraph", "第 3 部以降は第 2 部をもとにする。"),
            ("paragraph", "第1部及び第2部を確認する。"), ("paragraph", "第2部の考え方による。"),
            ("paragraph", "詳細は第３～５部に後述する。")]
    heads = [("heading", "第２部 基本理念"), ("heading", "第３部 共通の指針"), ("heading", "第５部 利用者")]
    fs = [f for f in _found(_doc(*heads, *half, *refs)) if f.rule == "width.mixed"]
    assert [(f.original, f.suggestion) for f in fs] == [("３", "3"), ("５", "5")]
    assert "半角6か所・全角5か所" in fs[0].message


def test_a_reference_to_a_number_no_item_carries_is_not_judged():
    """「(８９)」 where the items run (11)…(13): not a reference to an item here (digits struck out
    and read together, or another text's item), so its width is not judged against the items."""
    half = [("paragraph", f"令和{y}年{m}月に{n}件を公表した。") for y, m, n in ((5, 10, 12), (6, 11, 30), (6, 12, 45))]
    items = [("paragraph", f"({n})　基準{n}を満たすこと。") for n in (11, 12, 13)]
    doc = _doc(*half, *items, ("paragraph", "必ずしも(８９)の要件を満たす必要はない。"))
    assert not [f for f in _found(doc) if f.rule == "width.mixed"]
    doc = _doc(*half, *items, ("paragraph", "必ずしも(１２)の要件を満たす必要はない。"))
    assert [f.suggestion for f in _found(doc) if f.rule == "width.mixed"] == ["12"]


def test_a_number_cut_by_a_space_is_not_judged_part_by_part():
    doc = _doc(*FULL_BODY, ("paragraph", "それぞれ１３７点又は1 37点を加算する。"))
    assert not [f for f in _found(doc) if f.rule == "width.mixed"]
    doc = _doc(*FULL_BODY, ("paragraph", "それぞれ１３７点又は137点を加算する。"))   # one number: judged
    assert [f.original for f in _found(doc) if f.rule == "width.mixed"] == ["137"]


def test_a_chapter_named_by_its_number_alone_follows_the_chapter_headings():
    full = [("paragraph", f"令和{y}年{m}月に{n}件を公表した。") for y, m, n in ("５６１", "６７２", "６８３")]
    heads = [("heading", "1\u3000はじめに"), ("heading", "2\u3000現状"), ("heading", "3\u3000課題")]
    doc = _doc(*heads, *full, ("paragraph", "詳細は３章に記載する。"), ("paragraph", "３章を参照。"))
    fs = [f for f in _found(doc) if f.original == "３"]
    assert [f.suggestion for f in fs] == ["3", "3"] and all("項目番号" in f.message for f in fs)
    # references are not running digits: they do not tip the body's own majority either way
    assert not [f for f in _found(doc) if f.rule == "width.mixed" and f.original != "３"]


def test_one_digit_full_width_longer_half_width_is_seen_in_the_writers_own_codes_too():
    body = [("paragraph", "2016年３月に公表された（第１-１-２図）。"),
            ("paragraph", "2023年に改定された（第１-１-３図）。"),
            ("paragraph", "1950年代の研究が基礎となった（第１-１-４図）。"), ("paragraph", "第３次ブームが始まった。"),
            ("paragraph", "参加者は5名であった。")]
    # the codes make the house rule plain: the one half-width single digit breaks it
    assert [f.original for f in _found(_doc(*body)) if f.rule == "width.mixed"] == ["5"]
    # without the codes the same running digits (one against the rule) are a half-width majority
    plain = [(k, t.split("（")[0].rstrip("。") + "。") for k, t in body]
    assert [f.original for f in _found(_doc(*plain)) if f.rule == "width.mixed"] == ["３", "３"]


def test_no_labels_no_reference_finding():
    doc = _doc(*FULL_BODY, ("paragraph", "詳細は(1)に記載する。"))
    assert "width.mixed" not in _rules(doc)


def test_the_title_of_another_notice_cited_with_its_number_is_quoted_as_written():
    """「…届出に関する⏎手続きの取扱いについて（令和２年…第13号）」 without 「」: the title of a notice,
    wrapped over two lines, with its number on the same line (2022 建議 Ⅰ-6: titles as written)."""
    doc = _doc(("paragraph", "届出の取扱いは次のとおりとする。"), ("paragraph", "（別添５）"),
               ("paragraph", "入院時食事療養の基準等に係る届出に関する"),
               ("paragraph", "手続きの取扱いについて（令和２年３月５日保医発0305第13号）"),
               ("paragraph", "届出の手続きは次のとおりとする。"))
    fs = [f for f in _found(doc) if f.rule == "okuri.tetsuzuki"]
    assert len(fs) == 1 and doc.text[fs[0].start:fs[0].end + 5] == "手続きは次のとお"


# --- a form's fixed wording -------------------------------------------------------------------
def test_the_fixed_wording_of_a_form_is_not_a_style_mix():
    plain = [("paragraph", f"{w}の届出が必要である。") for w in ("施設基準", "加算", "変更", "辞退")]
    doc = _doc(*plain, ("heading", "別紙様式２"), ("paragraph", "上記について報告します。"))
    assert "style.mixed" not in _rules(doc)
    doc = _doc(*plain, ("paragraph", "上記について報告します。"))   # outside a form: a mix
    assert "style.mixed" in _rules(doc)


def test_a_sentence_in_a_table_cell_is_prose_to_word_rules_but_a_bare_label_is_not():
    rows = (("２　各基準の実績回数", "※以下の(1)から(9)までの基準のうち８つ以上を満たす必要がある。"),
            ("３つの区分", "回"))
    doc = _doc(("paragraph", "次のとおり報告する。"), ("table", ""), rows={1: rows})
    assert [f.original for f in _found(doc) if f.rule == "number.wago"] == ["８"]


def test_a_label_set_down_a_tables_side_one_character_a_row_is_not_read_as_words():
    rows = (("常", "医師", "人"), ("勤", "理学療法士", "人"), ("従業", "作業療法士", "人"), ("事", "言語聴覚士", "人"),
            ("者", "管理栄養士", "人"))
    doc = _doc(("paragraph", "次の表に記入すること。"), ("table", ""), rows={1: rows})
    assert "keishiki.koto" not in _rules(doc)
    rows = (("届出を行う事", "医師"), ("記入する事", "理学療法士"))     # words in a cell are still read
    doc = _doc(("paragraph", "次の表に記入すること。"), ("table", ""), rows={1: rows})
    assert _rules(doc).count("keishiki.koto") == 2


# --- 表外漢字 inside the document's own terms -----------------------------------------------------
def test_a_kanji_outside_the_table_inside_a_defined_term_is_left_as_the_document_names_it():
    doc = _doc(("paragraph", "Ｊ１１８　介達牽引"),
               ("paragraph", "介達牽引は、斜面牽引法及び断続牽引を含むものである。"),
               ("paragraph", "車両を牽引する場合は届け出ること。"))
    ks = [f for f in _found(doc) if f.rule == "hyogai.kenin"]
    # the item name and its compounds are written as named; the word standing alone is prose
    assert [(f.original, f.severity) for f in ks] == [("牽引", "warning")]
    assert doc.text[ks[0].start - 3:ks[0].start] == "車両を"
    # without the document naming the term, every one is a warning
    doc = _doc(("paragraph", "介達牽引は、斜面牽引法及び断続牽引を含むものである。"))
    assert [f.severity for f in _found(doc) if f.rule == "hyogai.kenin"] == ["warning"] * 3


def test_a_quoted_term_counts_as_defined_but_grammar_words_never_do():
    doc = _doc(("paragraph", "本書では「範疇分類」を用いる。範疇分類は次のとおりとする。"),
               ("heading", "調査毎の記録"), ("paragraph", "１件調査する毎に記録する。"))
    fs = _found(doc)
    assert not [f for f in fs if f.original == "範疇"]
    assert {f.severity for f in fs if f.original == "毎"} == {"warning"}


# --- provision text of amendment and correction notices ------------------------------------------
def test_provision_text_an_amendment_enacts_gets_no_long_sentence_hint_but_word_rules():
    provision = "(２) " + LONG_REMARK.replace("存じますが", "する事とするが")
    doc = _doc(("paragraph", "１　別添１の第１章Ａ１０２（２）を次のように改める。"), ("paragraph", provision))
    rules = _rules(doc)
    assert "style.long_sentence" not in rules and "keishiki.koto" in rules
    doc = _doc(("paragraph", "１　次の事項に留意すること。"), ("paragraph", provision))
    assert "style.long_sentence" in _rules(doc)


def test_attachments_of_a_correction_notice_are_restated_provisions():
    doc = _doc(("paragraph", "下記の通知について、別添１のとおり訂正しますので、お願いいたします。"),
               ("paragraph", "（別添１）"), ("paragraph", LONG_REMARK))
    assert "style.long_sentence" not in _rules(doc)


def test_a_cover_letter_in_desu_masu_over_restated_provisions_is_not_a_style_mix():
    provisions = [("paragraph", f"({i}) {w}の届出が必要である。")
                  for i, w in enumerate(("施設基準", "加算", "変更", "辞退"), 1)]
    letter = ("paragraph", "下記の通知について、別添１のとおり訂正しますので、周知をお願いいたします。")
    doc = _doc(letter, ("paragraph", "（別添１）"), *provisions)
    assert "style.mixed" not in _rules(doc)
    doc = _doc(("paragraph", "下記の事項について周知をお願いいたします。"), *provisions)   # no restating: a mix
    assert "style.mixed" in _rules(doc)


# --- 長文 on the writer's own words -----------------------------------------------------------
def test_quoted_titles_do_not_make_a_sentence_long():
    title = "「" + "デジタル社会の実現に向けた重点計画及び関係府省庁の取組に関する" * 2 + "報告書」"
    doc = _doc(("paragraph", f"本報告は、{title}と、{title}を踏まえ、課題を整理し、方向性を示し、"
                             "今後の検討に資するものである。"))
    assert "style.long_sentence" not in _rules(doc)
    doc = _doc(("paragraph", LONG_REMARK))
    fs = [f for f in _found(doc) if f.rule == "style.long_sentence"]
    assert fs and "引用を除いて" in fs[0].message


def test_short_phrases_in_brackets_are_the_writers_own_words():
    words = ("データ保護", "相互運用性", "透明性", "説明責任", "公平性", "安全性", "利便性",
             "持続可能性", "包摂性", "信頼性", "効率性", "継続性")
    phrases = "、".join(f"「{w}」" for w in words)
    sentence = (f"本方針は、{phrases}の各観点を踏まえ、関係府省庁が連携して取組を進めるとともに、"
                "地方公共団体や民間事業者とも協力し、"
                "国民の理解を得ながら段階的に施策を実施していくことを基本とし、その進捗を毎年度確認するものである。")
    fs = [f for f in _found(_doc(("paragraph", sentence))) if f.rule == "style.long_sentence"]
    assert fs        # a short phrase in 「」 counts: the writer can split this sentence
    quoted = sentence.replace(phrases, "「" + "。".join(words) + "。」")
    assert "style.long_sentence" not in _rules(_doc(("paragraph", quoted)))  # a quoted passage (「…。」) does not


def test_the_rest_of_a_footnote_cut_by_the_reader_is_a_note_and_gets_no_long_sentence_hint():
    """A PDF footnote 「5 …を立ち上げた。その」 whose next line the reader made a block of its own
    (「後、同年9月の…」): that block is the footnote's rest, not a body sentence starting at 「後、」."""
    rest = ("後、同年9月の閣僚級会合、10月の京都での会合、同年10月の首脳声明、同年12月の閣僚級会合を経て、国際指針及び"
            "国際行動規範から成る包括的政策枠組みを取りまとめるとともに、関係する国際機関とも連携し、取組の進め方を"
            "整理した作業計画を取りまとめ、その内容を各国の関係者に広く周知したうえで、今後の具体的な取組の方向性を示した。")
    note = "5 2023年5月の首脳会議の結果を受けて、国際的なルールの検討を行うため、新たなプロセスを立ち上げた。その"
    doc = _doc(("paragraph", "本章では国際的な動向を述べる。"), ("paragraph", note), ("paragraph", rest), fmt="pdf")
    assert "style.long_sentence" not in _rules(doc)
    doc = _doc(("paragraph", "本章では国際的な動向を述べる。"), ("paragraph", "その" + rest), fmt="pdf")
    assert "style.long_sentence" in _rules(doc)        # the same sentence in the body: a hint


def test_an_abbreviations_english_name_in_brackets_is_not_counted_in_the_length():
    """「MDM（Mobile Device Management）、EDR(Endpoint Detection and Response)…」: the glosses make
    the sentence long, but a reader skips them; what is left is one short list to split or not."""
    glossed = ("具体的には、MDM（Mobile Device Management）、EDR(Endpoint Detection and Response)、"
               "SOC(Security Operation Center)による監視、SIG(Secure Internet Gateway)等による対策、"
               "端末の管理、利用者の認証等の導入が推奨されます。")
    doc = _doc(("paragraph", "次の対策を講じます。"), ("paragraph", glossed))
    assert "style.long_sentence" not in _rules(doc)
    # the same length in Japanese words is a sentence to split
    plain = ("具体的には、端末の構成を一元的に管理する仕組み、端末での不審な挙動を検知して対処する仕組み、"
             "組織の監視体制、通信の出口で不正な接続を遮断する仕組み等による対策、端末の管理、利用者の認証等の"
             "導入が推奨されます。")
    plain = plain.replace("導入が", "導入と、その運用状況を定期的に確認して改善を図る体制の整備が")
    assert len(plain) >= 120 and plain.count("、") >= 6 and plain.count("。") == 1
    doc = _doc(("paragraph", "次の対策を講じます。"), ("paragraph", plain))
    assert "style.long_sentence" in _rules(doc)


# --- round 4: the second whole-document judgement ------------------------------------------------
def _ocr_doc(*texts: str, ocr: bool) -> Document:
    blocks = [Block(id=f"b{i:04d}", kind="paragraph", text=t, page=1, ocr=ocr) for i, t in enumerate(texts)]
    return Document.from_blocks(blocks, fmt="pdf")


def test_digit_widths_read_by_ocr_are_the_ocr_engines_not_the_writers():
    texts = ("2021年に12件を処理した。", "2022年に34件を処理した。", "2023年に56件を処理した。",
             "２０２４年に78件を処理した。")
    assert "width.mixed" in [f.rule for f in check_document(_ocr_doc(*texts, ocr=False), "koyobun").findings]
    assert "width.mixed" not in [f.rule for f in check_document(_ocr_doc(*texts, ocr=True), "koyobun").findings]


def test_one_digit_full_width_and_longer_half_width_is_a_convention_even_with_few_numbers():
    house = [("paragraph", "W3Cが2020年４月に公開した。"), ("paragraph", "2021年８月に改定した。"),
             ("paragraph", "現在は版３の検討が進められている。")]
    assert "width.mixed" not in _rules(_doc(*house))
    # one number against the rule (a full-width 「２０２２」) and the mix is real again
    broken = [*house, ("paragraph", "２０２２年５月に追補した。")]
    assert "width.mixed" in _rules(_doc(*broken))


def test_a_compound_heading_reference_is_numbered_like_the_headings():
    body = [("paragraph", "2021年に12件を処理した。"), ("paragraph", "2022年に34件を処理した。"),
            ("paragraph", "2023年に56件を処理した。")]
    heads = [("heading", "４．知的財産"), ("list_item", "（５）権利の保護"), ("heading", "５．その他")]
    doc = _doc(*body, *heads, ("paragraph", "知的財産に関しては４．（５）にて後述する。"))
    assert "width.mixed" not in _rules(doc)
    # where the headings are half-width (「4．」), the full-width reference is the one to change
    heads = [("heading", "4．知的財産"), ("list_item", "（５）権利の保護"), ("heading", "5．その他")]
    doc = _doc(*body, *heads, ("paragraph", "知的財産に関しては４．（５）にて後述する。"))
    fs = [(f.original, f.suggestion) for f in _found(doc) if f.rule == "width.mixed"]
    assert fs == [("４", "4")]


def test_tomoni_in_the_sense_of_together_with_stays_in_kanji():
    doc = _doc(("paragraph", "室は、人工知能特別委員会（ＳＣＡＩ）と共に省庁間調整を行っている。"))
    assert "kana.tomoni" not in _rules(doc)
    doc = _doc(("paragraph", "説明会の日時と共に、会場についても確認してください。"))   # 併せて: kana
    assert "kana.tomoni" in _rules(doc)
    doc = _doc(("paragraph", "制度を整備すると共に、周知を図る。"))
    assert "kana.tomoni" in _rules(doc)


def test_the_text_of_a_comparison_table_gets_no_long_sentence_hint():
    doc = _doc(("paragraph", "別添のとおり改正したので通知する。"), ("paragraph", "（参考：新旧対照表）"),
               ("paragraph", LONG_REMARK))
    assert "style.long_sentence" not in _rules(doc)
    doc = _doc(("paragraph", "改正の内容は別添の新旧対照表のとおりである。"), ("paragraph", LONG_REMARK))
    assert "style.long_sentence" in _rules(doc)


def test_a_figure_number_is_numbered_like_the_captions_not_like_the_body():
    body = [("paragraph", "W3Cが２０２０年４月に公開した。"), ("paragraph", "２０２１年８月に改定した。"),
            ("caption", "図 6　共通的なタグ活用のイメージ"), ("caption", "図 5　検索の流れ")]
    doc = _doc(*body, ("paragraph", "「図 6　共通的なタグ活用のイメージ」のように検索できる。"))
    assert "width.mixed" not in _rules(doc)
    doc = _doc(*body, ("paragraph", "検索の例は図６のとおりである。"))       # against its captions
    assert [(f.original, f.suggestion) for f in _found(doc) if f.rule == "width.mixed"] == [("６", "6")]
