"""Silent or imprecise numbers left open after stop 63 (silent64), each against an
independent oracle: mpmath's closed forms (50 digits).

log10's local derivative ``0.434 / x`` is taken in two steps where it overflows, ``(p *
0.434) / x``; with a subnormal partial ``p`` the product fell below the normal range
first: d/dt log10(t c) at c = 5e-324 was 0 for 0.434, at 3e-320 1.4e-5 off (diff63
F1b), and the complex array path gave NaN for log, log2 and log10 there (NumPy's
complex division by a subnormal); at |c| ~ 1.4e308 complex logs' slopes were 0 or NaN.
Complex arccosh's second derivative near 0; partials under np.errstate(all="raise")."""
import warnings

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg

with mp.workdps(50):        # (mpmath's global precision is left to each module's own)
    _LOGS = {"log10": (np.log10, complex(1 / mp.log(10))),
             "log2": (np.log2, complex(1 / mp.log(2))), "log": (np.log, 1 + 0j)}


def _paths(f, c):
    """d/dt f(t c) at t = 1 by the scalar and array paths (three and 200 elements: the
    general path and the kernels), d2/dt2 by nested scalars and by nested arrays."""
    big = np.linspace(1.0, 2.0, 200) * (1.0 if isinstance(c, float) else 1 + 1j)
    big[7] = c
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = [dg.derivative(lambda t: f(t * c), 1.0),
               dg.jacobian(lambda t: f(t[0] * np.full(3, c)), np.ones(1))[1, 0],
               dg.derivative(lambda s: dg.derivative(lambda t: f(t * c), s), 1.0),
               dg.jacobian(lambda s: dg.jacobian(lambda t: f(t[0] * np.full(3, c)), s)[:, 0],
                           np.ones(1))[1, 0]]
        got.append(dg.jacobian(lambda t: f(t[0] * big), np.ones(1))[7, 0])
    return [complex(g) for g in got]


@pytest.mark.parametrize("name", sorted(_LOGS))
@pytest.mark.parametrize("c", [5e-324, 3e-320, 1e-310, 3e-320j, 1e-310 - 1e-310j])
def test_logs_of_subnormal_arguments(name, c):
    """d/dt log_b(t c) = 1 / ln b and d2/dt2 = -1 / ln b at t = 1, whatever c."""
    f, k = _LOGS[name]
    got = _paths(f, c)
    want = [k, k, -k, -k, k]
    assert all(abs(g - w) <= 1e-15 * abs(w) for g, w in zip(got, want)), (got, want)


@pytest.mark.parametrize("name", sorted(_LOGS))
@pytest.mark.parametrize("c", [1e308 + 1e308j, -1.1e308 - 1.1e308j])
def test_complex_logs_far_out(name, c):
    """NumPy's complex 1 / x is 0 past |x| ~ 9e307, and its complex division overflows
    inside there (NaN): d/dt log(t c) at c = 1e308 (1 + i) was 0 (array paths) or NaN
    (scalar path) for 1 (silent63's Left (b)).  The same closed forms."""
    f, k = _LOGS[name]
    got = _paths(f, c)
    want = [k, k, -k, -k, k]
    assert all(abs(g - w) <= 1e-15 * abs(w) for g, w in zip(got, want)), (got, want)


@pytest.mark.parametrize("c", [1e-8 + 1e-8j, 1e-6 + 0j, -3e-7 + 0j, 1e-4 - 2e-4j, 0.4 + 0.2j,
                               0.3 + 0.45j, -0.45 - 0.3j])
def test_complex_arccosh_second_derivative_near_zero(c):
    """d2/dt2 arccosh(c t) = c**2 f''(c), f'' = -z f' / (z**2 - 1) with f' = 1 / (sqrt(z - 1)
    sqrt(z + 1)) (mpmath's principal roots): the factored form's product rule adds two
    terms of size 1/2 that cancel to z, 8 digits left at 1e-8 (1 + i) (attack63 04)."""
    with mp.workdps(50):
        z = mp.mpc(c)
        d1 = 1 / (mp.sqrt(z - 1) * mp.sqrt(z + 1))
        w1, w2 = complex(z * d1), complex(-z ** 3 * d1 / (z * z - 1))
    got = _paths(np.arccosh, c)
    assert all(abs(g - w) <= 1e-15 * abs(w) for g, w in zip(got, [w1, w1, w2, w2])), (got, w2)


def _closed(entries):
    """mpmath numbers rounded to float64 (an overflow to its signed infinity)."""
    return np.array([[float(e) for e in row] for row in entries])


with mp.workdps(50):        # (the closed forms' digits, whatever the collection left)
    _X = [mp.mpf(2) ** 660, mp.mpf(2) ** -660, mp.mpf(2) ** -660]   # (NumPy's det exact)
    _XF = np.array([2.0 ** 660, 2.0 ** -660, 2.0 ** -660])
    _A = np.array([[1e200, 1e200], [1.0, 1.0]])
    _RAISING = {   # f, x, its Jacobian in closed form (mpmath), each value silent under "raise"
        "cumprod": (np.cumprod, _XF,
                    _closed([[mp.fprod(_X[k] for k in range(i + 1) if k != j) if j <= i else 0
                              for j in range(3)] for i in range(3)])),
        "det": (lambda x: np.linalg.det(np.diag(x)), _XF,
                _closed([[_X[1] * _X[2], _X[0] * _X[2], _X[0] * _X[1]]])[0]),
        "inv": (lambda x: np.linalg.inv(np.diag(x)).diagonal(), _XF,
                _closed([[-1 / _X[i] ** 2 if i == j else 0 for j in range(3)] for i in range(3)])),
        "einsum": (lambda t: np.einsum("ij,j->i", _A, t[0] * np.array([1e200, 1e200])), np.ones(1),
                   _closed([[2 * mp.mpf(1e200) ** 2], [2 * mp.mpf(1e200)]])),
    }


@pytest.mark.parametrize("name", sorted(_RAISING))
def test_partials_do_not_raise_where_the_values_do_not(name):
    """Under np.errstate(all="raise") with warnings as errors the value reports nothing, and
    the partials (an underflow or overflow of their own) raised FloatingPointError
    (attack63 05); the Jacobian against its closed form."""
    f, x, want = _RAISING[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            f(x)
            got = dg.jacobian(f, x)
    # (det's partials are det tr(A^-1 dA), and NumPy's det, through its logarithms, is
    # 2e-14 off 2**-660 here)
    np.testing.assert_allclose(got, want, rtol=1e-13 if name == "det" else 1e-15, atol=0)


def test_products_partials_add_no_invalid_report():
    """np.prod(x[[0, 1, 0]]) at (1e200, -1e200, 1): NumPy reports the value's overflow
    only; the partials' weights +inf and -inf summed to NaN in the finiteness test and
    reported "invalid value" (attack63 08).  d/dx0 x0**2 x1 = 2 x0 x1, d/dx1 = x0**2."""
    x = np.array([1e200, -1e200, 1.0])
    with warnings.catch_warnings(record=True) as plain:
        warnings.simplefilter("always")
        np.prod(x[[0, 1, 0]])
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        got = dg.jacobian(lambda x: np.prod(x[[0, 1, 0]]), x)
    assert {str(w.message) for w in ours} <= {str(w.message) for w in plain}, \
        [str(w.message) for w in ours]
    assert np.array_equal(got, _closed([[2 * mp.mpf(1e200) * -mp.mpf(1e200),
                                         mp.mpf(1e200) ** 2, 0]])[0])
