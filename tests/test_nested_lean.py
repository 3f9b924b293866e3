"""Hessians at small n (issue 13, hess43): the lean paths of nested scalar duals.

* ``make_scalar`` tells a nested dual real by the types of its value and partials (the
  real classes' invariant, ``dual._scalar._REAL``) instead of walking its levels;
* ``dispatch._nested.nested``: a ufunc on nested real scalar duals (``np.sin(d)``,
  ``d ** 3``, ``np.maximum(a, b)``) is ``_ufuncs.call``'s scalar case alone, and
  ``d ** 2`` of a two-level dual its square without the table's ``np.power`` row;
* ``_ufuncs._is_finite`` of a dual of floats in one sum.

Oracles, none from dualgrad's output: Rosenbrock's closed-form Hessian
(``scipy.optimize.rosen_hess``), quadratic forms (``(A + A^T) / 2``), closed-form
third derivatives, the Kalman log-likelihood's Hessian by 8th-order central
differences of its complex-step gradient, cos(x0) x1**2's Hessian through complex
numbers.  Exactness against the general path: every lean result is compared bit for
bit (signed zeros and NaNs included, at every level) with ``_ufuncs.call`` on the
same arguments, the path the duals took before.
"""

import math
import threading

import numpy as np
import pytest
from scipy.optimize import rosen, rosen_hess

import dualgrad as dg
from dualgrad.dispatch import _nested, _ufuncs
from dualgrad.dual import _scalar
from dualgrad.rules._table import RULES

ENGINES = ["eager", "fused"]


def _leaves(d):
    """Every float of a (nested) scalar dual, level by level."""
    if isinstance(d, dg.Dual):
        return _leaves(d.value) + [x for p in d._plist() for x in _leaves(p)]
    return [d]


def _same_bits(a, b):
    """The same class at every level and the same floats, signed zeros and NaNs too."""
    if type(a) is not type(b):
        return False
    la, lb = _leaves(a), _leaves(b)
    return len(la) == len(lb) and all(
        type(x) is type(y) and (x == y and math.copysign(1.0, x) == math.copysign(1.0, y)
                                or x != x and y != y) for x, y in zip(la, lb))


# (name, the operation, the general path's arguments for np.<ufunc>)
UNARY = ["sin", "cos", "exp", "log", "sqrt", "tanh", "arctan", "cbrt", "expm1", "log1p",
         "square", "absolute", "negative", "reciprocal", "floor", "sign", "arcsinh"]
BINARY = [  # (label, lambda a, b, the ufunc, its arguments from a and b)
    ("a ** 2", lambda a, b: a ** 2, np.power, lambda a, b: (a, 2)),
    ("a ** 2.0", lambda a, b: a ** 2.0, np.power, lambda a, b: (a, 2.0)),
    ("a ** float64(2)", lambda a, b: a ** np.float64(2.0), np.power,
     lambda a, b: (a, np.float64(2.0))),
    ("np.square via power(a, 2)", lambda a, b: np.power(a, 2), np.power, lambda a, b: (a, 2)),
    ("a ** 3", lambda a, b: a ** 3, np.power, lambda a, b: (a, 3)),
    ("a ** 0.5", lambda a, b: a ** 0.5, np.power, lambda a, b: (a, 0.5)),
    ("a ** -1.5", lambda a, b: a ** -1.5, np.power, lambda a, b: (a, -1.5)),
    ("2.0 ** a", lambda a, b: 2.0 ** a, np.power, lambda a, b: (2.0, a)),
    ("a ** b", lambda a, b: a ** b, np.power, lambda a, b: (a, b)),
    ("maximum(a, b)", lambda a, b: np.maximum(a, b), np.maximum, lambda a, b: (a, b)),
    ("minimum(a, 0.0)", lambda a, b: np.minimum(a, 0.0), np.minimum, lambda a, b: (a, 0.0)),
    ("arctan2(a, b)", lambda a, b: np.arctan2(a, b), np.arctan2, lambda a, b: (a, b)),
    ("hypot(a, 1.5)", lambda a, b: np.hypot(a, 1.5), np.hypot, lambda a, b: (a, 1.5)),
    ("logaddexp(a, b)", lambda a, b: np.logaddexp(a, b), np.logaddexp, lambda a, b: (a, b)),
    ("fmod(a, 0.7)", lambda a, b: np.fmod(a, 0.7), np.fmod, lambda a, b: (a, 0.7)),
    ("copysign(a, b)", lambda a, b: np.copysign(a, b), np.copysign, lambda a, b: (a, b)),
    ("copysign(a, -1.0)", lambda a, b: np.copysign(a, -1.0), np.copysign,
     lambda a, b: (a, -1.0)),
]
POINTS = [(0.5, 1.25), (-1.3, 0.4), (0.0, 2.0), (-0.0, -3.0), (3e-310, 1e-300),
          (1e200, 1e155), (7.0, 7.0), (2.0, -2.0)]


def _compare_in(probe, x, levels):
    """Run ``probe(a, b)`` on the nested duals of a Hessian's pass (``levels`` = 2) or
    of the Jacobian of one (3) at ``x``."""
    def f(v):
        probe(v[0], v[1])
        return v[0] * v[1]
    if levels == 2:
        dg.hessian(f, np.array(x))
    else:
        dg.jacobian(lambda y: dg.hessian(f, y), np.array(x))


@pytest.mark.parametrize("levels", [2, 3])
@pytest.mark.parametrize("name", UNARY)
def test_unary_is_the_general_path_to_the_bit(name, levels):
    u = getattr(np, name)
    seen = []

    def probe(a, b):
        for d in (a, b, a * b, a - b):
            lean = u(d)
            general = _ufuncs.call(RULES[u], (d,))
            seen.append((lean, general))
    with np.errstate(all="ignore"):
        for x in POINTS:
            _compare_in(probe, x, levels)
    assert seen
    bad = [(lean, general) for lean, general in seen if not _same_bits(lean, general)]
    assert not bad, bad[:3]


@pytest.mark.parametrize("levels", [2, 3])
@pytest.mark.parametrize("label", [b[0] for b in BINARY])
def test_binary_is_the_general_path_to_the_bit(label, levels):
    _, op, u, args = next(b for b in BINARY if b[0] == label)
    seen = []

    def probe(a, b):
        for p, q in ((a, b), (a * b, b - a), (b, a)):
            lean = op(p, q)
            general = _ufuncs.call(RULES[u], args(p, q))
            seen.append((lean, general))
    with np.errstate(all="ignore"):
        for x in POINTS:
            _compare_in(probe, x, levels)
    bad = [(lean, general) for lean, general in seen if not _same_bits(lean, general)]
    assert not bad, bad[:3]


def test_the_lean_path_is_taken():
    """nested() answers for nested duals (so the bit tests above test it) and the square
    its own way; it declines plain duals, complex values and other tags."""
    calls = []

    def f(v):
        a, b = v[0], v[1]
        calls.append(_nested.nested(RULES[np.sin], (a,)) is not None)
        calls.append(_nested.nested(RULES[np.power], (a, 2)) is not None)
        calls.append(_nested.nested(RULES[np.maximum], (a, b)) is not None)
        calls.append(_nested.nested(RULES[np.power], (a, 1j)) is None)
        calls.append(_nested.nested(RULES[np.less], (a, b)) is None)      # a predicate
        return a * b
    dg.hessian(f, np.array([0.5, 1.5]))

    def g(v):
        calls.append(_nested.nested(RULES[np.sin], (v[0],)) is None)      # one level
        return v[0]
    dg.gradient(g, np.array([0.5, 1.5]))
    assert calls and all(calls), calls


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("n", [1, 2, 3, 5, 10, 16, 17, 40])
@pytest.mark.engine_independent
def test_rosenbrock(n, engine):
    x = np.linspace(-1.2, 1.3, n) if n > 1 else np.array([0.7])
    f = rosen if n > 1 else (lambda v: (1.0 - v[0]) ** 2)
    ref = rosen_hess(x) if n > 1 else np.array([[2.0]])
    with dg.engine(engine):
        for H in (dg.hessian(f, x), dg.jacobian(dg.grad(f), x), dg.hessian(f, x, chunk=3)):
            np.testing.assert_allclose(H, ref, rtol=1e-13, atol=1e-13)


def _element_rosen(v):          # the scalar loop: every operation on scalar duals
    total = 0.0
    for i in range(len(v) - 1):
        total = total + 100.0 * (v[i + 1] - v[i] ** 2) ** 2 + (1.0 - v[i]) ** 2
    return total


@pytest.mark.parametrize("n", [2, 4, 10])
def test_rosenbrock_element_loop(n):
    x = np.linspace(-1.1, 1.4, n)
    np.testing.assert_allclose(dg.hessian(_element_rosen, x), rosen_hess(x), rtol=1e-13,
                               atol=1e-13)


@pytest.mark.parametrize("n", [2, 6, 12])
def test_quadratic_forms(n):
    rng = np.random.default_rng(n)
    A = rng.normal(size=(n, n))
    b = rng.normal(size=n)
    x = rng.normal(size=n)

    def loop(v):                # elements and ** 2 on scalar duals
        s = 0.0
        for i in range(n):
            s = s + b[i] * v[i] + 0.5 * A[i, i] * v[i] ** 2
            for j in range(n):
                if j != i:
                    s = s + 0.5 * A[i, j] * v[i] * v[j]
        return s
    truth = (A + A.T) / 2
    np.testing.assert_allclose(dg.hessian(loop, x), truth, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(dg.hessian(lambda v: 0.5 * v @ A @ v + b @ v, x), truth,
                               rtol=1e-13, atol=1e-13)


def test_three_levels_against_closed_form_third_derivatives():
    def f(x):
        return x[0] ** 2 * x[1] ** 3 + np.exp(x[0]) * np.sin(x[1])
    x0, x1 = 0.7, -1.3
    e, s, c = math.exp(x0), math.sin(x1), math.cos(x1)
    T = np.empty((2, 2, 2))
    T[0, 0, 0] = e * s
    T[0, 0, 1] = T[0, 1, 0] = T[1, 0, 0] = 6 * x1 ** 2 + e * c
    T[0, 1, 1] = T[1, 0, 1] = T[1, 1, 0] = 12 * x0 * x1 - e * s
    T[1, 1, 1] = 6 * x0 ** 2 - e * c
    got = dg.jacobian(lambda y: dg.hessian(f, y), np.array([x0, x1]))
    np.testing.assert_allclose(got, T, rtol=1e-13, atol=1e-13)


def _mle(training_set, B, a, c, H, phi, Q):
    """user42's scalar Kalman log-likelihood (bench/hessian_small.py's copy)."""
    T = len(training_set)
    log_likelihood = - (T / 2) * np.log(2 * np.pi)
    predicted_mean = 0
    predicted_var = 1
    for t in range(T):
        y_mean = a + B * predicted_mean
        y_var = B * predicted_var * B + H
        v_t = training_set[t] - y_mean
        log_likelihood -= 0.5 * np.log(y_var)
        log_likelihood -= 0.5 * (v_t**2) / y_var
        k_t = predicted_var * B / y_var
        updated_mean = predicted_mean + k_t * v_t
        updated_var = (1 - k_t * B) * predicted_var
        predicted_mean = c + phi * updated_mean
        predicted_var = phi * updated_var * phi + Q
    return -log_likelihood


def test_kalman_against_differences_of_the_complex_step_gradient():
    rng = np.random.default_rng(3)
    y = (rng.normal(size=12) * 1.5).tolist()
    par = np.array([1.0, -1.27, 0.0, np.pi ** 2 / 2, 0.9, 0.09])

    def cstep(q):               # the gradient by complex steps (exact to rounding)
        g = np.empty(q.size)
        for i in range(q.size):
            z = q.astype(complex)
            z[i] += 1e-30j
            g[i] = _mle(y, *z).imag / 1e-30
        return g
    h = 1e-3                    # 8th-order central differences of it
    w = [4 / 5, -1 / 5, 4 / 105, -1 / 280]
    ref = np.empty((par.size, par.size))
    for j in range(par.size):
        col = 0.0
        for k, wk in enumerate(w, start=1):
            e = np.zeros(par.size)
            e[j] = k * h
            col = col + wk * (cstep(par + e) - cstep(par - e))
        ref[:, j] = col / h
    H = dg.hessian(lambda q: _mle(y, *q), par)
    np.testing.assert_allclose(H, ref, rtol=1e-7, atol=1e-7 * np.max(np.abs(ref)))
    np.testing.assert_array_equal(H, H.T)


def test_complex_values_stay_complex():
    """A complex number met inside a Hessian makes the complex class (the walk still
    runs where a type is not a real one): cos(x0) x1**2 through exp(1j x0)."""
    def f(v):
        return np.real(np.exp(1j * v[0]) * v[1] ** 2)
    x0, x1 = 0.3, -1.7
    truth = [[-math.cos(x0) * x1 ** 2, -2 * math.sin(x0) * x1],
             [-2 * math.sin(x0) * x1, 2 * math.cos(x0)]]
    np.testing.assert_allclose(dg.hessian(f, np.array([x0, x1])), truth, rtol=1e-14)
    kinds = []

    def g(v):
        z = np.exp(1j * v[0])
        kinds.append((type(z).complex_kind, type(z.value).complex_kind,
                      type(v[0] ** 2).complex_kind))
        return v[0] * v[1]
    dg.hessian(g, np.array([x0, x1]))
    assert kinds == [(True, True, False)]


def test_holds_complex_keeps_its_answers():
    """_holds_complex's shortcut answers 'real' only for floats and real instances."""
    cls, ccls = _scalar.scalar_class(2), _scalar.scalar_class(2, True)
    real = cls._from(1.0, [2.0, 3.0], 1)
    cplx = ccls._from(1.0, [2.0, 3j], 1)
    assert not _scalar._holds_complex(real, [real, 0.0])
    assert _scalar._holds_complex(real, [real, cplx])
    assert _scalar._holds_complex(cplx, [real, real])
    assert _scalar._holds_complex(real, [1j, real])
    assert _scalar._holds_complex(real, [np.complex128(1.0), real])
    assert not _scalar._holds_complex(1.0, [2.0, 3.0])


def test_threads():
    xs = [np.linspace(-1.0, 1.0, n) + 0.1 * k for k, n in enumerate([2, 3, 6, 10] * 2)]
    out = {}

    def work(k):
        for _ in range(5):
            out[k] = dg.hessian(rosen, xs[k])
    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(xs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k, x in enumerate(xs):
        np.testing.assert_allclose(out[k], rosen_hess(x), rtol=1e-13, atol=1e-13)


def test_errors_unchanged():
    """Where nested() declines, the general path's errors (an escaped dual, a
    non-differentiable argument) are raised as before."""
    kept = []

    def f(v):
        kept.append(v[0])
        return v[0] ** 2 * v[1]
    dg.hessian(f, np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="escaped|outside|returned"):
        np.sin(kept[0])
    with pytest.raises(TypeError, match="np.ldexp does not support dual numbers .it is not "
                       "differentiable in argument 2"):
        dg.hessian(lambda v: np.ldexp(v[1], v[0]), np.array([1.5, 2.0]))


def test_is_finite():
    """_ufuncs._is_finite of duals: the one-sum test and the walk agree with math."""
    cls = _scalar.scalar_class(3)
    inner = cls._from(1.0, [2.0, 1e308, 1e308], 1)         # the sum overflows: finite
    cases = [(cls._from(1.0, [2.0, 3.0, -4.0], 1), True),
             (inner, True),
             (cls._from(math.inf, [0.0, 0.0, 0.0], 1), False),
             (cls._from(1.0, [0.0, math.nan, 0.0], 1), False),
             (cls._from(1.0, [math.inf, -math.inf, 0.0], 1), False),
             (cls._from(-1e308, [-1e308, 0.0, 0.0], 1), True),
             (cls._from(inner, [inner, inner, inner], 2), True),
             (cls._from(inner, [inner, cls._from(1.0, [0.0, 0.0, math.inf], 1), inner], 2),
              False)]
    for d, finite in cases:
        assert _ufuncs._is_finite(d) is finite, d


def test_infinite_local_derivatives_keep_zero_partials():
    """sqrt at 0: the local derivative is infinite; a zero partial stays 0 (not NaN).
    f = sqrt(x0**2 + x1**2)... at x = (0, 1): d2f/dx1^2 = 0 (f = |x1| near there),
    d2f/dx0^2 = 1 / |x1| = 1, the mixed one 0 (closed form of the norm's Hessian)."""
    H = dg.hessian(lambda v: np.sqrt(v[0] ** 2 + v[1] ** 2), np.array([0.0, 1.0]))
    np.testing.assert_array_equal(H, [[1.0, 0.0], [0.0, 0.0]])
    H = dg.hessian(lambda v: np.sqrt(v[0]) * 0.0 + v[1] ** 2, np.array([1.0, 2.0]))
    np.testing.assert_array_equal(H, [[0.0, 0.0], [0.0, 2.0]])


def test_abs_at_a_zero_of_zero_gradient_takes_tie43s_break():
    """np.abs(y) of scalar duals where y = x0**2 + x1**2 reaches 0 with zero gradient:
    |y| = y there, Hessian 2 I (closed form); the lean path makes call's partials
    (its _kink_scalar step) at every level."""
    def f(v):
        return np.abs(v[0] ** 2 + v[1] ** 2)
    np.testing.assert_array_equal(dg.hessian(f, np.zeros(2)), 2 * np.eye(2))
    seen = []

    def g(v):
        y = v[0] ** 2 + v[1] ** 2
        seen.append(_same_bits(np.abs(y), _ufuncs.call(RULES[np.absolute], (y,))))
        seen.append(_same_bits(np.copysign(y, -2.0),
                               _ufuncs.call(RULES[np.copysign], (y, -2.0))))
        return y
    dg.hessian(g, np.zeros(2))
    assert seen == [True, True]
