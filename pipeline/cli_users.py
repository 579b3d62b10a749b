"""tracuu users / tracuu audit — the accounts and the audit log of an index folder, from the command line.

Accounts live with the index they guard (``<index>/access.sqlite``; ``--index`` or ``$TRACUU_INDEX`` selects
it). A password is asked for twice at the terminal, or read from the first line of standard input with
``--password-stdin`` (for scripts); it is never echoed, logged or passed on the command line.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable

from pipeline.access.accounts import Accounts, Refused
from pipeline.store.layout import index_root

EXAMPLES = {
    "users": "Example:\n  tracuu users add lan --role editor --collections tai-chinh,chung\n"
             "  echo \"$MAT_KHAU\" | tracuu users add admin --role admin --password-stdin\n"
             "  tracuu users list --json\n  tracuu users passwd lan\n  tracuu users token lan\n"
             "  tracuu users remove lan --index /srv/tracuu/index",
    "audit": "Example:\n  tracuu audit\n  tracuu audit --actor lan --limit 50 --json",
}


def _actor() -> str:
    """Who runs the command, as the audit log names them (``cli:<login>``)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _password(args: argparse.Namespace) -> str:
    """The new password: the first line of stdin with --password-stdin, else asked twice at the terminal."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise Refused(400, "no terminal to ask the password at — pipe it in with --password-stdin "
                           "(hãy dùng --password-stdin)")
    first = getpass.getpass("Mật khẩu / password: ")
    if getpass.getpass("Nhập lại / again: ") != first:
        raise Refused(400, "the two passwords differ — nothing changed (hai mật khẩu không khớp)")
    return first


def cmd_users(args: argparse.Namespace) -> int:
    """`tracuu users add|list|remove|passwd|token`."""
    store = Accounts(index_root(args.index))
    if args.action == "list":
        accounts = store.accounts()
        if args.json:
            print(json.dumps([a.to_json() for a in accounts], ensure_ascii=False))
        elif not accounts:
            print("no account yet — `tracuu users add NAME --role admin` creates the first (chưa có tài khoản)")
        for a in accounts if not args.json else ():
            print(f"{a.name:<20} {a.role.value:<7} {','.join(a.collections) or '(tất cả / all)'}")
        return 0
    if not args.name:
        raise Refused(400, f"`tracuu users {args.action}` needs an account name (thiếu tên tài khoản)")
    if args.action == "add":
        collections = (args.collections or "").split(",")
        account = store.add(args.name, args.role, collections, _password(args), by=_actor())
        print(f"added {account.name} ({account.role.value}: {','.join(account.collections) or 'all'})")
    elif args.action == "remove":
        store.remove(args.name, by=_actor())
        print(f"removed {args.name}")
    elif args.action == "passwd":
        store.passwd(args.name, _password(args), by=_actor())
        print(f"password of {args.name} changed")
    elif args.action == "token":
        print(store.new_token(args.name, by=_actor()))  # alone on stdout, for `TOKEN=$(tracuu users token …)`
        print("this token replaces the account's previous one; keep it secret (giữ bí mật mã này)",
              file=sys.stderr)
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    """`tracuu audit`: who uploaded, replaced, removed a document or changed an account, and when."""
    entries = Accounts(index_root(args.index)).audit_log(limit=args.limit, actor=args.actor)
    if args.json:
        print(json.dumps([e.to_json() for e in entries], ensure_ascii=False))
        return 0
    if not entries:
        print("the audit log is empty (nhật ký trống)")
    for e in entries:
        detail = " ".join(f"{k}={v}" for k, v in e.detail.items())
        print(f"{e.at}  {e.actor:<16} {e.action:<17} {e.target}  {detail}".rstrip())
    return 0


def register(sub: argparse._SubParsersAction, add: Callable[..., argparse.ArgumentParser]) -> None:
    """The `users` and `audit` subcommands, added to the `tracuu` parser (`add(name, help, examples)`)."""
    sp = add("users", "Manage the accounts of a shared server: add, list, remove, passwd, token.", EXAMPLES["users"])
    sp.add_argument("action", choices=["add", "list", "remove", "passwd", "token"])
    sp.add_argument("name", nargs="?", help="the account name (lower-case letters, digits, . _ -)")
    sp.add_argument("--role", choices=["reader", "editor", "admin"], default="reader",
                    help="reader: asks in its collections; editor: also uploads and removes there; admin: all")
    sp.add_argument("--collections", help="comma-separated, e.g. tai-chinh,chung (default: chung; admins: all)")
    sp.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    sp.add_argument("--json", action="store_true", help="with list: one JSON array")
    sp.set_defaults(func=cmd_users)

    sp = add("audit", "Show the audit log: uploads, replacements, removals and account changes.", EXAMPLES["audit"])
    sp.add_argument("--limit", type=int, default=200, help="the newest N lines (default 200)")
    sp.add_argument("--actor", help="only this account's actions")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_audit)
