"""Issue 13, stop 70 (heat70): a plain float64 array with an array dual whose partials
are deferred (``inner * (...)`` in bench/problems.py's ``heat_roll`` and
``heat_sparse``), by ``dual._array._pending_plain``: the node ``_ufuncs._pair`` records
(its ``_defer_terms``: the same ufunc call, the same factor, the plain array copied
where it is the factor) without the general scan, from ``__array_ufunc__`` (``c * u``)
and from the array dual's operator (``u * c``).

Oracles: analytic Jacobians of the products and sums; the general path's bits (the same
call with ``_pending_plain`` made to decline); a write into the plain array before the
pass does not reach the partials (the analytic Jacobian at the array's old values);
bench/problems.py's hand-written tangent of the roll form (``heat_tangent``) and one
of the sparse form with its own matrix and the eager engine's bits.  On 8e7959df the path tests fail
(``_pair`` and ``_defer_terms`` run); the oracles pass there."""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _fused
from dualgrad.dual import _array

from _probes import bench_module, python_calls

P = np.array([0.4, 0.8, 0.1, 1.5])
N = 10_000                       # 40,000 partials elements: deferred (past MIN_WORK)
S = np.linspace(0.0, 1.0, N)
C = np.cos(7.0 * S) + 2.0        # the plain array


def _g(p):
    """An array dual with deferred partials: g = p1 * s * p0 + p3 (d/dp analytic)."""
    u = p[1] * S
    return u * p[0] + p[3]


def _dg(p):
    """The Jacobian of :func:`_g`."""
    out = np.zeros((N, 4))
    out[:, 0] = p[1] * S
    out[:, 1] = S * p[0]
    out[:, 3] = 1.0
    return out


OPS = {                          # name -> (op(c, g), its Jacobian from g's)
    "c * g": (lambda c, g: c * g, lambda c, jg: c[:, None] * jg),
    "g * c": (lambda c, g: g * c, lambda c, jg: jg * c[:, None]),
    "np.multiply(c, g)": (lambda c, g: np.multiply(c, g), lambda c, jg: c[:, None] * jg),
    "c + g": (lambda c, g: c + g, lambda c, jg: jg),
    "g + c": (lambda c, g: g + c, lambda c, jg: jg),
    "c - g": (lambda c, g: c - g, lambda c, jg: -jg),
    "g - c": (lambda c, g: g - c, lambda c, jg: jg),
}


@pytest.mark.engine_independent
@pytest.mark.parametrize("name", list(OPS))
def test_plain_array_with_pending_dual_takes_the_short_path(name):
    op, _ = OPS[name]
    record = []

    def f(p):
        c = C.copy()
        g = _g(p)
        assert type(g._p) is _fused.Deferred
        op(c, g)                                   # (a first call makes entry cells)
        record.append(python_calls(lambda: op(c, g)))
        return op(c, g)
    with _fused.engine("fused"):
        dg.jacobian(f, P)
    calls = record[0]
    assert "_pending_plain" in calls, calls
    for general in ("small", "_pair", "_defer_pair", "_defer_terms", "_caller_array"):
        assert general not in calls, (general, calls)


@pytest.mark.parametrize("engine", ["fused", "auto", "eager"])
@pytest.mark.parametrize("name", list(OPS))
def test_against_analytic_and_general_path(name, engine, monkeypatch):
    op, jac_of = OPS[name]
    want = jac_of(C, _dg(P))
    with _fused.engine(engine):
        got = dg.jacobian(lambda p: op(C.copy(), _g(p)), P)
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)
    if hasattr(_array, "_pending_plain"):
        monkeypatch.setattr(_array, "_pending_plain", lambda rule, a, b: None)
    with _fused.engine(engine):
        general = dg.jacobian(lambda p: op(C.copy(), _g(p)), P)
    np.testing.assert_array_equal(got, general)


@pytest.mark.parametrize("engine", ["fused", "auto"])
@pytest.mark.parametrize("name", ["c * g", "g * c"])
def test_write_into_plain_array_before_the_pass(name, engine):
    op, jac_of = OPS[name]

    def f(p):
        c = C.copy()
        y = op(c, _g(p))
        c[:] = -5.0                       # the user's array written while y is pending
        return y + 0.0
    with _fused.engine(engine):
        got = dg.jacobian(f, P)
    np.testing.assert_allclose(got, jac_of(C, _dg(P)), rtol=1e-15, atol=0)


@pytest.mark.engine_independent
def test_other_shapes_and_dtypes_keep_the_general_path():
    seen = []

    def f(p):
        g = _g(p)
        wide = np.ones((3, N))                   # broadcasts: the general path
        ints = np.arange(N)                      # an int array: the general path
        for c in (wide, ints, np.float32(2.0) * np.ones(N, np.float32)):
            calls = python_calls(lambda: c * g)
            seen.append("_pending_plain" not in calls or "_pair" in calls or
                        "call" in calls or "small" in calls)
        return (wide * g)[1] + ints * g
    with _fused.engine("fused"):
        got = dg.jacobian(f, P)
    assert all(seen)
    jg = _dg(P)
    np.testing.assert_allclose(got, jg + np.arange(N)[:, None] * jg, rtol=1e-15, atol=0)


def _sparse_tangent(p, n, steps, dt=0.01):
    """problems.heat_sparse's forward sensitivity by hand: u and du/dp (n x 4) stepped
    together with the same matrix (``heat_tangent``'s Laplacian of slices rounds
    otherwise, and d/dkappa, a sum of small Laplacians, shows it at 2e-10)."""
    import scipy.sparse as sp
    kappa, amp, width, rate = p
    s = np.linspace(0.0, 1.0, n)
    g = np.exp(-((s - 0.5) / width) ** 2)
    u = amp * g
    S = np.zeros((n, 4))
    S[:, 1] = g
    S[:, 2] = amp * g * 2 * (s - 0.5) ** 2 / width ** 3
    inner = np.ones(n)
    inner[[0, -1]] = 0.0
    L = sp.diags([inner[1:], -2.0 * inner, inner[:-1]], [-1, 0, 1], format="csr")
    for _ in range(steps):
        Lu, LS = L @ u, L @ S
        dS = kappa * LS + (inner * dt * rate * (1.0 - 2.0 * u))[:, None] * S
        dS[:, 0] += Lu
        dS[:, 3] += inner * dt * u * (1.0 - u)
        u = u + kappa * Lu + inner * (dt * rate * u * (1.0 - u))
        S = S + dS
    return S


@pytest.mark.parametrize("engine", ["fused", "auto", "eager"])
@pytest.mark.parametrize("form", ["heat_roll", "heat_sparse"])
def test_heat_forms_against_hand_tangent(form, engine):
    problems = bench_module("problems")
    f = getattr(problems, form)
    n, steps = 20_000, 12
    with _fused.engine(engine):
        jac = dg.jacobian(lambda p: f(p, n=n, steps=steps), P)
    want = (problems.heat_tangent if form == "heat_roll" else _sparse_tangent)(
        P, n=n, steps=steps)
    scale = np.abs(want).max(axis=0)
    assert np.all(np.abs(jac - want) <= 1e-12 * scale)
    with _fused.engine("eager"):
        eager = dg.jacobian(lambda p: f(p, n=n, steps=steps), P)
    np.testing.assert_array_equal(jac, eager)
