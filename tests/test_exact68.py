"""Silent or half-done results left open at stop 67 (exact68): a NaN element that
turned off the far-range test of the other elements (attack67 F6), the extended-range
power's subnormal slopes kept four steps off (diff67 F5), the SVD of a matrix with an
inf or NaN (diff67 F4), a store into a dual whose partials are read-only (attackb65 F4).

Oracles: mpmath at 60 digits, NumPy's own values and errors, 8th-order central
differences of NumPy's singular values, the arrays' contents before the store."""

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _loader

pytestmark = pytest.mark.mp_dps(60)   # (tests/conftest.py)
STEP = 2.0 ** -1074                  # the least subnormal number


@pytest.fixture(params=["numba", "numpy"])
def loaded(request, monkeypatch):
    """Numba loaded (the compiled entries) or never loaded (NumPy's paths)."""
    if request.param == "numba":
        _loader.load()
    else:
        monkeypatch.setattr(_loader, "READY", False)
        monkeypatch.setattr(_loader, "LOAD_AFTER", 10 ** 18)
    return request.param


def _near(got, want):
    return abs(got - float(want)) <= 1e-13 * abs(float(want))


# ---- attack67 F6: a NaN element beside an underflowed factor --------------------------

@pytest.mark.parametrize("N", [3, 101])
@pytest.mark.parametrize("form", ["u ** c", "np.power(u, c)", "u ** v"])
def test_a_nan_element_leaves_the_others_far_range_power(loaded, N, form):
    # x ** 2.05 at x = 1e-300 times dx = 1e40: the factor 2.05e-315 is subnormal; a NaN
    # element whose partial is 0 kept the product finite and the least magnitude NaN,
    # so the others kept the two steps' 2.0499999986e-275 (7e-10 off)
    x, y, dx = 1e-300, 2.05, 1e40
    want = mp.mpf(y) * mp.mpf(x) ** (mp.mpf(y) - 1) * dx
    xs = np.r_[np.nan, np.full(N - 1, x), y]
    ds = np.r_[0.0, np.full(N - 1, dx), 0.0]
    f = {"u ** c": lambda w: w[:-1] ** y, "np.power(u, c)": lambda w: np.power(w[:-1], y),
         "u ** v": lambda w: w[:-1] ** w[-1:]}[form]
    with np.errstate(all="ignore"):
        got = dg.jvp(f, xs, ds)[1]
    assert all(_near(g, want) for g in got[1:])


@pytest.mark.parametrize("N", [2, 101])
def test_a_nan_element_leaves_the_others_far_range_quotient(loaded, N):
    # d/dy of x / y at x = 1.234e-300, y = 1.1e10: -x / y**2 = -1.02e-320 (subnormal)
    # times dy = 1e40; was -1.01975e-280 (8e-5 off) beside a NaN x
    x, y, dy = 1.234e-300, 1.1e10, 1e40
    want = -mp.mpf(x) / mp.mpf(y) ** 2 * dy
    xs = np.r_[np.nan, np.full(N - 1, x), np.full(N, y)]
    ds = np.r_[np.zeros(N), 0.0, np.full(N - 1, dy)]
    with np.errstate(all="ignore"):
        got = dg.jvp(lambda w: w[:N] / w[N:], xs, ds)[1]
    assert all(_near(g, want) for g in got[1:])


# ---- diff67 F5: u ** 3's slopes below the normal range --------------------------------

def _cube_off(got, x, p, b):
    """How far ``got`` (the slope of ``u ** b``) is from mpmath's ``b x**(b - 1) p``,
    in the room a subnormal slope has: 1.5 least-subnormal steps (the pairs' half a
    step plus the one step an old term keeps) and 2**-40 relative."""
    want = mp.mpf(b) * mp.mpf(x) ** (mp.mpf(b) - 1) * mp.mpf(p)
    return abs(mp.mpf(got) - want) - (1.5 * STEP + 2.0 ** -40 * abs(want))


@pytest.mark.parametrize("b", [3, 3.0, 2.5])
def test_masked_cube_elements_against_mpmath(loaded, b):
    # the check tests/test_small50.py's every-magnitude test points to: where the
    # factor b x**(b - 1) is below the normal range, the slope against mpmath (was 0.0
    # for 1.84e-323 at x = 6e-179 times 1.7e33, 3.7 steps, and 2 of 37 x 17 here)
    rng = np.random.default_rng(68)
    N, n = 37, 17
    x = np.exp(rng.uniform(-745.0, -300.0, N))
    if b != 2.5:
        x *= rng.choice([-1.0, 1.0], N)
    x[:2] = 6e-179, 5.989053932448975e-179
    p = rng.standard_normal((N, n)) * np.exp(rng.uniform(-50.0, 700.0, (N, n)))
    p[0, 0], p[1, 0] = 1.7e33, 1.6845334149229887e33
    with np.errstate(all="ignore"):
        got = np.asarray((dg.Dual(x, p) ** b).partials)
        masked = np.abs(b * np.abs(x) ** (b - 1)) < np.finfo(float).tiny
    assert masked.sum() > 10
    worst = max(_cube_off(got[i, j], x[i], p[i, j], b)
                for i in np.flatnonzero(masked) for j in range(n))
    assert worst <= 0
    if b != 2.5:
        assert got[0, 0] == 2e-323        # mpmath's 1.836e-323, to the nearest step


def test_a_scalar_cube_below_the_normal_range():
    with np.errstate(all="ignore"):
        got = dg.derivative(lambda t: (6e-179 + 1.7e33 * t) ** 3, 0.0)
    assert got == 2e-323


# ---- diff67 F4: svd of a matrix with an inf or NaN -------------------------------------

def _fd8(f, x, h):
    """8th-order central difference of ``f`` (a plain function of an array) along each
    coordinate of ``x``: the Jacobian, rows the outputs."""
    c = [4 / 5, -1 / 5, 4 / 105, -1 / 280]
    cols = []
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = h
        cols.append(sum(ck * (f(x + (k + 1) * e) - f(x - (k + 1) * e)) for k, ck in
                        enumerate(c)) / h)
    return np.stack(cols, axis=-1)


M_FINITE = np.array([[3.0, 1.0, 0.2], [0.5, 2.0, -0.4], [0.1, -0.3, 1.0]])


def _with(value, at):
    M = M_FINITE.copy()
    M[at] = value
    return M


@pytest.mark.parametrize("value, at", [(np.inf, (1, 1)), (-np.inf, (1, 1)),
                                       (np.inf, (2, 0))])
def test_svd_of_a_matrix_with_an_inf_has_nan_partials_where_its_values_are(value, at):
    # LAPACK's vectors of [[.., -inf ..]] are a permutation beside NaN values: read as
    # vectors they gave svd(A)[1] the identity's finite gradient; at (2, 0) NumPy's own
    # svd(M) with vectors never returns (its values alone do)
    M = _with(value, at)
    want = np.linalg.svd(M, compute_uv=False)
    with np.errstate(all="ignore"):
        for part in range(3):
            J = dg.jacobian(lambda v: np.ravel(np.linalg.svd(v.reshape(3, 3))[part]),
                            M.ravel())
            assert np.isnan(J).all()
        got = dg.jvp(lambda v: dict(zip("USV", np.linalg.svd(v.reshape(3, 3)))),
                     M.ravel(), np.ones(9))[0]
    assert np.array_equal(got["S"], want, equal_nan=True)
    assert np.isnan(got["U"]).all() and np.isnan(got["V"]).all()


def test_svd_in_a_hessian_of_a_matrix_with_an_inf():
    # one level down the inner level's vectors came from LAPACK's NaN / permuted ones
    M = _with(np.inf, (0, 1))
    with np.errstate(all="ignore"):
        for f in (lambda v: np.sum(np.linalg.svd(v.reshape(3, 3), compute_uv=False)),
                  lambda v: np.sum(np.linalg.svd(v.reshape(3, 3))[0]),
                  lambda v: np.linalg.norm(v.reshape(3, 3), 2)):
            assert np.isnan(dg.hessian(f, M.ravel())).all()


def test_svd_of_a_stack_keeps_its_finite_matrices_in_a_hessian():
    A = np.stack([_with(np.inf, (2, 0)), M_FINITE])
    s = lambda v: np.linalg.svd(v.reshape(2, 3, 3), compute_uv=False)      # noqa: E731
    with np.errstate(all="ignore"):
        H = dg.jacobian(lambda z: dg.jacobian(s, z), A.ravel())
    assert np.isnan(H[0]).all()                 # NumPy's NaN values: NaN every way
    plain = lambda v: np.linalg.svd(v.reshape(3, 3), compute_uv=False)      # noqa: E731
    want = _fd8(lambda v: _fd8(plain, v, 1e-3), M_FINITE.ravel(), 1e-3)
    np.testing.assert_allclose(H[1][:, 9:, 9:], want, rtol=0, atol=1e-7)
    assert not H[1][:, :9].any() and not H[1][:, :, :9].any()


def test_hermitian_svd_reads_the_lower_triangle_only():
    # NumPy's svd(hermitian=True) is eigh's: an inf above the diagonal is never read,
    # so the values are finite; the partials were NaN (stop 67's early return)
    S = np.array([[3.0, 0.5, 0.2], [0.5, 2.0, -0.4], [0.2, -0.4, 1.0]])
    M = S.copy()
    M[0, 2] = np.inf
    f = lambda v: np.linalg.svd(v.reshape(3, 3), compute_uv=False,      # noqa: E731
                                hermitian=True)
    lower = lambda v: np.linalg.svd(np.tril(v.reshape(3, 3)) +          # noqa: E731
                                    np.tril(v.reshape(3, 3), -1).T, compute_uv=False)
    got = dg.jacobian(f, M.ravel())
    want = _fd8(lower, S.ravel(), 1e-3)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


def test_svd_raises_where_numpy_raises():
    M = _with(np.nan, (0, 1))
    with pytest.raises(np.linalg.LinAlgError):
        np.linalg.svd(M)
    with np.errstate(all="ignore"), pytest.raises(np.linalg.LinAlgError):
        dg.hessian(lambda v: np.sum(np.linalg.svd(v.reshape(3, 3))[1]), M.ravel())


# ---- attackb65 F4: a store into a dual whose partials are read-only ---------------------

STORES = {
    "d[1] = k": lambda d, k: d.__setitem__(1, k),
    "d[1] = 0.5": lambda d, k: d.__setitem__(1, 0.5),
    "d[1:3] = d[:2] * 2": lambda d, k: d.__setitem__(slice(1, 3), d[:2] * 2),
    "d[[0, 2]] = k": lambda d, k: d.__setitem__([0, 2], k),
    "d.fill(k)": lambda d, k: d.fill(k),
    "d.flat[1] = k": lambda d, k: d.flat.__setitem__(1, k),
    "d *= 2": lambda d, k: d.__imul__(2.0),
    "d += k": lambda d, k: d.__iadd__(k),
}


@pytest.mark.filterwarnings("ignore::dualgrad.CaughtErrorWarning")   # (f catches it)
@pytest.mark.parametrize("name", list(STORES))
@pytest.mark.parametrize("which", ["partials", "value"])
@pytest.mark.parametrize("complex_", [False, True], ids=["real", "complex"])
def test_a_store_into_read_only_arrays_writes_nothing(name, which, complex_):
    # the value was written and the partials refused (attackb65 F4): all or nothing
    seen = {}

    def f(x):
        c = 1 + 0j if complex_ else 1.0
        d = x * c
        k = x[0] * (3.0 * c)
        getattr(d, which).flags.writeable = False
        before = np.array(d.value), np.array(d.partials)
        with pytest.raises(ValueError) as info:
            STORES[name](d, k)
        seen["message"] = str(info.value)
        seen["same"] = np.array_equal(before[0], d.value) and \
            np.array_equal(before[1], d.partials)
        return x[0]

    dg.gradient(f, np.array([1.0, 2.0, 3.0]))
    assert seen["same"]
    if which == "partials" or name in ("d *= 2", "d += k"):
        assert f"whose {which}" in seen["message"] and "d = d.copy()" in seen["message"]
