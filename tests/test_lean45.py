"""Small array duals in fewer Python steps (issue 13, lean45): a scalar dual with an
array dual (``k * u``, ``u - k``, ``k / u``...) computes its value and partials in one
kernel call (``backend.exact_row``: the rule table's generated ``_row`` kernels of
``+ - * /``), and the operators ``a + b``, ``a * 2.0``, ``-a``, ``a ** 2`` call the
kernels of ``backend.exact2`` / ``exact_number`` / ``exact1`` from their cells
(``backend.exact_cell``) instead of through those functions.

Oracles, independent of the code under test: closed forms of the derivatives
(``d(k u) = u dk + k du``, ``d(u / k) = du / k - u dk / k**2``...) to rounding, and
fourth-order central differences on floats; and the general path's bits
(``dispatch._ufuncs.call``, the table's general ``combine``), which these paths must
reproduce.  The cases they must leave to the general path (numba not loaded or
forced off, nested duals, other tags, float32 values, 2-D values, values NumPy reports
on) are checked to run the general path and still give the derivatives, and NumPy's
own reports (a warning, ``np.errstate(all="raise")``) to come from NumPy's call.
"""

import threading

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _kernels, _loader, _propagate
from dualgrad.dispatch._ufuncs import call
from dualgrad.dual._base import new_tag
from dualgrad.rules._table import rule_for
from _probes import same_duals

RNG = np.random.default_rng(45)
H = 1e-3


def _central(f, n):
    """Fourth-order central differences of ``t -> f(t, j)`` at 0, directions last."""
    cols = [(-np.asarray(f(2 * H, j)) + 8 * np.asarray(f(H, j)) - 8 * np.asarray(f(-H, j)) +
             np.asarray(f(-2 * H, j))) / (12 * H) for j in range(n)]
    return np.stack(cols, axis=-1)


@pytest.fixture
def row_calls(row_spy):
    """The row kernels' calls (``(ufunc, position of the scalar dual)``), remade through
    a spy; numba loaded."""
    _loader.load()
    return row_spy


@pytest.fixture
def cell_calls(exact_cells_emptied, monkeypatch):
    """The operators' exact kernels' calls (``"exact add"``...), remade through a spy
    into the cells the operators call; numba loaded."""
    _loader.load()
    calls = []
    real = _kernels.small_exact

    def small_exact(ufunc, duals):
        kernel = real(ufunc, duals)

        def spy(*args):
            calls.append(f"{ufunc.__name__} {duals}")
            return kernel(*args)
        return spy
    monkeypatch.setattr(_kernels, "small_exact", small_exact)
    monkeypatch.setattr(_propagate, "_EXACT", {})
    monkeypatch.setattr(_propagate, "_EXACT_NUMBER", {})
    return calls


# name -> (the operation on (k, u), its ufunc, the scalar dual first?, closed form of
# (value, partials) from (c, dc, x, p))
MIXED = {
    "k * u": (lambda k, u: k * u, np.multiply, True,
              lambda c, dc, x, p: (c * x, x[:, None] * dc + c * p)),
    "u * k": (lambda k, u: u * k, np.multiply, False,
              lambda c, dc, x, p: (x * c, x[:, None] * dc + c * p)),
    "k + u": (lambda k, u: k + u, np.add, True, lambda c, dc, x, p: (c + x, dc + p)),
    "u + k": (lambda k, u: u + k, np.add, False, lambda c, dc, x, p: (x + c, p + dc)),
    "k - u": (lambda k, u: k - u, np.subtract, True, lambda c, dc, x, p: (c - x, dc - p)),
    "u - k": (lambda k, u: u - k, np.subtract, False, lambda c, dc, x, p: (x - c, p - dc)),
    "k / u": (lambda k, u: k / u, np.true_divide, True,
              lambda c, dc, x, p: (c / x, dc / x[:, None] - (c / x ** 2)[:, None] * p)),
    "u / k": (lambda k, u: u / k, np.true_divide, False,
              lambda c, dc, x, p: (x / c, p / c - (x / c ** 2)[:, None] * dc)),
}


def _layout(x, p, layout):
    if layout == "reversed":
        return x[::-1], p[::-1]
    if layout == "strided":
        return np.repeat(x, 2)[::2], np.repeat(p, 2, axis=0)[::2]
    if layout == "fortran":
        return x, np.asfortranarray(p)
    return x, p


@pytest.mark.parametrize("name", MIXED)
@pytest.mark.parametrize("layout", ["c", "reversed", "strided", "fortran"])
@pytest.mark.parametrize("N,n", [(10, 1), (10, 4), (1, 3), (37, 5)])
def test_scalar_with_array_is_one_kernel_call_with_the_general_bits(name, layout, N, n,
                                                                    row_calls):
    op, ufunc, first, closed = MIXED[name]
    tag = new_tag()
    x, p = _layout(RNG.uniform(0.5, 2.0, N), RNG.standard_normal((N, n)), layout)
    p[::3] = 0.0
    u = dg.Dual(x, p, tag=tag)
    dc = RNG.standard_normal(n)
    dc[0] = -0.0
    k = dg.Dual(0.7, dc, tag=tag)
    got = op(k, u)
    assert row_calls == [(ufunc, 0 if first else 1)]
    same_duals(got, call(rule_for(ufunc), (k, u) if first else (u, k)))
    value, partials = closed(0.7, dc, x, p)
    np.testing.assert_allclose(got.value, value, rtol=1e-15)
    np.testing.assert_allclose(got.partials, partials, rtol=1e-13, atol=1e-15)
    oracle = _central(lambda t, j: op(0.7 + t * dc[j], x + t * p[:, j]), n)
    np.testing.assert_allclose(got.partials, oracle, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", MIXED)
def test_scalar_with_array_declines_where_numpy_reports_or_a_factor_is_not_finite(
        name, row_calls):
    """inf / NaN values of either operand, inf partials of the scalar, a tiny product
    or quotient (NumPy's underflow), a zero divisor: the general path's bits (its zero
    partials beside an infinite factor), NumPy's warnings from NumPy's own call."""
    op, ufunc, first, _ = MIXED[name]
    tag = new_tag()
    x = RNG.uniform(0.5, 2.0, 10)
    p = RNG.standard_normal((10, 2))
    x[3], x[5], x[7] = np.inf, np.nan, 0.0
    p[3] = p[7] = 0.0
    w = dg.Dual(x, p, tag=tag)
    u = dg.Dual(RNG.uniform(0.5, 2.0, 10), RNG.standard_normal((10, 2)), tag=tag)
    tiny = dg.Dual(np.full(10, 1e-200), RNG.standard_normal((10, 2)), tag=tag)
    cases = [(dg.Dual(0.7, [1.0, -0.0], tag=tag), w), (dg.Dual(np.inf, [0.0, 1.0], tag=tag), u),
             (dg.Dual(np.nan, [1.0, 1.0], tag=tag), u),
             (dg.Dual(0.7, [np.inf, 1.0], tag=tag), u),
             (dg.Dual(1e-200, [1.0, 2.0], tag=tag), tiny),
             (dg.Dual(0.0, [1.0, 2.0], tag=tag), u)]
    for k, v in cases:
        with np.errstate(all="ignore"):
            got = op(k, v)
            want = call(rule_for(ufunc), (k, v) if first else (v, k))
        same_duals(got, want)
    c, xv = OVERFLOW[name]
    with np.errstate(all="raise"):                 # NumPy's report, from NumPy's call
        with pytest.raises(FloatingPointError):
            op(dg.Dual(c, [1.0, 0.0], tag=tag), dg.Dual(np.full(10, xv), np.ones((10, 2)),
                                                         tag=tag))


# name -> (the scalar's value, the array's values) whose result overflows
OVERFLOW = {"k * u": (1e300, 1e300), "u * k": (1e300, 1e300), "k + u": (1.7e308, 1.7e308),
            "u + k": (1.7e308, 1.7e308), "k - u": (-1.7e308, 1.7e308),
            "u - k": (-1.7e308, 1.7e308), "k / u": (1e300, 1e-300), "u / k": (1e-300, 1e300)}


def test_scalar_with_array_left_to_the_general_path(row_calls):
    """Nested partials, another tag (a constant to the other level), float32 values,
    values of two axes, ints, numba forced off (``use("numpy")``) and work past the
    small size: no row kernel; the derivatives still hold."""
    outer = new_tag()
    tag = new_tag()
    u = dg.Dual(RNG.uniform(0.5, 2.0, 10), RNG.standard_normal((10, 2)), tag=tag)
    x, p = u.value, u.partials
    k = dg.Dual(0.7, [1.0, -1.0], tag=tag)
    with _kernels.use("numpy"):
        got = k * u
    np.testing.assert_allclose(got.partials, x[:, None] * [1.0, -1.0] + 0.7 * p, rtol=1e-15)
    other = dg.Dual(0.7, [1.0], tag=outer)                 # the outer level's k
    got = other * u
    np.testing.assert_allclose(np.asarray(got.value.partials)[:, 0], x)   # d/dk
    np.testing.assert_allclose(np.asarray(got.partials[:, 1].value), 0.7 * p[:, 1])
    v = dg.Dual(RNG.uniform(0.5, 2.0, (2, 5)), RNG.standard_normal((2, 5, 2)), tag=tag)
    got = k * v
    np.testing.assert_allclose(got.partials, v.value[..., None] * [1.0, -1.0] +
                               0.7 * v.partials, rtol=1e-15)
    big = dg.Dual(RNG.uniform(0.5, 2.0, 300), RNG.standard_normal((300, 4)), tag=tag)
    k4 = dg.Dual(0.7, [1.0, 2.0, 3.0, 4.0], tag=tag)
    got = big - k4
    np.testing.assert_array_equal(got.partials, big.partials - [1.0, 2.0, 3.0, 4.0])
    assert row_calls == []
    # nested: a Hessian's scalar and array duals (partials of an inner level)
    z = np.array([0.5, 2.0, -1.0, 3.0])
    h = dg.hessian(lambda z: np.sum(z[0] * z[1:] - z[1:] / z[0]), z)
    want = np.zeros((4, 4))
    want[0, 0] = -2 * np.sum(z[1:]) / z[0] ** 3
    want[0, 1:] = want[1:, 0] = 1 + 1 / z[0] ** 2
    np.testing.assert_allclose(h, want, rtol=1e-13)


def test_scalar_with_array_in_threads(row_calls):
    """Eight threads at once, each its own operands: every result its closed form (the
    kernel's outputs are fresh arrays)."""
    tag = new_tag()
    errors = []

    def work(seed):
        rng = np.random.default_rng(seed)
        x, p, dc = rng.uniform(0.5, 2.0, 10), rng.standard_normal((10, 3)), \
            rng.standard_normal(3)
        u = dg.Dual(x, p, tag=tag)
        k = dg.Dual(1.5, dc, tag=tag)
        for _ in range(300):
            got = k * u - u / k
            want = x[:, None] * dc + 1.5 * p - (p / 1.5 - (x / 1.5 ** 2)[:, None] * dc)
            if not np.allclose(got.partials, want, rtol=1e-13, atol=1e-15):
                errors.append(seed)
                return
    threads = [threading.Thread(target=work, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(row_calls) == 8 * 300 * 2


OPERATORS = {
    "a + b": (lambda a, b: a + b, "add (0, 1)"),
    "a - b": (lambda a, b: a - b, "subtract (0, 1)"),
    "a * b": (lambda a, b: a * b, "multiply (0, 1)"),
    "a / b": (lambda a, b: a / b, "divide (0, 1)"),
    "a * 2.0": (lambda a, b: a * 2.0, "multiply (0,)"),
    "3 - a": (lambda a, b: 3 - a, "subtract (1,)"),
    "1.0 / a": (lambda a, b: 1.0 / a, "divide (1,)"),
    "-a": (lambda a, b: -a, "negative (0,)"),
    "a ** 2": (lambda a, b: a ** 2, "square (0,)"),
}


def _closed(name, x, p, y, q):
    return {"a + b": (x + y, p + q), "a - b": (x - y, p - q),
            "a * b": (x * y, y[:, None] * p + x[:, None] * q),
            "a / b": (x / y, p / y[:, None] - (x / y ** 2)[:, None] * q),
            "a * 2.0": (2 * x, 2 * p), "3 - a": (3 - x, -p),
            "1.0 / a": (1 / x, -p / (x ** 2)[:, None]), "-a": (-x, -p),
            "a ** 2": (x * x, 2 * x[:, None] * p)}[name]


@pytest.mark.parametrize("name", OPERATORS)
@pytest.mark.parametrize("layout", ["c", "reversed", "fortran"])
def test_operators_call_the_kernel_in_their_cell(name, layout, cell_calls):
    op, kernel = OPERATORS[name]
    tag = new_tag()
    x, p = _layout(RNG.uniform(0.5, 2.0, 10), RNG.standard_normal((10, 3)), layout)
    y, q = _layout(RNG.uniform(-2.0, -0.5, 10), RNG.standard_normal((10, 3)), layout)
    a, b = dg.Dual(x, p, tag=tag), dg.Dual(y, q, tag=tag)
    first = op(a, b)                      # the backend's function makes the kernel,
    assert cell_calls == [kernel]         # into the cell
    got = op(a, b)                        # the operator calls it from the cell
    assert cell_calls == [kernel, kernel]
    same_duals(got, first)
    with _kernels.use("numpy"):           # the general path: the same bits, no kernel
        same_duals(got, op(a, b))
    assert len(cell_calls) == 2
    value, partials = _closed(name, x, p, y, q)
    np.testing.assert_allclose(got.value, value, rtol=1e-15)
    np.testing.assert_allclose(got.partials, partials, rtol=1e-13, atol=1e-15)


def test_operators_cells_not_called_without_numba_or_past_small(cell_calls, monkeypatch):
    """Numba not loaded (``READY`` False, the cells still full), values of two axes
    (``a + b``: NumPy's pass), partials past ``SMALL_BELOW``, declines on inf: the
    cell's kernel is not called, or its decline runs the general path."""
    tag = new_tag()
    a = dg.Dual(RNG.uniform(0.5, 2.0, 10), RNG.standard_normal((10, 2)), tag=tag)
    b = dg.Dual(RNG.uniform(0.5, 2.0, 10), RNG.standard_normal((10, 2)), tag=tag)
    a + b, a * 2.0, -a
    cell_calls.clear()
    with monkeypatch.context() as m:
        m.setattr(_loader, "READY", False)
        m.setattr(_loader, "LOAD_AFTER", float("inf"))
        same_duals(a + b, call(rule_for(np.add), (a, b)))
        same_duals(a * 2.0, call(rule_for(np.multiply), (a, 2.0)))
        same_duals(-a, call(rule_for(np.negative), (a,)))
    assert cell_calls == []
    v = dg.Dual(RNG.uniform(0.5, 2.0, (2, 5)), RNG.standard_normal((2, 5, 2)), tag=tag)
    same_duals(v + v, call(rule_for(np.add), (v, v)))
    big = dg.Dual(RNG.uniform(0.5, 2.0, 600), RNG.standard_normal((600, 2)), tag=tag)
    same_duals(big + big, call(rule_for(np.add), (big, big)))
    same_duals(big * 2.0, call(rule_for(np.multiply), (big, 2.0)))
    assert cell_calls == []
    x = a.value.copy()
    x[4] = np.inf
    w = dg.Dual(x, a.partials, tag=tag)
    with pytest.warns(RuntimeWarning):                  # NumPy's report of inf - inf
        got = w - w
    assert np.isnan(got.value[4]) and set(cell_calls) == {"subtract (0, 1)"}   # declined
    with np.errstate(all="ignore"):
        same_duals(w - w, call(rule_for(np.subtract), (w, w)))
    with np.errstate(over="raise"):
        with pytest.raises(FloatingPointError):
            dg.Dual(np.full(10, 1e300), a.partials, tag=tag) * 1e10
