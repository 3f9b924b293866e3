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
