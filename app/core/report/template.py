"""The report template's jinja2 environment: figure values that remember their key, filters.

A figure reaches the template as a :class:`Num`.  Whatever prints it (``{{ n }}``,
``{{ n|approx }}``, ``{{ n|rate }}``, ``{{ n|cnlist }}``) wraps the printed text in private-use
markers naming the figure, so :mod:`app.core.report.text` can give every number in the report
its span and figure key (the GUI links numbers to the rows behind them).  Comparisons and
``{% if n %}`` see the plain value, so sentences can change for zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from app.core.figures.approx import approx, rate
from app.core.paths import resource

MARK_OPEN = "\ue000"  # MARK_OPEN key MARK_SEP text MARK_CLOSE
MARK_SEP = "\ue001"
MARK_CLOSE = "\ue002"
MARKS = (MARK_OPEN, MARK_SEP, MARK_CLOSE)

TEMPLATES_DIR = ("templates",)


def mark(key: str, text: str) -> str:
    """``text`` tagged with the figure ``key`` it was printed from."""
    return f"{MARK_OPEN}{key}{MARK_SEP}{text}{MARK_CLOSE}"


class Num:
    """A figure's value with its key (``2023:study.sessions`` for the previous year).

    Behaves like its value in tests and arithmetic; printing it yields marked text.
    """

    __slots__ = ("key", "value")

    def __init__(self, key: str, value: Any):
        self.key = key
        self.value = value

    # -- value-like behaviour -------------------------------------------------------------
    def __bool__(self) -> bool:
        return bool(self.value)

    def __int__(self) -> int:
        return int(self.value or 0)

    def __float__(self) -> float:
        return float(self.value or 0)

    def __len__(self) -> int:
        return len(self.value or ())

    def __iter__(self) -> Iterator[Any]:
        return iter(self.value or ())

    def __hash__(self) -> int:
        return hash((self.key, repr(self.value)))

    def __eq__(self, other: object) -> bool:
        return self.value == _plain(other)

    def __ne__(self, other: object) -> bool:
        return self.value != _plain(other)

    def __lt__(self, other: object) -> bool:
        return (self.value or 0) < _plain(other)

    def __le__(self, other: object) -> bool:
        return (self.value or 0) <= _plain(other)

    def __gt__(self, other: object) -> bool:
        return (self.value or 0) > _plain(other)

    def __ge__(self, other: object) -> bool:
        return (self.value or 0) >= _plain(other)

    def _combine(self, other: object, op, sym: str) -> Num:
        okey = other.key if isinstance(other, Num) else str(other)
        return Num(f"{self.key}{sym}{okey}", op(self.value or 0, _plain(other) or 0))

    def __add__(self, other):
        return self._combine(other, lambda a, b: a + b, "+")

    def __radd__(self, other):
        return Num(self.key, (_plain(other) or 0) + (self.value or 0))

    def __sub__(self, other):
        return self._combine(other, lambda a, b: a - b, "-")

    def __str__(self) -> str:
        return mark(self.key, plain_number(self.value))

    def __repr__(self) -> str:
        return f"Num({self.key!r}, {self.value!r})"


def _plain(x: object) -> Any:
    return x.value if isinstance(x, Num) else x


def plain_number(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return "、".join(map(str, value))
    return str(value)


class Figures:
    """``study.sessions`` style access to a figures dict; unknown names are errors."""

    def __init__(self, figures: dict[str, Any], prefix: str = ""):
        groups: dict[str, dict[str, Num]] = {}
        for key, value in figures.items():
            group, _, name = key.partition(".")
            groups.setdefault(group, {})[name] = Num(prefix + key, value)
        self._groups = {g: _Group(g, names) for g, names in groups.items()}

    def __getattr__(self, name: str) -> _Group:
        try:
            return self.__dict__["_groups"][name]
        except KeyError:
            raise AttributeError(name) from None

    def groups(self) -> dict[str, _Group]:
        return dict(self._groups)


class LazyFigures:
    """A :class:`Figures` computed on first use (the year before: most templates never ask)."""

    def __init__(self, load, prefix: str = ""):
        self._load = load
        self._prefix = prefix
        self._figures: Figures | None = None

    def __getattr__(self, name: str) -> _Group:
        if name.startswith("_"):
            raise AttributeError(name)
        if self._figures is None:
            self._figures = Figures(self._load(), self._prefix)
        return getattr(self._figures, name)


class _Group:
    def __init__(self, group: str, names: dict[str, Num]):
        self._group = group
        self._names = names

    def __getattr__(self, name: str) -> Num:
        try:
            return self.__dict__["_names"][name]
        except KeyError:
            raise AttributeError(f"{self.__dict__['_group']}.{name}") from None


# -- filters ------------------------------------------------------------------------------


def _wrap(value: Any, fmt) -> str:
    if isinstance(value, Num):
        return mark(value.key, fmt(value.value))
    return fmt(value)


def f_approx(value: Any) -> str:
    """``10余``: the reference's habit for counts (DESIGN.md section 3)."""
    return _wrap(value, lambda v: approx(int(v or 0)))


def f_rate(value: Any) -> str:
    """``100%`` / ``87.5%``."""
    return _wrap(value, rate)


def f_cnlist(value: Any, sep: str = "、") -> str:
    """A list (e.g. ``enforcement.top_domains``) joined with 、."""
    return _wrap(value, lambda v: sep.join(map(str, v or ())))


def cn_date(value: Any) -> str:
    """``2025-01-20`` / date -> ``2025年1月20日``."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def f_n(value: Any) -> str:
    """The exact number (what ``{{ n }}`` prints), for symmetry with ``approx``."""
    return str(value) if isinstance(value, Num) else plain_number(value)


@lru_cache(maxsize=1)
def environment() -> SandboxedEnvironment:
    """The sandboxed environment every report template (default or the office's) runs in."""
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(resource(*TEMPLATES_DIR))),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
    )
    env.filters.update(approx=f_approx, rate=f_rate, cnlist=f_cnlist, cn_date=cn_date, n=f_n)
    return env
