"""Excel/CSV import and export, driven by the catalog (DESIGN.md sections 2 and 5).

Import (``.xlsx`` ``.xls`` ``.ods`` via python-calamine, ``.csv`` in UTF-8, UTF-8 with BOM or
GBK/GB18030) takes a ledger as clerks keep it: the header among the first rows under title
rows, columns by label or alias (``headers.py``), 序号 ignored, unknown columns skipped and
named (``result.warnings()``), blank and 合计 rows skipped, every sheet whose header matches
(or, without a ledger, each sheet into the ledger its header names: ``plan.py``), numbers with
units and value aliases (``validation``), mappings given and remembered (``mapping.py``),
rows equal to live rows left out as duplicates and a 记录编号 column updating its rows
(``existing.py``).  All or nothing across the workbook:

- ``importer.import_file(store, ledger or None, path, dry_run=False, note="", progress=None,
  should_cancel=None, sheet=None, mappings=None, keep_duplicates=False) -> ImportResult`` —
  the command line's path: checks and inserts in one streamed pass inside one transaction;
  any bad row rolls it all back.  ``result.count`` (new rows), ``.duplicates``, ``.updated``,
  ``.sheets`` (per sheet: ledger, header row, rows), ``.skipped_sheets``, ``.errors``
  (``RowError(row, label, message, sheet)``, ``str()`` gives ``工作表“一季度”第5行 日期：…``),
  ``.warnings()``, ``.plan_lines()``, ``.written``.
- ``importer.preview_import(store, ledger or None, path, progress=None, should_cancel=None, *,
  sheet=None, mappings=None, keep_duplicates=False) -> ImportPreview`` — for the window:
  nothing written; the same fields, the new rows kept per sheet (``.rows`` flattens them to
  dicts), each sheet's ``unknown_values`` for the mapping step.
- ``importer.commit_import(store, preview, note="", rejects=None) -> int`` — writes a preview in one
  transaction and remembers the mappings used; a preview read with ``skip_bad`` writes its
  readable rows and saves the bad ones to ``rejects`` (``rejects_path(source)`` by default
  beside the source (``rejects``), ``<文件名>（未导入）.xlsx``).
- A row whose required field has no column, is empty, or holds a value nothing reads comes
  in 待补充 (``incomplete``: JSON of those fields and the text their cells held); only a row
  that cannot be a record is bad.  ``skip_bad=True`` (``import_file``/``preview_import``)
  imports the rest.
- ``mappings`` is ``{ledger id: Mapping(columns={原列名: key or None}, values={key: {原值:
  选项}})}``; ``mapping.parse_column_specs``/``parse_value_specs`` read ``--map``/``--map-value``.
- ``progress(done, total)`` is called every few thousand rows; ``should_cancel()`` is polled
  as often and, if it returns True, ``ImportCancelled`` is raised and nothing is written.  A
  file that cannot be read raises ``ReadError`` (Chinese message).

Export: ``exporter.export_ledger(store, ledger, path, year=None, full_id=False) -> int`` (``.xlsx``,
print-ready, or ``.csv``; the last column 记录编号 is the row's uid).  Template:
``template.write_template(store, ledger, path)``.  openpyxl is imported only inside those two.
"""
