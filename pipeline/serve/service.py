"""The live index of a server: the generation that answers now, and the next one loaded beside it.

Each request asks `LiveIndex.current()`, which reads the index folder's ``CURRENT`` pointer (one small file, at
most every `check_every` seconds). When an ingest has switched in a new generation, a background thread loads it
while the old one keeps answering; the new one is swapped in whole once loaded. An answerer, comparer and
reference catalog are built once per (generation, collections) and kept until their generation goes.

The embedder is loaded once and shared by every generation and every thread; one that does not declare itself
`thread_safe` is called behind a lock (`LockedEmbedder`). The bundled e5 engine is: it writes its model only
when loading and each call allocates its own buffers (and, a C call, it leaves the GIL to the other threads).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline.access.accounts import Refused
from pipeline.embed import Embedder, Role

if TYPE_CHECKING:
    from pipeline.ask.answer import Answerer
    from pipeline.indicators.compare import Comparer
    from pipeline.protocol import IndexReader
    from pipeline.refs.catalog import RefCatalog

Sees = frozenset[str] | None  # the collections an account reads; None: all of them (an admin)


class LockedEmbedder(Embedder):
    """`inner`, one call at a time: an embedder that is not safe to share between threads, shared."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.thread_safe = True  # now
        self._lock = threading.Lock()

    def embed_batch(self, texts: Sequence[str], role: Role) -> np.ndarray:
        """`inner`'s vectors of `texts`, computed while no other thread embeds."""
        with self._lock:
            return self.inner.embed_batch(texts, role)


@dataclass
class Generation:
    """One loaded generation and the engines built over its scoped views, by collections."""

    name: str
    index: IndexReader
    engines: dict[tuple[str, Sees], Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def view(self, sees: Sees) -> IndexReader:
        """The generation as an account reading `sees` sees it."""
        from pipeline.store.scope import scoped

        return scoped(self.index, sees)

    def engine(self, kind: str, sees: Sees, build: Callable[[IndexReader], Any]) -> Any:
        """The `kind` engine over the view of `sees`, built by `build(view)` the first time (one build at a time)."""
        key = (kind, sees)
        found = self.engines.get(key)
        if found is None:
            with self.lock:
                found = self.engines.get(key)
                if found is None:
                    found = self.engines[key] = build(self.view(sees))
        return found


class LiveIndex:
    """The generation of the index folder `root` that answers now (see the module docstring)."""

    def __init__(self, root: str | os.PathLike, embedder: Embedder | None = None, check_every: float = 0.5) -> None:
        self.root = Path(root)
        self._embedder = embedder
        self._check_every = check_every
        self._live: Generation | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self._first = threading.Lock()
        self._loading: threading.Thread | None = None
        self.last_error = ""  # why the newest generation could not be loaded, if it could not

    def _on_disk(self) -> str | None:
        from pipeline.store.layout import live_name

        return live_name(self.root) or None

    def embedder(self, index: IndexReader) -> Embedder:
        """The shared embedder: the index's own, loaded on first use, behind a lock unless `thread_safe`."""
        with self._lock:
            if self._embedder is None or self._embedder.name != index.embedder_name:
                from pipeline.embed import load_embedder

                self._embedder = load_embedder(index.embedder_name)
            if not self._embedder.thread_safe:
                self._embedder = LockedEmbedder(self._embedder)
            return self._embedder

    def _load(self) -> Generation:
        from pipeline.store.reader import open_index

        index = open_index(self.root)
        self.embedder(index)
        return Generation(index.generation, index)

    def _reload(self) -> None:
        """Load the live generation and swap it in (in the thread `current` starts when a newer one is live)."""
        try:
            loaded = self._load()
            self.last_error = ""
            with self._lock:
                self._live = loaded
        except Exception as e:  # noqa: BLE001 — the old generation keeps answering; health says why
            self.last_error = f"{type(e).__name__}: {e}"[:300]
        finally:
            with self._lock:
                self._loading = None

    @property
    def generation(self) -> str | None:
        """The name of the generation answering now (None before one is loaded)."""
        live = self._live
        return live.name if live else None

    def current(self) -> Generation:
        """The generation answering now; the first call loads one. `Refused` 503 while there is none yet."""
        now = time.monotonic()
        live = self._live
        if live is not None and now - self._checked < self._check_every:
            return live
        self._checked = now
        name = self._on_disk()
        if name is None:
            if live is not None:
                return live
            raise Refused(503, "no index yet: upload documents, or run `tracuu ingest` (chưa có chỉ mục)")
        if live is None:
            with self._first:  # one first load, the other requests wait for it
                if self._live is None:
                    self._reload()
            if self._live is None:
                raise Refused(503, f"the index cannot be loaded: {self.last_error} (không mở được chỉ mục)")
            return self._live
        if name != live.name:
            self._start_reload()
        return live

    def settle(self, timeout: float | None = None) -> Generation:
        """The generation answering once the live one on disk is loaded: what `current` gives, after waiting for
        the reload it starts, if any (for a caller that must see the newest, e.g. after an ingest it ran)."""
        self._checked = 0.0
        live = self.current()
        loading = self._loading
        if loading is not None:
            loading.join(timeout)
        return self._live or live

    def _start_reload(self) -> None:
        with self._lock:
            if self._loading is not None:
                return
            self._loading = threading.Thread(target=self._reload, name="tracuu-reload", daemon=True)
            self._loading.start()

    def answerer(self, sees: Sees) -> Answerer:
        """The answerer over what `sees` may read, in the generation answering now."""
        import pipeline

        gen = self.current()
        return gen.engine("ask", sees, lambda v: pipeline.open_answerer(v, self.embedder(gen.index)))

    def comparer(self, sees: Sees) -> Comparer:
        """The indicator comparer over what `sees` may read."""
        import pipeline

        gen = self.current()
        return gen.engine("compare", sees, lambda v: pipeline.open_comparer(v, self.embedder(gen.index)))

    def refs(self, sees: Sees) -> RefCatalog:
        """The reference catalog over what `sees` may read."""
        import pipeline

        return self.current().engine("refs", sees, pipeline.open_refs)

    def view(self, sees: Sees) -> IndexReader:
        """The generation answering now, as `sees` may read it."""
        return self.current().view(sees)
