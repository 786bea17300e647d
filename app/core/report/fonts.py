"""Fonts: the .docx font schemes, and the Chinese font matplotlib draws chart labels with.

Stock Windows lacks 方正小标宋简体 and the _GB2312 fonts, so an office without them uses the
``windows`` scheme: Windows' own 仿宋, 楷体, 黑体 and 宋体.  The setting ``report.font_scheme``
is ``auto`` (the default: ``gb2312`` when this PC has those fonts, see ``installed_fonts``),
``gb2312`` or ``windows``.

Each face the report names is described for the file's font table (``FACES``): its Windows
stand-in (``altName``), character set, family, pitch, PANOSE and Unicode ranges, so that Word
on a PC without a _GB2312 font takes 仿宋 for 仿宋_GB2312 and 楷体 for 楷体_GB2312 (their
PANOSE numbers are the same, so without ``altName`` it could pick either, or 宋体).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.core.paths import resource
from app.core.report.installed_fonts import has_gb2312_fonts

BUNDLED_FONT = ("fonts", "NotoSansSC-GBK.otf")
# system fonts preferred for charts when installed (they look like the rest of Windows)
PREFERRED_CHART_FONTS = ("Microsoft YaHei", "SimHei")


@dataclass(frozen=True)
class FontScheme:
    title: str  # 标题 二号
    body: str  # 正文 三号
    kai: str  # （一） headings
    hei: str  # 一、 headings, 附件
    song: str  # page numbers
    title_bold: bool = False


SCHEMES: dict[str, FontScheme] = {
    "gb2312": FontScheme(title="方正小标宋简体", body="仿宋_GB2312", kai="楷体_GB2312", hei="黑体", song="宋体"),
    # 宋体 in bold is the usual stand-in for 小标宋 where it is not installed
    "windows": FontScheme(title="宋体", body="仿宋", kai="楷体", hei="黑体", song="宋体", title_bold=True),
}


SCHEME_NAMES = ("auto", "gb2312", "windows")  # values of the setting report.font_scheme


def resolve(name: str | None) -> str:
    """``gb2312`` or ``windows``: ``auto`` (or nothing) is what this PC has."""
    if name in SCHEMES:
        return name
    return "gb2312" if has_gb2312_fonts() else "windows"


def scheme(name: str | None) -> FontScheme:
    return SCHEMES[resolve(name)]


@dataclass(frozen=True)
class FontFace:
    """A face as Word describes it in word/fontTable.xml (values as Word writes them)."""

    alt: str  # w:altName: the face Word takes where this one is not installed
    panose: str  # w:panose1
    family: str  # w:family
    pitch: str  # w:pitch
    sig: tuple[str, str, str, str, str, str]  # w:sig usb0..usb3, csb0, csb1
    charset: str = "86"  # GB2312


_CJK_SIG = ("00000001", "080E0000", "00000010", "00000000", "00040000", "00000000")
_WIN_SIG = ("800002BF", "38CF7CFA", "00000016", "00000000", "00040001", "00000000")
_SONG_SIG = ("00000003", "288F0000", "00000016", "00000000", "00040001", "00000000")
FACES: dict[str, FontFace] = {
    "仿宋_GB2312": FontFace("仿宋", "02010609030101010101", "modern", "fixed", _CJK_SIG),
    "楷体_GB2312": FontFace("楷体", "02010609030101010101", "modern", "fixed", _CJK_SIG),
    # a bold Song face: 宋体 is its nearest stand-in in design
    "方正小标宋简体": FontFace("宋体", "03000509000000000000", "script", "fixed", _CJK_SIG),
    "仿宋": FontFace("FangSong", "02010609060101010101", "modern", "fixed", _WIN_SIG),
    "楷体": FontFace("KaiTi", "02010609060101010101", "modern", "fixed", _WIN_SIG),
    "黑体": FontFace("SimHei", "02010609060101010101", "modern", "fixed", _WIN_SIG),
    "宋体": FontFace("SimSun", "02010600030101010101", "auto", "variable", _SONG_SIG),
}


def faces(fonts: FontScheme) -> list[str]:
    """The faces a report in ``fonts`` names, and the Windows faces they fall back to."""
    used = [fonts.title, fonts.body, fonts.kai, fonts.hei, fonts.song]
    out: list[str] = []
    for name in used + [FACES[n].alt for n in used if n in FACES]:
        if name in FACES and name not in out:
            out.append(name)
    return out


def bundled_font_path() -> Path:
    return resource(*BUNDLED_FONT)


def chart_font_families() -> list[str]:
    """Font families for chart text, best first; registers the bundled font with matplotlib.

    Call only where matplotlib is already wanted: it imports matplotlib's font manager.
    The list is a fallback chain (matplotlib ≥ 3.6 takes each glyph from the first family that
    has it), so the bundled GBK font covers whatever a system font lacks.
    """
    from matplotlib import font_manager

    path = str(bundled_font_path())
    known = {f.name for f in font_manager.fontManager.ttflist}
    bundled = font_manager.FontProperties(fname=path).get_name()
    if bundled not in known or not any(f.fname == path for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)
    system = [name for name in PREFERRED_CHART_FONTS if name in known]
    return [*system, bundled]
