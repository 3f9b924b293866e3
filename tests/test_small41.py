"""Small array duals with a scalar dual (``k * u``, ``u / k``, ``u - k``) and to a
number's power (``u ** 3``) through dispatch's lean functions (issue 13, small41:
``dispatch._lean_small``).

Two oracles: the general path itself (``dispatch._ufuncs.call``, which the lean
functions short-cut) to the bit, values and partials; and, independent of dualgrad,
the analytic derivatives of the operations (the product and quotient rules, ``b x **
(b - 1)``) evaluated by NumPy on floats, to rounding.  Each test that expects a lean
function to run checks that it did (a spy on its result's constructor), and the
cases it must decline (nested and complex values, deferred partials, escaped tags,
other directions, selection rules, exponents it does not take) that it did not.
"""

import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _loader
from dualgrad.dispatch import _lean_small
from dualgrad.dispatch._ufuncs import call
from dualgrad.dual._base import new_tag
from dualgrad.rules._table import rule_for
from _probes import same_bits  # noqa: E402

RNG = np.random.default_rng(41)


@pytest.fixture
def lean_runs(monkeypatch, exact_cells_emptied):
    """How many results the lean functions made (a spy on their constructor).  The
    exact kernels' cells emptied: the operators' own call of ``lean_mixed``'s row
    kernel (small46: ``dual._array.mixed_row``, tested in test_small46 against
    ``lean_mixed``'s bits) then declines, and ``lean_mixed`` runs."""
    made = []
    real = _lean_small.make_real

    def spy(value, partials, tag):
        made.append(1)
        return real(value, partials, tag)
    monkeypatch.setattr(_lean_small, "make_real", spy)
    return made


@pytest.fixture(params=["kernel", "numpy"])
def engine(request, monkeypatch):
    """Numba loaded (the suite's state: the kernel call) or not (NumPy's passes)."""
    if request.param == "numpy":
        monkeypatch.setattr(_loader, "READY", False)
        monkeypatch.setattr(_loader, "LOAD_AFTER", 10 ** 18)
    return request.param


_bits = same_bits


def _pair(shape, n, tag, scale=1.0):
    """A scalar dual ``k`` and an array dual ``u`` of ``shape`` and ``n`` directions."""
    k = dg.Dual(0.7 * scale, RNG.standard_normal(n), tag=tag)
    u = dg.Dual(RNG.uniform(0.5, 2.0, shape), RNG.standard_normal(shape + (n,)), tag=tag)
    return k, u


# operator, ufunc, the analytic partials of k (op) u from k's (c, dc) and u's (x, dx)
MIXED = {
    "k * u": (lambda k, u: k * u, np.multiply, True,
              lambda c, dc, x, dx: c * dx + x[..., None] * dc),
    "u * k": (lambda k, u: u * k, np.multiply, False,
              lambda c, dc, x, dx: c * dx + x[..., None] * dc),
    "k + u": (lambda k, u: k + u, np.add, True, lambda c, dc, x, dx: dx + dc),
    "u - k": (lambda k, u: u - k, np.subtract, False, lambda c, dc, x, dx: dx - dc),
    "k - u": (lambda k, u: k - u, np.subtract, True, lambda c, dc, x, dx: dc - dx),
    "u / k": (lambda k, u: u / k, np.true_divide, False,
              lambda c, dc, x, dx: dx / c - (x / c ** 2)[..., None] * dc),
    "k / u": (lambda k, u: k / u, np.true_divide, True,
              lambda c, dc, x, dx: dc / x[..., None] - (c / x ** 2)[..., None] * dx),
    "np.hypot(u, k)": (lambda k, u: np.hypot(u, k), np.hypot, False,
                       lambda c, dc, x, dx: (x[..., None] * dx + c * dc) /
                       np.hypot(x, c)[..., None]),
}


@pytest.mark.parametrize("name", sorted(MIXED))
@pytest.mark.parametrize("shape, n", [((3,), 1), ((3,), 2), ((10,), 4), ((2, 3), 1),
                                      ((1,), 3)])
def test_mixed_bits_and_oracle(name, shape, n, engine, lean_runs):
    op, ufunc, first, oracle = MIXED[name]
    tag = new_tag()
    k, u = _pair(shape, n, tag)
    got = op(k, u)
    assert lean_runs == [1] or name.startswith("np.")       # (np.hypot: apply's path)
    want = call(rule_for(ufunc), (k, u) if first else (u, k))
    _bits(got, want)
    np.testing.assert_array_equal(got.value, op(k.value, u.value))
    expected = oracle(k.value, np.asarray(k.partials), u.value, u.partials)
    np.testing.assert_allclose(got.partials, expected, rtol=1e-14, atol=1e-15)


def test_mixed_oracle_through_derivative():
    """The Euler step of attack32's loop: d/dk against the analytic tangent recursion."""
    A = np.array([[-1, 0.5, 0], [0.3, -1, 0.2], [0, 0.1, -0.5]])

    def step(k, u):
        return u + 0.01 * (k * (A @ u) - u ** 3)

    def f(k):
        u = np.array([1.0, 0.5, 0.2])
        for _ in range(50):
            u = step(k, u)
        return u
    k = 0.7
    u, du = np.array([1.0, 0.5, 0.2]), np.zeros(3)
    for _ in range(50):               # the tangent of the step, by hand
        du = du + 0.01 * (A @ u + k * (A @ du) - 3 * u ** 2 * du)
        u = u + 0.01 * (k * (A @ u) - u ** 3)
    np.testing.assert_allclose(dg.derivative(f, k), du, rtol=1e-12, atol=1e-15)


def test_mixed_views_and_nonfinite(engine, lean_runs):
    tag = new_tag()
    k, u = _pair((8,), 2, tag)
    view = u[::2]                     # partials not contiguous: combine_small's products
    _bits(k * view, call(rule_for(np.multiply), (k, view)))
    c, dc = k.value, np.asarray(k.partials)
    np.testing.assert_allclose((k * view).partials,
                               MIXED["k * u"][3](c, dc, view.value, view.partials),
                               rtol=1e-14, atol=1e-15)
    x = u.value.copy()
    x[1] = np.inf                     # an infinite factor: the careful path
    w = dg.Dual(x, u.partials, tag=tag)
    with np.errstate(invalid="ignore"):
        _bits(k * w, call(rule_for(np.multiply), (k, w)))
        _bits(w / k, call(rule_for(np.true_divide), (w, k)))
        # the product and quotient rules on floats: +-inf where x is (c dx finite)
        for name, got in (("k * u", k * w), ("u / k", w / k)):
            np.testing.assert_allclose(got.partials, MIXED[name][3](c, dc, x, w.partials),
                                       rtol=1e-14, atol=1e-15, err_msg=name)
        assert np.all(np.isinf((k * w).partials[1]))


def test_mixed_zero_d_and_out():
    tag = new_tag()
    k = dg.Dual(0.7, [1.0, 2.0], tag=tag)
    u0 = dg.Dual(np.array(2.0), np.array([3.0, -1.0]), tag=tag)
    got = k * u0                      # k du + u dk
    np.testing.assert_allclose(np.asarray(got.partials), [0.7 * 3.0 + 2.0, -0.7 + 4.0],
                               rtol=1e-15)
    u = dg.Dual(np.array([1.0, 2.0]), np.ones((2, 2)), tag=tag)
    out = dg.Dual(np.zeros(2), np.zeros((2, 2)), tag=tag)
    r = np.multiply(k, u, out=out)
    assert r is out
    np.testing.assert_array_equal(out.value, [0.7, 1.4])
    np.testing.assert_allclose(out.partials, [[1.7, 2.7], [2.7, 4.7]], rtol=1e-15)


def test_mixed_declines(lean_runs):
    """Escaped and older tags, other directions, nested and complex values, selection
    rules: the general path, its results and errors."""
    outer, inner = new_tag(), new_tag()
    k_outer = dg.Dual(0.7, [1.0], tag=outer)
    u = dg.Dual(np.array([1.0, 2.0]), np.ones((2, 1)), tag=inner)
    got = k_outer * u                 # k a constant to u's tag (its partials are u's)
    assert lean_runs == []
    assert isinstance(got, dg.Dual)
    k2 = dg.Dual(0.7, [1.0, 2.0], tag=inner)
    with pytest.raises(ValueError, match="direction"):
        k2 * u
    assert lean_runs == []
    got = np.maximum(u, dg.Dual(1.5, [2.0], tag=inner))
    np.testing.assert_array_equal(got.value, [1.5, 2.0])
    np.testing.assert_array_equal(got.partials, [[2.0], [1.0]])
    assert lean_runs == []
    kc = dg.Dual(0.7 + 1j, [1.0], tag=inner)
    got = kc * u
    np.testing.assert_allclose(got.value, [0.7 + 1j, 1.4 + 2j])
    assert lean_runs == []


def test_mixed_nested_levels():
    """Second derivatives through k * u and u ** 3 (duals of duals: the lean functions
    decline the nested values) and mixed levels (d/da of d/db a * u(b)), analytic."""
    v = np.array([0.3, -1.2, 2.0])

    def g(a):
        return dg.derivative(lambda b: a * (b * v) ** 3, 0.9)   # 3 a b**2 v**3

    np.testing.assert_allclose(dg.derivative(g, 1.3), 3 * 0.9 ** 2 * v ** 3, rtol=1e-13)
    h = dg.hessian(lambda p: np.sum(p[0] * (p[1] * v) ** 3), np.array([1.3, 0.9]))
    want = np.array([[0.0, 3 * 0.9 ** 2 * np.sum(v ** 3)],
                     [3 * 0.9 ** 2 * np.sum(v ** 3), 6 * 1.3 * 0.9 * np.sum(v ** 3)]])
    np.testing.assert_allclose(h, want, rtol=1e-13)


def _power_oracle(x, b, dx):
    """``b x**(b - 1) dx`` by NumPy on floats (independent of dualgrad); the table's
    ``d/dx x**0 = 0`` for ``b = 0`` (``0 * 0**-1`` would be NaN at 0)."""
    with np.errstate(all="ignore"):
        d = np.zeros_like(x) if b == 0 else b * x ** (b - 1.0)
    return d[..., None] * dx


EXPONENTS = [3, 4, 7, -2, -3, 1, 0, 3.5, 2.5, 0.5, -0.5, 1.0, 2.0, 11.0, np.float64(3.0)]


@pytest.mark.parametrize("b", EXPONENTS)
@pytest.mark.parametrize("shape, n", [((3,), 1), ((10,), 4), ((2, 3), 2)])
def test_power_bits_and_oracle(b, shape, n, engine, lean_runs):
    tag = new_tag()
    u = dg.Dual(RNG.uniform(0.5, 2.0, shape), RNG.standard_normal(shape + (n,)), tag=tag)
    got = u ** b
    if not (type(b) in (int, float) and b == 2):          # ** 2 is np.square's
        assert lean_runs == [1]
    want = call(rule_for(np.power), (u, b))
    if b != 2:
        _bits(got, want)
    np.testing.assert_array_equal(got.value, u.value ** b)
    x = u.value
    np.testing.assert_allclose(got.partials, _power_oracle(x, b, u.partials),
                               rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("b", [3, 4, 1, 0, -2, 3.5, 0.5])
def test_power_at_zero_bits(b, engine, lean_runs):
    """Values with zeros (+0.0 and -0.0): the table's whole row, its limits there; and
    the analytic ``b x**(b - 1)`` on floats (0, +-inf with the zero's sign, NaN below
    0 for a fractional ``b``), to rounding."""
    tag = new_tag()
    x = np.array([0.0, -0.0, 1.5, 2.0, -1.0])
    u = dg.Dual(x, RNG.standard_normal((5, 2)), tag=tag)
    with np.errstate(all="ignore"):
        got = u ** b
        want = call(rule_for(np.power), (u, b))
    _bits(got, want)
    np.testing.assert_array_equal(got.value, x ** b)
    np.testing.assert_allclose(got.partials, _power_oracle(x, b, u.partials), rtol=1e-15,
                               atol=0)


def test_power_views_nonfinite_and_declines(lean_runs):
    tag = new_tag()
    u = dg.Dual(RNG.uniform(0.5, 2.0, 9), RNG.standard_normal((9, 2)), tag=tag)
    view = u[1::3]
    _bits(view ** 3, call(rule_for(np.power), (view, 3)))
    assert lean_runs == [1]
    x = u.value.copy()
    x[2] = np.inf
    w = dg.Dual(x, u.partials, tag=tag)
    with np.errstate(all="ignore"):
        _bits(w ** 3, call(rule_for(np.power), (w, 3)))
    np.testing.assert_allclose((w ** 3).partials, _power_oracle(x, 3, u.partials),
                               rtol=1e-14, atol=0)
    assert np.all(np.isinf((w ** 3).partials[2]))
    neg = dg.Dual(-u.value, u.partials, tag=tag)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        got = neg ** 2.5
    assert [w.category for w in seen] == [RuntimeWarning]      # NumPy's word, once
    assert np.isnan(got.value).all()
    lean_runs.clear()
    for b in (np.int64(3), np.float32(3.0), 1 << 60, float("inf"), np.array(3.0)):
        with np.errstate(all="ignore"):
            got = u ** b
        np.testing.assert_array_equal(got.value, u.value ** b)
    assert lean_runs == []
    np.testing.assert_allclose((u ** np.int64(3)).partials,
                               (3 * u.value ** 2)[:, None] * u.partials, rtol=1e-14)
    u0 = dg.Dual(np.array(2.0), np.array([1.0]), tag=tag)
    np.testing.assert_allclose(np.asarray((u0 ** 3).partials), [12.0], rtol=1e-15)  # 3 2**2
    out = dg.Dual(np.zeros(9), np.zeros((9, 2)), tag=tag)
    np.power(u, 3, out=out)
    np.testing.assert_allclose(out.partials, (3 * u.value ** 2)[:, None] * u.partials,
                               rtol=1e-14)


def test_power_float32_and_int_values():
    """float32 and integer values become float64 duals; the derivative holds."""
    for v in (np.array([1, 2, 3]), np.array([1.5, 2.0, 0.5], dtype=np.float32)):
        got = dg.jacobian(lambda s: (s * v) ** 3, 1.25)
        want = 3 * 1.25 ** 2 * v.astype(np.float64) ** 3
        np.testing.assert_allclose(np.ravel(got), want, rtol=1e-13)


def test_broadcast_scalar_with_two_axes(lean_runs):
    """A (2, 3) array dual with a scalar dual, and a (3,) one broadcast against a
    (2, 3) constant: the general path's bits and the analytic partials."""
    tag = new_tag()
    k, u = _pair((3,), 2, tag)
    U = dg.Dual(RNG.uniform(0.5, 2.0, (2, 3)), RNG.standard_normal((2, 3, 2)), tag=tag)
    _bits(k * U, call(rule_for(np.multiply), (k, U)))
    np.testing.assert_allclose((k * U).partials, MIXED["k * u"][3](
        k.value, np.asarray(k.partials), U.value, U.partials), rtol=1e-14, atol=1e-15)
    got = (k * u) * np.ones((2, 3))
    np.testing.assert_allclose(got.partials, np.broadcast_to(
        k.value * u.partials + u.value[:, None] * np.asarray(k.partials), (2, 3, 2)),
        rtol=1e-15)
