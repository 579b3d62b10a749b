"""Fuzz the readers: N broken inputs, each must end in a Document or a ReadError — never another exception,
never past the time bound — and the zip guard (pipeline/readers/safety.py) must refuse every bomb.

Inputs (seeded, reproducible): random bytes under every suffix; real Vietnamese text with flipped bytes, cuts,
NUL bytes, broken UTF-8 and UTF-16; huge single lines; broken .docx zips; zip bombs; truncated and damaged PDFs.
Each .docx/.odt input is also opened with `safety.open_zip` and every member read with `safety.read_member`
(what a docx reader does), so the guard is exercised before the docx reader exists.

Structure-aware inputs (``docx_struct``, ``html_struct``, ``pdf_struct``, ``text_struct``): valid skeletons
with extreme attribute values (``gridSpan``, ``vMerge`` chains, list ``start`` and ``ilvl``, ``outlineLvl``,
page tree ``/Count``), deep nesting (tables in tables, HTML elements, PDF page trees) and huge counts (cells,
rows, pages, footnote openings). Each input is read as an ingest reads it: in the budgeted worker
(pipeline/readers/worker.py), whose memory high-water mark is watched input by input.

    python bench/fuzz_readers.py -n 5000            # counts on stdout, JSON in bench/out/fuzz_readers.json
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import sys
import tempfile
import time
import zipfile
import zlib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.readers import read_document, safety  # noqa: E402
from pipeline.readers.worker import Budget, RaisedInWorker, Worker, WorkerFailed  # noqa: E402

TEXTS = [ROOT / "data" / "bao-cao-ktxh-2022-tp-ha-tinh.txt", *sorted((ROOT / "tests" / "data").glob("*.md"))]
SUFFIXES = [".txt", ".md", ".docx", ".pdf", ".html", ".odt", ".doc"]
TIME_BOUND = 5.0  # seconds one input may take (a slow one is counted); the worker stops it at 6 times that
BUDGET_MB = 1024  # the worker's memory beyond the interpreter: an input over it is counted "over_budget"



def pdf_file(objects: list[str]) -> bytes:
    """A PDF file of these numbered objects (1 is the catalog), with its cross-reference table and trailer."""
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out

def make_docx(text: str) -> bytes:
    """A minimal Word file: the parts a docx reader opens, the paragraphs as <w:p>."""
    paras = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in text.splitlines() if line.strip())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        z.writestr("word/document.xml", '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://'
                   f'schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{paras}</w:body></w:document>')
    return buf.getvalue()


def make_pdf(text: str) -> bytes:
    """A one-page PDF with `text` (ASCII-folded) as a content stream, with a correct xref table."""
    lines = [ln.encode("ascii", "replace").decode().replace("(", "[").replace(")", "]") for ln in text.splitlines()]
    stream = "BT /F1 10 Tf 50 800 Td " + " ".join(f"({ln[:90]}) Tj 0 -12 Td" for ln in lines[:60]) + " ET"
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               "/Resources << /Font << /F1 5 0 R >> >> >>",
               f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    return pdf_file(objects)


def zip_bomb(mib: int = 1024, members: int = 1) -> bytes:
    """A small zip whose members each expand to `mib` MiB of zeros (about 1 KB compressed per MB)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = bytes(2**20)
    once = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)  # a reset state: every MB compresses alike
    body = once * mib + comp.flush()
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for k in range(members):
            info = zipfile.ZipInfo(f"word/document{k or ''}.xml")
            info.compress_type = zipfile.ZIP_DEFLATED
            info.file_size, info.compress_size, info.CRC = mib * 2**20, len(body), crc
            info.header_offset = z.fp.tell()
            z.fp.write(info.FileHeader())  # header and raw deflate stream, without deflating a GB again
            z.fp.write(body)
            z.filelist.append(info)
            z.NameToInfo[info.filename] = info
            z.start_dir = z.fp.tell()
    return buf.getvalue()


def lying_zip() -> bytes:
    """A zip whose directory declares 1 KB for a member that inflates to 50 MB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", bytes(50 * 2**20))
    data = bytearray(buf.getvalue())
    real = (50 * 2**20).to_bytes(4, "little")
    for at in [i for i in range(len(data) - 3) if data[i:i + 4] == real]:
        data[at:at + 4] = (1024).to_bytes(4, "little")
    return bytes(data)


def mutate(rng: random.Random, data: bytes) -> bytes:
    """One random damage: flipped bytes, a cut, NULs, a stray UTF-8 lead byte, a deleted or repeated span."""
    b = bytearray(data)
    kind = rng.randrange(6)
    if kind == 0:
        for _ in range(rng.randint(1, 20)):
            b[rng.randrange(len(b))] = rng.randrange(256)
    elif kind == 1:
        b = b[: rng.randrange(len(b))]
    elif kind == 2:
        for _ in range(rng.randint(1, 50)):
            b.insert(rng.randrange(len(b) + 1), 0)
    elif kind == 3:
        for _ in range(rng.randint(1, 5)):
            b.insert(rng.randrange(len(b) + 1), rng.choice([0xC3, 0xE1, 0xF0, 0xFF, 0x80]))
    elif kind == 4:
        i = rng.randrange(len(b))
        del b[i: i + rng.randint(1, 4096)]
    else:
        i = rng.randrange(len(b))
        b[i:i] = b[i: i + 64] * rng.randint(2, 2000)
    return bytes(b)


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
LINE = "Báo cáo tình hình kinh tế - xã hội năm 2022 của thành phố Hà Tĩnh"
EXTREME = ["0", "-1", "1", "9", "63", "1001", "99999", "100001", "100000000", "999999999999", "9" * 40, "abc", ""]


def _docx_parts(body: str, numbering: str = "", styles: str = "") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        z.writestr("word/document.xml", f"<w:document {W_NS}><w:body>{body}</w:body></w:document>")
        if numbering:
            z.writestr("word/numbering.xml", f"<w:numbering {W_NS}>{numbering}</w:numbering>")
        if styles:
            z.writestr("word/styles.xml", f"<w:styles {W_NS}>{styles}</w:styles>")
    return buf.getvalue()


def _p(text: str = LINE, ppr: str = "") -> str:
    return f"<w:p>{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}<w:r><w:t>{text}</w:t></w:r></w:p>"


def docx_struct(r: random.Random) -> tuple[str, bytes]:
    """A sound .docx skeleton with one extreme: a span, a merge chain, a list number, a level, nesting, counts."""
    what = r.choice(["span", "merge", "numbering", "level", "nesting", "cells", "rows", "outline", "styles"])
    val = r.choice(EXTREME)
    if what == "span":
        row = f'<w:tc><w:tcPr><w:gridSpan w:val="{val}"/></w:tcPr>{_p()}</w:tc>' * r.choice([1, 3, 50])
        return what, _docx_parts(_p() + f"<w:tbl><w:tr>{row}</w:tr></w:tbl>")
    if what == "merge":
        top = f"<w:tr><w:tc>{_p(LINE * r.choice([1, 100, 3000]))}</w:tc></w:tr>"
        cont = f'<w:tr><w:tc><w:tcPr><w:gridSpan w:val="{r.choice(["1", "63", "1000"])}"/><w:vMerge/></w:tcPr>' \
               f"{_p('')}</w:tc></w:tr>"
        return what, _docx_parts(_p() + f"<w:tbl>{top}{cont * r.choice([10, 1000, 20000])}</w:tbl>")
    if what in ("numbering", "level"):
        start, ilvl = (val, "0") if what == "numbering" else ("1", val)
        fmt = r.choice(["upperRoman", "lowerRoman", "upperLetter", "decimal", "bullet", "none"])
        text = r.choice(["%1.", "%1.%2.%3.", "%9%0%1", "%" * 50])
        numbering = (f'<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/>'
                     f'<w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl></w:abstractNum>'
                     '<w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num>')
        para = _p(ppr=f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="1"/></w:numPr>')
        return what, _docx_parts(para * r.choice([1, 100, 5000]) + _p(), numbering)
    if what == "nesting":
        inner = _p()
        for _ in range(r.choice([10, 60, 199, 250, 3000])):
            inner = f"<w:tbl><w:tr><w:tc>{inner}</w:tc></w:tr></w:tbl>"
        return what, _docx_parts(_p() + inner)
    if what == "cells":
        return what, _docx_parts(_p() + "<w:tbl><w:tr>" + f"<w:tc>{_p('x')}</w:tc>" * r.choice([10, 999, 20000])
                                 + "</w:tr></w:tbl>")
    if what == "rows":
        return what, _docx_parts(_p() + "<w:tbl>" + f"<w:tr><w:tc>{_p('a')}</w:tc><w:tc>{_p('b')}</w:tc></w:tr>"
                                 * r.choice([100, 10000, 60000]) + "</w:tbl>")
    if what == "outline":
        return what, _docx_parts(_p(ppr=f'<w:outlineLvl w:val="{val}"/>') * 20)
    styles = "".join(f'<w:style w:styleId="s{i}"><w:basedOn w:val="s{(i + 1) % 50}"/></w:style>' for i in range(50))
    return what, _docx_parts(_p(ppr='<w:pStyle w:val="s0"/>') * 50, styles=styles)  # a basedOn cycle


def html_struct(r: random.Random) -> tuple[str, bytes]:
    """A sound HTML page with deep nesting, thousands of unclosed elements, huge tables or note ids."""
    what = r.choice(["deep_div", "deep_table", "unclosed", "cells", "notes", "charset"])
    n = r.choice([10, 150, 199, 250, 5000, 50000])
    if what == "deep_div":
        body = "<div>" * n + LINE + "</div>" * n
    elif what == "deep_table":
        body = "<table><tr><td>" * min(n, 5000) + LINE + "</td></tr></table>" * min(n, 5000)
    elif what == "unclosed":
        body = "".join(f"<{r.choice(['p', 'li', 'font', 'span', 'b'])}>{LINE} {i}" for i in range(n))
    elif what == "cells":
        body = "<table>" + ("<tr>" + f'<td colspan="{r.choice(EXTREME)}">{LINE}</td>' * min(n, 2000)
                            + "</tr>") * r.choice([1, 50]) + "</table>"
    elif what == "notes":
        body = f"<p>{LINE}</p>" + "".join(f'<a href="#_ftn{i}">[{i}]</a><div id="ftn{i}">{LINE}</div>'
                                           for i in range(min(n, 20000)))
    else:
        body = f'<meta charset="{r.choice(["x" * 500, "utf-7", "cp1258", "utf-32"])}"><p>{LINE}</p>'
    return what, f"<html><body>{body}</body></html>".encode()


def pdf_struct(r: random.Random) -> tuple[str, bytes]:
    """A PDF whose page tree is extreme: many pages, a lying /Count, a deep chain of /Pages nodes."""
    what = r.choice(["pages", "count", "deep_tree", "mediabox"])
    stream = f"BT /F1 10 Tf 50 800 Td ({LINE.encode('ascii', 'replace').decode()}) Tj ET"
    objects = ["<< /Type /Catalog /Pages 2 0 R >>"]
    if what == "pages":
        n = r.choice([1, 200, 6000])
        objects.append(f"<< /Type /Pages /Kids [{' '.join(f'{5 + i} 0 R' for i in range(n))}] /Count {n} >>")
        objects += [f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
                    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
        objects += ["<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R "
                    "/Resources << /Font << /F1 4 0 R >> >> >>"] * n
    elif what == "deep_tree":
        depth = r.choice([10, 500, 3000])
        objects.append("<< /Type /Pages /Kids [5 0 R] /Count 1 >>")
        objects += [f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
                    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
        objects += [f"<< /Type /Pages /Parent {4 + i} 0 R /Kids [{6 + i} 0 R] /Count 1 >>" for i in range(depth)]
        objects.append(f"<< /Type /Page /Parent {4 + depth} 0 R /MediaBox [0 0 595 842] /Contents 3 0 R "
                       "/Resources << /Font << /F1 4 0 R >> >> >>")
    else:
        count = r.choice(EXTREME[:-2]) if what == "count" else "1"
        box = "0 0 595 842" if what == "count" else r.choice(["0 0 1e30 1e30", "0 0 -5 -5", "0 0 99999999 1"])
        objects.append(f"<< /Type /Pages /Kids [5 0 R] /Count {count} >>")
        objects += [f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
                    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
                    f"<< /Type /Page /Parent 2 0 R /MediaBox [{box}] /Contents 3 0 R "
                    "/Resources << /Font << /F1 4 0 R >> >> >>"]
    return what, pdf_file(objects)


def text_struct(r: random.Random) -> tuple[str, bytes]:
    """Text built to be slow to clean: footnote openings, brackets, markers, NULs past the first 8 KB."""
    what = r.choice(["notes", "brackets", "refs", "nul", "mixed"])
    unit = {"notes": "[1:", "brackets": "[[[]", "refs": "[footnoteRef:1]", "nul": "\x00"}.get(what, "")
    if what == "mixed":
        return what, (LINE + "\n").encode() * 200 + (LINE + "\n").encode("cp1258", "replace") * 200
    head = (LINE + "\n\n") * (150 if what == "nul" else 1)
    return what, (head + unit * r.choice([1000, 14000, 30000]) + "\n").encode()


STRUCTURED = {"docx_struct": (".docx", docx_struct), "html_struct": (".html", html_struct),
              "pdf_struct": (".pdf", pdf_struct), "text_struct": (".txt", text_struct)}


class Inputs:
    """The seeded generator of (kind, suffix, bytes)."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.texts = [p.read_bytes() for p in TEXTS]
        self.docx = [make_docx(t.decode("utf-8")) for t in self.texts]
        self.pdfs = [make_pdf(t.decode("utf-8")) for t in self.texts]
        self.bombs = [zip_bomb(1024), zip_bomb(150, members=4), lying_zip()]

    def __call__(self) -> tuple[str, str, bytes]:
        r = self.rng
        text = r.choice(self.texts)
        kind = r.choice(["random", "text", "text", "utf16", "huge_line", "docx", "bomb", "pdf", "pdf_cut",
                         *STRUCTURED, *STRUCTURED])
        if kind in STRUCTURED:
            suffix, make = STRUCTURED[kind]
            what, data = make(r)
            return f"{kind}:{what}", suffix, data
        if kind == "random":
            return kind, r.choice(SUFFIXES), r.randbytes(r.choice([0, 1, 10, 1000, 100_000]))
        if kind == "text":
            return kind, r.choice([".txt", ".md"]), mutate(r, text)
        if kind == "utf16":
            raw = text.decode("utf-8").encode(r.choice(["utf-16", "utf-16-le", "utf-16-be"]))
            return kind, ".txt", mutate(r, raw) if r.random() < 0.7 else raw[: r.randrange(len(raw))]
        if kind == "huge_line":
            unit = r.choice([b"x", "Ủy ban nhân dân ".encode(), b"\xe1\xba", b"1. ", b"\t"])
            return kind, r.choice([".txt", ".md"]), unit * (r.randint(200_000, 8_000_000) // len(unit))
        if kind == "docx":  # one in ten intact: the guard must let a sound file through
            docx = r.choice(self.docx)
            return kind, r.choice([".docx", ".odt"]), docx if r.random() < 0.1 else mutate(r, docx)
        if kind == "bomb":
            return kind, ".docx", r.choice(self.bombs)
        if kind == "pdf":
            return kind, ".pdf", mutate(r, r.choice(self.pdfs))
        pdf = r.choice(self.pdfs)
        return kind, ".pdf", pdf[: r.randrange(len(pdf))]


def guard(data: bytes) -> None:
    """What a docx reader does with the shared guard: open the zip, read every member (ValueError when unsafe)."""
    zf = safety.open_zip(data)
    for name in zf.namelist():
        safety.read_member(zf, name)


def _high_water_mb(pid: int | None) -> float:
    """A process's peak resident memory so far (VmHWM), in MB; 0 when it cannot be read."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (OSError, TypeError):
        return 0.0
    line = next((ln for ln in status.splitlines() if ln.startswith("VmHWM:")), "VmHWM: 0 kB")
    return int(line.split()[1]) / 1024


def _read_one(worker: Worker, path: Path, kind: str, suffix: str, counts: Counter, crashes: list[str]) -> float:
    """Read one input in the worker and count the outcome; the worker's peak memory after it, in MB."""
    try:
        worker.call(path)
        counts["document"] += 1
    except RaisedInWorker as e:
        if e.kind == "ReadError":
            counts["read_error"] += 1
        else:
            counts["crash"] += 1
            crashes.append(f"{kind}{suffix}: {e.kind}: {e}"[:300])
    except WorkerFailed as e:  # the budget stopped what the reader limits let through
        counts["timeout" if "longer than" in str(e) else "over_budget"] += 1
        crashes.append(f"{kind}{suffix}: {e}"[:300])
        return 0.0
    return _high_water_mb(worker.pid)


def run(n: int, seed: int) -> dict:
    gen = Inputs(seed)
    counts: Counter = Counter()
    kinds: Counter = Counter()
    crashes: list[str] = []
    max_s, worst, peak, peak_by = 0.0, "", 0.0, ""
    worker = Worker(read_document, Budget(seconds=TIME_BOUND * 6, megabytes=BUDGET_MB))
    with tempfile.TemporaryDirectory() as tmp, worker:
        for i in range(n):
            kind, suffix, data = gen()
            kinds[kind] += 1
            path = Path(tmp) / f"case{i}{suffix}"
            path.write_bytes(data)
            t0 = time.perf_counter()
            mb = _read_one(worker, path, kind, suffix, counts, crashes)
            if time.perf_counter() - t0 > TIME_BOUND:
                counts["slow"] += 1
            if mb > peak:
                peak, peak_by = mb, f"{kind}{suffix} ({len(data):,} bytes)"
            if suffix in safety.ZIP_FORMATS and kind in ("docx", "bomb"):
                try:
                    guard(data)
                    counts["guard_ok"] += 1
                except ValueError:
                    counts["guard_refused"] += 1
                except Exception as e:  # noqa: BLE001
                    counts["crash"] += 1
                    crashes.append(f"guard {kind}{suffix}: {type(e).__name__}: {e}"[:300])
            dt = time.perf_counter() - t0
            if dt > max_s:
                max_s, worst = dt, f"{kind}{suffix} ({len(data):,} bytes)"
            path.unlink()
    return {
        "inputs": n, "seed": seed, "kinds": dict(kinds), "documents": counts["document"],
        "read_errors": counts["read_error"], "guard_refused": counts["guard_refused"],
        "guard_passed": counts["guard_ok"], "timeouts": counts["timeout"], "over_budget": counts["over_budget"],
        "slow": counts["slow"], "crashes": counts["crash"],
        "crash_examples": crashes[:10], "max_seconds": round(max_s, 3), "slowest": worst,
        "peak_worker_rss_mb": round(peak, 1), "peak_worker_rss_by": peak_by,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "limits": {k: v for k, v in vars(safety.limits()).items()},
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=5000, help="inputs to try (default 5000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", help="JSON result (default bench/out/fuzz_readers.json)")
    args = ap.parse_args()
    from bench.common import default_out, write_result

    t0 = time.perf_counter()
    result = run(args.n, args.seed)
    result["seconds"] = round(time.perf_counter() - t0, 1)
    write_result(args.out or default_out("fuzz_readers"), result)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 1 if result["crashes"] or result["timeouts"] or result["over_budget"] or result["slow"] else 0


if __name__ == "__main__":
    sys.exit(main())
