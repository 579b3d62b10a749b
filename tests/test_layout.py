"""The direction of the flow (/work/shared/STYLE.md "The flow"), read from the source with `ast`, nothing imported:
readers and text know nothing of indexes, the store knows nothing of search or answers, nothing in pipeline/
knows Streamlit or the app, and the subpackages of pipeline/ import one another without a cycle."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "pipeline"
SUBPACKAGES = ("readers", "text", "store", "search", "ask", "refs", "indicators", "access", "serve")


@dataclass(frozen=True)
class Import:
    module: str  # absolute, e.g. "pipeline.store.reader"
    source: Path  # the importing file
    line: int
    text: str  # the statement as written

    def __str__(self) -> str:
        return f"{self.source.relative_to(ROOT)}:{self.line}: {self.text}"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, root: Path = ROOT) -> list[Import]:
    """Every import in a file, at any depth (function-level and TYPE_CHECKING imports count too), relative
    imports made absolute; ``from pkg import name`` also counts as an import of ``pkg.name`` (it may be a module)."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    package = module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [base, *(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")]
        else:
            continue
        text = ast.get_source_segment(source, node) or ast.unparse(node)
        found += [Import(name, path, node.lineno, " ".join(text.split())) for name in names]
    return found


def pipeline_imports() -> list[Import]:
    return [imp for path in sorted(PACKAGE.rglob("*.py")) for imp in imports_of(path)]


def app_imports() -> list[Import]:
    """What app.py and its page modules (app_ui.py, app_auth.py) import."""
    return [imp for name in ("app.py", "app_ui.py", "app_auth.py") for imp in imports_of(ROOT / name)]


def subpackage_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "pipeline" and parts[1] in SUBPACKAGES else None


def importing(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    """The imports in pipeline/<folder>/ of a module in (or equal to) one of `forbidden`."""
    return sorted({str(imp) for imp in pipeline_imports()
                   if imp.source.is_relative_to(PACKAGE / folder)
                   and any(imp.module == f or imp.module.startswith(f + ".") for f in forbidden)})


def subpackage_graph(imports: list[Import]) -> dict[str, dict[str, list[Import]]]:
    """{importing subpackage: {imported subpackage: the imports that make the edge}}, self-edges left out."""
    graph: dict[str, dict[str, list[Import]]] = {name: {} for name in SUBPACKAGES}
    for imp in imports:
        src, dst = subpackage_of(module_name(imp.source)), subpackage_of(imp.module)
        if src and dst and src != dst:
            graph[src].setdefault(dst, []).append(imp)
    return graph


def find_cycle(graph: dict[str, dict[str, list[Import]]]) -> list[str] | None:
    """One cycle as a path [a, b, …, a], or None (depth-first search, in a fixed order)."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def describe(cycle: list[str], graph: dict[str, dict[str, list[Import]]]) -> str:
    edges = zip(cycle, cycle[1:], strict=False)
    return " → ".join(cycle) + "".join(f"\n  {a} → {b}: {graph[a][b][0]}" for a, b in edges)


# --- the checker checks something ---------------------------------------------------------------------------


def test_the_import_reader_sees_relative_nested_and_from_imports(tmp_path):
    pkg = tmp_path / "pipeline" / "store"
    pkg.mkdir(parents=True)
    (tmp_path / "pipeline" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "mod.py").write_text("import json\nfrom . import layout\nfrom ..search.hybrid import HybridSearcher\n"
                                "def f():\n    from pipeline import ask\n    import streamlit as st\n")
    modules = {imp.module for imp in imports_of(pkg / "mod.py", root=tmp_path)}
    assert {"json", "pipeline.store.layout", "pipeline.search.hybrid", "pipeline.ask", "streamlit"} <= modules


def test_a_cycle_is_found_with_its_path_and_a_chain_is_not():
    imp = Import("x", ROOT / "pipeline" / "types.py", 1, "import x")
    chain = {"readers": {"text": [imp]}, "text": {}, "store": {"readers": [imp], "text": [imp]}}
    assert find_cycle(chain) is None
    loop = {**chain, "text": {"store": [imp]}}
    assert find_cycle(loop) == ["readers", "text", "store", "readers"]


def test_the_real_graph_is_read_from_every_subpackage():
    graph = subpackage_graph(pipeline_imports())
    assert all(list((PACKAGE / name).glob("*.py")) for name in SUBPACKAGES)
    assert "text" in graph["readers"] and "text" in graph["store"] and "store" in graph["search"]


# --- the rules ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("folder", ["readers", "text"])
def test_readers_and_text_know_nothing_of_indexes_search_answers_refs_or_indicators(folder):
    forbidden = tuple(f"pipeline.{name}" for name in ("store", "search", "ask", "refs", "indicators"))
    assert importing(folder, forbidden) == []


def test_the_store_knows_nothing_of_search_or_answers():
    assert importing("store", ("pipeline.search", "pipeline.ask")) == []


@pytest.mark.parametrize("folder", ["readers", "text", "store", "search", "ask", "refs", "indicators"])
def test_only_the_server_side_knows_of_accounts(folder):
    # who may see what is enforced by the store's scoped view; accounts and the queue sit above everything else
    assert importing(folder, ("pipeline.access", "pipeline.serve")) == []


def test_nothing_in_pipeline_imports_streamlit_or_the_app():
    bad = [str(imp) for imp in pipeline_imports()
           if imp.module.split(".")[0] in ("streamlit", "app", "app_ui", "app_auth")]
    assert bad == []


def test_the_subpackages_of_pipeline_import_one_another_without_a_cycle():
    graph = subpackage_graph(pipeline_imports())
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle between subpackages: " + describe(cycle, graph)


def test_importing_any_module_of_pipeline_loads_no_heavy_or_optional_package():
    """pytest imports every module for its doctests (--doctest-modules), and STYLE.md wants heavy dependencies
    loaded lazily: a module-level import of anything but the standard library and the light required numpy and
    tqdm (torch, sentence_transformers, streamlit, faiss, bm25s, underthesea …) stays in the function using it."""
    import sys

    allowed = set(sys.stdlib_module_names) | {"numpy", "tqdm", "pipeline"}
    eager = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # module level only; `if TYPE_CHECKING:` blocks are not run
            if isinstance(node, ast.Import):
                tops = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                tops = [(node.module or "").split(".")[0]]
            else:
                continue
            eager += [f"{path.relative_to(ROOT)}:{node.lineno}: {top}" for top in tops if top not in allowed]
    assert eager == []


# what the app may import from pipeline/: the entry points and settings, the shared records, and the citation
# formatting it shows (pure functions over records)
APP_MAY_IMPORT = ("pipeline", "pipeline.settings", "pipeline.types", "pipeline.ask.cite")


def test_the_app_imports_only_the_entry_points_and_presentation_helpers():
    found = [imp for imp in app_imports() if imp.module == "pipeline" or imp.module.startswith("pipeline.")]
    assert any(imp.module == "pipeline" for imp in found)  # the parser sees the app's imports at all

    def allowed(module: str) -> bool:
        parent, _, name = module.rpartition(".")
        if module in APP_MAY_IMPORT:
            return True
        where = ROOT.joinpath(*module.split("."))  # `from pipeline import store` would be a module: not allowed
        return parent in APP_MAY_IMPORT and not where.is_dir() and not where.with_suffix(".py").exists()

    bad = sorted({str(imp) for imp in found if not allowed(imp.module)})
    assert bad == [], "app.py/app_ui.py reach past the entry points: " + "; ".join(bad)
