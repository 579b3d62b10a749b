from pathlib import Path

from pipeline.readers import read_document
from pipeline.text.chunk import MAX_CHARS, chunk_document


def _seed_chunks(seed_path: Path):
    return chunk_document(read_document(seed_path))


def test_footnote_body_is_attached_to_the_chunk_that_cites_it(seed_path):
    chunks = _seed_chunks(seed_path)
    # footnote 6 ("118.979 m2 thảm nhựa") is cited in 1.2 (xây dựng cơ bản)
    holders = [c for c in chunks if any("118.979 m2 thảm nhựa" in note for _, note in c.footnotes)]
    assert len(holders) == 1
    assert holders[0].section.endswith("1.2. Công tác quy hoạch, xây dựng cơ bản và quản lý đô thị")
    assert holders[0].headings[-1].label == "1.2."
    assert dict(holders[0].footnotes)[6].startswith("Ước thực hiện đến ngày 31/12/2022")
    assert "118.979 m2 thảm nhựa" not in holders[0].text  # the body is the body; the note travels beside it
    assert "[6] Ước thực hiện đến ngày 31/12/2022" in holders[0].embed_text()  # and is embedded with it


def test_chunks_never_mix_sections_and_stay_under_the_size_limit(seed_path):
    from pipeline.text.clean import strip_marks
    from pipeline.text.sections import build_sections

    def norm(text: str) -> str:
        return " ".join(strip_marks(text).split())

    doc = read_document(seed_path)
    chunks = chunk_document(doc)
    sections: dict[str, list[str]] = {}
    for s in build_sections(doc.paragraphs):
        sections.setdefault(s.breadcrumb, []).append(norm(" ".join(p.text for p in s.paragraphs)))
    assert len(chunks) > 50 and len(sections) > 20
    for c in chunks:
        body = c.text
        assert len(body) <= MAX_CHARS + 400, c.chunk_id  # + one overlap sentence at most
        assert c.chunk_id.startswith(f"{c.doc}#")
        # it opens and ends inside one run of its own section's text
        head, tail = norm(body)[:40], norm(body)[-40:]
        assert any(head in t and tail in t for t in sections.get(c.section, [])), c.chunk_id
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_chunk_ids_are_readable_and_stable(seed_path):
    a, b = _seed_chunks(seed_path), _seed_chunks(seed_path)
    assert [c.chunk_id for c in a] == [c.chunk_id for c in b]
    ids = {c.chunk_id for c in a}
    assert "bao-cao-ktxh-2022-tp-ha-tinh.txt#P1/I/1/1.4:0" in ids
    assert "bao-cao-ktxh-2022-tp-ha-tinh.txt#P2/I/2/a:0" in ids


def test_long_sections_split_at_sentence_boundaries_with_overlap(seed_path):
    by_section: dict[str, list] = {}
    for c in _seed_chunks(seed_path):
        by_section.setdefault(c.chunk_id.rsplit(":", 1)[0], []).append(c)
    pairs = [(a, b) for cs in by_section.values() for a, b in zip(cs, cs[1:], strict=False)]
    assert len(pairs) >= 10
    from pipeline.text.clean import strip_marks

    doc = read_document(seed_path)
    paragraph_ends = {strip_marks(p.text)[-40:] for p in doc.paragraphs}
    for prev, _ in pairs:
        last = prev.text.rstrip()
        assert last[-1] in ".;:!?)”\"" or last[-40:] in paragraph_ends  # a sentence or paragraph ends there
    # most consecutive chunks of a section share a sentence (not when the next paragraph fills a chunk alone)
    shared = sum(nxt.text.split("\n")[0][:60] in prev.text for prev, nxt in pairs)
    assert shared >= len(pairs) // 2


def test_chunk_year_is_the_year_its_part_reports(seed_path):
    by_id = {c.chunk_id: c for c in _seed_chunks(seed_path)}
    assert by_id["bao-cao-ktxh-2022-tp-ha-tinh.txt#P1/I/1/1.4:0"].year == 2022
    assert by_id["bao-cao-ktxh-2022-tp-ha-tinh.txt#P2/I/2/a:0"].year == 2023


def test_a_chunk_is_cited_with_the_page_its_text_starts_on():
    from pipeline.types import Document, Paragraph

    long = " ".join(f"Câu thứ {i} nói về kết quả thu ngân sách của thành phố trong năm 2022." for i in range(40))
    doc = Document("a.pdf", "a.pdf", "h", (
        Paragraph("1. Thu ngân sách", 3),
        Paragraph("Tổng thu ngân sách ước đạt 1.172,5 tỷ đồng.", 3),
        Paragraph(long, 4),  # over two chunks: both start in this paragraph, on page 4
        Paragraph("2. Chi ngân sách", 6),
        Paragraph("Tổng chi ngân sách ước đạt 980 tỷ đồng.", 7),
    ))
    thu, chi = [c for c in chunk_document(doc) if c.section.startswith("1.")], \
        [c for c in chunk_document(doc) if c.section.startswith("2.")]
    assert len(thu) >= 3 and thu[0].text.startswith("Tổng thu") and thu[0].page == 3
    assert all(c.page == 4 for c in thu[1:])  # later chunks open in (or carry a sentence of) the long paragraph
    assert [c.page for c in chi] == [7]  # the heading sits on page 6, the text it heads on page 7


def test_a_clause_stated_before_a_colon_is_embedded_once():
    # a national circular: "1. Thời gian làm việc … là 42 tuần, trong đó:" is the heading of the points under it
    # and, whole, the first line of their chunk; the embedded (and BM25) text holds it once, the citation keeps it
    from tests.conftest import SHARED

    national = SHARED / "corpus" / "local_gov_docs_2025" / "national"
    doc = read_document(national / "05-2025-TT-BGDĐT__c15a1748f51c3fd0.md")
    clause = next(c for c in chunk_document(doc) if c.text.startswith("1. Thời gian làm việc trong năm học"))
    line = clause.headings[-1].text
    assert clause.text.startswith(line) and clause.section.endswith(line)  # the case is both heading and text
    embedded = clause.embed_text(doc.meta.title)
    assert embedded.count(line) == 1
    assert clause.headings[-2].text in embedded  # the article above it is still said
