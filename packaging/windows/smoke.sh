#!/usr/bin/env bash
# Smoke run of the built Windows bundle under wine (test.sh calls it):
#   bash packaging/windows/smoke.sh dist/windows/亮赛比桌面版
# The console exe lsb-cli.exe runs demo, check, the three exports, a roster export and its
# import into a second data folder, all in folders whose paths have Chinese characters, spaces,
# '#' and '%'; its output, read through a pipe, must be UTF-8. Then the window exe opens its
# window offscreen (--smoke-test), and, when the installer was built, it is installed silently
# into the wine user's profile and uninstalled again.
source "$(dirname "$0")/common.sh"
bundle="$(cd "$1" && pwd)"
cli="$bundle/lsb-cli.exe"
failures=0

work="$(mktemp -d /tmp/lsb-smoke.XXXXXX)"
data="$work/亮赛比 数据 #1 100%"
second="$work/第二个 文件夹 #2 50%25"
out="$work/导出 #3 %"
mkdir -p "$out"
win() { printf 'Z:%s' "$1"; }  # wine sees / as Z:

# run NAME COMMAND...: lsb-cli.exe through a pipe; exit 0 and UTF-8 output wanted.
run() {
    local name="$1" status=0
    shift
    # Pipes, not files: see wine_run in common.sh.
    timeout 300 "${WINE[@]}" "$cli" "$@" </dev/null 2> >(cat >"$work/$name.err") | cat >"$work/$name.out" || status=$?
    wait
    if [ "$status" -ne 0 ]; then
        echo "   FAIL $name: exit $status"; sed 's/^/      /' "$work/$name.err" | tail -15
        failures=$((failures + 1)); return 1
    fi
    if ! iconv -f UTF-8 -t UTF-8 "$work/$name.out" >/dev/null 2>&1; then
        echo "   FAIL $name: its redirected output is not UTF-8 ($(file -b "$work/$name.out"))"
        failures=$((failures + 1)); return 1
    fi
    echo "   ok   $name: $(tail -n1 "$work/$name.out" | cut -c1-100)"
}

# expect FILE: a non-empty output file.
expect() {
    if [ -s "$1" ]; then echo "   ok   $(basename "$1") ($(stat -c %s "$1") bytes)"
    else echo "   FAIL no $1"; failures=$((failures + 1)); fi
}

say "smoke run of $cli under wine, data folder $(win "$data")"
smoke_started=$SECONDS
run version --version
run demo --data-dir "$(win "$data")" demo
run check check --data-dir "$(win "$data")" --json && grep -q '"ok": true' "$work/check.out" ||
    { echo "   FAIL check does not say ok"; failures=$((failures + 1)); }
run ranking --data-dir "$(win "$data")" export ranking 2024Q4 -o "$(win "$out/得分汇总表 #.xlsx")"
expect "$out/得分汇总表 #.xlsx"
run certificates --data-dir "$(win "$data")" export certificates 2024Q4 -o "$(win "$out/荣誉证书 %.pdf")"
expect "$out/荣誉证书 %.pdf"
run notices --data-dir "$(win "$data")" export notices 2024Q4 -o "$(win "$out/通报 #%.pdf")"
expect "$out/通报 #%.pdf"
run roster-export --data-dir "$(win "$data")" villages export "$(win "$out/花名册 #.xlsx")"
expect "$out/花名册 #.xlsx"
run roster-import --data-dir "$(win "$second")" villages import "$(win "$out/花名册 #.xlsx")" --start 2024-01-01
run second-check --data-dir "$(win "$second")" check
[ -d "$data/backups" ] || [ -n "$(find "$data" -name '*.db' -path '*backup*' 2>/dev/null | head -1)" ] ||
    echo "   note: no backup folder under the data folder (see the list of files below)"
find "$data" -maxdepth 2 | sed "s|^$work/|      |" | head -20

# The window exe, offscreen. Under wine 8 Qt 6.9's window start ends in an unhandled exception
# (c0000409) right after wine fails Windows.UI.ViewManagement.UISettings, a WinRT class wine does
# not have: so this is reported, not counted, and the window is tried on a real Windows only.
# (An error would wait in a message box nobody sees: hence the time limit.)
status=0
timeout 180 "${WINE[@]}" "$bundle/亮赛比桌面版.exe" --data-dir "$(win "$data")" --screenshot "$(win "$work/window.png")" \
    </dev/null >/dev/null 2>&1 || status=$?
if [ "$status" -eq 0 ] && [ -s "$work/window.png" ]; then echo "   ok   window exe: screenshot $work/window.png"
else echo "   note window exe --screenshot: exit $status under wine (not counted, see smoke.sh)"; fi

# The version resource and the icon sizes, read from the exe's bytes.
python3 - "$bundle/亮赛比桌面版.exe" "$bundle/lsb-cli.exe" <<'PY' || failures=$((failures + 1))
import sys
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    for key, value in (("ProductName", "亮赛比桌面版"), ("CompanyName", "亮赛比桌面版开发组")):
        if (key + "\0").encode("utf-16-le") not in data or value.encode("utf-16-le") not in data:
            sys.exit(f"   FAIL {path}: no {key} {value} in its version resource")
print("   ok   version resource (ProductName, CompanyName) in both exes")
PY

installer="$(ls "$REPO"/dist/installer/*.exe 2>/dev/null | head -1 || true)"
if [ -n "$installer" ]; then
    say "silent install and uninstall of $(basename "$installer") under wine"
    profile="$WINEPREFIX/drive_c/users/$(id -un)"
    [ -d "$profile" ] || profile="$(find "$WINEPREFIX/drive_c/users" -mindepth 1 -maxdepth 1 -type d ! -name Public | head -1)"
    target="$profile/AppData/Local/Programs/亮赛比桌面版"
    status=0
    timeout 300 "${WINE[@]}" "$installer" /S </dev/null >/dev/null 2>&1 || status=$?
    if [ "$status" -eq 0 ] && [ -f "$target/lsb-cli.exe" ] && [ -f "$target/亮赛比桌面版.exe" ]; then
        echo "   ok   installed into $target"
    else echo "   FAIL silent install: exit $status, nothing in $target"; failures=$((failures + 1)); fi
    for link in "$profile/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/亮赛比桌面版.lnk" \
                "$profile/Desktop/亮赛比桌面版.lnk"; do
        [ -f "$link" ] && echo "   ok   shortcut ${link#$profile/}" ||
            { echo "   FAIL no shortcut ${link#$profile/}"; failures=$((failures + 1)); }
    done
    # Asked of wine's registry itself: user.reg on disk is written later.
    app_entry() { wine_run reg query 'HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\LsbDesktop' /v DisplayName 2>/dev/null | grep -q DisplayName; }
    # Asked a few times: on a loaded machine the first query once came back empty.
    entry_found() { for _ in 1 2 3 4 5; do app_entry && return 0; sleep 2; done; return 1; }
    entry_found && echo "   ok   app-list entry (HKCU ... Uninstall\\LsbDesktop)" ||
        { echo "   FAIL no app-list entry"; failures=$((failures + 1)); }
    wine_run "$target/lsb-cli.exe" --data-dir "$(win "$data")" check </dev/null >"$work/installed.out" &&
        echo "   ok   the installed lsb-cli.exe checks the data folder" ||
        { echo "   FAIL the installed lsb-cli.exe"; failures=$((failures + 1)); }
    "${WINE[@]}" "$target/卸载亮赛比桌面版.exe" /S </dev/null >/dev/null 2>&1 || true
    sleep 3  # the uninstaller copies itself to %TEMP% and goes on from there
    for _ in 1 2 3 4 5 6 7 8 9 10; do [ -e "$target" ] || break; sleep 1; done
    if [ ! -e "$target" ] && ! app_entry; then
        echo "   ok   uninstalled: program folder and app-list entry gone"
    else echo "   FAIL uninstall left $(ls "$target" 2>/dev/null | head -3 | tr '\n' ' ')"; failures=$((failures + 1)); fi
    [ -s "$(find "$data" -name '*.db' | head -1)" ] && echo "   ok   the data folder is still there" ||
        { echo "   FAIL the data folder is gone"; failures=$((failures + 1)); }
fi

echo "   smoke run: $((SECONDS - smoke_started)) s, $failures failure(s); files in $work"
[ "$failures" -eq 0 ]
