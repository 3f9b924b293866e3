"""Probes tests share (not oracles of numbers: see ``_oracles``): the Python calls a path
makes, the number a message's spelling gives."""

import sys

import pytest


def python_calls(op, within=""):
    """The names of the Python functions ``op()`` calls (``sys.setprofile``): a path
    test asserts which dualgrad functions a fast path runs, and which it skips;
    ``within``: only those whose file's path holds it (``"/numpy/"``: NumPy's own)."""
    seen = []

    def record(frame, event, arg):
        if event == "call" and within in frame.f_code.co_filename:
            seen.append(frame.f_code.co_name)
    sys.setprofile(record)
    try:
        op()
    finally:
        sys.setprofile(None)
    return seen


def spelled(spelling, names):
    """Evaluate a message's NumPy spelling, its "with name = ..." helpers first, with
    ``names`` (the call's operands) in scope: a refusal's fix must give the number."""
    import numpy as np
    import scipy
    main, _, defs = spelling.partition(" with ")
    space = {"np": np, "scipy": scipy, **names}
    for part in reversed(defs.split(" and ") if defs else []):
        name, _, expr = part.partition(" = ")
        space[name] = eval(expr, space)                              # noqa: S307
    return eval(main, space)                                         # noqa: S307


def fresh_runs(script, cache, times=2, timeout=600):
    """The last stdout line (JSON) of ``script`` run ``times`` in fresh processes on one
    numba cache directory ``cache`` (cold, then warm), dualgrad from this checkout and
    the default engine: what a first call compiles, loads or imports."""
    import json
    import os
    import subprocess
    import dualgrad
    root = os.path.dirname(os.path.dirname(os.path.abspath(dualgrad.__file__)))
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), PYTHONPATH=root)
    env.pop("DUALGRAD_ENGINE", None)
    got = []
    for _ in range(times):
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             env=env, cwd=cache, timeout=timeout)
        assert run.returncode == 0, run.stderr[-3000:]
        got.append(json.loads(run.stdout.strip().splitlines()[-1]))
    return got


def same_bits(got, want):
    """Equal bits (NaN included), shapes and dtypes of two duals' values and partials."""
    import numpy as np
    for x, y in ((got.value, want.value), (got.partials, want.partials)):
        x, y = np.asarray(x), np.asarray(y)
        assert x.shape == y.shape and x.dtype == y.dtype
        assert x.tobytes() == y.tobytes(), (x, y)


def same_duals(got, want):
    """``same_bits`` of two duals of the same class (a path must not change the kind)."""
    assert type(got) is type(want), (type(got), type(want))
    same_bits(got, want)


def without_numba(request, monkeypatch):
    """The state of a process that has not loaded numba: the backend's loader not ready,
    never loading, and the lean path's compiled entry points (cells that hold one only
    once numba is loaded) emptied until the test ends."""
    from dualgrad.backend import _loader, _propagate
    from dualgrad.dispatch import _lean_small
    monkeypatch.setattr(_loader, "READY", False)
    monkeypatch.setattr(_loader, "LOAD_AFTER", 10 ** 18)
    # (every rule's entry cell too: a unary lean line calls its filled cell with numba
    # "not loaded", and test_rows65's reciprocal took it after a test that loaded it)
    for cell in {id(c): c for c in (_lean_small._SCALE, _lean_small._CUBE,
                                    _lean_small._POWER_SCALE, _lean_small._POWER_NUMBER,
                                    _lean_small._OUTER_ROW, _propagate.POWER_LOOPS,
                                    _propagate.NUMBER_LOOPS, _propagate.EXPONENT_LOOPS,
                                    _propagate.BASE_LOOPS,
                                    *_propagate._ENTRIES.values(),
                                    *_propagate._LOOP_CELLS.values())}.values():
        request.addfinalizer(lambda c=cell, held=cell[0]: c.__setitem__(0, held))
        cell[0] = None


@pytest.fixture(params=["kernel", "numpy"], name="loaded")
def loaded_or_not(request, monkeypatch):
    """A test's two numba states: loaded (the compiled entry points) or not
    (:func:`without_numba`: NumPy's calls); ``from _probes import loaded_or_not`` makes
    it the test module's ``loaded`` fixture."""
    if request.param == "kernel":
        from dualgrad.backend import _loader
        _loader.load()
    else:
        without_numba(request, monkeypatch)
    return request.param


def bench_module(name):
    """The module ``bench/<name>.py`` (the corpus's real functions that tests check
    against their own oracles), loaded by path once per process: bench/ is no package."""
    import importlib.util
    from pathlib import Path
    if name not in _BENCH:
        path = Path(__file__).resolve().parent.parent / "bench" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(f"_bench_{name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _BENCH[name] = module
    return _BENCH[name]


_BENCH = {}


def spy_on(monkeypatch, module, name, record, after=False):
    """Replace ``module.name`` for the test by a spy that calls it and appends
    ``record(args, result)`` (when not ``None``) to the list it returns: which path ran.
    The entry is made before the call (calls in the order they began, ``result``
    ``None``) or, with ``after``, from the call's result."""
    seen = []
    real = getattr(module, name)

    def spy(*args, **kwargs):
        entry = None if after else record(args, None)
        if entry is not None:
            seen.append(entry)
        result = real(*args, **kwargs)
        entry = record(args, result) if after else None
        if entry is not None:
            seen.append(entry)
        return result
    monkeypatch.setattr(module, name, spy)
    return seen


def source_spelling(module, obj, *changes, **names):
    """``obj`` of the bench module ``module`` compiled back into its source's spelling:
    each ``(corpus, source)`` text swapped (every occurrence), in the module's namespace
    plus ``names`` (its lines registered, so that refusals quote them): newuser63 / 64's
    rows as their repositories wrote them."""
    import inspect
    import linecache
    import textwrap
    text = textwrap.dedent(inspect.getsource(obj))
    for new, old in changes:
        assert new in text
        text = text.replace(new, old)
    filename = f"<source of {obj.__name__}: {len(linecache.cache)}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    namespace = dict(vars(module), **names)
    exec(compile(text, filename, "exec"), namespace)               # noqa: S102
    return namespace[obj.__name__]


def relative_jacobian(f, x, rel=1e-4, scale=None):
    """8th-order central differences with steps ``rel * scale`` (``scale``: x itself)."""
    import numpy as np
    from dualgrad.testing import numerical_jacobian
    s = x if scale is None else scale
    return numerical_jacobian(lambda u: f(x + u * s), np.zeros_like(x), h=rel) / s


def close_by_column(J, ref, tol, zero_tol=None):
    """J within ``tol`` of ``ref``, column by column relative to the column's largest.

    A column the oracle finds all zero fails the check unless ``zero_tol`` is given;
    then J's entries there are within ``zero_tol`` of zero (0: exactly zero).
    """
    import numpy as np
    scale = np.max(np.abs(ref), axis=0)
    if zero_tol is None:
        assert np.all(scale > 0)
    unit = np.where(scale > 0, scale, 1.0)
    np.testing.assert_allclose(J / unit, ref / unit, rtol=0, atol=tol)
    assert np.all(np.abs(J[..., scale == 0]) <= zero_tol)


def module_from_source(tmp_path, name, source):
    """The module ``name`` written as ``source`` into a file under ``tmp_path`` and
    imported from there (its lines on disk, so refusals quote them)."""
    import importlib.util
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
