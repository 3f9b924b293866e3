"""The package's wings import one way, and a warm Jacobian crosses few modules.

The import graph is read from the source (every ``import``, deferred ones inside
functions included), not from ``sys.modules``, so an import that runs back up a
wing fails here even when no test happens to execute it.
"""

import ast
import sys
from pathlib import Path

import numpy as np
import pytest

import dualgrad as dg

PACKAGE = Path(dg.__file__).parent

# Bottom to top: a module may import its own wing and the wings below it.
WINGS = ["errors", "rules", "backend", "dual", "dispatch", "jit", "api", "scipy", "surface"]


def _module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _wing(module):
    """The wing of ``dualgrad.x.y``: ``x`` for a wing package, ``errors`` for the
    shared errors module, ``surface`` for the package itself and ``testing``."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] == "testing":
        return "surface"
    if parts[1] in ("errors", "_version", "_import_time"):
        return "errors"
    return parts[1]


def _modules():
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(module, path, known):
    """The dualgrad modules ``module`` imports, each with its line: a ``from X import
    y`` counts as importing ``X.y`` when that is a module, else ``X``."""
    is_package = path.name == "__init__.py"
    package = module.split(".") if is_package else module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.startswith("dualgrad")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("dualgrad"):
                continue
            for a in node.names:
                sub = f"{target}.{a.name}"
                found.append((sub if sub in known else target, node.lineno))
    return found


def _graph():
    modules = _modules()
    return {m: _imports(m, p, modules) for m, p in modules.items()}, modules


@pytest.mark.engine_independent
def test_every_module_sits_in_a_known_wing():
    _, modules = _graph()
    unknown = sorted(m for m in modules if _wing(m) not in WINGS)
    assert not unknown, f"modules outside the wings {WINGS}: {unknown}"


@pytest.mark.engine_independent
def test_every_import_names_a_module_of_the_package():
    """A relative import left pointing at a module's old place fails here, before any
    test has to run the function that holds it."""
    graph, modules = _graph()
    missing = [f"{m}:{line} imports {t}" for m, imports in graph.items()
               for t, line in imports if t not in modules and t != "dualgrad._version"]
    assert not missing, "\n".join(missing)


@pytest.mark.engine_independent
def test_no_import_runs_up_to_a_higher_wing():
    graph, _ = _graph()
    upward = []
    for module, imports in graph.items():
        for target, line in imports:
            if WINGS.index(_wing(target)) > WINGS.index(_wing(module)):
                upward.append(f"{module}:{line} imports {target}")
    assert not upward, "imports against the wing order " + " < ".join(WINGS) + ":\n" + \
        "\n".join(upward)


def _cycles(graph):
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w, _ in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(graph):
        if v not in index:
            visit(v)
    return out


@pytest.mark.engine_independent
def test_no_import_cycle_even_inside_a_wing():
    """Deferred imports included: a circle closed inside a function is still a circle."""
    graph, _ = _graph()
    assert not _cycles(graph)


@pytest.mark.engine_independent
def test_no_import_hidden_from_this_test():
    """``__import__``/``importlib`` calls on dualgrad modules would escape the checks
    above."""
    hidden = []
    for module, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(
                    node.func, "attr", "")) in ("__import__", "import_module") and \
                    any(isinstance(a, ast.Constant) and str(a.value).startswith("dualgrad")
                        for a in node.args):
                hidden.append(f"{module}:{node.lineno}")
    assert not hidden, hidden


def test_the_wing_test_sees_an_upward_import():
    """The checks above fail on the old layout's circle: a dual type importing dispatch."""
    graph = {"dualgrad.dual._array": [("dualgrad.dispatch._ufuncs", 1)],
             "dualgrad.dispatch._ufuncs": [("dualgrad.dual._array", 1)]}
    assert _cycles(graph) == [["dualgrad.dispatch._ufuncs", "dualgrad.dual._array"]]
    assert WINGS.index(_wing("dualgrad.dispatch._ufuncs")) > \
        WINGS.index(_wing("dualgrad.dual._array"))


@pytest.mark.engine_independent
def test_dispatch_reaches_the_backend_only_through_its_door():
    """Dispatch imports ``dualgrad.backend`` (the door), never a module behind it."""
    graph, _ = _graph()
    behind = [f"{m}:{line} imports {t}" for m, imports in graph.items()
              if _wing(m) in ("dual", "dispatch") for t, line in imports
              if t.startswith("dualgrad.backend.")]
    assert not behind, "\n".join(behind)


def _modules_entered(f, *args):
    entered = {}

    def profile(frame, event, arg):
        if event == "call":
            name = frame.f_globals.get("__name__", "")
            if name.startswith("dualgrad"):
                entered[name] = entered.get(name, 0) + 1

    old = sys.getprofile()
    sys.setprofile(profile)
    try:
        f(*args)
    finally:
        sys.setprofile(old)
    return entered


# A warm dg.jacobian of np.sin(x) * (x[0] * x[1]) entered 12 modules in 5 wings
# (api: helpers, _validate, _seed, _tree; dual: _base, _array; dispatch: _ufuncs;
# backend: _propagate, _kernels, _buffers, _fused; rules: _table).  Issue 13 asks for
# 6: the helpers' one pass for a plain array (api.helpers._one_pass), the operators'
# rule read from the table's dict, and the small-array test beside combine_small leave
# api.helpers, dual._array, dispatch._ufuncs, backend._fused and _buffers (the helper's
# scope) and backend._propagate.  bench/trace_modules.py prints them.
MAX_MODULES = 6
MAX_WINGS = 4


def test_a_warm_jacobian_crosses_few_modules():
    x = np.array([1.0, 2.0, 3.0])

    def f(x):
        return np.sin(x) * (x[0] * x[1])

    want = np.diag(np.cos(x) * x[0] * x[1])         # the analytic Jacobian
    want[:, 0] += np.sin(x) * x[1]
    want[:, 1] += np.sin(x) * x[0]
    np.testing.assert_allclose(dg.jacobian(f, x), want, rtol=1e-15, atol=0)
    entered = _modules_entered(dg.jacobian, f, x)
    wings = {_wing(m) for m in entered}
    assert len(entered) <= MAX_MODULES, sorted(entered)
    assert len(wings) <= MAX_WINGS, sorted(wings)


@pytest.mark.parametrize("name", ["Dual", "jacobian", "grad", "sparsity"])
def test_public_names_stay_at_the_top(name):
    assert getattr(dg, name) is not None and name in dg.__all__
