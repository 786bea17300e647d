"""The .docx as Word and WPS take it: its settings, properties, font table, keeps and breaks,
主送机关, and the font scheme chosen in settings or by what the PC has (issue 17)."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import zipfile

import pytest
from docx import Document
from lxml import etree

from app.cli import main
from app.core.demo.generator import fill
from app.core.report import installed_fonts
from app.core.report.build import build_report
from app.core.report.fonts import FACES
from app.core.storage import schema
from app.core.storage.store import Store

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def part(path, name="word/document.xml") -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name))


def names(path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return z.namelist()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    s = Store.open(path)
    fill(s, year=2024)
    s.set_report_text(2024, "date", "2025-01-20")
    s.set_setting("report.font_scheme", "gb2312")
    s.close()
    return path


@pytest.fixture(scope="module")
def built(demo_db, tmp_path_factory):
    s = Store.open(demo_db)
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    path = build_report(s, 2024, tmp_path_factory.mktemp("out") / "报告.docx")
    after = dt.datetime.now(dt.UTC)
    s.close()
    return path, before, after


def paragraphs(path):
    return part(path).findall(".//w:body/w:p", NS)


def text(p) -> str:
    return "".join(p.itertext())


def has(p, tag: str) -> bool:
    return p.find(f"w:pPr/w:{tag}", NS) is not None


# -- settings.xml ----------------------------------------------------------------------------


def test_word_opens_it_in_its_current_mode_not_compatibility_mode(built):
    path, _, _ = built
    modes = part(path, "word/settings.xml").findall("w:compat/w:compatSetting[@w:name='compatibilityMode']", NS)
    assert [m.get(f"{{{W}}}val") for m in modes] == ["15"]


# -- docProps --------------------------------------------------------------------------------


def test_properties_name_the_office_the_title_and_now(built):
    path, before, after = built
    core = part(path, "docProps/core.xml")
    ns = {
        "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
        "dc": "http://purl.org/dc/elements/1.1/",
        "dcterms": "http://purl.org/dc/terms/",
    }

    def get(tag):
        el = core.find(tag, ns)
        return (el.text or "") if el is not None else ""

    assert get("dc:creator") == "丰都县武平镇人民政府"
    assert get("cp:lastModifiedBy") == "丰都县武平镇人民政府"
    assert get("dc:title") == "丰都县武平镇人民政府2024年法治政府建设情况报告"
    assert get("dc:description") == "" and get("cp:keywords") == ""
    for tag in ("dcterms:created", "dcterms:modified"):
        when = dt.datetime.fromisoformat(get(tag).replace("Z", "+00:00"))
        assert before <= when <= after, tag
    everything = etree.tostring(core, encoding="unicode") + etree.tostring(
        part(path, "docProps/app.xml"), encoding="unicode"
    )
    assert "python-docx" not in everything and "2013" not in everything and "Macintosh" not in everything
    app = part(path, "docProps/app.xml")
    ep = {"ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"}
    assert app.findtext("ep:Application", namespaces=ep) == "法治台账"
    assert app.find("ep:Pages", ep) is None and app.find("ep:Words", ep) is None  # the template's 1 and 0
    # the template's blank-page thumbnail is gone, with its relationship
    assert not any("thumbnail" in n for n in names(path))
    assert b"thumbnail" not in zipfile.ZipFile(path).read("_rels/.rels")


# -- fontTable.xml ---------------------------------------------------------------------------

GB2312_FALLBACK = {"仿宋_GB2312": "仿宋", "楷体_GB2312": "楷体", "方正小标宋简体": "宋体"}


def font_table(path) -> dict[str, etree._Element]:
    return {f.get(f"{{{W}}}name"): f for f in part(path, "word/fontTable.xml").findall("w:font", NS)}


def val(font, tag):
    el = font.find(f"w:{tag}", NS)
    return None if el is None else el.get(f"{{{W}}}val")


def used_fonts(path) -> set[str]:
    used = set()
    for name in ("word/document.xml", "word/styles.xml", "word/footer1.xml", "word/footer2.xml"):
        for rfonts in part(path, name).iter(f"{{{W}}}rFonts"):
            used |= {v for k, v in rfonts.attrib.items() if k.endswith("}eastAsia")}
    return used


def test_font_table_gives_each_gb2312_face_its_windows_fallback(built):
    path, _, _ = built
    table = font_table(path)
    for face, alt in GB2312_FALLBACK.items():
        font = table[face]
        assert val(font, "altName") == alt
        assert val(font, "charset") == "86"  # GB2312
        assert val(font, "family") and val(font, "pitch")
        assert re.fullmatch(r"[0-9A-F]{20}", val(font, "panose1"))
        assert font.find("w:sig", NS).get(f"{{{W}}}csb0") == "00040000"  # the GB2312 code page
        assert alt in table  # the stand-in is described too
    # 仿宋_GB2312 and 楷体_GB2312 share their PANOSE: only altName tells Word 仿宋 from 楷体
    assert val(table["仿宋_GB2312"], "panose1") == val(table["楷体_GB2312"], "panose1")
    assert used_fonts(path) <= set(table)
    assert not any(val(f, "charset") == "80" for f in table.values())  # the template's ＭＳ 明朝
    order = ["altName", "panose1", "charset", "family", "notTrueType", "pitch", "sig"]
    for name, font in table.items():
        tags = [etree.QName(c).localname for c in font]
        assert tags == sorted(tags, key=order.index), name


def report_in_scheme(demo_db, out, scheme: str):
    """The demo's 2024 report written with the 字体 setting ``scheme`` (then set back)."""
    s = Store.open(demo_db)
    try:
        s.set_setting("report.font_scheme", scheme)
        return build_report(s, 2024, out, with_charts=False)
    finally:
        s.set_setting("report.font_scheme", "gb2312")
        s.close()


def test_windows_scheme_font_table(demo_db, tmp_path):
    path = report_in_scheme(demo_db, tmp_path / "w.docx", "windows")
    table = font_table(path)
    assert used_fonts(path) == {"仿宋", "楷体", "黑体", "宋体"}
    for face in ("仿宋", "楷体", "黑体", "宋体"):
        assert val(table[face], "charset") == "86" and val(table[face], "panose1") == FACES[face].panose
    assert not any("_GB2312" in n or "方正" in n for n in table)


# -- keeps and breaks ------------------------------------------------------------------------


def test_the_signature_keeps_with_the_date_and_the_text_s_last_line(built):
    path, _, _ = built
    ps = paragraphs(path)
    date = next(i for i, p in enumerate(ps) if text(p) == "2025年1月20日")
    issuer = date - 1
    assert text(ps[issuer]) == "丰都县武平镇人民政府"
    assert has(ps[issuer], "keepNext") and not has(ps[date], "keepNext")
    # back to the text's last paragraph: the seal's room, the 附件说明 and its blank line
    # (the 附件说明 names what the 附件 holds since issue 17's text: longer than 20 characters too)
    last_text = max(i for i, p in enumerate(ps[:issuer]) if len(text(p)) > 20 and not text(p).startswith("附件："))
    assert text(ps[last_text]).startswith("（四）全面提升执法人员的能力素养")
    for p in ps[last_text:issuer]:
        assert has(p, "keepNext"), text(p)
    assert not has(ps[last_text], "keepLines")  # it may break: only its last line comes along
    assert not has(ps[last_text - 1], "keepNext")


def test_headings_keep_with_the_paragraph_after_them(built):
    """An 一、 or （一） heading never ends a page alone (the demo's 四、 heading did)."""
    path, _, _ = built
    styles = part(path, "word/styles.xml")
    for name in ("GW Heading 1", "GW Heading 2"):
        assert styles.xpath(f"//w:style[w:name/@w:val='{name}']/w:pPr/w:keepNext", namespaces=NS), name
    assert styles.xpath("//w:style[w:name/@w:val='GW Body']", namespaces=NS)
    assert not styles.xpath("//w:style[w:name/@w:val='GW Body']/w:pPr/w:keepNext", namespaces=NS)  # body text flows


def test_the_attachment_starts_a_page_by_page_break_before_never_a_break_character(built):
    path, _, _ = built
    ps = paragraphs(path)
    doc = part(path)
    assert not doc.findall(".//w:br[@w:type='page']", NS)  # no page-break character anywhere
    assert not doc.findall(".//w:lastRenderedPageBreak", NS)
    heading = next(p for p in ps if text(p) == "附件")
    assert has(heading, "pageBreakBefore")
    assert [p for p in ps if has(p, "pageBreakBefore")] == [heading]
    # nothing but the 附件 heading itself between the 成文日期 and the attachment
    date = next(i for i, p in enumerate(ps) if text(p) == "2025年1月20日")
    assert ps[date + 1] is heading


def test_no_charts_no_attachment_break(demo_db, tmp_path):
    s = Store.open(demo_db)
    path = build_report(s, 2024, tmp_path / "n.docx", with_charts=False)
    s.close()
    ps = paragraphs(path)
    assert not any(has(p, "pageBreakBefore") for p in ps)
    assert text(ps[-1]) == "2025年1月20日"
    assert has(ps[-2], "keepNext")


# -- 主送机关 --------------------------------------------------------------------------------


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def report(db, out):
    s = Store.open(db)
    try:
        return build_report(s, 2024, out, with_charts=False)
    finally:
        s.close()


def test_recipient_line_absent_by_default_and_set_from_the_command_line(demo_db, tmp_path, capsys):
    plain = report(demo_db, tmp_path / "plain.docx")
    texts = [p.text for p in Document(str(plain)).paragraphs]
    assert texts[1] == "" and texts[2].startswith("2024年，在县委")  # title, blank line, text
    assert not any(t.endswith("：") and len(t) < 30 for t in texts[:4])

    try:
        code, out, _ = run(capsys, "--db", str(demo_db), "settings", "report.recipient=丰都县人民政府：")
        assert code == 0 and "report.recipient=丰都县人民政府" in out.splitlines()
        addressed = report(demo_db, tmp_path / "addressed.docx")
    finally:
        s = Store.open(demo_db)
        s.set_setting("report.recipient", "")
        s.close()
    doc = Document(str(addressed))
    ps = doc.paragraphs
    assert [p.text for p in ps[1:4]] == ["", "丰都县人民政府：", texts[2]]  # one colon, after the blank
    line = ps[2]
    style = line.style
    assert style.paragraph_format.first_line_indent in (None, 0)  # 顶格
    assert style.paragraph_format.alignment == 0  # left
    for r in line.runs:
        assert r._r.rPr.find(f"{{{W}}}rFonts").get(f"{{{W}}}eastAsia") == "仿宋_GB2312"


# -- the font scheme -------------------------------------------------------------------------


def body_font(path) -> str:
    p = next(p for p in Document(str(path)).paragraphs if p.text.startswith("2024年，在县委"))
    return p.runs[0]._r.rPr.find(f"{{{W}}}rFonts").get(f"{{{W}}}eastAsia")


def test_font_scheme_from_the_command_line(demo_db, tmp_path, capsys):
    s = Store.open(demo_db)
    s.set_setting("report.font_scheme", "auto")
    s.close()
    try:
        code, _, err = run(capsys, "--db", str(demo_db), "settings", "report.font_scheme=wps")
        assert code == 1 and "report.font_scheme 只能是 auto、gb2312、windows" in err
        code, out, _ = run(capsys, "--db", str(demo_db), "settings", "report.font_scheme=windows")
        assert code == 0 and "report.font_scheme=windows" in out.splitlines()
        assert body_font(report(demo_db, tmp_path / "w.docx")) == "仿宋"
        assert run(capsys, "--db", str(demo_db), "settings", "report.font_scheme=gb2312")[0] == 0
        assert body_font(report(demo_db, tmp_path / "g.docx")) == "仿宋_GB2312"
    finally:
        s = Store.open(demo_db)
        s.set_setting("report.font_scheme", "gb2312")
        s.close()


@pytest.mark.parametrize(("faces", "font"), [(installed_fonts.GB2312_FACES, "仿宋_GB2312"), ((), "仿宋")])
def test_auto_uses_what_the_pc_has(demo_db, tmp_path, monkeypatch, faces, font):
    monkeypatch.setattr(installed_fonts, "installed_faces", lambda: frozenset(faces))
    path = report_in_scheme(demo_db, tmp_path / "a.docx", "auto")
    assert body_font(path) == font


def test_auto_is_the_default_for_a_new_office(store):
    assert store.setting("report.font_scheme") == "auto"
    assert store.setting("report.recipient") == ""


def test_gb2312_fonts_found_by_file_name_in_the_windows_font_folders(tmp_path):
    windir, local = tmp_path / "Windows", tmp_path / "AppData" / "Local"
    dirs = installed_fonts.font_dirs("win32", {"WINDIR": str(windir), "LOCALAPPDATA": str(local)})
    assert dirs == [windir / "Fonts", local / "Microsoft" / "Windows" / "Fonts"]
    for d in dirs:
        d.mkdir(parents=True)
    (dirs[0] / "simfang.ttf").write_bytes(b"")
    (dirs[0] / "FS_GB2312.TTF").write_bytes(b"")
    assert installed_fonts.families_in(dirs) == {"仿宋_GB2312"}
    (dirs[1] / "楷体_GB2312.ttf").write_bytes(b"")  # installed for this user only
    (dirs[1] / "FZXBSJW.TTF").write_bytes(b"")
    (dirs[1] / "FZ_GB2312_broken.ttf").write_bytes(b"not a font")  # read, says nothing
    assert installed_fonts.families_in(dirs) == set(installed_fonts.GB2312_FACES)


def test_gb2312_fonts_found_by_the_names_inside_the_file(tmp_path):
    """A font file with an unusual name is known by the family name it gives itself."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder([".notdef"])
    fb.setupCharacterMap({})
    fb.setupGlyf({".notdef": TTGlyphPen(None).glyph()})
    fb.setupHorizontalMetrics({".notdef": (500, 0)})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": {"en": "FangSong_GB2312", "zh-CN": "仿宋_GB2312"}, "styleName": "Regular"})
    fb.setupOS2()
    fb.setupPost()
    fb.save(str(tmp_path / "my_gb2312_font.ttf"))
    assert installed_fonts.families_in([tmp_path]) == {"仿宋_GB2312"}


def test_detection_asks_fontconfig_off_windows(monkeypatch):
    monkeypatch.setattr(installed_fonts.sys, "platform", "linux")
    monkeypatch.setattr(
        installed_fonts, "fc_list_families", lambda: {"Noto Serif CJK SC", "仿宋_GB2312", "楷体_GB2312"}
    )
    installed_fonts.installed_faces.cache_clear()
    try:
        assert installed_fonts.installed_faces() == {"仿宋_GB2312", "楷体_GB2312"}
        assert not installed_fonts.has_gb2312_fonts()  # 方正小标宋简体 is missing
    finally:
        installed_fonts.installed_faces.cache_clear()


def test_a_chosen_font_scheme_survives_the_upgrade(tmp_path):
    """Structure version 4 names the setting report.font_scheme: an office's choice stays."""
    path = tmp_path / "old.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM settings WHERE key LIKE 'report.%'")
    conn.execute("""INSERT INTO settings (key, value) VALUES ('font_scheme', '"windows"')""")
    conn.execute("PRAGMA user_version=3")
    conn.commit()
    conn.close()
    s = Store.open(path)
    try:
        assert s.schema_version == schema.SCHEMA_VERSION
        assert s.setting("report.font_scheme") == "windows"
        assert "font_scheme" not in s.settings()
    finally:
        s.close()
