"""The annual report: template -> text -> .docx (GB/T 9704) with charts.

``build.build_report(store, year, out_path, charts_dir=None, progress=None)`` writes it all;
``text.render_store(store, year)`` gives the structured text (blocks with figure spans) alone.
matplotlib and python-docx are imported only when a report is built.
"""
