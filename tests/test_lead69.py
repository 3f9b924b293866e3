"""The lead's mends of stop 69.

The jit wing's choice between a power term and its extended-range product kept four
least-subnormal steps where ``dispatch._farpower`` keeps one since stop 68 (exact68's
Left): ``x ** 3`` in a user's ``@numba.njit`` function at 6e-179 times 1.7e33 gave 0.0
for mpmath's 1.836e-323.  Oracle: mpmath at 60 digits."""

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg

numba = pytest.importorskip("numba")
pytestmark = pytest.mark.mp_dps(60)   # (tests/conftest.py)
STEP = 2.0 ** -1074                  # the least subnormal number

_CUBE = numba.njit(lambda x: x ** 3)
_CUBE_F = numba.njit(lambda x: x ** 3.0)
_POWER = numba.njit(lambda x, y: x ** y)


def _off(got, x, p, b):
    """How far ``got`` (the slope of ``x ** b`` times ``p``) is from mpmath's, in the
    room a subnormal slope has: 1.5 least-subnormal steps and 2**-40 relative."""
    want = mp.mpf(b) * mp.mpf(x) ** (mp.mpf(b) - 1) * mp.mpf(p)
    return abs(mp.mpf(got) - want) - (1.5 * STEP + 2.0 ** -40 * abs(want))


@pytest.mark.engine_independent
@pytest.mark.parametrize("power", [_CUBE, _CUBE_F, lambda x: _POWER(x, 3.0)],
                         ids=["x ** 3", "x ** 3.0", "x ** y"])
def test_a_jitted_cube_below_the_normal_range(power):
    with np.errstate(all="ignore"):
        got = dg.derivative(lambda t: power(6e-179 + 1.7e33 * t), 0.0)
    assert got == 2e-323                 # mpmath's 1.836e-323, to the nearest step


@pytest.mark.engine_independent
def test_jitted_cubes_against_mpmath():
    # the slope b x**(b - 1) p where the factor is below the normal range: every one
    # within 1.5 steps of mpmath's (four steps' room kept 0.0 for some)
    rng = np.random.default_rng(69)
    xs = np.exp(rng.uniform(-745.0, -300.0, 40)) * rng.choice([-1.0, 1.0], 40)
    ps = rng.standard_normal(40) * np.exp(rng.uniform(-50.0, 700.0, 40))
    masked = np.abs(3.0 * xs ** 2) < np.finfo(float).tiny
    assert masked.sum() > 10
    with np.errstate(all="ignore"):
        got = [dg.jvp(lambda z: _CUBE(z[0]), np.array([x]), np.array([p]))[1]
               for x, p in zip(xs[masked], ps[masked])]
    assert max(_off(g, x, p, 3) for g, x, p in zip(got, xs[masked], ps[masked])) <= 0


# ---- pinv of a matrix holding inf or NaN (exact68's Left) ------------------------------

@pytest.mark.parametrize("bad", [np.inf, -np.inf])
@pytest.mark.parametrize("shape", [(2, 2), (3, 2), (2, 3)])
def test_pinv_of_a_non_finite_matrix_is_nans_as_numpys(bad, shape):
    # was refused as "rank-deficient ... got rank 0"; NumPy's value is NaN, and so are
    # the partials of any function of a non-finite value (qr's since attack68 F5)
    A = np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape)
    A[1, 0] = bad
    with np.errstate(all="ignore"):
        want = np.linalg.pinv(A)
        value, J = dg.jvp(lambda a: np.linalg.pinv(a.reshape(shape)), A.ravel(),
                          np.ones(A.size))
    np.testing.assert_array_equal(value, want)
    assert np.isnan(want).all() and J.shape == want.shape and np.isnan(J).all()


def test_pinv_of_a_nan_matrix_raises_numpys_error():
    A = np.array([[1.0, 2.0], [np.nan, 3.0]])
    with pytest.raises(np.linalg.LinAlgError):
        np.linalg.pinv(A)
    with pytest.raises(np.linalg.LinAlgError):
        dg.jacobian(lambda a: np.linalg.pinv(a.reshape(2, 2)), A.ravel())


def test_pinv_of_a_non_finite_matrix_in_a_hessian():
    A = np.array([[1.0, 2.0], [np.inf, 3.0]])
    with np.errstate(all="ignore"):
        H = dg.hessian(lambda a: np.linalg.pinv(a.reshape(2, 2))[0, 0], A.ravel())
    assert H.shape == (4, 4) and np.isnan(H).all()


# ---- u ** c at a zero base: the regular branch, not the row's lazy_where ------------------

_YS = [1.0, 1.0 + 2.0 ** -52, 1.25, 1.5, 2.0, 2.5, 3.0, 3.0 + 2.0 ** -51, 4.0, 7.0, 1e10,
       2.0 ** 53, 0.999, 0.5, 1e-300, -1.0, -2.5, -3.0, -1e300]


def test_the_power_rows_regular_branch_has_its_bits_at_a_zero_base():
    # lean_power's reason (_lean_small._ZERO_BASE) to skip the row's branch at x = +-0
    from dualgrad.rules._table import RULES, derivative_functions, regular_branch
    row, regular = derivative_functions(RULES[np.power])[0], \
        regular_branch(RULES[np.power], 0)
    x = np.array([0.0, -0.0, 0.0, 1.5, -2.0, 1e-310])
    with np.errstate(all="ignore"):
        for y in _YS + [-y for y in _YS if y > 1.0]:
            if abs(y) >= 2.0 ** 53:     # (the row's own branch there, not lean_power's:
                continue                # y - 1.0 may lose the parity, power71 / exact72)
            out = np.power(x, y)
            a, b = row(x, np.float64(y), out), regular(x, np.float64(y), out)
            np.testing.assert_array_equal(a.view(np.int64)[:3], b.view(np.int64)[:3])


@pytest.mark.parametrize("y", [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 7.5])
@pytest.mark.parametrize("N", [10, 200])
def test_a_zero_base_power_against_the_analytic_slope(monkeypatch, y, N):
    # d/dx x**y = y x**(y - 1): 0 at x = 0 for y > 1, 1 for y = 1; the row's lazy_where
    # (26.8x the float op at N = 10) is not taken: it raises here
    from dualgrad.dispatch import _lean_small

    def no_row(rule):
        raise AssertionError("the power row's lazy_where was taken at a zero base")
    monkeypatch.setattr(_lean_small, "derivative_functions", no_row)
    x = np.linspace(0.5, 2.0, N)
    x[3], x[7] = 0.0, -0.0
    p = np.arange(1.0, 1.0 + 3 * N).reshape(N, 3)
    got = np.asarray((dg.Dual(x, p) ** y).partials)
    want = np.array([[float(mp.mpf(y) * mp.mpf(xi) ** (y - 1) * pk) if xi else
                      (pk if y == 1.0 else 0.0) for pk in pi] for xi, pi in zip(x, p)])
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)


# ---- a guard's constant after an equality of a dual held (user69) ------------------------

def _guarded_sinc(x):
    if x == 0:
        return 1.0
    return np.sin(x) / x


def _guarded_ratio(x, k=2.0):
    if x != k:
        return x / k
    return 1.0


@pytest.mark.parametrize("call", [
    lambda: dg.hessian(lambda v: _guarded_sinc(v[0]), np.array([0.0])),
    lambda: dg.derivative(_guarded_ratio, 2.0),
    lambda: dg.grad(lambda v: _guarded_sinc(v[1]))(np.array([3.0, 0.0]))])
def test_a_guards_constant_after_an_equality_warns(call):
    # the guarded sin(x) / x's second derivative at 0 came back 0 for -1/3, the ratio's
    # slope 0 for 1/2, with no word
    with pytest.warns(dg.ComparedOnlyWarning, match=r"equality of a dual held.*np\.sinc"):
        call()


def test_the_advised_spellings_are_exact_at_the_guard():
    # np.sinc(x / pi) and the Taylor series, as the warning says: -1/3 at 0
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h1 = dg.hessian(lambda v: np.sinc(v[0] / np.pi), np.array([0.0]))[0, 0]
        h2 = dg.hessian(lambda v: 1 - v[0] ** 2 / 6, np.array([0.0]))[0, 0]
    assert h1 == pytest.approx(-1 / 3, rel=1e-15, abs=0)
    assert h2 == pytest.approx(-1 / 3, rel=1e-15, abs=0)


def test_no_guard_warning_where_the_equality_failed_or_the_result_is_dual():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert dg.derivative(_guarded_sinc, 1.0) == pytest.approx(
            float(mp.diff(lambda t: mp.sin(t) / t, 1.0)), rel=1e-14, abs=0)
        assert dg.derivative(lambda x: x * 3.0 if x == 2.0 else x, 2.0) == 3.0
        assert dg.derivative(lambda x: x if x != 2.0 else x * 3.0, 2.0) == 3.0


# ---- dg.quad's removable-limit advice reads func as NumPy code does (lum69) ---------------

def test_quads_removable_advice_not_offered_for_a_nan_integrand():
    # (x - 2) ** 0.5 is NaN over [0, 1.3] in NumPy; the probe's Python floats made it
    # complex (0.837j) and the refusal offered np.sinc for "a removable 0 / 0"
    with pytest.raises(TypeError) as refused:
        with np.errstate(all="ignore"):
            dg.derivative(lambda b: dg.quad(lambda x: (x - 2.0) ** 0.5, 0.0, b)[0], 1.3)
    text = str(refused.value)
    assert "got f = nan at the moving limit 1.3" in text
    assert "tend to a finite number" not in text and "np.sinc" not in text


def test_quads_removable_advice_still_offered_for_sinc():
    with pytest.raises(TypeError, match=r"(?s)tend to a finite number.*np\.sinc\(t / np\.pi\)"):
        with np.errstate(all="ignore"):
            dg.derivative(lambda b: dg.quad(lambda t: np.sin(t) / t, -1.0, b)[0], 0.0)


# ---- every bench script is named in bench/README.md (diff68 F5, diff69 F1) ------------

def test_every_bench_script_is_listed_in_bench_readme():
    import os
    import re
    bench = os.path.join(os.path.dirname(__file__), os.pardir, "bench")
    named = set(re.findall(r"`([\w.]+\.(?:py|sh))[ `]",
                           open(os.path.join(bench, "README.md")).read()))
    scripts = {f for f in os.listdir(bench)
               if f.endswith((".py", ".sh")) and not f.startswith("_")}
    assert not sorted(scripts - named), "bench scripts bench/README.md does not name"


def test_a_guards_constant_warns_once_a_call():
    # a Hessian's two levels both saw the equality: two warnings (diff69 F4)
    import warnings
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        dg.hessian(lambda v: _guarded_sinc(v[0]), np.array([0.0]))
    assert [type(w.message) for w in seen] == [dg.ComparedOnlyWarning]


@pytest.mark.parametrize("hermitian", [False, True])
def test_pinv_of_an_inf_matrix_numpy_makes_zero_has_nan_partials(hermitian):
    # NumPy's pinv of [[inf, 1], [1, 2]] is the zero matrix, and the partials came back
    # all -0.0 (attack69 F1), where near it d pinv[1, 1] / dA[1, 1] tends to -0.25
    A = np.array([[np.inf, 1.0], [1.0, 2.0]])
    with np.errstate(all="ignore"):
        want = np.linalg.pinv(A, hermitian=hermitian)
        J = dg.jacobian(lambda a: np.linalg.pinv(a.reshape(2, 2), hermitian=hermitian).ravel(),
                        A.ravel())
        H = dg.hessian(lambda a: np.linalg.pinv(a.reshape(2, 2), hermitian=hermitian)[1, 1],
                       A.ravel())
    assert np.all(want == 0.0)
    assert np.isnan(J).all() and np.isnan(H).all()


def test_pinv_of_a_stack_with_an_inf_member_keeps_the_others():
    A = np.array([[np.inf, 1.0], [1.0, 2.0]])
    B = np.array([[2.0, 1.0], [1.0, 3.0]])
    with np.errstate(all="ignore"):
        J = dg.jacobian(lambda a: np.linalg.pinv(a.reshape(2, 2, 2)).ravel(),
                        np.stack([A, B]).ravel())
    Bi = np.linalg.inv(B)
    want = -np.einsum("ij,kl->ikjl", Bi, Bi).reshape(4, 4)   # d inv(B)_ik / dB_jl
    assert np.isnan(J[:4]).all()
    np.testing.assert_array_equal(J[4:, :4], 0.0)
    np.testing.assert_allclose(J[4:, 4:], want, rtol=1e-14, atol=1e-15)


def test_block_of_escaped_scalar_duals_refuses_as_stack_does():
    # the lean block made an array dual of escaped duals (attack69 F2)
    leak = []
    dg.gradient(lambda v: (leak.append((v[0], v[1])), v[0] * v[1])[1], np.array([1.5, 2.5]))
    a, b = leak[0]
    with pytest.raises(Exception) as stacked:
        np.stack([a, b])
    with pytest.raises(type(stacked.value), match="escaped"):
        np.block([[a, b], [b, 1.0]])
