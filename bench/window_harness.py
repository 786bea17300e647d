"""The program's window started from a benchmark's own harness, as ``run_gui`` starts it:
the window first, the database opened right after its first paint.

Run as ``python -c SCRIPT DB [PAGE]`` with the repository on ``PYTHONPATH``.  Prints
``shown`` after the first paint and ``ready heavy=…`` once the database is open in the
window and the start page (``PAGE``, default 首页) is built, naming the heavy libraries
start-up loaded; then quits.  No daily backup, no background integrity check: nothing but
the start-up is measured, and the program carries no benchmark hooks.
"""

SCRIPT = """
import sys
from PySide6.QtCore import QTimer
from app.ui import app as ui_app
from app.ui.main_window import MainWindow

app = ui_app.application()
path = ui_app.Path(sys.argv[1])
start = sys.argv[2] if len(sys.argv) > 2 else "home"
window = MainWindow(start_page=start)
session = None

def painted():
    print("shown", flush=True)
    QTimer.singleShot(0, open_database)

def open_database():
    global session
    session = ui_app.open_session(path)
    if session is None:
        app.exit(1)
        return
    window.attach(session.store)  # queues the start page
    QTimer.singleShot(0, ready)

def ready():
    heavy = [m for m in ("matplotlib", "docx", "openpyxl") if m in sys.modules]
    print(f"ready heavy={','.join(heavy) or '-'}", flush=True)
    QTimer.singleShot(0 if start == "home" else 50, app.quit)

window.first_painted.connect(painted)
window.show()
code = app.exec()
window.close()
if session is not None:
    session.close(backup=False)
sys.exit(code)
"""
