"""The progress of `tracuu ingest`: one bar for the whole run, whatever its stages.

The bar counts the stage under way (the documents read, then the indicator names, then the chunks embedded);
its title keeps the count of documents and chunks, and its time left is tqdm's from the rate of that stage so far
(no smoothing: while embedding, the embedding rate since it began)::

    documents:  40%|████      | 12/30 [00:03<00:05, 3.9document/s]
    30 documents · chunks:  28%|██▊       | 340/1200 [01:08<02:52, 5.0chunk/s]
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from tqdm import tqdm

    from pipeline.store.ingest import Stage


class IngestBar:
    """The `progress` callback of an ingest, drawn as one tqdm bar on `file` (stderr); `close` it at the end."""

    def __init__(self, file: TextIO | None = None) -> None:
        self.file = file or sys.stderr
        self.bar: tqdm | None = None
        self.stage: Stage | None = None
        self.documents = 0

    def __call__(self, stage: Stage, done: int, total: int) -> None:
        """Show `done` of `total` in `stage` (a new stage starts the bar again)."""
        bar = self._begin(stage, total) if stage is not self.stage or self.bar is None else self.bar
        bar.n = done
        bar.refresh()

    def _begin(self, stage: Stage, total: int) -> tqdm:
        """The bar, started again (n, total, clock) for `stage`, under a title that names it."""
        from tqdm import tqdm

        from pipeline.store.ingest import Stage

        units = {Stage.DOCUMENTS: "document", Stage.NAMES: "indicator name", Stage.CHUNKS: "chunk"}
        if stage is Stage.DOCUMENTS:
            self.documents = total
            title = "documents"
        else:
            title = f"{self.documents} documents · {'chunks' if stage is Stage.CHUNKS else 'indicator names'}"
        if self.bar is None:
            self.bar = tqdm(total=total, desc=title, unit=units[stage], file=self.file, leave=True,
                            dynamic_ncols=True, smoothing=0)
        else:
            self.bar.unit = units[stage]
            self.bar.set_description(title, refresh=False)
            self.bar.reset(total=total)
        self.stage = stage
        if stage is Stage.CHUNKS:
            self.bar.write(f"searchable by keyword now; {total} chunks wait for vectors, filled in as they are "
                           "embedded (đã tra cứu được theo từ khóa)", file=self.file)
        return self.bar

    def close(self) -> None:
        """End the bar, leaving its last line."""
        if self.bar is not None:
            self.bar.close()
