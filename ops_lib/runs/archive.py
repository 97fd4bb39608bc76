"""The run archive: every headless run's record, chained so that tampering shows.

Layout::

    runs/
      index.csv                       one line per run, in the order they were sealed
      2026-11-21/
        20261121T060000Z-3fa2c1-20_reconcile/
          20_reconcile.ipynb          the executed notebook, run header first
          20_reconcile.html           the same for readers without Jupyter
          artifacts/                  what the notebook wrote (xlsx, csv, json)
          manifest.json
      quarantine/                     files that leaked a secret (mode 0600, never archived)

Every file in the archive holds company data or says who ran what, so
sealing makes each one owner-only (0600), whoever wrote it: the notebook
and its artifacts, the html copy, the manifest and the index.

``manifest.json`` names what ran, with which parameters and inputs, by
whom, when, how it ended, and the SHA-256 of every file in the run's
folder. It also holds the SHA-256 of the previous run's manifest, so the
manifests form a chain: changing any archived byte changes a file hash,
and rewriting that manifest to match breaks the next run's link (the last
link is held by the index). :mod:`ops_lib.runs.audit` walks the chain.

Sealing appends to the chain under a lock, so runs that end at the same
time still form one chain.
"""

from __future__ import annotations

import contextlib
import csv
import getpass
import hashlib
import io
import json
import os
import platform
import secrets
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from filelock import FileLock

from ops_lib.core.errors import DataInputError
from ops_lib.core.files import write_private_file
from ops_lib.core.times import utc_stamp

MANIFEST = "manifest.json"
INDEX = "index.csv"
ARTIFACTS = "artifacts"
QUARANTINE = "quarantine"
MANIFEST_VERSION = 1
INDEX_COLUMNS = ("run_id", "date", "notebook", "status", "exit_code", "findings", "started_utc", "ended_utc",
                 "user", "host", "folder", "manifest_sha256", "message")
READ_CHUNK = 1 << 20
PRIVATE = 0o600


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks (artifacts can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def suite_version() -> dict[str, Any]:
    """``ops_lib``'s version and, when it runs from a git checkout, the commit and whether it had local changes."""
    from ops_lib import __version__

    source = Path(__file__).resolve().parent
    info: dict[str, Any] = {"ops_lib_version": __version__, "git_commit": "", "git_dirty": None}
    try:
        commit = subprocess.run(["git", "-C", str(source), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(source), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return info  # installed without git: the version alone identifies it
    info.update(git_commit=commit, git_dirty=bool(dirty))
    return info


def who_and_where() -> dict[str, str]:
    """The OS user and host a run ran as and on."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return {"user": user, "host": platform.node() or "unknown"}


@dataclass
class RunSlot:
    """A run's folder while it runs: where the notebook, html and artifacts go."""

    root: Path
    run_id: str
    notebook: Path
    started: datetime
    folder: Path
    quarantined: list[dict[str, Any]] = field(default_factory=list)

    @property
    def executed(self) -> Path:
        return self.folder / self.notebook.name

    @property
    def html(self) -> Path:
        return self.folder / f"{self.notebook.stem}.html"

    @property
    def artifacts(self) -> Path:
        return self.folder / ARTIFACTS

    def files(self) -> list[Path]:
        """Every file in the run's folder except the manifest, in a stable order."""
        return sorted(p for p in self.folder.rglob("*") if p.is_file() and p.name != MANIFEST)


@dataclass(frozen=True)
class SealedRun:
    """A run as the index lists it."""

    manifest: Path
    manifest_sha256: str
    row: dict[str, str]


class RunArchive:
    """The archive under one root folder (``runs/`` by default)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    @property
    def index_path(self) -> Path:
        return self.root / INDEX

    def begin(self, notebook: Path, started: datetime | None = None) -> RunSlot:
        """Make the folder of a new run: ``<root>/<date>/<run-id>-<notebook>/``."""
        started = started or datetime.now(timezone.utc)
        run_id = f"{started.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
        folder = self.root / f"{started.astimezone(timezone.utc):%Y-%m-%d}" / f"{run_id}-{notebook.stem}"
        (folder / ARTIFACTS).mkdir(parents=True)
        return RunSlot(self.root, run_id, notebook, started, folder)

    def quarantine(self, slot: RunSlot, path: Path, reasons: Iterable[str]) -> Path:
        """Move a leaking file out of the run's folder into ``quarantine/`` (owner-only), and note it."""
        relative = path.relative_to(slot.folder)
        target = self.root / QUARANTINE / f"{slot.run_id}-{slot.notebook.stem}" / relative
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        (self.root / QUARANTINE).chmod(0o700)
        shutil.move(str(path), target)
        target.chmod(0o600)
        slot.quarantined.append({"path": str(relative), "moved_to": str(target.relative_to(self.root)),
                                 "reasons": sorted(set(reasons))})
        return target

    def seal(self, slot: RunSlot, record: Mapping[str, Any]) -> SealedRun:
        """Hash the run's files, write its manifest linked to the previous one, and add it to the index.

        ``record`` holds what the runner knows (notebook, parameters,
        inputs, results, status, exit code, message, who, end time); the
        archive adds the file hashes and the link to the previous manifest.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.root / ".archive.lock"), timeout=120, mode=PRIVATE):
            for path in slot.files():  # what the notebook wrote with its own open() or a looser umask
                if not path.is_symlink():  # a link's target may lie outside the archive: not ours to change
                    path.chmod(PRIVATE)
            previous = self.sealed()
            manifest = {
                "manifest_version": MANIFEST_VERSION,
                "run_id": slot.run_id,
                "started_utc": utc_stamp(slot.started),
                **record,
                "files": [{"path": p.relative_to(slot.folder).as_posix(), "sha256": sha256_file(p),
                           "bytes": p.stat().st_size} for p in slot.files()],
                "quarantined": slot.quarantined,
                "previous_manifest_sha256": previous[-1].manifest_sha256 if previous else None,
            }
            payload = (json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")
            path = slot.folder / MANIFEST
            write_private_file(path, payload, mode=PRIVATE)
            digest = hashlib.sha256(payload).hexdigest()
            row = {
                "run_id": slot.run_id, "date": f"{slot.started.astimezone(timezone.utc):%Y-%m-%d}",
                "notebook": slot.notebook.name, "status": str(manifest.get("status", "")),
                "exit_code": str(manifest.get("exit_code", "")), "findings": str(manifest.get("findings", "")),
                "started_utc": manifest["started_utc"], "ended_utc": str(manifest.get("ended_utc", "")),
                "user": str(manifest.get("user", "")), "host": str(manifest.get("host", "")),
                "folder": slot.folder.relative_to(self.root).as_posix(), "manifest_sha256": digest,
                "message": str(manifest.get("message", "")).splitlines()[0][:200] if manifest.get("message") else "",
            }
            self._append(row)
        return SealedRun(path, digest, row)

    def _append(self, row: Mapping[str, str]) -> None:
        new = not self.index_path.exists()
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=INDEX_COLUMNS, lineterminator="\n")
        if new:
            writer.writeheader()
        writer.writerow(row)
        fd = os.open(self.index_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE)
        with contextlib.suppress(PermissionError):  # another user's index keeps the mode its owner gave it
            os.fchmod(fd, PRIVATE)  # an index made before the archive was owner-only is tightened too
        with open(fd, "a", encoding="utf-8", newline="") as handle:
            handle.write(buffer.getvalue())

    def rows(self) -> list[dict[str, str]]:
        """The index, oldest first (empty when there is no archive yet)."""
        try:
            text = self.index_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        reader = csv.DictReader(io.StringIO(text))
        missing = set(INDEX_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise DataInputError(f"{self.index_path}: not a run index (missing column(s) {', '.join(sorted(missing))})")
        return list(reader)

    def sealed(self) -> list[SealedRun]:
        """Every run in the index with its manifest's path and recorded hash."""
        return [SealedRun(self.root / row["folder"] / MANIFEST, row["manifest_sha256"], row) for row in self.rows()]

    def manifests_on_disk(self) -> Iterator[Path]:
        """Every manifest under the root, listed in the index or not."""
        yield from sorted(self.root.glob(f"*/*/{MANIFEST}"))


def read_manifest(path: Path) -> dict[str, Any]:
    """A manifest as a dict; a clear error when it is missing or not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataInputError(f"{path}: the manifest is missing") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataInputError(f"{path}: the manifest is not valid JSON ({exc})") from None
