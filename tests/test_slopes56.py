"""slopes56: the incomplete gamma / beta shape slopes by per-element numba kernels.

``dualgrad/backend/_slope_kernels.py`` steps ``rules/_special.py``'s series and
continued fractions one element at a time; they must give the NumPy steps' bits
(``dualgrad.backend.use("numpy")`` runs those) over a sweep of small and large shapes,
near ``x = a``, in the tails, at tiny ``x``, and where the steps run out (NaN both).
Oracles beside that: mpmath's ``diff`` of its regularized ``gammainc`` / ``betainc`` at
40-60 digits (the smaller side's digits differentiated), through ``dg.grad`` /
``dg.hessian`` of SciPy's functions and the distributions built on them, in both
backends; no expected value comes from dualgrad.
"""
import numpy as np
import pytest

import dualgrad as dg
from dualgrad.rules import _special

mp = pytest.importorskip("mpmath")
sc = pytest.importorskip("scipy.special")


def _rel(got, want):
    want = float(want)
    return abs(got - want) / abs(want) if want != 0 else abs(got)


@pytest.fixture
def spied(monkeypatch):
    """Counts each slope kernel's calls that ran (did not hand back to NumPy)."""
    counts = {}
    for name, kernel in list(_special.KERNELS.items()):
        def spy(*args, _kernel=kernel, _name=name):
            got = _kernel(*args)
            if got is not None:
                counts[_name] = counts.get(_name, 0) + 1
            return got
        monkeypatch.setitem(_special.KERNELS, name, spy)
    return counts


def _same_bits(p, q):
    p, q = np.asarray(p), np.asarray(q)
    return p.shape == q.shape and bool(np.all((p == q) & (np.signbit(p) == np.signbit(q)) |
                                              np.isnan(p) & np.isnan(q)))


def _flat(got):
    out = [got[0]]
    for part in got[1:]:
        if part is None:
            continue
        out += list(part) if isinstance(part, tuple) else [part]
    return out


def _gamma_sweep(rng):
    a = np.concatenate([10.0 ** rng.uniform(-4, 6, 3000), [1e-300, 0.5, 3.0, 1e8, 2e8]])
    z = np.concatenate([rng.normal(0, 3, 1500), rng.uniform(-40, 40, 1500), [0.1] * 5])
    x = np.abs(a + z * np.sqrt(a)) + 1e-300           # near x = a and in both tails
    x[::7] = a[::7] * 10.0 ** rng.uniform(-12, 3, x[::7].size)      # far tails, tiny x
    x[:4] = (np.inf, np.nan, 0.0, -1.0)
    return a, x


def _beta_sweep(rng):
    n = 3000
    a = 10.0 ** rng.uniform(-3, 5, n)
    b = 10.0 ** rng.uniform(-3, 5, n)
    mean = a / (a + b)
    sd = np.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    x = np.clip(mean + rng.normal(0, 4, n) * sd, 1e-300, 1 - 2 ** -53)
    x[::5] = rng.uniform(0, 1, x[::5].size)
    x[::11] = 10.0 ** rng.uniform(-300, -10, x[::11].size)      # the fraction's 1 + O(x)
    x[::13] = 1 - 10.0 ** rng.uniform(-16, -8, x[::13].size)
    x[:4] = (0.0, 1.0, np.nan, 0.5)
    b[4] = -1.0
    return a, b, x


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("which", ["gamma", "beta"])
def test_the_kernels_give_the_numpy_steps_bits(spied, which, order):
    rng = np.random.default_rng(56 + order)
    if which == "gamma":
        args, fn = _gamma_sweep(rng), _special.gammainc_log_slopes
    else:
        args, fn = _beta_sweep(rng), _special.betainc_log_slopes
    with dg.backend.use("numpy"):
        want = fn(*args, order=order)
    assert not spied
    with dg.backend.use("numba"):
        got = fn(*args, order=order)
    names = ("gamma_series", "gamma_fraction") if which == "gamma" else ("beta_fraction",)
    assert all(spied.get(name) for name in names), spied
    for k, (p, q) in enumerate(zip(_flat(want), _flat(got))):
        assert _same_bits(p, q), (k, np.flatnonzero(~((p == q) | np.isnan(p) & np.isnan(q)))[:5])
    # the sweep reaches the results that matter: finite slopes of both methods and NaN
    finite = np.isfinite(want[1] if which == "gamma" else want[1][0])
    assert 0.9 * finite.size < finite.sum() < finite.size


def test_an_unconverged_element_is_nan_in_both():
    """Where the steps run out (a fraction past its limit) both give NaN, the caller's
    refusal: ``gammainc``'s shape slope at ``a ~ 1e9`` just below ``x = a``."""
    a, x = np.array([1e9, 3.0]), np.array([1e9 - 3e4, 2.0])
    with dg.backend.use("numba"):
        with pytest.raises(TypeError, match="gammainc"):
            dg.jvp(lambda s: sc.gammainc(s, x), a, np.ones(2))
    for mode in ("numpy", "numba"):
        with dg.backend.use(mode):
            got = _special.gammainc_log_slopes(a, x)[1]
        assert np.isnan(got[0]) and np.isfinite(got[1])


def _gamma_da(a, x, orders=(1, 0)):
    """mpmath's d^orders of P(a, x), from the smaller of P and Q."""
    with mp.workdps(40):
        a, x = mp.mpf(a), mp.mpf(x)
        if mp.gammainc(a, 0, x, regularized=True) < 0.5:
            return mp.diff(lambda s, t: mp.gammainc(s, 0, t, regularized=True), (a, x), orders)
        return -mp.diff(lambda s, t: mp.gammainc(s, t, mp.inf, regularized=True), (a, x),
                        orders)


def _beta_d(a, b, x, orders):
    """mpmath's d^orders of I_x(a, b) in (a, b, x), from the smaller side."""
    with mp.workdps(60):
        p = [mp.mpf(v) for v in (a, b, x)]
        if mp.betainc(*p[:2], 0, p[2], regularized=True) < 0.5:
            f = lambda s, t, u: mp.betainc(s, t, 0, u, regularized=True)    # noqa: E731
            return mp.diff(f, p, orders)
        f = lambda s, t, u: mp.betainc(s, t, u, 1, regularized=True)        # noqa: E731
        return -mp.diff(f, p, orders)


# small and large shapes, x at a (the series / fraction switch), a few deviations out,
# the tails
GAMMA_POINTS = [(0.01, 0.003), (0.3, 1e-6), (0.3, 40.0), (2.0, 2.0), (7.5, 0.2), (7.5, 30.0),
                (120.0, 120.0), (120.0, 96.0), (120.0, 150.0), (2500.0, 2450.0),
                (2500.0, 2500.0 + 1e-9), (2e4, 2e4 + 400.0)]


@pytest.mark.parametrize("mode", ["numpy", "numba"])
def test_gammainc_shape_slopes_against_mpmath(mode):
    a = np.array([p[0] for p in GAMMA_POINTS])
    x = np.array([p[1] for p in GAMMA_POINTS])
    with dg.backend.use(mode):
        _, d = dg.jvp(lambda s: sc.gammainc(s, x), a, np.ones_like(a))
        _, dq = dg.jvp(lambda s: sc.gammaincc(s, x), a, np.ones_like(a))
    np.testing.assert_array_equal(dq, -d)
    for k, point in enumerate(GAMMA_POINTS):
        assert _rel(d[k], _gamma_da(*point)) < 5e-13, (point, d[k])


@pytest.mark.parametrize("mode", ["numpy", "numba"])
@pytest.mark.parametrize("point", [(0.3, 0.2), (7.5, 9.0), (120.0, 110.0), (2500.0, 2520.0)])
def test_gammainc_hessian_against_mpmath(mode, point):
    """d2/da2 by the order-2 jets; the mixed and x ones by the density's closed forms."""
    with dg.backend.use(mode):
        h = dg.hessian(lambda v: sc.gammainc(v[0], v[1]), np.array(point))
    for (i, j), orders in (((0, 0), (2, 0)), ((0, 1), (1, 1)), ((1, 1), (0, 2))):
        assert _rel(h[i, j], _gamma_da(*point, orders)) < 1e-8, (point, i, j, h[i, j])


BETA_POINTS = [(0.05, 0.7, 0.3), (0.5, 0.5, 1e-14), (2.5, 400.0, 0.004), (2.5, 400.0, 0.02),
               (30.0, 20.0, 0.6), (30.0, 20.0, 0.999), (600.0, 900.0, 0.4),
               (600.0, 900.0, 0.43), (5e3, 40.0, 0.992), (1e-3, 3.0, 0.9)]


@pytest.mark.parametrize("mode", ["numpy", "numba"])
def test_betainc_shape_slopes_against_mpmath(mode):
    a, b, x = (np.array([p[k] for p in BETA_POINTS]) for k in range(3))
    with dg.backend.use(mode):
        _, da = dg.jvp(lambda s: sc.betainc(s, b, x), a, np.ones_like(a))
        _, db = dg.jvp(lambda s: sc.betainc(a, s, x), b, np.ones_like(b))
    for k, point in enumerate(BETA_POINTS):
        for got, orders in ((da[k], (1, 0, 0)), (db[k], (0, 1, 0))):
            assert _rel(got, _beta_d(*point, orders)) < 2e-13, (point, orders, got)


@pytest.mark.parametrize("mode", ["numpy", "numba"])
@pytest.mark.parametrize("point", [(0.7, 3.0, 0.1), (30.0, 20.0, 0.7), (600.0, 900.0, 0.39)])
def test_betainc_hessian_in_a_b_against_mpmath(mode, point):
    with dg.backend.use(mode):
        h = dg.hessian(lambda v: sc.betainc(v[0], v[1], point[2]), np.array(point[:2]))
    for (i, j), orders in (((0, 0), (2, 0, 0)), ((0, 1), (1, 1, 0)), ((1, 1), (0, 2, 0))):
        assert _rel(h[i, j], _beta_d(*point, orders)) < 1e-9, (point, i, j, h[i, j])


def test_betainc_slope_mixing_both_sides_broadcast_and_0d():
    """SciPy's ``betaincc`` is taken only where it is the scale (the upper side): a
    broadcast call whose elements fall on both sides, a 0-d call on each side, integer
    shapes; each element against mpmath."""
    a = np.array([3.0, 40.0])
    b = np.array([[2.0], [9.0]])
    x = np.array([0.2, 0.9])
    j = dg.jacobian(lambda s: sc.betainc(s, b, x), a)
    for r in range(2):
        for c in range(2):
            want = _beta_d(a[c], b[r, 0], x[c], (1, 0, 0))
            assert _rel(j[r, c, c], want) < 2e-13, (r, c)
            assert j[r, c, 1 - c] == 0.0
    for xv in (0.1, 0.95):
        got = dg.derivative(lambda s: sc.betainc(s, 3, xv), 2.0)
        assert _rel(got, _beta_d(2.0, 3.0, xv, (1, 0, 0))) < 2e-13, xv
        got = dg.derivative(lambda s: sc.betaincc(2, s, xv), 3.0)
        assert _rel(got, -_beta_d(2.0, 3.0, xv, (0, 1, 0))) < 2e-13, xv


def _implicit(fn, shape, y):
    """d/dshape of the inverse of ``fn(shape, .)`` at SciPy's quantile ``y``: ``-fn_s /
    fn_x`` by mpmath."""
    with mp.workdps(50):
        s, t = mp.mpf(shape), mp.mpf(y)
        return -mp.diff(lambda v: fn(v, t), s) / mp.diff(lambda v: fn(s, v), t)


@pytest.mark.parametrize("mode", ["numpy", "numba"])
def test_rows_on_the_series_against_mpmath(mode):
    """Rows that share the series and fractions: chdtr / chdtrc in df, stdtr in df
    (betainc), gammaincinv / betaincinv in a shape (one over the density times the
    slope); each against mpmath's function."""
    lower = lambda a, x: mp.gammainc(a, 0, x, regularized=True)      # noqa: E731
    ibeta = lambda a, x: mp.betainc(a, 3, 0, x, regularized=True)     # noqa: E731
    with mp.workdps(50):
        cases = [
            (lambda k: sc.chdtr(k, 7.0), 5.0, mp.diff(lambda k: lower(k / 2, 3.5), 5)),
            (lambda k: sc.chdtrc(k, 7.0), 5.0, -mp.diff(lambda k: lower(k / 2, 3.5), 5)),
            (lambda d: sc.stdtr(d, -1.5), 6.0, mp.diff(
                lambda d: mp.betainc(d / 2, 0.5, 0, d / (d + 2.25), regularized=True) / 2, 6)),
            (lambda a: sc.gammaincinv(a, 0.3), 4.5,
             _implicit(lower, 4.5, sc.gammaincinv(4.5, 0.3))),
            (lambda a: sc.betaincinv(a, 3.0, 0.6), 2.5,
             _implicit(ibeta, 2.5, sc.betaincinv(2.5, 3.0, 0.6))),
        ]
    with dg.backend.use(mode):
        for k, (f, at, want) in enumerate(cases):
            got = dg.derivative(f, at)
            assert _rel(got, want) < 1e-12, (k, got, float(want))


def test_a_large_shapes_steps_load_the_kernels_at_once(spied, monkeypatch):
    """Before numba is loaded (``auto``), the steps' work counts toward loading it as
    their number grows, with the square root of the shape: one gammainc slope at a = 1e8,
    x = a (~1 s of NumPy steps) loads numba and runs the kernel at its first call; a
    small shape's first call stays with NumPy."""
    from dualgrad.backend import _loader
    monkeypatch.setattr(_loader, "READY", False)
    monkeypatch.setattr(_loader, "_spent", 0)
    monkeypatch.setattr(_loader, "load", lambda: setattr(_loader, "READY", True))
    got = _special.gammainc_log_slopes(np.array([3.0]), np.array([2.0]))[1]
    assert not spied and not _loader.READY
    with dg.backend.use("numpy"):
        want = _special.gammainc_log_slopes(np.array([1e8]), np.array([1e8]))[1]
    got = _special.gammainc_log_slopes(np.array([1e8]), np.array([1e8]))[1]
    assert spied.get("gamma_series") == 1 and _loader.READY
    assert _same_bits(got, want) and np.isfinite(got[0])
