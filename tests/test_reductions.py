"""Reductions, selections and their kink conventions (dualgrad.dispatch._reductions).

The convention at ties is stated once in the rule table (dualgrad.rules._table.TIES:
split evenly, the average of the one-sided derivatives; it was "the first argument
wins" until tie41, which made smooth code built from kinks wrong, user27's BCE loss);
every spelling of a selection that can split must follow it, exactly,
on every path: scalar duals, array duals on the NumPy and the numba paths,
nested duals and ``max``/``min`` inside ``@njit``.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _kernels
from dualgrad.rules._table import RULES, TIES, derivative_functions


def _table_split(ufunc):
    """(d/dx, d/dy) of ``ufunc`` at a tie, read from the table's own expressions."""
    d0, d1 = derivative_functions(RULES[ufunc])
    return float(d0(1.0, 1.0, 1.0)), float(d1(1.0, 1.0, 1.0))


def test_the_table_states_split_evenly_for_every_selection():
    assert "split evenly" in TIES
    for u in (np.maximum, np.minimum, np.fmax, np.fmin):
        assert RULES[u].kink.startswith(TIES)
        assert _table_split(u) == (0.5, 0.5)


TIE = np.array([1.0, 1.0, 0.5])
HALF = np.array([0.5, 0.5, 0.0])       # d/dx of a selection of the tie: the midpoint
FIRST = np.array([1.0, 0.0, 0.0])      # spellings that return one object: the first


@pytest.mark.parametrize("f", [
    lambda x: np.maximum(x[0], x[1]), lambda x: np.minimum(x[0], x[1]),
    lambda x: np.fmax(x[0], x[1]), lambda x: np.fmin(x[0], x[1]),
    lambda x: np.max(x), lambda x: np.amax(x[:2]), lambda x: x[:2].max(),
    lambda x: np.min(x[:2]), lambda x: np.amin(x[:2]), lambda x: x[:2].min(),
    lambda x: np.maximum.reduce(x), lambda x: np.minimum.reduce(x[:2]),
    lambda x: np.clip(x[0], x[1], 2.0), lambda x: np.clip(x[0], 0.0, x[1]),
    lambda x: np.linalg.norm(x[:2], np.inf),
], ids=["maximum", "minimum", "fmax", "fmin", "max", "amax", ".max", "min", "amin", ".min",
        "maximum.reduce", "minimum.reduce", "clip lower", "clip upper", "norm inf"])
def test_every_selection_splits_a_tie(f):
    np.testing.assert_array_equal(dg.gradient(f, TIE), HALF)


@pytest.mark.parametrize("f", [
    lambda x: max(x[0], x[1]), lambda x: min(x[0], x[1]), lambda x: max(x),
], ids=["builtin max", "builtin min", "max(iter)"])
def test_spellings_returning_one_object_give_the_first_at_a_tie(f):
    """Python's max returns one of its arguments: nothing to split
    (docs/writing-code.md)."""
    np.testing.assert_array_equal(dg.gradient(f, TIE), FIRST)


@pytest.mark.parametrize("f", [lambda x: np.sort(x)[1], lambda x: np.sort(x[:2])[0]],
                         ids=["sort max", "sort min"])
def test_sort_splits_a_tie(f):
    """np.sort gives a run of equal values the mean of their partials (left42; the
    stable order's first alone was one side's derivative)."""
    np.testing.assert_array_equal(dg.gradient(f, TIE), HALF)


def test_ptp_at_ties_is_the_mean_max_minus_the_mean_min():
    np.testing.assert_array_equal(dg.gradient(np.ptp, [2.0, 1.0, 2.0, 1.0]),
                                  [0.5, -0.5, 0.5, -0.5])


def test_scalar_duals_follow_the_table():
    a, b = dg.Dual(1.0, [1.0, 0.0]), dg.Dual(1.0, [0.0, 1.0])
    for u in (np.maximum, np.minimum, np.fmax, np.fmin):
        np.testing.assert_array_equal(u(a, b).partials, [0.5, 0.5])
        np.testing.assert_array_equal(u(b, a).partials, [0.5, 0.5])


def test_nan_wins_in_maximum_and_is_ignored_by_fmax():
    nan = np.nan
    g = dg.gradient(lambda x: np.maximum(x[0], x[1]), [1.0, nan])
    np.testing.assert_array_equal(g, [0.0, 1.0])
    g = dg.gradient(lambda x: np.maximum(x[0], x[1]), [nan, 1.0])
    np.testing.assert_array_equal(g, [1.0, 0.0])
    g = dg.gradient(lambda x: np.fmax(x[0], x[1]), [1.0, nan])
    np.testing.assert_array_equal(g, [1.0, 0.0])
    g = dg.gradient(lambda x: np.fmax(x[0], x[1]), [nan, 1.0])
    np.testing.assert_array_equal(g, [0.0, 1.0])


@pytest.mark.parametrize("mode", ["numpy", "numba"])
@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("ufunc", [np.maximum, np.minimum, np.fmax, np.fmin])
def test_array_paths_follow_the_table_at_ties(ufunc, n, mode):
    size = 3000                                    # above every kernel threshold
    rng = np.random.default_rng(1)
    v = rng.uniform(-1.0, 1.0, size)
    w = v.copy()
    w[1::2] = rng.uniform(-1.0, 1.0, size // 2)     # ties at even positions
    pa, pb = rng.standard_normal((size, n)), rng.standard_normal((size, n))
    with _kernels.use(mode):
        out = ufunc(dg.Dual(v, pa), dg.Dual(w, pb))
    pick_a = (v >= w) if ufunc in (np.maximum, np.fmax) else (v <= w)
    tie = (v == w)[:, None]
    np.testing.assert_array_equal(out.partials, np.where(tie, 0.5 * pb + 0.5 * pa,
                                                         np.where(pick_a[:, None], pa, pb)))
    assert np.all(tie[::2])


def test_nested_duals_follow_the_table_at_ties():
    # d/dx of d/dx max(x, y)**2 at a tie: half each at both levels, 2 m' m'^T with
    # m' = (1/2, 1/2)
    h = dg.hessian(lambda x: np.maximum(x[0], x[1]) ** 2, [1.0, 1.0])
    np.testing.assert_array_equal(h, [[0.5, 0.5], [0.5, 0.5]])
    h = dg.hessian(lambda x: np.max(x) ** 2, [1.0, 1.0])
    np.testing.assert_array_equal(h, [[0.5, 0.5], [0.5, 0.5]])


@pytest.mark.engine_independent
def test_max_inside_njit_follows_the_table():
    numba = pytest.importorskip("numba")

    @numba.njit
    def f(x):
        return max(x[0], x[1]) + 2.0 * min(x[0], x[1])
    np.testing.assert_array_equal(dg.gradient(f, np.array([1.0, 1.0])), [3.0, 0.0])

    @numba.njit
    def g(x):
        return np.maximum(x[0], x[1]) + 2.0 * np.minimum(x[1], x[0])
    np.testing.assert_array_equal(dg.gradient(g, np.array([1.0, 1.0])), [1.5, 1.5])


@pytest.mark.parametrize("func", [np.max, np.min, np.amax, np.amin, np.nanmax, np.nanmin,
                                  np.argmax, np.argmin])
@pytest.mark.parametrize("axis", [None, 0])
def test_empty_reductions_raise_numpys_own_error(func, axis):
    """An empty max/min has no value: the user sees NumPy's message for the same call
    on floats (the oracle), not an internal argmax error."""
    with pytest.raises(ValueError) as want:
        func(np.zeros(0), axis=axis)

    def f(a):
        return np.sum(a) + func(a[:0], axis=axis)

    with pytest.raises(ValueError) as got:
        dg.gradient(f, np.arange(3.0))
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("func", [np.max, np.nanmin])
def test_empty_outer_axis_reduces_to_empty(func):
    """Reducing a non-empty axis of an empty array is allowed, as in NumPy."""
    got = dg.jacobian(lambda a: func(np.reshape(a, (0, 3)), axis=1), np.zeros(0))
    assert np.shape(got) == (0, 0)


# ---- NumPy's positional order ---------------------------------------------------------
def _positional(fn):
    import inspect
    params = inspect.signature(fn).parameters.values()
    return [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def test_every_handler_takes_numpys_positional_order():
    """A handler whose positional parameters differ from NumPy's reads a positional
    argument as another one (``np.sum(d, 0, float)`` read ``float`` as keepdims)."""
    from dualgrad.dispatch import _functions
    wrong = []
    for func, impl in _functions.HANDLED.items():
        try:
            numpy_names, our_names = _positional(func), _positional(impl)
        except (TypeError, ValueError):      # no introspectable signature
            continue
        for i, name in enumerate(our_names[1:], start=1):
            if i >= len(numpy_names) or numpy_names[i] != name:
                wrong.append((func.__name__, our_names, numpy_names))
                break
    assert not wrong


@pytest.mark.parametrize("func, args", [
    (np.sum, (0, float)), (np.sum, (1, None, None, True)), (np.prod, (0, None, None, True)),
    (np.max, (1, None, True)), (np.min, (0, None, True)), (np.amax, (None, None, True)),
])
def test_positional_arguments_mean_what_they_mean_in_numpy(func, args):
    x0 = np.array([[1.0, 2.0, 3.0], [4.0, 0.5, 6.0]])

    def f(x):
        return func(x.reshape(2, 3) * x.reshape(2, 3), *args)

    expected = func(x0 * x0, *args)
    got = dg.jacobian(f, x0.ravel())
    assert got.shape == np.shape(expected) + (6,)
    h = 1e-6
    fd = np.stack([(f(x0.ravel() + h * e) - f(x0.ravel() - h * e)) / (2 * h)
                   for e in np.eye(6)], axis=-1)
    np.testing.assert_allclose(got, fd, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("name", ["max", "min", "prod", "ptp", "sum", "mean"])
def test_a_repeated_axis_is_numpys_error(name):
    x = np.linspace(0.5, 1.5, 12).reshape(3, 4)
    fn = getattr(np, name)
    with pytest.raises(ValueError, match="duplicate value in 'axis'"):
        fn(x, axis=(0, -2))                           # NumPy's own, the oracle
    with pytest.raises(ValueError, match="duplicate value in 'axis'"):
        dg.gradient(lambda v: np.sum(fn(v, axis=(0, -2))), x)


@pytest.mark.parametrize("method", [np.add.reduce, np.multiply.reduce, np.maximum.reduce,
                                    np.minimum.reduce, np.add.accumulate,
                                    np.multiply.accumulate])
def test_ufunc_reduce_and_accumulate_default_to_the_first_axis(method):
    # NumPy's default axis is 0 (np.sum's is None): the flattened array was taken
    from dualgrad.testing import numerical_jacobian
    x0 = np.random.default_rng(5).uniform(0.5, 1.5, (3, 4))
    np.testing.assert_allclose(dg.jacobian(method, x0),
                               numerical_jacobian(method, x0, h=1e-6),  # (min: near ties)
                               rtol=1e-7, atol=1e-9)
    got = method(dg.Dual(x0, np.ones(x0.shape + (1,))))
    np.testing.assert_array_equal(got.value, method(x0))


@pytest.mark.parametrize("scan", [np.cumsum, np.cumprod])
def test_scans_take_numpys_positional_order(scan):
    """``np.cumsum(d, axis, dtype)``: dtype by position reads as by keyword (it raised
    cumsum()'s own TypeError, 'takes from 1 to 2 positional arguments')."""
    x = np.array([1.5, -2.0, 0.5])
    lower = np.tril(np.ones((3, 3)))
    # analytic: d cumsum_i / d x_j = 1 for j <= i; d cumprod_i / d x_j = cumprod_i / x_j
    want = lower if scan is np.cumsum else lower * np.cumprod(x)[:, None] / x[None, :]
    for args in [(0, float), (0, None, None), (None, np.float64)]:
        np.testing.assert_allclose(dg.jacobian(lambda z: scan(z, *args), x), want,
                                   rtol=1e-15, atol=0)


def _cumsum_into(z):
    buf = np.empty(3)
    np.cumsum(z, 0, None, buf)
    return buf


def _max_into(z):
    top = np.empty(())
    np.max(z, 0, top)
    return top


@pytest.mark.parametrize("f, fix", [(_cumsum_into, "buf = np.cumsum(z, 0, None)"),
                                    (_max_into, "top = np.max(z, 0)")])
def test_out_by_position_gets_the_out_advice(f, fix):
    """``out`` by position (``np.cumsum(z, 0, None, buf)``, ``np.max(z, 0, top)``) is
    refused as ``out=`` is, with the call without it named from the source (cumsum
    raised its own TypeError, np.max 'rewrite that step with supported NumPy
    functions'); the fix, followed, gives the analytic Jacobian."""
    with pytest.raises(TypeError, match="with out= is not supported") as got:
        dg.jacobian(f, np.array([1.5, -2.0, 0.5]))
    assert f"Fix: write {fix} (the call without out=" in str(got.value)
    followed = {"buf": lambda z: np.cumsum(z, 0, None), "top": lambda z: np.max(z, 0)}
    x = np.array([1.5, -2.0, 0.5])
    want = np.tril(np.ones((3, 3))) if fix.startswith("buf") else np.array([1.0, 0.0, 0.0])
    np.testing.assert_array_equal(dg.jacobian(followed[fix[:3]], x), want)
