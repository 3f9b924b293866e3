"""dualgrad.scipy: SciPy's functions that convert their input, taking dual numbers.

Plain input: SciPy's own result, bit for bit, and SciPy's own errors.  Duals: the
derivatives against 8th-order central differences of SciPy's own function, against
the analytic forms (d logdet = tr(A^-1 dA), d inv = -A^-1 dA A^-1, d cho_solve =
-A^-1 dA x), nested (Hessians against differences of differences), batched and
complex inputs where SciPy 1.17 takes them.
"""

import re
import subprocess
import sys

import numpy as np
import pytest

sl = pytest.importorskip("scipy.linalg")
sc = pytest.importorskip("scipy.special")

import dualgrad as dg  # noqa: E402
import dualgrad.scipy.linalg as dl  # noqa: E402
import dualgrad.scipy.special as ds  # noqa: E402

RNG = np.random.default_rng(42)
M = 4
_B = RNG.standard_normal((M, M))
SPD = _B @ _B.T + M * np.eye(M)                       # symmetric positive definite
GEN = RNG.standard_normal((M, M)) + 3 * np.eye(M)     # general, well conditioned
TRI = np.tril(RNG.standard_normal((M, M))) + 3 * np.eye(M)
VEC = RNG.standard_normal(M)
MAT = RNG.standard_normal((M, 2))
_C = [4 / 5, -1 / 5, 4 / 105, -1 / 280]               # 8th-order central differences
_C4 = [2 / 3, -1 / 12]                                  # 4th-order


def _cd(f, x, h=1e-3, weights=_C):
    """Jacobian of ``f`` at ``x`` (any shapes; ``f(x).shape + x.shape``), 8th order
    (or the order of ``weights``)."""
    x = np.asarray(x, dtype=float)
    cols = []
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = h
        e = e.reshape(x.shape)
        cols.append(sum(c * (np.asarray(f(x + (k + 1) * e)) - np.asarray(f(x - (k + 1) * e)))
                        for k, c in enumerate(weights)) / h)
    return np.stack(cols, axis=-1).reshape(np.shape(f(x)) + x.shape)


def _hess_cd(f, x, h=1e-3):
    """4th-order differences of 4th-order differences: truncation ~h**4 (1e-12) and
    rounding ~eps / h**2 (2e-10) relative, under the Hessians' 1e-7 / 1e-8; a quarter of
    the calls of 8th-order ones (9 inputs: 37**2 calls of f instead of 73**2)."""
    return _cd(lambda y: _cd(f, y, h, _C4), x, h, _C4)


def _close(got, want, rtol=1e-9):
    scale = max(1.0, np.max(np.abs(want)))
    np.testing.assert_allclose(got, want, rtol=0, atol=rtol * scale)


# name: (dualgrad.scipy function of x, SciPy's function of x, point)
CASES = {
    "cholesky": (lambda x: dl.cholesky(x), lambda x: sl.cholesky(x), SPD),
    "cholesky_lower": (lambda x: dl.cholesky(x, lower=True),
                       lambda x: sl.cholesky(x, lower=True), SPD),
    "cho_factor": (lambda x: dl.cho_factor(x)[0], lambda x: sl.cho_factor(x)[0], SPD),
    "cho_factor_lower": (lambda x: dl.cho_factor(x, lower=True)[0],
                         lambda x: sl.cho_factor(x, lower=True)[0], SPD),
    "cho_solve": (lambda x: dl.cho_solve(dl.cho_factor(x), MAT),
                  lambda x: sl.cho_solve(sl.cho_factor(x), MAT), SPD),
    "cho_solve_lower_b": (lambda x: dl.cho_solve(sl.cho_factor(SPD, lower=True), x),
                          lambda x: sl.cho_solve(sl.cho_factor(SPD, lower=True), x), VEC),
    "solve_triangular": (lambda x: dl.solve_triangular(x, VEC, lower=True),
                         lambda x: sl.solve_triangular(x, VEC, lower=True), TRI),
    "solve_triangular_T": (lambda x: dl.solve_triangular(x.T, MAT, trans="T"),
                           lambda x: sl.solve_triangular(x.T, MAT, trans="T"), TRI),
    "solve_triangular_unit": (lambda x: dl.solve_triangular(x, x[:, :2], trans=1, lower=True,
                                                            unit_diagonal=True),
                              lambda x: sl.solve_triangular(x, x[:, :2], trans=1, lower=True,
                                                            unit_diagonal=True), TRI),
    "solve": (lambda x: dl.solve(x, VEC), lambda x: sl.solve(x, VEC), GEN),
    "solve_transposed": (lambda x: dl.solve(x, MAT, transposed=True),
                         lambda x: sl.solve(x, MAT, transposed=True), GEN),
    "solve_b": (lambda x: dl.solve(GEN, x), lambda x: sl.solve(GEN, x), MAT),
    "solve_pos": (lambda x: dl.solve(x, VEC, assume_a="pos"),
                  lambda x: sl.solve(x, VEC, assume_a="pos"), SPD),
    "solve_sym_lower": (lambda x: dl.solve(x, VEC, assume_a="sym", lower=True),
                        lambda x: sl.solve(x, VEC, assume_a="sym", lower=True), SPD),
    "solve_diagonal": (lambda x: dl.solve(x, VEC, assume_a="diagonal"),
                       lambda x: sl.solve(x, VEC, assume_a="diagonal"), SPD),
    "solve_tridiagonal": (lambda x: dl.solve(x, VEC, assume_a="tridiagonal"),
                          lambda x: sl.solve(x, VEC, assume_a="tridiagonal"), SPD),
    "solve_upper_triangular": (lambda x: dl.solve(x, VEC, assume_a="upper triangular"),
                               lambda x: sl.solve(x, VEC, assume_a="upper triangular"), GEN),
    "inv": (lambda x: dl.inv(x), lambda x: sl.inv(x), GEN),
    "inv_pos": (lambda x: dl.inv(x, assume_a="pos", lower=True),
                lambda x: sl.inv(x, assume_a="pos", lower=True), SPD),
    "det": (lambda x: dl.det(x), lambda x: sl.det(x), GEN),
    "lu_factor": (lambda x: dl.lu_factor(x)[0], lambda x: sl.lu_factor(x)[0], GEN),
    "lu_solve": (lambda x: dl.lu_solve(dl.lu_factor(x), MAT),
                 lambda x: sl.lu_solve(sl.lu_factor(x), MAT), GEN),
    "lu_solve_trans": (lambda x: dl.lu_solve(dl.lu_factor(x), VEC, trans=1),
                       lambda x: sl.lu_solve(sl.lu_factor(x), VEC, trans=1), GEN),
    "eigh_values": (lambda x: dl.eigh(x, eigvals_only=True),
                    lambda x: sl.eigh(x, eigvals_only=True), SPD),
    "eigh_upper": (lambda x: dl.eigh(x, lower=False)[0],
                   lambda x: sl.eigh(x, lower=False)[0], SPD),
    "expm": (lambda x: dl.expm(x), lambda x: sl.expm(x), GEN / 4),
    "logsumexp": (lambda x: ds.logsumexp(x), lambda x: sc.logsumexp(x), GEN),
    "logsumexp_axis_b": (lambda x: ds.logsumexp(x, axis=1, b=SPD, keepdims=True),
                         lambda x: sc.logsumexp(x, axis=1, b=SPD, keepdims=True), GEN),
    "logsumexp_b": (lambda x: ds.logsumexp(GEN, axis=(0, 1), b=x),
                    lambda x: sc.logsumexp(GEN, axis=(0, 1), b=x), SPD),
    "logsumexp_sign": (lambda x: ds.logsumexp(x, axis=0, b=GEN, return_sign=True)[0],
                       lambda x: sc.logsumexp(x, axis=0, b=GEN, return_sign=True)[0], SPD),
    "softmax": (lambda x: ds.softmax(x, axis=1), lambda x: sc.softmax(x, axis=1), GEN),
    "softmax_all": (lambda x: ds.softmax(x), lambda x: sc.softmax(x), GEN),
    "log_softmax": (lambda x: ds.log_softmax(x, axis=0), lambda x: sc.log_softmax(x, axis=0),
                    GEN),
}


@pytest.mark.engine_independent
@pytest.mark.parametrize("name", CASES)
def test_plain_input_is_scipys_to_the_bit(name):
    ours, theirs, x = CASES[name]
    got, want = ours(x), theirs(x)
    assert type(got) is type(want)
    assert np.array_equal(got, want)


@pytest.mark.parametrize("name", CASES)
def test_jacobian_against_central_differences_of_scipy(name):
    ours, theirs, x = CASES[name]
    _close(dg.jacobian(ours, x), _cd(theirs, x))


@pytest.mark.parametrize("name", CASES)
def test_the_value_on_duals_is_scipys(name):
    ours, theirs, x = CASES[name]
    seen = {}

    def f(x):
        out = ours(x)
        seen["value"] = dg.stop_gradient(out)
        return out

    dg.jacobian(f, x)
    np.testing.assert_allclose(seen["value"], theirs(x), rtol=1e-13, atol=1e-13)


def _signs(V, V0):
    """``V``'s columns with the signs that match ``V0``'s (LAPACK's are arbitrary)."""
    return V * np.sign(np.sum(V * V0, axis=-2, keepdims=True))


def test_eigenvectors_against_central_differences():
    V0 = sl.eigh(SPD)[1]
    want = _cd(lambda x: _signs(sl.eigh(x)[1], V0), SPD)
    _close(dg.jacobian(lambda x: dl.eigh(x)[1], SPD), want)


# --- analytic forms ------------------------------------------------------------

def test_logdet_from_cho_factor_is_the_trace_form():
    """d log det A = tr(A^-1 dA): the gradient is A^-T (the upper triangle read: the
    symmetric matrix's gradient folded onto it)."""
    def logdet(a):
        c, _ = dl.cho_factor(a)
        return 2 * np.sum(np.log(np.diag(c)))

    g = dg.gradient(logdet, SPD)
    Ainv = np.linalg.inv(SPD)
    want = np.triu(2 * Ainv) - np.diag(np.diag(Ainv))     # a_ij, i < j, moves two entries
    _close(g, want, 1e-12)


def test_inv_is_minus_ainv_da_ainv():
    dA = RNG.standard_normal((M, M))
    _, got = dg.jvp(dl.inv, GEN, dA)
    X = np.linalg.inv(GEN)
    _close(got, -X @ dA @ X, 1e-12)


def test_cho_solve_is_minus_ainv_da_x():
    dA = RNG.standard_normal((M, M))
    dA = dA + dA.T
    _, got = dg.jvp(lambda a: dl.cho_solve(dl.cho_factor(a, lower=True), VEC), SPD, dA)
    x = np.linalg.solve(SPD, VEC)
    _close(got, -np.linalg.solve(SPD, dA @ x), 1e-12)


def test_det_is_det_times_trace():
    dA = RNG.standard_normal((M, M))
    _, got = dg.jvp(dl.det, GEN, dA)
    _close(got, np.linalg.det(GEN) * np.trace(np.linalg.solve(GEN, dA)), 1e-12)


def test_det_of_a_singular_matrix_is_the_adjugate():
    A = np.array([[1.0, 2.0], [2.0, 4.0]])
    g = dg.gradient(dl.det, A)
    _close(g, np.array([[4.0, -2.0], [-2.0, 1.0]]), 1e-14)      # adj(A).T


def test_logsumexp_gradient_is_softmax_and_b_weights():
    x = RNG.standard_normal(6)
    b = RNG.uniform(0.5, 2.0, 6)
    g = dg.gradient(lambda x: ds.logsumexp(x, b=b), x)
    w = b * np.exp(x)
    _close(g, w / w.sum(), 1e-14)
    gb = dg.gradient(lambda b: ds.logsumexp(x, b=b), b)
    _close(gb, np.exp(x) / w.sum(), 1e-14)


# --- nested: Hessians ----------------------------------------------------------

HESSIANS = {
    "gaussian_nll": lambda c, s, y: (
        lambda cf: 0.5 * y @ s.cho_solve(cf, y) + np.sum(np.log(np.diag(cf[0]))))(
            s.cho_factor(c)),
    "cholesky": lambda c, s, y: np.sum(s.cholesky(c, lower=True) ** 3),
    "solve_triangular": lambda c, s, y: np.sum(s.solve_triangular(c, y, trans="T") ** 2),
    "solve_pos": lambda c, s, y: y @ s.solve(c, y, assume_a="pos"),
    "inv": lambda c, s, y: np.sum(s.inv(c) ** 2),
    "det": lambda c, s, y: s.det(c),
    "lu": lambda c, s, y: np.sum(s.lu_solve(s.lu_factor(c), y) ** 2),
    "eigh": lambda c, s, y: np.sum(s.eigh(c, eigvals_only=True) ** 3),
    "expm": lambda c, s, y: np.sum(s.expm(c / 5) ** 2),
}


@pytest.mark.parametrize("name", HESSIANS)
def test_hessian_against_differences_of_differences(name):
    f = HESSIANS[name]
    m = 3
    A = SPD[:m, :m]
    y = VEC[:m]
    H = dg.hessian(lambda x: f(x.reshape(m, m), dl, y), A.ravel())
    want = _hess_cd(lambda x: f(x.reshape(m, m), sl, y), A.ravel())
    _close(H, want, 1e-7)


@pytest.mark.parametrize("name", ["logsumexp", "softmax", "log_softmax"])
def test_special_hessian_against_differences_of_differences(name):
    x = RNG.standard_normal(5)
    b = RNG.uniform(0.5, 2.0, 5)
    ours = {"logsumexp": lambda x: ds.logsumexp(x, b=b),
            "softmax": lambda x: ds.softmax(x)[0],
            "log_softmax": lambda x: np.sum(ds.log_softmax(x) ** 2)}[name]
    theirs = {"logsumexp": lambda x: sc.logsumexp(x, b=b),
              "softmax": lambda x: sc.softmax(x)[0],
              "log_softmax": lambda x: np.sum(sc.log_softmax(x) ** 2)}[name]
    _close(dg.hessian(ours, x), _hess_cd(theirs, x), 1e-7)


# --- batched and complex -------------------------------------------------------

_BATCH = np.stack([SPD, SPD + np.eye(M), 2 * SPD])
BATCHED = {
    "cholesky": (lambda x: dl.cholesky(x), lambda x: sl.cholesky(x)),
    "cho_solve": (lambda x: dl.cho_solve(dl.cho_factor(x, lower=True), VEC),
                  lambda x: sl.cho_solve(sl.cho_factor(x, lower=True), VEC)),
    "solve_triangular": (lambda x: dl.solve_triangular(x, MAT),
                         lambda x: sl.solve_triangular(x, MAT)),
    "solve": (lambda x: dl.solve(x, x[..., :2]), lambda x: sl.solve(x, x[..., :2])),
    "inv": (lambda x: dl.inv(x), lambda x: sl.inv(x)),
    "det": (lambda x: dl.det(x), lambda x: sl.det(x)),
    "lu_solve": (lambda x: dl.lu_solve(dl.lu_factor(x), VEC),
                 lambda x: sl.lu_solve(sl.lu_factor(x), VEC)),
    "eigh": (lambda x: dl.eigh(x)[0], lambda x: sl.eigh(x)[0]),
    "expm": (lambda x: dl.expm(x / 10), lambda x: sl.expm(x / 10)),
}


@pytest.mark.parametrize("name", BATCHED)
def test_batched_matrices(name):
    ours, theirs = BATCHED[name]
    assert np.array_equal(ours(_BATCH), theirs(_BATCH))
    _close(dg.jacobian(ours, _BATCH), _cd(theirs, _BATCH))


_Z = GEN + 0.5j * RNG.standard_normal((M, M))
_HPD = SPD + 0.5j * (_B - _B.T)                      # Hermitian positive definite
COMPLEX = {
    "solve": (lambda z: dl.solve(z, VEC), lambda z: sl.solve(z, VEC), _Z),
    "inv": (lambda z: dl.inv(z), lambda z: sl.inv(z), _Z),
    "det": (lambda z: dl.det(z), lambda z: sl.det(z), _Z),
    "solve_triangular": (lambda z: dl.solve_triangular(z, VEC, lower=True),
                         lambda z: sl.solve_triangular(z, VEC, lower=True), np.tril(_Z)),
    "lu_solve": (lambda z: dl.lu_solve(dl.lu_factor(z), VEC),
                 lambda z: sl.lu_solve(sl.lu_factor(z), VEC), _Z),
    "expm": (lambda z: dl.expm(z / 4), lambda z: sl.expm(z / 4), _Z),
    "logsumexp": (lambda z: ds.logsumexp(z, axis=1), lambda z: sc.logsumexp(z, axis=1), _Z),
}


@pytest.mark.parametrize("name", COMPLEX)
def test_complex_holomorphic(name):
    """A holomorphic function's derivative is its difference quotient along the real
    direction."""
    ours, theirs, z = COMPLEX[name]
    got = dg.jacobian(ours, z, holomorphic=True)
    want = _cd(lambda x: theirs(x + 1j * z.imag), z.real)
    _close(got, want)


@pytest.mark.parametrize("lower", [False, True])
def test_complex_hermitian_cholesky_along_real_parameters(lower):
    """Not holomorphic: a real parameter t moves a Hermitian matrix; the factor's
    real and imaginary parts against differences."""
    H = 0.5j * (_B - _B.T) + np.eye(M)

    def ours(t):
        return dl.cholesky(_HPD + t * H, lower=lower)

    def theirs(t):
        return sl.cholesky(_HPD + t * H, lower=lower)

    got = dg.derivative(ours, 0.3)
    want = _cd(lambda t: theirs(t[0]), np.array([0.3]))[..., 0]
    _close(got, want)
    for ours_solve, theirs_solve in [
            (lambda a: dl.cho_solve(dl.cho_factor(a, lower=lower), VEC),
             lambda a: sl.cho_solve(sl.cho_factor(a, lower=lower), VEC)),
            (lambda a: dl.solve(a, MAT, assume_a="her", lower=lower),
             lambda a: sl.solve(a, MAT, assume_a="her", lower=lower))]:
        got = dg.derivative(lambda t: ours_solve(_HPD + t * H), 0.3)
        _close(got, _cd(lambda t: theirs_solve(_HPD + t[0] * H), np.array([0.3]))[..., 0])
    got = dg.derivative(lambda t: dl.eigh(_HPD + t * H, eigvals_only=True), 0.3)
    _close(got, _cd(lambda t: sl.eigh(_HPD + t[0] * H, eigvals_only=True),
                    np.array([0.3]))[..., 0])


# --- logsumexp's edge cases ----------------------------------------------------

def test_logsumexp_rows_of_minus_inf_keep_scipys_value_and_zero_partials():
    x = np.array([[-np.inf, -np.inf], [0.5, 1.0]])
    seen = {}

    def f(t):
        out = ds.logsumexp(x + t * np.array([[0.0, 0.0], [1.0, 2.0]]), axis=1)
        seen["v"] = dg.stop_gradient(out)
        return out

    d = dg.derivative(f, 0.0)
    np.testing.assert_array_equal(seen["v"], sc.logsumexp(x, axis=1))
    assert d[0] == 0.0
    w = np.exp(x[1]) / np.exp(x[1]).sum()
    _close(d[1], w @ [1.0, 2.0], 1e-14)


def test_logsumexp_b_zero_drops_an_infinite_entry():
    a = np.array([np.inf, 0.0, 1.0])
    b = np.array([0.0, 1.0, 2.0])
    g = dg.gradient(lambda a: ds.logsumexp(a, b=b), a)
    assert ds.logsumexp(a, b=b) == sc.logsumexp(a, b=b)
    w = b[1:] * np.exp(a[1:])
    np.testing.assert_allclose(g, np.r_[0.0, w / w.sum()], rtol=1e-14)


def test_logsumexp_negative_sum_with_return_sign():
    a = np.array([1.0, 2.0])
    b = np.array([1.0, -1.0])
    seen = {}

    def f(a):
        out, sgn = ds.logsumexp(a, b=b, return_sign=True)
        seen["sgn"] = sgn
        return out

    g = dg.gradient(f, a)
    assert seen["sgn"] == -1.0
    S = np.exp(1.0) - np.exp(2.0)                       # log|S|' = b e^a / S
    _close(g, b * np.exp(a) / S, 1e-14)
    assert np.isnan(dg.gradient(lambda a: ds.logsumexp(a, b=b), a)).all()


def test_logsumexp_scalar_and_keepdims_shapes_follow_scipy():
    assert np.shape(dg.derivative(lambda t: ds.logsumexp(t), 0.3)) == \
        np.shape(sc.logsumexp(0.3))
    J = dg.jacobian(lambda x: ds.logsumexp(x, axis=(0, 2), keepdims=True),
                    np.ones((2, 3, 2)))
    assert J.shape == sc.logsumexp(np.ones((2, 3, 2)), axis=(0, 2), keepdims=True).shape + \
        (2, 3, 2)


# --- errors, imports, sparsity, refusals ----------------------------------------

@pytest.mark.engine_independent
def test_plain_errors_are_scipys():
    bad = np.array([[1.0, 2.0], [2.0, 1.0]])           # not positive definite
    for f in (dl.cholesky, dl.cho_factor):
        with pytest.raises(np.linalg.LinAlgError) as ours:
            f(bad)
        with pytest.raises(np.linalg.LinAlgError) as theirs:
            getattr(sl, f.__name__)(bad)
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(ValueError, match="infs or NaNs"):
        dl.solve(np.full((2, 2), np.nan), np.ones(2))


def test_dual_errors():
    bad = np.array([[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(np.linalg.LinAlgError):
        dg.derivative(lambda t: dl.cholesky(bad * t), 1.0)
    with pytest.raises(ValueError, match="infs or NaNs"):
        dg.derivative(lambda t: dl.solve(np.array([[t, np.nan], [0.0, 1.0]]), np.ones(2)), 1.0)
    with pytest.raises(ValueError, match="assume_a"):
        dg.derivative(lambda t: dl.solve(np.eye(2) * t, np.ones(2), assume_a="spd"), 1.0)
    # b itself works since misc44 (w = t, twice); type=2 stays refused
    np.testing.assert_allclose(
        dg.derivative(lambda t: dl.eigh(np.eye(2) * t, np.eye(2), eigvals_only=True), 1.0),
        [1.0, 1.0], rtol=1e-15)
    with pytest.raises(TypeError, match=r"eigh on dual numbers: expected every eigenpair "
                                        r".*got type=2"):
        dg.derivative(lambda t: dl.eigh(np.eye(2) * t, np.eye(2), type=2), 1.0)
    with pytest.raises(TypeError, match=r"lu_factor on dual numbers: expected a square "
                                        r"matrix.*got a matrix of shape \(2, 3\)"):
        dg.derivative(lambda t: dl.lu_factor(np.ones((2, 3)) * t), 1.0)
    with pytest.raises(TypeError, match="eigenvectors of a complex matrix"):
        dg.derivative(lambda t: dl.eigh(_HPD * t)[1], 1.0)


def test_sparsity_auto():
    """The special functions give their pattern (a NumPy spelling of the same
    reductions); expm (no NumPy spelling) names the fix."""
    x = RNG.standard_normal(12)

    def lse(x):
        return ds.logsumexp(x.reshape(3, 4), axis=1)

    J = dg.jacobian(lse, x, sparsity="auto")
    assert J.nnz == 12
    _close(J.toarray(), dg.jacobian(lse, x), 1e-14)
    J = dg.jacobian(lambda x: ds.log_softmax(x.reshape(3, 4), axis=1).ravel(), x,
                    sparsity="auto")
    assert J.nnz == 3 * 4 * 4
    J = dg.jacobian(lambda x: ds.softmax(x.reshape(3, 4), axis=0).ravel(), x,
                    sparsity="auto")
    assert J.nnz == 4 * 3 * 3
    with pytest.raises(TypeError, match=r"dualgrad\.scipy\.linalg\.expm cannot detect a "
                                        r"sparsity pattern.*Fix: pass the pattern"):
        dg.jacobian(lambda v: dl.expm(np.diag(v)).ravel(), VEC, sparsity="auto")


_S3 = np.stack([SPD, 2 * SPD, SPD + np.eye(M)])
_X3 = RNG.standard_normal(3 * M)
SPARSE = {      # (f of a 1-D x, x): batches give block patterns, triangles their parts
    "solve_triangular": (lambda x: dl.solve_triangular(x.reshape(M, M), VEC, lower=True),
                         TRI.ravel()),
    "solve_triangular_b": (lambda x: dl.solve_triangular(_S3, x.reshape(3, M, 1), trans=2,
                                                         unit_diagonal=True).ravel(), _X3),
    "cholesky": (lambda x: dl.cholesky(x.reshape(M, M)).ravel(), SPD.ravel()),
    "cho_factor": (lambda x: dl.cho_factor(x.reshape(M, M), lower=True)[0].ravel(),
                   SPD.ravel()),
    "cho_solve": (lambda x: dl.cho_solve(dl.cho_factor(_S3, lower=True),
                                         x.reshape(3, M, 1)).ravel(), _X3),
    "solve": (lambda x: dl.solve(_S3, x.reshape(3, M, 1), assume_a="pos").ravel(), _X3),
    "solve_diagonal": (lambda x: dl.solve(x.reshape(M, M), VEC, assume_a="diagonal"),
                       SPD.ravel()),
    "inv": (lambda x: dl.inv(x.reshape(3, M, M)).ravel(), _S3.ravel()),
    "det": (lambda x: dl.det(x.reshape(3, M, M)), _S3.ravel()),
    "lu_solve": (lambda x: dl.lu_solve(dl.lu_factor(_S3), x.reshape(3, M, 1),
                                       trans=1).ravel(), _X3),
    "eigh": (lambda x: dl.eigh(x.reshape(M, M), eigvals_only=True), SPD.ravel()),
}


@pytest.mark.parametrize("name", SPARSE)
def test_sparsity_auto_through_linalg(name):
    """The tracers take NumPy's spelling of the same function (np.linalg.solve of the
    triangle SciPy reads ...): the pattern covers the Jacobian, tight where the
    structure is (batches: blocks), and the sparse result equals the dense one."""
    f, x = SPARSE[name]
    dense = dg.jacobian(f, x)
    J = dg.jacobian(f, x, sparsity="auto")
    pattern = dg.sparsity(f, x).toarray() != 0
    assert not np.any((dense != 0) & ~pattern)
    if name in ("cho_solve", "solve", "inv", "det", "lu_solve"):
        assert pattern.sum() == np.count_nonzero(dense)      # the blocks exactly
    _close(J.toarray(), dense, 1e-15)


@pytest.mark.engine_independent
def test_import_dualgrad_leaves_scipy_alone():
    code = ("import sys, dualgrad, dualgrad.scipy.linalg, dualgrad.scipy.special; "
            "print(any(m == 'scipy' or m.startswith('scipy.') for m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.stdout.strip() == "False", run.stderr


@pytest.mark.engine_independent
def test_dg_scipy_is_the_subpackage():
    assert dg.scipy.linalg is dl and dg.scipy.special is ds
    assert "scipy" in dir(dg) and "scipy" not in dg.__all__


@pytest.mark.engine_independent
def test_without_scipy_a_named_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy.linalg", None)
    monkeypatch.setitem(sys.modules, "scipy.special", None)
    with pytest.raises(ImportError, match=r"dualgrad\.scipy\.linalg\.cholesky: needs scipy.*"
                                          r"Fix: pip install scipy"):
        dl.cholesky(SPD)
    with pytest.raises(ImportError, match=r"dualgrad\.scipy\.special\.logsumexp: needs scipy"):
        ds.logsumexp(VEC)


_STACK = np.stack([SPD, 2 * SPD])
REFUSED = {
    "cho_factor": (lambda t: sl.cho_factor(SPD * t, lower=True)[0],
                   "dualgrad.scipy.linalg.cho_factor", "cho_factor(a, lower=True)",
                   lambda t: {"a": SPD * t}, lambda r: r[0]),
    "solve": (lambda t: sl.solve(SPD * t, VEC, assume_a="pos"), "dualgrad.scipy.linalg.solve",
              "solve(a, b, assume_a='pos')", lambda t: {"a": SPD * t, "b": VEC}, None),
    "logsumexp": (lambda t: sc.logsumexp(SPD * t, axis=1, b=GEN),
                  "dualgrad.scipy.special.logsumexp", "logsumexp(a, b=b, axis=1)",
                  lambda t: {"a": SPD * t, "b": GEN}, None),
    "batched cholesky": (lambda t: sl.cholesky(_STACK * t), "dualgrad.scipy.linalg.cholesky",
                         "cholesky(a)", lambda t: {"a": _STACK * t}, None),
}


@pytest.mark.parametrize("name", REFUSED)
def test_scipys_refusal_names_the_drop_in_with_the_callers_call(name):
    """The refusal names the drop-in and the caller's own call; that call, run with
    the drop-in, gives the derivative of SciPy's function."""
    call, drop, own, env, pick = REFUSED[name]
    with pytest.raises(TypeError) as info:
        dg.derivative(call, 1.0)
    text = str(info.value)
    assert f"Fix: use {drop} (same signature" in text, text
    assert f"then {own} as your call" in text, text
    spelled = re.search(r"then (.*?) as your call", text).group(1)
    module = dl if ".linalg." in drop else ds
    pick = pick or (lambda r: r)

    def fixed(t):
        return pick(eval(spelled, dict(vars(module), **env(t))))

    got = dg.derivative(fixed, 1.5)
    _close(got, _cd(lambda t: np.asarray(call(t[0])), np.array([1.5]))[..., 0])


def test_gaussian_nll_example_of_the_readme():
    """README's example: gradient and Hessian of a Gaussian negative
    log-likelihood through cho_factor / cho_solve, against the analytic forms."""
    t = np.linspace(0.0, 3.0, 6)
    y = np.sin(t)
    D2 = (t[:, None] - t[None, :]) ** 2

    def nll(p):
        K = p[0] * np.exp(-0.5 * D2 / p[1] ** 2) + 0.1 * np.eye(len(t))
        c, low = dl.cho_factor(K, lower=True)
        alpha = dl.cho_solve((c, low), y)
        return 0.5 * y @ alpha + np.sum(np.log(np.diag(c))) + 0.5 * len(t) * np.log(2 * np.pi)

    p = np.array([1.3, 0.8])
    g = dg.gradient(nll, p)
    K = p[0] * np.exp(-0.5 * D2 / p[1] ** 2) + 0.1 * np.eye(len(t))
    Ki = np.linalg.inv(K)
    alpha = Ki @ y
    dK = [np.exp(-0.5 * D2 / p[1] ** 2), p[0] * np.exp(-0.5 * D2 / p[1] ** 2) * D2 / p[1] ** 3]
    want = [0.5 * np.trace(Ki @ dk) - 0.5 * alpha @ dk @ alpha for dk in dK]
    _close(g, want, 1e-12)
    H = dg.hessian(nll, p)

    def scipy_nll(p):
        K = p[0] * np.exp(-0.5 * D2 / p[1] ** 2) + 0.1 * np.eye(len(t))
        cf = sl.cho_factor(K, lower=True)
        return 0.5 * y @ sl.cho_solve(cf, y) + np.sum(np.log(np.diag(cf[0]))) + \
            0.5 * len(t) * np.log(2 * np.pi)

    _close(H, _hess_cd(scipy_nll, p), 1e-7)
    np.testing.assert_array_equal(H, H.T)


def test_batched_cho_factor_gives_a_flag_per_matrix_as_scipy():
    seen = {}

    def f(x):
        c, low = dl.cho_factor(x, lower=True)
        seen["low"] = low
        return dl.cho_solve((c, low), VEC)

    dg.jacobian(f, _BATCH)
    np.testing.assert_array_equal(seen["low"], sl.cho_factor(_BATCH, lower=True)[1])


def test_logsumexp_hessian_with_a_weight_that_is_zero_and_moving():
    """b's value 0 with a nonzero inner partial: the b == 0 handling must not drop
    the second derivative (it looks at every level, not the value alone)."""
    def f(p, special):
        a = np.stack([p[0], np.float64(1.0), np.float64(2.0)])
        b = np.stack([p[1], np.float64(1.0), np.float64(0.5)])
        return special.logsumexp(a, b=b)

    p = np.array([0.3, 0.0])
    _close(dg.hessian(lambda p: f(p, ds), p), _hess_cd(lambda p: f(p, sc), p), 1e-8)
