"""Tra cứu văn bản — the Streamlit page: widgets → `Answerer.ask` → render. Presentation only.

Run with `make run`, or `streamlit run app.py` over an index built by `tracuu ingest data/ --index index`
($TRACUU_INDEX names another index folder). `?q=...` in the URL asks that question on load.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before any engine loads: one thread per library on 2 cores

import html  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402

import streamlit as st  # noqa: E402

from pipeline.answer import Answerer  # noqa: E402
from pipeline.embed import EmbedderError, load_embedder  # noqa: E402
from pipeline.search import Filters, HybridSearcher  # noqa: E402
from pipeline.store import ENV_INDEX, IndexUnavailable, current_generation, index_root, open_index  # noqa: E402
from pipeline.types import Answer, Passage  # noqa: E402

ALL_YEARS = "Tất cả"
CARD = "border:1px solid #d0d7de;border-radius:8px;padding:0.75em 1em;margin-bottom:0.75em"


@st.cache_resource(show_spinner="Đang tải chỉ mục…", max_entries=2)
def load_answerer(index: str | None, generation: str | None) -> Answerer:
    """The index and the answerer, once per process and index generation: a new ingest is picked up on the
    next rerun, while a query never re-reads the index (a failure is not cached)."""
    import faiss

    faiss.omp_set_num_threads(1)
    data = open_index(index)
    return Answerer(HybridSearcher(data, load_embedder(data.embedder_name)))


def escaped(text: str, marks: Sequence[str] = ()) -> str:
    """Document text as safe HTML: escaped, each sentence of `marks` in <mark>, newlines as <br>."""
    out = html.escape(text)
    for sentence in marks:
        s = html.escape(sentence)
        if s:
            out = out.replace(s, f"<mark>{s}</mark>", 1)
    return "<br>".join(out.splitlines())


def card(p: Passage, marks: list[str]) -> str:
    """One passage as a single-line HTML block (no blank line, so Markdown leaves its text alone)."""
    title = escaped(p.title or p.doc)
    where = " · ".join(x for x in (escaped(p.section), f"trang {p.page}" if p.page else "",
                                   f"năm {p.year}" if p.year else "") if x)
    return (f'<div style="{CARD}"><b>[{p.rank}] {title}</b> <code>{escaped(p.doc)}</code><br>'
            f"<small>{where or '(đầu văn bản)'}</small><br>{escaped(p.text, marks)}</div>")


def show(ans: Answer, ms: float) -> None:
    """Timing, the answer with its [n] markers, then one card per passage."""
    st.caption(f"{ms:.0f} ms · {len(ans.passages)} đoạn")
    if ans.text:
        st.markdown(f"<div style='{CARD};background:#f6f8fa'><b>Trả lời:</b> {escaped(ans.text)}</div>",
                    unsafe_allow_html=True)
    else:
        st.warning("Không tìm thấy câu trả lời trong các văn bản đã có.")
    for p in ans.passages:
        marks = [sentence for rank, sentence in ans.spans if rank == p.rank]
        st.markdown(card(p, marks), unsafe_allow_html=True)


def main() -> None:
    """Load once, read the widgets, ask, render."""
    st.set_page_config(page_title="Tra cứu văn bản", page_icon="📄")
    st.title("Tra cứu văn bản")
    try:
        index = os.environ.get(ENV_INDEX)
        gen = current_generation(index_root(index))
        answerer = load_answerer(index, gen.name if gen else None)
    except IndexUnavailable as e:
        st.info("Chưa có văn bản nào được lập chỉ mục. Hãy thêm văn bản bằng `make run`, hoặc "
                "`tracuu ingest data/ --index index`, rồi tải lại trang.")
        st.caption(str(e))
        st.stop()
    except EmbedderError as e:
        st.error(str(e))
        st.stop()
    data = answerer.data

    with st.sidebar:
        st.header("Bộ lọc")
        docs = st.multiselect("Văn bản", list(data.docs), format_func=lambda n: data.docs[n].meta.title or n,
                              placeholder="Tất cả văn bản")
        years = sorted({y for d in data.docs.values() for y in d.meta.years}
                       | {c.year for c in data.chunks if c.year})
        year = st.selectbox("Năm", [ALL_YEARS, *years])
        k = st.slider("Số đoạn trích", min_value=1, max_value=20, value=5)

    if "question" not in st.session_state:
        st.session_state.question = st.query_params.get("q", "")
    with st.form("ask"):
        question: str = st.text_input("Câu hỏi", key="question",
                                      placeholder="Ví dụ: Tăng trưởng kinh tế năm 2022 đạt bao nhiêu?")
        st.form_submit_button("Tìm", type="primary")

    question = question.strip()
    if not question:
        return
    st.query_params["q"] = question
    filters = Filters(docs=tuple(docs), year=None if year == ALL_YEARS else int(year))
    t0 = time.perf_counter()
    try:
        ans = answerer.ask(question, k, filters)
    except IndexUnavailable as e:
        st.warning(str(e))
        return
    show(ans, (time.perf_counter() - t0) * 1000)


main()
