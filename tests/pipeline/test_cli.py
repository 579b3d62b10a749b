import json
import os
import shutil
import subprocess
import sys

import pytest

from pipeline.cli import EXAMPLES, build_parser, main
from tests.conftest import DATA, ROOT, SEED


def _subcommands():
    parser = build_parser()
    return next(a for a in parser._actions if a.dest == "command").choices


def test_every_command_has_help_with_an_example(capsys):
    cmds = _subcommands()
    assert set(cmds) == set(EXAMPLES)
    for name in cmds:
        with pytest.raises(SystemExit) as e:
            main([name, "--help"])
        assert e.value.code == 0
        out = capsys.readouterr().out
        assert "Example:" in out and f"tracuu {name}" in out, name


def test_python_dash_m_pipeline_runs_the_cli():
    p = subprocess.run([sys.executable, "-m", "pipeline", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0 and "ingest" in p.stdout and "Example:" in p.stdout


def test_ask_json_and_batch_print_one_object_per_question(seed_index_fake, tmp_path, capsys):
    assert main(["ask", "tong dan lon bao nhieu con", "--index", str(seed_index_fake), "--json", "--top-k", "3"]) == 0
    one = json.loads(capsys.readouterr().out)
    assert one["question"] == "tong dan lon bao nhieu con" and len(one["passages"]) == 3
    qs = tmp_path / "q.txt"
    qs.write_text("Tổng đàn lợn bao nhiêu con?\n\nThu ngân sách năm 2022 đạt bao nhiêu?\n", encoding="utf-8")
    assert main(["ask", "--batch", str(qs), "--index", str(seed_index_fake), "--json"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["question"] for x in lines] == ["Tổng đàn lợn bao nhiêu con?", "Thu ngân sách năm 2022 đạt bao nhiêu?"]


def test_stats_json_counts_documents_and_chunks(seed_index_fake, capsys):
    assert main(["stats", "--index", str(seed_index_fake), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["documents"] == 2 and out["chunks"] > 50 and out["embedder"]["name"] == "fake"
    assert out["segments"] == 1 and out["tombstoned"] == 0


def test_stats_says_how_many_segments_and_tombstoned_rows(tmp_path, capsys):
    root = str(tmp_path / "index")
    pair = [DATA / "qd-97-2025-ubnd.md", DATA / "qd-95-2025-nghean.md"]
    assert main(["ingest", *map(str, pair), "--index", root, "--model", "fake", "-q"]) == 0  # one segment
    assert main(["ingest", str(DATA / "qd-1378-bnv.md"), "--index", root, "--model", "fake", "-q"]) == 0
    capsys.readouterr()
    assert main(["stats", "--index", root, "--json"]) == 0
    chunks = {d["name"]: d["chunks"] for d in json.loads(capsys.readouterr().out)["docs"]}
    smaller = min((p.name for p in pair), key=chunks.get)  # the segment keeps most of its rows: no rewrite
    assert main(["ingest", "--remove", smaller, "--index", root, "--model", "fake", "-q"]) == 0
    capsys.readouterr()
    assert main(["stats", "--index", root]) == 0
    out = capsys.readouterr().out
    assert "in 2 segment(s)" in out and f"{chunks[smaller]} rows tombstoned until merged" in out
    assert smaller not in out


def test_stats_and_ask_say_what_still_waits_for_vectors(tmp_path, capsys):
    from pipeline.embed import FakeEmbedder
    from pipeline.store.ingest import Stage, ingest
    from pipeline.types import KEYWORD_ONLY

    def stop_while_embedding(stage: Stage, done: int, total: int) -> None:
        if stage is Stage.CHUNKS:
            raise KeyboardInterrupt

    root, doc = str(tmp_path / "ix"), DATA / "qd-97-2025-ubnd.md"
    ingest([SEED], FakeEmbedder(), root=root)
    with pytest.raises(KeyboardInterrupt):  # stopped once the decision is searchable, before its vectors exist
        ingest([doc], FakeEmbedder(), root=root, progress=stop_while_embedding)
    assert main(["stats", "--index", root, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    waiting = next(d["chunks"] for d in out["docs"] if d["name"] == doc.name)
    assert out["pending"] == waiting and {d["name"]: d["pending"] for d in out["docs"]}[SEED.name] == 0
    assert main(["stats", "--index", root]) == 0
    text = capsys.readouterr().out
    assert f"{waiting} wait for vectors" in text and f"[{waiting} chunks, {waiting} waiting for vectors" in text
    question = "trình tự hỗ trợ chi phí tư vấn pháp luật cho doanh nghiệp nhỏ và vừa"
    assert main(["ask", question, "--index", root]) == 0
    assert f"({KEYWORD_ONLY}: {doc.name}" in capsys.readouterr().out
    assert main(["ask", question, "--index", root, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["keyword_only"] and answer["pending_docs"] == [doc.name]
    assert main(["ingest", "--index", root, "--model", "fake", "-q"]) == 0  # nothing given: the vectors fill in
    assert f"{waiting} chunks embedded ({waiting} left waiting by an earlier ingest)" in capsys.readouterr().out
    assert main(["stats", "--index", root, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["pending"] == 0


def test_ingest_shows_one_bar_with_documents_chunks_and_time_left(tmp_path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    for f in sorted(DATA.glob("qd-*.md"))[:3]:
        shutil.copy(f, src)
    assert main(["ingest", str(src), "--index", str(tmp_path / "ix"), "--model", "fake"]) == 0
    err = capsys.readouterr().err
    bar = err[err.index("documents:"):]
    assert "3 documents · chunks: 100%" in bar and "chunk/s]" in bar and "<00:00" in bar
    assert "\n" not in bar[: bar.index("3 documents · indicator names")]  # the same line, redrawn: one bar
    assert "searchable by keyword now" in bar


def test_ingest_exit_code_is_nonzero_only_when_nothing_was_ingested(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    assert main(["ingest", str(bad), "--index", str(tmp_path / "ix"), "--model", "fake", "-q"]) == 1
    assert "bad.txt" in capsys.readouterr().err
    assert main(["ingest", str(bad), str(DATA / "qd-97-2025-ubnd.md"), "--index", str(tmp_path / "ix"),
                 "--model", "fake", "-q"]) == 0
    assert main(["remove", "qd-97-2025-ubnd.md", "--index", str(tmp_path / "ix")]) == 0


def test_ingest_ocr_flag_reaches_the_pdf_reader_as_an_argument(tmp_path, capsys, monkeypatch):
    from tests.pipeline.readers.test_pdf import _scanned

    scan = _scanned(tmp_path)
    args = ["ingest", str(scan), "--index", str(tmp_path / "ix"), "--model", "fake", "-q"]
    assert main(args) == 1
    assert "scanned PDF" in capsys.readouterr().err  # without the flag: refused, with the hint to use --ocr
    monkeypatch.setenv("PATH", str(tmp_path))  # no Tesseract: the OCR reader itself says so, proving it was asked
    assert main([*args, "--ocr"]) == 1
    assert "OCR needs Tesseract" in capsys.readouterr().err
    assert not any(k.startswith("TRACUU_OCR") for k in os.environ)


def test_errors_are_clear_and_not_tracebacks(tmp_path, capsys):
    assert main(["ask", "câu hỏi", "--index", str(tmp_path / "none")]) == 2
    assert "tracuu ingest" in capsys.readouterr().err
    assert main(["ingest", str(SEED), "--index", str(tmp_path / "ix"), "--model", "/no/such/model"]) == 2
    assert "not on this machine" in capsys.readouterr().err


def test_eval_command_agrees_with_the_reference_scorer(seed_index_fake, tmp_path, capsys):
    qa = tmp_path / "qa.jsonl"
    qa.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in [
        {"id": "a", "kind": "fact", "q": "Tổng đàn lợn của thành phố là bao nhiêu con?", "evidence": ["4.785 con"],
         "answer": ["4.785"]},
        {"id": "b", "kind": "fact", "q": "Có bao nhiêu học sinh đạt giải học sinh giỏi cấp tỉnh?",
         "evidence": ["639 em"], "answer": ["639"]},
    ]), encoding="utf-8")
    assert main(["eval", str(qa), "--index", str(seed_index_fake)]) == 0
    ours = capsys.readouterr().out.strip().splitlines()[-1]
    scorer = ROOT.parent / "shared" / "eval" / "score.py"
    if not scorer.exists():
        pytest.skip("../shared/eval/score.py is not beside this checkout")
    cli = f"{sys.executable} -m pipeline"
    p = subprocess.run([sys.executable, str(scorer), "ask", str(qa), "--cli", cli, "--index", str(seed_index_fake)],
                       capture_output=True, text=True, cwd=ROOT)
    assert p.stdout.strip().splitlines()[-1] == ours


def test_refs_finds_a_number_typed_loosely_with_every_mention(seed_index_fake, capsys):
    assert main(["refs", "36/2021/NQ-HDND", "--index", str(seed_index_fake), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    first = out["matches"][0]
    assert first["ref"] == "36/2021/NQ-HĐND" and first["date"] == "2021-11-06" and first["type"] == "Nghị quyết"
    assert len(first["mentions"]) == 3  # "36/NQ-HĐND ngày 06/11/2021" is the same resolution
    assert all("36" in m["text"] and m["chunk_id"].startswith(m["doc"] + "#") for m in first["mentions"])
    assert main(["refs", "qd 996", "--index", str(seed_index_fake), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["matches"][0]["ref"] == "996/QĐ-TTg"


def test_refs_bad_queries_say_nothing_found(seed_index_fake, capsys):
    for q in [".*(", "x" * 10_000, "!!!", ""]:
        assert main(["refs", q, "--index", str(seed_index_fake), "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["matches"] == []


def test_refs_links_a_number_to_the_indexed_document_that_bears_it(seed_index_fake, capsys):
    assert main(["refs", "qd 97/2025", "--index", str(seed_index_fake), "--json"]) == 0
    match = json.loads(capsys.readouterr().out)["matches"][0]
    assert match["ref"] == "97/2025/QĐ-UBND" and match["document"] == "qd-97-2025-ubnd.md"
    assert main(["refs", "996/QĐ-TTg", "--index", str(seed_index_fake), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["matches"][0]["document"] is None  # not indexed here


def test_refs_links_show_which_indexed_document_cites_which(tmp_path, fake_embedder, capsys):
    from pipeline.store.ingest import ingest
    from tests.conftest import SHARED

    national = SHARED / "corpus" / "local_gov_docs_2025" / "national"
    citing, cited = national / "no-number__7a9d1db2a10d632b.md", national / "380-NQ-CP__a69069ae524315d9.md"
    ingest([citing, cited, SEED], fake_embedder, root=tmp_path)
    assert main(["refs", "--links", "--index", str(tmp_path), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert {"source": citing.name, "target": cited.name, "ref": "380/NQ-CP"} in [
        {k: x[k] for k in ("source", "target", "ref")} for x in found]
    assert all(x["source"] != x["target"] for x in found)
    assert main(["refs", "--links", "--doc", SEED.name, "--index", str(tmp_path)]) == 0
    assert "không có văn bản" in capsys.readouterr().out  # the report cites nothing indexed here


def test_a_damaged_index_is_reported_by_ask_and_rebuilt_by_ingest(tmp_path, capsys):
    from pipeline.store.layout import current_generation

    root = str(tmp_path / "index")
    doc = DATA / "qd-97-2025-ubnd.md"
    assert main(["ingest", str(doc), "--index", root, "--model", "fake", "-q"]) == 0
    [faiss_file] = current_generation(tmp_path / "index").glob("seg-*/dense.faiss")
    faiss_file.write_bytes(faiss_file.read_bytes()[:1000])
    capsys.readouterr()
    assert main(["ask", "phân cấp", "--index", root]) == 2
    err = capsys.readouterr().err
    assert "dense.faiss has 1000 bytes" in err and "run `tracuu ingest` again" in err
    assert main(["ingest", "--rebuild", "--wait", "--index", root, "--model", "fake", "-q"]) == 0
    out = capsys.readouterr()
    assert "1 updated" in out.out and "the index was damaged" in out.err
    assert main(["ask", "phân cấp", "--index", root, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["passages"][0]["doc"] == doc.name

    [db] = current_generation(tmp_path / "index").glob("seg-*/chunks.sqlite")  # now the document list is lost
    db.write_bytes(db.read_bytes()[:4096])
    for gen in (tmp_path / "index").glob("gen-*"):
        if gen != db.parent.parent:
            shutil.rmtree(gen)
    assert main(["ingest", "--index", root, "--model", "fake", "-q"]) == 2
    assert "no document could be read again" in capsys.readouterr().err
    assert main(["ingest", str(doc), "--index", root, "--model", "fake", "-q"]) == 0
    assert "1 added" in capsys.readouterr().out


def test_ask_prints_the_ready_to_paste_citation_and_json_carries_it(seed_index_fake, capsys):
    args = ["ask", "hồ sơ đề nghị hỗ trợ chi phí tư vấn pháp luật", "--index", str(seed_index_fake), "--doc", "qd-97",
            "--top-k", "3"]
    assert main(args) == 0
    printed = [line.strip().removeprefix("Trích dẫn: ") for line in capsys.readouterr().out.splitlines()
               if line.strip().startswith("Trích dẫn: ")]
    assert len(printed) == 3
    assert all(c.startswith("Quyết định số 97/2025/QĐ-UBND ngày 25/11/2025 của Ủy ban nhân dân tỉnh Nghệ An, Điều ")
               for c in printed)
    assert main([*args, "--json"]) == 0
    passages = json.loads(capsys.readouterr().out)["passages"]
    assert [p["citation"] for p in passages] == printed
    assert "Điều 2, khoản 3" in " ".join(printed)  # "3. Hồ sơ đề nghị hỗ trợ" is clause 3 of Article 2


def test_every_doc_option_takes_a_name_prefix_or_part_and_refuses_an_unknown_one(seed_index_fake, capsys):
    ix = ["--index", str(seed_index_fake)]
    assert main(["ask", "tổng thu ngân sách", *ix, "--doc", "KTXH-2022", "--json"]) == 0  # a part, any case
    assert {p["doc"] for p in json.loads(capsys.readouterr().out)["passages"]} == {SEED.name}
    assert main(["refs", "--list", *ix, "--doc", "ktxh", "--json"]) == 0
    refs = json.loads(capsys.readouterr().out)
    assert refs and "36/2021/NQ-HĐND" in {r["ref"] for r in refs}
    assert main(["refs", "--list", *ix, "--doc", "qd-97", "--json"]) == 0
    assert "36/2021/NQ-HĐND" not in {r["ref"] for r in json.loads(capsys.readouterr().out)}
    assert main(["compare", "--list", *ix, "--doc", "tp-ha-tinh", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)  # the report's indicators
    for cmd in (["ask", "thu ngân sách"], ["refs", "--list"], ["refs", "--links"], ["compare", "--list"],
                ["compare", "thu ngân sách"]):
        assert main([*cmd, *ix, "--doc", "khong-co-van-ban"]) == 2, cmd
        assert "no indexed document matches 'khong-co-van-ban'" in capsys.readouterr().err
