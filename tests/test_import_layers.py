"""The layering contract of docs/architecture.md, checked over the source (AST).

Data flows one way: a module may import its own layer or lower ones, never a higher
layer, and the packages form no import cycle. Imports inside functions count too (an
import "on demand" is still a dependency), and ``from symconv import name`` counts as
an import of the module that defines ``name``.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: lowest layer first; a unit is the top-level module or package below ``symconv``
LAYERS = [
    {"errors", "verdict", "_util"},
    {"signals", "numeric", "parsing", "latex"},
    {"nn"},
    {"proofs", "verify"},
    {"grading", "learn", "plot", "explore", "exercises"},
    {"commands", "cli", "__main__", "explain"},
]
LEVEL = {unit: i for i, units in enumerate(LAYERS) for unit in units}
#: the package facade and the public alias of nn.architectures re-export, they add no edge
FACADES = {"__init__", "architectures"}


def _sources():
    for path in sorted((ROOT / "symconv").rglob("*.py")):
        rel = path.relative_to(ROOT / "symconv").with_suffix("")
        yield ".".join(("symconv",) + rel.parts), path
    for path in sorted((ROOT / "exercises").glob("*.py")):
        yield "symconv.exercises." + path.stem, path


_MODULES = {module for module, _ in _sources()}


def _unit(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(module, path):
    import symconv

    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("symconv."):
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if target == "symconv":
                for alias in node.names:
                    defining = symconv._API.get(alias.name)
                    if defining:
                        yield f"symconv.{defining}", node.lineno
                    elif alias.name in symconv._SUBMODULES or alias.name in LEVEL:
                        yield f"symconv.{alias.name}", node.lineno
            elif target.startswith("symconv."):
                # ``from symconv.proofs import rules`` imports the module proofs.rules
                modules = {f"{target}.{alias.name}" for alias in node.names} & _MODULES
                yield from ((m, node.lineno) for m in sorted(modules))
                if len(modules) < len(node.names):
                    yield target, node.lineno


def _edges():
    for module, path in _sources():
        for target, line in _imports(module, path):
            yield module, path, target, line


def test_no_module_imports_a_higher_layer():
    problems = []
    for module, path, target, line in _edges():
        src, dst = _unit(module), _unit(target)
        if src in FACADES or dst in FACADES and target == "symconv.architectures" and False:
            continue
        if dst == "architectures":
            dst = "nn"
        if src not in LEVEL or dst not in LEVEL:
            if src not in FACADES:
                problems.append(f"{path.relative_to(ROOT)}:{line}: {src} or {dst} has no layer")
            continue
        if LEVEL[dst] > LEVEL[src]:
            problems.append(f"{path.relative_to(ROOT)}:{line}: {module} (layer {LEVEL[src]}) "
                            f"imports {target} (layer {LEVEL[dst]})")
    assert not problems, "\n".join(problems)


def test_units_form_no_import_cycle():
    graph = {}
    for module, _path, target, _line in _edges():
        src, dst = _unit(module), _unit(target)
        dst = "nn" if dst == "architectures" else dst
        if src not in FACADES and src != dst:
            graph.setdefault(src, set()).add(dst)
    seen, stack = set(), []

    def visit(node):
        if node in stack:
            cycle = stack[stack.index(node):] + [node]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if node in seen:
            return
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            visit(nxt)
        stack.pop()
        seen.add(node)

    for node in sorted(graph):
        visit(node)


@pytest.mark.parametrize("code", [
    "import symconv.numeric",
    "import symconv.cli; symconv.cli.build_parser().format_help()",
])
def test_fast_paths_do_not_import_sympy(code):
    probe = f"import sys; {code}; print('sympy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                         text=True, check=True, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert out.stdout.strip() == "False", out.stderr


#: the one known cycle between modules of a unit, with its reason: a graph's output
#: shape is its trace, and the trace walks graphs (and reads their JSON form) -- one
#: algorithm over mutually recursive data; the on-demand import in Graph.output_shape
#: is the edge that closes it
MODULE_CYCLE_EXEMPT = {("symconv.nn.architectures.graph", "symconv.nn.architectures.trace")}


def test_modules_form_no_import_cycle():
    """Inside a unit too (e.g. the catalogue's keys and registry), no two modules import
    each other, even on demand; a package __init__ re-exporting its modules is exempt."""
    graph = {}
    for module, path, target, _line in _edges():
        if path.name == "__init__.py" or _unit(module) in FACADES:
            continue
        if (module, target) in MODULE_CYCLE_EXEMPT:
            continue
        graph.setdefault(module, set()).add(target)
    modules = set(graph)
    seen, stack = set(), []

    def visit(node):
        if node in stack:
            cycle = stack[stack.index(node):] + [node]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if node in seen or node not in modules:
            return
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            visit(nxt)
        stack.pop()
        seen.add(node)

    for node in sorted(graph):
        visit(node)
