"""The report as pages (LibreOffice -> PDF -> text): 28 characters a line, 22 lines a page.

Skipped where LibreOffice or poppler's pdftotext is not installed.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess

import pytest

from app.core.demo.generator import fill
from app.core.report.build import build_report
from app.core.storage.store import Store

# skipped only off CI: .ci/run installs LibreOffice and poppler-utils, and in CI a missing tool fails
pytestmark = pytest.mark.skipif(
    not (shutil.which("libreoffice") and shutil.which("pdftotext")) and not os.environ.get("CI"),
    reason="需要 LibreOffice 和 pdftotext",
)


def width(line: str) -> float:
    """Characters of 三号 a printed line takes: ASCII half, spaces (pdftotext's) nothing.

    A closing mark at the end of a line is squeezed in or hangs (标点禁则: no line starts
    with ，), so it does not count.
    """
    line = line.rstrip()
    if line and line[-1] in "，。、；：？！”’）》":
        line = line[:-1]
    return sum(0 if ch == " " else 0.5 if ord(ch) < 0x2000 else 1 for ch in line)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pages")
    s = Store.open(tmp / "demo.db")
    fill(s, year=2024)
    docx = build_report(s, 2024, tmp / "report.docx", with_charts=False)
    s.close()
    profile = tmp / "lo-profile"  # its own profile: other LibreOffice runs don't block it
    subprocess.run(
        [
            "libreoffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    out = subprocess.run(
        ["pdftotext", "-layout", str(tmp / "report.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [[line.strip() for line in page.splitlines() if line.strip()] for page in out.split("\f") if page.strip()]


def test_28_characters_a_line(pages):
    lines = [line for page in pages for line in page if not re.fullmatch(r"—\s*\d+\s*—", line)]
    widths = [width(line) for line in lines]
    assert max(widths) <= 28
    full = [w for w in widths if w >= 27]
    assert len(full) > len(lines) * 0.6  # most lines are full ones (the rest end a paragraph)
    assert sum(1 for w in widths if w == 28) > 50


def test_22_lines_a_page_and_page_numbers(pages):
    assert len(pages) >= 5
    for number, page in enumerate(pages, 1):
        assert re.fullmatch(rf"—\s*{number}\s*—", page[-1]), page[-1]
    # full pages: 22 lines of text above the page number (the first page: 2 title lines + a blank)
    assert len(pages[0]) - 1 == 22 - 1
    for page, after in itertools.pairwise(pages[1:-1]):
        if len(page) - 1 < 22:  # a heading keeps with its paragraph: it moved to the next page
            assert len(page) - 1 == 21 and re.match(r"[一二三四五六七八九十]、|（[一二三四五六七八九十]）", after[0]), (
                page[-2:],
                after[:1],
            )
        else:
            assert len(page) - 1 == 22, page[:2]


# -- the 署名 with the 成文日期, the 附件 on a page of its own -----------------------------------


def _pdf_pages(tmp, docs: list) -> dict[str, list[list[str]]]:
    """Each .docx through LibreOffice (one run for all) -> its pages' lines."""
    profile = tmp / "lo-profile"
    argv = ["libreoffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf"]
    subprocess.run(
        [*argv, "--outdir", str(tmp), *map(str, docs)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    out = {}
    for docx in docs:
        text = subprocess.run(
            ["pdftotext", "-layout", str(docx.with_suffix(".pdf")), "-"], check=True, capture_output=True, text=True
        ).stdout
        # pdftotext spaces out digits among CJK ("2025 年 1 月"): the words without spaces
        pages = [[line.replace(" ", "") for line in page.splitlines() if line.strip()] for page in text.split("\f")]
        out[docx.stem] = pages[:-1] if pages and not pages[-1] else pages  # after the last form feed
    return out


def test_the_date_never_stands_alone_and_the_attachment_never_leaves_a_blank_page(tmp_path):
    """Reports of 14 to 20 one-line paragraphs: at some length the page ends between the 署名
    and the 成文日期 (the old file put the date alone on page 2), or right after the date."""
    import io

    from PIL import Image

    from app.core.report.docx_writer import ChartImage, write_docx
    from app.core.report.fonts import scheme
    from app.core.report.text import Block, ReportDocument

    png = io.BytesIO()
    Image.new("RGB", (300, 150), "white").save(png, format="PNG")
    docs = []
    for n in range(14, 21):
        blocks = [Block("title", "某某镇2024年法治政府建设情况报告")]
        blocks += [Block("paragraph", f"第{i:02d}段落只有一行文字。") for i in range(n)]
        blocks += [Block("signature", "某某县某某镇人民政府"), Block("date", "2025年1月20日")]
        report = ReportDocument(2024, blocks)
        docs.append(write_docx(report, tmp_path / f"short{n}.docx", scheme("windows")))
        charts = [ChartImage("图表一", png.getvalue())]
        docs.append(write_docx(report, tmp_path / f"charts{n}.docx", scheme("windows"), charts=charts))
    rendered = _pdf_pages(tmp_path, docs)
    for name, pages in rendered.items():
        date_page = next(i for i, page in enumerate(pages) if "2025年1月20日" in page)
        lines = pages[date_page]
        assert "某某县某某镇人民政府" in lines, (name, lines)
        assert any(line.startswith("第") for line in lines), (name, lines)  # with the text's last line
        for page in pages:
            assert [line for line in page if not re.fullmatch(r"—\d+—", line)], (name, "a blank page")
        if name.startswith("charts"):
            assert len(pages) == date_page + 2, name  # the 附件 on the next page, nothing between
            assert pages[-1][0] == "附件", name
