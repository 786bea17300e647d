"""How the reference report writes numbers: ``10余次`` and ``87.5%``."""

from __future__ import annotations


def approx(n: int) -> str:
    """DESIGN's rule: below 10 or a multiple of 10 exact; otherwise floor to tens + 余.

    >>> [approx(n) for n in (6, 50, 12, 83, 134, 206)]
    ['6', '50', '10余', '80余', '130余', '200余']
    """
    n = int(n)
    if n < 10 or n % 10 == 0:
        return str(n)
    return f"{n // 10 * 10}余"


def rate(x: float | None) -> str:
    """``100%`` for exactly 1.0, otherwise one decimal (``87.5%``); ``—`` for no rate.

    A share just below one is never shown as ``100.0%``: the report would claim 100% then.
    """
    if x is None:
        return "—"
    if x == 1:
        return "100%"
    text = f"{x * 100:.1f}%"
    if x < 1 and text == "100.0%":
        return "99.9%"
    return text
