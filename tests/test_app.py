"""The Streamlit app over real small indexes (fake embedder), driven by streamlit's AppTest: every tab."""

import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pipeline.embed import FakeEmbedder
from pipeline.store.ingest import ingest
from pipeline.store.reader import open_index

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SEED = ROOT / "data" / "bao-cao-ktxh-2022-tp-ha-tinh.txt"
DATA = ROOT / "tests" / "data"
DOCS = [SEED, DATA / "qd-97-2025-ubnd.md", DATA / "nd-25-2025-cp.md", DATA / "qd-1378-bnv.md"]

HOSTILE = """BÁO CÁO THỬ NGHIỆM AN TOÀN HIỂN THỊ

<script>alert(1)</script>

1. Kết quả thực hiện
Năm 2023, tổng thu ngân sách trên địa bàn phường Bắc Hà đạt 57,8 tỷ đồng, tăng 9,4% so với cùng kỳ.
Số hộ nghèo giảm còn 21 hộ.
"""


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed report, a provincial decision, a decree and a ministry decision citing that decree."""
    root = tmp_path_factory.mktemp("index-app")
    ingest(DOCS, FakeEmbedder(), root=root)
    return root


@pytest.fixture
def index(library: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRACUU_INDEX", str(library))
    return library


@pytest.fixture
def own_index(library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the library that a test may change."""
    root = tmp_path / "index"
    shutil.copytree(library, root)
    monkeypatch.setenv("TRACUU_INDEX", str(root))
    return root


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    doc = tmp_path_factory.mktemp("docs") / "bao-cao-script.txt"
    doc.write_text(HOSTILE, encoding="utf-8")
    root = tmp_path_factory.mktemp("index-hostile")
    ingest([doc], FakeEmbedder(), root=root)
    return root


def start(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)  # guards against a hang only: a busy machine is slow
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def ask(question: str, at: AppTest | None = None) -> AppTest:
    at = at or start()
    at.text_input(key="question").input(question)
    at.button(key="ask_submit").click().run()
    assert not at.exception, at.exception
    return at


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def passage_cards(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith('<div class="tc-card"')]


def answer_box(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith('<div class="tc-answer"'))


def shown_text(markdown_source: str) -> str:
    """What a Markdown message displays: backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown_source)


def selected_tab(at: AppTest) -> str:
    """The label of the tab the page opens on."""
    def walk(node):
        for child in getattr(node, "children", {}).values():
            proto = getattr(child, "proto", None)
            try:
                if proto is not None and proto.HasField("tab_container"):
                    return child
            except ValueError:
                pass
            if (found := walk(child)) is not None:
                return found
        return None

    container = walk(at._tree)
    return list(container.children.values())[container.proto.tab_container.default_tab_index].label


# ---- Hỏi đáp ------------------------------------------------------------------------------------------------

def test_dev_question_shows_the_answer_its_passage_marked_and_a_citation(index: Path):
    at = ask("Ngành thương mại - dịch vụ năm 2022 tăng trưởng bao nhiêu phần trăm?")
    answer = answer_box(at)
    assert "14,33%" in answer
    assert '<a class="tc-cite" href="#trich-1">[1]</a>' in answer  # the marker links to its card
    first = passage_cards(at)[0]
    assert first.startswith('<div class="tc-card" id="trich-1">')
    assert "<mark>" in first and "14,33%" in first.split("<mark>", 1)[1].split("</mark>", 1)[0]
    assert "tháng 11/2022 · bao-cao-ktxh-2022-tp-ha-tinh.txt" in first  # date and file
    assert "PHẦN THỨ NHẤT" in first.upper()  # the section breadcrumb
    citation = at.code[0].value
    assert citation.startswith("Báo cáo tình hình thực hiện nhiệm vụ phát triển kinh tế - xã hội")
    assert "của Ủy ban nhân dân TP. Hà Tĩnh (tháng 11/2022), " in citation
    assert at.caption[0].value.startswith("Trả lời trong ") and " ms · 5 đoạn trích" in at.caption[0].value
    assert at.query_params["q"] == "Ngành thương mại - dịch vụ năm 2022 tăng trưởng bao nhiêu phần trăm?"


def test_question_without_diacritics_finds_the_same_figure(index: Path):
    assert "14,33%" in answer_box(ask("nganh thuong mai dich vu nam 2022 tang truong bao nhieu phan tram"))


def test_answer_from_a_footnote_shows_the_footnote_marked(index: Path):
    at = ask("Năm 2022 đã ban hành bao nhiêu quyết định nâng lương?")
    assert "336 quyết định nâng lương" in answer_box(at)
    card = passage_cards(at)[0]
    foot = card.split('<div class="tc-foot">', 1)[1]
    assert "Chú thích — câu trả lời nằm trong chú thích" in foot
    assert "<sup>15</sup> <mark>Năm 2022 đã ban hành 336 quyết định nâng lương" in foot
    assert "<mark>" not in card.split('<div class="tc-foot">', 1)[0]  # the body holds only the marker's sentence


def test_question_in_the_url_is_asked_on_load(index: Path):
    at = start(q="thương mại dịch vụ tăng bao nhiêu")
    assert selected_tab(at) == "Hỏi đáp"
    assert "14,33%" in markdown(at)


def test_recent_questions_are_kept_and_ask_again(index: Path):
    at = ask("Tổng đàn lợn của thành phố là bao nhiêu con?")
    at = ask("Ngành thương mại - dịch vụ năm 2022 tăng trưởng bao nhiêu phần trăm?", at)
    recent = [b.label for b in at.sidebar.button]
    assert len(recent) == 2
    assert recent[0].startswith("Ngành thương mại") and recent[1].startswith("Tổng đàn lợn")
    at.sidebar.button[1].click().run()
    assert "4.785 con" in answer_box(at)
    assert at.query_params["q"] == "Tổng đàn lợn của thành phố là bao nhiêu con?"


def test_markdown_in_a_question_is_shown_as_typed_never_rendered(index: Path):
    question = "![x](http://example.invalid/a.png) tổng_đàn *lợn*"
    at = ask(question)
    label = at.sidebar.button[0].label
    assert "\\!\\[x\\]\\(http\\://example\\.invalid/a\\.png\\)" in label
    assert shown_text(label).startswith(question)


def test_questions_never_read_the_index_again(index: Path, monkeypatch: pytest.MonkeyPatch):
    at = start()

    def refuse(*args, **kwargs):
        raise AssertionError("the index was read again")

    monkeypatch.setattr("pipeline.store.reader.IndexData.__init__", refuse)
    at = ask("Tổng đàn lợn của thành phố là bao nhiêu con?", at)
    at = ask("thương mại dịch vụ tăng bao nhiêu", at)
    assert "14,33%" in answer_box(at)


def test_working_in_another_tab_does_not_ask_again(index: Path, monkeypatch: pytest.MonkeyPatch):
    at = ask("Tổng đàn lợn của thành phố là bao nhiêu con?")
    shown = answer_box(at)

    def refuse(*args, **kwargs):
        raise AssertionError("asked again")

    monkeypatch.setattr("pipeline.ask.answer.Answerer.ask", refuse)
    at.multiselect(key="ref_types").set_value(["Nghị định"]).run()
    assert not at.exception, at.exception
    assert answer_box(at) == shown


def test_top_k_slider_sets_how_many_passages_are_shown(index: Path):
    at = ask("tăng trưởng kinh tế")
    assert len(passage_cards(at)) == 5
    at.sidebar.slider[0].set_value(2).run()
    assert len(passage_cards(at)) == 2


def test_document_filter_keeps_passages_to_that_document(index: Path):
    at = start()
    at.sidebar.multiselect[0].set_value(["qd-97-2025-ubnd.md"]).run()
    at = ask("hồ sơ đề nghị hỗ trợ gồm những gì", at)
    cards = passage_cards(at)
    assert cards and all("qd-97-2025-ubnd.md" in c for c in cards)
    assert "Quyết định số 97/2025/QĐ-UBND ngày 25/11/2025 của Ủy ban nhân dân tỉnh Nghệ An" in at.code[0].value


def test_document_html_is_shown_as_text_never_run(hostile_index: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TRACUU_INDEX", str(hostile_index))
    at = ask("Tổng thu ngân sách phường Bắc Hà năm 2023 đạt bao nhiêu?")
    shown = markdown(at)
    assert "57,8 tỷ đồng" in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "<script" not in shown.lower()


def test_english_toggle_switches_the_interface(index: Path):
    at = start()
    at.sidebar.toggle[0].set_value(True).run()
    assert [t.label for t in at.tabs] == ["Ask", "References", "Compare", "Library"]
    at = ask("thương mại dịch vụ tăng bao nhiêu", at)
    assert answer_box(at).startswith('<div class="tc-answer"><b>Answer:</b>')


# ---- Văn bản dẫn chiếu --------------------------------------------------------------------------------------

def test_reference_lookup_from_the_url_shows_mentions_and_citing_documents(index: Path):
    at = start(ref="nd 25/2025")
    assert selected_tab(at) == "Văn bản dẫn chiếu"
    shown = markdown(at)
    assert "<h4>25/2025/NĐ-CP</h4><div>Nghị định · CP · 2025-02-21</div>" in shown
    assert "<b>Có trong thư viện:</b> <a href=\"?ref=25%2F2025%2FN%C4%90-CP\"" in shown
    cited_by = shown.split("<b>Được dẫn chiếu bởi:</b>", 1)[1].split("<br>", 1)[0]
    assert "?ref=1378%2FQ%C4%90-BNV" in cited_by and "×1" in cited_by
    assert "Căn cứ Nghị định số <mark>25/2025/NĐ-CP</mark> ngày 21 tháng 02 năm 2025" in shown
    assert "2 lần được nhắc đến trong 2 văn bản" in [c.value for c in at.caption]


def test_reference_typed_in_the_box_updates_the_url(index: Path):
    at = ask("thương mại dịch vụ tăng bao nhiêu")
    at.text_input(key="ref_query").input("qd 1085")
    at.button(key="ref_submit").click().run()
    assert "<h4>1085/QĐ-TTg</h4>" in markdown(at)
    assert at.query_params["ref"] == "qd 1085" and "q" not in at.query_params
    shown = markdown(at)
    assert "Kế hoạch rà soát, đơn giản hóa thủ tục hành chính nội bộ" in shown
    at.text_input(key="ref_query").input("không có số nào")
    at.button(key="ref_submit").click().run()
    assert "không có số hiệu văn bản" in at.warning[0].value


def test_reference_of_an_uncited_document_shows_what_it_cites(index: Path):
    at = start(ref="1378/QĐ-BNV")
    shown = markdown(at)
    assert "<h4>1378/QĐ-BNV</h4>" in shown
    cites = shown.split("<b>Văn bản này dẫn chiếu đến:</b>", 1)[1]
    assert "?ref=25%2F2025%2FN%C4%90-CP" in cites


def test_a_number_shows_its_status_badge_and_the_timeline_of_its_relations(index: Path):
    at = start(ref="nd 25/2025")
    shown = markdown(at)
    assert '<span class="tc-badge tc-st-in-force">Còn hiệu lực</span>' in shown  # named as a basis by 1378/QĐ-BNV
    timeline = next(m.value for m in at.markdown if m.value.startswith('<div class="tc-timeline">'))
    assert "<b>Là căn cứ của</b>" in timeline and "?ref=1378%2FQ%C4%90-BNV" in timeline
    assert "Căn cứ Nghị định số 25/2025/NĐ-CP" in timeline  # the sentence it rests on


def test_reference_table_counts_and_filters_by_type(index: Path):
    at = start()
    table = at.dataframe[0].value
    assert list(table.columns) == ["Số hiệu", "Loại", "Ban hành", "Ngày", "Lượt nhắc", "Số văn bản nhắc",
                                   "Văn bản trong thư viện"]
    refs = len(open_index(index).references)
    assert len(table) == refs
    assert table.iloc[0]["Lượt nhắc"] == table["Lượt nhắc"].max()
    decree = table[table["Số hiệu"] == "25/2025/NĐ-CP"].iloc[0]
    assert decree["Văn bản trong thư viện"] == "nd-25-2025-cp.md" and decree["Lượt nhắc"] == 2
    at.multiselect(key="ref_types").set_value(["Nghị định"]).run()
    filtered = at.dataframe[0].value
    assert 0 < len(filtered) < refs and set(filtered["Loại"]) == {"Nghị định"}


# ---- So sánh ------------------------------------------------------------------------------------------------

def comparison_table(at: AppTest):
    return next(d.value for d in at.dataframe if "Giá trị" in d.value.columns)


def test_comparison_from_the_url_shows_target_against_result_with_the_gap_and_sources(index: Path):
    at = start(so_sanh="tang truong kinh te")
    assert selected_tab(at) == "So sánh"
    table = comparison_table(at)
    assert [(r["Năm"], r["Loại"], r["Giá trị"]) for _, r in table.iterrows()] == [
        (2022, "kết quả", 11.67), (2023, "mục tiêu", 11.5)]
    gap = at.info[0].value.replace("\\", "")  # the message is Markdown-escaped
    assert "mục tiêu 2023: 11,5 % · kết quả 2022: 11,67 % · chênh lệch −0,17 điểm %" in gap
    shown = markdown(at)
    assert "Tăng trưởng kinh tế ước đạt <mark>11,67%</mark>" in shown
    assert "Tăng trưởng kinh tế đạt <mark>11,5%</mark>" in shown
    assert {b.label for b in at.get("download_button")} == {"Tải CSV", "Tải Excel"}


def test_comparison_typed_in_the_box_updates_the_url_and_says_when_nothing_matches(index: Path):
    at = start()
    at.text_input(key="cmp_query").input("thu ngan sach")
    at.button(key="cmp_submit").click().run()
    assert at.query_params["so_sanh"] == "thu ngan sach" and "q" not in at.query_params
    values = set(comparison_table(at)["Giá trị"])
    assert values == {1172.5, 1275}
    at.text_input(key="cmp_query").input("xyz qwerty")
    at.button(key="cmp_submit").click().run()
    assert "Không tìm thấy chỉ tiêu" in at.info[0].value


# ---- Thư viện -----------------------------------------------------------------------------------------------

def test_library_lists_documents_with_metadata_and_chunk_counts(index: Path):
    at = start()
    docs = at.dataframe[1].value
    assert list(docs["Tệp"]) == sorted(p.name for p in DOCS)
    qd = docs[docs["Tệp"] == "qd-97-2025-ubnd.md"].iloc[0]
    assert qd["Số"] == "97/2025/QĐ-UBND" and qd["Ngày"] == "2025-11-25"
    bnv = docs[docs["Tệp"] == "qd-1378-bnv.md"].iloc[0]  # "Quyết định này có hiệu lực thi hành kể từ ngày ký"
    assert bnv["Tình trạng"] == "Còn hiệu lực" and bnv["Hiệu lực từ"] == open_index(index).docs[bnv["Tệp"]].meta.date
    assert qd["Số đoạn"] == open_index(index).docs["qd-97-2025-ubnd.md"].n_chunks
    assert "4 văn bản" in " ".join(c.value for c in at.caption)


def test_documents_not_embedded_yet_are_counted_and_their_answers_marked_keyword_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from pipeline.store.ingest import Stage

    def stop_while_embedding(stage: Stage, done: int, total: int) -> None:
        if stage is Stage.CHUNKS:
            raise KeyboardInterrupt

    root = tmp_path / "index"
    ingest([SEED], FakeEmbedder(), root=root)
    with pytest.raises(KeyboardInterrupt):  # the decision searchable, none of its vectors made yet
        ingest([DATA / "qd-97-2025-ubnd.md"], FakeEmbedder(), root=root, progress=stop_while_embedding)
    monkeypatch.setenv("TRACUU_INDEX", str(root))
    waiting = open_index(root).docs["qd-97-2025-ubnd.md"].n_chunks
    at = ask("trình tự hỗ trợ chi phí tư vấn pháp luật cho doanh nghiệp nhỏ và vừa")
    notes = " ".join(i.value for i in at.info)
    assert r"Chỉ tìm theo từ khóa — tài liệu chưa nhúng xong: qd\-97\-2025\-ubnd\.md" in notes  # as plain text
    assert f"{waiting} đoạn đang chờ tạo vector" in notes
    docs = at.dataframe[1].value
    assert dict(zip(docs["Tệp"], docs["Chờ vector"], strict=True)) == {SEED.name: 0, "qd-97-2025-ubnd.md": waiting}


def test_upload_of_a_good_and_a_broken_file_adds_one_and_explains_the_other(own_index: Path):
    at = start()
    uploader = at.file_uploader[0]
    uploader.upload("../../bao cao moi.md", HOSTILE.encode("utf-8"), "text/markdown")
    uploader.upload("hong.txt", b"\x00\x01\x02\x03PK\x03\x04" * 40, "text/plain")
    at.run()
    at.button(key="add").click().run()
    assert not at.exception, at.exception
    assert [shown_text(s.value) for s in at.success] == ["Đã thêm: bao-cao-moi.md"]
    assert [shown_text(e.value) for e in at.error] == [
        "Không đọc được: hong.txt: binary data, not text (dữ liệu nhị phân) — is this the right file?"]
    assert "bao-cao-moi.md" in set(at.dataframe[1].value["Tệp"])
    assert (own_index / "uploads" / "bao-cao-moi.md").is_file()
    assert not (own_index.parent / "bao cao moi.md").exists()
    at = ask("Tổng thu ngân sách phường Bắc Hà năm 2023 đạt bao nhiêu?", at)  # the new generation answers
    assert "57,8 tỷ đồng" in answer_box(at)


def test_remove_a_document_needs_confirmation(own_index: Path):
    source = (DATA / "qd-97-2025-ubnd.md").read_bytes()
    at = start()
    at.selectbox(key="remove_pick").set_value("qd-97-2025-ubnd.md").run()
    assert at.button(key="remove").disabled
    at.checkbox(key="remove_confirm").check().run()
    at.button(key="remove").click().run()
    assert not at.exception, at.exception
    assert [shown_text(s.value) for s in at.success] == ["Đã xoá: qd-97-2025-ubnd.md"]
    assert "qd-97-2025-ubnd.md" not in set(at.dataframe[1].value["Tệp"])
    assert "qd-97-2025-ubnd.md" not in open_index(own_index).docs
    assert (DATA / "qd-97-2025-ubnd.md").read_bytes() == source  # the source file itself is never touched


def test_empty_index_explains_how_to_add_documents_and_accepts_uploads(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TRACUU_INDEX", str(tmp_path / "index"))
    monkeypatch.setenv("TRACUU_MODEL", "fake")
    at = start()
    assert not at.error
    assert "tracuu ingest" in at.info[0].value and "Thư viện" in at.info[0].value
    assert not at.text_input
    at.file_uploader[0].upload("qd-97.md", (DATA / "qd-97-2025-ubnd.md").read_bytes(), "text/markdown")
    at.run()
    at.button(key="add").click().run()
    assert not at.exception, at.exception
    assert [t.label for t in at.tabs] == ["Hỏi đáp", "Văn bản dẫn chiếu", "So sánh", "Thư viện"]
    assert open_index(tmp_path / "index").embedder_name == "fake"
