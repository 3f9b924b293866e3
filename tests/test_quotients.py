"""fmod, remainder (``%``) and floor_divide (``//``): the quotient behind each derivative.

d fmod(x, y)/dy and d remainder(x, y)/dy are ``-q``, ``q`` the integer NumPy's float
call used: ``out == x - q * y``.  Where ``x / y`` rounds up to an integer that ``q`` is
one less than ``trunc(x / y)`` or numba's ``floor(x / y)`` (``fmod(1.0, 0.1)`` is
``1.0 - 9 * 0.1``, x / y is 10.0): an outside attack (attack30) found d/dy -10 for the
truth -9 on 77 of 400 decimal grid points, on every path and inside ``@njit``.

Oracle: NumPy's float call for the value, and mpmath's exact ``(x - out) / y`` of
NumPy's ``out`` for the quotient (an integer for fmod, which is exact; rounded to the
nearest integer for remainder, whose ``mod + y`` may round).
"""

import math

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg

_DECIMAL = np.round(np.arange(1, 101) * 0.1, 10)


def _grid():
    """The attack's decimal grid (x = 0.1 .. 10.0, y in 0.1, 0.2, 0.3, 0.7) with signs,
    and random magnitudes."""
    rng = np.random.default_rng(39)
    xs = np.concatenate([_DECIMAL, -_DECIMAL[::7],
                         rng.standard_normal(40) * 10.0 ** rng.integers(-6, 9, 40)])
    ys = np.array([0.1, 0.2, 0.3, 0.7, -0.1, -0.3, 1e-3, 2.5, -7.25])
    X, Y = (a.ravel() for a in np.meshgrid(xs, ys))
    return X, Y


def _quotients(x, y, out):
    """mpmath's exact (x - out) / y, to the nearest integer, per element."""
    with mp.workdps(1200):
        return np.array([float(mp.nint((mp.mpf(a) - mp.mpf(r)) / mp.mpf(b)))
                         for a, b, r in zip(x.tolist(), y.tolist(), out.tolist())])


X, Y = _grid()
_FMOD = np.fmod(X, Y)
_REM = np.remainder(X, Y)
Q_FMOD = _quotients(X, Y, _FMOD)
Q_REM = _quotients(X, Y, _REM)


def test_the_grid_reaches_the_quotients_trunc_and_floor_miss():
    """The oracle is not the old formula: trunc(x / y) differs from fmod's quotient,
    and floor(x / y) from remainder's, on this grid (77 of the attack's 400 points)."""
    assert (np.trunc(X / Y) != Q_FMOD).sum() >= 77
    assert (np.floor(X / Y) != Q_REM).sum() >= 77
    # NumPy's floor_divide is the quotient its remainder used
    np.testing.assert_array_equal(np.floor_divide(X, Y), Q_REM)


@pytest.mark.parametrize("name", ["fmod", "remainder"])
def test_arrays_give_minus_the_quotient_numpy_used(name):
    fn, q = (np.fmod, Q_FMOD) if name == "fmod" else (np.remainder, Q_REM)
    dx, dy = dg.elementwise_grad(lambda a, b: fn(a, b), argnums=(0, 1))(X, Y)
    np.testing.assert_array_equal(dy, -q)
    np.testing.assert_array_equal(dx, np.ones_like(X))
    # inside a composition (the fused engine's kernels), and the values
    g = dg.elementwise_grad(lambda a, b: 2.0 * fn(a, b) + b, argnums=1)(X, Y)
    np.testing.assert_array_equal(g, 1.0 - 2.0 * q)
    v, t = dg.jvp(lambda b: fn(X, b), Y, np.ones_like(Y))
    np.testing.assert_array_equal(v, fn(X, Y))
    np.testing.assert_array_equal(t, -q)


@pytest.mark.parametrize("spelling", ["np.fmod", "np.remainder", "%"])
def test_scalars_give_minus_the_quotient_numpy_used(spelling):
    """Scalar duals (their fast path on Python floats, the twins) and Python's ``%``."""
    fn = {"np.fmod": np.fmod, "np.remainder": np.remainder, "%": lambda a, b: a % b}[spelling]
    q = Q_FMOD if "fmod" in spelling else Q_REM
    for i in range(0, X.size, 3):
        x, y = float(X[i]), float(Y[i])
        assert dg.derivative(lambda b: fn(x, b), y) == -q[i], (spelling, x, y)
        assert dg.derivative(lambda a: fn(a, y), x) == 1.0
        g = dg.gradient(lambda p: fn(p[0], p[1]), np.array([x, y]))
        np.testing.assert_array_equal(g, [1.0, -q[i]], err_msg=f"{spelling} {x} {y}")


def test_hessian_of_fmod_is_zero_off_the_jumps():
    """The second derivative: rint of the quotient is locally constant."""
    H = dg.hessian(lambda p: np.fmod(p[0], p[1]) * p[1], np.array([1.0, 0.1]))
    # f = fmod(x, y) * y = (x - 9 y) y: d2/dy2 = -18, d2/dxdy = 1
    np.testing.assert_array_equal(H, [[0.0, 1.0], [1.0, -18.0]])


def test_floor_divide_values_are_numpys_and_its_derivative_is_zero():
    for i in range(0, X.size, 5):
        x, y = float(X[i]), float(Y[i])
        v, t = dg.jvp(lambda p: np.array([p[0] // p[1], np.floor_divide(p[0], p[1])]),
                      np.array([x, y]), np.array([1.0, 1.0]))
        np.testing.assert_array_equal(v, [np.floor_divide(x, y)] * 2)
        np.testing.assert_array_equal(t, [0.0, 0.0])


# ---- inside users' @njit code (dualgrad/jit/) -----------------------------------------------
numba = pytest.importorskip("numba")


def _loop(fn):
    @numba.njit
    def run(p, q):
        out = np.empty_like(p)
        for i in range(len(p)):
            out[i] = fn(p[i], q[i])
        return out
    return run


_JIT = {"%": lambda a, b: a % b, "//": lambda a, b: a // b,
        "np.remainder": np.remainder, "np.floor_divide": np.floor_divide,
        "np.fmod": np.fmod, "math.fmod": math.fmod}


@pytest.mark.parametrize("spelling", list(_JIT))
@pytest.mark.engine_independent
def test_jitted_quotients_are_numpys_values_and_derivatives(spelling):
    """numba's own np.floor_divide is floor(x / y) (10.0 at (1.0, 0.1), NumPy 9.0) and its
    np.remainder 0.0 where NumPy's is -0.0; a dual's value is NumPy's, bit for bit, and
    its partials -q (0 for //)."""
    fn = _JIT[spelling]
    run = _loop(numba.njit(fn) if spelling in ("%", "//") else fn)
    n = X.size
    p = dg.Dual(X, np.tile([1.0, 0.0], (n, 1)))
    q = dg.Dual(Y, np.tile([0.0, 1.0], (n, 1)))
    with np.errstate(all="ignore"):
        r = run(p, q)
    numpy_fn = {"%": np.remainder, "//": np.floor_divide, "math.fmod": np.fmod}.get(
        spelling, fn)
    want = numpy_fn(X, Y)
    np.testing.assert_array_equal(r.value, want, strict=True)
    assert (np.signbit(r.value) == np.signbit(want)).all()
    P = np.asarray(r.partials)
    if "floor" in spelling or spelling == "//":
        np.testing.assert_array_equal(P, np.zeros((n, 2)))
    else:
        quotient = Q_FMOD if "fmod" in spelling else Q_REM
        np.testing.assert_array_equal(P, np.stack([np.ones(n), -quotient], axis=1))


@pytest.mark.engine_independent
def test_jitted_divmod_is_numpys_bit_for_bit_at_special_values():
    """The value function itself, on zeros, infinities, NaN, huge and tiny operands."""
    from dualgrad.jit._derivatives import _divmod
    special = np.array([0.0, -0.0, 1.0, -1.0, 0.1, -0.3, 2.5, 1e308, -1e308, 5e-324,
                        -5e-324, np.inf, -np.inf, np.nan])
    a, b = (v.ravel() for v in np.meshgrid(np.concatenate([special, X[::11]]), special))
    with np.errstate(all="ignore"):
        fd, rem = np.floor_divide(a, b), np.remainder(a, b)
        got = np.array([_divmod(u, v) for u, v in zip(a, b)])
    for want, have in ((fd, got[:, 0]), (rem, got[:, 1])):
        np.testing.assert_array_equal(have, want)
        assert (np.signbit(have) == np.signbit(want))[~np.isnan(want)].all()


@pytest.mark.engine_independent
def test_a_jitted_loop_to_t_floor_dt_runs_numpys_step_count():
    """``while k < T // dt``: the dual pass takes the float pass's branches (9 steps at
    T = 1.0, dt = 0.1; numba's np.floor_divide made it 10)."""
    @numba.njit
    def steps(p):
        n = p[0] // p[1]
        s = p[0] * 0.0
        k = 0.0
        while k < n:
            s = s + p[1]
            k += 1.0
        return s
    x = np.array([1.0, 0.1])
    assert steps(x) == sum([0.1] * 9)            # nine steps on floats
    np.testing.assert_array_equal(dg.gradient(steps, x), [0.0, 9.0])
