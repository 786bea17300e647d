"""The periodic returns (报表, DESIGN.md section 3b): declarations, SQL, and the .xlsx.

``compute(store, period, key)`` gives one return as a ``ReturnTable``; ``rows_for`` the rows
behind any cell; ``write_xlsx`` the sheets a county office receives.
"""

from .compute import TOTAL, YTD, ReturnTable, compute, compute_all, rows_for, ytd_period
from .definitions import RECIPIENTS, RETURNS, RETURNS_LIST, UNFILLED, Column, Return, choose, find, for_recipient
from .display import cell_text, filing_unit

__all__ = [
    "RECIPIENTS",
    "RETURNS",
    "RETURNS_LIST",
    "TOTAL",
    "UNFILLED",
    "YTD",
    "Column",
    "Return",
    "ReturnTable",
    "cell_text",
    "choose",
    "compute",
    "compute_all",
    "filing_unit",
    "find",
    "for_recipient",
    "rows_for",
    "ytd_period",
]
