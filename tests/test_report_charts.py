"""Charts: every label renders (no missing glyph), the bundled GBK font, lazy imports."""

from __future__ import annotations

import io
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from app.core.ledgers import catalog
from app.core.report import charts, fonts

PNG = b"\x89PNG\r\n\x1a\n"


def full_breakdowns(seed: int) -> dict:
    """``report_breakdowns`` with every dispute type and 领域 in use (so every label is drawn)."""
    types = catalog.get("disputes").field("dispute_type").choices
    domains = catalog.get("inspections").field("domain").choices
    return {
        "disputes.screened_by_month": [(i * seed) % 17 + 1 for i in range(12)],
        "disputes.mediated_by_type": {t: i + seed for i, t in enumerate(types)},
        "enforcement.inspections_by_domain": {d: 2 * i + seed for i, d in enumerate(domains)},
        "study.sessions_by_month": [(i + seed) % 4 for i in range(12)],
        "publicity.events_by_month": [(i * 3 + seed) % 7 for i in range(12)],
        "key_persons.published": {
            "社区矫正对象": {"released": seed, "active": 4 + seed},
            "安置帮教对象": {"added": 10 + seed, "released": 9, "active": 40 + seed},
        },
    }


def render_strict(year=2024, now=None, before=None):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" becomes a failure
        return charts.render_charts(year, now or full_breakdowns(3), before or full_breakdowns(1))


def test_six_charts_with_every_label_and_no_missing_glyph(monkeypatch):
    monkeypatch.setattr(fonts, "PREFERRED_CHART_FONTS", ())  # the bundled font alone
    done = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        made = charts.render_charts(2024, full_breakdowns(3), full_breakdowns(1), progress=lambda d, t: done.append(d))
    assert [c.name for c in made] == [
        "disputes_by_month",
        "disputes_by_type",
        "inspections_by_domain",
        "study_by_month",
        "publicity_by_month",
        "key_person_changes",
    ]
    assert done == [1, 2, 3, 4, 5, 6]
    for c in made:
        assert c.png.startswith(PNG)
        assert c.title.startswith("2024年") and c.alt.startswith(c.title)
    from PIL import Image

    w, h = Image.open(io.BytesIO(made[0].png)).size
    assert (w, h) == (1500, 840)  # 7.5 × 4.2 in at 200 dpi


def test_a_missing_glyph_would_fail(monkeypatch):
    """The check above can fail: without a Chinese font the labels have no glyphs."""
    monkeypatch.setattr(fonts, "chart_font_families", lambda: [])
    with pytest.raises(UserWarning, match="missing from font"):
        render_strict()


def test_labels_beyond_gb2312_render(monkeypatch):
    """Office-added choices may use GBK characters outside GB 2312 (镕, 堃, 喆, 玥)."""
    monkeypatch.setattr(fonts, "PREFERRED_CHART_FONTS", ())
    now = full_breakdowns(2)
    now["disputes.mediated_by_type"] = {"朱镕村纠纷": 3, "堃喆玥": 2}
    render_strict(now=now, before=full_breakdowns(1))


def test_bundled_font_covers_gbk():
    from fontTools.ttLib import TTFont

    path = fonts.bundled_font_path()
    assert path.exists() and path.stat().st_size < 15 * 1024 * 1024
    with TTFont(str(path), lazy=True) as font:
        cmap = font.getBestCmap()
    gbk = [cp for cp in range(0x4E00, 0xA000) if _in_gbk(cp)]
    missing = [chr(cp) for cp in gbk if cp not in cmap]
    assert len(gbk) > 20000 and missing == []
    for ch in "镕堃喆玥—（）％：年月日0123456789":
        assert ord(ch) in cmap, ch
    folder = path.parent
    assert "SIL OPEN FONT LICENSE" in (folder / "OFL.txt").read_text(encoding="utf-8")
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "pyftsubset" in readme and "--font-number=2" in readme and "gbk" in readme


def _in_gbk(cp: int) -> bool:
    try:
        chr(cp).encode("gbk")
        return True
    except UnicodeEncodeError:
        return False


def test_chart_fonts_put_the_bundled_font_last():
    fams = fonts.chart_font_families()
    assert fams[-1] == "Noto Sans CJK SC"
    assert set(fams[:-1]) <= set(fonts.PREFERRED_CHART_FONTS)


def test_an_empty_year_draws_no_chart():
    """(issue 17) an empty chart is left out: no empty axis, no stray label."""
    zero = {
        "disputes.screened_by_month": [0] * 12,
        "disputes.mediated_by_type": {"邻里": 0},
        "enforcement.inspections_by_domain": {},
        "study.sessions_by_month": [0] * 12,
        "publicity.events_by_month": [0] * 12,
        "key_persons.published": {"社区矫正对象": {"released": 0, "active": 0}},
    }
    assert render_strict(now=zero, before=full_breakdowns(1)) == []


def test_render_all_from_the_store(store, tmp_path):
    assert charts.render_all(store, 2024, tmp_path / "c") == []  # nothing recorded: nothing drawn
    from tests.test_figures import MID, add

    add(store, "study_sessions", date=MID, form="专题培训", audience="全体干部职工", topic="宪法")
    made = charts.render_all(store, 2024, tmp_path / "c")
    assert [caption for caption, _ in made] == ["2024年各月法治学习教育次数"]
    assert Path(made[0][1]).read_bytes().startswith(PNG)


def test_matplotlib_and_docx_are_imported_only_when_building():
    code = (
        "import sys\n"
        "import app.core.report, app.core.report.text, app.core.report.build, app.core.report.fonts\n"
        "import app.core.report.charts, app.cli.report_cmds\n"
        "bad = [m for m in ('matplotlib', 'docx', 'PIL') if m in sys.modules]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
