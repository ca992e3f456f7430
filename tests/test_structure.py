"""The package's shape, read from the source with ``ast`` (nothing is imported).

- No import circle among the modules of ``lab`` and ``cdk_app``. Every import in a module
  counts, wherever it stands (a function-level import that dodges the interpreter is
  still a circle in the design, and so is one under ``TYPE_CHECKING``): relative imports
  are resolved, and ``from package import name`` where ``name`` is a submodule counts as
  importing that submodule. A package's ``__init__`` is imported only when named.
- No module over :data:`MAX_LINES` lines (issue 20: a module a reader can hold).

Encodes no AWS behaviour: it checks the repository's own structure (issue 20).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("lab", "cdk_app")
MAX_LINES = 700


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ``known`` that module ``name`` (at ``path``) imports anywhere."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                if submodule in known:
                    found.add(submodule)
                elif target in known:
                    found.add(target)
    found.discard(name)
    return found


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
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
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _describe(component: list[str], graph: dict[str, set[str]]) -> str:
    members = set(component)
    return "\n".join(
        f"  {name} -> {', '.join(sorted(graph[name] & members))}" for name in component
    )


def test_no_import_circle_among_the_lab_s_modules():
    graph = import_graph(_modules())
    found = circles(graph)
    assert not found, (
        "import circles (move what both sides need into a module that imports neither):\n"
        + "\n".join(_describe(component, graph) for component in found)
    )


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        # a function-level import closes a circle as well as a top-level one
        (
            {
                "lab/a.py": "from lab import b\n",
                "lab/b.py": "def f():\n    from lab.a import x\n",
            },
            [["lab.a", "lab.b"]],
        ),
        # a relative import of a submodule through its package
        (
            {
                "lab/__init__.py": "",
                "lab/p/__init__.py": "from . import c\n",
                "lab/p/c.py": "from .. import d\n",
                "lab/d.py": "import lab.p\n",
            },
            [["lab.d", "lab.p", "lab.p.c"]],
        ),
        # importing a name the package defines is no import of a sibling
        (
            {
                "lab/__init__.py": "",
                "lab/p/__init__.py": "from lab.p.c import thing\n",
                "lab/p/c.py": "X = 1\n",
            },
            [],
        ),
    ],
)
def test_the_circle_finder_sees_what_it_must(tmp_path, monkeypatch, sources, expected):
    for relative, text in sources.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    modules = {_module_name(path): path for path in sorted(tmp_path.rglob("*.py"))}
    assert circles(import_graph(modules)) == expected


def test_no_module_is_longer_than_a_reader_can_hold():
    lengths = {
        name: len(path.read_text(encoding="utf-8").splitlines())
        for name, path in _modules().items()
    }
    too_long = {name: n for name, n in sorted(lengths.items()) if n > MAX_LINES}
    assert not too_long, (
        f"modules over {MAX_LINES} lines (split them along what their parts are): {too_long}"
    )
