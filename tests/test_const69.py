"""Issue 13, stop 69 (const69): a scalar dual with a plain float64 array (``np.arctan2(t,
k)``, ``t / k``, ``np.hypot(k, t)``: ``lean_constant``) evaluates the table's local
derivative for the scalar's argument per element, and its products by the scalar's row,
in one compiled call (``_rule_kernels``' ``_CONST`` entries, generated from the rule
table; ``backend.CONST``).  ``np.arctan2(t, k)`` was 46x the float op: the table's
factor (its scaled branches, eager ``where``s) was some twenty NumPy calls on ten
values.  The entry declines where the NumPy steps would not reach ``combine_small``'s
products (a factor not finite, a quotient's factor below the smallest normal number
beside a nonzero numerator: ``_tiny``'s test, the factors' sum overflowing), and
those steps then run as before.

Oracles: the same call with the entry switched off (the old way's bits and reports),
numba loaded and not, over special values, scalars and partials; mpmath's derivatives;
a probe that the NumPy steps (the table's ``where``, ``_tiny``, ``combine_small``) are
skipped, and the entry's declines.  On the tree before (c69d34ce) the probe and the
decline tests fail (no entry: the table's ``where`` runs; no ``backend.CONST``)."""

import warnings

import mpmath
import numpy as np
import pytest

import dualgrad as dg
from dualgrad import backend
from dualgrad.backend import _loader
from dualgrad.dispatch import _lean_small
from dualgrad.dual._base import new_tag

from _probes import loaded_or_not, python_calls, same_duals  # noqa: F401  (the fixture)

GRID = [0.0, -0.0, 5e-324, -1e-310, 1e-300, 1e-160, 1e160, 1e300, -1e300, 1e308, np.inf,
        -np.inf, np.nan, -1.5, 3.0]
SCALARS = (0.7, -2.5, 1e-300, 1e-160, 1e155, 1e300, -1e300, 0.0, -0.0, 5e-324, np.inf,
           np.nan)
RULES = (np.arctan2, np.divide, np.hypot, np.multiply, np.subtract)


class _Off(dict):
    """``_lean_small._CONST`` with every entry switched off (the old way)."""

    def get(self, key, default=None):
        return False


def _reports(fn):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        result = fn()
    return result, [(w.category, str(w.message)) for w in seen]


def _grid(rng, pattern):
    t = rng.uniform(0.2, 4.0, 10) * rng.choice([-1.0, 1.0], 10)
    if pattern == 1:
        t[rng.integers(10, size=3)] = rng.choice(GRID, 3)
    elif pattern == 2:
        t = rng.choice(GRID, 10)
    elif pattern == 3:
        t = np.full(10, 1e308)                # each factor finite, their sum not
    elif pattern == 4:
        t = rng.uniform(1e-12, 1e-8, 10)      # t / k at k = 1e300: factors underflow
        t[3] = 0.0
    return t


@pytest.mark.parametrize("pattern", range(5))
def test_the_old_way_to_the_bit(pattern, loaded, monkeypatch):
    """``k op t`` and ``t op k`` (arctan2, divide, hypot; multiply and subtract beside
    them), five value patterns, three layouts of ``t``, twelve scalars from 5e-324 to
    inf and NaN, rows holding 0, -0, NaN, inf and 1e300: the bits and reports of the
    same call with the entries switched off, numba loaded and not."""
    rng = np.random.default_rng(6900 + pattern)
    for kv in SCALARS:
        tag = new_tag()
        q = rng.standard_normal(4)
        q[rng.integers(4)] = rng.choice([0.0, -0.0, np.nan, np.inf, 1e300])
        k = dg.Dual(float(kv), list(q), tag=tag)
        base = _grid(rng, pattern)
        for t in (base, np.repeat(base, 2)[::2], base[::-1]):
            for ufunc in RULES:
                for args in ((k, t), (t, k)):
                    got, said = _reports(lambda: ufunc(*args))
                    with monkeypatch.context() as m:
                        m.setattr(_lean_small, "_CONST", _Off())
                        want, want_said = _reports(lambda: ufunc(*args))
                    same_duals(got, want)
                    assert said == want_said, (ufunc, kv, t, said, want_said)


@pytest.mark.mp_dps(40)
def test_against_closed_forms(loaded):
    """d/dk of arctan2(t, k), arctan2(k, t), t / k, k / t, hypot(k, t) times the row,
    against mpmath (rtol 1e-14), numba loaded and not; t of both signs and a scalar
    of each sign."""
    rng = np.random.default_rng(6971)
    t = rng.uniform(0.3, 3.0, 10) * rng.choice([-1.0, 1.0], 10)
    q = [0.3, -1.1, 0.8]
    for kv in (0.7, -1.9):
        k = dg.Dual(kv, q, tag=new_tag())
        K = mpmath.mpf(kv)
        forms = [(lambda: np.arctan2(t, k), lambda ti: -ti / (ti ** 2 + K ** 2)),
                 (lambda: np.arctan2(k, t), lambda ti: ti / (ti ** 2 + K ** 2)),
                 (lambda: t / k, lambda ti: -ti / K ** 2), (lambda: k / t, lambda ti: 1 / ti),
                 (lambda: np.hypot(k, t), lambda ti: K / mpmath.sqrt(K ** 2 + ti ** 2))]
        for op, d in forms:
            got = op().partials
            want = [[float(d(mpmath.mpf(ti)) * mpmath.mpf(qj)) for qj in q] for ti in t]
            np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)


def test_the_numpy_steps_are_skipped():
    """Numba loaded, small 1-D values: arctan2, divide, hypot, subtract, multiply and add
    with a scalar dual on either side compute no table factor in NumPy (no ``where``), no
    ``_tiny`` test and no ``combine_small``: the entry made them."""
    _loader.load()
    k = dg.Dual(0.7, [1.0, 2.0, 3.0], tag=new_tag())
    t = np.linspace(0.5, 2.0, 10)
    for op in (lambda: np.arctan2(t, k), lambda: np.arctan2(k, t), lambda: t / k,
               lambda: np.hypot(k, t), lambda: np.hypot(t, k), lambda: k - t,
               lambda: t - k, lambda: k * t, lambda: t + k):
        op()
        names = python_calls(op)
        assert not {"where", "_tiny", "combine_small", "call"} & set(names), names


def test_the_entry_declines():
    """The entry returns False where the NumPy steps would not make ``combine_small``'s
    products: a factor not finite, a quotient's factor below the smallest normal number
    beside a nonzero numerator (``-out / y``), the factors' sum overflowing; True at a
    zero numerator (``t / k``'s factor 0 where ``t`` is) and a NaN partial."""
    _loader.load()
    divide = backend.const_entry(np.divide, 1)          # x / y, the scalar y
    arctan2 = backend.const_entry(np.arctan2, 1)
    out = np.empty((10, 3))
    row = np.array([1.0, np.nan, -0.0])
    t = np.linspace(0.5, 2.0, 10)
    assert divide(t, 0.7, t / 0.7, row, out)
    np.testing.assert_array_equal(out[:, 0], -(t / 0.7) / 0.7)
    assert not divide(t, 0.0, t / 0.0, row, out)                    # inf factors
    tiny = np.full(10, 1e-10)
    assert not divide(tiny, 1e300, tiny / 1e300, row, out)          # -1e-310 / 1e300
    zero = np.zeros(10)
    assert divide(zero, 1e300, zero / 1e300, row, out)              # an exact 0
    huge = np.full(10, 1.5e308)
    assert not divide(huge, 1.0, huge / 1.0, row, out)              # the sum overflows
    assert not arctan2(np.full(10, np.nan), 0.7, np.full(10, np.nan), row, out)
    assert not divide(t[:9], 0.7, t / 0.7, row, out)                # other lengths
    assert backend.const_entry(np.logaddexp, 0) is False            # no kernel: the
    assert backend.CONST[np.logaddexp, 0] is False                  # NumPy steps


@pytest.mark.parametrize("loaded", ["kernel", "numpy"], indirect=True)
def test_signed_nans_of_a_constant_factor(loaded, monkeypatch):
    """``k - t``, ``t - k``, ``k + t``, ``k * t``, ``t / k`` with a row of NaNs of both
    signs, infinities and signed zeros: the old way's bits (``combine_small``'s ``-p``
    negates a NaN's sign, a product by -1.0 would keep it)."""
    neg = -np.float64(np.nan)
    row = [np.nan, float(neg), np.inf, -np.inf, 0.0, -0.0, 1.5]
    k = dg.Dual(0.7, row, tag=new_tag())
    t = np.linspace(-2.0, 2.0, 10)
    for op in (lambda: k - t, lambda: t - k, lambda: k + t, lambda: t + k, lambda: k * t,
               lambda: t / k, lambda: np.arctan2(t, k)):
        got = op()
        with monkeypatch.context() as m:
            m.setattr(_lean_small, "_CONST", _Off())
            want = op()
        same_duals(got, want)
    assert np.signbit((t - k).partials[:, 0]).all()         # -NaN: NumPy's negation
