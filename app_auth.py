"""The app on a shared server ($TRACUU_AUTH=1): the login page and the session, the account in the sidebar, and
the library's controls by role — a reader has none, an editor uploads to and removes from their collections
through the queue, an admin any collection, with the audit log and the accounts.

Presentation only: who may log in is `Accounts.login`'s, who may touch which document `pipeline.upload_clash` /
`removable` / `upload_collections`'s, and the work itself the queue's (`Jobs`, run by the `Worker` of
`tracuu serve`). While a job runs, questions keep being answered from the live generation; the page draws itself
again when a new one goes live.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

import app_ui as ui
import pipeline

if TYPE_CHECKING:  # names in hints only, all from the entry points
    from pipeline import Account, Accounts, IndexReader, Job, Library, Settings

KEEP_ON_LOGOUT = ("english",)  # what a session keeps when its account leaves: the interface language only
QUEUE_SHOWN = 20  # jobs listed
AUDIT_SHOWN = 200  # audit lines listed
QUEUE_POLL = 2.0  # seconds between two looks at the queue
LOOPBACK = ("127.0.0.1", "::1", "localhost")  # a proxy on this machine (Streamlit reports its address as None)


# ---- the session --------------------------------------------------------------------------------------------

def signed_in(root: Path, settings: Settings, t: dict[str, str]) -> Account | None:
    """The account of this session, its last activity now; else None, the login page (or the single sign-on
    refusal) drawn. A session unused for `session_minutes`, or whose account was removed, ends."""
    accounts = pipeline.Accounts(root)
    now = time.time()
    client = st.context.ip_address
    if client is None and settings.proxy in LOOPBACK:  # a loopback peer: the proxy on this machine, if any
        client = settings.proxy
    vouched = settings.sso_name(st.context.headers, client)
    if vouched is not None:
        return single_sign_on(accounts, vouched, now, t)
    held = st.session_state.get("account")
    if held is not None:
        account = accounts.get(held)
        if now - st.session_state.get("last_active", 0.0) > settings.session_minutes * 60:
            end_session(t["login_expired"].format(m=settings.session_minutes))
        elif account is None:
            end_session(t["login_gone"])
        else:
            st.session_state.last_active = now
            return account
    login_form(accounts, t)
    return None


def single_sign_on(accounts: Accounts, name: str, now: float, t: dict[str, str]) -> Account | None:
    """The account the proxy's header names (a session that held another one starts afresh)."""
    account = accounts.get(name)
    if account is None:
        st.error(t["sso_unknown"].format(name=ui.plain(name[:60])))
        return None
    held = st.session_state.get("account")
    if held is not None and held != account.name:  # another account's session: start afresh
        end_session(None)
        st.rerun()
    st.session_state.account = account.name
    st.session_state.last_active = now
    return account


def end_session(message: str | None, forget_url: bool = False) -> None:
    """Forget everything the session holds (answers, history, filters) but its language, and with `forget_url`
    the question or number in the URL too (at logout: the next account does not inherit it); `message` is shown
    above the login form."""
    for key in list(st.session_state):
        if key not in KEEP_ON_LOGOUT:
            del st.session_state[key]
    if forget_url:
        st.query_params.clear()
    if message:
        st.session_state.login_message = message


def login_form(accounts: Accounts, t: dict[str, str]) -> None:
    st.subheader(t["login_title"])
    if message := st.session_state.pop("login_message", None):
        st.info(message)
    with st.form("login", border=False, clear_on_submit=True):
        name: str = st.text_input(t["login_name"], key="login_name", autocomplete="username")
        password: str = st.text_input(t["login_password"], type="password", key="login_password",
                                      autocomplete="current-password")
        sent = st.form_submit_button(t["login_submit"], type="primary", key="login_submit")
    if not sent:
        return
    try:
        account = accounts.login(name, password)
    except pipeline.Refused as e:
        if e.status == 429 and e.retry_after:
            st.error(t["login_wait"].format(s=math.ceil(e.retry_after)))
        else:
            st.error(t["login_wrong"] if e.status == 401 else ui.plain(e.message))
        return
    st.session_state.account = account.name
    st.session_state.last_active = time.time()
    st.rerun()


def account_box(account: Account, t: dict[str, str]) -> None:
    """The sidebar's account line, its collections and the logout button."""
    seen = t["sees_all"] if account.sees is None else ", ".join(account.collections)
    st.caption(t["signed_in"].format(name=ui.plain(account.name), role=t[f"role_{account.role.value}"]) + " · "
               + t["sees"].format(c=ui.plain(seen)))
    st.button(t["logout"], key="logout", on_click=end_session, args=(t["logged_out"], True))


# ---- the library by role ------------------------------------------------------------------------------------

def library_controls(base: IndexReader | None, view: IndexReader | None, account: Account, library: Library,
                     t: dict[str, str]) -> None:
    """Under the document table: nothing for a reader; the upload form, removal and the queue for an editor;
    also the audit log and the accounts for an admin. `base` is the whole index (a document name is unique
    across it), `view` what the account sees."""
    if account.role is pipeline.Role.READER:
        return
    upload_form(base, account, library, t)
    if view is not None:
        remove_form(view, account, library.root, t)
    expires = st.session_state.get("last_active", 0.0) + library.settings.session_minutes * 60
    queue_view(library.root, account, library.generation, expires, t)
    if account.role is pipeline.Role.ADMIN:
        admin_views(library.root, t)


def upload_form(base: IndexReader | None, account: Account, library: Library, t: dict[str, str]) -> None:
    limit = library.upload_limit
    round_ = st.session_state.setdefault("upload_round", 0)
    files = st.file_uploader(t["upload"], type=library.upload_types, accept_multiple_files=True, key=f"upload-{round_}",
                             help=t["upload_help"].format(mb=limit / 2**20),
                             max_upload_size=max(1, round(limit / 2**20)))
    c1, c2 = st.columns(2)
    collection: str = c1.selectbox(t["collection"], pipeline.upload_collections(base, account),
                                   key="upload_collection") or ""
    if account.role is pipeline.Role.ADMIN:
        collection = c2.text_input(t["new_collection"], key="new_collection").strip() or collection
    add = st.button(t["queue_add"], disabled=not files, type="primary", key="add")
    replace = False
    if files and (asked := st.session_state.get("confirm_replace")):
        st.warning(asked)
        replace = st.button(t["replace"], key="replace")
    if files and (add or replace):
        st.session_state.pop("confirm_replace", None)
        queue_upload(base, account, [(f.name, f.getvalue()) for f in files], collection, replace, library.root, t)


def queue_upload(base: IndexReader | None, account: Account, files: list[tuple[str, bytes]], collection: str,
                 replace: bool, root: Path, t: dict[str, str]) -> None:
    """Queue the upload, once it touches only what the account may edit (asking before a replacement)."""
    clash = pipeline.upload_clash(base, [n for n, _ in files], account)
    if clash.forbidden:
        st.error(t["clash_forbidden"].format(names=ui.plain(", ".join(clash.forbidden))))
        return
    if clash.replaces and not replace:
        st.session_state.confirm_replace = t["clash_replace"].format(names=ui.plain(", ".join(clash.replaces)))
        st.rerun()
    try:
        if not account.can_edit(pipeline.collection_name(collection)):
            st.error(t["not_yours"].format(c=ui.plain(collection[:60])))
            return
        job = pipeline.Jobs(root).submit_upload(files, collection, account.name, replace=replace)
    except ValueError as e:  # a collection name that is none
        st.error(ui.plain(str(e)))
        return
    except pipeline.Refused as e:
        st.error(ui.plain(e.message))
        return
    st.session_state.library_report = [("success", t["queued"].format(id=job.id, names=ui.plain(", ".join(job.names))))]
    st.session_state.upload_round += 1
    st.rerun()


def remove_form(view: IndexReader, account: Account, root: Path, t: dict[str, str]) -> None:
    names = pipeline.removable(view, account)
    if not names:
        return
    with st.expander(t["remove"]):
        name = st.selectbox(t["remove_pick"], names, key="remove_pick",
                            format_func=lambda n: f"{n} — {view.docs[n].meta.title[:80]}")
        sure = st.checkbox(t["remove_confirm"], key="remove_confirm")
        st.button(t["remove_button"], disabled=not sure, key="remove", on_click=queue_removal,
                  args=(name, account, root, t))


def queue_removal(name: str, account: Account, root: Path, t: dict[str, str]) -> None:
    """The Remove button's callback: the removal is queued."""
    try:
        job = pipeline.Jobs(root).submit_remove([name], account.name)
    except pipeline.Refused as e:
        st.session_state.library_report = [("error", ui.plain(e.message))]
    else:
        st.session_state.library_report = [("success", t["queued"].format(id=job.id, names=ui.plain(name)))]
    st.session_state.remove_confirm = False


@st.fragment(run_every=QUEUE_POLL)
def queue_view(root: Path, account: Account, shown: str | None, expires: float, t: dict[str, str]) -> None:
    """The account's jobs (an admin's: everyone's), drawn again every `QUEUE_POLL` seconds on its own (which is
    no use of the session: it still expires at `expires`); the whole page once a new generation is live (`shown`:
    the one the page was drawn from) or the session has expired (the login page)."""
    if pipeline.open_library(root).generation != shown or time.time() > expires:
        st.rerun()
    jobs = pipeline.Jobs(root).recent(QUEUE_SHOWN, actor=None if account.role is pipeline.Role.ADMIN else account.name)
    if not jobs:
        return
    st.subheader(t["queue"])
    st.caption(t["queue_note"])
    running = [j for j in jobs if j.state is pipeline.JobState.RUNNING and j.total]
    for job in running:  # the job being ingested, with its stage
        st.progress(min(1.0, job.done / job.total), text=job_row(job, t)[t["col_progress"]])
    st.table([job_row(j, t) for j in jobs], border="horizontal", hide_index=True)  # a short list, as plain HTML


def job_row(job: Job, t: dict[str, str]) -> dict:
    state = job.state.value
    progress = ""
    if state == "running" and job.total:
        progress = f"{t.get('stage_' + job.stage.replace(' ', '_'), job.stage)}: {job.done}/{job.total}"
    return {t["col_job"]: job.id, t["col_created"]: job.created, t["col_actor"]: job.actor,
            t["col_action"]: t[f"job_{job.action.value}"], t["col_collection"]: job.collection or "",
            t["col_name"]: ", ".join(job.names), t["col_state"]: t[f"job_{state}"], t["col_progress"]: progress,
            t["col_result"]: job.message or result_text(job.report, t)}


def result_text(report: dict | None, t: dict[str, str]) -> str:
    """What a finished job did, in the words of the synchronous upload's messages."""
    if not report:
        return ""
    parts = [t[key].format(names=", ".join(report[key])) for key in ("added", "updated", "removed", "unchanged")
             if report.get(key)]
    parts += [t["failed"].format(e=e) for e in report.get("errors", [])]
    return " · ".join(parts)


def admin_views(root: Path, t: dict[str, str]) -> None:
    """The audit log (newest first) and the accounts, read only."""
    accounts = pipeline.Accounts(root)
    with st.expander(t["audit"]):
        st.dataframe([{t["col_at"]: e.at, t["col_actor"]: e.actor, t["col_action"]: e.action,
                       t["col_target"]: e.target, t["col_detail"]: ", ".join(f"{k}={v}" for k, v in e.detail.items())}
                      for e in reversed(accounts.audit_log(AUDIT_SHOWN))], hide_index=True, width="stretch",
                     key="audit_table")
    with st.expander(t["users"]):
        st.dataframe([{t["col_account"]: a.name, t["col_role"]: t[f"role_{a.role.value}"],
                       t["col_collection"]: ", ".join(a.collections) or t["sees_all"], t["col_created"]: a.created}
                      for a in accounts.accounts()], hide_index=True, width="stretch", key="users_table")
