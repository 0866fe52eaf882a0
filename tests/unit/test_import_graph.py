"""No import cycles between the project's modules.

The layers contract (``lint-imports``) only sees arrows between layers; a cycle inside one
package (``a`` imports ``b``, ``b`` imports ``a``) passes it. This test builds the module import
graph of every package with grimp, imports under ``if TYPE_CHECKING:`` and inside functions
included (hiding an import there does not untie the two modules), finds its strongly connected
components and names each cycle with one concrete chain. A package's ``__init__`` counts as a
module of its own: ``pkg`` importing ``pkg.sub`` while ``pkg.sub`` imports ``pkg`` is a cycle.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import grimp
import pytest

PACKAGES = ("core", "edi", "tariffs", "rules", "clearance", "api")


@dataclass(frozen=True)
class Cycle:
    """One strongly connected component: its modules and a chain that goes round."""

    modules: tuple[str, ...]
    chain: tuple[str, ...]

    def describe(self, graph: grimp.ImportGraph) -> str:
        """The modules, then the chain: each importer with the line of its import."""
        steps = []
        for importer, imported in zip(self.chain, self.chain[1:], strict=False):
            details = graph.get_import_details(importer=importer, imported=imported)
            steps.append(f"{importer}:{details[0]['line_number']}" if details else importer)
        chain = " -> ".join([*steps, self.chain[-1]])
        return f"{len(self.modules)} modules: {', '.join(self.modules)}\n    {chain}"


def build(packages: Iterable[str]) -> grimp.ImportGraph:
    """The import graph of ``packages``, TYPE_CHECKING imports included, no cache on disk."""
    first, *rest = packages
    return grimp.build_graph(first, *rest, exclude_type_checking_imports=False, cache_dir=None)


def find_cycles(graph: grimp.ImportGraph) -> list[Cycle]:
    """Every cycle of ``graph`` (iterative Tarjan), each with one chain, sorted by modules."""
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    cycles = []
    for component in _components(edges):
        start = min(component)
        if len(component) > 1 or start in edges[start]:
            cycles.append(Cycle(tuple(sorted(component)), _chain(edges, component, start)))
    return sorted(cycles, key=lambda c: c.modules)


def _components(edges: dict[str, list[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components, with an explicit stack instead of recursion."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            nxt = next((s for s in successors if s not in index or s in on_stack), None)
            if nxt is not None and nxt not in index:
                index[nxt] = low[nxt] = len(index)
                stack.append(nxt)
                on_stack.add(nxt)
                work.append((nxt, iter(edges.get(nxt, []))))
            elif nxt is not None:
                low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    found.append(component)
    return found


def _chain(edges: dict[str, list[str]], component: set[str], start: str) -> tuple[str, ...]:
    """The shortest way from ``start`` back to itself inside ``component`` (breadth first)."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in edges[node]:
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return (*reversed(path), start)
            if nxt in component and nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    raise AssertionError(f"{start} is in a component but no chain leads back to it")


def test_the_project_has_no_import_cycles() -> None:
    graph = build(PACKAGES)
    cycles = find_cycles(graph)
    if cycles:
        report = "\n".join(f"  {c.describe(graph)}" for c in cycles)
        pytest.fail(f"{len(cycles)} import cycle(s):\n{report}", pytrace=False)


# -- the finder can fail ---------------------------------------------------------------------


def _graph(*imports: tuple[str, str]) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for importer, imported in imports:
        graph.add_import(importer=importer, imported=imported)
    return graph


def test_a_cycle_is_reported_with_its_modules_and_a_chain() -> None:
    graph = _graph(
        ("pkg.loader", "pkg.assemble"),
        ("pkg.assemble", "pkg.measures"),
        ("pkg.measures", "pkg.loader"),
        ("pkg.assemble", "pkg.records"),
        ("pkg.loader", "pkg.records"),
    )
    assert find_cycles(graph) == [
        Cycle(
            ("pkg.assemble", "pkg.loader", "pkg.measures"),
            ("pkg.assemble", "pkg.measures", "pkg.loader", "pkg.assemble"),
        )
    ]


def test_each_of_two_cycles_is_reported_and_an_acyclic_graph_gives_none() -> None:
    graph = _graph(("a.x", "a.y"), ("a.y", "a.x"), ("b.p", "b.q"), ("b.q", "b.p"), ("a.x", "b.p"))
    assert [c.modules for c in find_cycles(graph)] == [("a.x", "a.y"), ("b.p", "b.q")]
    assert find_cycles(_graph(("a.x", "a.y"), ("a.y", "a.z"), ("a.x", "a.z"))) == []


def test_a_package_init_and_its_module_importing_each_other_is_a_cycle() -> None:
    graph = _graph(("pkg", "pkg.sub"), ("pkg.sub", "pkg"))
    assert find_cycles(graph) == [Cycle(("pkg", "pkg.sub"), ("pkg", "pkg.sub", "pkg"))]


def test_a_cycle_hidden_under_type_checking_in_real_source_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = tmp_path / "cyclic_sample"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from cyclic_sample.sub import VALUE\n")
    (pkg / "sub.py").write_text("import cyclic_sample\n\nVALUE = 1\n")
    (pkg / "a.py").write_text(
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from cyclic_sample.b import B\n"
    )
    (pkg / "b.py").write_text("from cyclic_sample.a import TYPE_CHECKING as B\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = build(["cyclic_sample"])
    cycles = find_cycles(graph)
    assert [c.modules for c in cycles] == [
        ("cyclic_sample", "cyclic_sample.sub"),
        ("cyclic_sample.a", "cyclic_sample.b"),
    ]
    assert (
        cycles[1]
        .describe(graph)
        .endswith("cyclic_sample.a:4 -> cyclic_sample.b:1 -> cyclic_sample.a")
    )
