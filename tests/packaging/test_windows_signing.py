"""packaging/windows/sign.sh signs with the certificate it is given and does nothing without one.

A self-signed certificate made here stands in for the office's; the signed file is read back
with osslsigncode verify. Skipped where openssl, osslsigncode or makensis is missing."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SIGN = ROOT / "packaging" / "windows" / "sign.sh"

pytestmark = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in ("openssl", "osslsigncode", "makensis")),
    reason="openssl, osslsigncode and makensis (Debian) are needed",
)


def _small_exe(folder: Path) -> Path:
    """A real PE file to sign: the smallest NSIS installer."""
    script = folder / "small.nsi"
    output = folder / "小程序 #1.exe"
    script.write_text(
        f'Unicode true\nOutFile "{output}"\nRequestExecutionLevel user\nSection\nSectionEnd\n', encoding="utf-8"
    )
    subprocess.run(["makensis", "-V1", "-INPUTCHARSET", "UTF8", str(script)], check=True, timeout=120)
    return output


def _certificate(folder: Path, password: str) -> Path:
    key, cert, bundle = folder / "key.pem", folder / "cert.pem", folder / "证书.p12"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=LsbDesktop Test Signer/O=Test",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            "openssl",
            "pkcs12",
            "-export",
            "-inkey",
            str(key),
            "-in",
            str(cert),
            "-out",
            str(bundle),
            "-passout",
            f"pass:{password}",
        ],
        check=True,
        capture_output=True,
    )
    return bundle


def _sign(files: list[Path], **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("LSB_SIGN_")} | env
    return subprocess.run(
        ["bash", str(SIGN), *map(str, files)], env=environment, capture_output=True, text=True, timeout=120
    )


def _verify(file: Path) -> str:
    result = subprocess.run(
        ["osslsigncode", "verify", "-ignore-cdp", "-ignore-crl", "-in", str(file)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout + result.stderr


def test_a_supplied_certificate_signs_the_file(tmp_path: Path) -> None:
    exe = _small_exe(tmp_path)
    before = exe.read_bytes()
    result = _sign([exe], LSB_SIGN_PKCS12=str(_certificate(tmp_path, "口令 1")), LSB_SIGN_PASSWORD="口令 1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert exe.read_bytes() != before
    report = _verify(exe)
    assert "Subject: /CN=LsbDesktop Test Signer" in report
    assert "Text description: 亮赛比桌面版" in report
    assert "Message digest algorithm  : SHA256" in report
    # The file's digest matches the signed one (only the self-signed root is untrusted).
    current = report.split("Current message digest    :")[1].split()[0]
    assert report.split("Calculated message digest :")[1].split()[0] == current
    assert list(tmp_path.glob("*.signed")) == []


def test_no_certificate_leaves_the_file_unsigned(tmp_path: Path) -> None:
    exe = _small_exe(tmp_path)
    before = exe.read_bytes()
    assert _sign([exe]).returncode == 0
    assert exe.read_bytes() == before
    assert "No signature found" in _verify(exe)


def test_a_wrong_password_fails_with_a_chinese_message_and_keeps_the_file(tmp_path: Path) -> None:
    exe = _small_exe(tmp_path)
    before = exe.read_bytes()
    result = _sign([exe], LSB_SIGN_PKCS12=str(_certificate(tmp_path, "right")), LSB_SIGN_PASSWORD="wrong")
    assert result.returncode != 0
    assert "签名" in result.stderr and "失败" in result.stderr
    assert exe.read_bytes() == before
