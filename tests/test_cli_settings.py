"""``settings`` lists what a clerk sets, as text: no Python dicts, no internal keys."""

from __future__ import annotations

from app.cli import main
from app.core.io.mapping import Mapping, remember
from app.core.storage.store import Store


def _run(capsys, *argv: str) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(list(argv))
    return code, capsys.readouterr().out.splitlines()


def test_listing_shows_text_and_json_never_python_values(capsys, db_path):
    s = Store.open(db_path)
    remember(s, "disputes", Mapping({"受理时间": "registered_on"}))
    s.set_setting("setup_done", True)
    s.set_setting("choices.disputes.dispute_type", ["土地流转", "物业"])
    s.set_setting("report.2024.basis_title", "关于做好2024年度法治政府建设情况报告工作的通知")
    s.set_setting("layout.widths", {"村（社区）": 80, "hidden": False})
    s.close()

    code, lines = _run(capsys, "--db", str(db_path), "settings")
    assert code == 0
    assert not any(line.startswith(("import_mapping.", "setup_done")) for line in lines)
    assert "choices.disputes.dispute_type=土地流转、物业" in lines
    assert "report.2024.basis_title=关于做好2024年度法治政府建设情况报告工作的通知" in lines
    assert 'layout.widths={"村（社区）": 80, "hidden": false}' in lines
    assert not any("{'" in line or "True" in line or "None" in line for line in lines)


def test_setting_a_value_still_sets_and_lists_it(capsys, db_path):
    Store.open(db_path).close()
    code, lines = _run(capsys, "--db", str(db_path), "settings", "town=白马镇", "villages=双龙村，金竹村")
    assert code == 0
    assert "town=白马镇" in lines and "villages=双龙村、金竹村" in lines
    s = Store.open(db_path)
    assert s.setting("town") == "白马镇" and s.setting("villages") == ["双龙村", "金竹村"]
    s.close()
