"""Fonts: the .docx font schemes, and the Chinese font matplotlib draws chart labels with.

Stock Windows lacks 方正小标宋简体 and the _GB2312 fonts, so an office without them picks the
``windows`` scheme (setting ``font_scheme``): Windows' own 仿宋, 楷体, 黑体 and 宋体.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.core.paths import resource

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


def scheme(name: str | None) -> FontScheme:
    return SCHEMES.get(name or "gb2312", SCHEMES["gb2312"])


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
