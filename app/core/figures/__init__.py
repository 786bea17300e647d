"""The year's figures over the store (DESIGN.md section 3).

``definitions``: each figure, named; ``compute.compute(store, year)`` gives every figure and
``compute.rows_for(store, year, key)`` the rows behind one; ``breakdowns`` the per-month /
per-type tables behind the charts; ``approx.approx`` and ``approx.rate`` write numbers the way
the reference report does.
"""
