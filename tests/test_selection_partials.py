"""Selection rows (maximum, minimum, fmax, fmin: ``rule.select`` in the table) take the
partials of the argument they select: the other argument's inf or NaN partials do not
leak into the result as 0 * inf = NaN (attack14: d/dt max(1 + t, sqrt(t)) at t = 0 was
NaN on every path; the exact derivative is 1).

Oracles, independent of the rule table: the analytic derivative of the selected branch
(1 + t is above sqrt(t) near 0, so d/dt max(1 + t, sqrt(t)) = 1 there), NumPy's own
choice read from the values (``np.where`` of the partials), and central differences
away from the switch.  Every path: scalar duals (slot classes and the vector kind),
the lean, small, general and generated-kernel paths of array duals on both engines
and both backend modes, nested duals (second and third derivatives), users' @njit code.
"""

import math

import numpy as np
import pytest

import _oracles
import dualgrad as dg
from dualgrad.backend import _kernels
from dualgrad.rules._table import RULES

SQRT_BESIDE = [                      # (name, f, f'(0)): sqrt(t)'s inf partial never selected
    ("maximum", lambda t: np.maximum(1.0 + t, np.sqrt(t)), 1.0),
    ("maximum, swapped", lambda t: np.maximum(np.sqrt(t), 1.0 + t), 1.0),
    ("minimum", lambda t: np.minimum(-1.0 + t, np.sqrt(t)), 1.0),
    ("minimum, swapped", lambda t: np.minimum(np.sqrt(t), -1.0 + 3.0 * t), 3.0),
    ("fmax", lambda t: np.fmax(1.0 + 2.0 * t, np.sqrt(t)), 2.0),
    ("fmax, swapped", lambda t: np.fmax(np.sqrt(t), 1.0 + t), 1.0),
    ("fmin", lambda t: np.fmin(np.sqrt(t), -1.0 + 2.0 * t), 2.0),
    ("fmin, swapped", lambda t: np.fmin(-1.0 - t, np.sqrt(t)), -1.0),
    ("maximum, a constant selected", lambda t: np.maximum(np.sqrt(t), 1.0) + t, 1.0),
    ("fmin, a constant selected", lambda t: np.fmin(-2.0, np.sqrt(t)) + 5.0 * t, 5.0),
]
IDS = [c[0] for c in SQRT_BESIDE]


def test_the_selection_rows_are_these():
    assert sorted(r.name for r in RULES.values() if r.select) == \
        ["fmax", "fmin", "maximum", "minimum"]
    # their derivatives are indicators adding up to 1, on numbers, ties, inf and NaN:
    # 0 or 1, and 1/2 each exactly at a tie (x == y, -0.0 == 0.0 and inf == inf too)
    v = np.array([-np.inf, -1.0, -0.0, 0.0, 2.0, np.inf, np.nan])
    x, y = (a.ravel() for a in np.meshgrid(v, v))
    from dualgrad.rules._table import derivative_functions
    for rule in (r for r in RULES.values() if r.select):
        dx, dy = (d(x, y, rule.ufunc(x, y)) for d in derivative_functions(rule))
        assert set(np.unique(dx)) <= {0.0, 0.5, 1.0} and np.all(dx + dy == 1.0), rule.name
        np.testing.assert_array_equal(dx == 0.5, x == y, err_msg=rule.name)


@pytest.mark.parametrize("name, f, want", SQRT_BESIDE, ids=IDS)
def test_scalar_duals(name, f, want):
    """dg.derivative on a float: the scalar duals' generated fast path."""
    with np.errstate(all="ignore"):
        assert dg.derivative(f, 0.0) == want, name


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("mode", ["numpy", "numba"])
@pytest.mark.parametrize("size", [8, 3000, 40000])
@pytest.mark.parametrize("name, f, want", SQRT_BESIDE, ids=IDS)
def test_array_duals_on_every_path(name, f, want, size, mode, engine):
    """Arrays of 8 (the lean and small paths), 3000 and 40000 elements (the generated
    kernels, NumPy's select, the fused engine) on both engines and backend modes, one
    direction and four."""
    with np.errstate(all="ignore"), dg.engine(engine), _kernels.use(mode):
        got = dg.derivative(lambda s: f(s * np.ones(size)), 0.0)
        jac = dg.jacobian(lambda v: f(np.repeat(v, size // 4)), np.zeros(4))
    np.testing.assert_array_equal(got, np.full(size, want), err_msg=name)
    np.testing.assert_array_equal(jac, want * np.repeat(np.eye(4), size // 4, axis=0),
                                  err_msg=name)


SELECT = _oracles.SELECT


def _operands(size, n, seed):
    """Values with ties (-0.0 against 0.0 among them), NaN in either or both, infinities;
    partials with inf, -inf and NaN entries in both arguments."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size)
    y = rng.uniform(-1.0, 1.0, size)
    y[::5] = x[::5]
    x[1::6], y[1::6] = -0.0, 0.0
    x[3::7] = np.nan
    y[4::11] = np.nan
    y[3::14] = np.nan
    x[2::13], y[2::13] = np.inf, -np.inf
    px = rng.standard_normal((size, n))
    py = rng.standard_normal((size, n))
    px[::3, 0], py[1::3, n - 1], px[2::4, n - 1], py[::5, 0] = np.inf, np.nan, -np.inf, np.inf
    px[1::9, 0], py[2::9, 0] = -0.0, -0.0
    return x, y, px, py


def _bits(a):
    return np.ascontiguousarray(a).view(np.uint64)


@pytest.mark.parametrize("ufunc", list(SELECT), ids=lambda u: u.__name__)
@pytest.mark.parametrize("mode", ["numpy", "numba"])
@pytest.mark.parametrize("n", [1, 2, 3, 4])   # the kernels' loops: flat, 2, n, 4
@pytest.mark.parametrize("size", [7, 3000])
def test_the_selected_arguments_partials_bit_for_bit(ufunc, size, n, mode):
    """Two array duals, a dual and a constant, a constant and a dual: the result's
    partials are the selected argument's to the bit (NaN and inf partials of the other
    argument do not leak; ties split evenly, 0.5 * py + 0.5 * px; maximum/minimum
    select a NaN argument, fmax/fmin the other), +0.0 where a constant is selected."""
    x, y, px, py = _operands(size, n, seed=size + n)
    pick = SELECT[ufunc](x, y)
    assert np.array_equal(np.where(pick, x, y), ufunc(x, y), equal_nan=True)  # the oracle
    zero = np.zeros((size, n))
    with np.errstate(all="ignore"), _kernels.use(mode):
        both = ufunc(dg.Dual(x, px), dg.Dual(y, py))
        left = ufunc(dg.Dual(x, px), y)
        right = ufunc(x, dg.Dual(y, py))
    assert zero.shape == px.shape
    for got, want in ((both, _oracles.selected(ufunc, x, y, px, py)),
                      (left, _oracles.selected(ufunc, x, y, px, None)),
                      (right, _oracles.selected(ufunc, x, y, None, py))):
        np.testing.assert_array_equal(got.value, ufunc(x, y))
        np.testing.assert_array_equal(_bits(got.partials.reshape(size, n)), _bits(want))


@pytest.mark.parametrize("ufunc", list(SELECT), ids=lambda u: u.__name__)
@pytest.mark.parametrize("n", [3, 17])
def test_scalar_duals_bit_for_bit(ufunc, n):
    """Scalar duals with n partials (slot classes; n = 17: the vector kind), against a
    dual and against a number, at every pair of values of :func:`_operands` (ties
    split: :func:`_oracles.selected`)."""
    x, y, px, py = _operands(60, n, seed=n)
    with np.errstate(all="ignore"):
        both = _oracles.selected(ufunc, x, y, px, py)
        left = _oracles.selected(ufunc, x, y, px, None)
        right = _oracles.selected(ufunc, x, y, None, py)
        for i in range(60):
            a, b = dg.Dual(float(x[i]), list(px[i])), dg.Dual(float(y[i]), list(py[i]))
            for got, want in ((ufunc(a, b), both[i]),
                              (ufunc(a, float(y[i])), left[i]),
                              (ufunc(float(x[i]), b), right[i])):
                p = np.array(got._plist(), dtype=float).ravel()
                np.testing.assert_array_equal(_bits(p), _bits(want), err_msg=str((i, x[i], y[i])))


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_second_and_third_derivatives(engine):
    """Nested duals: d2/dt2 max(1 + t**2, sqrt(t)) = 2 and d3/dt3 max(1 + t**3, sqrt(t)) = 6
    at 0 (sqrt's partials of every order are infinite there); the Hessian of
    max(1 + u v, sqrt(u)) at (0, 2) is [[0, 1], [1, 0]]; scalar and array duals."""
    with np.errstate(all="ignore"), dg.engine(engine):
        f2 = lambda t: np.maximum(1.0 + t * t, np.sqrt(t))
        f3 = lambda t: np.minimum(np.sqrt(t), -1.0 - t ** 3)
        assert dg.derivative(lambda s: dg.derivative(f2, s), 0.0) == 2.0
        assert dg.derivative(lambda s: dg.derivative(lambda r: dg.derivative(f3, r), s),
                             0.0) == -6.0
        H = dg.hessian(lambda v: np.fmax(1.0 + v[0] * v[1], np.sqrt(v[0])), np.array([0.0, 2.0]))
        np.testing.assert_array_equal(H, [[0.0, 1.0], [1.0, 0.0]])
        Ha = dg.hessian(lambda v: np.sum(np.maximum(1.0 + v * v, np.sqrt(v))), np.zeros(5))
        np.testing.assert_array_equal(Ha, 2.0 * np.eye(5))
        T = dg.jacobian(lambda v: dg.hessian(
            lambda u: np.sum(np.minimum(np.sqrt(u), -1.0 - u ** 3)), v).diagonal(), np.zeros(4))
        np.testing.assert_array_equal(T, -6.0 * np.eye(4))


def test_away_from_the_switch_against_central_differences():
    """Where the selection does not switch nearby, the derivative is the selected
    branch's: against central differences (tests/_oracles.py), an infinite partial of
    the other operand at 0.3 included (NaN on main)."""
    # fmax ignores sqrt's NaN below 0.3; at 0.3 its partial is inf, not selected
    f = lambda t: np.fmax(1.0 + np.sin(t), np.sqrt(t - 0.3)) * np.fmin(t * t, 0.5 + t)
    x = np.array([0.3, 1.7, 4.0])           # each branch selected, none near a switch
    for engine in ("eager", "fused"):
        with dg.engine(engine):
            J = dg.jacobian(f, x)
        np.testing.assert_allclose(J, _oracles.central(f, x), rtol=1e-7, atol=1e-9)
        assert dg.derivative(f, 4.0) == J[2, 2] and dg.derivative(f, 0.3) == J[0, 0]


def test_functions_built_on_the_selections_agree_with_the_rows():
    """np.max / np.amin reductions, maximum.reduce / accumulate, np.clip, np.sort,
    np.nanmax, builtin max / min beside an infinite partial: exact, and the same as
    the ufunc's own (NaN on main, where these functions already gave 1).  np.ptp's
    -inf is exact (the minimum selected is sqrt(t), whose derivative is +inf)."""
    with np.errstate(all="ignore"):
        row = {"max": lambda t: np.maximum(1.0 + t, np.sqrt(t)),
               "min": lambda t: np.minimum(-1.0 + t, np.sqrt(t))}
        for kind, f in ((("max", lambda t: np.max(np.array([1.0 + t, np.sqrt(t)]))),
                         ("min", lambda t: np.amin(np.array([-1.0 + t, np.sqrt(t)]))),
                         ("max", lambda t: np.maximum.reduce(np.array([1.0 + t, np.sqrt(t)]))),
                         ("max", lambda t: np.maximum.accumulate(
                             np.array([np.sqrt(t), 1.0 + t]))[1]),
                         ("max", lambda t: np.clip(np.sqrt(t), 1.0 + t, 2.0)),
                         ("max", lambda t: np.sort(np.array([1.0 + t, np.sqrt(t)]))[1]),
                         ("max", lambda t: np.nanmax(np.array([1.0 + t, np.sqrt(t), np.nan]))),
                         ("max", lambda t: max(1.0 + t, np.sqrt(t))),
                         ("min", lambda t: min(-1.0 + t, np.sqrt(t))))):
            assert dg.derivative(f, 0.0) == dg.derivative(row[kind], 0.0) == 1.0
        ptp = lambda t: np.ptp(np.array([1.0 + t, np.sqrt(t), 2.0 + 3.0 * t]))
        spelled = lambda t: np.maximum(2.0 + 3.0 * t, 1.0 + t) - np.minimum(np.sqrt(t), 1.0 + t)
        assert dg.derivative(ptp, 0.0) == dg.derivative(spelled, 0.0) == -math.inf


@pytest.mark.engine_independent
def test_inside_jitted_code():
    """Users' @njit code: np.maximum/minimum/fmax/fmin of two duals, of a dual and a
    number and of a number and a dual, and builtin max."""
    numba = pytest.importorskip("numba")

    @numba.njit
    def h(v):
        t = v[0]
        s = np.sqrt(t)
        return np.array([np.maximum(1.0 + t, s), np.maximum(s, 1.0 + t),
                         np.minimum(s, -1.0 + 2.0 * t), np.fmax(s, 1.0), np.fmin(-2.0, s),
                         np.fmin(s, -1.0 - t), max(s, 1.0 + t)])
    with np.errstate(all="ignore"):
        J = dg.jacobian(h, np.array([0.0]))
    np.testing.assert_array_equal(J[:, 0], [1.0, 1.0, 2.0, 0.0, 0.0, -1.0, 1.0])


def test_complex_values_follow_numpy():
    """np.maximum of complex numbers is NumPy's lexicographic choice: the chosen
    argument's partials (the others' inf and NaN do not leak: NaN on main)."""
    z = dg.Dual(np.array([1 + 2j, 3 + 0j, 2 - 1j]), np.array([[np.inf], [2.0], [np.nan]]))
    got = np.maximum(z, 2 + 0j)
    np.testing.assert_array_equal(got.value, np.maximum(z.value, 2 + 0j))
    np.testing.assert_array_equal(got.value, [2 + 0j, 3 + 0j, 2 + 0j])   # 2 - 1j < 2
    np.testing.assert_array_equal(got.partials[:, 0], [0.0, 2.0, 0.0])
