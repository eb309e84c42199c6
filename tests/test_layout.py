"""The architecture as tests: imports run one way, packages are entered by their exports, no cycles.

Layers, lowest first (docs/architecture.md): ``pipelines.record`` (the vocabulary every stage
shares), ``pipelines.references``, ``pipelines.extract``, ``pipelines.archive``,
``pipelines.export``, ``pipelines.verify``, ``pipelines.report``, then ``pipelines.scrapy_adapters``; ``crawler`` sits above all of
``pipelines`` and nothing in ``pipelines`` imports it. A module may import its own package and
the layers below it, never one above. Code outside a stage package imports the names that
package's ``__init__`` exports, not its modules (the stage packages of ``pipelines`` and
``crawler``'s discovery, fetch, distributed, spiders and verify). Function-level imports count; imports only for
type checkers (``if TYPE_CHECKING:``) do not.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import ROOT

LAYERS = ["record", "references", "extract", "archive", "export", "verify", "report", "scrapy_adapters"]
STAGE_PACKAGES = {"record", "references", "extract", "archive", "export", "verify", "report"}
CRAWLER_PACKAGES = {"discovery", "fetch", "distributed", "spiders", "verify"}
MAX_LINES = 450


def project_modules() -> dict[str, Path]:
    modules = {}
    for top in ("crawler", "pipelines"):
        for path in (ROOT / top).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


MODULES = project_modules()


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node but those under ``if TYPE_CHECKING:``."""
    nodes: list[ast.AST] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            stack.extend(node.orelse)
            continue
        nodes.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return nodes


def imports_of(name: str) -> list[tuple[str, list[str]]]:
    """(module imported, names taken from it) for every project import in module ``name``."""
    found = []
    is_package = MODULES[name].name == "__init__.py"
    for node in _runtime_nodes(ast.parse(MODULES[name].read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names if a.name.split(".")[0] in ("crawler", "pipelines")]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([module] if module else []))
            if module.split(".")[0] not in ("crawler", "pipelines"):
                continue
            names = [a.name for a in node.names]
            exported = package_names(module)
            submodules = [f"{module}.{n}" for n in names if f"{module}.{n}" in MODULES and n not in exported]
            found += [(s, []) for s in submodules] or [(module, names)]
    return found


def package_names(module: str) -> set[str]:
    """Names a package's ``__init__`` binds or exports (``render`` is a function there, not the
    module of the same name)."""
    path = MODULES.get(module)
    if path is None or path.name != "__init__.py":
        return set()
    tree = ast.parse(path.read_text("utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom | ast.Import):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "_EXPORTS":
            names |= {k.value for k in node.value.keys if isinstance(k, ast.Constant)}
    return names


def layer(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "pipelines" or len(parts) < 2:
        return None
    return LAYERS.index(parts[1]) if parts[1] in LAYERS else None


def test_pipelines_never_import_the_crawler():
    wrong = [
        (m, target)
        for m in MODULES
        if m.startswith("pipelines")
        for target, _ in imports_of(m)
        if target.startswith("crawler")
    ]
    assert wrong == []


def test_stages_import_only_their_own_layer_and_those_below():
    wrong = []
    for module in MODULES:
        here = layer(module)
        if here is None:
            continue
        for target, _ in imports_of(module):
            there = layer(target)
            if there is not None and there > here:
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_code_outside_a_stage_package_uses_its_exports():
    wrong = []
    for module in MODULES:
        for target, names in imports_of(module):
            parts = target.split(".")
            packages = STAGE_PACKAGES if parts[0] == "pipelines" else CRAWLER_PACKAGES
            if len(parts) < 3 or parts[1] not in packages:
                continue
            if module.split(".")[:2] != parts[:2]:
                wrong.append(f"{module} imports {target} {names}".strip())
    assert wrong == []


@pytest.mark.parametrize(
    "package",
    [f"pipelines.{p}" for p in sorted(STAGE_PACKAGES)] + [f"crawler.{p}" for p in sorted(CRAWLER_PACKAGES)],
)
def test_each_package_says_what_it_does_and_exports_names_that_exist(package):
    import importlib

    module = importlib.import_module(package)
    assert module.__doc__ and len(module.__doc__.split()) >= 10
    assert module.__all__
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{package}.{name}"


def test_no_import_cycles():
    graph = {m: {t for t, _ in imports_of(m) if t in MODULES and t != m} for m in MODULES}
    cycles = [sorted(c) for c in strongly_connected(graph) if len(c) > 1]
    assert cycles == []


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    result.append(component)
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return result


def test_modules_stay_small_or_say_why():
    """A module over ~450 lines holds two ideas; one that must not be split says why in its docstring."""
    long = []
    for module, path in MODULES.items():
        lines = path.read_text("utf-8").count("\n")
        doc = ast.get_docstring(ast.parse(path.read_text("utf-8"))) or ""
        if lines > MAX_LINES and "one module because" not in doc:
            long.append(f"{module}: {lines} lines")
    assert long == []
