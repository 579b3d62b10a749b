"""Hostile document text and file names on their way out: never live in the app (no link, image, HTML or
Markdown from a document), never a formula in a spreadsheet, never a terminal escape (issue 12)."""

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

import app_ui as ui
from pipeline.embed import FakeEmbedder
from pipeline.store.ingest import ingest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")

LINK = "[bấm vào đây](http://example.invalid/x)"
IMAGE = "![](http://example.invalid/p.png)"
TAG = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://example.invalid/h", "xem")'
# The cleaner removes a plain [text](url), so the document nests one inside another: what is left after
# cleaning is exactly LINK and IMAGE, the strings that must never be live
NESTED_LINK = "[[bấm vào đây](http://a.invalid)](http://example.invalid/x)"
NESTED_IMAGE = "![[](http://a.invalid)](http://example.invalid/p.png)"  # the inner one goes, an image is left
PAYLOAD = f"{NESTED_LINK} {NESTED_IMAGE} {TAG} www.example.invalid :red[đỏ] $x$ **đậm** <http://example.invalid/a>"
HOSTILE_DOC = "\n".join([
    f"BÁO CÁO KẾT QUẢ NĂM 2023 {PAYLOAD}",
    "",
    f"I. Tình hình kinh tế {PAYLOAD}",
    f"Căn cứ Quyết định số 996/QĐ-TTg ngày 10/8/2018 của Thủ tướng Chính phủ {PAYLOAD}.",
    FORMULA,
    f"Năm 2023, tổng thu ngân sách trên địa bàn đạt 57,8 tỷ đồng {PAYLOAD}, tăng 9,4% so với cùng kỳ.",
    f"Năm 2022, tổng thu ngân sách {PAYLOAD} trên địa bàn đạt 52,8 tỷ đồng.",
    "Mục tiêu năm 2024, tổng thu ngân sách trên địa bàn đạt 60 tỷ đồng.",
])
HOSTILE_NAME = "bao-cao-[x](http:ex.invalid)-<b>.txt"


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile-docs")
    doc = folder / HOSTILE_NAME
    doc.write_text(HOSTILE_DOC, encoding="utf-8")
    root = tmp_path_factory.mktemp("hostile-index")
    ingest([doc], FakeEmbedder(), root=root)
    return root


# ---- the app ------------------------------------------------------------------------------------------------

class _Tags(HTMLParser):
    """Every start tag and its attributes in rendered HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


_MD = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
OUR_TAGS = {"div", "b", "small", "mark", "br", "h4", "sup", "a", "p", "style", "em", "strong", "code", "pre",
            "table", "tr", "th", "td", "span"}


def live_markup(source: str) -> list[str]:
    """What a Markdown source would make live when rendered (CommonMark with HTML, as st.markdown does):
    tags outside the app's own, event attributes, images, links other than the app's own (?ref=, #trich-),
    and the GitHub autolinks, Streamlit directives and math that CommonMark alone does not see."""
    parser = _Tags()
    parser.feed(_MD.render(source))
    found = [tag for tag, _ in parser.tags if tag not in OUR_TAGS]
    found += [f"{tag} {k}" for tag, attrs in parser.tags for k in attrs if k.startswith("on")]
    found += [f"a href={a.get('href')}" for tag, a in parser.tags
              if tag == "a" and not (a.get("href") or "").startswith(("?ref=", "#trich-"))]
    found += re.findall(r"https?://|mailto:|www\.|:red\[|\$x\$|\*\*đậm", source)
    return found


def shown(source: str) -> str:
    """The text a Markdown source displays (tags dropped, escapes and entities resolved)."""
    return html.unescape(re.sub(r"<[^>]+>", "", _MD.render(source)))


def sources(at: AppTest) -> list[str]:
    """Every Markdown string the page holds: bodies of markdown, captions, headings and alerts; labels and
    tooltips of widgets, expanders and tabs."""
    out: list[str] = []

    def walk(node: object) -> None:
        for attr in ("value", "body", "label", "help"):
            if attr == "value" and type(node).__name__ not in {"Markdown", "Caption", "Title", "Header",
                                                              "Subheader", "Info", "Warning", "Error",
                                                              "Success", "Latex"}:
                continue
            try:
                value = getattr(node, attr, None)
            except Exception:  # a widget whose value needs state the test did not set
                continue
            if isinstance(value, str):
                out.append(value)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out


def test_live_markup_sees_what_markdown_would_make_live():
    """The checker itself: it must flag what the app must never show, or the tests below prove nothing."""
    for raw in (LINK, IMAGE, TAG, "www.example.invalid", ":red[đỏ]", "$x$", "**đậm**"):
        assert live_markup(raw), raw
    assert not live_markup('<div><a href="?ref=996%2FQ%C4%90-TTg">x</a> <a href="#trich-1">[1]</a></div>')


@pytest.mark.parametrize("raw", [LINK, IMAGE, TAG, FORMULA, "www.example.invalid", ":red[đỏ] $x$ **đậm**",
                                 "<http://example.invalid/a>", "a@example.invalid", "&lt;b&gt; &amp;"])
def test_escaped_document_text_shows_as_written_and_nothing_is_live(raw: str):
    for source in (ui.esc(raw), f"<b>{ui.esc(raw)}</b> — {ui.esc(raw)}", f"<div>{ui.esc(raw)}</div>",
                   ui.plain(raw), ui.answer_html(raw + " [1]", "Trả lời"), ui.context_html(raw, "x")):
        assert not live_markup(source), source
        assert raw in shown(source), source


def test_a_passage_table_is_drawn_from_its_rows_escaped_with_the_answering_row_marked():
    from pipeline.types import Passage, RowKind, TableRow

    head = TableRow(RowKind.HEADER, 0, ("Địa bàn", "Mầm non"), ("Địa bàn", "Mầm non"))
    rows = (head, TableRow(RowKind.DATA, 0, ("Đô thị", "190"), head.header),
            TableRow(RowKind.DATA, 0, (f"Nông thôn {TAG} {LINK}", "140"), head.header))
    text = "\n".join(["Mức học phí như sau:", *(r.printed for r in rows)])
    p = Passage(1, "nq.md", "", 2025, "", "nq.md#D2:0", text, 1.0, rows=rows)
    start = text.index(rows[2].printed)
    source = ui.body_html(p, [(start, start + len(rows[2].printed))])
    assert source.count("<tr") == 3 and "<th>Mầm non</th>" in source and source.count('class="tc-hit"') == 1
    assert "Mức học phí như sau:" in shown(source)
    assert not live_markup(source) and TAG in shown(source) and LINK in shown(source)


def test_answer_markers_stay_links_to_their_passage_after_escaping():
    source = ui.answer_html(f"Đạt 57,8 tỷ đồng {LINK} [1], [2].", "Trả lời")
    assert source.count('class="tc-cite"') == 2 and 'href="#trich-2">[2]</a>' in source
    assert not live_markup(source)


def start_all_tabs(index: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The page with every tab filled at once: a question, a reference lookup and a comparison from the URL."""
    monkeypatch.setenv("TRACUU_INDEX", str(index))
    at = AppTest.from_file(APP, default_timeout=300)  # guards against a hang only: a busy machine is slow
    at.query_params["q"] = "tổng thu ngân sách năm 2023 đạt bao nhiêu"
    at.query_params["ref"] = "qd 996"
    at.query_params["so_sanh"] = "tổng thu ngân sách"
    at.run()
    assert not at.exception, at.exception
    return at


def test_no_link_image_or_html_from_a_document_is_live_on_any_tab(hostile_index: Path,
                                                                   monkeypatch: pytest.MonkeyPatch):
    at = start_all_tabs(hostile_index, monkeypatch)
    found = sources(at)
    assert len(found) > 20
    for source in found:
        assert not live_markup(source), source
    text = "\n".join(shown(s) for s in found)
    assert LINK in text and IMAGE in text and TAG in text  # shown as written, not dropped
    cards = [m.value for m in at.markdown if m.value.startswith('<div class="tc-card"')]
    assert cards and all(HOSTILE_NAME in shown(c) for c in cards)  # the file name too, as written
    mentions = [shown(m.value) for m in at.markdown if m.value.startswith("<b>") and "tc-ctx" in m.value]
    assert any("996/QĐ-TTg" in m and TAG in m for m in mentions)  # a reference's sentence
    assert any("57,8 tỷ đồng" in m and TAG in m for m in mentions)  # an indicator's sentence


def test_tables_and_options_show_document_text_as_written(hostile_index: Path, monkeypatch: pytest.MonkeyPatch):
    """Table cells and select options are plain text in Streamlit: shown as written, not backslash-escaped."""
    at = start_all_tabs(hostile_index, monkeypatch)
    cells = {str(v) for d in at.dataframe for col in d.value.columns for v in d.value[col]}
    assert HOSTILE_NAME in cells
    assert any(TAG in c for c in cells)
    assert any(HOSTILE_NAME in str(o) for s in at.sidebar.multiselect for o in s.options) or \
        any(TAG in str(o) for s in at.sidebar.multiselect for o in s.options)


# ---- spreadsheets ---------------------------------------------------------------------------------------

FORMULAS = [FORMULA, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


def hostile_comparison():
    """A comparison whose text cells start like formulas, with a real negative gap (-0,17)."""
    from pipeline.indicators.compare import compare
    from pipeline.indicators.extract import Indicator, Kind

    rows = [Indicator(name="Tăng trưởng kinh tế", year=2022, kind=Kind.RESULT, value=11.67, unit="%",
                      qualifier=None, raw="11,67%", doc=FORMULAS[1] + ".txt", section=FORMULAS[2],
                      text=f"{FORMULA} Tăng trưởng kinh tế ước đạt 11,67%.\x1b[31m"),
            Indicator(name="Tăng trưởng kinh tế", year=2023, kind=Kind.TARGET, value=11.5, unit="%",
                      qualifier=None, raw=FORMULAS[3], doc=FORMULAS[1] + ".txt", section="\t=1+1",
                      text="\r=1+1 Tăng trưởng kinh tế đạt 11,5%.")]
    c = compare(rows, "tăng trưởng kinh tế")
    assert len(c.rows) == 2 and c.gaps and c.gaps[0].difference == pytest.approx(-0.17)
    return c


def test_csv_export_neutralises_every_cell_that_would_start_a_formula_and_keeps_figures_numbers():
    import csv
    import io

    c = hostile_comparison()
    rows = list(csv.reader(io.StringIO(c.to_csv().lstrip("\ufeff"), newline="")))
    cells = [x for row in rows[1:] for x in row]
    assert not [x for x in cells if x[:1] in ("=", "+", "@", "\t", "\r") or re.match(r"-(?!\d+(\.\d+)?$)", x)]
    assert "'" + FORMULA + " Tăng trưởng kinh tế ước đạt 11,67%.\x1b[31m" in cells
    assert {"'+1+cmd|' /C calc'!A0.txt", "'-2+3", "'@SUM(A1:A9)", "'\t=1+1"} <= set(cells)
    gap = rows[-1]
    assert gap[1] == "chênh lệch" and float(gap[3]) == pytest.approx(-0.17)  # a number, not "'-0.17"
    assert [r[3] for r in rows[1:3]] == ["11.67", "11.5"]


def test_excel_export_has_no_formula_cell_and_shows_the_text_as_written():
    import io

    from openpyxl import load_workbook

    c = hostile_comparison()
    ws = load_workbook(io.BytesIO(c.to_xlsx())).active
    cells = [cell for row in ws.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = {cell.value for cell in cells if isinstance(cell.value, str)}
    assert {"+1+cmd|' /C calc'!A0.txt", "-2+3", "@SUM(A1:A9)", "\t=1+1"} <= texts
    assert any(t.startswith(FORMULA) for t in texts)  # as written: no quote added in the cell's text
    assert all(cell.quotePrefix for cell in cells if isinstance(cell.value, str) and cell.value[:1] in "=+-@\t\r")
    gap = [cell.value for cell in list(ws.iter_rows())[-1]]
    assert gap[1] == "chênh lệch" and gap[3] == pytest.approx(-0.17)
    assert [row[3].value for row in list(ws.iter_rows())[1:3]] == [11.67, 11.5]


# ---- terminals ----------------------------------------------------------------------------------------------

ESCAPES = "&#27;[2J&#x1b;[31m&#x202e;&#x2066;"  # the cleaner drops the C0 controls; the bidi marks stay
ESCAPE_DOC = "<html><body>" + "".join(f"<p>{x}</p>" for x in [
    f"BÁO CÁO KẾT QUẢ NĂM 2023 {ESCAPES}",
    f"I. Tình hình kinh tế {ESCAPES}",
    f"Căn cứ Quyết định số 996/QĐ-TTg ngày 10/8/2018 của Thủ tướng Chính phủ {ESCAPES}.",
    f"Năm 2023, tổng thu ngân sách trên địa bàn đạt 57,8 tỷ đồng {ESCAPES}, tăng 9,4% so với cùng kỳ.",
    "Năm 2022, tổng thu ngân sách trên địa bàn đạt 52,8 tỷ đồng.",
]) + "</body></html>"
ESCAPE_NAME = "bao-cao-\x1b]0;pwned\x07-\x1b[31m.html"


def test_nothing_the_cli_prints_from_a_document_or_a_file_name_reaches_the_terminal_raw(tmp_path, capsys):
    from pipeline.cli import main

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / ESCAPE_NAME).write_text(ESCAPE_DOC, encoding="utf-8")
    (folder / "hỏng-\x1b[2J.docx").write_bytes(b"PK\x03\x04 not a zip at all")
    ix = str(tmp_path / "index")
    runs = [["ingest", str(folder), "--index", ix, "--model", "fake", "-q"],
            ["ask", "tổng thu ngân sách năm 2023", "--index", ix],
            ["refs", "qd 996", "--index", ix], ["refs", "--list", "--index", ix],
            ["compare", "tổng thu ngân sách", "--index", ix], ["compare", "--list", "--index", ix],
            ["stats", "--index", ix], ["remove", ESCAPE_NAME, "--index", ix], ["remove", "\x1b[2Jnone", "--index", ix]]
    printed = []
    for argv in runs:
        main(argv)
        out = capsys.readouterr()
        printed.append(out.out + out.err)
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", out.out + out.err), (argv, out)
    everything = "\n".join(printed)
    assert "bao-cao-\\x1b]0;pwned\\x07-\\x1b[31m.html" in everything  # the file name, visibly
    assert "\\u202e\\u2066" in printed[1] and "\\u202e\\u2066" in printed[2]  # the document's bidi marks
    assert "hỏng-\\x1b[2J.docx" in printed[0]  # the ingest error names the broken file
    assert "removed bao-cao-\\x1b]0;pwned" in printed[-2]


def test_json_output_escapes_every_control_character_and_stays_valid_json(tmp_path, capsys):
    import json

    from pipeline.cli import _json

    doc = {"doc": ESCAPE_NAME + "\x9b31m\u202e\udcff", "n": 1}
    text = _json(doc)
    assert not re.search(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\ud800-\udfff]", text)
    assert json.loads(text) == doc


# ---- bounded questions and batches --------------------------------------------------------------------------

def test_a_question_over_the_limit_is_refused_at_once_by_the_answerer(seed_index_fake, monkeypatch):
    import time

    import pipeline
    from pipeline.ask.answer import QuestionTooLong

    answerer = pipeline.open_answerer(seed_index_fake, "fake")
    t0 = time.perf_counter()
    with pytest.raises(QuestionTooLong, match="99999 characters, more than the 1000 allowed.*TRACUU_MAX_QUESTION"):
        answerer.ask("tăng trưởng kinh tế " * 5000)
    assert time.perf_counter() - t0 < 5  # refused before any work (a generous bound: the machine is shared)
    assert answerer.ask("  tăng trưởng kinh tế  " + " " * 2000).question  # padding is not length
    monkeypatch.setenv("TRACUU_MAX_QUESTION_CHARS", "20")
    with pytest.raises(QuestionTooLong, match="more than the 20 allowed"):
        answerer.ask("tăng trưởng kinh tế năm 2022")


def test_cli_refuses_a_long_question_and_reads_a_batch_within_bounds(seed_index_fake, tmp_path, capsys):
    import json

    from pipeline.cli import main

    ix = str(seed_index_fake)
    assert main(["ask", "thu ngân sách " * 10_000, "--index", ix]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "more than the 1000 allowed" in err
    batch = tmp_path / "q.txt"
    batch.write_text("Tổng đàn lợn bao nhiêu con?\n" + "thu " * 5000 + "\n\nThu ngân sách năm 2022?\n",
                     encoding="utf-8")
    assert main(["ask", "--batch", str(batch), "--index", ix, "--json"]) == 2  # the long one refused, the rest answered
    out = capsys.readouterr()
    assert len([json.loads(x) for x in out.out.splitlines()]) == 2 and "question 2:" in out.err
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as f:  # sparse: 17 MB that cost nothing to make
        f.truncate(17 * 2**20)
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\xff\xfe\x00\x01" * 100)
    for path, said in ((tmp_path / "none.txt", "No such file"), (tmp_path, "not a regular file"),
                       (Path("/dev/zero"), "not a regular file"), (huge, "larger than 16 MB"),
                       (binary, "not UTF-8")):
        assert main(["ask", "--batch", str(path), "--index", ix]) in (1, 2)
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and said in err and "Traceback" not in err, err


@pytest.mark.parametrize("k", ["0", "-1", "101", "năm", "2.5"])
def test_top_k_outside_1_to_100_is_an_argument_error(k, capsys):
    from pipeline.cli import main

    with pytest.raises(SystemExit) as e:
        main(["ask", "thu ngân sách", "--top-k", k])
    assert e.value.code == 2 and "--top-k" in capsys.readouterr().err


def test_a_100_kb_question_in_the_url_shows_the_limit_not_minutes_of_work(hostile_index, monkeypatch):
    import time

    monkeypatch.setenv("TRACUU_INDEX", str(hostile_index))
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["q"] = "thu ngân sách " * 7500
    at.run()
    assert not at.exception, at.exception
    t0 = time.perf_counter()
    at.run()  # the answerer is loaded now: this run is the question alone
    assert time.perf_counter() - t0 < 60
    assert any("1000" in w.value and "TRACUU" in w.value.replace("\\", "") for w in at.warning)
    assert not [m for m in at.markdown if m.value.startswith('<div class="tc-card"')]


# ---- one-line errors, in a real process ---------------------------------------------------------------------

def run_cli(*args: str | bytes, env: dict[str, str] | None = None, cwd: Path | None = None):
    import os
    import subprocess
    import sys

    full = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, env=full, cwd=cwd or ROOT,
                          timeout=300)


def one_line_error(p, *said: str) -> str:
    err = p.stderr.decode("utf-8")
    assert p.returncode != 0, err
    assert "Traceback" not in err and err.count("\n") == 1 and err.startswith("error: "), err
    for s in said:
        assert s in err, err
    return err


def test_os_failures_are_one_line_errors_with_the_next_step(tmp_path):
    doc = tmp_path / "d.txt"
    doc.write_text("Năm 2023, tổng thu ngân sách đạt 57,8 tỷ đồng.\n", encoding="utf-8")
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    ingest = ("ingest", str(doc), "--model", "fake", "-q")
    # TRACUU_INDEX naming a file, and an index folder inside a file
    one_line_error(run_cli(*ingest, env={"TRACUU_INDEX": str(a_file)}), "a file stands where a folder is expected")
    one_line_error(run_cli(*ingest, "--index", str(a_file / "index")), "a file stands where a folder is expected")
    # a folder the process may not write (/sys refuses even root)
    one_line_error(run_cli(*ingest, "--index", "/sys/tracuu-index"), "--index or $TRACUU_INDEX")
    # a full disk: /dev/full answers every write with ENOSPC
    ix = tmp_path / "index"
    assert run_cli(*ingest, "--index", str(ix)).returncode == 0
    one_line_error(run_cli("compare", "tổng thu ngân sách", "--index", str(ix), "--csv", "/dev/full"),
                   "No space left on device", "free some space")


@pytest.mark.parametrize("value", ["inf", "abc", "-5", "nan", "1e9"])
def test_a_bad_setting_is_refused_with_its_name_and_range(value, tmp_path):
    one_line_error(run_cli("stats", "--index", str(tmp_path), env={"TRACUU_MAX_FILE_MB": value}),
                   f"TRACUU_MAX_FILE_MB='{value}'", "from 0.001 to 4096")
    one_line_error(run_cli("ask", "x", "--index", str(tmp_path), env={"TRACUU_MAX_QUESTION_CHARS": value}),
                   "TRACUU_MAX_QUESTION_CHARS", "from 10 to 100000")


def test_an_argument_with_undecodable_bytes_is_a_one_line_error(tmp_path):
    p = run_cli(b"ask", b"thu ng\xe2n s\xe1ch", b"--index", str(tmp_path).encode(), env={"LANG": "C.UTF-8"})
    one_line_error(p, "not valid UTF-8", "\\xe2")


# ---- hand-edited manifests ----------------------------------------------------------------------------------

@pytest.fixture
def small_index(tmp_path: Path) -> Path:
    doc = tmp_path / "d.txt"
    doc.write_text("Năm 2023, tổng thu ngân sách trên địa bàn đạt 57,8 tỷ đồng.\n", encoding="utf-8")
    root = tmp_path / "index"
    ingest([doc], FakeEmbedder(), root=root)
    return root


@pytest.fixture
def small_single_folder(small_index: Path) -> Path:
    """`small_index` written again as format 2 (one folder of files), the format format 1 was migrated to."""
    from tests.pipeline.store.old_formats import as_single_folder

    as_single_folder(small_index)
    return small_index


def edit_manifest(root: Path, **changes: object) -> Path:
    import json

    from pipeline.store.layout import current_generation

    gen = current_generation(root)
    path = gen / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.update(changes)
    for k in [k for k, v in changes.items() if v is None]:
        del manifest[k]
    path.write_text(json.dumps(manifest), encoding="utf-8")
    return gen


@pytest.mark.parametrize("changes", [
    {"format_version": 1},  # checksums kept: "files" is a format-2 key
    {"format_version": 1, "files": None},  # checksums dropped, but written by a parser format 1 never had
    {"format_version": 1, "files": None, "parser_version": 7, "migrated_from": 1},
    {"format_version": 1, "files": None, "parser_version": "7"},
])
def test_a_manifest_edited_to_format_1_is_refused_and_its_corrupt_files_never_blessed(small_single_folder, changes):
    import json

    from pipeline.store.layout import IndexDamaged
    from pipeline.store.reader import open_index

    small_index = small_single_folder
    gen = edit_manifest(small_index, **changes)
    dense = gen / "dense.faiss"
    dense.write_bytes(dense.read_bytes()[:-4] + b"\x00\x00\x00\x01")  # a corrupt file the checksums would catch
    before = (gen / "manifest.json").read_text(encoding="utf-8")
    with pytest.raises(IndexDamaged, match=r"says format 1 but holds .*tracuu ingest --rebuild"):
        open_index(small_index)
    assert (gen / "manifest.json").read_text(encoding="utf-8") == before  # not migrated, nothing re-blessed
    assert json.loads(before)["format_version"] == 1


def test_a_newer_format_is_refused_and_a_refused_index_is_rebuilt_by_ingest_rebuild(small_index, tmp_path):
    from pipeline.store.layout import IndexUnavailable
    from pipeline.store.reader import open_index

    edit_manifest(small_index, format_version=99)
    with pytest.raises(IndexUnavailable, match="newer tracuu.*tracuu ingest --rebuild"):
        open_index(small_index)
    edit_manifest(small_index, format_version=1)
    p = run_cli("ask", "tổng thu ngân sách", "--index", str(small_index))
    one_line_error(p, "says format 1", "tracuu ingest --rebuild")
    assert run_cli("ingest", "--rebuild", "--index", str(small_index), "--model", "fake", "-q").returncode == 0
    assert open_index(small_index).manifest["format_version"] == 3


def test_a_genuine_format_1_manifest_is_still_migrated(small_single_folder):
    from pipeline.store.reader import open_index

    small_index = small_single_folder
    edit_manifest(small_index, format_version=1, files=None, parser_version=7)
    data = open_index(small_index)
    assert data.manifest["format_version"] == 2 and data.manifest["migrated_from"] == 1
