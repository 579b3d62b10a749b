"""Accounts, roles, API tokens and the audit log of one index folder, in ``<index>/access.sqlite`` beside its
generations (an ingest never rewrites it; the document tables never hold a password).

- A password is kept only as a salted scrypt hash (the standard library's `hashlib.scrypt`, n=2**14, r=8);
  an API token only as its SHA-256. Neither is ever logged.
- Failed logins slow down: after `FREE_FAILURES` failures in a row, the next attempt waits 2, 4, 8 … seconds
  (at most `MAX_WAIT`), for a name that exists or not alike, so that guessing costs time and names stay secret.
- The audit log is append-only: triggers refuse UPDATE and DELETE on it.

>>> import tempfile
>>> store = Accounts(tempfile.mkdtemp())
>>> store.add("lan", Role.EDITOR, ["tai-chinh"], "mat-khau-dai", by="admin").sees
frozenset({'tai-chinh'})
>>> store.login("lan", "mat-khau-dai").role.value, [e.action for e in store.audit_log()]
('editor', ['user.add'])
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from pipeline.types import DEFAULT_COLLECTION, collection_name

ACCESS_DB = "access.sqlite"
FREE_FAILURES = 3  # failed logins in a row before each next attempt has to wait
MAX_WAIT = 300.0  # seconds, the longest wait between two attempts
MIN_PASSWORD = 8  # characters
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}  # ~16 MB and ~40 ms a hash on these machines
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, collections TEXT NOT NULL, password TEXT NOT NULL, created TEXT
);
CREATE TABLE IF NOT EXISTS tokens (digest TEXT PRIMARY KEY, name TEXT NOT NULL, created TEXT);
CREATE TABLE IF NOT EXISTS failures (name TEXT PRIMARY KEY, count INTEGER NOT NULL, last REAL NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    target TEXT NOT NULL, detail TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


class Role(StrEnum):
    """What an account may do: read its collections; also upload and remove there; or everything."""

    READER = "reader"
    EDITOR = "editor"
    ADMIN = "admin"


class Refused(Exception):
    """A request refused, with a message for the user in English and Vietnamese and the HTTP status that says
    why: 400 bad input, 401 not logged in, 403 not allowed, 404 no such thing, 409 conflict, 413 too large,
    429 too many, 503 not ready."""

    def __init__(self, status: int, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class Account:
    """One account: its name, role and collections (an admin's are all of them)."""

    name: str
    role: Role
    collections: tuple[str, ...]  # the collections it reads (and, an editor, edits); empty for an admin
    created: str = ""

    @property
    def sees(self) -> frozenset[str] | None:
        """The collections it reads; None for an admin, who reads everything."""
        return None if self.role is Role.ADMIN else frozenset(self.collections)

    def can_edit(self, collection: str) -> bool:
        """Whether it may upload to and remove from `collection`."""
        return self.role is Role.ADMIN or (self.role is Role.EDITOR and collection in self.collections)

    def to_json(self) -> dict:
        """The account as `users list --json` and the API print it (never its password)."""
        return {"name": self.name, "role": self.role.value, "collections": list(self.collections),
                "created": self.created}


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log: who did what to which document or account, and when (UTC)."""

    id: int
    at: str
    actor: str
    action: str  # document.add, document.replace, document.remove, user.add, user.remove, user.passwd, …
    target: str
    detail: dict

    def to_json(self) -> dict:
        """The entry as `tracuu audit --json` prints it."""
        return {"id": self.id, "at": self.at, "actor": self.actor, "action": self.action, "target": self.target,
                "detail": self.detail}


def account_name(name: str) -> str:
    """An account name as typed, checked: 2–40 of lower-case ASCII letters, digits, ``. _ -``.

    >>> account_name("Nguyen.Lan")
    'nguyen.lan'
    """
    key = name.strip().lower()
    if not 2 <= len(key) <= 40 or not set(key) <= _NAME_CHARS or key[0] in "._-":
        raise Refused(400, f"'{name[:60]}': not an account name — use 2 to 40 lower-case letters, digits, . _ - "
                           "(tên tài khoản không hợp lệ)")
    return key


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt$hash`` (base64) of `password`, with a new random salt unless one is given."""
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, maxmem=64 * 1024 * 1024, **_SCRYPT)
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${b64(salt).decode()}${b64(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    """Whether `password` hashes to `stored` (compared in constant time)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=32, maxmem=64 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return kind == "scrypt" and hmac.compare_digest(got, base64.b64decode(digest))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


_READY: set[tuple[Path, str]] = set()  # (database, schema) pairs this process has created the tables of


@contextlib.contextmanager
def database(path: Path, schema: str) -> Iterator[sqlite3.Connection]:
    """A connection to the access database at `path` (autocommit, rows by column name, write-ahead log), the
    tables of `schema` created on its first use in this process: what accounts, the queue and the rate limit
    share."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.row_factory = sqlite3.Row
    try:
        if (path, schema) not in _READY:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(schema)
            _READY.add((path, schema))
        yield db
    finally:
        db.close()


class Accounts:
    """The accounts of the index folder `root` (``<root>/access.sqlite``, created on first write)."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self.path = self.root / ACCESS_DB
        self._dummy = hash_password("-", b"0" * 16)  # what a login for an unknown name is checked against

    def _db(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return database(self.path, _SCHEMA)

    # ---- accounts ----

    def add(self, name: str, role: Role | str, collections: Iterable[str], password: str, by: str) -> Account:
        """Create an account (`Refused` 409 when the name is taken, 400 for a bad name, role, collection or a
        password shorter than `MIN_PASSWORD`); audited as ``user.add`` by `by`."""
        name, role = account_name(name), _role(role)
        wanted = _collections(collections, role)
        _check_password(password)
        account = Account(name, role, wanted, _now())
        with self._db() as db:
            try:
                db.execute("INSERT INTO users VALUES (?,?,?,?,?)", (name, role.value, json.dumps(list(wanted)),
                                                                   hash_password(password), account.created))
            except sqlite3.IntegrityError:
                raise Refused(409, f"account '{name}' exists already — `tracuu users passwd {name}` changes its "
                                   "password (tài khoản đã tồn tại)") from None
            self._log(db, by, "user.add", name, {"role": role.value, "collections": list(wanted)})
        return account

    def get(self, name: str) -> Account | None:
        """The account named `name`, None when there is none."""
        with self._db() as db:
            row = db.execute("SELECT * FROM users WHERE name = ?", (name.strip().lower(),)).fetchone()
        return _account(row) if row else None

    def accounts(self) -> list[Account]:
        """Every account, by name."""
        with self._db() as db:
            return [_account(r) for r in db.execute("SELECT * FROM users ORDER BY name")]

    def has_admin(self) -> bool:
        """Whether at least one admin account exists (a server open to the network needs one)."""
        if not self.path.exists():
            return False
        with self._db() as db:
            return db.execute("SELECT 1 FROM users WHERE role = 'admin'").fetchone() is not None

    def remove(self, name: str, by: str) -> None:
        """Delete an account and its token (`Refused` 404 when there is none); audited."""
        name = account_name(name)
        with self._db() as db:
            if not db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount:
                raise Refused(404, f"no account '{name}' — see `tracuu users list` (không có tài khoản này)")
            db.execute("DELETE FROM tokens WHERE name = ?", (name,))
            self._log(db, by, "user.remove", name, {})

    def passwd(self, name: str, password: str, by: str) -> None:
        """Set a new password (`Refused` 404 / 400); audited, never with the password."""
        name = account_name(name)
        _check_password(password)
        with self._db() as db:
            if not db.execute("UPDATE users SET password = ? WHERE name = ?", (hash_password(password), name)).rowcount:
                raise Refused(404, f"no account '{name}' — see `tracuu users list` (không có tài khoản này)")
            db.execute("DELETE FROM failures WHERE name = ?", (name,))
            self._log(db, by, "user.passwd", name, {})

    # ---- logging in ----

    def login(self, name: str, password: str, now: float | None = None) -> Account:
        """The account when `password` is its own. Raises `Refused` 401 otherwise, and 429 (with the seconds to
        wait) while failures in a row make the next attempt wait; the same for names that do not exist."""
        key = name.strip().lower()[:60]
        now = time.time() if now is None else now
        with self._db() as db:
            fail = db.execute("SELECT count, last FROM failures WHERE name = ?", (key,)).fetchone()
            if fail and (wait := _wait(fail["count"]) - (now - fail["last"])) > 0:
                raise Refused(429, f"too many failed logins: try again in {wait:.0f} s "
                                   f"(đăng nhập sai nhiều lần: thử lại sau {wait:.0f} giây)", retry_after=wait)
            row = db.execute("SELECT * FROM users WHERE name = ?", (key,)).fetchone()
            ok = check_password(password, row["password"] if row else self._dummy) and row is not None
            if not ok:
                db.execute("INSERT INTO failures VALUES (?, 1, ?) ON CONFLICT(name) DO UPDATE SET "
                           "count = count + 1, last = excluded.last", (key, now))
                raise Refused(401, "wrong account name or password (sai tên tài khoản hoặc mật khẩu)")
            db.execute("DELETE FROM failures WHERE name = ?", (key,))
        return _account(row)

    # ---- API tokens ----

    def new_token(self, name: str, by: str) -> str:
        """A new API token for `name`, which replaces its previous one (only its digest is kept); audited."""
        name = account_name(name)
        token = "tcu_" + secrets.token_urlsafe(32)
        with self._db() as db:
            if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone() is None:
                raise Refused(404, f"no account '{name}' — see `tracuu users list` (không có tài khoản này)")
            db.execute("DELETE FROM tokens WHERE name = ?", (name,))
            db.execute("INSERT INTO tokens VALUES (?,?,?)", (_token_digest(token), name, _now()))
            self._log(db, by, "user.token", name, {})
        return token

    def by_token(self, token: str) -> Account | None:
        """The account a bearer token belongs to; None for a missing, revoked or forged one."""
        if not token or len(token) > 200:
            return None
        with self._db() as db:
            row = db.execute("SELECT users.* FROM tokens JOIN users ON users.name = tokens.name "
                             "WHERE tokens.digest = ?", (_token_digest(token),)).fetchone()
        return _account(row) if row else None

    # ---- the audit log ----

    def audit(self, actor: str, action: str, target: str, detail: dict | None = None) -> None:
        """Append one line to the audit log."""
        with self._db() as db:
            self._log(db, actor, action, target, detail or {})

    @staticmethod
    def _log(db: sqlite3.Connection, actor: str, action: str, target: str, detail: dict) -> None:
        db.execute("INSERT INTO audit (at, actor, action, target, detail) VALUES (?,?,?,?,?)",
                   (_now(), actor, action, target, json.dumps(detail, ensure_ascii=False)))

    def audit_log(self, limit: int = 1000, actor: str | None = None) -> list[AuditEntry]:
        """The newest `limit` lines of the audit log, oldest first (only `actor`'s when given)."""
        if not self.path.exists():
            return []
        where, args = ("WHERE actor = ?", [actor]) if actor else ("", [])
        with self._db() as db:
            rows = db.execute(f"SELECT * FROM audit {where} ORDER BY id DESC LIMIT ?", [*args, limit]).fetchall()
        return [AuditEntry(r["id"], r["at"], r["actor"], r["action"], r["target"], json.loads(r["detail"]))
                for r in reversed(rows)]


def _wait(failures: int) -> float:
    """The seconds the next login waits after `failures` failed ones in a row: 0, then 2, 4, 8 … `MAX_WAIT`."""
    return 0.0 if failures < FREE_FAILURES else min(MAX_WAIT, 2.0 ** (failures - FREE_FAILURES + 1))


def _role(role: Role | str) -> Role:
    try:
        return Role(str(role).strip().lower())
    except ValueError:
        raise Refused(400, f"'{role}': not a role — use reader, editor or admin (vai trò không hợp lệ)") from None


def _collections(collections: Iterable[str], role: Role) -> tuple[str, ...]:
    """The collections of an account, checked (an admin's: none, it sees all); a reader or editor without any
    gets the shared one."""
    if role is Role.ADMIN:
        return ()
    try:
        found = tuple(dict.fromkeys(collection_name(c) for c in collections if c.strip()))
    except ValueError as e:
        raise Refused(400, str(e)) from None
    return found or (DEFAULT_COLLECTION,)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Refused(400, f"a password needs at least {MIN_PASSWORD} characters (mật khẩu quá ngắn)")


def _account(row: sqlite3.Row) -> Account:
    return Account(row["name"], Role(row["role"]), tuple(json.loads(row["collections"])), row["created"] or "")
