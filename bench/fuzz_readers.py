"""Fuzz the readers: N broken inputs, each must end in a Document or a ReadError — never another exception,
never past the time bound — and the zip guard (pipeline/readers/safety.py) must refuse every bomb.

Inputs (seeded, reproducible): random bytes under every suffix; real Vietnamese text with flipped bytes, cuts,
NUL bytes, broken UTF-8 and UTF-16; huge single lines; broken .docx zips; zip bombs; truncated and damaged PDFs.
Each .docx/.odt input is also opened with `safety.open_zip` and every member read with `safety.read_member`
(what a docx reader does), so the guard is exercised before the docx reader exists.

    python bench/fuzz_readers.py -n 5000            # counts on stdout, JSON in bench/out/fuzz_readers.json
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import signal
import sys
import tempfile
import time
import zipfile
import zlib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.readers import ReadError, read_document, safety  # noqa: E402

TEXTS = [ROOT / "data" / "bao-cao-ktxh-2022-tp-ha-tinh.txt", *sorted((ROOT / "tests" / "data").glob("*.md"))]
SUFFIXES = [".txt", ".md", ".docx", ".pdf", ".html", ".odt", ".doc"]
TIME_BOUND = 5.0


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
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


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
        kind = r.choice(["random", "text", "text", "utf16", "huge_line", "docx", "bomb", "pdf", "pdf_cut"])
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


def _alarm(signum, frame):
    raise TimeoutError


def guard(data: bytes) -> None:
    """What a docx reader does with the shared guard: open the zip, read every member (ValueError when unsafe)."""
    zf = safety.open_zip(data)
    for name in zf.namelist():
        safety.read_member(zf, name)


def run(n: int, seed: int) -> dict:
    signal.signal(signal.SIGALRM, _alarm)
    gen = Inputs(seed)
    counts: Counter = Counter()
    kinds: Counter = Counter()
    crashes: list[str] = []
    max_s, worst = 0.0, ""
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(n):
            kind, suffix, data = gen()
            kinds[kind] += 1
            path = Path(tmp) / f"case{i}{suffix}"
            path.write_bytes(data)
            t0 = time.perf_counter()
            signal.alarm(int(TIME_BOUND) + 1)
            try:
                read_document(path)
                counts["document"] += 1
            except ReadError:
                counts["read_error"] += 1
            except TimeoutError:
                counts["timeout"] += 1
                crashes.append(f"{kind}{suffix}: timeout")
            except Exception as e:  # noqa: BLE001 — the count this script exists for
                counts["crash"] += 1
                crashes.append(f"{kind}{suffix}: {type(e).__name__}: {e}"[:300])
            finally:
                signal.alarm(0)
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
        "guard_passed": counts["guard_ok"], "timeouts": counts["timeout"], "crashes": counts["crash"],
        "crash_examples": crashes[:10], "max_seconds": round(max_s, 3), "slowest": worst,
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
    return 1 if result["crashes"] or result["timeouts"] else 0


if __name__ == "__main__":
    sys.exit(main())
