"""The year's figures over the store (DESIGN.md section 3).

``compute(store, year)`` gives every figure; ``breakdowns(store, year)`` the per-month /
per-type tables behind the charts; ``rows_for(store, year, key)`` the rows behind a figure;
``approx`` and ``rate`` write numbers the way the reference report does.
"""

from .approx import approx, rate
from .breakdowns import (
    breakdowns,
    figure_by_choice,
    figure_by_month,
    key_person_changes,
    mediation_success_rate,
    report_breakdowns,
    visits_per_person_month,
)
from .compute import compare, compute, rows_for, scope_sql, value
from .definitions import FIGURES, KEYS, Figure

__all__ = [
    "FIGURES",
    "KEYS",
    "Figure",
    "approx",
    "breakdowns",
    "compare",
    "compute",
    "figure_by_choice",
    "figure_by_month",
    "key_person_changes",
    "mediation_success_rate",
    "rate",
    "report_breakdowns",
    "rows_for",
    "scope_sql",
    "value",
    "visits_per_person_month",
]
