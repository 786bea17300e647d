"""Import dialog: preview in a worker, nothing written until 确认导入; bad files show their
reasons and write nothing; 取消 stops a long check.  Also the Worker helper itself."""

import csv

import pytest
from PySide6.QtCore import Qt

from app.ui.dialogs.import_dialog import ImportDialog
from app.ui.widgets import file_dialogs
from app.ui.workers import Worker

HEADER = ["日期", "咨询人", "村（社区）", "咨询方式", "咨询类别", "咨询事项", "解答人"]


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


@pytest.fixture
def good_file(tmp_path):
    return write_csv(
        tmp_path / "咨询.csv",
        [
            ["2024-03-05", "张三", "双龙村", "来访", "婚姻家庭", "离婚财产分割", "李律师"],
            ["2024/4/1", "李四", "金竹村", "电话", "劳动", "拖欠工资怎么办", "李律师"],
            ["2024年5月6日", "", "", "上门", "", "土地承包合同纠纷", ""],
        ],
    )


@pytest.fixture
def bad_file(tmp_path):
    return write_csv(
        tmp_path / "咨询-有错.csv",
        [
            ["2024-03-05", "张三", "双龙村", "来访", "婚姻家庭", "离婚财产分割", "李律师"],
            ["2024-13-40", "李四", "金竹村", "电话", "劳动", "拖欠工资", ""],
            ["2024-05-06", "王五", "", "飞鸽传书", "", "土地纠纷", ""],
        ],
    )


def open_dialog(qtbot, store, path):
    dlg = ImportDialog(store, "consultations", path=path)
    qtbot.addWidget(dlg)
    with qtbot.waitSignal(dlg.preview_ready, timeout=20000):
        pass
    return dlg


def test_good_file_previews_then_writes_only_on_confirm(qtbot, store, good_file):
    dlg = open_dialog(qtbot, store, good_file)
    assert dlg.preview_row_count() == 3
    assert dlg.rows_table.rowCount() == 3
    assert dlg.errors_table.rowCount() == 0
    assert dlg.rows_table.item(1, 1).text() == "2024-04-01"  # 日期 cleaned
    assert dlg.confirm_button.isEnabled()
    assert store.count("consultations") == 0  # nothing written yet
    with qtbot.waitSignal(dlg.imported, timeout=20000) as sig:
        qtbot.mouseClick(dlg.confirm_button, Qt.MouseButton.LeftButton)
    assert sig.args == [3]
    assert store.count("consultations") == 3
    assert "已导入 3 条" in dlg.status_label.text()
    assert store.audit_entries(limit=1)[0]["action"] == "import"


def test_bad_rows_listed_the_rest_imported_by_a_click_and_the_bad_ones_saved(qtbot, store, bad_file):
    from openpyxl import load_workbook

    dlg = open_dialog(qtbot, store, bad_file)
    errors = [(dlg.errors_table.item(i, 0).text(), dlg.errors_table.item(i, 1).text()) for i in range(1)]
    assert dlg.errors_table.rowCount() == 1 and errors == [("3", "日期")]  # 飞鸽传书 is not an error
    assert dlg.tabs.tabText(0) == "将导入的记录（2）" and dlg.rows_table.rowCount() == 2
    assert dlg.tabs.tabText(1) == "有问题的行（1）"
    assert dlg.rows_table.item(1, 0).text() == "4 待补充"
    assert dlg.rows_table.item(1, 4).text() == "〔待补充：飞鸽传书〕"  # 咨询方式, what the cell said
    assert "咨询方式（原文“飞鸽传书”）" in dlg.rows_table.item(1, 2).toolTip()
    assert dlg.confirm_button.isEnabled() and dlg.confirm_button.text() == "导入其余 2 条"
    assert dlg.rejects_check.isChecked() and not dlg.rejects_row.isHidden()
    out = bad_file.with_name("咨询-有错（未导入）.xlsx")
    assert dlg.rejects_label.text() == str(out)
    assert store.count("consultations") == 0 and not out.exists()  # nothing before the click
    with qtbot.waitSignal(dlg.imported, timeout=20000):
        qtbot.mouseClick(dlg.confirm_button, Qt.MouseButton.LeftButton)
    assert store.count("consultations") == 2
    assert [r["incomplete"] for r in store.rows("consultations")] == [None, '{"channel": "飞鸽传书"}']
    text = dlg.status_label.text()
    assert "已导入 2 条记录到“法律咨询台账”；其中 1 条待补充" in text
    assert f"1 行有问题，未导入，已另存到 {out}" in text
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert list(rows[0]) == [*HEADER, "原因"]
    assert list(rows[1][:7]) == ["2024-13-40", "李四", "金竹村", "电话", "劳动", "拖欠工资", None]
    assert rows[1][7].startswith("日期：") and len(rows) == 2


def test_unticked_the_bad_rows_are_not_saved(qtbot, store, bad_file):
    dlg = open_dialog(qtbot, store, bad_file)
    qtbot.mouseClick(dlg.rejects_check, Qt.MouseButton.LeftButton)
    assert not dlg.rejects_check.isChecked()
    with qtbot.waitSignal(dlg.imported, timeout=20000):
        qtbot.mouseClick(dlg.confirm_button, Qt.MouseButton.LeftButton)
    assert store.count("consultations") == 2 and not bad_file.with_name("咨询-有错（未导入）.xlsx").exists()
    assert "没有另存" in dlg.status_label.text()


def test_a_header_problem_cannot_be_imported(qtbot, store, tmp_path):
    path = tmp_path / "两个日期.csv"
    path.write_text("日期,咨询方式,咨询事项,日期\n2024-03-05,来访,x,2024-03-06\n", encoding="utf-8")
    dlg = open_dialog(qtbot, store, path)
    assert not dlg.confirm_button.isEnabled() and dlg.tabs.currentIndex() == 1
    assert dlg.tabs.tabText(0) == "将导入的记录（0）" and dlg.rows_table.rowCount() == 0
    dlg.confirm()  # even forced, nothing is written
    assert store.count("consultations") == 0


def test_no_file_chosen_means_no_dialog(qtbot, store, monkeypatch):
    monkeypatch.setattr(file_dialogs, "open_file_name", lambda *a, **k: "")
    dlg = ImportDialog(store, "consultations")
    qtbot.addWidget(dlg)
    assert dlg.exec() == ImportDialog.DialogCode.Rejected
    assert store.count("consultations") == 0


def test_file_dialog_path_is_used(qtbot, store, good_file, monkeypatch):
    monkeypatch.setattr(file_dialogs, "open_file_name", lambda *a, **k: str(good_file))
    dlg = ImportDialog(store, "consultations")
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.preview is not None, timeout=20000)
    assert dlg.preview_row_count() == 3


def test_cancel_stops_a_long_check_and_writes_nothing(qtbot, store, tmp_path, monkeypatch):
    import time

    import app.core.io.importer as importer

    real = importer.preview_import

    def slow_preview(store, ledger, path, progress=None, should_cancel=None, **kw):
        """The real check, held at its first progress report until 取消 is pressed."""

        def held(done, total):
            deadline = time.monotonic() + 10
            while not should_cancel() and time.monotonic() < deadline:
                time.sleep(0.01)
            progress(done, total)

        return real(store, ledger, path, progress=held, should_cancel=should_cancel, **kw)

    monkeypatch.setattr(importer, "preview_import", slow_preview)
    rows = [["2024-03-05", "张三", "双龙村", "来访", "婚姻家庭", f"事项{i}", ""] for i in range(20000)]
    path = write_csv(tmp_path / "大文件.csv", rows)
    dlg = ImportDialog(store, "consultations", path=path)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg._worker is not None, timeout=5000)
    with qtbot.waitSignal(dlg._worker.cancelled, timeout=20000):
        qtbot.mouseClick(dlg.cancel_button, Qt.MouseButton.LeftButton)
    assert dlg.preview is None
    assert "已取消" in dlg.status_label.text()
    assert store.count("consultations") == 0


def test_worker_reports_progress_result_and_failure(qtbot):
    seen = []

    def job(n):
        for i in range(n):
            worker.report(100 * (i + 1) // n, f"第{i + 1}步")
        return n * 2

    worker = Worker(job, 4)
    worker.progress.connect(lambda p, t: seen.append((p, t)))
    with qtbot.waitSignal(worker.finished, timeout=5000) as sig:
        worker.start()
    assert sig.args == [8]
    qtbot.waitUntil(lambda: len(seen) == 4)
    assert seen[-1] == (100, "第4步")

    def boom():
        raise ValueError("出错了")

    bad = Worker(boom)
    with qtbot.waitSignal(bad.failed, timeout=5000) as sig:
        bad.start()
    assert sig.args == ["出错了"]
    assert not bad.is_running()


def test_visits_preview_names_the_person(qtbot, store, tmp_path):
    pid = store.save("key_persons", {"name": "赵六", "category": "吸毒人员", "listed_on": "2023-01-01"})
    path = tmp_path / "走访.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["日期", "重点人员", "走访人", "走访方式"])
        w.writerow(["2024-02-03", "赵六", "刘明", "电话"])
    dlg = ImportDialog(store, "visits", path=path)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.preview is not None, timeout=20000)
    assert dlg.preview.rows[0]["person_id"] == pid
    assert dlg.rows_table.item(0, 2).text() == "赵六"
