"""Leftovers that raised or crashed on correct code (stop 39): np.insert, a linear f's
Hessian through np.array of scalar duals, dual constant_values= / left= / right= under
sparsity="auto", the tracer's fill_diagonal and joins with dtype= / out=, a numba
function inside f under sparsity="auto", dg.solve_ivp under sparsity="auto", and
np.unwrap's dual period.  Oracles: 8th-order central differences (h = 1e-3: every
case is smooth, or piecewise linear with no kink within 4h of the point), closed
forms, and NumPy's own values."""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.testing import numerical_jacobian

X = np.array([0.3, 0.7, 1.1, 0.45])


def _check(f, x=X, auto=True):
    """dense Jacobian == central differences; sparsity='auto' == dense; the detected
    pattern covers every nonzero; f's value on duals == NumPy's on floats."""
    want = numerical_jacobian(f, x)
    J = dg.jacobian(f, x)
    np.testing.assert_allclose(J, want, rtol=1e-9, atol=1e-10)
    if auto:
        Ja = dg.jacobian(f, x, sparsity="auto").toarray()
        np.testing.assert_array_equal(Ja, J)
        S = dg.sparsity(f, x).toarray()
        assert S[J != 0].all()
        G = dg.sparsity(f, x, mode="global").toarray()
        assert G[J != 0].all()
    return J


# ---- 1. np.insert ----------------------------------------------------------------------
def _outer(p):
    return np.outer(p[:3], p)


INSERT = {
    "scalar plain value": lambda p: np.insert(p, 1, 5.0),
    "dual value": lambda p: np.insert(p, 1, p[0] ** 2),
    "negative obj": lambda p: np.insert(p, -1, np.sin(p[2])),
    "array obj, list with a dual": lambda p: np.insert(p, [1, 3], [p[2] * p[3], 2.0]),
    "slice obj": lambda p: np.insert(p, slice(0, 3), p[1:] ** 2),
    "into plain": lambda p: np.insert(np.linspace(0.0, 1.0, 4), slice(1, 3), p[:2] * 3),
    "axis 0 row": lambda p: np.insert(_outer(p), 1, p * 2, axis=0).ravel(),
    "axis 1 scalar": lambda p: np.insert(_outer(p), 2, p[1], axis=1).ravel(),
    "axis 1 array obj": lambda p: np.insert(_outer(p), [0, 4], p[:3, None] ** 2,
                                            axis=1).ravel(),
    "scalar obj block": lambda p: np.insert(_outer(p), 1, [p[:3], p[1:]], axis=1).ravel(),
    "axis None flattens": lambda p: np.insert(_outer(p), 5, [p[0], p[3]]),
}


@pytest.mark.parametrize("name", sorted(INSERT))
def test_insert_against_differences_and_numpy(name):
    f = INSERT[name]
    _check(f)
    np.testing.assert_array_equal(np.asarray(dg.jvp(f, X, np.ones(4))[0]), f(X))


def test_insert_hessian():
    f = lambda p: np.sum(np.insert(p, 2, p[0] * p[1]) ** 2)          # noqa: E731
    H = dg.hessian(f, X)
    a, b = X[0], X[1]
    want = 2 * np.eye(4)
    want[0, 0] += 2 * b * b
    want[1, 1] += 2 * a * a
    want[0, 1] = want[1, 0] = 4 * a * b
    np.testing.assert_allclose(H, want, rtol=1e-13)
    np.testing.assert_allclose(dg.hessian(f, X, sparsity="auto").toarray(), want,
                               rtol=1e-13)


def test_insert_refuses_an_integer_array_and_a_dual_obj():
    with pytest.raises(TypeError, match="astype"):
        dg.jacobian(lambda p: np.insert(np.arange(3), 1, p[0]), X)
    with pytest.raises(TypeError, match="obj as integer positions"):
        dg.jacobian(lambda p: np.insert(p, p[0], 1.0), X)


# ---- 2. a linear f's Hessian through np.array of scalar duals ---------------------------
def test_hessian_of_linear_f_through_object_array_is_zero():
    f = lambda p: np.sum(np.array([p[0], p[1]]))                      # noqa: E731
    np.testing.assert_array_equal(dg.hessian(f, X), np.zeros((4, 4)))
    np.testing.assert_array_equal(dg.hessian(f, X, sparsity="auto").toarray(),
                                  np.zeros((4, 4)))
    np.testing.assert_array_equal(dg.jacobian(dg.grad(f), X), np.zeros((4, 4)))
    np.testing.assert_array_equal(dg.gradient(f, X), [1.0, 1.0, 0.0, 0.0])


def test_hessian_through_object_array_nonlinear():
    f = lambda p: np.sum(np.array([p[0] ** 2, p[1] * p[2], 3.0 * p[3]]))   # noqa: E731
    want = np.zeros((4, 4))
    want[0, 0], want[1, 2], want[2, 1] = 2.0, 1.0, 1.0
    np.testing.assert_allclose(dg.hessian(f, X), want, rtol=1e-14)
    np.testing.assert_allclose(dg.hessian(f, X, sparsity="auto").toarray(), want,
                               rtol=1e-14)


def test_hessian_guard_still_catches_a_swallowed_library_error():
    from scipy import stats

    def f(p):
        try:
            return stats.norm.logpdf(p[0])
        except Exception:            # noqa: BLE001 - the swallowed refusal under test
            return 0.0
    with pytest.raises(TypeError, match="without derivatives"):
        dg.hessian(f, X)


# ---- 3. dual constant_values= and left= / right= under sparsity="auto" ------------------
PAD = {
    "scalar": lambda p: np.pad(p, 1, constant_values=p[0]),
    "pair": lambda p: np.pad(p, (1, 2), constant_values=(p[0] ** 2, 3.0)),
    "per axis": lambda p: np.pad(_outer(p), ((1, 0), (2, 1)),
                                 constant_values=((p[0], p[1]), (p[2], 1.0))).ravel(),
    "array": lambda p: np.pad(_outer(p), 1, constant_values=p[2:]).ravel(),
}


@pytest.mark.parametrize("name", sorted(PAD))
def test_pad_dual_constants(name):
    _check(PAD[name])


XP = [0.2, 0.5, 1.0, 1.3]
INTERP = {
    "fp, left, right": lambda p: np.interp([0.0, 0.6, 5.0], XP, p, left=p[0] * 2,
                                           right=p[2] * p[3]),
    "x, left, right": lambda p: np.interp(p * 2, XP, [1.0, 2.0, 3.0, 2.5],
                                          left=p[1] ** 2, right=p[0]),
    "plain left, dual right": lambda p: np.interp(p * 2, XP, p, left=-1.0, right=p[0]),
    "left only": lambda p: np.interp([0.1, 0.3], XP, p, left=np.exp(p[3])),
}


@pytest.mark.parametrize("name", sorted(INTERP))
def test_interp_dual_ends(name):
    _check(INTERP[name])


# ---- 4. the tracer's fill_diagonal, and joins with dtype= / out= ------------------------
@pytest.mark.parametrize("wrap,shape", [(False, None), (True, (12, 3)), (False, (12, 3)),
                                        (False, (3, 12))])
@pytest.mark.parametrize("val", ["array", "scalar", "short", "plain"])
def test_fill_diagonal(val, wrap, shape):
    v = {"array": lambda p: p[1:] ** 2, "scalar": lambda p: p[0] * p[1],
         "short": lambda p: p[:2], "plain": lambda p: 2.0}[val]

    def f(p):
        A = np.outer(p[:3], p) if shape is None else \
            np.outer(p[:3], np.concatenate([p, p, p])).reshape(shape)
        if shape is None:
            A = A[:, :3] + 0.0
        np.fill_diagonal(A, v(p), wrap=wrap)
        return A.ravel()
    _check(f)


def test_joins_with_dtype_and_out():
    _check(lambda p: np.stack([p, p * 2], dtype=np.float64).ravel())
    _check(lambda p: np.concatenate([p, p ** 2], dtype=float))

    def cat_out(p):
        o = np.zeros_like(p, shape=(8,))
        np.concatenate([p, p ** 2], out=o)
        return o

    def stack_out(p):
        o = np.zeros_like(p, shape=(2, 4))
        r = np.stack([p, np.sin(p)], out=o)
        return r.ravel() + o.ravel()
    _check(cat_out)
    _check(stack_out)
    with pytest.raises(TypeError, match="integer"):
        dg.jacobian(lambda p: np.stack([p, p], dtype=int).ravel() * 1.0, X,
                    sparsity="auto")

    def plain_out(p):
        o = np.zeros(8)
        np.concatenate([p, p], out=o)
        return o
    with pytest.raises(TypeError, match="plain NumPy array"):
        dg.jacobian(plain_out, X, sparsity="auto")


# ---- 5. a numba function inside f under sparsity="auto" ---------------------------------
def test_numba_inside_f_names_the_fix():
    numba = pytest.importorskip("numba")

    @numba.njit
    def g(a):
        return a * a

    @numba.njit
    def f(p):
        out = np.empty_like(p)
        for i in range(p.shape[0]):
            out[i] = g(p[i])
        return out
    np.testing.assert_allclose(dg.jacobian(f, X), np.diag(2 * X), rtol=1e-15)
    with pytest.raises(TypeError, match=r"sparsity=None.*dg\.sparsity\(f_numpy, x\)"):
        dg.jacobian(f, X, sparsity="auto")
    with pytest.raises(TypeError, match="numba"):
        dg.sparsity(lambda p: f(p) + 1.0, X)


# ---- 6. dg.solve_ivp under sparsity="auto" ----------------------------------------------
def test_solve_ivp_traced_conservatively():
    def f(p):
        sol = dg.solve_ivp(lambda t, y, a: np.concatenate([-p[:1] * y[:1], -a * y[1:]]),
                           (0.0, 1.0 + p[3]), p[1:3], args=(p[2],), rtol=1e-11,
                           atol=1e-12, dense_output=True)
        return np.concatenate([sol.y[:, -1], sol.sol(0.5), 2.0 * p[:1]])
    S = dg.sparsity(f, X).toarray()
    assert S[:4].all() and S[4].tolist() == [True, False, False, False]
    Ja = dg.jacobian(f, X, sparsity="auto").toarray()
    np.testing.assert_array_equal(Ja, dg.jacobian(f, X))
    # closed form: y0(t) = p1 exp(-p0 t), y1(t) = p2 exp(-p2 t); T = 1 + p3
    p0, p1, p2, p3 = X
    T = 1.0 + p3
    want = np.array([
        [-p1 * T * np.exp(-p0 * T), np.exp(-p0 * T), 0, -p0 * p1 * np.exp(-p0 * T)],
        [0, 0, (1 - p2 * T) * np.exp(-p2 * T), -p2 * p2 * np.exp(-p2 * T)],
        [-p1 * 0.5 * np.exp(-p0 * 0.5), np.exp(-p0 * 0.5), 0, 0],
        [0, 0, (1 - p2 * 0.5) * np.exp(-p2 * 0.5), 0],
        [2.0, 0, 0, 0]])
    np.testing.assert_allclose(Ja, want, rtol=1e-7, atol=1e-9)


def test_solve_ivp_untraced_parts_and_events_under_auto():
    def plain(p):                    # the ODE does not depend on p: SciPy's own result
        sol = dg.solve_ivp(lambda t, y: -y, (0.0, 1.0), [1.0])
        return p * sol.y[0, -1]
    S = dg.sparsity(plain, X).toarray()
    np.testing.assert_array_equal(S, np.eye(4, dtype=bool))

    def with_events(p):
        sol = dg.solve_ivp(lambda t, y: -p[:1] * y, (0.0, 1.0), [1.0],
                           events=lambda t, y: y[0] - 0.1)
        return sol.y[:, -1]
    with pytest.raises(TypeError, match="no events="):
        dg.sparsity(with_events, X)


# ---- 7. np.unwrap's dual period ---------------------------------------------------------
PHASE = np.array([0.1, 3.0, 6.0, 9.5, 2.0, -4.0])


def test_unwrap_dual_period():
    f = lambda p: np.unwrap(PHASE * p[1] + p[:1], period=p[0] + 6.0)     # noqa: E731
    J = _check(f, auto=False)
    assert np.any(J[:, 0] != 1.0)       # the whole periods added move with the period
    np.testing.assert_array_equal(dg.jvp(f, X, np.ones(4))[0], f(X))
    g = lambda p: np.unwrap(np.concatenate([PHASE, p * 5]), discont=4.0,  # noqa: E731
                            period=p[1] * 9)
    _check(g, auto=False)


def test_unwrap_plain_p_dual_period_names_the_spelling():
    with pytest.raises(TypeError, match=r"np\.unwrap\(p \+ 0\.0 \* period"):
        dg.jacobian(lambda p: np.unwrap(PHASE, period=p[0] + 6.0), X)
    f = lambda p: np.unwrap(PHASE + 0.0 * p[0], period=p[0] + 6.0)      # noqa: E731
    _check(f, auto=False)


# ---- a complex value joined into a real array (attack31): NumPy casts it to float and
# drops the imaginary part; a joined dual would have kept it, silently complex ----------
X3 = np.array([0.3, 0.8, 1.1])
COMPLEX_INTO_REAL = {
    "insert dual value": lambda x: np.insert(x, 1, x[0] * (1 + 2j)),
    "insert plain complex": lambda x: np.insert(x, 1, 2j),
    "insert into a plain array": lambda x: np.insert(np.ones(3), 1, x[0] * (1 + 2j)),
    "pad constant": lambda x: np.pad(x, 1, constant_values=x[0] * (1 + 1j)),
    "pad pair": lambda x: np.pad(x, 1, constant_values=(x[0], x[1] * 1j)),
}


@pytest.mark.parametrize("name", list(COMPLEX_INTO_REAL))
def test_a_complex_value_joined_into_a_real_array_is_refused(name):
    with pytest.raises(TypeError, match=r"astype\(complex\).*np\.real"):
        dg.jacobian(COMPLEX_INTO_REAL[name], X3)


def test_the_advised_complex_array_gives_the_complex_derivative():
    """The fix the message names: the array made complex first; analytic Jacobians."""
    J = dg.jacobian(lambda x: np.insert(x.astype(complex), 1, x[0] * (1 + 2j)), X3)
    want = np.array([[1, 0, 0], [1 + 2j, 0, 0], [0, 1, 0], [0, 0, 1]])
    np.testing.assert_array_equal(J, want)
    J = dg.jacobian(lambda x: np.pad(x.astype(complex), 1, constant_values=x[0] * (1 + 1j)),
                    X3)
    want = np.array([[1 + 1j, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1 + 1j, 0, 0]])
    np.testing.assert_array_equal(J, want)
    J = dg.jacobian(lambda x: np.insert(x, 1, np.real(x[0] * (1 + 2j))), X3)   # real part
    np.testing.assert_array_equal(J, [[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
