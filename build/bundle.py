"""What goes into the PyInstaller bundle: names, version, hidden imports, exclusions, trimming.

Kept apart from ``installer.spec`` so that ``tests/test_packaging.py`` can check the same
lists the build uses without running PyInstaller (imported only by windows_version_info()).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Executables in the one-folder bundle. Both run the same program (app.cli.main): the GUI
# one is windowed (no console flashes up on Windows), the CLI one is a console program so
# IT can run `fazhi-cli demo`, `fazhi-cli report ...` from cmd.exe and see the output.
GUI_NAME = "fazhi-taizhang"
CLI_NAME = "fazhi-cli"
BUNDLE_NAME = "fazhi-taizhang"  # folder under dist/
DISPLAY_NAME = "法治台账"  # shortcuts, Windows version resource, installer
ICON_ICO = ROOT / "build" / "icon" / "fazhi.ico"
ICON_PNG = ROOT / "build" / "icon" / "fazhi-256.png"
ENTRY = ROOT / "build" / "entry.py"


def project() -> dict:
    """The ``[project]`` table of pyproject.toml (name, version, description)."""
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["project"]


def version() -> str:
    return project()["version"]


def version_tuple() -> tuple[int, int, int, int]:
    """``0.1.0`` -> (0, 1, 0, 0) for the Windows version resource (numbers only)."""
    nums = [int(n) for n in re.findall(r"\d+", version())[:4]]
    return tuple([*nums, 0, 0, 0, 0][:4])  # type: ignore[return-value]


def windows_version_info():
    """The Windows version resource of both executables (PyInstaller's VSVersionInfo)."""
    from PyInstaller.utils.win32.versioninfo import (
        FixedFileInfo,
        StringFileInfo,
        StringStruct,
        StringTable,
        VarFileInfo,
        VarStruct,
        VSVersionInfo,
    )

    vt = version_tuple()
    strings = {
        "CompanyName": DISPLAY_NAME,
        "FileDescription": DISPLAY_NAME,
        "FileVersion": version(),
        "InternalName": GUI_NAME,
        "OriginalFilename": f"{GUI_NAME}.exe",
        "ProductName": DISPLAY_NAME,
        "ProductVersion": version(),
    }
    return VSVersionInfo(
        ffi=FixedFileInfo(filevers=vt, prodvers=vt),
        kids=[
            StringFileInfo([StringTable("080404b0", [StringStruct(k, v) for k, v in strings.items()])]),
            VarFileInfo([VarStruct("Translation", [0x0804, 1200])]),  # zh-CN, Unicode
        ],
    )


def cli_handler_modules() -> list[str]:
    """Every ``app.cli.<module>`` named in ``app.cli.HANDLERS`` (imported by name at run time).

    Read from the source text, not by importing, so this works before the modules exist.
    """
    text = (ROOT / "app" / "cli" / "__init__.py").read_text(encoding="utf-8")
    block = text.split("HANDLERS = {", 1)[1].split("}", 1)[0]
    mods = re.findall(r':\s*\(\s*"([a-z_]+)"\s*,', block)
    return sorted({f"app.cli.{m}" for m in mods})


def app_modules() -> list[str]:
    """Every module of the program (``app/**/*.py`` but ``app.__main__``), from the files.

    The program imports several of them by name at run time (the CLI handlers, the GUI's
    pages, optional core modules through ``importlib``), which PyInstaller cannot see; a
    missing one would make the bundle quietly show a placeholder page or skip the lock.
    """
    out = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "__pycache__" in parts or parts[-1] == "__main__":
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out.append(".".join(parts))
    return out


def hidden_imports() -> list[str]:
    """Modules PyInstaller cannot see from import statements alone."""
    existing = [m for m in cli_handler_modules() if (ROOT / "app" / "cli" / f"{m.rsplit('.', 1)[1]}.py").exists()]
    return sorted({*existing, *app_modules(), "app.ui.app", "matplotlib.backends.backend_agg"})


# Python packages never needed at run time (pulled in by optional imports of our deps).
EXCLUDE_PY = [
    "tkinter",
    "_tkinter",
    "IPython",
    "jedi",
    "pytest",
    "_pytest",
    "hypothesis",
    "pytestqt",
    "ruff",
    "setuptools",
    "pkg_resources",
    "pip",
    "PyQt5",
    "PyQt6",
    "PySide2",
    "wx",
    "gi",
    "cairo",
    "cairocffi",
    "pydoc_data",
    "lib2to3",
    "matplotlib.tests",
    "numpy.tests",
    "numpy.f2py",
    "numpy.distutils",
    # numpy loads these on first use only; the charts (bar and line plots) never use them
    "numpy.random",
    "numpy.fft",
    "numpy.polynomial",
    "PIL._avif",  # 5 MB libavif; matplotlib never reads AVIF
    "PIL.AvifImagePlugin",
    "PIL.ImageTk",
    "PIL._tkinter_finder",
    "PIL.ImageQt",
    # no network: TLS and OpenSSL's hashes (hashlib falls back to its built-in ones) -> no libcrypto/libssl
    "ssl",
    "_ssl",
    "_hashlib",
    # python-docx and openpyxl use lxml.etree only
    "lxml.objectify",
    "lxml.html",
    "lxml.isoschematron",
    "lxml.cssselect",
    "lxml.doctestcompare",
    "lxml.usedoctest",
    # East-Asian codecs other than Chinese (GBK/GB18030 CSV import needs _codecs_cn)
    "_codecs_jp",
    "_codecs_kr",
    "_codecs_tw",
    "_codecs_hk",
    "_codecs_iso2022",
]

# Qt modules the program does not use. The PySide6 hooks collect only imported modules, but
# matplotlib's qt_compat and optional imports may reach for more; these stay out.
EXCLUDE_QT = [
    "PySide6.QtNetwork",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickWidgets",
    "PySide6.QtQuickControls2",
    "PySide6.Qt3DCore",
    "PySide6.Qt3DRender",
    "PySide6.QtMultimedia",
    "PySide6.QtMultimediaWidgets",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtWebChannel",
    "PySide6.QtPdf",
    "PySide6.QtPdfWidgets",
    "PySide6.QtSql",
    "PySide6.QtTest",
    "PySide6.QtDesigner",
    "PySide6.QtHelp",
    "PySide6.QtUiTools",
    "PySide6.QtXml",
    "PySide6.QtConcurrent",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    # QtPrintSupport stays in: 设置 prints the recovery code (app/ui/dialogs/password_dialog.py)
    "PySide6.QtSvg",  # nothing imports matplotlib's Qt backend (charts are PNG files)
    "PySide6.QtSvgWidgets",
    "matplotlib.backends.backend_qt",
    "matplotlib.backends.backend_qtagg",
    "matplotlib.backends.backend_qtcairo",
    "matplotlib.backends.qt_compat",
]

EXCLUDES = EXCLUDE_PY + EXCLUDE_QT

# Qt translations: keep Chinese only (qtbase_zh_CN.qm etc.). PySide6 keeps Qt's files in
# PySide6/Qt/ on Linux and macOS but directly in PySide6/ on Windows: both layouts match.
_QT_TRANSLATION = re.compile(r"(^|/)PySide6/(Qt/)?translations/(?P<file>[^/]+\.qm)$")
_KEEP_TRANSLATION = re.compile(r"_zh_CN\.qm$")

# matplotlib's bundled data we do not need: sample data, the PostScript/PDF core-font
# metrics, and the TeX (Computer Modern), STIX and DejaVu Serif fonts plus the styled Mono
# variants and obliques (charts use the bundled Chinese font with DejaVu Sans; no mathtext). A deny list,
# so a font a newer matplotlib needs (it falls back to LastResortHE-Regular.ttf) stays in.
_MPL_DATA = "matplotlib/mpl-data/"
_MPL_DROP_PREFIXES = (
    _MPL_DATA + "sample_data/",
    _MPL_DATA + "images/",  # toolbar icons of the interactive backends
    _MPL_DATA + "fonts/afm/",
    _MPL_DATA + "fonts/pdfcorefonts/",
    _MPL_DATA + "plot_directive/",
)
_MPL_DROP_TTF = re.compile(
    r"^(cm\w+\.ttf|STIX\w+\.ttf|LICENSE_STIX|DejaVuSerif[\w-]*\.ttf|DejaVuSansMono-\w+\.ttf|DejaVuSans-\w*Oblique\.ttf)$"
)


def keep_data(dest: str) -> bool:
    """Whether a collected data file (destination path inside the bundle) stays in."""
    dest = dest.replace("\\", "/")
    m = _QT_TRANSLATION.search(dest)
    if m:
        return bool(_KEEP_TRANSLATION.search(m.group("file")))
    if dest.startswith(_MPL_DROP_PREFIXES):
        return False
    if dest.startswith(_MPL_DATA + "fonts/ttf/"):
        return not _MPL_DROP_TTF.match(dest.rsplit("/", 1)[1])
    return True


# Qt plugins nobody loads here, as prefixes of "type/name" (file name without lib prefix and
# extension): SQL drivers, QML tooling, TLS and network, input devices; on Linux the platforms
# other than xcb/offscreen/minimal (wayland, eglfs, vnc...: Qt falls back to xcb) and the GTK
# theme (needs GTK from the system, drags in cairo and pango); image formats nobody opens.
_DROP_PLUGINS = (
    "sqldrivers/",
    "qmltooling/",
    "tls/",
    "networkinformation/",
    "position/",
    "multimedia/",
    "generic/",
    "egldeviceintegrations/",
    "wayland-decoration-client/",
    "wayland-graphics-integration-client/",
    "wayland-shell-integration/",
    "platformthemes/qgtk3",
    # CUPS printing would bring libcups and its TLS/Kerberos/Avahi libraries (~10 MB); Linux
    # prints the recovery code to a PDF file, Windows keeps its own (small) print plugin
    "printsupport/cups",
    "platforms/qwayland",
    "platforms/qeglfs",
    "platforms/qminimalegl",
    "platforms/qlinuxfb",
    "platforms/qvnc",
    "platforms/qvkkhrdisplay",
    "platforms/qdirect2d",
    "imageformats/qtiff",
    "imageformats/qwebp",
    "imageformats/qwbmp",
    "imageformats/qtga",
    "imageformats/qicns",
    "imageformats/qpdf",
)
_QT_PLUGIN = re.compile(r"(^|/)PySide6/(Qt/)?plugins/(?P<type>[^/]+)/(lib)?(?P<name>[^/.]+)[^/]*$")
# Windows: Mesa's software OpenGL (20 MB) is for Qt Quick / OpenGL widgets, which we do not use.
_DROP_FILES = ("opengl32sw.dll",)


def keep_binary(dest: str) -> bool:
    """Whether a collected binary stays in (Qt plugins nobody loads go out)."""
    dest = dest.replace("\\", "/")
    if dest.rsplit("/", 1)[-1].lower() in _DROP_FILES:
        return False
    m = _QT_PLUGIN.search(dest)
    if not m:
        return True
    return not (m.group("type") + "/" + m.group("name")).startswith(_DROP_PLUGINS)


def resource_datas() -> list[tuple[str, str]]:
    """``resources/`` (fonts, templates, translations) -> ``resources/`` in the bundle."""
    out = []
    for path in sorted((ROOT / "resources").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            rel = path.relative_to(ROOT).parent
            out.append((str(path), str(rel).replace("\\", "/")))
    return out


def drop_binaries(toc: list) -> tuple[list, list]:
    """Split a binaries TOC into (kept, dropped) by :func:`keep_binary`."""
    kept = [e for e in toc if keep_binary(e[0])]
    dropped = [e for e in toc if not keep_binary(e[0])]
    return kept, dropped


def linux_slim():
    """``build/linux_slim.py`` (loaded by path: ``build/`` is no package)."""
    import importlib.util
    import sys

    name = "fazhi_linux_slim"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("linux_slim.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def slim(binaries: list, datas: list, workdir: Path) -> tuple[list, list]:
    """Every trimming step: (binaries, datas) -> (binaries, datas).

    Data files by :func:`keep_data`; Qt plugins by :func:`keep_binary` on every system; on
    Linux also the libraries only those plugins needed, debug symbols and the
    ICU data. Symlinks pointing at anything removed go too.
    """
    import sys

    datas = [e for e in datas if keep_data(e[0])]
    kept, dropped = drop_binaries(binaries)
    if sys.platform.startswith("linux"):
        linux = linux_slim()
        kept, _orphans = linux.prune_orphans(kept, dropped)
        kept = linux.strip_debug_info(kept, workdir)
        kept = linux.icu_stub(kept, workdir)
    present = {e[0].replace("\\", "/") for e in kept if e[2] != "SYMLINK"}
    present |= {e[0].replace("\\", "/") for e in datas if e[2] != "SYMLINK"}

    def alive(entry) -> bool:
        return entry[2] != "SYMLINK" or entry[1].replace("\\", "/") in present

    return [e for e in kept if alive(e)], [e for e in datas if alive(e)]
