"""The periodic returns (报表, DESIGN.md section 3b): declarations, SQL, and the .xlsx.

``definitions``: each return declared; ``compute.compute(store, period, key)`` gives one as a
``ReturnTable`` and ``compute.rows_for`` the rows behind any cell; ``display`` its cells' text;
``xlsx.write_xlsx`` the sheets a county office receives.
"""
