"""Keeping index generations sound on disk: every file's size and sha256, recorded in the manifest at write time
and checked when the generation is opened, so a truncated or corrupted file is caught before it answers wrongly;
the manifest written atomically; what interrupted writes leave behind cleaned up.

Sizes are checked on every open (a `stat` per file). Hashes are checked once per generation per process: a
generation is never modified after it is written, so a second open in the same process (the app reloading
after a rerun) skips the read; likewise once per file, so a vectors-only generation, which shares its base's
files by hard link, has only the files it wrote read. Across processes, a file whose hash matched is remembered
in the index root's ``.verified.json`` by what `stat` says of it (device, inode, size and modification time): a
new process opening it unchanged does not read it again, so opening costs a `stat` per file, not a read
of the whole index. Writing to a file, or replacing or copying it, changes its modification time or inode, so it
is hashed again; a stamp taken within `_RACY_SECONDS` of the file's last change is not remembered on disk (a write in
the same clock tick would keep the stamp: git's "racy clean" entries). The cost is in docs/benchmarks.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

MANIFEST = "manifest.json"
VERIFIED = ".verified.json"  # in the index root: stat stamp → sha256 of files whose hash matched
_RACY_SECONDS = 2.0

# what matched its checksum in this process: generations, keyed by (folder, manifest inode, manifest mtime), and
# files, keyed by ("file", stat stamp, sha256); clearing it (and .verified.json) makes the next open read everything
_verified: set[tuple] = set()


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, hex."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def file_digests(gen: Path, only: Iterable[str] | None = None) -> dict[str, dict]:
    """{relative path: {"size", "sha256"}} for every file of a generation but its manifest (or for those of
    `only` that exist)."""
    out = {}
    for f in sorted(gen.rglob("*")) if only is None else [gen / rel for rel in only]:
        if f.is_file() and f.name != MANIFEST:
            out[f.relative_to(gen).as_posix()] = {"size": f.stat().st_size, "sha256": sha256_file(f)}
    return out


def _key(gen: Path) -> tuple[str, int, int]:
    st = (gen / MANIFEST).stat()
    return (str(gen.resolve()), st.st_ino, st.st_mtime_ns)


def problems(gen: Path, files: dict[str, dict], hashes: bool = True) -> list[str]:
    """What is wrong with the files of `gen` against the manifest's `files` (empty: all good)."""
    found = []
    stats: dict[str, os.stat_result] = {}
    for rel, want in sorted(files.items()):
        f = gen / rel
        try:
            stats[rel] = st = f.stat()
        except OSError:
            found.append(f"{rel} is missing")
            continue
        if st.st_size != want["size"]:
            found.append(f"{rel} has {st.st_size} bytes, the manifest says {want['size']} (truncated or replaced)")
    if found or not hashes or _key(gen) in _verified:
        return found
    known = _read_verified(gen.parent)
    matched: dict[str, str] = {}
    now = time.time()
    for rel, want in sorted(files.items()):
        stamp = _stamp(stats[rel])
        if ("file", stamp, want["sha256"]) not in _verified and known.get(stamp) != want["sha256"]:
            if sha256_file(gen / rel) != want["sha256"]:
                found.append(f"{rel} does not match its checksum (corrupted)")
                continue
            _verified.add(("file", stamp, want["sha256"]))
        if now - stats[rel].st_mtime > _RACY_SECONDS:
            matched[stamp] = want["sha256"]
    if not found:
        _verified.add(_key(gen))
        if any(k not in known for k in matched):
            _write_verified(gen.parent, {**known, **matched} if len(known) < 4 * len(files) + 64 else matched)
    return found


def _stamp(st: os.stat_result) -> str:
    """What `stat` says of a file that any write, replacement or copy changes (not its change time, which a hard
    link to it — a vectors-only generation sharing it — changes too)."""
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def _read_verified(root: Path) -> dict[str, str]:
    """The stamps of files whose hash matched (none when the file is missing or unreadable)."""
    try:
        known = json.loads((root / VERIFIED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in known.items() if isinstance(v, str)} if isinstance(known, dict) else {}


def _write_verified(root: Path, known: dict[str, str]) -> None:
    """Remember the stamps, atomically; a read-only index folder remembers nothing (each process hashes)."""
    tmp = root / f".tmp-verified-{os.getpid()}"  # collect_garbage removes it if a crash leaves it
    with contextlib.suppress(OSError):
        tmp.write_text(json.dumps(known), encoding="utf-8")
        os.replace(tmp, root / VERIFIED)


def write_manifest(gen: Path, manifest: dict) -> None:
    """Write the manifest atomically (temporary file, fsync, rename): a reader sees the old or the new one."""
    tmp = gen / f".{MANIFEST}.{os.getpid()}"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, gen / MANIFEST)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def collect_garbage(root: Path, keep: set[str]) -> None:
    """Remove generations other than `keep` (the live one and the one before it), and the temporary folders and
    pointer files of interrupted writes: those of a dead process, or older than a minute."""
    now = time.time()
    for p in root.iterdir():
        if p.name in keep:
            continue
        if p.name.startswith("gen-") and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        elif p.name.startswith((".tmp-", ".CURRENT-")):
            pid = p.name.rsplit("-", 1)[-1]
            mine = pid == str(os.getpid())
            dead = pid.isdigit() and not mine and not _pid_alive(int(pid))
            with contextlib.suppress(OSError):
                if dead or (not mine and now - p.stat().st_mtime > 60):
                    shutil.rmtree(p) if p.is_dir() else p.unlink()
