"""dg.quad's watch of jumps and kinks nobody reported to it (attack51 10, 04, 20, 05, 02,
11): complex branch cuts, np.unwrap's whole periods, NaN / inf sources outside the
NumPy domain rows (scipy.special's edges, a stats ppf, an overflow), the sorted values
of eigh / svd / unique, and kinks of higher order (laplace's cdf, huber, i1e).  Each
moving one is refused by name; what does not move, or does not jump, is computed.

Oracles: closed forms, scipy.integrate.quad of analytic derivatives, mpmath.quad split
at the moving place and mpmath.diff at 30 digits."""

import subprocess
import sys
import warnings

import mpmath
import numpy as np
import pytest
import scipy.integrate as si
import scipy.special as sc

import dualgrad as dg
from dualgrad.scipy import stats as S

MOVES = "branches to stay put"


def _d(F, p):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dg.derivative(F, p)


def _h(F, p):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dg.hessian(F, p)


def _d3(F, p):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dg.derivative(lambda q: dg.hessian(F, q), p)


def _area(g, a, b, **kw):
    return lambda p: dg.quad(lambda x: g(x, p), a, b, **kw)[0]


# ---- (1) complex branch cuts (attack51 10) -------------------------------------------
def _z(x, p):
    return -1.0 + 1j * (x - p)             # crosses the negative real axis at x = p


CUTS = {
    "log": lambda x, p: np.log(_z(x, p)),
    "log.imag": lambda x, p: np.log(_z(x, p)).imag,
    "log2": lambda x, p: np.log2(_z(x, p)),
    "log10": lambda x, p: np.log10(_z(x, p)),
    "sqrt": lambda x, p: np.sqrt(_z(x, p)),
    "** 0.5": lambda x, p: _z(x, p) ** 0.5,
    "power": lambda x, p: np.power(_z(x, p), 1.0 / 3.0),
    "float_power": lambda x, p: np.float_power(_z(x, p), 0.25),
    "log1p": lambda x, p: np.log1p(_z(x, p) - 1.0),
    "arccos": lambda x, p: np.arccos(_z(x, p) - 1.0),       # |Re| > 1 on the real axis
    "arcsin": lambda x, p: np.arcsin(_z(x, p) - 1.0),
    "arctanh": lambda x, p: np.arctanh(_z(x, p) - 1.0),
    "arccosh": lambda x, p: np.arccosh(_z(x, p)),
    "arcsinh": lambda x, p: np.arcsinh(2j + (x - p)),          # Im z > 1: its cut
    "arctan": lambda x, p: np.arctan(2j + (x - p)),
    "loggamma": lambda x, p: sc.loggamma(_z(x, p) - 1.5),
    "xlogy": lambda x, p: sc.xlogy(2.0, _z(x, p)),
    "xlog1py": lambda x, p: sc.xlog1py(2.0, _z(x, p) - 1.0),
}


@pytest.mark.parametrize("name", sorted(CUTS))
def test_a_complex_argument_crossing_its_cut_where_it_moves_is_refused(name):
    g = CUTS[name]
    real = name == "log.imag"
    F = _area(g, 0.0, 2.0, complex_func=not real)
    with pytest.raises(TypeError, match=MOVES) as info:
        _d(F, 0.7)
    assert "branch cut" in str(info.value) and "complex argument" in str(info.value)


def test_im_log_across_its_cut_was_the_derivative_under_the_integral_sign():
    # what main gave (1.52583) is the derivative without the jump of -2 pi at x = p:
    # d/dp int_0^2 arg(-1 + i (x - p)) dx = arctan(2 - p) + arctan(p) - 2 pi (arg(-1 + i
    # t) = sign(t) pi - arctan(t)); each side's own formula, split at p, gives it
    p = 0.7
    exact = np.arctan(2 - p) + np.arctan(p) - 2 * np.pi

    def side(sign):
        return lambda x, q: sign * np.pi - np.arctan(x - q)
    F = lambda q: dg.quad(lambda x: side(-1.0)(x, q), 0.0, q)[0] + \
        dg.quad(lambda x: side(1.0)(x, q), q, 2.0)[0]
    assert _d(F, p) == pytest.approx(exact, rel=1e-10)


def test_complex_logs_that_do_not_cross_a_cut_are_computed():
    p = 0.7
    # crosses the positive real axis (log is continuous there): arctan(x - p)
    F = _area(lambda x, q: np.log(1.0 + 1j * (x - q)).imag, 0.0, 2.0)
    assert _d(F, p) == pytest.approx(-(np.arctan(p) + np.arctan(2 - p)), rel=1e-10)
    # passes below the origin, from the third quadrant to the fourth: arg continuous
    G = _area(lambda x, q: np.log((x - q) - 0.5j).imag, 0.0, 2.0)
    A = lambda t: np.arctan2(-0.5, t)
    assert _d(G, p) == pytest.approx(A(-p) - A(2 - p), rel=1e-10)
    # a complex sqrt's Hessian away from its cut: sqrt(x + p + 1j), int over [0, 1]
    H = _area(lambda x, q: np.sqrt(x + q + 1j), 0.0, 1.0, complex_func=True)
    exact = 0.5 * ((1 + p + 1j) ** -0.5 - (p + 1j) ** -0.5)    # d2/dp2 of (2/3) z^1.5
    assert complex(_h(H, p)) == pytest.approx(complex(exact), rel=1e-9)


def test_a_cut_crossed_at_a_place_that_does_not_move_is_computed():
    # Im log(-1 + i p (x - 1)) crosses the cut at x = 1 whatever p is: the derivative
    # under the integral sign, int_0^3 -(x - 1) / (1 + p^2 (x - 1)^2) dx
    p = 0.8
    F = _area(lambda x, q: np.log(-1.0 + 1j * q * (x - 1.0)).imag, 0.0, 3.0, points=[1.0])
    exact = -(np.log(1 + 4 * p * p) - np.log(1 + p * p)) / (2 * p * p)
    assert _d(F, p) == pytest.approx(exact, rel=1e-9)


# ---- (2) np.unwrap (attack51 04) -----------------------------------------------------
def test_unwrap_whose_correction_jumps_where_it_moves_is_refused():
    g = lambda x, p: np.unwrap(np.stack([0 * x, 4.0 * (x - p)]))[1]
    with pytest.raises(TypeError, match=MOVES):
        _d(_area(g, 0.0, 3.0), 0.7)
    g = lambda x, p: np.unwrap(np.stack([0 * x, 4.0 * (x - p)]), period=5.0)[1]
    with pytest.raises(TypeError, match=MOVES):
        _d(_area(g, 0.0, 3.0), 0.7)
    # discont above half the period: its own place, |dd| = 4 (x = p + 1)
    g = lambda x, p: np.unwrap(np.stack([0 * x, 4.0 * (x - p)]), discont=4.0)[1]
    with pytest.raises(TypeError, match=MOVES):
        _d(_area(g, 0.0, 3.0), 0.7)


def test_unwrap_whose_correction_stays_put_is_computed():
    # |dd| = 0.4 |x - p| < pi throughout: no correction, d/dp int 0.4 (x - p) = -1.2
    g = lambda x, p: np.unwrap(np.stack([0 * x, 0.4 * (x - p)]))[1]
    assert _d(_area(g, 0.0, 3.0), 0.7) == pytest.approx(-1.2, rel=1e-12)
    # a correction of -2 pi everywhere (dd = 4 + (x - p) / 10 > pi): -0.3
    g = lambda x, p: np.unwrap(np.stack([0 * x, 4.0 + 0.1 * (x - p)]))[1]
    assert _d(_area(g, 0.0, 3.0), 0.7) == pytest.approx(-0.3, rel=1e-12)


# ---- (3) NaN / inf sources (attack51 20) ---------------------------------------------
NAN_SOURCES = {
    "ndtri": lambda x, p: np.where(np.isfinite(sc.ndtri((x - p) / 3)), 1.0, 0.0),
    "logit": lambda x, p: np.where(np.isnan(sc.logit((x - p) / 3)), 0.0, 1.0),
    "erfinv": lambda x, p: np.where(np.isnan(sc.erfinv(x - p)), 0.0, 1.0),
    "erfcinv": lambda x, p: np.where(np.isnan(sc.erfcinv(x - p)), 0.0, 1.0),
    "ellipk": lambda x, p: np.where(np.isnan(sc.ellipk(x - p)), 0.0, 1.0),
    "ellipe": lambda x, p: np.nan_to_num(sc.ellipe(x - p)),
    "ndtri_exp": lambda x, p: np.where(np.isnan(sc.ndtri_exp(x - p)), 0.0, 1.0),
    "norm.ppf": lambda x, p: np.where(np.isnan(S.norm.ppf((x - p) / 3)), 0.0, 1.0),
    "expon.isf": lambda x, p: np.where(np.isnan(S.expon.isf((x - p) / 3)), 0.0, 1.0),
    "exp": lambda x, p: np.where(np.isinf(np.exp(800 * (x - p))), 0.0, x),
    "expm1": lambda x, p: np.where(np.isinf(np.expm1(800 * (x - p))), 0.0, x),
    "exp2": lambda x, p: np.where(np.isinf(np.exp2(1200 * (x - p))), 0.0, x),
    "cosh": lambda x, p: np.isfinite(np.cosh(800 * (x - p))) * x,
    "sinh": lambda x, p: np.isfinite(np.sinh(800 * (p - x))) * x,
    "power": lambda x, p: x * np.isfinite(np.power(10.0, 400 * (x - p))),
    "inf * 0": lambda x, p: np.nan_to_num(np.exp(800 * (x - p)) * 0 + x),
}


@pytest.mark.parametrize("name", sorted(NAN_SOURCES))
def test_a_nan_or_inf_source_masked_where_its_edge_moves_is_refused(name):
    with pytest.raises(TypeError, match=MOVES) as info:
        _d(_area(NAN_SOURCES[name], 0.0, 3.0), 0.7)
    assert "NaN past it" in str(info.value)


def test_an_overflow_refusal_names_its_edge_and_the_split_is_exact():
    # where(isinf(exp(800 (x - p))), 0, x) is x up to c = p + log(max float) / 800:
    # int = c^2 / 2, d/dp = c
    p = 0.7
    c = lambda q: q + np.log(np.finfo(float).max) / 800
    with pytest.raises(TypeError, match=r"np\.exp .*overflow"):
        _d(_area(NAN_SOURCES["exp"], 0.0, 3.0), p)
    F = lambda q: dg.quad(lambda x: x + 0 * q, 0.0, c(q))[0]
    assert _d(F, p) == pytest.approx(c(p), rel=1e-12)


def test_nan_sources_inside_their_domain_or_at_a_fixed_edge_are_computed():
    p = 0.7
    # ndtri((x + p) / 3) on [0, 1]: inside (0, 1); d/dp int = ndtri((1 + p) / 3) - ndtri(p / 3)
    F = _area(lambda x, q: sc.ndtri((x + q) / 3), 0.0, 1.0)
    assert _d(F, p) == pytest.approx(sc.ndtri((1 + p) / 3) - sc.ndtri(p / 3), rel=1e-9)
    F = _area(lambda x, q: S.norm.ppf((x + q) / 3), 0.0, 1.0)
    assert _d(F, p) == pytest.approx(sc.ndtri((1 + p) / 3) - sc.ndtri(p / 3), rel=1e-9)
    # exp(x - p) far from overflow, masked anyway: -int_0^3 x e^(x - p) = -(2 e^3 + 1) e^-p
    F = _area(lambda x, q: np.where(np.isinf(np.exp(x - q)), 0.0, x * np.exp(x - q)), 0.0, 3.0)
    assert _d(F, p) == pytest.approx(-(2 * np.exp(3) + 1) * np.exp(-p), rel=1e-10)
    # an overflow at a fixed place (x = log(max) / 800) of a plain argument: int_0^c x p
    c = np.log(np.finfo(float).max) / 800
    F = _area(lambda x, q: np.where(np.isinf(np.exp(800 * x)), 0.0, x * q), 0.0, 3.0,
              points=[c])
    assert _d(F, p) == pytest.approx(c * c / 2, rel=1e-8)
    # cosh / power of moving arguments far below their overflow: smooth
    F = _area(lambda x, q: np.log(np.cosh(x * q)), 0.0, 2.0)
    assert _d(F, p) == pytest.approx(si.quad(lambda x: x * np.tanh(x * p), 0, 2)[0], rel=1e-9)


def test_the_overflow_thresholds_are_the_largest_finite_arguments():
    from dualgrad.rules._table import RULES
    big = np.float64(1e300)
    with np.errstate(over="ignore"):
        for u, name in ((np.exp, "exp"), (np.expm1, "expm1"), (np.exp2, "exp2"),
                        (np.cosh, "cosh"), (np.sinh, "sinh")):
            place = [b for b in RULES[u].branch if b[0] == "nan"][-1][2]
            edge = float(place.split(" - ")[0])
            assert np.isfinite(u(edge)) and np.isinf(u(np.nextafter(edge, big))), name


def test_scipy_rows_met_first_inside_the_watch_are_watched():
    # a fresh interpreter whose first scipy.special call runs inside dg.quad's watch
    # (its rows were loaded after the watch had looked for them: no branch, 0.0)
    code = ("import warnings; warnings.simplefilter('ignore')\n"
            "import numpy as np, scipy.special as sc, dualgrad as dg\n"
            "F = lambda p: dg.quad(lambda x: np.where(np.isnan(sc.erfinv(x - p)), 0.0, "
            "1.0), 0.0, 3.0)[0]\n"
            "try:\n    print(dg.derivative(F, 0.7))\n"
            "except TypeError as e:\n    print('refused', 'erfinv' in str(e))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.strip() == "refused True", out.stdout + out.stderr


# ---- (4) sorted spectra (attack51 05) ------------------------------------------------
def _bands(x, p):
    return np.diag([1.0, 0.0]) * x * x + np.diag([0.0, 1.0]) * p   # x^2 and p cross


SORTED = {
    "eigvalsh": lambda x, p: np.linalg.eigvalsh(_bands(x, p))[0],
    "eigh": lambda x, p: np.linalg.eigh(_bands(x, p))[0][0],
    "eigh upper": lambda x, p: np.linalg.eigh(_bands(x, p), UPLO="U")[0][0],
    "unique": lambda x, p: np.unique(np.stack([x * x, 0 * x + p]))[0],
    "svd": lambda x, p: np.linalg.svd(np.diag(np.stack([x * x, 0 * x + p])))[1][1],
    "svdvals": lambda x, p: np.linalg.svdvals(np.diag(np.stack([x * x, 0 * x + p])))[1],
    "svd compute_uv": lambda x, p: np.linalg.svd(
        np.diag(np.stack([x * x, 0 * x + p])), compute_uv=False)[1],
}


@pytest.mark.parametrize("name", sorted(SORTED))
def test_sorted_values_crossing_where_they_move_refuse_hessians(name):
    # int_0^2 min(x^2, p) dx = 2 p - (2/3) p^1.5: d/dp = 2 - sqrt(p) (exact), d2/dp2
    # loses the kink's term -1 / (2 sqrt p) under the integral sign: refused
    p = 1.3
    F = _area(SORTED[name], 0.0, 2.0)
    assert _d(F, p) == pytest.approx(2 - np.sqrt(p), rel=1e-9)
    with pytest.raises(TypeError, match=MOVES):
        _h(F, p)


def test_a_singular_value_through_zero_refuses_hessians():
    # x |x - p| over [0, 3]: d/dp = p^2 - 4.5; d2/dp2 2 p needs the kink's term
    # (svd with its vectors is refused at the rank-deficient crossing itself, where the
    # watch's bisection may land: its vectors have no derivative there)
    p = 1.4
    for values in (np.linalg.svdvals, lambda a: np.linalg.svd(a, compute_uv=False)):
        F = _area(lambda x, q: x * values((x - q) * np.ones((1, 1)))[0], 0.0, 3.0)
        assert _d(F, p) == pytest.approx(p * p - 4.5, rel=1e-8)
        with pytest.raises(TypeError, match=MOVES):
            _h(F, p)
    F = _area(lambda x, q: x * np.linalg.svd((x - q) * np.ones((1, 1)))[1][0], 0.0, 3.0)
    with pytest.raises(TypeError):
        _h(F, p)


def test_an_avoided_crossing_is_computed():
    # [[x, 1/2], [1/2, p]]: the lower value (x + p) / 2 - s, s = sqrt(((x - p) / 2)^2 + 1/4),
    # never meets the upper one; d2/dp2 = -(1/16) / s^3
    p = 1.3

    def lower(x, q):
        m = np.stack([np.stack([x + 0 * q, 0 * q + 0.5]), np.stack([0 * q + 0.5, 0 * x + q])])
        return np.linalg.eigvalsh(m)[0]
    s = lambda x: np.sqrt(((x - p) / 2) ** 2 + 0.25)
    exact = si.quad(lambda x: -1 / 16 / s(x) ** 3, 0, 2, epsabs=1e-13)[0]
    assert float(np.ravel(_h(_area(lower, 0.0, 2.0), p))[0]) == pytest.approx(exact, rel=1e-8)


# ---- (5) kinks of higher order (attack51 02, 11) --------------------------------------
@mpmath.workdps(30)
def _laplace_oracle(kind, p, n):

    def F(x, q):
        t = x - q
        cdf = 0.5 * mpmath.exp(t) if t < 0 else 1 - 0.5 * mpmath.exp(-t)
        sf = 1 - cdf
        return {"cdf": cdf, "sf": sf, "logcdf": mpmath.log(cdf), "logsf": mpmath.log(sf)}[kind]

    G = lambda q: mpmath.quad(lambda x: (x * x + 1) * F(x, q), [-10, q, 10])
    return float(mpmath.diff(G, p, n))


@pytest.mark.parametrize("kind", ["cdf", "sf", "logcdf", "logsf"])
def test_laplace_cdfs_third_derivatives_are_refused_second_exact(kind):
    method = getattr(S.laplace, kind)
    F = _area(lambda x, q: (x * x + 1) * method(x, loc=q), -10.0, 10.0)
    assert float(_h(F, 0.5)) == pytest.approx(_laplace_oracle(kind, 0.5, 2), rel=1e-7)
    with pytest.raises(TypeError, match="second derivative") as info:
        _d3(F, 0.5)
    assert f"laplace.{kind}" in str(info.value)
    frozen = _area(lambda x, q: (x * x + 1) * getattr(S.laplace(loc=q), kind)(x), -10.0, 10.0)
    with pytest.raises(TypeError, match=MOVES):
        _d3(frozen, 0.5)


def test_huber_and_i1e_third_derivatives_are_refused_second_exact():
    # int_0^3 huber(1, x - p): d2/dp2 = |{x: |x - p| <= 1}| = 1.7 at p = 0.7
    F = _area(lambda x, q: sc.huber(1.0, x - q), 0.0, 3.0)
    assert float(_h(F, 0.7)) == pytest.approx(1.7, rel=1e-7)
    with pytest.raises(TypeError, match="second derivative"):
        _d3(F, 0.7)
    # i1e(x - p) over [-1, 2]: its second derivative jumps at x = p
    G = _area(lambda x, q: sc.i1e(x - q), -1.0, 2.0)
    exact = float(mpmath.diff(lambda q: mpmath.quad(
        lambda x: mpmath.exp(-abs(x - q)) * mpmath.besseli(1, x - q), [-1, q, 2]), 0.7, 2))
    assert float(_h(G, 0.7)) == pytest.approx(exact, rel=1e-7)
    with pytest.raises(TypeError, match=MOVES):
        _d3(G, 0.7)
    # a third derivative where the huber kink does not move (delta moves, r fixed
    # inside): int_0^1 huber(1 + p, x - 0.5) = all quadratic: d3 = 0, d1 = 0
    H = _area(lambda x, q: sc.huber(1.0 + q, x - 0.5), 0.0, 1.0)
    assert float(_d3(H, 0.7)) == pytest.approx(0.0, abs=1e-9)


# ---- np.emath's switch to complex (attack52 12) ---------------------------------------
@pytest.mark.parametrize("name", ["log", "log2", "log10", "logn", "arctanh"])
def test_emath_switching_to_complex_where_its_value_jumps_is_refused(name):
    # Im emath.log(x - p) is pi below p and 0 above: d/dp int_0^2 = pi (main: 0.0)
    f = {"logn": lambda u: np.emath.logn(3.0, u)}.get(name, getattr(np.emath, name))
    F = _area(lambda x, q: np.imag(f(x - q)), 0.0, 2.0, limit=200)
    with pytest.raises(TypeError, match="switch to complex"):
        _d(F, 0.7)


def test_emath_continuous_through_its_switch_is_computed():
    p = 0.7
    # Im emath.sqrt(x - p) = sqrt(p - x) below p: d/dp (2/3) p^1.5 = sqrt(p)
    F = _area(lambda x, q: np.imag(np.emath.sqrt(x - q)), 0.0, 2.0)
    assert _d(F, p) == pytest.approx(np.sqrt(p), rel=1e-7)
    F = _area(lambda x, q: np.imag(np.emath.power(x - q, 0.5)), 0.0, 2.0)
    assert _d(F, p) == pytest.approx(np.sqrt(p), rel=1e-7)
    # log of an argument that stays positive: log(2 + p) - log(p)
    F = _area(lambda x, q: np.real(np.emath.log(x + q)), 0.0, 2.0)
    assert _d(F, p) == pytest.approx(np.log(2 + p) - np.log(p), rel=1e-10)


# ---- a 2-norm through the zero vector (attack51 05's note) ---------------------------
@pytest.mark.parametrize("name", ["0-d", "fro", "vector"])
def test_a_norm_through_the_zero_vector_where_it_moves_refuses_hessians(name):
    # x |x - p| |u| over [0, 3]: d/dp = (p^2 - 4.5) |u|; the Hessian's kink term is lost
    # under the integral sign (main: 5.7e-16 for 2 p)
    p = 0.7
    g = {"0-d": lambda x, q: x * np.linalg.norm(x - q),
         "fro": lambda x, q: x * np.linalg.norm((x - q) * np.ones((1, 1)), "fro"),
         "vector": lambda x, q: x * np.linalg.norm((x - q) * np.array([0.6, 0.8]))}[name]
    F = _area(g, 0.0, 3.0)
    assert _d(F, p) == pytest.approx(p * p - 4.5, rel=1e-8)
    with pytest.raises(TypeError, match="norm at a zero vector"):
        _h(F, p)


def test_a_norm_whose_elements_cross_zero_apart_is_computed():
    # |(x - p, 1)| never vanishes: d2/dp2 int_0^3 = u / sqrt(1 + u^2) from -p to 3 - p
    p = 0.7
    F = _area(lambda x, q: np.linalg.norm(np.stack([x - q, 1.0 + 0 * q])), 0.0, 3.0)
    exact = (3 - p) / np.sqrt(1 + (3 - p) ** 2) + p / np.sqrt(1 + p * p)
    assert float(np.ravel(_h(F, p))[0]) == pytest.approx(exact, rel=1e-8)
