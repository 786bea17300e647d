"""Validation in one place: used by import, the command line and the record form.

Each field kind has a converter that turns what a clerk typed (or what a spreadsheet cell
held) into the stored value, or raises ``ValueError`` with a Chinese reason.  Cross-field
rules run after the fields they involve have converted cleanly.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from app.core.ledgers import catalog
from app.core.ledgers.catalog import Field, Ledger
from app.core.ledgers.privacy import mask_ids_in_text

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９．－／：　ｘＸ，",
    "0123456789.-/: xX,",
)
EMPTY_MARKS = {"", "-", "—", "/", "无数据"}
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NAME_SPLIT = re.compile(r"[、，,；;\s]+")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_EXCEL_EPOCH = dt.date(1899, 12, 30)


@dataclass(frozen=True)
class FieldError:
    key: str
    label: str
    message: str
    kind: str = "value"  # "required" (left empty), "value" (not readable), "range", "rule" (cross-field)

    def __post_init__(self) -> None:  # the message may quote a cell: never a whole 身份证号
        object.__setattr__(self, "message", mask_ids_in_text(self.message))

    def __str__(self) -> str:
        return f"{self.label}：{self.message}"


class ValidationError(ValueError):
    """One or more fields of a row are wrong."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("；".join(str(e) for e in errors))
        self.errors = errors


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip().strip("\u3000") in EMPTY_MARKS
    return False


def as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().strip("\u3000").strip()


def parse_date(value: Any) -> str:
    """An ISO date from any of the forms clerks and spreadsheets use."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # an Excel serial day number
            return (_EXCEL_EPOCH + dt.timedelta(days=int(value))).isoformat()
        raise ValueError(f"“{value}”不是有效日期")
    s = str(value).strip()
    if len(s) == 10 and s[4] == "-" and s[7] == "-" and s[:4].isdigit():
        try:  # the common case first: already ISO
            return dt.date(int(s[:4]), int(s[5:7]), int(s[8:])).isoformat()
        except ValueError:
            raise ValueError(f"“{s}”不是有效日期") from None
    t = s.translate(_FULLWIDTH).strip()
    if " " in t and ":" in t:  # "2024-03-05 00:00:00"
        t = t.split(" ", 1)[0]
    m = _DATE_RE.match(t) or _COMPACT_DATE_RE.match(t)
    if not m:
        raise ValueError(f"“{s}”不是可识别的日期，请写成 2024-03-05、2024/3/5、2024.3.5 或 2024年3月5日")
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        raise ValueError(f"“{s}”不是有效日期（月或日超出范围）") from None


# units clerks write after a number (35人, 200份, 3次, 1.2万元); 万 multiplies by 10 000
_UNITS = tuple(sorted(
    ("人次", "场次", "元", "人", "次", "份", "项", "件", "个", "场", "名", "户", "家", "起", "篇", "期", "条", "册",
     "张", "本", "天", "日", "余"),
    key=len, reverse=True,
))  # fmt: skip


# what clerks write around a number: 约300人, 近200份, 300余人, 三十多人, 50人左右
_BEFORE = ("大约", "约计", "约", "近", "共计", "共", "计", "合计")
_AFTER = ("左右", "以上", "上下", "许")
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_int(s: str) -> int | None:
    """三十二 → 32, 一百二十 → 120, 两百 → 200, 十五 → 15, 一千零五 → 1005, 三万 → 30000; else None."""
    if not s or s[0] == "万" or any(ch not in _DIGITS and ch not in _SMALL_UNITS and ch != "万" for ch in s):
        return None
    total, section, digit, seen = 0, 0, None, False
    for ch in s:
        if ch in "零〇":  # a gap (一千零五): the next digit is the units
            digit, seen = None, True
        elif ch in _DIGITS:
            if digit is not None and _DIGITS[ch] and not seen:
                return None  # 三二: digits side by side are not a numeral clerks write
            digit, seen = _DIGITS[ch], False
        elif ch in _SMALL_UNITS:
            section += (1 if digit is None else digit) * _SMALL_UNITS[ch]
            digit, seen = None, True
        else:  # 万
            total = (total + section + (digit or 0)) * 10000
            section, digit, seen = 0, None, True
    return total + section + (digit or 0)


def _number(value: Any) -> Decimal:
    """A number written as text, with its unit, a 万, 约/近/余/多 and Chinese numerals taken
    into account (三十二人 → 32, 约300人 → 300, 1.2万元 → 12000): ``Decimal``; else ``ValueError``."""
    s = str(value).strip().translate(_FULLWIDTH).replace(",", "").replace(" ", "").lstrip("¥￥").strip()
    for word in _BEFORE:
        if s.startswith(word) and len(s) > len(word):
            s = s[len(word) :]
            break
    for word in _AFTER:
        if s.endswith(word) and len(s) > len(word):
            s = s[: -len(word)]
            break
    for unit in _UNITS:
        if s.endswith(unit) and len(s) > len(unit):
            s = s[: -len(unit)]
            break
    if s.endswith(("余", "多")) and len(s) > 1:
        s = s[:-1]
    scale = 1
    if s.endswith("万") and len(s) > 1 and s[-2] not in _DIGITS and s[-2] not in _SMALL_UNITS:
        s, scale = s[:-1], 10000
    try:
        d = Decimal(s) * scale
    except InvalidOperation:
        n = chinese_int(s)
        if n is None:
            raise ValueError(s) from None
        d = Decimal(n) * scale
    if not d.is_finite():
        raise ValueError(s)
    return d


def parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"应为整数，收到“{value}”")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(f"应为整数，收到“{value}”")
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
    try:
        d = _number(value)
    except ValueError:
        raise ValueError(f"应为整数，收到“{value}”") from None
    if d != d.to_integral_value():
        raise ValueError(f"应为整数，收到“{value}”")
    return int(d)


def parse_decimal(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"应为数字，收到“{value}”")
    if isinstance(value, (int, float)):
        f = float(value)
    else:
        try:
            f = float(_number(value))
        except ValueError:
            raise ValueError(f"应为数字，收到“{value}”") from None
    if f != f or f in (float("inf"), float("-inf")):
        raise ValueError(f"应为数字，收到“{value}”")
    return round(f, 2)


def id_checksum_ok(number: str) -> bool:
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17]


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def parse_idcard(value: Any) -> str:
    """An 18-character resident ID number (GB 11643-1999), checksum and birth date checked."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 1e14:
        raise ValueError("身份证号被存成了数字，末几位可能已丢失：请把该列设为“文本”格式后重新填写")
    s = as_text(value).translate(_FULLWIDTH).replace(" ", "").upper()
    if len(s) != 18 or not re.fullmatch(r"\d{17}[\dX]", s):
        raise ValueError(f"身份证号应为18位（前17位数字，末位数字或X），收到{len(s)}位")
    try:
        dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        raise ValueError("身份证号中的出生日期无效") from None
    if not id_checksum_ok(s):
        raise ValueError("身份证号校验位不正确，请核对是否输错")
    return s


def mask_idcard(number: str | None) -> str | None:
    """``500230********123X``: region code and the last four kept."""
    if not number:
        return number
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def split_names(value: Any) -> list[str]:
    return [n for n in _NAME_SPLIT.split(as_text(value)) if n]


_HALF_PARENS = str.maketrans("()", "（）")


def _choice_key(text: str) -> str:
    return text.translate(_HALF_PARENS).replace(" ", "").replace("\u3000", "")


def make_choice(f: Field, choices: Iterable[str], mapped: dict[str, str] | None = None) -> Callable[[Any], str]:
    """The converter of a choice field: an option, or what stands for one (the catalog's
    ``value_aliases``, then ``mapped``: values a clerk mapped at import), in any bracket
    width and spacing; else ``ValueError`` naming the allowed options."""
    allowed = tuple(choices)
    lookup: dict[str, str] = {}
    for alias, option in (*f.value_aliases, *(mapped or {}).items()):
        if option in allowed:
            lookup[alias] = lookup[_choice_key(alias)] = option
    for c in allowed:
        lookup[c] = lookup[_choice_key(c)] = c
    lookup.update({c.translate(str.maketrans("（）", "()")): c for c in allowed})
    listing = "、".join(allowed)

    def convert(value: Any) -> str:
        s = as_text(value)
        hit = lookup.get(s) or lookup.get(_choice_key(s))
        if hit is None:
            raise ValueError(f"“{s}”不在可选值中，可选：{listing}")
        return hit

    return convert


def _names(value: Any) -> str:
    names = split_names(value)
    return "、".join(names)


def _phone(value: Any) -> str:
    s = as_text(value).translate(_FULLWIDTH)
    if not re.fullmatch(r"[\d\-+ ()（）转]{3,30}", s):
        raise ValueError(f"“{s}”不像电话号码")
    return s


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "date": parse_date,
    "int": parse_int,
    "decimal": parse_decimal,
    "text": as_text,
    "longtext": as_text,
    "names": _names,
    "idcard": parse_idcard,
    "phone": _phone,
}

RefResolver = Callable[[Field, Any], int]


class Validator:
    """Turns a raw row (field key -> anything) into a clean row, or lists what is wrong.

    ``choices`` overrides a field's choice list (the office may extend them);
    ``resolve_ref`` turns what was typed in a reference field into the row id it names,
    raising ``ValueError`` with a reason when it cannot; ``mapped_values`` (field key ->
    {written: option}) are the values a clerk mapped for one import.
    """

    def __init__(
        self,
        ledger: Ledger,
        choices: dict[str, Iterable[str]] | None = None,
        resolve_ref: RefResolver | None = None,
        mapped_values: dict[str, dict[str, str]] | None = None,
    ):
        self.ledger = ledger
        self.choices = choices or {}
        self.resolve_ref = resolve_ref
        self._plan: list[tuple[Field, Callable[[Any], Any]]] = []
        for f in ledger.fields:
            if f.kind == "choice":
                conv = make_choice(f, (choices or {}).get(f.key, f.choices), (mapped_values or {}).get(f.key))
            elif f.kind == "ref":
                conv = self._ref_converter(f)
            else:
                conv = _CONVERTERS[f.kind]
            self._plan.append((f, conv))

    def with_mapped_values(self, mapped_values: dict[str, dict[str, str]]) -> Validator:
        """This validator, also taking the values a clerk mapped for one import."""
        if not any(mapped_values.values()):
            return self
        return Validator(self.ledger, self.choices, self.resolve_ref, mapped_values)

    @property
    def plan(self) -> list[tuple[Field, Callable[[Any], Any]]]:
        """Each field with its converter, in catalog order (the importer's fast path uses it)."""
        return list(self._plan)

    def _ref_converter(self, f: Field) -> Callable[[Any], int]:
        def convert(value: Any) -> int:
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if self.resolve_ref is None:
                raise ValueError("无法查找所引用的记录")
            return self.resolve_ref(f, value)

        return convert

    def clean(self, raw: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
        out: dict[str, Any] = {}
        errors: list[FieldError] = []
        for f, conv in self._plan:
            value = raw.get(f.key)
            if value is None or (isinstance(value, str) and is_blank(value)):
                out[f.key] = None
                if f.required:
                    errors.append(FieldError(f.key, f.label, "必填，不能为空", "required"))
                continue
            try:
                v = conv(value)
            except ValueError as exc:
                errors.append(FieldError(f.key, f.label, str(exc)))
                out[f.key] = None
                continue
            if v == "" or v is None:
                out[f.key] = None
                if f.required:
                    errors.append(FieldError(f.key, f.label, "必填，不能为空", "required"))
                continue
            if f.min_value is not None and v < f.min_value:
                errors.append(FieldError(f.key, f.label, f"不能小于{f.min_value:g}，收到{v}", "range"))
            elif f.max_value is not None and v > f.max_value:
                errors.append(FieldError(f.key, f.label, f"数字太大：不能大于{f.max_value:.0f}，收到{v}", "range"))
            out[f.key] = v
        bad = {e.key for e in errors}
        for rule in self.ledger.rules:
            if bad.intersection(rule.fields):
                continue
            err = RULES[rule.kind](self.ledger, rule, out)
            if err:
                errors.append(err)
        return out, errors

    def refuses(self, e: FieldError) -> bool:
        """Whether an import refuses the row for this problem: only when the row cannot be a
        record (its date unreadable or impossible, a count or amount not a number, negative
        or past its bound; a wrong 身份证号 is decided in ``clean_import``, which sees the
        cell).  Anything else makes it 待补充."""
        if e.kind in ("required", "rule"):
            return False
        kind = self.ledger.field(e.key).kind
        return kind in ("int", "decimal") or e.key == self.ledger.date_field

    def clean_import(self, raw: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError], dict[str, str]]:
        """An imported row: the clean values, the problems that refuse it, and its 待补充
        fields with the text their cells held ("" for none).  A field that could not be read
        is left empty; a cross-field rule that fails marks its field and keeps the values."""
        out, errors = self.clean(raw)
        hard = [e for e in errors if self.refuses(e) or (e.kind == "value" and _wrong_id(self.ledger, e, raw))]
        incomplete: dict[str, str] = {}
        for e in errors:
            if e in hard or e.key in incomplete:
                continue
            value = raw.get(e.key)
            incomplete[e.key] = "" if value is None or (isinstance(value, str) and is_blank(value)) else as_text(value)
        return out, hard, incomplete

    def check(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The clean row, or ``ValidationError`` listing every problem."""
        clean, errors = self.clean(raw)
        if errors:
            raise ValidationError(errors)
        return clean


def _wrong_id(lg: Ledger, e: FieldError, raw: dict[str, Any]) -> bool:
    """A 身份证号 (or a reference to a ledger looked up by one: a 重点人员) that is a number but
    a wrong one: 18 characters with a wrong check digit or birth date, or stored as a number
    with its last digits lost.  The row is refused; other text there (暂无, a 15-digit old
    number) makes it 待补充."""
    if not _holds_id(lg.field(e.key)):
        return False
    value = raw.get(e.key)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 1e14:
        return True
    s = as_text(value).translate(_FULLWIDTH).replace(" ", "").upper()
    if not re.fullmatch(r"\d{17}[\dX]", s):
        return False
    # an ID field failed on a well-shaped number: its check digit or birth date is wrong; a
    # reference may fail on a right number nobody in the roster has (待补充)
    return lg.field(e.key).kind == "idcard" or not id_checksum_ok(s)


def _holds_id(f: Field) -> bool:
    """An ID number field, or a reference typed as the ID number of the row it points at."""
    if f.kind == "ref":
        target = catalog.BY_ID.get(f.ref or "")
        lookup = target.get_field(target.lookup_field) if target and target.lookup_field else None
        return lookup is not None and lookup.kind == "idcard"
    return f.kind == "idcard"


def _rule_le(lg: Ledger, rule, row) -> FieldError | None:
    a, b = rule.fields
    if row.get(a) is not None and row.get(b) is not None and row[a] > row[b]:
        return FieldError(a, lg.field(a).label, rule.message, "rule")
    if row.get(a) is not None and row.get(b) is None and row[a] > 0:
        return FieldError(b, lg.field(b).label, f"填写了{lg.field(a).label}时也须填写{lg.field(b).label}", "rule")
    return None


def _rule_date_order(lg: Ledger, rule, row) -> FieldError | None:
    start, end = rule.fields
    if row.get(start) and row.get(end) and row[end] < row[start]:
        return FieldError(end, lg.field(end).label, rule.message, "rule")
    return None


def _rule_required_when(lg: Ledger, rule, row) -> FieldError | None:
    target, trigger = rule.fields
    if row.get(trigger) in rule.when and row.get(target) in (None, ""):
        return FieldError(target, lg.field(target).label, rule.message, "rule")
    return None


def _rule_min_names(lg: Ledger, rule, row) -> FieldError | None:
    (key,) = rule.fields
    f = lg.field(key)
    value = row.get(key)
    if value and len(value.split("、")) < f.min_count:
        return FieldError(key, f.label, rule.message, "rule")
    return None


RULES = {
    "le": _rule_le,
    "date_order": _rule_date_order,
    "required_when": _rule_required_when,
    "min_names": _rule_min_names,
}
