"""Constants of lower precision than the result: NumPy promotes them exactly.

``x / np.float32(0.7)``, ``np.float16(0.7) ** x`` or ``np.arctan2(x, np.int8(100))``
have float64 values (NumPy casts the constant to float64 first, exactly); their
derivatives must be computed in float64 too, not in the constant's float16,
float32 or wrapping integer arithmetic.  Oracles: closed forms evaluated in
float64 on the promoted constant, and, for every binary rule of the table, the
derivative with the promoted constant itself (which test_rules checks against
central differences): a low-precision constant must give it bit for bit.
"""

import zlib

import numpy as np
import pytest
import scipy.special  # noqa: F401  (loads the scipy.special rows)

import dualgrad as dg
from dualgrad.backend import _kernels
from dualgrad.dual._base import new_tag
from dualgrad.rules import _table as _rules

_rules._load_scipy()
MULTI = [r for r in _rules.RULES.values() if r.kind == "smooth" and r.ufunc.nin >= 2]


def _partials(ufunc, args, k, x, n):
    """Partials of ``ufunc(*args)`` with argument ``k`` the dual ``x`` seeded by ones."""
    tag = new_tag()
    v = np.ones(np.shape(x) + (n,))
    d = dg.Dual(float(x), v, tag=tag) if np.ndim(x) == 0 else dg.Dual(x, v, tag=tag)
    out = ufunc(*(d if i == k else a for i, a in enumerate(args)))
    return np.asarray(out.partials)


def _sample(rng, domain, shape):
    if domain[-1] == "int":
        return rng.integers(domain[0], domain[1], size=shape)
    return rng.uniform(domain[0], domain[1], size=shape)


@pytest.mark.parametrize("path", ["numpy", "numba"])
@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@pytest.mark.parametrize("rule", MULTI, ids=[r.name for r in MULTI])
@pytest.mark.engine_independent
def test_a_low_precision_constant_gives_the_promoted_constants_derivative(rule, dtype, path):
    rng = np.random.default_rng(zlib.crc32(rule.name.encode()))
    for k, expr in enumerate(rule.derivs):
        if expr is None or expr == "0":
            continue
        for shape, n in (((), 1), ((), 20), ((6,), 1), ((6,), 3)):
            x = _sample(rng, rule.domain[k], shape)
            exact, low = [], []
            for j, dom in enumerate(rule.domain):
                c = _sample(rng, dom, shape)
                if j == k or dom[-1] == "int":
                    exact.append(c)
                    low.append(c)
                    continue
                c = c.astype(dtype)                       # the constant as the user has it
                exact.append(c.astype(np.float64))        # ... and as NumPy's value uses it
                low.append(c if shape else c[()])
            with _kernels.use(path):
                want = _partials(rule.ufunc, exact, k, x, n)
                got = _partials(rule.ufunc, low, k, x, n)
            np.testing.assert_array_equal(got, want, err_msg=f"{rule.name} arg {k} "
                                          f"{np.dtype(dtype)} shape {shape} n={n}")


C16, C32 = np.float16(0.7), np.float32(0.7)
CASES = [   # (f(x, c), d/dx in closed form on the float64 value of c)
    (lambda x, c: x / c, lambda x, c: 1.0 / c),
    (lambda x, c: x * c, lambda x, c: c),
    (lambda x, c: c / x, lambda x, c: -c / (x * x)),
    (lambda x, c: c ** x, lambda x, c: c ** x * np.log(c)),
    (lambda x, c: x ** c, lambda x, c: c * x ** (c - 1.0)),
    (lambda x, c: np.arctan2(x, c), lambda x, c: c / (x * x + c * c)),
    (lambda x, c: np.arctan2(c, x), lambda x, c: -c / (x * x + c * c)),
    (lambda x, c: np.hypot(x, c), lambda x, c: x / np.sqrt(x * x + c * c)),
    (lambda x, c: np.logaddexp(x, c), lambda x, c: 1.0 / (1.0 + np.exp(c - x))),
]


@pytest.mark.parametrize("n", [1, 200])
@pytest.mark.parametrize("c", [C16, C32, np.int8(100), np.int16(300), 2 ** 40, 2 ** 70],
                         ids=["float16", "float32", "int8", "int16", "int2**40", "int2**70"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_closed_forms_with_low_precision_and_integer_constants(case, c, n):
    f, df = CASES[case]
    x = np.full(n, 1.3)
    cf = float(c)
    with np.errstate(over="ignore", under="ignore"):
        want = df(np.float64(1.3), np.float64(cf))
    if not np.isfinite(want) or want == 0.0:
        pytest.skip("the closed form under- or overflows")
    for const in (c, np.full(n, c)):
        jac = dg.jacobian(lambda a: f(a, const), x)
        np.testing.assert_allclose(np.diag(np.atleast_2d(jac)), want, rtol=4e-16, atol=0)
        assert np.diag(np.atleast_2d(jac)).dtype == np.float64


def test_a_complex64_constant_is_promoted_to_complex128():
    c = np.complex64(0.7 + 0.1j)
    want = 1.0 / complex(c)
    got = dg.derivative(lambda a: a / c, 1.3)
    assert got == pytest.approx(want, rel=4e-16, abs=0)
    got = dg.jacobian(lambda a: a / np.full(3, c), np.full(3, 1.3))
    np.testing.assert_allclose(np.diag(got), want, rtol=4e-16, atol=0)


def test_an_integer_only_argument_stays_an_integer():
    # np.ldexp's exponent has only integer loops: promoting it would raise
    for e in (np.int8(3), 3, np.full(4, 3, dtype=np.int32)):
        jac = dg.jacobian(lambda a: np.ldexp(a, e), np.full(4, 1.3))
        np.testing.assert_array_equal(np.diag(jac), 8.0)


@pytest.mark.parametrize("c", [C32, np.int8(100), 2 ** 40],     # numba has no float16
                         ids=["float32", "int8", "int2**40"])
@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.engine_independent
def test_closed_forms_inside_jitted_code(case, c):
    numba = pytest.importorskip("numba")
    f, df = CASES[case]
    with np.errstate(over="ignore", under="ignore"):
        want = df(np.float64(1.3), np.float64(float(c)))
    if not np.isfinite(want) or want == 0.0:
        pytest.skip("the closed form under- or overflows")
    jitted = numba.njit(f)
    for g in (lambda a: jitted(a, c), numba.njit(lambda a: jitted(a, c))):
        # (numba's pow may differ from NumPy's by a few ulps: 2e-15, not 4e-16)
        # a scalar dual into jitted code, which no engine defers: the block only
        # states it, so that the test runs in one half (tests/conftest.py)
        with dg.engine("eager"):
            assert dg.derivative(g, 1.3) == pytest.approx(want, rel=2e-15, abs=0)
