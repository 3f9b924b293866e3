"""Users' own numba-jitted code, differentiated by the helpers."""

import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest

numba = pytest.importorskip("numba")

import dualgrad as dg  # noqa: E402
from dualgrad.testing import complex_step, lotka_volterra  # noqa: E402


lotka_volterra_jit = numba.njit(lotka_volterra)
P = np.array([1.1, 0.4, 0.1, 0.4])


@pytest.mark.engine_independent
def test_rk4_loop_matches_python_duals_and_complex_step():
    J = dg.jacobian(lotka_volterra_jit, P)
    np.testing.assert_allclose(J, dg.jacobian(lotka_volterra, P), rtol=1e-14)
    np.testing.assert_allclose(J, complex_step(lotka_volterra, P), rtol=1e-12)


@numba.njit
def forces(pos):
    """A particle force loop over a 1-D array of coordinates (x0, y0, x1, y1, ...)."""
    n = len(pos) // 2
    out = np.zeros_like(pos)
    for i in range(n):
        for j in range(i + 1, n):
            dx = pos[2 * j] - pos[2 * i]
            dy = pos[2 * j + 1] - pos[2 * i + 1]
            r = math.sqrt(dx * dx + dy * dy)
            f = 2.0 * (r - 1.0) / r
            out[2 * i] = out[2 * i] + f * dx
            out[2 * i + 1] = out[2 * i + 1] + f * dy
            out[2 * j] = out[2 * j] - f * dx
            out[2 * j + 1] = out[2 * j + 1] - f * dy
    return out


def forces_py(pos):
    pos = pos.reshape(-1, 2)
    out = np.zeros_like(pos)
    for i in range(len(pos)):
        for j in range(i + 1, len(pos)):
            d = pos[j] - pos[i]
            r = np.sqrt(np.sum(d * d))
            out[i] += 2.0 * (r - 1.0) / r * d
            out[j] -= 2.0 * (r - 1.0) / r * d
    return out.ravel()


def test_particle_force_loop_over_arrays():
    pos = np.array([0.0, 0.0, 1.2, 0.1, 0.3, 1.4, -0.8, 0.6])
    np.testing.assert_allclose(dg.jacobian(forces, pos), dg.jacobian(forces_py, pos),
                               rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(dg.jacobian(forces, pos), complex_step(forces_py, pos),
                               rtol=1e-12, atol=1e-14)


@numba.njit
def helper(x):
    return x * np.exp(-x) if x > 0.0 else -x ** 3


@numba.njit
def branchy(x):
    """Branches, a while loop, an accumulator that starts as a float, a call."""
    s = 0.0
    t = x[0]
    k = 0
    while t < 10.0 and k < 50:
        t = t * 1.5 + x[1]
        k += 1
    for i in range(len(x)):
        if x[i] > 0.5:
            s += helper(x[i]) * x[0]
        else:
            s += max(x[i], 0.1) + abs(x[i] - 0.3)
    return s + t


@pytest.mark.engine_independent
def test_branches_while_calls_and_float_accumulators():
    x = np.array([1.2, 0.4, -0.2, 0.05, 2.0])
    g = dg.gradient(branchy, x)
    np.testing.assert_allclose(g, dg.gradient(branchy.py_func, x), rtol=1e-13)


@pytest.mark.engine_independent
def test_scalar_helpers_and_grad_on_jitted_functions():
    f = numba.njit(lambda q, chi, delta: q * chi * delta)
    assert dg.grad(f, argnums=(0, 1, 2))(1.0, 2.0, 3.0) == (6.0, 3.0, 2.0)
    g = numba.njit(lambda t: math.sin(t) * np.exp(t))
    assert dg.derivative(g, 0.3) == pytest.approx(np.cos(0.3) * np.exp(0.3) +
                                                  np.sin(0.3) * np.exp(0.3), rel=1e-15)
    out, tangent = dg.jvp(lotka_volterra_jit, P, np.array([1.0, 0.0, 0.0, 0.0]))
    np.testing.assert_allclose(tangent, dg.jacobian(lotka_volterra, P)[:, 0], rtol=1e-14)


@pytest.mark.engine_independent
def test_tuple_output_and_chunk_independence():
    f = numba.njit(lambda x: (x[0] * x[1], x[2] ** 2 + x[0]))
    x = np.arange(1.0, 6.0)
    want = dg.jacobian(lambda x: (x[0] * x[1], x[2] ** 2 + x[0]), x)
    for chunk in (None, 1, 3):
        np.testing.assert_array_equal(dg.jacobian(f, x, chunk=chunk), want)


def heat_by_index(p, n=30, steps=20):
    """An explicit heat-equation step with index loops and a buffer of the state's
    length: ``np.zeros(n, like=p)`` makes it a dual buffer whatever p is."""
    kappa, amp = p[0], p[1]
    u = np.zeros(n, like=p)
    for i in range(n):
        u[i] = amp * np.sin(np.pi * i / (n - 1))
    for _ in range(steps):
        new = u.copy()
        for i in range(1, n - 1):
            new[i] = u[i] + kappa * (u[i + 1] - 2.0 * u[i] + u[i - 1])
        u = new
    return u


def test_heat_equation_with_index_loops():
    from dualgrad.testing import numerical_jacobian
    p = np.array([0.3, 1.5])
    J = dg.jacobian(numba.njit(heat_by_index), p)
    np.testing.assert_array_equal(J, dg.jacobian(heat_by_index, p))
    np.testing.assert_allclose(J, numerical_jacobian(heat_by_index, p), rtol=1e-8,
                               atol=1e-10)


@pytest.mark.engine_independent
def test_float_buffer_fails_at_compile_time_naming_the_fix():
    @numba.njit
    def bad(x):
        out = np.empty(len(x))
        for i in range(len(x)):
            out[i] = x[i] * 2.0
        return out
    with pytest.raises(TypeError, match=r"plain float array.*np\.zeros_like\(x, shape=") as exc:
        dg.jacobian(bad, np.ones(3))
    assert "like=x" not in str(exc.value)     # the one buffer advice, as outside numba


@pytest.mark.engine_independent
def test_the_buffer_advice_compiles_in_njit_for_duals_and_floats():
    """``np.zeros_like(x, shape=n)``, the advice of the buffer message, inside @njit:
    a dual buffer of another length for duals, a float buffer for floats (checked
    against the derivative written by hand)."""
    @numba.njit
    def f(x):
        out = np.zeros_like(x, shape=len(x) + 2)
        for i in range(len(x)):
            out[i + 1] = x[i] * x[i]
        out[0] = np.zeros_like(x[0], shape=(3,))[1] + x[0]
        return out
    x = np.array([1.0, 2.0, 3.0])
    expected = np.zeros((5, 3))
    expected[0, 0] = 1.0
    expected[1:4] = np.diag(2 * x)
    np.testing.assert_array_equal(dg.jacobian(f, x), expected)
    np.testing.assert_array_equal(f(x), [1.0, 1.0, 4.0, 9.0, 0.0])


@pytest.mark.engine_independent
def test_whole_array_arithmetic_fails_naming_the_fix():
    with pytest.raises(TypeError, match=r"whole dual array.*loop over its elements"):
        dg.jacobian(numba.njit(lambda x: x * 2.0), np.ones(3))


@pytest.mark.engine_independent
def test_two_dimensional_input_fails_naming_the_fix():
    with pytest.raises(TypeError, match=r"more than one dimension.*ravel"):
        dg.gradient(numba.njit(lambda x: x[0, 0]), np.ones((2, 2)))


# ---- the whole rule table inside jitted code ---------------------------------------------
def _jitted_rules():
    from dualgrad.jit import _numba_dual
    from dualgrad.rules import _table as _rules
    for rule in _rules.RULES.values():
        if rule.kind not in ("smooth", "zero") or rule.ufunc not in vars(np).values():
            continue
        if any(d[-1] == "int" for d in rule.domain):
            continue
        spellings = [rule.ufunc] + list(_numba_dual._OPERATORS.get(rule.operator, ()))
        if rule.name in _numba_dual._MATH:
            spellings.append(_numba_dual._MATH[rule.name])
        for fn in spellings:
            yield pytest.param(rule, fn, id=f"{rule.name}-{getattr(fn, '__name__', fn)}")


@pytest.mark.parametrize("rule, fn", list(_jitted_rules()))
@pytest.mark.engine_independent
def test_every_rule_inside_jitted_code_matches_the_oracle_and_numpy_on_a_grid(rule, fn):
    """Each spelling of every rule inside @njit: against the mpmath oracle at fixed
    points (:func:`_matches_the_oracle`), then on a grid against NumPy's float call
    (:func:`_gives_numpys_values_on_a_grid`).  One test, so that both compile the
    spelling's dual implementations in one process: numba compiles the overload of
    ``fn`` for ``Dual[k]`` arguments once per process, ~0.15 s a spelling, which the
    two checks as separate tests (each case in one of README's halves, on either
    worker) compiled again wherever they ran apart (fastci69).

    The grid runs for the first spelling of each dual implementation only: the
    spellings of one rule (``np.add``, ``operator.add``, ``operator.iadd``) are bound by
    ``_numba_dual._register`` to one typer, which builds the same code from the same
    value function and derivatives, and the grid compares that code with NumPy's
    float call whatever spelling reached it; each spelling's own binding (its values
    and derivatives) is the oracle check's, which runs for every spelling (fastci70:
    58 grids for 107 spellings, each ~0.15 s of compiles)."""
    _matches_the_oracle(rule, fn)
    typer = _dual_typer(fn)
    if next(f for _, f in _SPELLINGS if _dual_typer(f) is typer) is fn:
        _gives_numpys_values_on_a_grid(rule, fn)


_SPELLINGS = [case.values for case in _jitted_rules()]


def _dual_typer(fn):
    """The typer ``_numba_dual._register`` handed numba's ``overload`` for the spelling
    ``fn`` (read from numba's registry of typing templates: one for each spelling)."""
    from numba.core.typing.templates import builtin_registry
    found = [template._overload_func for func, kind in builtin_registry.globals if func is fn
             for template in getattr(kind, "templates", ())
             if getattr(getattr(template, "_overload_func", None), "__module__", None)
             == "dualgrad.jit._numba_dual"]
    assert len(found) == 1, (fn, found)
    return found[0]


def _matches_the_oracle(rule, fn):
    """Each spelling (np ufunc, operator, math function) of every rule, compiled for
    duals on every dual/constant mix, against the mpmath oracle of tests/_oracles.py at
    1e-12 relative at its fixed points; only what numba cannot compile on floats
    either may fail, and then with the documented TypeError."""
    import _oracles
    ok = [d is not None for d in rule.derivs]
    mixes = [(0,)] if rule.ufunc.nin == 1 else \
        [m for m in [(0, 1), (0,), (1,)] if all(ok[k] for k in m)]
    f = _oracles.jitted(fn, mixes, rule.ufunc.nin)
    oracle = (lambda p, k: 0.0) if rule.kind == "zero" else \
        (lambda p, k: _oracles.derivative(rule.name, p, k))
    for point in _oracles.points(rule):
        x, c = _oracles.jitted_inputs(rule, point)
        try:
            J = dg.jacobian(f, x, c)
        except TypeError as exc:
            assert "numba cannot compile for dual numbers" in str(exc)
            with pytest.raises(numba.core.errors.TypingError):
                f(x, c)                                 # only where floats fail too
            return
        _oracles.assert_close(J, _oracles.jitted_expected(point, mixes, oracle),
                              f"{rule.name}{point} in @njit")
        # the values are the spelling's own on floats (a spelling bound to another
        # rule would give that rule's values and derivatives)
        with np.errstate(all="ignore"):
            duals = f(dg.Dual(x, np.eye(x.size)), c)
            want = [fn(*[x[k] if k in mix else c[k].item() for k in range(x.size)])
                    for mix in mixes]
        np.testing.assert_allclose([d.value for d in duals], np.array(want, dtype=float),
                                   rtol=1e-14, atol=0, err_msg=f"{rule.name}{point}")


def _grid_run(fn, nin):
    if nin == 1:
        @numba.njit
        def run(p):
            out = np.empty_like(p)
            for i in range(len(p)):
                out[i] = fn(p[i])
            return out
        return run

    @numba.njit
    def run(p, q):
        out = np.empty_like(p)
        for i in range(len(p)):
            out[i] = fn(p[i], q[i])
        return out
    return run


_RNG = np.random.default_rng(39)
_SPECIAL = [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -3.7, 1e-300, 1e300, 700.0, -700.0,
            1e-8, 5e-324, np.inf, -np.inf, np.nan]
_UNARY = np.concatenate([_SPECIAL, _RNG.uniform(-5, 5, 100),
                         _RNG.standard_normal(60) * 10.0 ** _RNG.integers(-6, 6, 60)])
_BINARY = [a.ravel() for a in np.meshgrid(*[np.concatenate(
    [_SPECIAL, [0.1, 0.2, 0.3, 0.7, 1.3, 2.5, 5.0, -0.1, -0.7], _RNG.uniform(-5, 5, 14)])] * 2)]


def _gives_numpys_values_on_a_grid(rule, fn):
    """Every spelling of every row, on duals inside @njit, against NumPy's own float call
    on a grid with zeros, infinities, NaN, tiny and huge values and decimal fractions:
    values to 1 ulp (numba's libm tanh differs from NumPy's in the last bit; -0.0 and
    0.0 compare equal: numba's maximum of 0.0 and -0.0 is another zero than NumPy's),
    partials to 1e-14 of the same row on NumPy's path.  numba's np.floor_divide(1.0, 0.1)
    is 10.0, NumPy's 9.0: a dual's ``//`` and ``%``'s d/dy took it (an outside attack)."""
    args = (_UNARY,) if rule.ufunc.nin == 1 else tuple(_BINARY)
    n, k = args[0].size, len(args)

    def duals():
        return [dg.Dual(a, np.tile(np.eye(k)[j], (n, 1))) for j, a in enumerate(args)]
    run = _grid_run(fn, k)
    try:
        with np.errstate(all="ignore"):
            got = run(*duals())
    except numba.core.errors.TypingError:
        with pytest.raises(numba.core.errors.TypingError):
            run(*args)                                  # floats fail too
        return
    with np.errstate(all="ignore"):
        want = rule.ufunc(*args)
        numpy_path = rule.ufunc(*duals())
    np.testing.assert_allclose(got.value, want, rtol=4.5e-16, atol=0, equal_nan=True,
                               err_msg=f"{rule.name} values in @njit")
    np.testing.assert_allclose(got.partials, numpy_path.partials, rtol=1e-14, atol=0,
                               equal_nan=True, err_msg=f"{rule.name} partials in @njit")


@pytest.mark.engine_independent
@pytest.mark.parametrize("pick", [max, min])
def test_builtin_max_and_min_keep_the_first_of_equal_arguments(pick):
    """Python's ``max``/``min`` return the first of equal arguments (with its partials);
    jitted code must agree exactly, with duals and with a constant on either side."""
    fns = [lambda x: pick(x[0], x[1]), lambda x: pick(x[0], 1.5),
           lambda x: pick(1.5, x[0]), lambda x: pick(x[1], x[0])]
    ties = {0: [1.0, 0.0], 1: [1.0, 0.0], 2: [0.0, 0.0], 3: [0.0, 1.0]}
    for i, fn in enumerate(fns):
        jitted = numba.njit(fn)
        for x in ([1.5, 1.5], [1.0, 2.0], [2.0, 1.0]):
            x = np.array(x)
            want = dg.gradient(fn, x)                 # Python's builtin on scalar duals
            np.testing.assert_array_equal(dg.gradient(jitted, x), want, err_msg=f"{i} {x}")
            if x[0] == x[1]:
                np.testing.assert_array_equal(want, ties[i])


@pytest.mark.engine_independent
def test_every_math_spelling_docs_promise_is_overloaded():
    """docs/numba.md: both spellings of the elementary functions work (the rule test
    walks the spellings the module registers; this list does not come from it)."""
    from dualgrad.jit import _numba_dual
    promised = {"sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh",
                "tanh", "asinh", "acosh", "atanh", "exp", "expm1", "log", "log1p",
                "log10", "log2", "sqrt", "hypot", "fabs", "copysign", "floor", "ceil",
                "trunc", "fmod", "pow"}
    assert promised <= {fn.__name__ for fn in _numba_dual._MATH.values()}


@pytest.mark.engine_independent
def test_nan_safety_inside_jitted_code():
    g = dg.gradient(numba.njit(lambda x: math.sqrt(x[0]) + x[1]), np.array([0.0, 4.0]))
    assert g[0] == np.inf and g[1] == 1.0


@pytest.mark.engine_independent
# its subprocesses differentiate a jitted f only, which no engine defers
# (the jitted tests in this process pass the check)
def test_cache_true_works_for_dual_specializations(tmp_path):
    script = tmp_path / "cached.py"
    script.write_text(textwrap.dedent("""
        import numba, numpy as np, dualgrad as dg
        @numba.njit(cache=True)
        def f(x):
            s = 0.0
            for i in range(len(x)):
                s += x[i] ** 3
            return s
        g = dg.gradient(f, np.array([1.0, 2.0, 3.0]))
        assert np.array_equal(g, [3.0, 12.0, 27.0]), g
        print(len(f.stats.cache_hits), len(f.stats.cache_misses))
    """))
    import os
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(dg.__file__)))
    runs = [subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                           cwd=tmp_path, env=env) for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr[-2000:]
    hits, misses = map(int, runs[1].stdout.split())
    assert hits >= 1


def _fresh_python(code, tmp_path):
    """Run ``code`` in a new interpreter that sees this checkout's dualgrad and, as
    installed metadata, the entry points that setup.cfg declares (a stand-in
    dist-info ahead of site-packages, whose dualgrad metadata may be stale)."""
    import configparser
    import os
    root = os.path.dirname(os.path.dirname(dg.__file__))
    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(root, "setup.cfg"))
    info = tmp_path / "dualgrad-0.dev0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: dualgrad\nVersion: 0.dev0\n")
    if cfg.has_section("options.entry_points"):
        (info / "entry_points.txt").write_text("".join(
            f"[{group}]\n{text.strip()}\n" for group, text in cfg["options.entry_points"].items()))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), root]))
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                         text=True, cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


@pytest.mark.engine_independent
# its subprocess makes no dual
def test_numba_programs_import_nothing_of_dualgrad(tmp_path):
    """Installing dualgrad costs numba programs that never see a dual nothing: their
    first compilation (where numba runs its extensions' entry points) imports no
    dualgrad module."""
    out = _fresh_python("""
        import sys, numba
        numba.njit(lambda x: x + 1.0)(1.0)
        print(sorted(m for m in sys.modules if m.split(".")[0] == "dualgrad"))
    """, tmp_path)
    assert out.strip() == "[]"


def test_numba_learns_the_duals_when_it_first_meets_one(tmp_path):
    """A jitted helper called inside plain-Python f receives duals; numba imports
    dualgrad's extension at that moment, not before (checked against analytic)."""
    out = _fresh_python("""
        import sys, numba, numpy as np, dualgrad as dg
        @numba.njit
        def sumsq(y):
            s = 0.0
            for i in range(len(y)):
                s += y[i] * y[i]
            return s
        sumsq(np.ones(2))
        print("dualgrad.jit._numba_dual" in sys.modules)
        g = dg.gradient(lambda x: sumsq(x) + sumsq(x[1:]), np.array([1.0, 2.0, 3.0]))
        print("dualgrad.jit._numba_dual" in sys.modules, g.tolist())
    """, tmp_path)
    assert out.split("\n")[:2] == ["False", "True [2.0, 8.0, 12.0]"]


def test_an_object_array_of_duals_handed_to_jitted_code_names_the_fix():
    @numba.njit
    def first(y):
        return y[0] * 2.0

    with pytest.raises(TypeError, match=r"object array.*np\.array\(\[d1, d2\]\).*"
                                        r"Fix: build the array with np\.stack"):
        dg.gradient(lambda x: first(np.array([x[0] * 2, x[1]])), np.ones(2))
    g = dg.gradient(lambda x: first(np.stack([x[0] * 3, x[1]])), np.ones(2))
    np.testing.assert_array_equal(g, [6.0, 0.0])


def test_errors_name_nested_duals_and_the_tracer_for_jitted_f():
    """A Hessian of a jitted f said "pass a 1-D x (x.ravel())" for a 1-D x (the
    cause is the nested duals); the sparsity tracer's float(x) error on a jitted f's
    math.exp advised np.sin over math.sin without saying the tracer runs f.py_func."""
    @numba.njit
    def f(p):
        return p[0] ** 3 * p[1] + math.sin(p[2] * p[3])

    @numba.njit
    def g(p):
        out = np.empty_like(p)
        for i in range(len(p)):
            out[i] = math.exp(p[i]) * p[i]
        return out
    x = np.array([1.1, 0.7, 1.3, 0.9])
    with pytest.raises(TypeError, match=r"nested duals.*Fix: .*plain-Python f"):
        dg.hessian(f, x)
    for call in (lambda: dg.sparsity(g, x), lambda: dg.jacobian(g, x, sparsity="auto")):
        with pytest.raises(TypeError, match=r"py_func.*Fix: pass the pattern"):
            call()
    np.testing.assert_allclose(dg.jacobian(g, x, sparsity=np.eye(4, dtype=bool)).toarray(),
                               np.diag(np.exp(x) * (1 + x)), rtol=1e-15)
