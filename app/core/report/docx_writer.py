"""The report as a .docx in GB/T 9704-2012 layout (python-docx, imported here only).

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; a document grid of 22 lines ×
28 characters (linePitch 579, charSpace −848 for 三号 16 pt); title 二号 小标宋 centred; body
三号 仿宋; 一、 headings 黑体; （一） headings 楷体; page numbers ``— 1 —`` 四号 宋体 at the
outer side (right on odd pages, left on even); issuer centred over the date, the date 右空四字.
Every run names its East-Asian font, and the python-docx template's traps are disarmed
(themeFontLang ja-JP, theme fonts in docDefaults).

The file is one Word and WPS take as their own: Word's current mode (compatibilityMode 15,
not the template's 14, which opens in 兼容模式); properties naming the office, the title and
now (not python-docx in 2013); a font table giving each _GB2312 / 方正 face its Windows
stand-in.  The 署名 stays on the page of the 成文日期, and the 附件 starts a page through its
first paragraph's page-break-before (a break character can leave a blank page).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from .fonts import FACES, FontScheme, faces
from .text import Block, ReportDocument

BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
PAGE_NO_PT = 14  # 四号
LINE_PITCH = 579  # twips: 22 lines in the 225 mm text height
CHAR_SPACE = -848  # 1/4096 pt: 28 characters of 16 pt in the 156 mm text width
CHARS_PER_LINE = 28
# Word and WPS fit 28 characters through the grid's charSpace; LibreOffice gives a character
# wider than a grid cell two cells (14 a line).  So body text does not snap to the character
# grid and is condensed by 0.45 pt instead: 28 × 15.55 pt fits the 442.2 pt line and 29 do
# not, with room for LibreOffice, which still loses about 0.2 pt a character to the grid.
CONDENSE = -9  # twentieths of a point
TITLE_CHARS_PER_LINE = 20  # 156 mm / 22 pt
FIGURE_WIDTH_MM = 150
THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
WORD_2013_MODE = "15"  # compatibilityMode: Word 2013 and later, opened without 兼容模式
APPLICATION = "法治台账"


@dataclass
class ChartImage:
    title: str
    png: bytes | Path
    alt: str = ""  # the picture's description (wp:docPr descr): its numbers and total


# -- low-level helpers -----------------------------------------------------------------------


# schema order of the children we touch (Word rejects out-of-order elements)
PPR_ORDER = [
    "w:pStyle",
    "w:keepNext",
    "w:keepLines",
    "w:pageBreakBefore",
    "w:framePr",
    "w:widowControl",
    "w:numPr",
    "w:suppressLineNumbers",
    "w:pBdr",
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
]
RPR_ORDER = [
    "w:rStyle",
    "w:rFonts",
    "w:b",
    "w:bCs",
    "w:i",
    "w:iCs",
    "w:caps",
    "w:smallCaps",
    "w:strike",
    "w:dstrike",
    "w:outline",
    "w:shadow",
    "w:emboss",
    "w:imprint",
    "w:noProof",
    "w:snapToGrid",
    "w:vanish",
    "w:webHidden",
    "w:color",
    "w:spacing",
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
]


def _child(parent, tag: str):
    """``parent``'s ``tag`` child, created in its schema position if missing."""
    el = parent.find(qn(tag))
    if el is not None:
        return el
    el = OxmlElement(tag)
    order = PPR_ORDER if parent.tag == qn("w:pPr") else RPR_ORDER
    later = order[order.index(tag) + 1 :] if tag in order else []
    for sibling in parent:
        if sibling.tag in {qn(t) for t in later}:
            sibling.addprevious(el)
            return el
    parent.append(el)
    return el


def set_rfonts(rpr, font: str) -> None:
    """ascii/hAnsi/eastAsia/cs all = ``font``; theme font attributes removed."""
    rfonts = _child(rpr, "w:rFonts")
    for attr in THEME_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), font)


def set_size(rpr, pt: float) -> None:
    for tag in ("w:sz", "w:szCs"):
        _child(rpr, tag).set(qn("w:val"), str(int(pt * 2)))


def style_run(run, font: str, pt: float, bold: bool = False) -> None:
    rpr = run._r.get_or_add_rPr()
    set_rfonts(rpr, font)
    if bold:
        _child(rpr, "w:b")
    set_size(rpr, pt)


def _ppr_set(ppr, tag: str, **attrs: str) -> None:
    el = _child(ppr, tag)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), v)


def exact_lines(ppr, twips: int = LINE_PITCH) -> None:
    _ppr_set(ppr, "w:spacing", before="0", after="0", line=str(twips), lineRule="exact")


def _width(text: str) -> float:
    """Width in characters of 三号: ASCII is half a character."""
    return sum(0.5 if ord(ch) < 0x2000 else 1 for ch in text)


# -- document set-up -------------------------------------------------------------------------


def _prepare(doc, fonts: FontScheme) -> None:
    # Chinese, not Japanese, for theme fonts (python-docx's template says ja-JP)
    lang = doc.settings.element.find(qn("w:themeFontLang"))
    if lang is None:
        lang = OxmlElement("w:themeFontLang")
        doc.settings.element.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    doc.settings.odd_and_even_pages_header_footer = True
    _compatibility_mode(doc.settings.element)

    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_rfonts(rpr, fonts.body)
    set_size(rpr, BODY_PT)
    _child(rpr, "w:lang").set(qn("w:eastAsia"), "zh-CN")
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    exact_lines(ppr)

    normal = doc.styles["Normal"]
    nrpr = normal.element.get_or_add_rPr()
    set_rfonts(nrpr, fonts.body)
    set_size(nrpr, BODY_PT)
    _child(nrpr, "w:lang").set(qn("w:eastAsia"), "zh-CN")
    nppr = normal.element.get_or_add_pPr()
    # every page keeps its 22 lines; no extra space between CJK and digits (28 chars a line)
    _ppr_set(nppr, "w:widowControl", val="0")
    _ppr_set(nppr, "w:autoSpaceDE", val="0")
    _ppr_set(nppr, "w:autoSpaceDN", val="0")
    _ppr_set(nppr, "w:snapToGrid", val="0")
    _child(nrpr, "w:spacing").set(qn("w:val"), str(CONDENSE))
    exact_lines(nppr)
    _ppr_set(nppr, "w:jc", val="both")
    for name in ("Header", "Footer"):  # based on Normal in the template: keep them plain
        st = doc.styles[name]
        hrpr = st.element.get_or_add_rPr()
        set_rfonts(hrpr, fonts.song)
        _child(hrpr, "w:spacing").set(qn("w:val"), "0")

    def para_style(
        name: str, font: str, pt: float, *, bold=False, indent=True, align="both", condensed=True, keep_next=False
    ):
        st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = normal
        srpr = st.element.get_or_add_rPr()
        set_rfonts(srpr, font)
        set_size(srpr, pt)
        if bold:
            _child(srpr, "w:b")
        if not condensed:  # the title: natural spacing
            _child(srpr, "w:spacing").set(qn("w:val"), "0")
        sppr = st.element.get_or_add_pPr()
        if keep_next:  # a heading never ends a page alone
            _ppr_set(sppr, "w:keepNext")
        _ppr_set(sppr, "w:snapToGrid", val="0")
        exact_lines(sppr)
        if indent:
            _ppr_set(sppr, "w:ind", firstLineChars="200", firstLine=str(BODY_PT * 20 * 2))
        _ppr_set(sppr, "w:jc", val=align)
        return st

    para_style("GW Title", fonts.title, TITLE_PT, bold=fonts.title_bold, indent=False, align="center", condensed=False)
    para_style("GW Body", fonts.body, BODY_PT)
    para_style("GW Heading 1", fonts.hei, BODY_PT, keep_next=True)
    para_style("GW Heading 2", fonts.kai, BODY_PT, keep_next=True)
    para_style("GW Right", fonts.body, BODY_PT, indent=False, align="right")
    para_style("GW Attachment", fonts.hei, BODY_PT, indent=False, align="left")
    para_style("GW Recipient", fonts.body, BODY_PT, indent=False, align="left")
    para_style("GW Caption", fonts.body, BODY_PT, indent=False, align="center")


def _compatibility_mode(settings) -> None:
    """w:compat's compatibilityMode = 15 (python-docx's template says 14: Word 2010)."""
    compat = settings.find(qn("w:compat"))
    if compat is None:
        compat = OxmlElement("w:compat")
        settings.append(compat)  # the template has one; no other part of settings is written
    mode = next((c for c in compat.findall(qn("w:compatSetting")) if c.get(qn("w:name")) == "compatibilityMode"), None)
    if mode is None:
        mode = OxmlElement("w:compatSetting")
        mode.set(qn("w:name"), "compatibilityMode")
        mode.set(qn("w:uri"), "http://schemas.microsoft.com/office/word")
        compat.append(mode)
    mode.set(qn("w:val"), WORD_2013_MODE)


def _font_table(doc, fonts: FontScheme) -> None:
    """word/fontTable.xml: an entry for each face the report names and for its stand-in.

    Word reads a missing face's altName, charset, PANOSE and Unicode ranges to choose the one
    it shows instead; without an entry it guesses (宋体, or 等线).  The template's Japanese
    entries (ＭＳ 明朝, ＭＳ ゴシック) go.
    """
    part = doc.part.part_related_by(RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    names = faces(fonts)
    for old in root.findall(qn("w:font")):
        charset = old.find(qn("w:charset"))
        if old.get(qn("w:name")) in names or (charset is not None and charset.get(qn("w:val")) == "80"):
            root.remove(old)
    for i, name in enumerate(names):
        face = FACES[name]
        font = etree.Element(qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (
            ("w:altName", face.alt),
            ("w:panose1", face.panose),
            ("w:charset", face.charset),
            ("w:family", face.family),
            ("w:pitch", face.pitch),
        ):
            etree.SubElement(font, qn(tag)).set(qn("w:val"), value)
        sig = etree.SubElement(font, qn("w:sig"))
        for attr, value in zip(("usb0", "usb1", "usb2", "usb3", "csb0", "csb1"), face.sig, strict=True):
            sig.set(qn(f"w:{attr}"), value)
        root.insert(i, font)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)  # a plain Part


def _properties(doc, *, title: str, office: str, now: dt.datetime) -> None:
    """docProps: the office as author, now as created and modified, the report's title.

    The template's values (python-docx, 2013, "generated by python-docx", Microsoft Macintosh
    Word with its 0 words, a blank-page thumbnail) would all show in Word's and Windows'
    file properties.
    """
    props = doc.core_properties
    props.title = title
    props.author = office
    props.last_modified_by = office
    props.created = props.modified = now
    props.comments = ""
    props.keywords = ""
    props.subject = ""
    props.category = ""
    props.revision = 1
    props.language = "zh-CN"

    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rid)
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            part = rel.target_part
            root = etree.fromstring(part.blob)
            ns = root.nsmap[None]
            stale = {"TotalTime", "Pages", "Words", "Characters", "Lines", "Paragraphs", "CharactersWithSpaces"}
            for el in list(root):
                if etree.QName(el).localname in stale | {"AppVersion", "HeadingPairs", "TitlesOfParts"}:
                    root.remove(el)
            for name, value in (("Application", APPLICATION), ("Company", office)):
                el = root.find(f"{{{ns}}}{name}")
                if el is None:
                    el = etree.SubElement(root, f"{{{ns}}}{name}")
                el.text = value
            part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_setup(section) -> None:
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    # 四号 page number line (exact 14 pt) whose top is 7 mm below the text area
    section.footer_distance = Mm(35 - 7) - Pt(PAGE_NO_PT)
    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))


def _field_run(paragraph, fonts: FontScheme, instr: str) -> None:
    def add(tag_builder):
        run = paragraph.add_run()
        style_run(run, fonts.song, PAGE_NO_PT)
        run._r.append(tag_builder())
        return run

    def fld(kind):
        def make():
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            return el

        return make

    def instr_text():
        el = OxmlElement("w:instrText")
        el.set(qn("xml:space"), "preserve")
        el.text = f" {instr} "
        return el

    add(fld("begin"))
    add(instr_text)
    add(fld("separate"))
    run = paragraph.add_run("1")
    style_run(run, fonts.song, PAGE_NO_PT)
    add(fld("end"))


def _page_number(footer, fonts: FontScheme, odd: bool) -> None:
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    ppr = p._p.get_or_add_pPr()
    _ppr_set(ppr, "w:snapToGrid", val="0")
    exact_lines(ppr, PAGE_NO_PT * 20)
    # 单页码居右空一字，双页码居左空一字
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    side = "right" if odd else "left"
    _ppr_set(ppr, "w:ind", **{side: str(PAGE_NO_PT * 20)})
    run = p.add_run("— ")
    style_run(run, fonts.song, PAGE_NO_PT)
    _field_run(p, fonts, "PAGE")
    run = p.add_run(" —")
    style_run(run, fonts.song, PAGE_NO_PT)


# -- blocks ----------------------------------------------------------------------------------


def _paragraph(doc, style: str, text: str, font: str, pt: float = BODY_PT, bold: bool = False):
    p = doc.add_paragraph(style=style)
    if text:
        style_run(p.add_run(text), font, pt, bold)
    return p


def _title(doc, text: str, fonts: FontScheme, issuer: str) -> None:
    p = doc.add_paragraph(style="GW Title")
    lines = [text]
    if _width(text) > TITLE_CHARS_PER_LINE and text.startswith(issuer) and issuer != text:
        lines = [issuer, text[len(issuer) :]]  # 发文机关 / 年度报告名: a balanced two-line title
    for i, line in enumerate(lines):
        run = p.add_run(line)
        style_run(run, fonts.title, TITLE_PT, fonts.title_bold)
        if i < len(lines) - 1:
            run.add_break()


def _body(doc, block: Block, fonts: FontScheme) -> None:
    p = doc.add_paragraph(style="GW Body")
    if block.lead:
        style_run(p.add_run(block.text[: block.lead]), fonts.kai, BODY_PT)
    rest = block.text[block.lead :]
    if rest:
        style_run(p.add_run(rest), fonts.body, BODY_PT)


def _recipient(doc, recipient: str, fonts: FontScheme) -> None:
    """主送机关: under the title's blank line, flush left (顶格), ending in a full-width colon."""
    name = recipient.strip().rstrip("：:").strip()
    if name:
        _paragraph(doc, "GW Recipient", f"{name}：", fonts.body)


def _signature(doc, issuer: str, date: str, fonts: FontScheme) -> None:
    """加盖印章的公文：成文日期右空四字，发文机关署名以成文日期为准居中。"""
    for _ in range(2):  # room for the seal
        _paragraph(doc, "GW Body", "", fonts.body)
    date_right = 4.0
    centre = date_right + _width(date) / 2
    issuer_right = max(0.0, centre - _width(issuer) / 2)
    for text, right in ((issuer, issuer_right), (date, date_right)):
        p = _paragraph(doc, "GW Right", text, fonts.body)
        _ppr_set(
            p._p.get_or_add_pPr(), "w:ind", rightChars=str(round(right * 100)), right=str(round(right * BODY_PT * 20))
        )


def _keep_with_date(doc, first: int) -> None:
    """Paragraphs ``first``.. (the text's last one, the 附件说明, the seal's room, the 署名)
    keep with the next, so the 成文日期 never stands alone on a page.

    The text's last paragraph may still break across the page (no keep-lines): at least its
    last line comes over with the 署名, and the page before is not left half empty.
    """
    for p in doc.paragraphs[max(first, 0) : -1]:
        _ppr_set(p._p.get_or_add_pPr(), "w:keepNext")


def _appendix(doc, charts: Sequence[ChartImage], fonts: FontScheme, title: str = "图表") -> None:
    p = doc.add_paragraph(style="GW Attachment")
    _ppr_set(p._p.get_or_add_pPr(), "w:pageBreakBefore")  # a new page, never a blank one
    style_run(p.add_run("附件"), fonts.hei, BODY_PT)
    _paragraph(doc, "GW Caption", "", fonts.body)
    _paragraph(doc, "GW Title", title, fonts.title, TITLE_PT, fonts.title_bold)
    _paragraph(doc, "GW Caption", "", fonts.body)
    for i, chart in enumerate(charts, 1):
        p = doc.add_paragraph(style="GW Caption")
        ppr = p._p.get_or_add_pPr()
        _ppr_set(ppr, "w:snapToGrid", val="0")
        _ppr_set(ppr, "w:keepNext")
        _ppr_set(ppr, "w:spacing", before="0", after="0", line="240", lineRule="auto")  # images need room
        source = chart.png if isinstance(chart.png, Path) else _bytes_io(chart.png)
        run = p.add_run()
        style_run(run, fonts.body, BODY_PT)
        picture = run.add_picture(source, width=Mm(FIGURE_WIDTH_MM))
        picture._inline.docPr.set("descr", chart.alt or chart.title)
        _paragraph(doc, "GW Caption", f"图{i}　{chart.title}", fonts.body)


def _bytes_io(data: bytes):
    return io.BytesIO(data)


def write_docx(
    report: ReportDocument,
    out_path: str | Path,
    fonts: FontScheme,
    *,
    charts: Sequence[ChartImage] = (),
    issuer: str = "",
    recipient: str = "",
    now: dt.datetime | None = None,
    appendix_title: str = "图表",
) -> Path:
    """Write ``report`` (and ``charts`` as the appendix 附件：``appendix_title``) to ``out_path``.

    ``recipient``: the 主送机关 line ('' for none); ``now``: the file's created and modified
    time (default: now).
    """
    doc = Document()
    _prepare(doc, fonts)
    _font_table(doc, fonts)
    section = doc.sections[0]
    _page_setup(section)
    _page_number(section.footer, fonts, odd=True)
    _page_number(section.even_page_footer, fonts, odd=False)

    signature = next((b.text for b in report.blocks if b.kind == "signature"), issuer)
    date = next((b.text for b in report.blocks if b.kind == "date"), "")
    for block in report.blocks:
        if block.kind == "title":
            _title(doc, block.text, fonts, signature)
            _paragraph(doc, "GW Body", "", fonts.body)  # 标题下空一行
            _recipient(doc, recipient, fonts)
        elif block.kind == "heading1":
            _paragraph(doc, "GW Heading 1", block.text, fonts.hei)
        elif block.kind == "heading2":
            _paragraph(doc, "GW Heading 2", block.text, fonts.kai)
        elif block.kind == "paragraph":
            _body(doc, block, fonts)
    closing = len(doc.paragraphs) - 1
    if charts:  # 附件说明：正文下空一行左空二字
        _paragraph(doc, "GW Body", "", fonts.body)
        _paragraph(doc, "GW Body", f"附件：{appendix_title}", fonts.body)
    _signature(doc, signature, date, fonts)
    _keep_with_date(doc, closing)
    if charts:
        _appendix(doc, charts, fonts, appendix_title)

    title = next((b.text for b in report.blocks if b.kind == "title"), "")
    when = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    _properties(doc, title=title, office=signature or issuer, now=when)
    out_path = Path(out_path)
    doc.save(str(out_path))
    return out_path
