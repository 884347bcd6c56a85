"""The Windows installer script compiles with Debian's makensis (skipped where there is none).

The build itself (PyInstaller under wine) and the installed program are tried by
packaging/windows/build.sh and test.sh; this only keeps installer.nsi buildable, in a second.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "packaging" / "windows" / "installer.nsi"

pytestmark = pytest.mark.skipif(shutil.which("makensis") is None, reason="makensis (Debian nsis) is not installed")


def test_installer_script_builds_a_per_user_installer(tmp_path: Path) -> None:
    bundle = tmp_path / "亮赛比桌面版"
    (bundle / "_internal").mkdir(parents=True)
    for name in ("亮赛比桌面版.exe", "lsb-cli.exe", "_internal/python311.dll"):
        (bundle / name).write_bytes(b"MZ stand-in")
    output = tmp_path / "安装程序 #1 %.exe"
    result = subprocess.run(
        [
            "makensis",
            "-V2",
            "-INPUTCHARSET",
            "UTF8",
            "-XSetCompressor /FINAL zlib",
            "-DAPP_VERSION=1.2.3",
            "-DAPP_VERSION_NUMERIC=1.2.3.0",
            f"-DBUNDLE={bundle}",
            f"-DOUTFILE={output}",
            f"-DICON={ROOT / 'resources' / 'app.ico'}",
            str(SCRIPT),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    data = output.read_bytes()
    assert data[:2] == b"MZ"
    # The installer's own version resource names the product.
    assert "亮赛比桌面版".encode("utf-16-le") in data
    assert "1.2.3".encode("utf-16-le") in data


def test_installer_script_installs_per_user_and_keeps_the_data() -> None:
    text = SCRIPT.read_text(encoding="utf-8")
    assert "RequestExecutionLevel user" in text
    assert 'InstallDir "$LOCALAPPDATA\\Programs\\' in text
    assert '!insertmacro MUI_LANGUAGE "SimpChinese"' in text
    assert "${IfNot} ${AtLeastWin10}" in text
    uninstall = text[text.index('Section "Uninstall"') :]
    # The uninstaller removes the program's own files only, never a folder tree outside it.
    removed = [line.split()[-1] for line in uninstall.splitlines() if line.strip().startswith("RMDir /r")]
    assert removed == ['"$INSTDIR\\_internal"']
