"""Accounts of an index folder: hashed passwords, roles and collections, tokens, slowed failed logins, and an
audit log that cannot be rewritten."""

from __future__ import annotations

import sqlite3

import pytest

from pipeline.access.accounts import (
    FREE_FAILURES,
    Accounts,
    Refused,
    Role,
    check_password,
    hash_password,
)


@pytest.fixture
def store(tmp_path):
    s = Accounts(tmp_path)
    s.add("admin", Role.ADMIN, [], "mat-khau-quan-tri", by="cli:test")
    s.add("lan", Role.EDITOR, ["tai-chinh", "chung"], "mat-khau-cua-lan", by="admin")
    s.add("minh", "reader", ["noi-vu"], "mat-khau-cua-minh", by="admin")
    return s


def test_a_password_is_stored_only_as_a_salted_scrypt_hash(store):
    db = sqlite3.connect(store.path)
    stored = dict(db.execute("SELECT name, password FROM users"))
    everything = "\n".join(str(r) for t in ("users", "tokens", "audit") for r in db.execute(f"SELECT * FROM {t}"))
    assert "mat-khau-cua-lan" not in everything and "mat-khau" not in everything
    assert stored["lan"].startswith("scrypt$") and check_password("mat-khau-cua-lan", stored["lan"])
    assert hash_password("mat-khau-cua-lan") != hash_password("mat-khau-cua-lan")  # a new salt each time
    assert not check_password("mat-khau-cua-minh", stored["lan"]) and not check_password("x", "not-a-hash")


def test_roles_decide_what_an_account_sees_and_edits(store):
    admin, lan, minh = store.get("admin"), store.get("lan"), store.get("minh")
    assert admin.sees is None and admin.can_edit("bat-ky")
    assert lan.sees == {"tai-chinh", "chung"} and lan.can_edit("tai-chinh") and not lan.can_edit("noi-vu")
    assert minh.sees == {"noi-vu"} and not minh.can_edit("noi-vu")
    assert [a.name for a in store.accounts()] == ["admin", "lan", "minh"] and store.has_admin()


def test_a_right_password_logs_in_and_a_wrong_one_is_refused_alike_for_unknown_names(store):
    assert store.login("LAN ", "mat-khau-cua-lan").name == "lan"
    for name in ("lan", "khong-co"):
        with pytest.raises(Refused) as e:
            store.login(name, "sai-mat-khau")
        assert e.value.status == 401 and "sai tên tài khoản hoặc mật khẩu" in e.value.message


def test_failed_logins_in_a_row_make_the_next_attempt_wait_and_a_success_resets(store):
    now = 1_000_000.0
    for _ in range(FREE_FAILURES):
        with pytest.raises(Refused):
            store.login("lan", "sai", now=now)
    with pytest.raises(Refused) as e:
        store.login("lan", "mat-khau-cua-lan", now=now + 0.5)  # even the right password waits
    assert e.value.status == 429 and e.value.retry_after > 0 and "thử lại sau" in e.value.message
    assert store.login("lan", "mat-khau-cua-lan", now=now + 60).name == "lan"
    with pytest.raises(Refused) as e:
        store.login("lan", "sai", now=now + 61)
    assert e.value.status == 401  # the count started again


def test_the_wait_doubles_with_every_further_failure(store):
    waits = []
    for k in range(1, FREE_FAILURES + 4):  # k failures in a row, each long after the one before
        for i in range(k):
            with pytest.raises(Refused):
                store.login(f"ghost{k}", "sai", now=10_000.0 * (i + 1))
        with pytest.raises(Refused) as e:
            store.login(f"ghost{k}", "sai", now=10_000.0 * k)  # at once after the k-th
        waits.append(e.value.retry_after if e.value.status == 429 else 0.0)
    assert waits[:FREE_FAILURES - 1] == [0.0] * (FREE_FAILURES - 1)
    slowed = waits[FREE_FAILURES - 1:]
    assert slowed[0] >= 1 and all(b == pytest.approx(2 * a) for a, b in zip(slowed, slowed[1:], strict=False))


def test_a_token_names_its_account_until_it_is_replaced_and_a_forged_one_names_none(store):
    first = store.new_token("minh", by="admin")
    assert store.by_token(first).name == "minh"
    second = store.new_token("minh", by="admin")
    assert store.by_token(first) is None and store.by_token(second).name == "minh"
    assert store.by_token(second[:-2] + "xx") is None and store.by_token("") is None
    db = sqlite3.connect(store.path)
    assert second not in str(list(db.execute("SELECT * FROM tokens")))  # only its digest is kept
    store.remove("minh", by="admin")
    assert store.by_token(second) is None


@pytest.mark.parametrize(("call", "status"), [
    (lambda s: s.add("lan", Role.READER, [], "mat-khau-dai", by="x"), 409),
    (lambda s: s.add("../etc", Role.READER, [], "mat-khau-dai", by="x"), 400),
    (lambda s: s.add("hoa", "boss", [], "mat-khau-dai", by="x"), 400),
    (lambda s: s.add("hoa", Role.READER, ["../noi-vu"], "mat-khau-dai", by="x"), 400),
    (lambda s: s.add("hoa", Role.READER, [], "ngan", by="x"), 400),
    (lambda s: s.remove("khong-co", by="x"), 404),
    (lambda s: s.passwd("khong-co", "mat-khau-dai", by="x"), 404),
    (lambda s: s.new_token("khong-co", by="x"), 404),
])
def test_bad_account_changes_are_refused_and_change_nothing(store, call, status):
    before = ([a.to_json() for a in store.accounts()], len(store.audit_log()))
    with pytest.raises(Refused) as e:
        call(store)
    assert e.value.status == status and "(" in e.value.message  # a Vietnamese gloss in parentheses
    assert ([a.to_json() for a in store.accounts()], len(store.audit_log())) == before


def test_the_audit_log_records_account_changes_and_cannot_be_rewritten(store):
    store.passwd("lan", "mat-khau-moi-cua-lan", by="admin")
    store.audit("lan", "document.add", "bao-cao.docx", {"collection": "tai-chinh"})
    log = store.audit_log()
    assert [(e.actor, e.action, e.target) for e in log][-2:] == [("admin", "user.passwd", "lan"),
                                                                  ("lan", "document.add", "bao-cao.docx")]
    assert "mat-khau-moi" not in str([e.to_json() for e in log])
    assert [e.target for e in store.audit_log(actor="lan")] == ["bao-cao.docx"]
    db = sqlite3.connect(store.path)
    for sql in ("UPDATE audit SET actor = 'ai-do'", "DELETE FROM audit"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(sql)
    assert len(store.audit_log()) == len(log)
