"""np.linalg.eig's complex eigenvectors (useroptics52's strict xfail): LAPACK's
ZGEEV / DGEEV return each vector with unit 2-norm and its largest-modulus component
real, a convention that is a function of the matrix wherever that component is
unique; dualgrad follows it (``dV = V (F o E)``, less ``V Re(V^H dV)``, less ``i V
Im(dV_k) / V_k``) and refuses where two components tie.

Oracles: mpmath's eigenvectors at 50 digits, normalized by the test as LAPACK does,
differenced at a step of 1e-20 (first order) or 1e-12 (second); Richardson-extrapolated
central differences of NumPy's own ``eig`` for a stack; the refusal's premise, NumPy's
own vectors' phase jumping across the tie."""

import numpy as np
import pytest

import dualgrad as dg

mp = pytest.importorskip("mpmath")


def _mp_vectors(A, t, D, ref_w, ref_V, h):
    """LAPACK-normalized eigenvectors of ``A + t h D`` at 50 digits (``t`` a tuple of
    step multiples, ``D`` the directions), columns in NumPy's order at ``A``."""
    with mp.workdps(50):
        m = A.shape[-1]
        M = mp.matrix(m)
        for i in range(m):
            for j in range(m):
                M[i, j] = mp.mpc(complex(A[i, j])) + sum(
                    ti * h * mp.mpc(complex(d[i, j])) for ti, d in zip(t, D))
        E, ER = mp.eig(M)
        cols = []
        for wi in ref_w:
            j = int(np.argmin([abs(complex(e) - wi) for e in E]))
            cols.append([ER[i, j] for i in range(m)])
        return _normalized_mp(cols, ref_V)


def _normalized_mp(cols, ref):
    m = len(cols)
    out = np.empty((m, m), dtype=object)
    for j, col in enumerate(cols):
        k = int(np.argmax(np.abs(ref[:, j])))
        scale = abs(col[k]) / col[k] / mp.sqrt(sum(abs(c) ** 2 for c in col))
        scale = -scale if ref[k, j].real < 0 else scale
        out[:, j] = [c * scale for c in col]
    return out


def _matrices(kind, m=4, seed=5):
    rng = np.random.default_rng(seed)
    cplx = kind == "complex"
    A = rng.normal(size=(m, m)) + (1j * rng.normal(size=(m, m)) if cplx else 0)
    D = rng.normal(size=(2, m, m)) + (1j * rng.normal(size=(2, m, m)) if cplx else 0)
    return A, D


def _parts(V):
    return np.stack([V.real, V.imag])


@pytest.mark.parametrize("kind", ["complex", "real with complex pairs"])
def test_eigenvectors_match_mpmath(kind):
    A, D = _matrices(kind)
    w, V = np.linalg.eig(A)
    assert np.iscomplexobj(V) and np.any(w.imag != 0)
    h = mp.mpf("1e-20")
    want = np.empty((4, 4, 2), dtype=complex)
    for d in range(2):
        plus = _mp_vectors(A, (1,) if d == 0 else (0, 1), D, w, V, h)
        minus = _mp_vectors(A, (-1,) if d == 0 else (0, -1), D, w, V, h)
        with mp.workdps(50):
            want[..., d] = [[complex((plus[i, j] - minus[i, j]) / (2 * h))
                             for j in range(4)] for i in range(4)]
    got = dg.jacobian(lambda p: _parts(np.linalg.eig(A + p[0] * D[0] + p[1] * D[1])[1]),
                      np.zeros(2))
    np.testing.assert_allclose(got[0] + 1j * got[1], want, atol=1e-13 * np.abs(want).max())
    if kind != "complex":                # DGEEV's real vectors stay real
        real = w.imag == 0
        assert real.any() and np.all(got[1][:, real] == 0)


def test_hessian_matches_mpmath():
    A, D = _matrices("complex", m=3, seed=11)
    w, V = np.linalg.eig(A)
    weights = np.arange(1.0, 10.0).reshape(3, 3)

    def f(Vx):
        return np.sum(weights * np.abs(Vx) ** 3) + np.sum(Vx.imag[0] * Vx.real[1])

    def f_mp(t, h):
        Vm = _mp_vectors(A, t, D, w, V, h)
        with mp.workdps(50):
            return sum(weights[i, j] * abs(Vm[i, j]) ** 3 for i in range(3) for j in range(3)) \
                + sum(Vm[0, j].imag * Vm[1, j].real for j in range(3))
    h = mp.mpf("1e-12")
    want = np.empty((2, 2))
    with mp.workdps(50):
        for a in range(2):
            for b in range(2):
                def at(sa, sb):
                    t = [0, 0]
                    t[a] += sa
                    t[b] += sb
                    return f_mp(tuple(t), h)
                want[a, b] = float((at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h * h))
    got = dg.hessian(lambda p: f(np.linalg.eig(A + p[0] * D[0] + p[1] * D[1])[1]), np.zeros(2))
    np.testing.assert_allclose(got, want, rtol=1e-10)


@pytest.mark.parametrize("kind", ["complex", "real with complex pairs"])
def test_a_stack_matches_numpys_differences(kind):
    A, D = _matrices(kind, m=3, seed=2)
    B, E = _matrices(kind, m=3, seed=4)
    S, dS = np.stack([A, B]), np.stack([D[0], E[0]])
    w0 = np.linalg.eig(S)[0]

    def numpys(t):
        w, V = np.linalg.eig(S + t * dS)
        order = np.argmin(np.abs(w[..., None, :] - w0[..., :, None]), axis=-1)
        return _parts(np.take_along_axis(V, order[..., None, :], axis=-1))

    def rich(h):
        return (numpys(h) - numpys(-h)) / (2 * h)
    want = (4 * rich(1e-4) - rich(2e-4)) / 3
    got = dg.jacobian(lambda p: _parts(np.linalg.eig(S + p[0] * dS)[1]), np.zeros(1))[..., 0]
    np.testing.assert_allclose(got, want, atol=1e-8 * np.abs(want).max())


def _rotation(p):
    return np.stack([np.stack([p[0], -p[1]]), np.stack([p[1], p[0]])])


@pytest.mark.parametrize("cplx", [False, True])
def test_tied_largest_components_refuse(cplx):
    """``[[a, -b], [b, a]]``'s eigenvectors ``(1, -+i) / sqrt(2)`` have two components of
    equal modulus: which one LAPACK makes real, so the phase, jumps under a perturbation
    (premise below), so the vectors have no derivative there."""
    def f(p):
        A = _rotation(p) * (1 + 0.5j if cplx else 1)
        return np.abs(np.linalg.eig(A)[1] + 1).sum()
    with pytest.raises(TypeError) as info:
        dg.gradient(f, np.array([1.0, 2.0]))
    msg = str(info.value)
    assert msg.startswith("dualgrad: np.linalg.eig's eigenvector (column ")
    assert "tie for the largest modulus" in msg and "expected an eigenvector" in msg
    assert "Fix: use np.linalg.eigvals" in msg
    # premise: NumPy's own first vector turns by ~pi/4 for a perturbation of 1e-9
    A = _rotation(np.array([1.0, 2.0])) * (1 + 0.5j if cplx else 1)
    dA = np.array([[0.0, 1e-9], [0.0, 0.0]])
    v1, v2 = (np.linalg.eig(A + s * dA)[1] for s in (1, -1))
    i1, i2 = (np.argmin(np.abs(np.linalg.eig(A + s * dA)[0] - np.linalg.eig(A)[0][0]))
              for s in (1, -1))
    assert np.abs(v1[:, i1] - v2[:, i2]).max() > 0.5


def test_eigenvalues_alone_at_the_tie_are_exact():
    """The refusal is the vectors': eigvals there stays exact (``a +- i b``)."""
    J = dg.jacobian(lambda p: np.linalg.eigvals(_rotation(p)).imag, np.array([1.0, 2.0]))
    np.testing.assert_array_equal(np.abs(J), [[0.0, 1.0], [0.0, 1.0]])


# ---- inside dg.quad: the row LAPACK makes real is a branch --------------------------
def _moving(x, p, shift=0.0):
    """Eigenvector (1, d) / n of eigenvalue d: its largest component is row 0 for
    |d| < 1 and row 1 beyond, |d| = 1 + x - p: LAPACK's V jumps at x = p."""
    d = (1 + x - p) * (0.8 + 0.6j)
    z = 0 * x
    return np.stack([np.stack([z + 0j, z + 1.0]), np.stack([z + 0j, d + shift])])


def _quad_oracle(g, p, h=1e-4):
    si = pytest.importorskip("scipy.integrate")

    def F(q):
        return si.quad(lambda x: g(x, q), 0.0, 3.0, points=[q], epsabs=1e-13)[0]
    return (F(p + h) - F(p - h)) / (2 * h)


def test_a_pivot_moving_inside_quad_refuses():
    """The component made real changes at x = p: V[0, 1] jumps by (1 - 0.8) / sqrt(2),
    a boundary term the integrand's partials do not hold (0.584 came back for central
    differences' 0.726): refused by dg.quad's watch, naming eig."""
    import warnings

    def g(x, p):
        return np.linalg.eig(_moving(x, p))[1][0, 1].real
    p = 0.7
    assert abs(_quad_oracle(g, p) - 0.584) > 0.1          # premise: the jump's term
    with warnings.catch_warnings(), pytest.raises(TypeError, match=r"np\.linalg\.eig"):
        warnings.simplefilter("ignore")
        dg.derivative(lambda q: dg.quad(lambda x: g(x, q), 0.0, 3.0)[0], p)


def test_basis_free_modes_inside_quad_stay_exact():
    """The same pivot change under ``V diag(exp(w)) V^-1`` (continuous): the watch's
    confirmation finds no jump and the derivative matches central differences."""
    import warnings

    def g(x, p):
        w, V = np.linalg.eig(_moving(x, p, 0.3))
        return (V @ np.diag(np.exp(w)) @ np.linalg.inv(V))[0, 1].real
    p = 0.7
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = dg.derivative(lambda q: dg.quad(lambda x: g(x, q), 0.0, 3.0)[0], p)
    assert got == pytest.approx(_quad_oracle(g, p), rel=1e-7)


# ---- scipy.linalg.eig / eigvals: the NumPy spelling their refusal names ------------
def test_scipy_eig_refusal_names_a_spelling_that_holds():
    """SciPy's eig converts duals; its refusal names ``np.linalg.eig(a)``, whose vectors
    are SciPy's (LAPACK's geev, the same convention) with exact derivatives (central
    differences of SciPy's own vectors); with ``b`` it names ``np.linalg.solve(b, a)``
    (it named ``np.linalg.eig(a)``, dropping ``b``), whose eigenvalues are SciPy's and
    whose derivatives match SciPy's differences."""
    sl = pytest.importorskip("scipy.linalg")
    A, D = _matrices("real with complex pairs", m=3, seed=2)
    assert np.iscomplexobj(np.linalg.eig(A)[1])
    Bm = np.eye(3) * 2 + 0.3 * np.random.default_rng(9).normal(size=(3, 3))
    with pytest.raises(TypeError, match=r"write that step as np\.linalg\.eig\(a\)"):
        dg.jacobian(lambda p: _parts(sl.eig(A + p[0] * D[0])[1]), np.zeros(1))
    w0 = sl.eig(A)[0]

    def scipys(t):
        w, V = sl.eig(A + t * D[0])
        order = [int(np.argmin(np.abs(w - wi))) for wi in w0]
        return _parts(V[:, order])
    want = (scipys(1e-6) - scipys(-1e-6)) / 2e-6
    got = dg.jacobian(lambda p: _parts(np.linalg.eig(A + p[0] * D[0])[1]), np.zeros(1))
    np.testing.assert_allclose(got[..., 0], want, atol=1e-8)
    for name in ("eig", "eigvals"):
        with pytest.raises(TypeError) as info:
            dg.jacobian(lambda p: np.real(getattr(sl, name)(A + p[0] * D[0], Bm)
                                          if name == "eigvals" else
                                          sl.eig(A + p[0] * D[0], Bm)[0]), np.zeros(1))
        assert f"np.linalg.{name}(np.linalg.solve(b, a))" in str(info.value)

    ref = sl.eigvals(A, Bm)

    def matched(w):                      # in the order of SciPy's at the point
        return w[[int(np.argmin(np.abs(np.asarray(getattr(w, "value", w)) - r)))
                  for r in ref]]

    def spelled(p):
        return matched(np.linalg.eigvals(np.linalg.solve(Bm, A + p[0] * D[0])))

    def scipy_values(t):
        return matched(sl.eigvals(A + t * D[0], Bm))
    np.testing.assert_allclose(spelled(np.zeros(1)), scipy_values(0.0), rtol=1e-12)
    dw = dg.jacobian(lambda p: _parts(spelled(p)), np.zeros(1))[..., 0]
    np.testing.assert_allclose(dw, _parts((scipy_values(1e-6) - scipy_values(-1e-6)) / 2e-6),
                               atol=1e-7)


def test_holomorphic_eig_refuses_and_eigvals_is_its_complex_derivative():
    """Under holomorphic=True the vectors' normalization (|v|, a conjugate phase) has no
    complex derivative: refused naming eigvals; eigvals' complex derivative is ``diag(V^-1
    dA V)`` (the complex step's own: ``(w(z + h) - w(z - h)) / 2h`` along a real h and
    ``/ 2ih`` along an imaginary one agree)."""
    A, D = _matrices("complex", m=3, seed=1)
    with pytest.raises(TypeError, match=r"np\.linalg\.eig: expected a function with a "
                       r"complex derivative.*np\.linalg\.eigvals"):
        dg.jacobian(lambda z: np.linalg.eig(A + z[0] * D[0])[1], np.zeros(1, complex),
                    holomorphic=True)
    got = dg.jacobian(lambda z: np.linalg.eigvals(A + z[0] * D[0]), np.zeros(1, complex),
                      holomorphic=True)[:, 0]
    w0 = np.linalg.eigvals(A)

    def at(z):
        w = np.linalg.eigvals(A + z * D[0])
        return w[[int(np.argmin(np.abs(w - wi))) for wi in w0]]
    for h in (1e-6, 1e-6j):
        np.testing.assert_allclose(got, (at(h) - at(-h)) / (2 * h), rtol=1e-8)


def _attack53_matrix():
    """attack53's scratch/eig2.py trial 46: a real, nearly skew-symmetric 4 x 4 with
    two complex pairs whose DGEEV sign is unstable."""
    rng = np.random.default_rng(21)
    for trial in range(47):
        n = rng.integers(2, 6)
        kind = trial % 4
        if kind == 0:
            A = rng.standard_normal((n, n))
        elif kind == 1:
            A = rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))
        elif kind == 2:
            A = rng.standard_normal((n, n))
            A = A - A.T + 0.1 * rng.standard_normal((n, n))
        else:
            A = rng.standard_normal((n, n))
            A = A + A.T
        D = rng.standard_normal((n, n)) + (1j * rng.standard_normal((n, n)) if kind == 1
                                           else 0)
    return A, D


def test_a_real_matrix_through_zgeev_has_a_deterministic_convention():
    """DGEEV turns a real matrix's complex pair so that the largest component is real
    with the sign of its real part before the turn, which can be ~0: NumPy's own
    ``V[3, 2]`` flips sign under perturbations of 1e-4 (the premise; dualgrad's dV is
    the derivative with the sign held, docs/writing-code.md).  ``A.astype(complex)``
    takes ZGEEV, whose largest component is positive real: its vectors' derivatives
    match central differences."""
    A, D = _attack53_matrix()
    assert A.shape == (4, 4) and not np.iscomplexobj(A)
    signs = {np.sign(np.linalg.eig(A + t * D)[1][3, 2].real)
             for t in np.linspace(-1e-4, 1e-4, 21)}
    assert signs == {-1.0, 1.0}
    w0 = np.linalg.eig(A.astype(complex))[0]

    def zgeev(B):
        w, V = np.linalg.eig(B.astype(complex))
        return V[:, [int(np.argmin(np.abs(w - x))) for x in w0]]
    got = dg.jacobian(lambda p: _parts(np.linalg.eig((A + p[0] * D).astype(complex))[1]),
                      np.zeros(1))[..., 0]
    want = _parts((zgeev(A + 1e-5 * D) - zgeev(A - 1e-5 * D)) / 2e-5)
    np.testing.assert_allclose(got, want, atol=1e-8)


def test_scipy_eig_of_a_complex_dual_names_its_spelling():
    """SciPy's asarray of a *complex* dual array is refused before SciPy's own code
    runs (scipy.linalg's batching wrapper converts first): the refusal said "use w
    directly"; it names the SciPy function and its NumPy spelling, b kept."""
    sl = pytest.importorskip("scipy.linalg")
    A, D = _matrices("complex", m=3, seed=1)
    Bm = 2 * np.eye(3)
    for call, want in ((lambda p: sl.eig(A + p[0] * D[0])[1],
                        "scipy.linalg.eig converts its input with np.asarray"),
                       (lambda p: sl.eig(A + p[0] * D[0], Bm)[0],
                        "np.linalg.eig(np.linalg.solve(b, a))"),
                       (lambda p: sl.eigvals(A + p[0] * D[0], b=Bm),
                        "np.linalg.eigvals(np.linalg.solve(b, a))")):
        with pytest.raises(TypeError) as info:
            dg.jacobian(lambda p: np.abs(call(p)), np.zeros(1))
        assert want in str(info.value) and "use w directly" not in str(info.value)
