"""documents.ooxml: the one walk over a paragraph's visible text (reader and tracked-changes
writer both use it, so Document.text and the writer's character map cannot drift)."""
from __future__ import annotations

from docx.oxml import parse_xml

from gennai_desktop.documents.docx_reader import paragraph_text
from gennai_desktop.documents.ooxml import SKIP, W, W_NS, body_elements, paragraph_pieces

NS = f'xmlns:w="{W_NS}"'


def test_pieces_follow_the_current_revision_in_document_order():
    p = parse_xml(
        f'<w:p {NS}><w:pPr><w:rPr><w:b/></w:rPr></w:pPr>'
        '<w:r><w:t>第</w:t><w:tab/><w:t></w:t></w:r>'
        '<w:del><w:r><w:delText>旧</w:delText></w:r></w:del>'
        '<w:ins><w:r><w:t>新</w:t></w:r></w:ins>'
        '<w:r><w:br w:type="page"/><w:br/><w:noBreakHyphen/><w:instrText>PAGE</w:instrText></w:r>'
        '<w:r><w:ruby><w:rt><w:r><w:t>よみ</w:t></w:r></w:rt><w:rubyBase><w:r><w:t>読</w:t></w:r></w:rubyBase></w:ruby></w:r>'
        '</w:p>')
    pieces = list(paragraph_pieces(p))
    assert [x.text for x in pieces] == ["第", "\t", "新", "\n", "-", "読"]
    assert all(x.run is not None and x.run.tag == W + "r" for x in pieces)
    assert pieces[0].element.tag == W + "t" and pieces[1].element.tag == W + "tab"
    assert paragraph_text(p) == "第\t新\n-読"
    assert W + "del" in SKIP and W + "rt" in SKIP and W + "ins" not in SKIP


def test_text_box_paragraphs_follow_their_anchor_as_blocks_of_their_own():
    body = parse_xml(
        f'<w:body {NS} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        '<w:p><w:r><w:t>本文</w:t></w:r>'
        '<w:r><mc:AlternateContent><mc:Choice><w:txbxContent><w:p><w:r><w:t>枠</w:t></w:r></w:p>'
        '<w:p><w:r><w:t>二</w:t></w:r></w:p></w:txbxContent></mc:Choice>'
        '<mc:Fallback><w:txbxContent><w:p><w:r><w:t>枠</w:t></w:r></w:p></w:txbxContent></mc:Fallback>'
        '</mc:AlternateContent></w:r></w:p>'
        '<w:p><w:r><w:t>次</w:t></w:r></w:p></w:body>')
    paras = list(body_elements(body))
    # the anchoring paragraph no longer carries the box's text; the box's paragraphs come
    # right after it (once: the mc:Fallback copy is not read), then the next paragraph
    assert [paragraph_text(p) for p in paras] == ["本文", "枠", "二", "次"]
