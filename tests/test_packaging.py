"""The installer's parts, checked without building: the spec, what goes in and out of the
bundle, resources found frozen, the Windows installer script and workflow, the icon.

Building the bundle takes a minute; ``.ci/run`` does it (``make dist`` + build/smoke_test.sh).
"""

from __future__ import annotations

import ast
import ctypes
import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "installer.spec"
ISS = ROOT / "build" / "windows" / "fazhi-taizhang.iss"
WORKFLOW = ROOT / ".github" / "workflows" / "windows.yml"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bundle():
    return _load("fazhi_bundle_config", ROOT / "build" / "bundle.py")


@pytest.fixture(scope="module")
def spec_calls():
    """{callee name: [ast.Call]} for every call in installer.spec."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))
    calls: dict[str, list[ast.Call]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            calls.setdefault(node.func.id, []).append(node)
    return calls


def _kw(call: ast.Call, name: str):
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


# -- the spec -----------------------------------------------------------------------------


def test_spec_is_python_with_one_analysis_two_executables_one_collect(spec_calls):
    assert len(spec_calls["Analysis"]) == 1
    assert len(spec_calls["COLLECT"]) == 1
    assert len(spec_calls["EXE"]) == 1  # inside _exe(), called twice
    consoles = sorted(ast.literal_eval(_kw(c, "console")) for c in spec_calls["_exe"])
    assert consoles == [False, True]  # a windowed GUI and a console CLI
    collect = spec_calls["COLLECT"][0]
    assert [a.id for a in collect.args[:2]] == ["gui", "cli"]  # both in the one folder


def test_spec_has_no_cipher_and_no_upx(spec_calls):
    text = SPEC.read_text(encoding="utf-8")
    assert "cipher" not in text
    for name in ("EXE", "COLLECT"):
        for call in spec_calls[name]:
            assert ast.literal_eval(_kw(call, "upx")) is False
    assert re.search(r"\bonefile\b", text) is None


def test_spec_takes_everything_from_build_bundle(spec_calls):
    analysis = spec_calls["Analysis"][0]
    assert ast.unparse(_kw(analysis, "hiddenimports")) == "bundle.hidden_imports()"
    assert ast.unparse(_kw(analysis, "excludes")) == "bundle.EXCLUDES"
    assert ast.unparse(_kw(analysis, "datas")) == "bundle.resource_datas()"
    assert ast.literal_eval(_kw(analysis, "hooksconfig")) == {"matplotlib": {"backends": ["Agg"]}}
    assert "bundle.slim(a.binaries, a.datas" in SPEC.read_text(encoding="utf-8")


def test_every_cli_handler_module_is_a_hidden_import(bundle):
    from app.cli import HANDLERS

    wanted = {f"app.cli.{module}" for module, _func in HANDLERS.values()}
    assert set(bundle.cli_handler_modules()) == wanted
    hidden = set(bundle.hidden_imports())
    missing = {m for m in wanted if (ROOT / "app" / "cli" / f"{m.rsplit('.', 1)[1]}.py").exists()} - hidden
    assert not missing
    assert "app.ui.app" in hidden  # imported inside app.__main__.open_window() only
    assert "matplotlib.backends.backend_agg" in hidden


def test_every_program_module_is_a_hidden_import(bundle):
    """Pages and optional modules are imported by name (importlib): all must be bundled."""
    hidden = set(bundle.hidden_imports())
    for path in (ROOT / "app").rglob("*.py"):
        rel = path.relative_to(ROOT).with_suffix("").parts
        if rel[-1] == "__main__":
            continue
        name = ".".join(rel[:-1] if rel[-1] == "__init__" else rel)
        assert name in hidden, name
    assert {"app.ui.pages.dashboard", "app.core.safety.lock", "app.core.safety.backup"} <= hidden
    assert "app.__main__" not in hidden


def test_every_handler_function_exists(bundle):
    """What the frozen program will import by name must be importable now."""
    from app.cli import HANDLERS

    for module, func in HANDLERS.values():
        mod = importlib.import_module(f"app.cli.{module}")
        assert callable(getattr(mod, func)), f"app.cli.{module}.{func}"


def _imports_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def test_program_imports_nothing_the_bundle_excludes(bundle):
    """An excluded module the program imports works unfrozen and fails only in the bundle."""
    excluded = set(bundle.EXCLUDES)
    offenders = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        for name in _imports_in(path):
            parts = name.split(".")
            if any(".".join(parts[: i + 1]) in excluded for i in range(len(parts))):
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert not offenders, offenders


def test_program_uses_no_excluded_numpy_submodule_by_attribute(bundle):
    """``np.random.rand`` needs no import statement, so look for the dotted names too."""
    lazy = [m.split(".", 1)[1] for m in bundle.EXCLUDES if m.startswith("numpy.")]
    assert "random" in lazy
    for path in sorted((ROOT / "app").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for sub in lazy:
            assert f"np.{sub}." not in text and f"numpy.{sub}" not in text, f"{path}: numpy.{sub}"


def test_excludes_are_what_the_issue_asks(bundle):
    for qt in ("PySide6.QtWebEngineCore", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtMultimedia"):
        assert qt in bundle.EXCLUDES
    assert "PySide6.QtCore" not in bundle.EXCLUDES
    assert "PySide6.QtWidgets" not in bundle.EXCLUDES
    assert "tkinter" in bundle.EXCLUDES


def test_no_app_module_uses_matplotlib_qt_backend_when_qtsvg_is_excluded(bundle):
    if "PySide6.QtSvg" not in bundle.EXCLUDES:
        return
    for path in (ROOT / "app").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "backend_qtagg" not in text and "FigureCanvasQT" not in text, path


# -- what is kept -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/translations/qtbase_zh_CN.qm", True),
        ("PySide6/Qt/translations/qtbase_de.qm", False),
        ("PySide6/Qt/translations/qt_help_zh_TW.qm", False),
        ("PySide6\\translations\\qtbase_zh_CN.qm", True),  # Windows layout
        ("PySide6\\translations\\qtbase_fr.qm", False),
        ("matplotlib/mpl-data/sample_data/goog.npz", False),
        ("matplotlib/mpl-data/fonts/ttf/DejaVuSans.ttf", True),
        ("matplotlib/mpl-data/fonts/ttf/LastResortHE-Regular.ttf", True),
        ("matplotlib/mpl-data/fonts/ttf/STIXGeneral.ttf", False),
        ("matplotlib/mpl-data/fonts/ttf/cmr10.ttf", False),
        ("matplotlib/mpl-data/fonts/afm/pagd8a.afm", False),
        ("matplotlib/mpl-data/fonts/ttf/DejaVuSans-Bold.ttf", True),
        ("matplotlib/mpl-data/fonts/ttf/DejaVuSans-BoldOblique.ttf", False),
        ("matplotlib/mpl-data/images/home.png", False),
        ("matplotlib/mpl-data/matplotlibrc", True),
        ("resources/fonts/NotoSansSC-GBK.otf", True),
        ("resources/templates/report_default.md.j2", True),
    ],
)
def test_keep_data(bundle, dest, kept):
    assert bundle.keep_data(dest) is kept


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6\\plugins\\platforms\\qwindows.dll", True),
        ("PySide6\\plugins\\styles\\qmodernwindowsstyle.dll", True),
        ("PySide6/plugins/imageformats/qico.dll", True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
        ("PySide6/Qt/plugins/platforms/libqwayland-egl.so", False),
        ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", False),
        ("PySide6\\plugins\\tls\\qschannelbackend.dll", False),
        ("PySide6/plugins/imageformats/qtiff.dll", False),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6\\opengl32sw.dll", False),
        ("PySide6/Qt/lib/libQt6Core.so.6", True),
    ],
)
def test_keep_binary(bundle, dest, kept):
    assert bundle.keep_binary(dest) is kept


def test_prune_orphans_drops_only_what_dropped_plugins_alone_needed(bundle, monkeypatch):
    needs = {
        "/src/libqgtk3.so": {"libcairo.so.2", "libQt6Gui.so.6", "libpixman.so.0"},
        "/src/libcairo.so.2": {"libpixman.so.0"},
        "/src/libpixman.so.0": set(),
        "/src/libqxcb.so": {"libQt6Gui.so.6", "libxcb.so.1"},
        "/src/libQt6Gui.so.6": {"libQt6Core.so.6"},
        "/src/libQt6Core.so.6": set(),
        "/src/libxcb.so.1": set(),
        "/src/libpython3.11.so": set(),
    }
    linux = bundle.linux_slim()
    monkeypatch.setattr(linux, "_ldd_names", lambda src: needs.get(src, set()))
    kept = [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/src/libqxcb.so", "BINARY"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/src/libQt6Gui.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/src/libQt6Core.so.6", "BINARY"),
        ("libcairo.so.2", "/src/libcairo.so.2", "BINARY"),
        ("libpixman.so.0", "/src/libpixman.so.0", "BINARY"),
        ("libxcb.so.1", "/src/libxcb.so.1", "BINARY"),
        ("libpython3.11.so", "/src/libpython3.11.so", "BINARY"),
        ("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK"),
    ]
    dropped = [("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "/src/libqgtk3.so", "BINARY")]
    out, orphans = linux.prune_orphans(kept, dropped)
    assert orphans == ["libcairo.so.2", "libpixman.so.0"]
    names = {e[0] for e in out}
    assert {"libpython3.11.so", "libxcb.so.1", "PySide6/Qt/lib/libQt6Gui.so.6", "libQt6Gui.so.6"} <= names


def test_slim_removes_symlinks_to_removed_files(bundle, monkeypatch, tmp_path):
    linux = bundle.linux_slim()
    monkeypatch.setattr(linux, "_ldd_names", lambda src: set())
    monkeypatch.setattr(linux, "icu_stub", lambda toc, workdir: toc)
    monkeypatch.setattr(linux, "strip_debug_info", lambda toc, workdir: toc)
    binaries = [
        ("PySide6/Qt/plugins/platforms/libqvnc.so", "/x/libqvnc.so", "BINARY"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/x/libQt6Core.so.6", "BINARY"),
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
        ("libqvnc.so", "PySide6/Qt/plugins/platforms/libqvnc.so", "SYMLINK"),
    ]
    datas = [
        ("PySide6/Qt/translations/qtbase_ja.qm", "/x/qtbase_ja.qm", "DATA"),
        ("PySide6/Qt/translations/qtbase_zh_CN.qm", "/x/qtbase_zh_CN.qm", "DATA"),
    ]
    out_bin, out_data = bundle.slim(binaries, datas, tmp_path)
    assert [e[0] for e in out_bin] == ["PySide6/Qt/lib/libQt6Core.so.6", "libQt6Core.so.6"]
    assert [e[0] for e in out_data] == ["PySide6/Qt/translations/qtbase_zh_CN.qm"]


@pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("cc"), reason="needs Linux and cc")
def test_icu_stub_compiles_to_a_valid_empty_icu_data_library(tmp_path):
    """The 31 MB libicudata is replaced by this; ICU must see a well-formed empty table."""
    lib = tmp_path / "libicudata.so.99"
    subprocess.run(
        ["cc", "-shared", "-fPIC", "-DICU_ENTRY=icudt99_dat", "-o", str(lib), str(ROOT / "build" / "icu_stub.c")],
        check=True,
    )
    assert lib.stat().st_size < 100_000
    data = ctypes.CDLL(str(lib))
    header = (ctypes.c_uint8 * 48).in_dll(data, "icudt99_dat")
    raw = bytes(header)
    assert int.from_bytes(raw[0:2], "little") == 32  # headerSize
    assert raw[2:4] == b"\xda\x27"  # ICU magic
    assert raw[12:16] == b"ToCP"  # table-of-contents data format
    assert int.from_bytes(raw[32:36], "little") == 0  # no entries


def test_program_needs_no_icu_collation():
    """The Linux bundle's ICU has no data (build/icu_stub.c): Qt's locale-aware collation
    would silently fall back to code-point order there. Sort Chinese in Python instead, or
    build with FAZHI_BUNDLE_FULL_ICU=1."""
    for path in sorted((ROOT / "app").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for needle in ("QCollator", "localeAwareCompare", "setSortLocaleAware(True)"):
            assert needle not in text, f"{path.relative_to(ROOT)} uses {needle}"


def test_resource_datas_cover_every_resource_file(bundle):
    datas = bundle.resource_datas()
    files = sorted(p for p in (ROOT / "resources").rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    assert len(datas) == len(files) > 0
    for (src, dest_dir), path in zip(datas, files, strict=True):
        assert Path(src) == path
        assert dest_dir == path.parent.relative_to(ROOT).as_posix()
        assert dest_dir.startswith("resources")


def test_resources_found_inside_a_bundle(monkeypatch, tmp_path):
    """Frozen, resources come from sys._MEIPASS/resources (where the spec puts them)."""
    from app.core import paths

    unfrozen = paths.resources_dir()
    assert (unfrozen / "templates").is_dir()
    (tmp_path / "resources" / "templates").mkdir(parents=True)
    (tmp_path / "resources" / "templates" / "x.j2").write_text("ok", encoding="utf-8")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.resources_dir() == tmp_path / "resources"
    assert paths.resource("templates", "x.j2").read_text(encoding="utf-8") == "ok"


# -- name, version, icon, entry -----------------------------------------------------------


def test_version_and_name_come_from_the_package(bundle):
    with open(ROOT / "pyproject.toml", "rb") as fh:
        project = tomllib.load(fh)["project"]
    assert bundle.version() == project["version"]
    assert bundle.version() == importlib.metadata.version("fazhi-taizhang")
    assert bundle.version_tuple()[: len(project["version"].split("."))] == tuple(
        int(n) for n in project["version"].split(".")
    )
    assert len(bundle.version_tuple()) == 4


REQUIRE_DIST = "FAZHI_REQUIRE_DIST"


def _pyinstaller_compat():
    """PyInstaller comes with the ``dist`` extra (``make .venv/.installed-dist``), not with
    ``make test``: without it these tests skip, even in CI (``CI=true make test`` on a fresh
    clone passes).  ``.ci/run`` installs it and sets FAZHI_REQUIRE_DIST=1 for its ``make
    test``: there a missing PyInstaller fails instead, as a missing LibreOffice does."""
    if os.environ.get(REQUIRE_DIST):
        return importlib.import_module("PyInstaller.compat")
    return pytest.importorskip(
        "PyInstaller.compat", reason="需要 PyInstaller（make .venv/.installed-dist；FAZHI_REQUIRE_DIST=1 时必须有）"
    )


def test_windows_version_resource_carries_name_and_version(bundle, monkeypatch):
    # PyInstaller's versioninfo needs pefile and pywin32 (Windows only): stand in for them
    compat = _pyinstaller_compat()
    monkeypatch.setitem(sys.modules, "pefile", type(sys)("pefile"))
    monkeypatch.setattr(compat, "win32api", type(sys)("win32api"), raising=False)
    monkeypatch.delitem(sys.modules, "PyInstaller.utils.win32.versioninfo", raising=False)
    info = bundle.windows_version_info()
    raw = info.toRaw()
    assert "法治台账".encode("utf-16-le") in raw
    assert bundle.version().encode("utf-16-le") in raw
    assert f"filevers={bundle.version_tuple()}" in str(info)


def test_icon_files_exist_with_windows_sizes(bundle):
    from PIL import Image

    with Image.open(bundle.ICON_ICO) as ico:
        sizes = ico.info["sizes"]
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(sizes)
    with Image.open(bundle.ICON_PNG) as png:
        assert png.size == (256, 256)


def test_entry_gives_a_windowed_program_streams(monkeypatch):
    entry = _load("fazhi_entry", ROOT / "build" / "entry.py")
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    entry._ensure_streams()
    print("法治台账")  # would raise AttributeError on None without the fix
    sys.stderr.write("法治台账\n")


def test_entry_switches_a_stream_that_cannot_hold_chinese_to_utf8(monkeypatch, tmp_path):
    entry = _load("fazhi_entry", ROOT / "build" / "entry.py")
    fh = open(tmp_path / "out.txt", "w", encoding="cp1252")  # noqa: SIM115
    monkeypatch.setattr(sys, "stdout", fh)
    entry._ensure_streams()
    print("已生成报告")
    fh.close()
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "已生成报告\n"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG_CACHE_HOME is how platformdirs is steered here")
def test_entry_keeps_matplotlib_font_cache_between_runs(monkeypatch, tmp_path):
    entry = _load("fazhi_entry", ROOT / "build" / "entry.py")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "pyinstaller-temp"))  # what the run-time hook sets
    entry._persistent_matplotlib_cache()
    assert Path(os.environ["MPLCONFIGDIR"]) == tmp_path / "cache" / "FazhiTaizhang" / "matplotlib"
    assert Path(os.environ["MPLCONFIGDIR"]).is_dir()


# -- Windows installer and workflow -------------------------------------------------------


@pytest.fixture(scope="module")
def iss() -> str:
    raw = ISS.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "ISCC needs the BOM to read the Chinese names as UTF-8"
    return raw.decode("utf-8-sig")


def _directives(iss: str) -> dict[str, str]:
    out = {}
    section = None
    for line in iss.splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Setup]" and "=" in line and not line.startswith((";", "#")):
            key, value = line.split("=", 1)
            out[key.strip()] = value.strip()
    return out


def test_iss_installs_per_user_without_admin(iss):
    d = _directives(iss)
    assert d["PrivilegesRequired"] == "lowest"
    assert d["DefaultDirName"].startswith(("{userpf}", "{localappdata}", "{autopf}"))
    assert "PrivilegesRequiredOverridesAllowed" not in d


def test_iss_upgrades_in_place_with_a_stable_app_id(iss):
    d = _directives(iss)
    assert re.fullmatch(r"\{\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}", d["AppId"])
    assert d["AppId"] == "{{313379E4-F4B8-468C-8F2A-B46F55B8737F}"  # never change: upgrades find it
    assert d["AppVersion"] == "{#AppVersion}"  # from the build (/DAppVersion=...)


def test_iss_never_deletes_the_data_folder(iss):
    from app.core.paths import APP_NAME

    deleting = []
    section = None
    for line in iss.splitlines():
        s = line.strip()
        if s.startswith("["):
            section = s
        elif section in ("[UninstallDelete]", "[InstallDelete]", "[UninstallRun]") and s and not s.startswith(";"):
            deleting.append(s)
    assert deleting, "expected the [InstallDelete] of old program files"
    for entry in deleting:
        assert (
            "{localappdata}" not in entry
            and "{userappdata}" not in entry
            and APP_NAME not in entry.replace("{app}", "")
        ), entry
        assert "{app}" in entry  # only the program folder
    assert "[Code]" not in iss  # no script that could remove folders behind our back


def test_iss_makes_start_menu_and_desktop_shortcuts_to_the_gui(iss, bundle):
    icons = [line for line in iss.splitlines() if line.startswith("Name:") and "Filename:" in line]
    gui = f"{bundle.GUI_NAME}.exe"
    assert any("{group}" in line and "{#AppExe}" in line for line in icons)
    assert any("{userdesktop}" in line and "{#AppExe}" in line for line in icons)
    assert f'#define AppExe "{gui}"' in iss
    assert f'#define CliExe "{bundle.CLI_NAME}.exe"' in iss
    assert '#define AppName "法治台账"' in iss
    assert '#define BundleDir "..\\..\\dist\\fazhi-taizhang"' in iss


def test_workflow_builds_bundle_and_installer_on_windows():
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "runs-on: windows-" in text
    assert "pyinstaller --noconfirm" in text and "installer.spec" in text
    assert "ISCC.exe" in text and "build\\windows\\fazhi-taizhang.iss" in text
    assert "/DAppVersion=" in text
    assert "fazhi-cli.exe" in text and " demo" in text and " report --year 2024" in text
    assert "\t" not in text  # YAML forbids tabs


def test_makefile_dist_builds_the_spec():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    rule = re.search(r"^dist:.*\n((?:\t.*\n)+)", text, re.M)
    assert rule and "installer.spec" in rule.group(1) and "--distpath dist" in rule.group(1)
    assert "build/smoke_test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


# -- CI=true make test on a fresh clone (no PyInstaller) ------------------------------------


@pytest.mark.parametrize(("require", "outcome"), [(None, "SKIPPED [1]"), ("1", "FAILED tests/test_packaging.py")])
def test_packaging_tests_skip_without_pyinstaller_unless_required(tmp_path, require, outcome):
    hidden = tmp_path / "no-pyinstaller" / "PyInstaller"
    hidden.mkdir(parents=True)
    not_installed = "raise ModuleNotFoundError(\"No module named 'PyInstaller'\", name='PyInstaller')\n"
    (hidden / "__init__.py").write_text(not_installed)
    env = {k: v for k, v in os.environ.items() if k != REQUIRE_DIST}
    env.update(CI="true", PYTHONPATH=os.pathsep.join([str(hidden.parent), str(ROOT)]))
    if require:
        env[REQUIRE_DIST] = require
    test = "tests/test_packaging.py::test_windows_version_resource_carries_name_and_version"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", test, "-rsf", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    assert outcome in done.stdout, done.stdout + done.stderr
    if not require:
        assert "PyInstaller" in done.stdout  # the reason says what is missing


def test_ci_run_requires_pyinstaller_for_its_make_test():
    text = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make .venv/.installed-dist" in text
    assert re.search(rf"^{REQUIRE_DIST}=1 make test$", text, re.M), "CI must run the packaging tests"
