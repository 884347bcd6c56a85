#!/usr/bin/env bash
# Build the Windows installer on this Linux machine:
#   bash packaging/windows/build.sh
# gives dist/installer/亮赛比桌面版-安装程序-<version>.exe (and the bundle in dist/windows/).
#
# Windows CPython 3.11 and PyInstaller run under wine (Debian's wine64); the project's runtime
# dependencies come as Windows wheels (no dev dependencies); NSIS (Debian's makensis) makes a
# per-user installer. Downloads are cached in $LSB_WINDOWS_CACHE (default ~/.cache/lsb-windows).
#
# Signing (optional): with LSB_SIGN_PKCS12=<certificate.pfx> (and LSB_SIGN_PASSWORD if it has
# one; LSB_SIGN_TIMESTAMP=<timestamp server URL> to timestamp), osslsigncode signs both exes and
# the installer. Without it the build is unsigned, and Windows SmartScreen warns on first run.
source "$(dirname "$0")/common.sh"
started=$SECONDS

ensure_debs wine64 nsis
ensure_wine
ensure_python_base

VERSION="$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$REPO/pyproject.toml")"
requirements="$CACHE/build-requirements.txt"
{ runtime_requirements; echo "pyinstaller>=6.10,<7"; } >"$requirements"
make_env python-build "$requirements"

say "PyInstaller under wine (version $VERSION)"
rm -rf "$REPO/dist/windows"
mkdir -p "$REPO/dist/windows" "$CACHE/pyinstaller-work"
(cd "$REPO" && wine_run "$CACHE/python-build/python.exe" -m PyInstaller --noconfirm --log-level WARN \
    --distpath "Z:$REPO/dist/windows" --workpath "Z:$CACHE/pyinstaller-work" "Z:$REPO/pyinstaller.spec") \
    | grep -avE "^[0-9]+ (INFO|DEBUG):" || true
bundle="$REPO/dist/windows/$APP_NAME"
[ -f "$bundle/$APP_NAME.exe" ] && [ -f "$bundle/lsb-cli.exe" ] || { echo "错误：PyInstaller 没有生成两个 exe" >&2; exit 1; }

bash "$HERE/sign.sh" "$bundle/$APP_NAME.exe" "$bundle/lsb-cli.exe"

say "NSIS installer"
installer="$REPO/dist/installer/$APP_NAME-安装程序-$VERSION.exe"
mkdir -p "$REPO/dist/installer"
rm -f "$installer"
# The version resource wants four numbers.
numeric="$(python3 -c 'import sys; n = (sys.argv[1].split(".") + ["0"] * 4)[:4]; print(".".join(str(int("".join(c for c in p if c.isdigit()) or 0)) for p in n))' "$VERSION")"
makensis -V2 -INPUTCHARSET UTF8 \
    "-DAPP_VERSION=$VERSION" "-DAPP_VERSION_NUMERIC=$numeric" "-DBUNDLE=$bundle" \
    "-DOUTFILE=$installer" "-DICON=$REPO/resources/app.ico" "$HERE/installer.nsi"
bash "$HERE/sign.sh" "$installer"

megabytes() { awk -v b="$1" 'BEGIN { printf "%.1f MB (%.1f MiB)", b / 1e6, b / 1048576 }'; }
installer_size=$(stat -c %s "$installer")
installed_size=$(du -sb "$bundle" | cut -f1)
say "done in $((SECONDS - started)) s"
echo "   installer: $installer"
echo "   installer size: $(megabytes "$installer_size") (goal ≤ 60 MB)"
echo "   installed size: $(megabytes "$installed_size") in $(find "$bundle" -type f | wc -l) files (goal ≤ 150 MB)"
over=0
[ "$installer_size" -le $((60 * 1000 * 1000)) ] || { echo "   警告：安装程序超过 60 MB"; over=1; }
[ "$installed_size" -le $((150 * 1000 * 1000)) ] || { echo "   警告：安装后超过 150 MB"; over=1; }
exit "$over"
