"""Evidence files (photos, scans, documents) copied into the data folder with a SHA-256.

Files are stored by content (evidence/ab/abcdef…​.jpg), so the same photo attached twice is kept
once and a file can never be half-replaced. The database row says which item it belongs to
("progress:7", "commitment:3", "star:12") and what the clerk called it."""

from __future__ import annotations

import builtins  # EvidenceStore.list shadows list in the class body
import hashlib
import os
import re
import shutil
import stat
import tempfile
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import EvidenceFileRecord
from lsb_desktop.domain.commitments import EvidenceFile
from lsb_desktop.errors import NotFoundError, ValidationError
from lsb_desktop.services.audit import Names

MAX_BYTES = 200 * 1024 * 1024
# What `add` stores: the first two hex digits of the SHA-256 as a folder, the digest, the suffix.
_STORED = re.compile(r"[0-9a-f]{2}/[0-9a-f]{64}(?:\.[^/\\:\x00-\x1f]{1,15})?")
OUTSIDE = "登记的存放位置被改动，指向附件文件夹以外（或经过快捷方式），程序不会打开它"
VIEWING_FOLDER = "亮赛比附件"  # read-only copies opened for viewing live here, in the temporary folder
_CHUNK = 1024 * 1024


def _safe_name(name: str) -> str:
    """The clerk's file name, without characters Windows refuses in a name."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip(" .")
    return cleaned or "附件"


def _hash(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class EvidenceStore:
    """The evidence folder of one data folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_of(self, stored_path: str) -> Path:
        return self.root / stored_path

    def inside(self, stored_path: str) -> Path | None:
        """The stored file's path when it is one this store writes (ab/<sha-256><suffix>) and
        really lies inside the evidence folder; None for a path edited to point elsewhere
        ("../../", an absolute path) or through a symbolic link, which is never followed."""
        if not _STORED.fullmatch(stored_path or ""):
            return None
        path = self.root / stored_path
        try:
            if path.is_symlink() or path.parent.is_symlink():
                return None
            root = self.root.resolve()
            if not path.resolve().is_relative_to(root):
                return None
        except (OSError, RuntimeError):
            return None
        return path

    def _to_file(self, record: EvidenceFileRecord) -> EvidenceFile:
        return EvidenceFile(
            record.id,
            record.owner,
            record.original_name,
            str(self.path_of(record.stored_path)),
            record.sha256,
            record.size,
            record.added_at.isoformat(sep=" "),
            record.note,
        )

    def add(self, session: Session, owner: str, source: Path, note: str = "") -> EvidenceFile:
        """Copy `source` in (inside the caller's transaction for the row). The copy is written
        to a temporary name and renamed, so a crash never leaves half a file under the final name;
        a copy whose row is rolled back stays as an unreferenced file, which `verify` ignores."""
        source = Path(source)
        if not source.is_file():
            raise ValidationError(f"找不到文件“{source}”")
        try:
            sha, size = _hash(source)
        except OSError as exc:
            raise ValidationError(f"无法读取文件“{source.name}”：{exc.strerror or exc}") from None
        if size > MAX_BYTES:
            raise ValidationError(f"文件“{source.name}”有 {size // (1024 * 1024)} MB，超过了 200 MB，请压缩后再附上")
        stored = f"{sha[:2]}/{sha}{source.suffix.lower()[:16]}"
        target = self.path_of(stored)
        # A file already there under this name is reused only if it still holds this content
        # (one changed or damaged since is replaced by the good copy being attached now).
        if not target.is_file() or _hash(target)[0] != sha:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".copy-")
            os.close(handle)
            try:
                shutil.copyfile(source, temporary)
                with open(temporary, "rb+") as stream:
                    os.fsync(stream.fileno())  # on disk before the row that refers to it commits
                copied, _ = _hash(Path(temporary))
                if copied != sha:
                    raise ValidationError(f"复制“{source.name}”时内容发生变化，请重试")
                os.replace(temporary, target)
            finally:
                if os.path.exists(temporary):
                    os.unlink(temporary)
        record = EvidenceFileRecord(
            owner=owner,
            original_name=source.name,
            stored_path=stored,
            sha256=sha,
            size=size,
            added_at=datetime.now().replace(microsecond=0),
            note=note,
        )
        session.add(record)
        session.flush()
        return self._to_file(record)

    def list(self, session: Session, owners: list[str]) -> list[EvidenceFile]:
        if not owners:
            return []
        records = session.scalars(
            select(EvidenceFileRecord).where(EvidenceFileRecord.owner.in_(owners)).order_by(EvidenceFileRecord.id)
        )
        return [self._to_file(r) for r in records]

    def get(self, session: Session, evidence_id: int) -> EvidenceFile:
        record = session.get(EvidenceFileRecord, evidence_id)
        if record is None:
            raise NotFoundError(f"找不到编号为 {evidence_id} 的附件")
        return self._to_file(record)

    def counts(self, session: Session, owners: builtins.list[str]) -> dict[str, int]:
        result: dict[str, int] = {}
        for owner in session.scalars(select(EvidenceFileRecord.owner).where(EvidenceFileRecord.owner.in_(owners))):
            result[owner] = result.get(owner, 0) + 1
        return result

    def open_path(self, session: Session, evidence_id: int) -> Path:
        """The file to open, after checking it is there and unchanged."""
        record = session.get(EvidenceFileRecord, evidence_id)
        if record is None:
            raise NotFoundError(f"找不到编号为 {evidence_id} 的附件")
        path = self.inside(record.stored_path)
        if path is None:
            raise ValidationError(f"附件“{record.original_name}”{OUTSIDE}。请用“检查数据”查看，从备份中找回或重新附上")
        if not path.is_file():
            raise ValidationError(f"附件“{record.original_name}”的文件不见了（{path}），请从备份中找回或重新附上")
        if _hash(path)[0] != record.sha256:
            raise ValidationError(f"附件“{record.original_name}”的内容与登记时的校验值不一致，文件可能被改动过")
        return self._viewing_copy(path, record)

    def _viewing_copy(self, path: Path, record: EvidenceFileRecord) -> Path:
        """A read-only copy in the temporary folder, under the name the clerk gave the file, so a
        viewer or editor that saves in place can never change the kept original."""
        folder = Path(tempfile.gettempdir()) / VIEWING_FOLDER / record.sha256[:16]
        target = folder / _safe_name(record.original_name)
        try:
            if target.is_file() and _hash(target)[0] == record.sha256:
                return target
            folder.mkdir(parents=True, exist_ok=True)
            if target.exists():
                os.chmod(target, stat.S_IREAD | stat.S_IWRITE)
            shutil.copyfile(path, target)
            os.chmod(target, stat.S_IREAD)
        except OSError as exc:
            raise ValidationError(f"无法准备附件“{record.original_name}”供查看：{exc.strerror or exc}") from None
        return target

    def verify(self, session: Session) -> builtins.list[str]:
        """Problems for `check`: evidence files missing or changed since they were attached."""
        return self.check_files(session)[1]

    def check_files(self, session: Session) -> tuple[int, builtins.list[str]]:
        """(files checked, problems); each problem names the file as the clerk called it and
        what it belongs to (the village, the year and item, the quarter, the star)."""
        names = Names(session)
        problems = []
        count = 0
        for record in session.scalars(select(EvidenceFileRecord).order_by(EvidenceFileRecord.id)):
            count += 1
            path = self.inside(record.stored_path)
            where = f"附件“{record.original_name}”（{self.owner_text(names, record.owner)}，"
            where += f"{record.added_at:%Y-%m-%d} 附上）"
            if path is None:
                problems.append(f"{where}{OUTSIDE}：请重新附上原件")
            elif not path.is_file():
                problems.append(f"{where}的文件不见了：请从数据文件夹的备份中找回 evidence 文件夹，或重新附上这个文件")
            elif _hash(path)[0] != record.sha256:
                problems.append(
                    f"{where}的内容与登记时的校验值不一致，文件在附上之后被改动或损坏："
                    "请重新附上原件（原件附上后即可修复）"
                )
        return count, problems

    @staticmethod
    def owner_text(names: Names, owner: str) -> str:
        """What a file belongs to, in Chinese ("progress:7" → 甲村 2024年第 3 项承诺“…”的2024年第一季度进度)."""
        kind, _, key = owner.partition(":")
        if key.isdigit():
            if kind == "progress":
                return names.progress(int(key))
            if kind == "commitment":
                return names.commitment(int(key))
            if kind == "star":
                return names.star_cell(int(key))
        return "所属记录不明"
