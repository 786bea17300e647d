"""Helpers of the demo generator: dates inside a year, people, ID numbers, exact partitions."""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections.abc import Sequence

from app.core.ledgers.validation import id_check_char

from . import pools

REGION = "500230"  # 丰都县


class Gen:
    """A seeded source of realistic values, with ``year`` the demo's report year."""

    def __init__(self, year: int, seed: int = 20240101):
        self.year = year
        self.rng = random.Random(seed)
        self._ids: set[str] = set()
        self._names: set[str] = set()

    # -- dates ----------------------------------------------------------------------------

    def date(self, year: int, month: int, lo: int = 1, hi: int | None = None, workday: bool = True) -> str:
        """A day of ``month`` between ``lo`` and ``hi``; moved to a weekday when asked and possible."""
        last = calendar.monthrange(year, month)[1]
        hi = min(hi or last, last)
        lo = min(max(lo, 1), hi)
        day = dt.date(year, month, self.rng.randint(lo, hi))
        if workday:
            for step in (1, 2, -1, -2):
                if day.weekday() < 5:
                    break
                cand = day + dt.timedelta(days=step)
                if cand.month == month and lo <= cand.day <= hi:
                    day = cand
        return day.isoformat()

    def dates(self, year: int, n: int, months: Sequence[int] = range(1, 13), workday: bool = True) -> list[str]:
        """``n`` dates over ``months``: about half spread evenly, the rest at random."""
        months = list(months)
        even = n // 2 if n >= 2 * len(months) else 0
        picks = [months[i % len(months)] for i in range(even)]
        picks += [self.rng.choice(months) for _ in range(n - len(picks))]
        return sorted(self.date(year, m, workday=workday) for m in picks)

    @staticmethod
    def plus(date: str, days: int) -> str:
        return (dt.date.fromisoformat(date) + dt.timedelta(days=days)).isoformat()

    @staticmethod
    def same_day(date: str, year: int) -> str:
        """The same month and day in ``year`` (29 Feb becomes 28 Feb)."""
        d = dt.date.fromisoformat(date)
        return dt.date(year, d.month, min(d.day, calendar.monthrange(year, d.month)[1])).isoformat()

    # -- people ---------------------------------------------------------------------------

    def name(self, female: bool | None = None, unique: bool = True) -> str:
        if female is None:
            female = self.rng.random() < 0.45
        for _ in range(200):
            given = self.rng.choice(pools.FEMALE_GIVEN if female else pools.MALE_GIVEN)
            full = self.rng.choice(pools.SURNAMES) + given
            if not unique or full not in self._names:
                self._names.add(full)
                return full
        return full

    def id_number(self, born_year: int, female: bool) -> str:
        """A valid 18-digit 身份证号 of 丰都县 (region 500230), check digit computed."""
        while True:
            birth = dt.date(born_year, self.rng.randint(1, 12), self.rng.randint(1, 28)).strftime("%Y%m%d")
            seq = self.rng.randrange(0, 999)
            if (seq % 2 == 1) == female:  # odd = male
                seq = (seq + 1) % 1000
            first17 = f"{REGION}{birth}{seq:03d}"
            number = first17 + id_check_char(first17)
            if number not in self._ids:
                self._ids.add(number)
                return number

    def phone(self) -> str:
        return "1" + self.rng.choice("3589") + "".join(self.rng.choice("0123456789") for _ in range(9))

    def village(self) -> str:
        return self.rng.choice(pools.VILLAGES)

    def pick(self, weights: dict[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def partition(self, total: int, n: int, lo: int = 0) -> list[int]:
        """``n`` ints ≥ ``lo`` adding up to exactly ``total``."""
        rest = total - lo * n
        if n <= 0 or rest < 0:
            raise ValueError("cannot partition")
        cuts = sorted(self.rng.randint(0, rest) for _ in range(n - 1))
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, rest], strict=True)]
        return [p + lo for p in parts]
