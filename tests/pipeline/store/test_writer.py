"""The writer writes what ingest derived and nothing else: a `Derived` record comes back whole from the reader."""

import json

import numpy as np
import pytest

from pipeline.indicators.extract import Indicator, Kind
from pipeline.refs.references import Mention, Reference
from pipeline.store.derived import Derived
from pipeline.store.layout import LAYOUT, embed_hash
from pipeline.store.reader import open_index
from pipeline.store.writer import write_generation
from pipeline.types import Chunk, DocMeta, DocRecord

DOC = "bao-cao-2022.txt"


def _derived() -> Derived:
    chunks = (
        Chunk(f"{DOC}#I.1:0", DOC, "I. Kết quả", "Tăng trưởng kinh tế ước đạt 11,67%.", 2022, 0,
              words="tăng_trưởng kinh_tế ước đạt 11,67", folded="tang truong kinh te", page=3),
        Chunk(f"{DOC}#I.2:0", DOC, "I. Kết quả › 2. Thu ngân sách", "Tổng thu ngân sách đạt 1.172,5 tỷ đồng.", 2022,
              1, words="tổng thu ngân_sách", folded="tong thu ngan sach"),
    )
    # values no stage would compute from these chunks: the writer must store them as given, not derive its own
    mention = Mention(Reference("624/KH-UBND", "624", "KH", "Kế hoạch", "UBND", 2021, None, 0, 0), DOC,
                      "I. Kết quả", chunks[0].chunk_id, "Thực hiện Kế hoạch số 624/KH-UBND")
    indicator = Indicator("Tăng trưởng kinh tế", 2022, Kind.RESULT, 11.67, "%", None, "11,67%", doc=DOC,
                          section="I. Kết quả", chunk_id=chunks[0].chunk_id, text=chunks[0].text)
    return Derived(
        docs=(DocRecord(DOC, "/data/bao-cao-2022.txt", "abc123", DocMeta(title="Báo cáo", years=(2022,)), 2),),
        chunks=chunks,
        embed_texts=("Báo cáo › I. Kết quả\nTăng trưởng…", "Báo cáo › I. Kết quả › 2. Thu ngân sách\nTổng thu…"),
        vectors=np.eye(2, 8, dtype=np.float32),
        mentions=(mention,),
        indicators=(indicator,),
        names=("Tăng trưởng kinh tế",),
        name_vectors=np.full((1, 8), 0.5, dtype=np.float32),
        accents={"ngan": {"ngân": 2, "ngan": 1}, "zz": {"zế": 1}},
    )


def test_a_derived_record_round_trips_through_the_writer_and_the_reader(tmp_path):
    derived = _derived()
    gen = write_generation(tmp_path, derived, "fake", parser_version=11)
    data = open_index(tmp_path)
    assert data.gen == gen and data.embedder_name == "fake"
    assert list(data.docs.values()) == list(derived.docs)
    assert data.chunks_with_tokens() == list(derived.chunks)
    assert data.embed_hashes == [embed_hash(t) for t in derived.embed_texts]
    np.testing.assert_array_equal(data.vectors(), derived.vectors)
    assert [m for r in data.references for m in r.mentions] == [
        Mention(Reference("624/KH-UBND", "624", "KH", "Kế hoạch", "UBND", 2021, None, 0, 0), DOC, "I. Kết quả",
                f"{DOC}#I.1:0", "Thực hiện Kế hoạch số 624/KH-UBND")]
    assert data.indicators == list(derived.indicators)
    names, vectors = data.indicator_names
    assert names == list(derived.names)
    np.testing.assert_array_equal(vectors, derived.name_vectors)
    assert dict(data.accents) == {"ngan": "ngân", "zz": "zế"}
    manifest = json.loads((gen / LAYOUT.manifest).read_text())
    assert manifest["parser_version"] == 11 and manifest["embedder"] == {"name": "fake", "dim": 8}
    assert manifest["counts"] == {"documents": 1, "chunks": 2, "indicators": 1, "pending": 0}
    [segment] = manifest["segments"]
    assert segment["documents"] == 1 and segment["rows"] == 2 and segment["deleted"] == []
    assert not (gen / segment["name"] / LAYOUT.pending).exists() and not data.pending.any()


def test_a_record_without_name_vectors_writes_no_names_file(tmp_path):
    from dataclasses import replace

    gen = write_generation(tmp_path, replace(_derived(), names=(), name_vectors=None), "fake")
    assert not list(gen.rglob(LAYOUT.names))
    assert open_index(tmp_path).indicator_names == ([], None)


@pytest.mark.parametrize("change", [{"vectors": np.zeros((1, 8), dtype=np.float32)}, {"embed_texts": ("one",)},
                                    {"name_vectors": np.zeros((3, 8), dtype=np.float32)}])
def test_a_record_whose_rows_do_not_line_up_is_refused_before_anything_is_written(tmp_path, change):
    from dataclasses import replace

    with pytest.raises(ValueError, match="one .*per"):
        replace(_derived(), **change)
    assert not list(tmp_path.iterdir())
