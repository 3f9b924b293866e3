"""np.cumprod's first derivatives where a running partial or product leaves the float
range between steps though the exact partial is a float (cumprod69: attackb68 F1,
prod68's Left (1) and (3)).

``d cumprod(v)[i] / d v_j`` is ``prod_{k <= i, k != j} v_k`` (``p_j`` times it for
partials ``p``).  Oracle: those products in mpmath at a precision that holds them
exactly (53 bits a factor), rounded once to float.  Each is compared exactly where it is
0 or inf, to 1e-13 relative otherwise (the steps round once a step), with two subnormal
steps of slack where it is subnormal.
"""

import math
import warnings

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg

ENGINES = ["auto", "numpy"]


def _exact(factors):
    """The product of the float or complex ``factors``, exact (an mpmath number)."""
    with mp.workprec(64 * (len(factors) + 2)):
        out = mp.mpf(1)
        for v in factors:
            out *= mp.mpc(v) if isinstance(v, complex) else mp.mpf(v)
        return out


def _float(w):
    """mpmath's exact real ``w`` rounded to a float (inf past the range)."""
    if abs(w) >= mp.mpf(2) ** 1024:
        return math.copysign(math.inf, w)
    return float(w)


def _close(got, want):
    if want == 0.0 or math.isinf(want):
        return got == want
    return abs(got - want) <= 1e-13 * abs(want) + 1e-323


def _jacobian(f, x, engine, **kw):
    with warnings.catch_warnings(), dg.backend.use(engine):
        warnings.simplefilter("ignore")         # NumPy's own value may overflow
        return np.asarray(dg.jacobian(f, x, **kw))


def _check_rows(J, x, scale=None):
    """Every entry of the Jacobian ``J`` of cumprod(scale * x) at x (values v = scale * x,
    partials scale) against the oracle; the entries that differ."""
    v = [float(a) for a in (x if scale is None else scale * x)]
    s = [1.0] * len(v) if scale is None else [float(a) for a in scale]
    wrong = []
    for i in range(len(v)):
        for j in range(len(v)):
            want = 0.0 if j > i else _float(_exact([s[j]] + v[:j] + v[j + 1:i + 1]))
            if not _close(J[i, j], want):
                wrong.append((i, j, J[i, j], want))
    return wrong


# ---- the reproducers -------------------------------------------------------------------

@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("x, at, want", [
    ([0.0, 1e200, 1e200, 1e-150], (3, 0), 1e250),           # attackb68 F1: was inf
    ([-0.0, 1e-200, 1e-150, 1e300], (3, 0), 1e-50),         # was 0
    ([1e-300, 1e-150, 0.0, 1e200], (3, 2), 1e-250),         # was 0
    ([1e-300, -0.5, 1e-200, -1e200], (3, 1), -1e-300),      # prod68 Left (1): was -0.0
    ([1e200, 0.0, 1e200, 1e-200], (3, 1), 1e200),           # was inf
])
def test_the_reported_entries(engine, x, at, want):
    J = _jacobian(np.cumprod, np.array(x), engine)
    assert J[at] == pytest.approx(want, rel=1e-15, abs=0)
    assert _check_rows(J, np.array(x)) == []


# ---- random rows of mixed magnitudes ---------------------------------------------------

def _rows(rng, count, length):
    x = 10.0 ** rng.uniform(-300, 300, (count, length)) * rng.uniform(1, 2, (count, length))
    x *= rng.choice([-1.0, 1.0], (count, length))
    x[rng.random((count, length)) < 0.15] = 0.0
    x[rng.random((count, length)) < 0.03] = 5e-324 * 7919.0 * 1048573       # subnormal
    return x


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("length, count", [(3, 60), (4, 60), (6, 40), (12, 20), (40, 6)])
def test_random_rows_every_entry_against_mpmath(engine, length, count):
    # 4 x 4 small arrays (the ratio form where safe), 40 x 40 the kernel's pass
    rng = np.random.default_rng(6900 + length)
    for x in _rows(rng, count, length):
        assert _check_rows(_jacobian(np.cumprod, x, engine), x) == [], x


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("length", [2, 5, 40])
def test_partials_of_mixed_magnitude_against_mpmath(engine, length):
    # cumprod(s * x) at x = 1: partials s_j far from 1 (1e-300 before 1e200 factors)
    rng = np.random.default_rng(6910 + length)
    for s in _rows(rng, {40: 5}.get(length, 40), length):
        x = np.ones(length)
        J = _jacobian(lambda t: np.cumprod(s * t), x, engine)
        assert _check_rows(J, x, scale=s) == [], s


def test_a_small_ratio_form_keeps_a_partial_far_below_its_factor():
    # 2 elements: c * cumsum(p / v) took p / v = 1e-20 / 1e300, subnormal (1e-5 off)
    f = lambda t: np.cumprod(np.array([1e300, 1e-200]) + np.array([1e-20, 0.0]) * t)  # noqa: E731
    J = _jacobian(f, np.zeros(2), "auto")
    assert J[1, 0] == pytest.approx(1e-220, rel=1e-15, abs=0)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("scale, head, want", [
    (1e-300, [1e-10, 1e-10, 1e20], 1e-290),     # the partial 1e-310 (subnormal) before 1e20
    (1e300, [1e10, 1e10, 1e-20], 1e290),        # 1e310 (inf) before 1e-20
])
def test_factors_in_range_partials_far_from_1(engine, scale, head, want):
    # the factors alone bound every product near 1: the partials' own size decides
    v = np.array(head + [1.0] * 37)             # 40: the kernel's pass
    J = _jacobian(lambda t: np.cumprod(v + scale * t), np.zeros(40), engine)
    assert J[2, 0] == pytest.approx(want, rel=1e-15, abs=0)
    assert J[39, 0] == pytest.approx(want, rel=1e-15, abs=0)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("axis", [0, 1])
def test_rows_in_and_out_of_range_along_an_axis(engine, axis):
    rows = np.array([[1e-300, -0.5, 1e-200, -1e200, 3.0],
                     [0.5, 1.5, -2.0, 3.0, 0.25],              # in range
                     [1e200, 0.0, 1e200, 1e-200, 2.0],
                     [2.0, 1e200, 1e200, -0.0, 3.0],
                     [0.75, -1.25, 2.5, 0.125, 8.0]])          # in range
    x = rows if axis == 1 else rows.T.copy()
    J = _jacobian(lambda a: np.cumprod(a, axis=axis), x, engine)
    for r in range(5):
        block = J[r, :, r, :] if axis == 1 else J[:, r, :, r]
        assert _check_rows(block, rows[r]) == [], r


# ---- complex128 ------------------------------------------------------------------------

def _check_complex(J, v):
    """Norm-wise (a complex product's parts cancel): ``|J - exact| <= 1e-13 |exact|``."""
    v = [complex(a) for a in v]
    wrong = []
    for i in range(len(v)):
        for j in range(i + 1):
            w = _exact(v[:j] + v[j + 1:i + 1])
            want = complex(_float(w.real), _float(w.imag))
            if math.isinf(want.real) or math.isinf(want.imag):
                continue
            if not abs(J[i, j] - want) <= 1e-13 * abs(want) + 1e-322:
                wrong.append((i, j, J[i, j], want))
    return wrong


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("length, count", [(2, 40), (5, 30), (40, 4)])
def test_complex_rows_against_mpmath(engine, length, count):
    # prod68 Left (3): zero rows kept NaN; the 2-element ratio form read an inf c as is
    rng = np.random.default_rng(6920 + length)
    for v in _rows(rng, count, length) + 1j * _rows(rng, count, length):
        real = rng.random(length) < 0.2
        v[real] = v[real].real                      # real members beside complex ones
        v[rng.random(length) < 0.15] = 0.0
        J = _jacobian(np.cumprod, v, engine, holomorphic=True)
        assert _check_complex(J, v) == [], v


@pytest.mark.parametrize("engine", ENGINES)
def test_complex_zero_row_is_zero_not_nan(engine):
    v = np.array([1e200 + 1e200j, 1e-200, 1e200, 0.0, 2.0 + 0j] + [1.0] * 35)
    J = _jacobian(np.cumprod, v, engine, holomorphic=True)
    assert J[3, 1] == 0.0 and J[4, 3] == pytest.approx(2e200 + 2e200j, rel=1e-15, abs=0)
    assert not np.isnan(J).any()


# ---- the scaled steps are the plain steps where those stay in range --------------------

def test_the_scaled_steps_give_the_plain_steps_bits_in_range():
    from dualgrad.backend import _loader, _propagate
    _loader.load()
    from dualgrad.backend import _numba_kernels as nk
    rng = np.random.default_rng(6930)
    v = rng.uniform(-2, 2, (30, 3))
    v[4, 1] = 0.0
    p = rng.normal(size=(30, 3, 5))
    c = np.cumprod(v, axis=0)
    fast = np.empty_like(p)
    scaled = np.empty_like(p)
    for r in range(3):
        assert nk._fast_row(v, c, p, fast, r, 0.0, np.inf)
        nk._scaled_row(v, p, scaled, r)
    np.testing.assert_array_equal(scaled, fast)
    np.testing.assert_array_equal(_propagate._scaled_steps(v, p), fast)
    vc = v + 1j * rng.uniform(-2, 2, v.shape)
    pc = p + 1j * rng.normal(size=p.shape)
    cc = np.cumprod(vc, axis=0)
    fast = np.empty_like(pc)
    scaled = np.empty_like(pc)
    for r in range(3):
        assert nk._fast_row(vc, cc, pc, fast, r, 0.0, np.inf)
        nk._scaled_row_complex(vc, pc, scaled, r)
    np.testing.assert_array_equal(scaled, fast)
    re, im = _propagate._scaled_steps_complex(vc, pc)
    np.testing.assert_array_equal(re + 1j * im, fast)
