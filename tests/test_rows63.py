"""Stop 63, rows63: the Gaussian process row's plain triangular solves and Cholesky factor
through SciPy's unvalidated functions, and kept triangle masks (dualgrad.scipy.linalg).

Each short cut against the path it replaces (SciPy's public function, NumPy's
``np.triu`` / ``np.tril``) bit for bit, errors included; the likelihood's gradient
against fourth-order central differences; spies for the path taken."""

import numpy as np
import pytest

import dualgrad as dg
from _probes import bench_module, same_bits, spy_on

sl = pytest.importorskip("scipy.linalg")
from dualgrad.scipy import linalg as L  # noqa: E402

RNG = np.random.default_rng(63)


def _layouts(m):
    """A triangular-ish float64 matrix in C order, Fortran order and as a strided view."""
    a = RNG.standard_normal((m, m)) + m * np.eye(m)
    wide = np.zeros((m, 2 * m))
    wide[:, ::2] = a
    return [a, np.asfortranarray(a), wide[:, ::2]]


@pytest.mark.parametrize("m", [1, 4, 25])
def test_plain_solves_are_scipys(m):
    specials = np.array([np.nan, np.inf, -0.0, 1e-300, 1e308])
    for a in _layouts(m):
        for b in (RNG.standard_normal(m), RNG.standard_normal((m, 3)),
                  np.asfortranarray(RNG.standard_normal((m, 2))),
                  np.resize(specials, (m, 2))):
            for trans in (0, 1, 2):
                for lower in (False, True):
                    for unit in (False, True):
                        want = sl.solve_triangular(a, b, trans=trans, lower=lower,
                                                   unit_diagonal=unit, check_finite=False)
                        got = L._plain_tri(a, b, trans, lower, unit)
                        assert got.tobytes() == want.tobytes() and got.shape == want.shape
                        assert got.flags.f_contiguous == want.flags.f_contiguous
        want = sl.cho_factor(a, lower=m % 2 == 0, check_finite=False)[0]
        got = L._plain_cho_factor(a, m % 2 == 0)
        assert got.tobytes() == want.tobytes() and got.strides == want.strides


def test_plain_errors_and_other_inputs_are_scipys():
    s = np.triu(np.ones((4, 4)))
    s[2, 2] = 0.0
    with pytest.raises(np.linalg.LinAlgError, match="singular matrix: resolution failed "
                       "at diagonal 2"):
        L._plain_tri(s, np.ones(4), 0, False, False)
    with pytest.raises(np.linalg.LinAlgError, match="3-th leading minor"):
        L._plain_cho_factor(np.diag([1.0, 1.0, -1.0]), False)
    t = np.tril(RNG.standard_normal((3, 3))) + 3 * np.eye(3)
    for a, b in ((t.astype(np.float32), np.ones(3)), (t + 1j, np.ones(3)),
                 (t.tolist(), np.ones(3)), (t, np.ones((3, 0))), (t, np.ones(3, int)),
                 (np.stack([t, t]), np.ones((2, 3, 1)))):
        want = sl.solve_triangular(a, b, lower=True, check_finite=False)
        got = L._plain_tri(a, b, 0, True, False)
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes()


@pytest.mark.parametrize("m", [1, 5, 130])
def test_triangles_are_numpys(m):
    for a in _layouts(m) + [RNG.standard_normal((2, m, m, 3)).transpose(3, 0, 1, 2)]:
        for unit in (False, True):
            k = int(unit)
            for lower, want in ((True, np.tril(a, -k)), (False, np.triu(a, k))):
                got = L._triangle(a, lower, unit)
                assert got.tobytes() == want.tobytes() and got.strides == want.strides
    assert not L._tri_mask(5).flags.writeable and L._tri_mask(5) is L._tri_mask(5)


def _gp(q):
    return bench_module("corpus59").gp_likelihood(q)


def test_gp_row_takes_the_short_cuts(monkeypatch):
    """The row's plain solves and factor skip SciPy's public wrappers."""
    import scipy.linalg as scipy_linalg
    public = spy_on(monkeypatch, scipy_linalg, "solve_triangular", lambda a, r: 1)
    public += spy_on(monkeypatch, scipy_linalg, "cho_factor", lambda a, r: 1)
    direct = spy_on(monkeypatch, L, "_plain_tri", lambda a, r: 1)
    dg.jacobian(_gp, np.array([0.8]))
    assert not public and len(direct) == 6


@pytest.mark.parametrize("x", [0.3, 0.8])
def test_gp_row_bits_and_oracle(monkeypatch, x):
    got = dg.jacobian(_gp, np.array([x]))
    with monkeypatch.context() as mp:           # SciPy's public functions, np.triu
        mp.setattr(L, "_PRIVATE", {"trtrs": None, "potrf": None})
        mp.setattr(L, "_triangle", lambda v, lower, unit=False:
                   np.tril(v, -int(unit)) if lower else np.triu(v, int(unit)))
        mp.setattr(L, "_TRI_UP_TO", 0)
        want = dg.jacobian(_gp, np.array([x]))
    assert got.tobytes() == want.tobytes()
    seed = dg.Dual(np.array([x]), np.eye(1))
    same_bits(_gp(seed), _gp(seed))                 # (the kept masks were not written)
    h = 1e-3 * x
    f = [_gp(np.array([x + k * h]))[0] for k in (-2, -1, 1, 2)]
    fd = (f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * h)
    assert np.isclose(got[0, 0], fd, rtol=1e-6, atol=1e-9 * abs(f[1]))


def test_vector_solutions_come_back_as_before():
    """cho_solve / lu_solve of a 1-D right-hand side: ``x[:, 0]`` of a one-matrix
    solution (the basic index's path), ``x[..., 0]`` of a batch's, the same duals."""
    for shape in ((5, 1), (2, 5, 1)):
        x = dg.Dual(RNG.standard_normal(shape), RNG.standard_normal(shape + (3,)))
        got, want = L._column_back(x), x[..., 0]
        assert type(got) is type(want) and got.shape == want.shape
        same_bits(got, want)
    s = _layouts(4)[0]
    a = np.stack([s @ s.T] * 2)
    c = L.cho_factor(dg.Dual(a, RNG.standard_normal((2, 4, 4, 2))))
    b = dg.Dual(np.ones(4), RNG.standard_normal((4, 2)))
    x = L.cho_solve(c, b)
    assert x.shape == (2, 4)
    np.testing.assert_allclose(np.einsum("kij,kj->ki", a, x.value), np.ones((2, 4)))


def test_check_finite_reads_values_only():
    """SciPy's message where a value holds an inf or a NaN (at any level), as SciPy's
    own call on the values raises; infinite partials pass (check_finite=True)."""
    a = np.eye(3) * 2.0
    for bad in (np.nan, np.inf):
        v = a.copy()
        v[1, 2] = bad
        with pytest.raises(ValueError, match="array must not contain infs or NaNs"):
            sl.cho_factor(v)
        with pytest.raises(ValueError, match="array must not contain infs or NaNs"):
            L.cho_factor(dg.Dual(v, np.ones((3, 3, 1))))
        inner = dg.Dual(v, np.zeros((3, 3, 1)))
        with pytest.raises(ValueError, match="array must not contain infs or NaNs"):
            dg.jacobian(lambda s: L.cho_solve(L.cho_factor(a * s[0]), inner), np.ones(1))
    got = L.cho_factor(dg.Dual(a, np.full((3, 3, 1), np.inf)))[0]
    assert np.isfinite(got.value).all()
