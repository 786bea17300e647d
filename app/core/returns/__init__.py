"""The periodic returns (报表, DESIGN.md section 3b): declarations, SQL, and the .xlsx.

``compute(store, period, key)`` gives one return as a ``ReturnTable``; ``rows_for`` the rows
behind any cell; ``write_xlsx`` the sheets a county office receives.
"""

from .compute import TOTAL, ReturnTable, compute, compute_all, rows_for
from .definitions import RETURNS, RETURNS_LIST, UNFILLED, Column, Return, find
from .display import cell_text

__all__ = [
    "RETURNS",
    "RETURNS_LIST",
    "TOTAL",
    "UNFILLED",
    "Column",
    "Return",
    "ReturnTable",
    "cell_text",
    "compute",
    "compute_all",
    "find",
    "rows_for",
]
