"""A scalar dual with a small array dual in one Python call to the kernel (issue 13,
small46): ``k * u``, ``k - u`` (the scalar's operator) and ``u * k``, ``u / k`` (the
array's) call ``backend.exact_row``'s kernel from its cell themselves
(``dual._array.mixed_row``) instead of going the scalar's operator -> ``call_ufunc`` ->
``lean_mixed`` -> ``array_and_scalar`` (six Python calls, now three).

Oracles, independent of the code under test: closed forms of the derivatives
(``d(k u) = u dk + k du``, ``d(u / k) = du / k - u dk / k**2``...) computed on floats to
rounding; NumPy's value bits (``np.multiply(c, x)``...); and the path before this change
(``dispatch._lean_small.lean_mixed``, called directly, and the general path under
``_kernels.use("numpy")``), whose bits the short path must reproduce.  What it must
leave to the general path (numba not loaded or forced off, NaN / inf, a zero divisor,
nested, complex, other tags, 2-D values, an unread element of ``np.asarray``) is
checked to still give the derivatives and NumPy's reports.
"""

import threading
import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _kernels, _loader
from dualgrad.dispatch._lean_small import lean_mixed
from dualgrad.dual._base import new_tag
from dualgrad.rules._table import RULES
from _probes import python_calls, same_duals

RNG = np.random.default_rng(46)

# name, operator, ufunc, scalar first?, closed form of the partials (c, dc, x, dx)
SPELLINGS = [
    ("k + u", lambda k, u: k + u, np.add, True, lambda c, dc, x, dx: dc[None, :] + dx),
    ("u + k", lambda k, u: u + k, np.add, False, lambda c, dc, x, dx: dc[None, :] + dx),
    ("k - u", lambda k, u: k - u, np.subtract, True, lambda c, dc, x, dx: dc[None, :] - dx),
    ("u - k", lambda k, u: u - k, np.subtract, False, lambda c, dc, x, dx: dx - dc[None, :]),
    ("k * u", lambda k, u: k * u, np.multiply, True,
     lambda c, dc, x, dx: x[:, None] * dc[None, :] + c * dx),
    ("u * k", lambda k, u: u * k, np.multiply, False,
     lambda c, dc, x, dx: x[:, None] * dc[None, :] + c * dx),
    ("k / u", lambda k, u: k / u, np.divide, True,
     lambda c, dc, x, dx: dc[None, :] / x[:, None] - c * dx / x[:, None] ** 2),
    ("u / k", lambda k, u: u / k, np.divide, False,
     lambda c, dc, x, dx: dx / c - x[:, None] * dc[None, :] / c ** 2),
]
IDS = [s[0] for s in SPELLINGS]


@pytest.fixture
def row_calls(row_spy):
    """The row kernels' calls (``(ufunc, position of the scalar dual)``), remade through
    a spy into the cells; numba loaded."""
    _loader.load()
    return row_spy


def _operands(N, n, layout="C", c=0.7):
    tag = new_tag()
    x = RNG.uniform(0.5, 2.0, N)
    dx = RNG.standard_normal((N, n))
    if layout == "reversed":
        x, dx = np.ascontiguousarray(x[::-1])[::-1], np.ascontiguousarray(dx[::-1])[::-1]
    elif layout == "strided":
        x, dx = np.repeat(x, 2)[::2], np.repeat(dx, 2, axis=0)[::2]
    elif layout == "fortran":
        dx = np.asfortranarray(dx)
    dc = RNG.standard_normal(n)
    return dg.Dual(c, dc, tag=tag), dg.Dual(x, dx, tag=tag), c, dc, x, dx


@pytest.mark.parametrize("spelling", SPELLINGS, ids=IDS)
def test_one_kernel_call_no_general_hop(spelling, row_calls):
    """The short path runs: the row kernel once, neither ``call_ufunc`` nor
    ``lean_mixed`` (fails before small46: both ran)."""
    name, op, ufunc, first, _ = spelling
    k, u, *_ = _operands(10, 4)
    op(k, u)                                 # the first call makes the kernel (exact_row)
    del row_calls[:]
    names = python_calls(lambda: op(k, u))
    assert row_calls == [(ufunc, 0 if first else 1)]
    assert "call_ufunc" not in names and "lean_mixed" not in names, names
    ours = [f for f in names if f not in ("<lambda>", "spy")]
    assert len(ours) <= 3, names             # the operator, mixed_row's op, _plist


@pytest.mark.parametrize("layout", ["C", "reversed", "strided", "fortran"])
@pytest.mark.parametrize("N, n", [(1, 1), (10, 4), (10, 16), (37, 3)])
@pytest.mark.parametrize("spelling", SPELLINGS, ids=IDS)
def test_closed_forms_and_the_old_path_bits(spelling, N, n, layout, row_calls):
    """Value: NumPy's bits; partials: the closed form to rounding, and lean_mixed's
    (the path before) bit for bit."""
    name, op, ufunc, first, closed = spelling
    k, u, c, dc, x, dx = _operands(N, n, layout)
    op(k, u)
    got = op(k, u)
    want_value = ufunc(c, x) if first else ufunc(x, c)
    assert got.value.tobytes() == want_value.tobytes()
    np.testing.assert_allclose(got.partials, closed(c, dc, x, dx), rtol=1e-13, atol=1e-15)
    before = lean_mixed(RULES[ufunc], k, u) if first else lean_mixed(RULES[ufunc], u, k)
    same_duals(got, before)
    with _kernels.use("numpy"):              # the general path: the same to rounding
        general = op(k, u)
    np.testing.assert_allclose(got.partials, general.partials, rtol=1e-14, atol=1e-16)
    assert got.value.tobytes() == general.value.tobytes()


@pytest.mark.parametrize("spelling", SPELLINGS, ids=IDS)
def test_declines_to_the_general_path(spelling, row_calls):
    """NaN / inf values, an inf scalar partial: the kernel declines, the general path's
    bits (``use("numpy")``) and NumPy's reports."""
    name, op, ufunc, first, closed = spelling
    for case in ("nan", "inf", "dc inf"):
        k, u, c, dc, x, dx = _operands(10, 3)
        if case == "nan":
            u.value[2] = np.nan
        elif case == "inf":
            u.value[3] = np.inf
        else:
            k = dg.Dual(c, np.array([np.inf, 1.0, 2.0]), tag=k.tag)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            got = op(k, u)
            with _kernels.use("numpy"):
                want = op(k, u)
        same_duals(got, want)


@pytest.mark.parametrize("first", [True, False])
def test_zero_divisor_reports_as_numpy(first, row_calls):
    k, u, c, dc, x, dx = _operands(5, 2)
    if first:
        u.value[1] = 0.0
        op = lambda: k / u  # noqa: E731
    else:
        k = dg.Dual(0.0, dc, tag=k.tag)
        op = lambda: u / k  # noqa: E731
    with pytest.warns(RuntimeWarning, match="divide"):
        got = op()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with _kernels.use("numpy"):
            want = op()
    same_duals(got, want)
    with np.errstate(all="raise"), pytest.raises(FloatingPointError):
        op()


@pytest.mark.parametrize("spelling", SPELLINGS, ids=IDS)
def test_not_taken_without_numba_or_forced_off(spelling, row_calls):
    name, op, ufunc, first, closed = spelling
    k, u, c, dc, x, dx = _operands(10, 2)
    op(k, u)
    del row_calls[:]
    with _kernels.use("numpy"):
        got = op(k, u)
    assert row_calls == []
    np.testing.assert_allclose(got.partials, closed(c, dc, x, dx), rtol=1e-13)
    ready = _loader.READY
    _loader.READY = False
    try:
        got = op(k, u)
    finally:
        _loader.READY = ready
    assert row_calls == []
    np.testing.assert_allclose(got.partials, closed(c, dc, x, dx), rtol=1e-13)


def test_two_d_values_and_large_work_left_alone(row_calls):
    tag = new_tag()
    x = RNG.uniform(0.5, 2.0, (3, 4))
    dx = RNG.standard_normal((3, 4, 2))
    k = dg.Dual(0.7, np.array([1.0, -2.0]), tag=tag)
    u = dg.Dual(x, dx, tag=tag)
    got = k * u
    np.testing.assert_allclose(got.partials, x[..., None] * k.partials + 0.7 * dx, rtol=1e-13)
    N = 3000                                 # past SMALL_BELOW
    x = RNG.uniform(0.5, 2.0, N)
    dx = RNG.standard_normal((N, 2))
    u = dg.Dual(x, dx, tag=tag)
    del row_calls[:]
    got = u * k
    np.testing.assert_allclose(got.partials, x[:, None] * k.partials + 0.7 * dx, rtol=1e-13)
    assert row_calls == []


def test_other_tags_nested_and_complex(row_calls):
    """A scalar of another (outer) tag, a complex scalar: the general path's results,
    checked against closed forms."""
    x0 = np.array([0.5, 1.5, 2.0])
    # jacobian in both of s (outer: a scalar) and the array (inner): d/ds d/dx (s x) = I
    hess = dg.hessian(lambda v: np.sum(v[0] * v[1:] - v[1:] / v[0]), np.array([1.3, *x0]))
    s = 1.3
    want = np.zeros((4, 4))
    want[0, 1:] = want[1:, 0] = 1.0 + 1.0 / s ** 2
    want[0, 0] = -2.0 * np.sum(x0) / s ** 3
    np.testing.assert_allclose(hess, want, rtol=1e-13)
    jac = dg.jacobian(lambda s: dg.jacobian(lambda x: s * x, x0), 1.3)
    np.testing.assert_allclose(jac, np.eye(3), rtol=1e-15)
    tag = new_tag()
    kc = dg.Dual(0.5 + 1j, np.array([1.0 + 0j, 2.0]), tag=tag)
    u = dg.Dual(x0, np.eye(3)[:, :2].copy(), tag=tag)
    got = kc * u
    np.testing.assert_allclose(got.value, (0.5 + 1j) * x0)
    np.testing.assert_allclose(got.partials, x0[:, None] * kc.partials[None, :] +
                               (0.5 + 1j) * u.partials, rtol=1e-15)


def test_gradients_through_the_helpers():
    """``v[0] * v[1:] - v[1:] / v[0] + (1 - v[0]) / v`` and an unread element of
    ``np.asarray(v)`` times the array, against closed forms."""
    _loader.load()
    x = np.array([1.3, 0.5, -1.5, 2.0, 0.25])

    def f(v):
        return np.sum(v[0] * v[1:] - v[1:] / v[0]) + np.sum((1.0 - v[0]) / v)
    s, r = x[0], x[1:]
    want = np.empty(5)
    want[0] = np.sum(r) + np.sum(r) / s ** 2 - np.sum(1.0 / x) - (1.0 - s) / s ** 2
    want[1:] = s - 1.0 / s - (1.0 - s) / r ** 2
    np.testing.assert_allclose(dg.gradient(f, x), want, rtol=1e-13)
    got = dg.gradient(lambda v: np.sum(np.asarray(v)[0] * v), x)
    want = np.full(5, x[0])
    want[0] += np.sum(x)
    np.testing.assert_allclose(got, want, rtol=1e-14)


def test_threads_each_their_closed_form(row_calls):
    errors = []

    def work(i):
        try:
            for _ in range(50):
                k, u, c, dc, x, dx = _operands(10, 1 + i % 5, c=0.3 + i)
                got = k * u - u / k
                want = x[:, None] * dc[None, :] + c * dx - (dx / c - x[:, None] * dc / c ** 2)
                np.testing.assert_allclose(got.partials, want, rtol=1e-12, atol=1e-14)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


@pytest.mark.parametrize("spelling", SPELLINGS, ids=IDS)
def test_vector_kind_scalar_left_to_the_general_path(spelling, row_calls):
    """n = 17 directions: the scalar is of the vector kind (no slots), which the short
    path declines; the general path's closed form."""
    name, op, ufunc, first, closed = spelling
    k, u, c, dc, x, dx = _operands(10, 17)
    assert getattr(type(k), "_kind", None) == "vector"
    got = op(k, u)
    np.testing.assert_allclose(got.partials, closed(c, dc, x, dx), rtol=1e-13, atol=1e-15)
    assert got.value.tobytes() == (ufunc(c, x) if first else ufunc(x, c)).tobytes()
