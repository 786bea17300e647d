"""The 操作日志 as a read-only table model, fetched a page at a time, ID numbers masked."""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from app.core.ledgers import catalog
from app.core.ledgers.privacy import mask_ids_in_text, mask_value
from app.core.storage.query import AuditQuery

if TYPE_CHECKING:  # annotations only: the store module loads with the database
    from app.core.storage.store import Store

ACTIONS = {
    "insert": "新增",
    "update": "修改",
    "delete": "移入回收站",
    "restore": "从回收站恢复",
    "purge": "彻底删除",
    "import": "导入",
    "setting": "修改设置",
    "report_text": "修改报告文字",
    "migrate": "升级数据库",
    "backup": "备份",
    "restore_backup": "从备份恢复",
    "pack": "生成数据包",
    "merge_pack": "合并数据包",
    "merge_insert": "合并新增",
    "merge": "合并更新",
    "merge_conflict": "合并冲突（保留本机）",
    "merge_invalid": "合并时数据无效（未合并）",
    "reveal": "查看完整身份证号",
    "password": "密码",
}
# settings and report-text keys as a clerk knows them (one name everywhere: as in 设置)
SETTING_LABELS = {
    "county": "县（区）名称",
    "town": "乡镇（街道）名称",
    "issuer": "发文机关全称",
    "villages": "村（社区）",
    "font_scheme": "报告字体",  # before structure version 4
    "report.font_scheme": "报告字体",
    "report.recipient": "主送机关",
    "backup_dir": "备份文件夹",
    "setup_done": "已完成首次设置",
    "office": "本机科室",
    "level": "单位层级",
    "province": "省（市）",
    "city": "市（州）",
}
REPORT_TEXT_LABELS = {
    "date": "成文日期",
    "basis_no": "工作要点文号",
    "basis_title": "工作要点标题",
    "shortcomings": "“存在的不足”",
    "plan": "“下一年度工作计划”",
    "other": "“其他需要报告的情况”",
}  # "报告" + these
VALUE_WORDS = {
    True: "是",
    False: "否",
    "gb2312": "公文标准字体",
    "windows": "Windows 自带字体",
    "auto": "按本机字体自动选择",
}


def _ledger_name(ledger_id: str) -> str:
    lg = catalog.BY_ID.get(ledger_id)
    return lg.name if lg is not None else "台账"


def setting_label(key: str) -> str:
    """A settings key as 设置 names it; never the key itself (``report.2024.date`` ->
    ``报告成文日期（2024年）``, ``import_mapping.study_sessions`` -> ``导入映射（学法培训台账）``)."""
    if key in SETTING_LABELS:
        return SETTING_LABELS[key]
    head, _, rest = key.partition(".")
    if head == "choices" and rest.count(".") == 1:
        ledger_id, field_key = rest.split(".")
        lg = catalog.BY_ID.get(ledger_id)
        if lg is not None and lg.has_field(field_key):
            return f"{lg.name}“{lg.field(field_key).label}”的选项"
    if head == "report" and rest.count(".") == 1:
        year, name = rest.split(".")
        if year.isdigit():
            return f"报告{REPORT_TEXT_LABELS.get(name, '设置')}（{year}年）"
    if head == "import_mapping" and rest:
        return f"导入映射（{_ledger_name(rest)}）"
    if head == "draft" and rest:
        return f"未保存的录入（{_ledger_name(rest.split('.')[0])}）"
    if head == "exchange" and rest:
        return f"数据交换记录（{rest}）"
    if head == "password":
        return "密码"
    return "其他设置"


def report_text_label(section: str) -> str:
    """A report text's section as the 年度报告 page names it (``study`` -> ``报告段落“（一）深入…”``,
    ``shortcomings`` -> ``报告“存在的不足”``)."""
    if section.startswith("para:"):
        section = section[5:]
    if section in REPORT_TEXT_LABELS:
        return f"报告{REPORT_TEXT_LABELS[section]}"
    from app.core.report import paragraphs

    if section in paragraphs.defaults():
        return f"报告段落“{paragraphs.label(section).split('、', 1)[-1]}”"
    return "报告文字"


def readable_paragraph(source: str) -> str:
    """A paragraph in the token language with each token by its label: 〔study.sessions|approx〕
    -> 〔法治学习教育次数〕 (the 操作日志 shows no figure keys)."""
    from app.core.figures.definitions import FIGURES
    from app.core.report import paragraphs, tokens

    out = []
    for piece in tokens.split(source):
        if isinstance(piece, str):
            out.append(piece)
            continue
        try:
            t = paragraphs.parse(piece[0])
        except ValueError:
            out.append("〔？〕")
            continue
        if t.kind == "word":
            label = tokens.WORDS.get(t.key, "词语")
        elif t.kind == "phrase":
            label = tokens.PHRASES.get(t.key, "数字")
        elif t.kind == "figure":
            key = t.key.removeprefix("previous.")
            fig = FIGURES.get(key)
            label = (fig.label if fig else "数字") + ("（上年）" if key != t.key else "")
        else:
            label = f"{_ledger_name(t.key)}{'无' if t.negate else '有'}记录时"
        out.append(f"〔{label}〕")
    return "".join(out)


def describe_mapping(ledger_id: str, value: Any) -> str:
    """An import mapping (``core.io.mapping``) as a clerk reads it: 列“学习内容”→主题,
    形式“集中学习”→理论学习中心组, 对象一律为“全体干部职工”."""
    if not isinstance(value, dict):
        return plain_value(value) or "（空）"
    lg = catalog.BY_ID.get(ledger_id)

    def label(key: Any) -> str:
        return lg.field(key).label if lg is not None and lg.has_field(key) else str(key)

    parts = []
    for column, key in (value.get("columns") or {}).items():
        parts.append(f"列“{column}”→{label(key) if key else '不导入'}")
    for key, pairs in (value.get("values") or {}).items():
        for written, option in (pairs or {}).items():
            parts.append(f"{label(key)}“{written}”→{option}")
    for key, fill in (value.get("fill") or {}).items():
        parts.append(f"{label(key)}一律为“{fill}”")
    return "；".join(parts) or "（空）"


def report_value(value: Any) -> str:
    if value is None:
        return "（默认文字）"
    text = plain_value(value)
    return readable_paragraph(text) if "〔" in text else text


def setting_value(key: str, value: Any) -> str:
    if value is None:
        return "（空）"  # not set before
    if key.startswith("import_mapping."):
        return describe_mapping(key.split(".", 1)[1], value)
    return plain_value(value)


def plain_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith("〔"):
        from app.core.report.paragraphs import DEFAULT_MARK  # jinja2 comes with it: only here

        if value == DEFAULT_MARK:
            return "（恢复默认文字）"
    if isinstance(value, dict):
        return "；".join(f"{k}：{plain_value(v)}" for k, v in value.items()) or "（空）"
    if isinstance(value, bool) or value in ("gb2312", "windows", "auto"):
        return VALUE_WORDS.get(value, str(value))
    if isinstance(value, list):
        return "、".join(plain_value(v) for v in value) or "（空）"
    if value == "":
        return "（空）"
    return str(value)


def describe_note(action: str, note: str | None) -> str:
    """``设置 town`` -> ``设置 乡镇（街道）名称``; ``2024年报告 date`` -> ``2024年报告成文日期``."""
    if not note:
        return ""
    if action == "setting" and note.startswith("设置 "):
        return "设置 " + setting_label(note[3:])
    if action == "report_text" and "年报告 " in note:
        head, section = note.split("年报告 ", 1)
        return f"{head}年{report_text_label(section)}"
    return note


COLUMNS = ("时间", "用户", "操作", "台账", "记录", "原值", "新值", "说明")
PAGE_SIZE = 200
MAX_PAGES = 5


def describe_values(ledger_id: str | None, values: Any, action: str = "") -> str:
    """``{"name": "张三", "id_number": "5002…"}`` -> ``姓名：张三；身份证号：500230********123X``."""
    if not values:
        return ""
    if not isinstance(values, dict):
        return str(values)
    if action in ("setting", "report_text"):
        if action == "report_text":
            return "；".join(f"{report_text_label(k)}：{report_value(v)}" for k, v in values.items())
        return "；".join(f"{setting_label(k)}：{setting_value(k, v)}" for k, v in values.items())
    lg = catalog.BY_ID.get(ledger_id or "")
    parts = []
    for key, value in values.items():
        label = key
        if lg is not None and lg.has_field(key):
            label = lg.field(key).label
        elif key == "deleted_at":
            label = "删除时间"
        elif key == "rows":
            label = "行数"
        if isinstance(value, str) and len(value) == 19 and value[10:11] == "T":
            value = value.replace("T", " ")
        if isinstance(value, str) and lg is not None and lg.has_field(key) and lg.field(key).personal:
            value = mask_value(value)
        elif isinstance(value, str):
            value = mask_ids_in_text(value)
        parts.append(f"{label}：{'（空）' if value is None else value}")  # 删除时间：（空） = was not deleted
    return "；".join(parts)


class AuditModel(QAbstractTableModel):
    def __init__(self, store: Store, ledger_id: str | None = None, parent=None):
        super().__init__(parent)
        self.query = AuditQuery(store, ledger_id)
        self._count = 0
        self._pages: OrderedDict[int, list[dict]] = OrderedDict()
        self.refresh()

    def set_ledger(self, ledger_id: str | None) -> None:
        self.query.ledger_id = ledger_id
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        self._count = self.query.count()
        self._pages.clear()
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role: int = Qt.DisplayRole):
        if role != Qt.DisplayRole:
            return None
        return COLUMNS[section] if orientation == Qt.Horizontal else str(section + 1)

    def entry(self, row: int) -> dict | None:
        if not 0 <= row < self._count:
            return None
        page_no, pos = divmod(row, PAGE_SIZE)
        page = self._pages.get(page_no)
        if page is None:
            page = self.query.page(page_no * PAGE_SIZE, PAGE_SIZE)
            self._pages[page_no] = page
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_no)
        return page[pos] if pos < len(page) else None

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid() or role not in (Qt.DisplayRole, Qt.ToolTipRole):
            return None
        e = self.entry(index.row())
        if e is None:
            return None
        col = index.column()
        if col == 0:
            return (e["at"] or "").replace("T", " ")
        if col == 1:
            return e["actor"] or ""
        if col == 2:
            return ACTIONS.get(e["action"], e["action"])
        if col == 3:
            lg = catalog.BY_ID.get(e["ledger"] or "")
            return lg.name if lg else (e["ledger"] or "")
        if col == 4:
            return "" if e["row_id"] is None else str(e["row_id"])
        if col == 5:
            return describe_values(e["ledger"], e["old"], e["action"])
        if col == 6:
            return describe_values(e["ledger"], e["new"], e["action"])
        return mask_ids_in_text(describe_note(e["action"], e["note"]))

    @property
    def cached_rows(self) -> int:
        return sum(len(p) for p in self._pages.values())
