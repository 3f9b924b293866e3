"""Stacked matmul (an operand of more than two dimensions): the partials of every
direction in one ``matmul`` per dual operand (``_linalg._stacked_matmul_partials``),
where a direction-by-direction loop ran before (user25's thin-film transfer matrices).

Oracles, none of which runs a dualgrad path: a matrix product is bilinear, so
``A(x) @ B(x)`` with ``A``, ``B`` affine in ``x`` is quadratic and its central
difference at any step (here 0.5) is its derivative up to rounding; a product of
three such matrices is cubic, and the four-point second difference
``(f(++) - f(+-) - f(-+) + f(--)) / 4h^2`` cancels its odd terms, so it is the
Hessian up to rounding at any step too.  Non-finite factors: the derivative of
``(A @ B)[w, i, l]`` in ``A[w, i, k]`` is ``B[w, k, l]`` and 0 for the other entries
of ``A`` (a zero seed times an inf stays 0, API.md), written out by hand.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.testing import numerical_jacobian

rng = np.random.default_rng(39)

SHAPES = [((3, 2, 2), (3, 2, 2)),        # the transfer matrices' shape
          ((3, 2, 2), (2, 2)), ((2, 2), (3, 2, 2)),          # one side unstacked
          ((1, 2, 3), (4, 3, 2)), ((4, 3, 2), (1, 2, 5)),    # broadcast batch axes
          ((3,), (4, 3, 2)), ((4, 2, 3), (3,)),              # 1-D operands
          ((2, 1, 2, 3), (5, 3, 4)),                         # batch axes of two ranks
          ((3, 2, 0), (3, 0, 2)), ((0, 2, 2), (2, 2))]       # empty


def _split(z):
    return np.concatenate([np.real(z).ravel(), np.imag(z).ravel()])


def _operands(sa, sb, cplx):
    def draw(s):
        x = rng.standard_normal(s)
        return x + 1j * rng.standard_normal(s) if cplx else x
    return draw(sa), draw(sb)


def _affine(x, A0, B0, which):
    """``A`` and ``B`` affine in ``x`` (the dual ones), constants otherwise."""
    na, nb = A0.size, B0.size
    A = A0 * (1 + np.reshape(x[:na], A0.shape)) if which in ("a", "both") else A0
    B = B0 * np.reshape(x[na:na + nb], B0.shape) + x[-1] if which in ("b", "both") else B0
    return A, B


def _check(f, x0):
    J = dg.jacobian(f, x0)
    Jn = numerical_jacobian(f, x0, h=0.5)
    assert J.shape == Jn.shape
    scale = max(1.0, float(np.max(np.abs(Jn), initial=0.0)))
    np.testing.assert_allclose(J, Jn, rtol=0, atol=1e-12 * scale)


@pytest.mark.parametrize("which", ["a", "b", "both"])
@pytest.mark.parametrize("cplx", [False, True], ids=["real", "complex"])
@pytest.mark.parametrize("sa,sb", SHAPES, ids=[f"{a}@{b}" for a, b in SHAPES])
def test_stacked_matmul_against_central_differences(sa, sb, cplx, which):
    A0, B0 = _operands(sa, sb, cplx)

    def f(x):
        A, B = _affine(x, A0, B0, which)
        return _split(A @ B)
    _check(f, rng.standard_normal(A0.size + B0.size + 1))


SPELLINGS = {
    "@": lambda A, B: A @ B,
    "np.matmul": np.matmul,
    "np.linalg.matmul": np.linalg.matmul,
    "out=": lambda A, B: np.matmul(A, B, out=np.zeros_like(A, shape=np.broadcast_shapes(
        np.shape(A)[:-2], np.shape(B)[:-2]) + (np.shape(A)[-2], np.shape(B)[-1]),
        dtype=complex)),
    "views": lambda A, B: np.swapaxes(np.swapaxes(B, -1, -2)[:, ::-1] @
                                      np.swapaxes(A, -1, -2)[:, :, ::-1], -1, -2),
    "einsum": lambda A, B: np.einsum("wij,wjk->wik", A, B),
    "vecdot": lambda A, B: np.vecdot(np.conj(A)[..., :, None, :],
                                     np.swapaxes(B, -1, -2)[..., None, :, :]),
    "matmul chain": lambda A, B: A @ B @ A @ B,
}


@pytest.mark.parametrize("name", list(SPELLINGS))
def test_stacked_spellings(name):
    """``@``, ``np.matmul``, ``np.linalg.matmul``, ``out=`` (a dual buffer), operands
    that are non-contiguous views (their partials views too), and the products that
    compute the same stacked matrices (``einsum``, ``vecdot``, a chain)."""
    A0, B0 = _operands((4, 3, 3), (4, 3, 3), True)
    spell = SPELLINGS[name]

    def f(x):
        A, B = _affine(x, A0, B0, "both")
        return _split(spell(A, B))
    _check(f, rng.standard_normal(A0.size + B0.size + 1) * 0.5)


VEC_SHAPES = [((3, 2, 4), (3, 4)), ((2, 4), (3, 4)), ((3, 2, 4), (4,)),
              ((1, 2, 4), (5, 1, 4)), ((0, 2, 4), (4,))]


@pytest.mark.parametrize("which", ["a", "b", "both"])
@pytest.mark.parametrize("cplx", [False, True], ids=["real", "complex"])
@pytest.mark.parametrize("func", ["matvec", "vecmat"])
@pytest.mark.parametrize("sa,sx", VEC_SHAPES, ids=[f"{a},{x}" for a, x in VEC_SHAPES])
def test_matvec_vecmat_against_central_differences(sa, sx, func, cplx, which):
    """``np.matvec(A, x)`` and ``np.vecmat(x, A)`` (``x^H A``: the conjugate of a dual
    ``x``'s partials) over stacks, both operands' batch axes broadcast."""
    if func == "vecmat":
        sa = sa[:-2] + (sa[-1], sa[-2])
    A0, X0 = _operands(sa, sx, cplx)

    def f(x):
        A, X = _affine(x, A0, X0, which)
        return _split(np.matvec(A, X) if func == "matvec" else np.vecmat(X, A))
    _check(f, rng.standard_normal(A0.size + X0.size + 1))


def test_thin_film_transfer_matrices():
    """user25's model (/work/user25/tmm_dg.py, reflectance_vec), 3 layers at 20
    wavelengths: stacked (20, 2, 2) complex characteristic matrices multiplied in a
    loop; its gradient against 8th-order central differences of the float model."""
    wl = np.linspace(400e-9, 800e-9, 20)

    def reflectance(p):
        d, n = p[:3] * 1e-9, p[3:]
        M = None
        for i in range(3):
            delta = 2 * np.pi * n[i] * d[i] / wl
            c, s = np.cos(delta), np.sin(delta)
            Mi = np.empty_like(d, shape=(len(wl), 2, 2), dtype=complex)
            Mi[:, 0, 0] = c
            Mi[:, 0, 1] = -1j * s / n[i]
            Mi[:, 1, 0] = -1j * n[i] * s
            Mi[:, 1, 1] = c
            M = Mi if M is None else M @ Mi
        B = M[:, 0, 0] + M[:, 0, 1] * 1.52
        C = M[:, 1, 0] + M[:, 1, 1] * 1.52
        r = (B - C) / (B + C)
        return np.abs(r) ** 2

    p0 = np.array([60.0, 95.0, 55.0, 2.35, 1.46, 2.1])
    J = dg.jacobian(reflectance, p0)
    Jn = numerical_jacobian(reflectance, p0, h=1e-4)
    np.testing.assert_allclose(J, Jn, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("cplx", [False, True], ids=["real", "complex"])
@pytest.mark.parametrize("sa,sb", [((3, 2, 2), (3, 2, 2)), ((1, 2, 3), (2, 3, 3)),
                                   ((2, 3), (2, 3, 3))])
def test_stacked_hessian_of_a_triple_product(sa, sb, cplx):
    """Nested duals through the stacked products: the Hessian of
    ``Re sum(C * (A @ B @ A^T))`` (cubic in ``x``) against the four-point second
    difference, exact for a cubic up to rounding."""
    A0, B0 = _operands(sa, sb, cplx)
    C = rng.standard_normal(np.broadcast_shapes(sa[:-2], sb[:-2]) + (sa[-2], sa[-2]))

    def f(x):
        A, B = _affine(x, A0, B0, "both")
        return np.sum(np.real(C * (A @ B @ np.swapaxes(A, -1, -2))))
    x0 = rng.standard_normal(A0.size + B0.size + 1) * 0.5
    H = dg.hessian(f, x0)
    m, h = x0.size, 0.5
    E = np.eye(m) * h
    Hn = np.empty((m, m))
    for i in range(m):
        for j in range(m):
            Hn[i, j] = (f(x0 + E[i] + E[j]) - f(x0 + E[i] - E[j]) - f(x0 - E[i] + E[j])
                        + f(x0 - E[i] - E[j])) / (4 * h * h)
    np.testing.assert_allclose(H, Hn, rtol=0, atol=1e-11 * max(1.0, np.max(np.abs(Hn))))


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_stacked_non_finite_factor_stays_nan_safe(bad):
    """A constant stacked ``B`` holding an inf or NaN: only the partials that meet it
    are non-finite; every other entry of the Jacobian is ``B``'s entry or an exact 0."""
    W, m, K, L = 3, 2, 3, 2
    B = rng.standard_normal((W, K, L))
    B[1, 2, 0] = bad

    def f(x):
        return np.reshape(x, (W, m, K)) @ B
    x0 = rng.standard_normal(W * m * K)
    with np.errstate(invalid="ignore"):
        J = dg.jacobian(f, x0).reshape(W, m, L, W, m, K)
    expected = np.zeros((W, m, L, W, m, K))
    for w in range(W):
        for i in range(m):
            expected[w, i, :, w, i, :] = B[w].T
    np.testing.assert_array_equal(J, expected)


def test_stacked_matmul_takes_the_batched_partials(monkeypatch):
    """A stacked matmul of two duals takes ``_stacked_matmul_partials`` (two ``matmul``
    calls whatever the number of directions), not the direction-by-direction loop."""
    from dualgrad.dispatch import _linalg
    A0, B0 = _operands((5, 2, 2), (5, 2, 2), True)
    calls = []
    real = _linalg._stacked_matmul_partials

    def counting(*args):
        calls.append(args[2])
        return real(*args)
    monkeypatch.setattr(_linalg, "_stacked_matmul_partials", counting)
    x0 = rng.standard_normal(A0.size + B0.size + 1)
    dg.jacobian(lambda x: _split(np.matmul(*_affine(x, A0, B0, "both"))), x0)
    assert calls == [[0, 1]]
