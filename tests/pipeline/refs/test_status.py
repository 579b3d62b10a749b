"""pipeline/refs/status.py: whether a number is in force, derived at query time from the relations ingest
stored, always with the sentence it rests on; and `tracuu refs` showing it (text and --json)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.embed import FakeEmbedder
from pipeline.refs.catalog import RefCatalog
from pipeline.refs.references import find_references
from pipeline.refs.relations import InForce, Relation, RelationType
from pipeline.refs.status import Status, StatusIndex
from pipeline.store.ingest import PARSER_VERSION, ingest
from pipeline.store.layout import LAYOUT, current_generation
from pipeline.store.reader import open_index
from tests.pipeline.store.old_formats import as_single_folder

DATA = Path(__file__).resolve().parents[2] / "data"
ND25 = DATA / "nd-25-2025-cp.md"  # Nghị định 25/2025/NĐ-CP
QD1378 = DATA / "qd-1378-bnv.md"  # "Căn cứ Nghị định số 25/2025/NĐ-CP …"
QD95 = DATA / "qd-95-2025-nghean.md"  # "… có hiệu lực … từ ngày 05/12/2025 và thay thế Quyết định số 65/2024/QĐ-UBND …"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("status")
    ingest([ND25, QD1378, QD95], FakeEmbedder(), root=root)
    return root


@pytest.fixture(scope="module")
def catalog(index: Path) -> RefCatalog:
    return RefCatalog(open_index(index))


def test_relations_and_effective_dates_are_stored_in_the_index(index: Path):
    [path] = current_generation(index).glob(f"seg-*/{LAYOUT.db}")  # one segment: both documents' relations
    db = sqlite3.connect(path)
    rows = db.execute("SELECT type, ref, subject_ref, effective, doc FROM relations WHERE type = 'replaces'").fetchall()
    assert rows == [("replaces", "65/2024/QĐ-UBND", None, "2025-12-05", QD95.name)]
    assert (QD95.name, "2025-12-05") in db.execute("SELECT doc, date FROM in_force").fetchall()


def test_a_number_absent_from_the_index_is_described_by_what_others_say_of_it(catalog: RefCatalog):
    [m] = catalog.lookup("qd 65/2024")
    st = catalog.status(m)
    assert st.status is Status.REPLACED and st.effective is None  # its own date is not known: it is not indexed
    [link] = st.evidence
    assert (link.type, link.other, link.effective, link.doc) == ("replaced_by", "95/2025/QĐ-UBND", "2025-12-05",
                                                                 QD95.name)
    assert "thay thế Quyết định số 65/2024/QĐ-UBND" in link.sentence


def test_an_indexed_decision_is_in_force_from_its_own_date_and_lists_what_it_replaces(catalog: RefCatalog):
    [m] = [x for x in catalog.lookup("95/2025/QĐ-UBND") if x.ref == "95/2025/QĐ-UBND"]
    st = catalog.status(m)
    assert st.status is Status.IN_FORCE and st.effective == "2025-12-05"
    assert st.in_force is not None and "có hiệu lực thi hành kể từ ngày 05/12/2025" in st.in_force.sentence
    kinds = {(x.type, x.other) for x in st.relations}
    assert ("replaces", "65/2024/QĐ-UBND") in kinds and ("implements", "118/2025/NĐ-CP") in kinds


def test_a_decree_named_as_a_basis_is_in_force_on_that_evidence(catalog: RefCatalog):
    [m] = catalog.lookup("25/2025/NĐ-CP")
    st = catalog.status(m)
    assert st.status is Status.IN_FORCE
    assert [(x.type, x.doc) for x in st.evidence] == [("implemented_by", QD1378.name)]


def test_a_number_nobody_speaks_of_is_unknown_never_guessed(catalog: RefCatalog):
    [m] = catalog.lookup("11006/TTr-SNNMT")
    st = catalog.status(m)
    assert st.status is Status.UNKNOWN and not st.evidence and not st.relations


def _rel(kind: RelationType, other: str, doc: str, scope: str | None = None, sentence: str = "…") -> Relation:
    return Relation(kind, find_references(other)[0], None, scope, None, doc, "", f"{doc}#0", sentence)


def test_two_documents_replacing_the_same_one_are_both_shown_as_a_conflict():
    relations = [_rel(RelationType.REPLACES, "Quyết định số 15/2019/QĐ-UBND", "a.md"),
                 _rel(RelationType.REPLACES, "Quyết định số 15/2019/QĐ-UBND", "b.md")]
    idx = StatusIndex(relations, [], {"a.md": "20/2025/QĐ-UBND", "b.md": "31/2025/QĐ-UBND"})
    st = idx.status(find_references("15/2019/QĐ-UBND")[0])
    assert st.status is Status.REPLACED and st.conflict
    assert {x.other for x in st.evidence} == {"20/2025/QĐ-UBND", "31/2025/QĐ-UBND"}


def test_a_provinces_number_is_changed_only_by_documents_of_its_own_place():
    # 15/2013/NQ-HĐND exists in many provinces: Đắk Lắk's replacing its own says nothing of Huế's
    relations = [_rel(RelationType.REPLACES, "Nghị quyết số 15/2013/NQ-HĐND", "dak-lak.md",
                      sentence="Nghị quyết này thay thế Nghị quyết số 15/2013/NQ-HĐND ngày 12/7/2013.")]
    numbers = {"dak-lak.md": "20/2025/NQ-HĐND", "hue.md": "15/2013/NQ-HĐND"}
    places = {"dak-lak.md": "dak lak", "hue.md": "hue"}
    idx = StatusIndex(relations, [], numbers, places)
    ref = find_references("15/2013/NQ-HĐND")[0]
    assert idx.status(ref, bearer="hue.md").status is Status.UNKNOWN  # Huế's own: nothing said of it here
    assert idx.status(ref, bearer="dak-lak.md").relations == ()  # the stating document acts, it is not acted on
    assert idx.status(ref).status is Status.REPLACED and not idx.status(ref).conflict  # one place speaks
    # a sentence naming the bearer's place does count
    named = [_rel(RelationType.REPEALS, "Nghị quyết số 15/2013/NQ-HĐND", "dak-lak.md",
                  sentence="Bãi bỏ Nghị quyết số 15/2013/NQ-HĐND của HĐND thành phố Huế.")]
    assert StatusIndex(named, [], numbers, places).status(ref, bearer="hue.md").status is Status.REPEALED
    # no indexed bearer, two provinces each replacing "their" 15/2013: shown as a conflict, not merged silently
    both = [*relations, _rel(RelationType.REPLACES, "Nghị quyết số 15/2013/NQ-HĐND", "ca-mau.md")]
    two = StatusIndex(both, [], {**numbers, "ca-mau.md": "07/2025/NQ-HĐND"}, {**places, "ca-mau.md": "ca mau"})
    assert two.status(ref).conflict
    # a national number is the same everywhere
    decree = [_rel(RelationType.AMENDS, "Nghị định số 08/2022/NĐ-CP", "dak-lak.md")]
    amended = StatusIndex(decree, [], {"dak-lak.md": None, "nd.md": "08/2022/NĐ-CP"}, {"dak-lak.md": "dak lak"})
    assert amended.status(find_references("08/2022/NĐ-CP")[0], bearer="nd.md").status is Status.AMENDED


def test_a_replacement_that_takes_effect_later_leaves_the_number_in_force_until_then():
    later = Relation(RelationType.REPLACES, find_references("Quyết định số 15/2019/QĐ-UBND")[0], None, None,
                     "2026-07-01", "a.md", "", "a.md#0", "… thay thế Quyết định số 15/2019/QĐ-UBND kể từ 01/7/2026.")
    idx = StatusIndex([later], [], {"a.md": "20/2026/QĐ-UBND"})
    ref = find_references("15/2019/QĐ-UBND")[0]
    before, after = idx.status(ref, today="2026-06-30"), idx.status(ref, today="2026-07-01")
    assert before.status is not Status.REPLACED and [x.type for x in before.relations] == ["replaced_by"]
    assert after.status is Status.REPLACED and after.evidence[0].effective == "2026-07-01"


def test_a_partial_repeal_is_not_a_whole_one_and_an_amendment_keeps_its_scope():
    ref = "Thông tư số 04/2022/TT-BTP"
    part = StatusIndex([_rel(RelationType.REPEALS, ref, "a.md", "điểm b khoản 1 Điều 2")], [], {"a.md": None})
    assert part.status(find_references(ref)[0]).status is Status.REPEALED_IN_PART
    amended = StatusIndex([_rel(RelationType.AMENDS, ref, "a.md", "Điều 5")],
                          [InForce("a.md", "2025-12-01", "a.md#0", "…")], {"a.md": "24/2025/TT-BTP"})
    st = amended.status(find_references(ref)[0])
    assert st.status is Status.AMENDED
    assert [(x.type, x.other, x.scope, x.effective) for x in st.evidence] == [
        ("amended_by", "24/2025/TT-BTP", "Điều 5", "2025-12-01")]  # from the amending document's own date


def test_refs_json_adds_status_effective_and_relations_to_every_match(index: Path, capsys):
    assert main(["refs", "qd 65/2024", "--index", str(index), "--json"]) == 0
    [m] = json.loads(capsys.readouterr().out)["matches"]
    assert {"ref", "mentions", "document", "status", "effective", "relations"} <= set(m)
    assert m["status"] == "replaced" and m["effective"] is None
    [r] = m["relations"]
    assert set(r) == {"type", "other", "scope", "effective", "doc", "sentence"}
    assert (r["type"], r["other"], r["effective"], r["doc"]) == ("replaced_by", "95/2025/QĐ-UBND", "2025-12-05",
                                                                 QD95.name)


def test_refs_text_names_the_status_and_the_sentence_it_rests_on(index: Path, capsys):
    assert main(["refs", "65/2024/QĐ-UBND", "--index", str(index)]) == 0
    out = capsys.readouterr().out
    assert "status: replaced" in out and "replaced_by 95/2025/QĐ-UBND from 2025-12-05" in out


def test_refs_relations_lists_every_relation_of_a_type(index: Path, capsys):
    assert main(["refs", "--relations", "--type", "replaces", "--index", str(index), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["subject"], r["other"]) for r in rows] == [("95/2025/QĐ-UBND", "65/2024/QĐ-UBND")]
    assert main(["refs", "--relations", "--type", "nonsense", "--index", str(index)]) == 2


def test_an_index_written_before_relations_reads_with_none_then_an_ingest_derives_them_without_embedding(
        index: Path, tmp_path: Path):
    import shutil

    from pipeline.store import integrity

    old = tmp_path / "old"
    shutil.copytree(index, old)
    gen = as_single_folder(old)  # an older index: one folder of files
    db = sqlite3.connect(gen / LAYOUT.db)
    db.executescript("DROP TABLE relations; DROP TABLE in_force;")
    db.commit()
    db.close()
    manifest = json.loads((gen / integrity.MANIFEST).read_text(encoding="utf-8"))
    older = {**manifest, "parser_version": PARSER_VERSION - 1, "files": integrity.file_digests(gen)}
    integrity.write_manifest(gen, older)
    data = open_index(old)
    assert data.relations == [] and data.in_force == []  # read safely, as an older index has none
    report = ingest([ND25, QD1378, QD95], FakeEmbedder(), root=old)
    assert report.written
    assert report.chunks_embedded == 0 and report.chunks_reused > 0  # relations are derived, nothing re-embedded
    assert any(r.type is RelationType.REPLACES for r in open_index(old).relations)


@pytest.mark.parametrize(("question", "says", "doc"), [
    ("Quyết định 65/2024/QĐ-UBND của Nghệ An còn hiệu lực không?", "65/2024/QĐ-UBND: đã bị thay thế", "qd-95"),
    ("van ban nao thay the quyet dinh 65/2024/qd-ubnd", "đã bị thay thế", "qd-95"),
    ("Quyết định 95/2025/QĐ-UBND có hiệu lực từ khi nào?", "còn hiệu lực từ ngày 5/12/2025", "qd-95"),
])
def test_ask_answers_a_question_on_legal_status_with_the_sentence_it_rests_on(index: Path, question, says, doc):
    from pipeline import open_answerer

    ans = open_answerer(index, model=FakeEmbedder()).ask(question)
    assert says in ans.text, ans.text
    cited = ans.passages[ans.citations[0] - 1]
    assert cited.doc.startswith(doc) and ans.spans[0][1] in cited.full_text


def test_ask_reads_a_loosely_typed_number_as_the_index_cites_it(index: Path):
    from pipeline import open_answerer

    ans = open_answerer(index, model=FakeEmbedder()).ask("nghi dinh 25/2025 con hieu luc khong")
    assert ans.text.startswith("25/2025/NĐ-CP: còn hiệu lực"), ans.text


def test_ask_leaves_other_questions_on_a_numbered_document_to_the_passages(index: Path):
    from pipeline import open_answerer

    ans = open_answerer(index, model=FakeEmbedder()).ask("Nghị định 25/2025/NĐ-CP quy định chức năng của bộ nào?")
    assert "hiệu lực" not in ans.text.split(".")[0]
