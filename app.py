"""Tra cứu văn bản — the Streamlit app: Hỏi đáp (ask), Văn bản dẫn chiếu (references), So sánh (compare),
Thư viện (library).

Widgets → the same `pipeline` functions the CLI calls → render (HTML pieces in `app_ui.py`). Run with
`make run`, or `streamlit run app.py` over an index built by `tracuu ingest data/ --index index` ($TRACUU_INDEX
names another index folder). The URL carries the question (`?q=tang+truong+kinh+te+2022`), the document
number looked up (`?ref=qd+996`) or the indicator compared (`?so_sanh=thu+ngan+sach`), so a result can be
shared as a link.

With $TRACUU_AUTH=1 (a shared server, `tracuu serve`) the page asks for a login first (`app_auth.py`), every tab
shows only the documents of the account's collections, and uploads and removals go through the queue.
"""

from __future__ import annotations

from pipeline.settings import serve_queries_single_threaded

serve_queries_single_threaded()  # before any engine loads: one thread per library on 2 cores

import time  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402
from urllib.parse import quote_plus  # noqa: E402

import streamlit as st  # noqa: E402

import app_auth as auth  # noqa: E402
import app_ui as ui  # noqa: E402
import pipeline  # noqa: E402
from pipeline.ask.cite import citation, spans_in  # noqa: E402
from pipeline.types import Answer  # noqa: E402

if TYPE_CHECKING:  # names in hints only, all from the entry points
    from pipeline import (
        Account,
        Answerer,
        Comparer,
        Comparison,
        Embedder,
        Filters,
        IndexReader,
        IngestReport,
        LegalStatus,
        Library,
        RefCatalog,
        RefMatch,
        Stage,
    )

TABS = ("tab_ask", "tab_refs", "tab_compare", "tab_library")
URL_TABS = {"ref": "tab_refs", "so_sanh": "tab_compare"}  # URL parameter → the tab it opens
HISTORY = 10  # recent questions kept for the session
MAX_MATCHES = 20  # references shown for one lookup
MAX_MENTIONS = 50  # mentions listed under one reference
VIEWS = 8  # answerers, catalogs and comparers kept: two generations × a few collection sets

Scope = tuple[str, ...] | None  # the collections a session sees (sorted); None: all of them


@st.cache_resource(show_spinner=False)
def cached_embedder(name: str) -> Embedder:
    """The embedder, once per server process (shared by queries and uploads)."""
    return pipeline.load_embedder(name)


@st.cache_resource(show_spinner="Đang tải chỉ mục…", max_entries=2)
def load_index(index: str, generation: str) -> IndexReader:
    """The index, once per process and generation: a new ingest is picked up on the next rerun, while a query
    never re-reads the index (a failure is not cached). The entry points below share this one copy."""
    return pipeline.open_index(index)


def view(index: str, generation: str, scope: Scope) -> IndexReader:
    """The cached index as a session allowed `scope` sees it (`pipeline.scoped` keeps each view with it)."""
    return pipeline.scoped(load_index(index, generation), scope)


@st.cache_resource(max_entries=VIEWS)
def load_answerer(index: str, generation: str, scope: Scope = None) -> Answerer:
    data = view(index, generation, scope)
    answerer = pipeline.open_answerer(data, cached_embedder(data.embedder_name))
    answerer.ask("tăng trưởng kinh tế", 1)  # the lazy loads (word segmenter) happen here, not in the first question
    return answerer


@st.cache_resource(max_entries=VIEWS)
def load_refs(index: str, generation: str, scope: Scope = None) -> RefCatalog:
    """Which indexed document bears which number and cites which: once per generation (and collection set)."""
    return pipeline.open_refs(view(index, generation, scope))


@st.cache_resource(max_entries=VIEWS)
def load_comparer(index: str, generation: str, scope: Scope = None) -> Comparer:
    """Indicator statements and their name vectors: once per generation (and collection set)."""
    data = view(index, generation, scope)
    return pipeline.open_comparer(data, cached_embedder(data.embedder_name))


def text() -> dict[str, str]:
    return ui.TEXT["en" if st.session_state.get("english") else "vi"]


def follow_url(param: str, value: str, state_key: str) -> None:
    """Put the action just taken in the URL (and only it), so the page can be shared as a link."""
    if st.session_state.get(state_key) == value:
        return
    st.session_state[state_key] = value
    for other in ("q", *URL_TABS):
        if other != param and other in st.query_params:
            del st.query_params[other]
    st.query_params[param] = value


def html(markup: str) -> None:
    st.markdown(markup, unsafe_allow_html=True)


# ---- Hỏi đáp ------------------------------------------------------------------------------------------------

def sidebar_filters(data: IndexReader, t: dict[str, str]) -> tuple[Filters, int]:
    st.header(t["filters"])
    docs = st.multiselect(t["docs"], list(data.docs), format_func=lambda n: data.docs[n].meta.title or n,
                          placeholder=t["all_docs"], key="filter_docs")
    chunk_years = {y for y in set(data.row_arrays.year.tolist()) if y > 0}  # the arrays: no chunk is read
    years = sorted({y for d in data.docs.values() for y in d.meta.years} | chunk_years)
    year = st.selectbox(t["year"], [None, *years], format_func=lambda y: t["all_years"] if y is None else str(y),
                        key="filter_year")
    k = st.slider(t["k"], min_value=1, max_value=20, value=5, key="top_k")
    return pipeline.Filters(docs=tuple(docs), year=year), k


def remember(question: str, ms: float) -> None:
    history = [h for h in st.session_state.setdefault("history", []) if h[0] != question]
    st.session_state.history = [(question, ms), *history][:HISTORY]


def recent_questions(t: dict[str, str]) -> None:
    history = st.session_state.get("history", [])
    if not history:
        return
    st.header(t["recent"])
    for i, (q, ms) in enumerate(history):
        st.button(f"{ui.plain(q[:70])} · {ms:.0f} ms", key=f"recent-{i}", on_click=st.session_state.__setitem__,
                  args=("question", q), width="stretch")


def show_answer(ans: Answer, ms: float, t: dict[str, str]) -> None:
    """The answer with its [n] links, then one card per passage with its ready-to-paste citation."""
    st.caption(t["took"].format(ms=ms, n=len(ans.passages)))
    if ans.keyword_only:
        st.info(t["keyword_only"].format(docs=ui.plain(", ".join(ans.pending_docs))))
    if ans.text:
        html(ui.answer_html(ans.text, t["answer"]))
    else:
        st.warning(t["no_answer"])
    st.subheader(t["passages"])
    for p in ans.passages:
        spans = spans_in(p.full_text, [sentence for rank, sentence in ans.spans if rank == p.rank])
        html(ui.card_html(p, spans, ui.doc_line(p.doc, p.meta), t))
        st.caption(t["copy"])
        st.code(citation(p, p.meta), language=None, wrap_lines=True)


def ask_tab(answerer: Answerer, generation: str, filters: Filters, k: int, t: dict[str, str],
            scope: Scope = None) -> None:
    with st.form("ask", border=False):
        question: str = st.text_input(t["question"], key="question", placeholder=t["question_hint"])
        st.form_submit_button(t["ask"], type="primary", key="ask_submit")
    question = question.strip()
    if not question:
        return
    follow_url("q", question, "asked")
    key = (question, k, filters, generation, scope)
    last = st.session_state.get("last_answer")
    if last is not None and last[0] == key:  # a rerun from another widget or tab: the answer is the same
        _, ans, ms = last
    else:
        t0 = time.perf_counter()
        try:
            ans = answerer.ask(question, k, filters)
        except (pipeline.IndexUnavailable, pipeline.QuestionTooLong) as e:  # a 100 KB ?q= is refused at once
            st.warning(ui.plain(str(e)))
            return
        ms = (time.perf_counter() - t0) * 1000
        st.session_state.last_answer = (key, ans, ms)
        remember(question, ms)
    show_answer(ans, ms, t)


# ---- Văn bản dẫn chiếu --------------------------------------------------------------------------------------

def doc_link(refs: RefCatalog, name: str) -> str:
    """An indexed document as HTML: its title, a link that looks its number up when it has one."""
    d = refs.docs.get(name)
    title = ui.esc((d.meta.title if d else "") or name)
    if d and d.meta.number:
        return f'<a href="?ref={quote_plus(d.meta.number)}" target="_self">{title}</a> ({ui.esc(d.meta.number)})'
    return title


def show_doc_links(refs: RefCatalog, name: str, t: dict[str, str]) -> None:
    parts = [f"<b>{ui.esc(t['in_library'])}:</b> {doc_link(refs, name)}"]
    for label, links, other in ((t["cited_by"], refs.cited_by(name), "citing"),
                                (t["cites"], refs.cites(name), "cited")):
        if links:
            items = ", ".join(f"{doc_link(refs, getattr(x, other))} ×{x.mentions}" for x in links)
            parts.append(f"<b>{ui.esc(label)}:</b> {items}")
    html("<br>".join(parts))


def other_html(refs: RefCatalog, number: str) -> str:
    """The other side of a relation: a link to the indexed document bearing that number, else the number looked
    up (or the stating document's name when it bears none)."""
    if number in refs.docs:
        return doc_link(refs, number)
    borne = refs.numbered(number)
    if len(borne) == 1:
        return doc_link(refs, borne[0])
    return f'<a href="?ref={quote_plus(number)}" target="_self">{ui.esc(number)}</a>'


def show_status(refs: RefCatalog, status: LegalStatus, t: dict[str, str], issued: str | None = None) -> None:
    """The status badge, what it rests on, and the timeline of the relations (issued, in force, amended,
    replaced …) with links to each related document."""
    html(ui.status_badge_html(status.status.value, status.effective, t))
    if status.conflict:
        st.warning(t["st_conflict"])
    events = [(issued, "issued", "", "")] if issued else []
    if status.in_force is not None:
        events.append((status.in_force.date, "took_effect", "", status.in_force.sentence))
    shown = status.relations[:MAX_MENTIONS]
    events += [(x.effective, f"rel_{x.type}", other_html(refs, x.other) + (f" ({ui.esc(x.scope)})" if x.scope else "")
                + f" <small>{ui.esc(t['said_in'])} {doc_link(refs, x.doc)}</small>", x.sentence) for x in shown]
    if len(events) > 1 or status.relations:
        with st.expander(t["timeline"], expanded=status.status.value != "unknown"):
            html(ui.timeline_html(events, t))


def show_match(m: RefMatch, refs: RefCatalog, t: dict[str, str]) -> None:
    when = m.date or (str(m.year) if m.year else t["unknown_date"])
    facts = " · ".join(x for x in (m.type, m.issuer, when, t["partial"] if m.partial else "") if x)
    docs = {x.doc for x in m.mentions}
    html(f"<h4>{ui.esc(m.ref)}</h4><div>{ui.esc(facts)}</div>")
    st.caption(t["mentions"].format(n=len(m.mentions), d=len(docs)))
    own = refs.bearer(m)
    show_status(refs, refs.status(m), t, refs.docs[own].meta.date if own else None)
    if own:
        show_doc_links(refs, own, t)
    with st.expander(t["mentions"].format(n=len(m.mentions), d=len(docs)), expanded=len(m.mentions) <= 5):
        for x in m.mentions[:MAX_MENTIONS]:
            title = refs.docs[x.doc].meta.title if x.doc in refs.docs else x.doc
            html(f"<b>{ui.esc(title or x.doc)}</b> — <small>{ui.esc(x.section or t['front'])}</small>"
                 + ui.context_html(x.sentence, x.ref.ref))


def refs_tab(refs: RefCatalog, t: dict[str, str]) -> None:
    with st.form("refs", border=False):
        query: str = st.text_input(t["ref_query"], key="ref_query", placeholder=t["ref_hint"])
        st.form_submit_button(t["ref_search"], type="primary", key="ref_submit")
    query = query.strip()
    if query:
        follow_url("ref", query, "looked_up")
        found = refs.lookup(query)
        own = [n for n in refs.numbered(query) if n not in {refs.bearer(m) for m in found}]
        if not refs.names_a_number(query):
            st.warning(t["ref_not_number"].format(q=ui.plain(query[:80])))
        elif not found and not own:
            st.info(t["ref_none"].format(q=ui.plain(query[:80])))
        for name in own:
            if (status := refs.doc_status(name)) is not None:
                show_status(refs, status, t, refs.docs[name].meta.date)
            show_doc_links(refs, name, t)
        for m in found[:MAX_MATCHES]:
            show_match(m, refs, t)
    st.subheader(t["all_refs"])
    if not refs.references:
        st.info(t["no_refs"])
        return
    c1, c2 = st.columns(2)
    types = c1.multiselect(t["type"], sorted({m.type for m in refs.references if m.type}), key="ref_types")
    issuers = c2.multiselect(t["issuer"], sorted({m.issuer for m in refs.references if m.issuer and not m.partial}),
                             key="ref_issuers")
    rows = refs.rows(types=types, issuers=issuers)
    st.dataframe([{t["col_ref"]: r["ref"], t["col_type"]: r["type"], t["col_issuer"]: r["issuer"],
                   t["col_date"]: r["date"] or (str(r["year"]) if r["year"] else None),
                   t["col_mentions"]: r["mentions"], t["col_docs"]: r["documents"], t["col_doc"]: r["document"]}
                  for r in rows],
                 hide_index=True, width="stretch", key="ref_table")


# ---- So sánh -----------------------------------------------------------------------------------------------

def show_comparison(result: Comparison, t: dict[str, str]) -> None:
    """The table by year and kind, the gaps, a chart, the source sentences, and the downloads."""
    import altair as alt

    st.caption(t["cmp_names"].format(names=ui.plain(" | ".join(result.names))))
    rows = [{t["year"]: r.year, t["col_kind"]: t["kind_" + r.kind.value], t["col_raw"]: r.raw, t["col_value"]: r.value,
             t["col_unit"]: r.unit, "": r.qualifier or "", t["col_plan"]: r.plan_ratio or "",
             t["col_doc"]: r.doc, t["col_section"]: r.section} for r in result.rows]
    st.dataframe(rows, hide_index=True, width="stretch", key="cmp_table",
                 column_config={t["year"]: st.column_config.NumberColumn(format="%d")})
    for g in result.gaps:
        st.info(ui.plain(g.text))
    if len({r.unit for r in result.rows}) == 1:
        chart = alt.Chart(alt.Data(values=[{"year": str(r.year), "value": r.value, "kind": t["kind_" + r.kind.value]}
                                           for r in result.rows])).mark_bar().encode(
            x=alt.X("year:N", title=t["year"]), xOffset="kind:N", y=alt.Y("value:Q", title=result.rows[0].unit),
            color=alt.Color("kind:N", title=t["col_kind"]))
        st.altair_chart(chart, width="stretch")
    st.subheader(t["cmp_sources"])
    for r in result.rows:
        html(f"<b>{r.year} · {ui.esc(t['kind_' + r.kind.value])}</b> — {ui.esc(r.doc)} — "
             f"<small>{ui.esc(r.section or t['front'])}</small>" + ui.context_html(r.text, r.raw))
    c1, c2 = st.columns(2)
    c1.download_button(t["cmp_csv"], result.to_csv().encode("utf-8"), "so-sanh.csv", "text/csv", key="cmp_csv")
    c2.download_button(t["cmp_xlsx"], result.to_xlsx(), "so-sanh.xlsx", key="cmp_xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def compare_tab(comparer: Comparer, t: dict[str, str]) -> None:
    if not comparer.data.indicators:
        st.info(t["cmp_no_indicators"])
        return
    several = [n for n, years, _ in pipeline.indicator_list(comparer.data.indicators) if len(years) > 1][:300]
    st.selectbox(t["cmp_pick"], ["", *several], key="cmp_pick",
                 on_change=lambda: st.session_state.__setitem__("cmp_query", st.session_state.cmp_pick))
    with st.form("compare", border=False):
        query: str = st.text_input(t["cmp_query"], key="cmp_query", placeholder=t["cmp_hint"])
        years = st.multiselect(t["cmp_years"], sorted({i.year for i in comparer.data.indicators if i.year}),
                               key="cmp_years")
        st.form_submit_button(t["cmp_go"], type="primary", key="cmp_submit")
    query = query.strip()
    if not query:
        return
    follow_url("so_sanh", query, "compared")
    t0 = time.perf_counter()
    result = comparer(query, tuple(years))
    st.caption(t["cmp_took"].format(ms=(time.perf_counter() - t0) * 1000))
    if not result.rows:
        st.info(t["cmp_none"].format(q=ui.plain(query[:80])))
        return
    show_comparison(result, t)


# ---- Thư viện -----------------------------------------------------------------------------------------------

def report_messages(report: IngestReport, t: dict[str, str]) -> list[tuple[str, str]]:
    out = [("success", t[key].format(names=ui.plain(", ".join(names))))
           for key, names in (("added", report.added), ("updated", report.updated), ("removed", report.removed))
           if names]
    if report.unchanged:
        out.append(("info", t["unchanged"].format(names=ui.plain(", ".join(report.unchanged)))))
    out += [("error", t["failed"].format(e=ui.plain(e))) for e in report.errors]
    out += [("info", ui.plain(n)) for n in report.notes]
    return out


def document_table(data: IndexReader, library: Library, t: dict[str, str], refs: RefCatalog | None,
                   collections: bool) -> None:
    """The count line and one row per document (with its collection on a shared server)."""
    st.caption(t["stats"].format(d=len(data.docs), c=len(data.chunks), m=ui.plain(data.embedder_name)))
    waiting = int(data.pending.sum())
    if waiting:
        st.info(t["pending"].format(n=waiting))
    statuses = {name: refs.doc_status(name) for name in data.docs} if refs is not None else {}
    rows = []
    for r in library.rows(data):
        s = statuses.get(r["name"])
        row = {t["col_name"]: r["name"], t["col_title"]: r["title"], t["col_number"]: r["number"],
               t["col_date"]: r["date"], t["col_effective"]: s and s.effective,
               t["col_status"]: t[f"st_{s.status.value}"] if s else None,
               t["col_years"]: ", ".join(map(str, r["years"])), t["col_chunks"]: r["chunks"],
               **({t["col_pending"]: r["pending"]} if waiting else {})}
        rows.append({t["col_collection"]: r["collection"], **row} if collections else row)
    st.dataframe(rows, hide_index=True, width="stretch", key="doc_table",
                 column_config={t["col_title"]: st.column_config.TextColumn(width="medium")})


def library_tab(data: IndexReader | None, library: Library, t: dict[str, str], refs: RefCatalog | None = None,
                account: Account | None = None, base: IndexReader | None = None) -> None:
    """The document table, then the controls: the local single user uploads and removes here and now; on a
    shared server (`account`) the controls of its role queue the work (`app_auth.library_controls`)."""
    for kind, message in st.session_state.pop("library_report", []):
        getattr(st, kind)(message)
    if data is not None:
        document_table(data, library, t, refs, collections=account is not None)
    if account is not None:
        auth.library_controls(base, data, account, library, t)
        return
    limit = library.upload_limit
    round_ = st.session_state.setdefault("upload_round", 0)
    files = st.file_uploader(t["upload"], type=library.upload_types, accept_multiple_files=True, key=f"upload-{round_}",
                             help=t["upload_help"].format(mb=limit / 2**20),
                             max_upload_size=max(1, round(limit / 2**20)))
    add = st.button(t["add"], disabled=not files, type="primary", key="add")
    replace = False
    if files and (asked := st.session_state.get("confirm_replace")):  # an upload named like an indexed document
        st.warning(ui.plain(asked))
        replace = st.button(t["replace"], key="replace")
    if add or replace:
        st.session_state.pop("confirm_replace", None)
        bar = st.progress(0.0, text=t["adding"])

        def progress(stage: Stage, done: int, total: int) -> None:
            bar.progress(done / total if total else 1.0, text=f"{t[ui.STAGE_TEXT[stage]]}: {done}/{total}")

        embedder = cached_embedder(library.embedder_name(data))
        try:
            report = library.add([(f.name, f.getvalue()) for f in files], embedder, progress=progress,
                                 replace=replace)
        except pipeline.IndexUnavailable as e:
            st.error(ui.plain(str(e)))
            return
        except pipeline.AlreadyIndexed as e:  # ask, then add again with replace
            st.session_state.confirm_replace = str(e)
            st.rerun()
        except OSError as e:  # disk full, a read-only folder …: one line, without the server's paths
            st.error(ui.plain(t["failed"].format(e=e.strerror or type(e).__name__)))
            return
        except Exception as e:  # never a traceback in the browser
            st.error(ui.plain(t["failed"].format(e=f"{type(e).__name__}: {' '.join(str(e).split())[:300]}")))
            return
        st.session_state.library_report = report_messages(report, t)
        st.session_state.upload_round = round_ + 1
        st.rerun()
    if data is None or not data.docs:
        return
    with st.expander(t["remove"]):
        name = st.selectbox(t["remove_pick"], list(data.docs), key="remove_pick",
                            format_func=lambda n: f"{n} — {data.docs[n].meta.title[:80]}")
        sure = st.checkbox(t["remove_confirm"], key="remove_confirm")
        st.button(t["remove_button"], disabled=not sure, key="remove", on_click=remove_document,
                  args=(name, data.embedder_name, library, t))


def remove_document(name: str, embedder_name: str, library: Library, t: dict[str, str]) -> None:
    """The Remove button's callback: runs before the page is drawn again, which then shows the smaller index."""
    try:
        report = library.remove([name], cached_embedder(embedder_name))
    except pipeline.IndexUnavailable as e:
        st.session_state.library_report = [("error", ui.plain(str(e)))]
    else:
        st.session_state.library_report = report_messages(report, t)
    st.session_state.remove_confirm = False


# ---- the page -----------------------------------------------------------------------------------------------

def main() -> None:
    st.set_page_config(page_title="Tra cứu văn bản", page_icon="📄", layout="wide")
    html(ui.CSS)
    if "started" not in st.session_state:  # the URL asks once, when the session opens
        st.session_state.started = True
        st.session_state.question = st.session_state.asked = st.query_params.get("q", "")
        st.session_state.ref_query = st.session_state.looked_up = st.query_params.get("ref", "")
        st.session_state.cmp_query = st.session_state.compared = st.query_params.get("so_sanh", "")
        st.session_state.start_tab = next((tab for p, tab in URL_TABS.items() if p in st.query_params), TABS[0])
    with st.sidebar:
        st.toggle("English", key="english")
    t = text()
    st.title(t["title"])
    library = pipeline.open_library()  # $TRACUU_INDEX, else ./index
    index = str(library.root)
    account = None
    if library.settings.auth:  # a shared server: nothing is shown before a login
        account = auth.signed_in(library.root, library.settings, t)
        if account is None:
            st.stop()
        with st.sidebar:
            auth.account_box(account, t)
    scope = None if account is None or account.sees is None else tuple(sorted(account.sees))
    try:
        gen = library.generation
        answerer = load_answerer(index, gen, scope) if gen else None
        refs = load_refs(index, gen, scope) if gen else None
    except (pipeline.IndexUnavailable, pipeline.EmbedderError) as e:
        st.error(ui.plain(str(e)))
        st.stop()
    if gen is None or answerer is None or refs is None:
        st.info(t["empty"])
        library_tab(None, library, t, account=account)
        return
    data = view(index, gen, scope)
    with st.sidebar:
        filters, k = sidebar_filters(data, t)
        recent = st.container()
    ask, refs_pane, compare, library_pane = st.tabs([t[x] for x in TABS], default=t[st.session_state.start_tab])
    with ask:
        ask_tab(answerer, gen, filters, k, t, scope)
    with refs_pane:
        refs_tab(refs, t)
    with compare:
        compare_tab(load_comparer(index, gen, scope), t)
    with library_pane:
        library_tab(data, library, t, refs, account, load_index(index, gen))
    with recent:
        recent_questions(t)


main()
