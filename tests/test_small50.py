"""``u ** 3``'s factor without the zero test and the table's compiled branch, and the
object-array note's record with one call less (issue 13, small50).

``dispatch._lean_small.lean_power`` computes ``u ** 3``'s local derivative as ``3.0 *
(x * x)``: the table's regular branch ``y * x ** (y - 1.0)`` squares through NumPy's float64
power loop at the scalar exponent 2.0, which NumPy 2.1 on computes as ``x * x``, and its
limit branch at ``x == 0`` is ``0.0`` as the product is.  Every bit must stay the table's.

Oracles, independent of the code under test: NumPy's own bits (``x * x`` against
``np.power(x, 2.0)``: the premise), the general path (``dispatch._ufuncs.call`` of the
table's row, and ``_kernels.use("numpy")``) to the bit, the closed form ``3 x**2 dx`` on
floats, NumPy's warnings and errors for ``x ** 3`` on floats, and closed-form gradients
and Hessians.
"""

import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import errors
from dualgrad.backend import _kernels, _loader
from dualgrad.dispatch import _lean_small
from dualgrad.dispatch._ufuncs import call
from dualgrad.dual._base import new_tag
from dualgrad.rules._table import rule_for
from _probes import same_duals

RNG = np.random.default_rng(50)
POWER = rule_for(np.power)
THREES = [3, 3.0, np.float64(3.0)]


def _every_magnitude(size):
    x = np.exp(RNG.uniform(-700.0, 700.0, size)) * RNG.choice([-1.0, 1.0], size)
    return x


SPECIAL = [0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, -5e-324, 1e154, 1.4e154, -1e200,
           1e-160, 1.0, -1.0]


def _layout(p, layout):
    if layout == "F":
        return np.asfortranarray(p)
    if layout == "reversed":
        return np.ascontiguousarray(p[::-1])[::-1]
    if layout == "strided":
        return np.repeat(p, 2, axis=0)[::2]
    return p


@pytest.fixture(params=["kernel", "numpy"])
def loaded(request, monkeypatch):
    """Numba loaded (the entry point's product) or not (NumPy's product)."""
    if request.param == "kernel":
        _loader.load()
    else:
        monkeypatch.setattr(_loader, "READY", False)
        monkeypatch.setattr(_loader, "LOAD_AFTER", 10 ** 18)
    return request.param


def test_the_premise_numpys_square_by_power_is_the_product():
    """What the shortcut rests on: on this NumPy, ``np.power(x, 2.0)`` (the regular
    branch's square, ndarray and NumPy-float exponent alike) is ``x * x`` to the bit."""
    assert _lean_small._SQUARE_IS_MUL == (np.lib.NumpyVersion(np.__version__) >= "2.1.0")
    if not _lean_small._SQUARE_IS_MUL:
        pytest.skip("NumPy before 2.1: the shortcut is off")
    x = np.concatenate([_every_magnitude(100_000), SPECIAL])
    with np.errstate(all="ignore"):
        for square in (np.power(x, np.float64(2.0)), x ** np.float64(2.0), x ** 2.0,
                       np.power(x, 2.0)):
            assert square.tobytes() == (x * x).tobytes()


@pytest.mark.parametrize("b", THREES, ids=["int", "float", "float64"])
@pytest.mark.parametrize("N, n", [(1, 1), (10, 4), (10, 10), (37, 17)])
@pytest.mark.parametrize("layout", ["C", "F", "reversed", "strided"])
def test_cube_bits_are_the_tables_on_every_magnitude(b, N, n, layout, loaded):
    tag = new_tag()
    values = np.concatenate([_every_magnitude(N), SPECIAL])
    for start in range(0, len(values), N):
        x = values[start:start + N]
        u = dg.Dual(x, _layout(RNG.standard_normal((len(x), n)), layout), tag=tag)
        with np.errstate(all="ignore"):
            got = u ** b
            want = call(POWER, (u, b))
            with _kernels.use("numpy"):
                general = u ** b
        same_duals(got, want)
        same_duals(got, general)
        assert got.value.tobytes() == np.power(x, 3.0).tobytes()
        with np.errstate(all="ignore"):
            factor = 3.0 * x ** 2
            slope = factor[:, None] * np.asarray(u.partials)
        # (where 3 x**2 is below the normal range the oracle itself lost bits: the
        # extended-range slope there is checked against mpmath by test_exact68's
        # test_masked_cube_elements_against_mpmath)
        finite = np.isfinite(slope) & (np.abs(factor) >= np.finfo(float).tiny)[:, None]
        np.testing.assert_allclose(np.asarray(got.partials)[finite], slope[finite],
                                   rtol=1e-15, atol=0)


def test_cube_takes_neither_the_zero_test_nor_the_compiled_branch(monkeypatch, loaded):
    """``u ** 3`` (no zero, and with zeros) computes its factor in place; other exponents
    still take the table's compiled branch (fails before small50: ``u ** 3`` called it),
    with numba loaded its generated kernel in ``POWER_NUMBER``'s entry (small68)."""
    taken = []

    def regular(x, y, out):
        taken.append(float(y))
        return y * x ** (y - 1.0)

    def whole(rule):
        raise AssertionError("the table's whole row was evaluated")
    monkeypatch.setattr(_lean_small, "_REGULAR", regular)
    monkeypatch.setattr(_lean_small, "derivative_functions", whole)
    tag = new_tag()
    for x in (RNG.uniform(0.5, 2.0, 10), np.array([0.0, -0.0, 1.5, -2.0])):
        u = dg.Dual(x, RNG.standard_normal((len(x), 3)), tag=tag)
        for b in THREES:
            got = np.power(u, b) if b is THREES[0] else u ** b
            np.testing.assert_allclose(got.partials, (3.0 * x ** 2)[:, None] * u.partials,
                                       rtol=1e-15, atol=0)
    assert taken == []
    u = dg.Dual(RNG.uniform(0.5, 2.0, 10), RNG.standard_normal((10, 3)), tag=tag)
    u ** 4
    u ** 2.5
    assert taken == ([] if loaded == "kernel" else [4.0, 2.5])


def test_cube_reports_as_numpy_does():
    """Overflow: NumPy's warning for ``x ** 3`` (the value's; the factor's overflow is
    hushed), and its FloatingPointError under ``errstate(over="raise")``."""
    x = np.array([1.0, 1e200, -2.0])
    u = dg.Dual(x, np.eye(3), tag=new_tag())
    with warnings.catch_warnings(record=True) as floats:
        warnings.simplefilter("always")
        x ** 3
    with warnings.catch_warnings(record=True) as duals:
        warnings.simplefilter("always")
        got = u ** 3
    assert [(w.category, str(w.message)) for w in duals] == \
        [(w.category, str(w.message)) for w in floats]
    assert np.isinf(got.value[1]) and got.partials[1, 1] == np.inf
    np.testing.assert_array_equal(got.partials[[0, 2]], np.array([[3.0, 0, 0], [0, 0, 12.0]]))
    with np.errstate(over="raise"):
        with pytest.raises(FloatingPointError):
            x ** 3
        with pytest.raises(FloatingPointError):
            u ** 3


def test_cube_of_views_read_only_2d_and_other_kinds():
    tag = new_tag()
    x = RNG.uniform(-2.0, 2.0, 12)
    u = dg.Dual(x, RNG.standard_normal((12, 4)), tag=tag)
    for v in (u[::-1], u[1::3], u.reshape(3, 4), u.reshape(3, 4).T):
        same_duals(v ** 3, call(POWER, (v, 3)))
    frozen = x.copy()
    frozen.flags.writeable = False
    r = dg.Dual(frozen, RNG.standard_normal((12, 2)), tag=tag)
    same_duals(r ** 3, call(POWER, (r, 3)))
    zero_d = dg.Dual(np.float64(1.5), np.array([2.0, -1.0]), tag=tag)
    np.testing.assert_allclose((zero_d ** 3).partials, 3 * 1.5 ** 2 * np.array([2.0, -1.0]),
                               rtol=1e-15)
    c = dg.Dual(x + 0.5j, RNG.standard_normal((12, 2)), tag=tag)
    np.testing.assert_allclose((c ** 3).partials, (3 * (x + 0.5j) ** 2)[:, None] * c.partials,
                               rtol=1e-14)
    for exponent in ([3.0] * 12, np.full(12, 3.0), np.float32(3.0)):
        got = u ** exponent
        np.testing.assert_allclose(got.partials, (3 * x ** 2)[:, None] * u.partials,
                                   rtol=1e-15)


@pytest.mark.parametrize("n", [2, 10, 17])
def test_cube_gradient_and_hessian_closed_forms(n):
    x = np.linspace(-1.3, 1.7, n)
    np.testing.assert_allclose(dg.gradient(lambda v: np.sum(v ** 3), x), 3 * x ** 2,
                               rtol=1e-15)
    np.testing.assert_allclose(dg.hessian(lambda v: np.sum(v ** 3), x), np.diag(6 * x),
                               rtol=1e-15, atol=0)
    np.testing.assert_allclose(dg.jacobian(lambda v: v ** 3.0 - v, x),
                               np.diag(3 * x ** 2 - 1), rtol=1e-15, atol=1e-16)


def test_the_object_array_record_names_the_values_it_did():
    """``np.asarray`` of a helper's seed: the record's weak reference is to the seed's
    value array (what ``errors._values_ref`` finds), and a second conversion by another
    line is a second record (the de-duplication reads that reference)."""
    seen = []

    def f(v):
        a = np.asarray(v)
        record = errors.ARRAYS[v.tag][-1]
        seen.append((record[3][0][0]() is v.value, errors._values_ref(v)() is v.value))
        b = np.asarray(v)
        seen.append(len(errors.ARRAYS[v.tag]))
        return a[0] * b[-1]
    x = np.array([1.5, -2.0, 0.25])
    np.testing.assert_allclose(dg.gradient(f, x), [x[2], 0.0, x[0]], rtol=1e-15)
    assert seen == [(True, True), 2]


def test_an_unread_object_array_is_still_noted():
    """The guard the record serves: a library refusing the object array without reading
    an element, its error caught by f, is still reported (errors.made_since)."""
    def f(v):
        try:
            np.asarray(v)
            raise TypeError("object arrays are not supported")
        except TypeError:
            return v[0] * 0.0 + 1.0
    with pytest.warns(dg.CaughtErrorWarning, match="that nothing read"):
        got = dg.gradient(f, np.array([1.0, 2.0]))
    np.testing.assert_array_equal(got, [0.0, 0.0])
