"""nan59: a NaN gradient entry's derivative in every nesting of the helpers.

attack56 07 / diff57 S2: ``f = hypot(sqrt(x0), 1 + x1) + x0 x2`` at (0, 0.5, 1.3) is
``sqrt(x0 + (1 + x1)**2) + x0 x2``, smooth at x0 = 0+, with the exact mixed partial
``d2f / dx0 dx1 = -w / (2 r**3)`` (w = 1 + x1, r = hypot(0, w) = 1.5).  Its gradient
entry g_0 is NaN (``(s / r) * ds/dx0 = 0 * inf``); ``dg.hessian`` and
``dg.jacobian(dg.grad(f), x)`` gave NaN for H[0, 1], every other nesting 0.0 (the zero
rule's term ``inf * d/dx1 (s / r)`` with ``d/dx1 (s / r) = 0`` at s = 0).  An entry is the
closed form or NaN, never another number.
"""

import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _fused

ENGINES = ["eager", "fused"]
X = np.array([0.0, 0.5, 1.3])
W, R = 1.5, 1.5
H01 = -W / (2 * R ** 3)                     # closed form, -0.2222...

SPELLINGS = {
    "scalar": lambda x: np.hypot(np.sqrt(x[0]), 1.0 + x[1]) + x[0] * x[2],
    "array": lambda x: np.sum(np.hypot(np.sqrt(x[[0]]), 1.0 + x[[1]])) + x[0] * x[2],
    "slice": lambda x: np.sum(np.hypot(np.sqrt(x[:1]), 1.0 + x[1:2])) + x[0] * x[2],
}

NESTINGS = {
    "jacobian(gradient)": lambda f: dg.jacobian(lambda y: dg.gradient(f, y), X),
    "jacobian(gradient, chunk=1)": lambda f: dg.jacobian(lambda y: dg.gradient(f, y, chunk=1),
                                                         X),
    "jacobian(grad closure)": lambda f: dg.jacobian(lambda y: dg.grad(f)(y), X),
    "jacobian(grad closure), chunk=1": lambda f: dg.jacobian(lambda y: dg.grad(f)(y), X,
                                                             chunk=1),
    "jacobian(jacobian)": lambda f: dg.jacobian(lambda y: dg.jacobian(f, y), X),
    "jacobian(value_and_grad)": lambda f: dg.jacobian(
        lambda y: dg.value_and_grad(f)(y)[1], X),
    "jacfwd(jacfwd)": lambda f: dg.jacfwd(dg.jacfwd(f))(X),
    "jacfwd(grad)": lambda f: dg.jacfwd(dg.grad(f))(X),
    "jacobian(grad)": lambda f: dg.jacobian(dg.grad(f), X),
    "hessian": lambda f: dg.hessian(f, X),
    "hessian chunk=1": lambda f: dg.hessian(f, X, chunk=1),
}


def _entry_or_nan(got, exact):
    assert np.isnan(got) or got == pytest.approx(exact, rel=1e-14), (got, exact)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("spell", sorted(SPELLINGS))
@pytest.mark.parametrize("nest", sorted(NESTINGS))
def test_mixed_partial_beside_a_nan_gradient_entry(engine, spell, nest):
    with warnings.catch_warnings(), _fused.engine(engine):
        warnings.simplefilter("ignore", RuntimeWarning)
        J = np.asarray(NESTINGS[nest](SPELLINGS[spell]))
    _entry_or_nan(J[0, 1], H01)
    _entry_or_nan(J[1, 0], H01)
    # the entries through finite gradient entries: closed forms (H11 = x0 / r**3 = 0,
    # H12 = H22 = 0, d_0 g_2 = 1)
    assert J[1, 1] == 0.0 and J[1, 2] == 0.0 and J[2, 2] == 0.0 and J[2, 0] == 1.0


@pytest.mark.parametrize("engine", ENGINES)
def test_nested_derivatives_beside_a_nan_first_level(engine):
    """dg.derivative in dg.derivative, and dg.gradient's scalar pass in dg.derivative:
    d/dt of the NaN d/ds is NaN, not -0.0."""
    f = SPELLINGS["scalar"]
    with warnings.catch_warnings(), _fused.engine(engine):
        warnings.simplefilter("ignore", RuntimeWarning)
        d = dg.derivative(lambda t: dg.derivative(
            lambda s: f(np.array([s, 0.5 + t, 1.3])), 0.0), 0.0)
        g = dg.derivative(lambda t: dg.grad(lambda s: f(np.array([s, 0.5 + t, 1.3])))(0.0),
                          0.0)
        v = dg.derivative(lambda t: dg.value_and_grad(
            lambda s: f(np.array([s, 0.5 + t, 1.3])))(0.0)[1], 0.0)
    for got in (d, g, v):
        _entry_or_nan(got, H01)


@pytest.mark.parametrize("engine", ENGINES)
def test_the_same_function_spelled_smooth_is_exact_in_every_nesting(engine):
    """Control: ``sqrt(x0 + (1 + x1)**2) + x0 x2`` (no 0 * inf) keeps the closed forms,
    H00 = -1 / (4 r**3), H01 = -w / (2 r**3), H02 = 1."""
    f = lambda x: np.sqrt(x[0] + (1.0 + x[1]) ** 2) + x[0] * x[2]     # noqa: E731
    want = np.array([[-1 / (4 * R ** 3), H01, 1.0], [H01, 0.0, 0.0], [1.0, 0.0, 0.0]])
    with _fused.engine(engine):
        for nest in NESTINGS.values():
            np.testing.assert_allclose(np.asarray(nest(f)), want, rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("engine", ENGINES)
def test_infinite_outer_partials_of_a_nan_entry_stay(engine):
    """x1**1.5 spelled sqrt(x1) x1 beside x0 x2, third level: d_1 of the Hessian's
    entries is -inf / +inf or NaN (an infinity is kept; never a finite number), and
    the finite entries elsewhere stay exact (d_0 H[2, 0] = 0)."""
    f = lambda x: np.sqrt(x[1]) * x[1] + x[0] * x[2]      # noqa: E731
    x = np.array([0.7, 0.0, 1.3])
    with warnings.catch_warnings(), _fused.engine(engine):
        warnings.simplefilter("ignore", RuntimeWarning)
        T = dg.jacobian(lambda y: dg.hessian(f, y), x)
    assert np.isnan(T[1, 1, 1]) or T[1, 1, 1] == -np.inf       # -3 / (8 x1**1.5)
    assert T[0, 2, 0] == 0.0 and T[2, 0, 2] == 0.0 and T[0, 0, 0] == 0.0


# attack59 05 (the lead's note 08:44): beside a NaN gradient entry the nestings give NaN
# for every finite outer partial of it, entries dg.hessian keeps among them (H02 = 1 of
# attack56 07, the zeros of x0**1.5 + x1): a loss, never a wrong number.  Every entry of
# every nesting is the closed form (one-sided at x0 = 0+) or NaN.
_INF = np.inf
_LOST = {
    "sqrt(x0)**3 + x1": (lambda v: np.sqrt(v[0]) ** 3 + v[1],
                         [[_INF, 0, 0], [0, 0, 0], [0, 0, 0]]),
    "x0**1.5 + x1 x2": (lambda v: v[0] ** 1.5 + v[1] * v[2],
                        [[_INF, 0, 0], [0, 0, 1], [0, 1, 0]]),
    "sqrt(x0)**3 * x1": (lambda v: np.sqrt(v[0]) ** 3 * v[1],
                         [[_INF, 0, 0], [0, 0, 0], [0, 0, 0]]),
    "attack56 07": (SPELLINGS["scalar"],
                    [[-1 / (4 * R ** 3), H01, 1], [H01, 0, 0], [1, 0, 0]]),
    "sqrt(x0) x0 + x2": (lambda v: np.sqrt(v[0]) * v[0] + v[2],
                         [[_INF, 0, 0], [0, 0, 0], [0, 0, 0]]),
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", sorted(_LOST))
@pytest.mark.parametrize("nest", sorted(NESTINGS))
def test_every_entry_beside_a_nan_gradient_entry_is_exact_or_nan(engine, case, nest):
    f, exact = _LOST[case]
    exact = np.array(exact, dtype=float)
    with warnings.catch_warnings(), _fused.engine(engine):
        warnings.simplefilter("ignore", RuntimeWarning)
        J = np.asarray(NESTINGS[nest](f))
    for got, want in zip(J.ravel(), exact.ravel()):
        assert np.isnan(got) or got == pytest.approx(want, rel=1e-14, abs=0), (got, want)


# attack59 13 (a regression of c7290a5): an inner entry NaN because the input is NaN has
# finite outer partials, and they are the derivatives (the API: NaN propagates to what
# depends on it; JAX gives the same): d2/dt2 t**2 at NaN is 2.0.
@pytest.mark.parametrize("engine", ENGINES)
def test_a_nan_input_keeps_its_second_derivatives(engine):
    f = lambda z: z[0] ** 2 + z[1] * z[2]                 # noqa: E731
    x = np.array([np.nan, 1.0, 2.0])
    want = np.array([[2.0, 0, 0], [0, 0, 1], [0, 1, 0]])
    with warnings.catch_warnings(), _fused.engine(engine):
        warnings.simplefilter("ignore", RuntimeWarning)
        assert dg.derivative(lambda s: dg.derivative(lambda t: t * t, s), np.nan) == 2.0
        assert dg.derivative(lambda s: dg.derivative(np.square, s), np.nan) == 2.0
        for J in (dg.jacobian(lambda y: dg.gradient(f, y), x), dg.jacobian(dg.grad(f), x),
                  dg.jacobian(lambda y: dg.jacobian(f, y), x), dg.hessian(f, x)):
            np.testing.assert_array_equal(np.asarray(J), want)
