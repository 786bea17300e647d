"""Excel/CSV import and export, driven by the catalog (DESIGN.md sections 2 and 5).

Import (``.xlsx`` ``.xls`` ``.ods`` via python-calamine, ``.csv`` in UTF-8, UTF-8 with BOM or
GBK/GB18030), all or nothing:

- ``import_file(store, ledger, path, dry_run=False, note="", progress=None,
  should_cancel=None) -> ImportResult`` — the command line's path: validates and inserts in
  one streamed pass inside one transaction; any bad row rolls it all back.  ``result.count``
  (rows good), ``result.errors`` (list of ``RowError``), ``result.written``.
- ``preview_import(store, ledger, path, progress=None, should_cancel=None) -> ImportPreview``
  — for the GUI's preview: nothing written; ``.headers`` (the file's header cells),
  ``.rows`` (clean rows: field key -> value; empty if any row is bad), ``.row_numbers``,
  ``.valid_count`` (rows that passed), ``.errors`` (``RowError(row, label, message)``,
  ``str()`` gives ``第5行 日期：…``), ``.ok``.
- ``commit_import(store, preview, note="") -> int`` — writes a clean preview with
  ``store.insert_many`` (one transaction, one audit entry).
- ``progress(done, total)`` is called every few thousand rows (``total`` is an estimate for
  CSV); ``should_cancel()`` is polled as often and, if it returns True, ``ImportCancelled`` is
  raised and nothing is written.  A file that cannot be read raises ``ReadError`` (Chinese
  message).  Both functions can run in a worker thread as long as the store's connection is
  used only there.

Export: ``export_ledger(store, ledger, path, year=None, full_id=False) -> int`` (``.xlsx``
or ``.csv``).  Template: ``write_template(store, ledger, path)``.  openpyxl is imported only
inside those two.
"""

from .exporter import export_ledger, iter_export_rows
from .importer import (
    ImportCancelled,
    ImportPreview,
    ImportResult,
    RowError,
    SheetOutcome,
    commit_import,
    import_file,
    preview_import,
)
from .mapping import Mapping, parse_column_specs, parse_value_specs, remembered
from .plan import ImportPlan, plan_import
from .readers import ReadError, open_table, open_tables
from .template import write_template

__all__ = [
    "ImportCancelled",
    "ImportPlan",
    "ImportPreview",
    "ImportResult",
    "Mapping",
    "ReadError",
    "RowError",
    "SheetOutcome",
    "commit_import",
    "export_ledger",
    "import_file",
    "iter_export_rows",
    "open_table",
    "open_tables",
    "parse_column_specs",
    "parse_value_specs",
    "plan_import",
    "preview_import",
    "remembered",
    "write_template",
]
