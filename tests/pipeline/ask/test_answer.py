import json

from pipeline import open_answerer
from pipeline.embed import FakeEmbedder


def _answerer(root):
    return open_answerer(root, model=FakeEmbedder())


def test_answer_is_a_cited_sentence_not_a_passage(seed_index_fake):
    ans = _answerer(seed_index_fake).ask("Tổng đàn lợn của thành phố là bao nhiêu con?")
    assert "4.785" in ans.text and ans.text.rstrip().endswith(f"[{ans.citations[0]}]")
    assert len(ans.text) < 400
    cited = ans.passages[ans.citations[0] - 1]
    assert "4.785" in cited.text


def test_json_shape_is_exactly_what_the_ui_relies_on(seed_index_fake):
    out = json.loads(json.dumps(_answerer(seed_index_fake).ask("tang truong kinh te", k=3).to_json()))
    assert set(out) == {"question", "answer", "keyword_only", "pending_docs", "passages"}
    assert out["keyword_only"] is False and out["pending_docs"] == []  # every document embedded
    assert set(out["answer"]) == {"text", "citations"}
    assert len(out["passages"]) == 3
    citations = out["answer"]["citations"]  # ranks of the passages, each written as [n] in the text
    assert citations and all(type(c) is int and 1 <= c <= 3 and f"[{c}]" in out["answer"]["text"] for c in citations)
    for i, p in enumerate(out["passages"], start=1):
        assert set(p) == {"rank", "doc", "title", "year", "section", "chunk_id", "text", "score", "page", "footnotes",
                          "citation", "keyword_only"}
        assert all(f"[{n}] {note}" in p["text"] for n, note in p["footnotes"])  # "text" still holds the notes
        assert p["rank"] == i and isinstance(p["score"], float) and p["year"] in (None, 2022, 2023, 2025)
        assert p["page"] is None  # text files have no pages; a PDF's passages carry theirs (tests/test_formats.py)


def test_comparison_gets_one_sentence_per_year(seed_index_fake):
    ans = _answerer(seed_index_fake).ask("So sánh số tuyến phố văn minh đô thị xây dựng năm 2022 và chỉ tiêu năm 2023")
    lines = ans.text.splitlines()
    assert lines[0].startswith("Năm 2022:") and lines[1].startswith("Năm 2023:")
    assert len(ans.citations) == 2
    years = {ans.passages[c - 1].year for c in ans.citations}
    assert years == {2022, 2023}


def test_answer_from_a_footnote_cites_the_chunk_holding_it(seed_index_fake):
    ans = _answerer(seed_index_fake).ask("Năm 2022 kiểm tra xử phạt bao nhiêu cơ sở kinh doanh vi phạm?")
    assert "83 cơ sở" in ans.text
    assert "[5] năm 2022 kiểm tra xử phạt 83 cơ sở" in ans.passages[ans.citations[0] - 1].full_text


def test_empty_question_gives_an_empty_answer(seed_index_fake):
    ans = _answerer(seed_index_fake).ask("   ")
    assert ans.text == "" and ans.passages == ()


def test_a_figure_is_not_a_date_a_year_or_a_document_number():
    from pipeline.ask.answer import has_quantity

    assert has_quantity("Tổng thu ngân sách ước đạt 1.172,5 tỷ đồng.")
    assert has_quantity("có 639 em đạt giải")
    assert not has_quantity("Quyết định số 931/QĐ-UBND ngày 05/5/2022 đến năm 2025, tầm nhìn đến năm 2030.")
    assert not has_quantity("Chỉ thị số 36-CT/Th.U ngày 31/5/2022 giai đoạn 2022 - 2025.")


def test_focus_words_are_the_ones_next_to_the_question_word():
    from pipeline.ask.answer import focus_terms

    assert {"nâng", "lương", "nâng_lương"} <= focus_terms("ban hành bao nhiêu quyết định nâng lương cho cán bộ")
    assert {"tổng", "mức", "đầu", "tư"} <= focus_terms("Dự án có tổng mức đầu tư bao nhiêu?")
    assert focus_terms("Tăng trưởng kinh tế năm 2022") == set()


def test_a_question_naming_a_document_number_puts_its_mentions_first(seed_index_fake):
    answerer = _answerer(seed_index_fake)
    ans = answerer.ask("qd 1033 bố trí vốn bao nhiêu?")
    assert "1033/QĐ-UBND" in ans.passages[0].full_text
    # the decision that bears the number speaks of itself as "Quyết định này": its own chunks count
    ans = answerer.ask("Quyết định 97/2025/QĐ-UBND quy định hồ sơ đề nghị hỗ trợ gồm những gì?")
    assert ans.passages[0].doc == "qd-97-2025-ubnd.md"


def test_a_question_about_what_a_numbered_document_is_gets_its_title(seed_index_fake):
    answerer = _answerer(seed_index_fake)
    title = answerer.data.docs["qd-97-2025-ubnd.md"].meta.title
    assert "tư vấn pháp luật" in title.lower()
    for question in ("quyet dinh 97/2025/qd-ubnd nghe an quy dinh ve gi", "97/2025/QĐ-UBND"):
        ans = answerer.ask(question)
        assert title in ans.text, (question, ans.text)
        assert ans.passages[ans.citations[0] - 1].doc == "qd-97-2025-ubnd.md"
    # a question for a figure inside the same document is not answered by its title
    figure = answerer.ask("Theo Quyết định 97/2025/QĐ-UBND, doanh nghiệp siêu nhỏ được hỗ trợ tối đa bao nhiêu?")
    assert title not in figure.text


def test_the_passage_the_answer_is_read_from_comes_first(seed_index_fake, monkeypatch):
    import pipeline.ask.answer as answer_module
    from pipeline.ask.evaluate import load_questions
    from tests.conftest import ROOT, SHARED

    answerer = _answerer(seed_index_fake)
    questions = [q["q"] for f in (SHARED / "eval" / "dev_qa.jsonl", ROOT / "bench" / "qa_extra.jsonl")
                 for q in load_questions(f)]
    promote = answer_module.answering_first
    monkeypatch.setattr(answer_module, "answering_first", lambda passages, best: (passages, best))
    searched = [answerer.ask(q, 5) for q in questions]  # in the order search (and number routing) ranked them
    monkeypatch.setattr(answer_module, "answering_first", promote)
    moved = 0
    for before, after in zip(searched, (answerer.ask(q, 5) for q in questions), strict=True):
        if len(before.citations) != 1:
            continue  # a comparison cites one passage per year, in their order
        cited = before.passages[before.citations[0] - 1]
        assert after.citations == (1,) and after.text.endswith("[1]") and after.spans[0][0] == 1
        assert after.passages[0].chunk_id == cited.chunk_id
        # the others follow in the order search ranked them, renumbered
        assert [p.chunk_id for p in after.passages[1:]] == [p.chunk_id for p in before.passages if p is not cited]
        assert [p.rank for p in after.passages] == list(range(1, len(after.passages) + 1))
        moved += before.citations != (1,)
    assert moved  # search ranked the answering passage lower for some question, and it was moved up
