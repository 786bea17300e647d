#!/usr/bin/env bash
# Try the bundle as a new user would: copied elsewhere, clean environment (no venv, no
# PYTHONPATH, no LANG), an empty home. Fails (non-zero) if any step fails.
#   build/smoke_test.sh [BUNDLE_DIR]      (default dist/fazhi-taizhang)
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=${1:-dist/fazhi-taizhang}
test -x "$bundle/fazhi-cli" || { echo "smoke: no bundle at $bundle (run make dist)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -a "$bundle" "$tmp/app"            # relocated: nothing may point back into the repo
mkdir -p "$tmp/home" "$tmp/work"
cli="$tmp/app/fazhi-cli"
gui="$tmp/app/fazhi-taizhang"
clean() { (cd "$tmp/work" && env -i PATH=/usr/bin:/bin HOME="$tmp/home" "$@"); }
step() { printf 'smoke: %s\n' "$*"; }

step "every module of the program is in the bundle (some are imported by name only)"
missing=$(cd app && find . -name '*.py' ! -name '__main__.py' ! -path '*/__pycache__/*' | sed 's/\.py$//' | sort |
    while read -r m; do [ -e "$tmp/app/_internal/app/$m.pyc" ] || echo "$m"; done)
if [ -n "$missing" ]; then echo "smoke: missing from the bundle: $missing" >&2; exit 1; fi

step "ledgers --json"
clean "$cli" ledgers --json > "$tmp/ledgers.json"
grep -q '"study_sessions"' "$tmp/ledgers.json"

step "settings (default data folder under the empty home)"
clean "$cli" settings county=丰都县 town=武平镇 > /dev/null
clean "$cli" settings | grep -q 丰都县
test -n "$(find "$tmp/home" -name ledgers.db)"

step "demo"
clean "$cli" --db "$tmp/work/t.db" demo --year 2024

step "report --year 2024"
clean "$cli" --db "$tmp/work/t.db" report --year 2024 --out "$tmp/work/report.docx" --charts "$tmp/work/charts"
test -s "$tmp/work/report.docx"
# a .docx is a zip: its text must hold the title, the parts, and a number from the demo figures
checker=.venv/bin/python
[ -x "$checker" ] || checker=$(command -v python3 || true)
if [ -n "$checker" ]; then
    "$checker" - "$tmp/work/report.docx" <<'PY'
import re, sys, zipfile
xml = zipfile.ZipFile(sys.argv[1]).read("word/document.xml").decode("utf-8")
text = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml))
for needle in ("2024年法治政府建设情况报告", "主要举措和成效", "配备执法人员8人", "三、存在的不足"):
    assert needle in text, f"report lacks {needle!r}"
print(f"smoke: report.docx ok ({len(text)} characters of text)")
PY
fi
ls "$tmp/work/charts" | grep -q '\.png$'
# matplotlib's font cache is kept between runs (not rebuilt in a temporary folder each time)
ls "$tmp/home/.cache/FazhiTaizhang/matplotlib/" | grep -q '^fontlist'

step "backup"
clean "$cli" --db "$tmp/work/t.db" backup --to "$tmp/work/t-backup.db"
test -s "$tmp/work/t-backup.db"

step "password set: the database and its backup encrypted (SQLCipher in the bundle)"
cp "$tmp/work/t.db" "$tmp/work/enc.db"
printf '武平镇秘密2024\n武平镇秘密2024\n' | clean "$cli" --db "$tmp/work/enc.db" password set | grep -q 恢复码
if head -c 16 "$tmp/work/enc.db" | grep -q 'SQLite format 3'; then echo "smoke: not encrypted" >&2; exit 1; fi
clean env FAZHI_PASSWORD=武平镇秘密2024 "$cli" --db "$tmp/work/enc.db" figures --year 2024 | grep -q 114次
if clean env FAZHI_PASSWORD=错 "$cli" --db "$tmp/work/enc.db" figures --year 2024 2>/dev/null; then
    echo "smoke: a wrong password was accepted" >&2; exit 1
fi

step "a failing command fails with a Chinese message"
if clean "$cli" --db "$tmp/work/t.db" import no_such_ledger "$tmp/work/none.xlsx" 2> "$tmp/err.txt"; then
    echo "smoke: expected a failure" >&2; exit 1
fi
grep -q '错误' "$tmp/err.txt"

if [ -z "${SMOKE_NO_GUI:-}" ]; then
    # --check-window, as IT checks an install: the window painted, the database open in it,
    # every page opened once (pages are imported by name: one missing from the bundle fails)
    gui_ok() {
        grep -q '^窗口已打开' "$tmp/gui.out" && grep -q '^各页均已打开' "$tmp/gui.out" &&
            ! grep -q 'Traceback' "$tmp/gui.err"
    }
    step "GUI: --check-window paints the window and opens every page (offscreen)"
    clean env QT_QPA_PLATFORM=offscreen timeout 120 "$gui" --db "$tmp/work/t.db" --check-window \
        > "$tmp/gui.out" 2> "$tmp/gui.err" ||
        { cat "$tmp/gui.out" "$tmp/gui.err" >&2; echo "smoke: the window failed" >&2; exit 1; }
    gui_ok || { cat "$tmp/gui.out" "$tmp/gui.err" >&2; echo "smoke: no window shown" >&2; exit 1; }
    if command -v xvfb-run > /dev/null; then
        # a real X server: the xcb platform plugin and the X libraries bundled with it
        step "GUI on an X server (Xvfb, xcb platform): --check-window"
        (cd "$tmp/work" && timeout 120 xvfb-run -a -s "-screen 0 1400x900x24" bash -c \
            'env -i PATH=/usr/bin:/bin HOME="$1" DISPLAY="$DISPLAY" XAUTHORITY="$XAUTHORITY" QT_QPA_PLATFORM=xcb \
             "$0" --db "$2" --check-window' \
            "$gui" "$tmp/home" "$tmp/work/t.db") > "$tmp/gui.out" 2> "$tmp/gui.err" ||
            { cat "$tmp/gui.out" "$tmp/gui.err" >&2; echo "smoke: the window failed on X" >&2; exit 1; }
        gui_ok || { cat "$tmp/gui.out" "$tmp/gui.err" >&2; echo "smoke: no window on X" >&2; exit 1; }
    fi
fi
echo "smoke: all passed"
