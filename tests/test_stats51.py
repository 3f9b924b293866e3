"""stats51: the argument binding of ``dualgrad.scipy.stats`` made once per distribution.

Every way of spelling SciPy's arguments (shapes, ``loc``, ``scale``: positional or
keyword, defaults, frozen) on duals gives SciPy's own value, and the derivative of the
same call against central differences of SciPy's float function; every bad spelling
raises a TypeError where SciPy raises one.  The oracle is SciPy itself.
"""

import pickle
import threading

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.scipy import stats as ds

ss = pytest.importorskip("scipy.stats")

X = np.array([0.3, 1.1, 2.5])

# (distribution, args, kwds): the parameters after x, each spelled as a user may
GOOD = [
    ("norm", (), {}),
    ("norm", (0.4,), {}),
    ("norm", (0.4, 1.7), {}),
    ("norm", (), {"loc": 0.4}),
    ("norm", (), {"scale": 1.7}),
    ("norm", (), {"scale": 1.7, "loc": 0.4}),
    ("norm", (0.4,), {"scale": 1.7}),
    ("gamma", (2.5,), {}),
    ("gamma", (), {"a": 2.5}),
    ("gamma", (2.5, 0.1), {}),
    ("gamma", (2.5, 0.1, 1.3), {}),
    ("gamma", (2.5,), {"scale": 1.3}),
    ("gamma", (), {"scale": 1.3, "a": 2.5, "loc": 0.1}),
    ("beta", (2.0, 3.0), {"scale": 4.0}),
    ("beta", (2.0,), {"b": 3.0, "scale": 4.0}),
    ("t", (), {"df": 4.0, "loc": -0.2}),
    ("truncnorm", (-1.0, 3.0), {"loc": 0.5}),
    ("truncnorm", (), {"b": 3.0, "a": -1.0}),
]

BAD = [
    ("norm", (0.4, 1.7, 2.0), {}),            # too many positional
    ("norm", (0.4,), {"loc": 0.1}),           # loc twice
    ("norm", (), {"mu": 0.4}),                # unknown keyword
    ("gamma", (), {}),                        # a missing
    ("gamma", (), {"scale": 2.0}),            # a missing, a keyword given
    ("gamma", (2.5,), {"a": 2.5}),            # a twice
    ("beta", (2.0,), {}),                     # b missing
    ("beta", (2.0,), {"a": 3.0}),             # a twice, b missing
]


def _scalar(dist, which, args, kwds):
    """f(p): the sum of dist.logpdf(X * p, ...) with parameter ``which`` (an index into
    args, or a keyword) scaled by p too: a dual in x and in that parameter."""
    def f(p, mod):
        a, k = list(args), dict(kwds)
        if isinstance(which, int):
            a[which] = a[which] * p
        elif which is not None:
            k[which] = k[which] * p
        return np.sum(getattr(mod, dist).logpdf(X * p, *a, **k))
    return f


def _params(args, kwds):
    return [i for i in range(len(args))] + list(kwds) + [None]


@pytest.mark.parametrize("dist, args, kwds", GOOD)
def test_every_spelling_gives_scipys_value_and_derivative(dist, args, kwds):
    for which in _params(args, kwds):
        f = _scalar(dist, which, args, kwds)
        p = 1.05
        want = f(p, ss)
        got = dg.derivative(lambda q: f(q, ds), p)
        h = 1e-5
        slope = (f(p - 2 * h, ss) - 8 * f(p - h, ss)
                 + 8 * f(p + h, ss) - f(p + 2 * h, ss)) / (12 * h)
        assert np.isclose(got, slope, rtol=1e-6, atol=1e-8), (which, got, slope)
        # the value on duals is SciPy's, bit for bit
        v, _ = dg.value_and_grad(lambda q: f(q[0], ds))(np.array([p]))
        assert np.isclose(v, want, rtol=1e-14, atol=0), (which, v, want)


@pytest.mark.parametrize("dist, args, kwds", GOOD)
def test_frozen_spelling_matches_the_unfrozen_call(dist, args, kwds):
    def f(p):
        return np.sum(getattr(ds, dist)(*args, **kwds).logpdf(X * p))

    def g(p):
        return np.sum(getattr(ds, dist).logpdf(X * p, *args, **kwds))
    assert dg.derivative(f, 1.05) == dg.derivative(g, 1.05)
    assert np.sum(getattr(ss, dist)(*args, **kwds).logpdf(X)) == f(1.0)


@pytest.mark.parametrize("dist, args, kwds", BAD)
def test_bad_spellings_raise_where_scipy_raises(dist, args, kwds):
    with pytest.raises(TypeError):
        getattr(ss, dist).logpdf(X, *args, **kwds)
    with pytest.raises(TypeError, match=rf"dualgrad\.scipy\.stats\.{dist}\.logpdf: "):
        dg.derivative(lambda p: np.sum(getattr(ds, dist).logpdf(X * p, *args, **kwds)), 1.0)
    with pytest.raises(TypeError, match=rf"dualgrad\.scipy\.stats\.{dist}\.__call__: "):
        getattr(ds, dist)(*args, **kwds)


def test_a_bad_spelling_after_good_ones_still_raises():
    """The signature made at the first bad call serves the next: both raise, and good
    calls between them still bind."""
    for _ in range(2):
        with pytest.raises(TypeError, match="multiple values for argument 'loc'"):
            dg.derivative(lambda p: np.sum(ds.norm.logpdf(X * p, 0.1, loc=0.2)), 1.0)
        assert np.isclose(dg.derivative(lambda p: np.sum(ds.norm.logpdf(X * p, 0.1)), 1.0),
                          np.sum(-(X - 0.1) * X))


def test_a_method_is_made_once():
    """``norm.logpdf`` is one function across accesses (not a closure per call)."""
    assert ds.norm.logpdf is ds.norm.logpdf
    assert ds.gamma(2.5).logpdf(1.0) == ss.gamma.logpdf(1.0, 2.5)


def test_a_distribution_pickles():
    """A distribution pickles with its methods made (they are made again after); its
    unpickling recursed through ``__getattr__`` before stats51."""
    ds.norm.logpdf
    back = pickle.loads(pickle.dumps(ds.norm))
    assert back.logpdf(0.3, 0.1, 2.0) == ss.norm.logpdf(0.3, 0.1, 2.0)
    assert np.isclose(dg.derivative(lambda p: back.logpdf(p, 0.1, 2.0), 0.3), -(0.3 - 0.1) / 4.0)


def test_threads_binding_at_once_agree():
    """Threads binding different spellings at once each get their own arguments."""
    out, errs = {}, []

    def work(i):
        try:
            loc = 0.1 * i
            out[i] = dg.derivative(lambda p: np.sum(ds.norm.logpdf(X * p, scale=1.5, loc=loc)), 1.0)
        except Exception as exc:    # pragma: no cover (reported below)
            errs.append(exc)
    ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errs
    for i in range(8):
        assert np.isclose(out[i], np.sum(-(X - 0.1 * i) * X / 1.5 ** 2))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("xs", [[0.3, 1.1, 2.5], [0.3, -1.0, 2.5], [np.nan, 1.0, 2.0]],
                         ids=["inside", "outside", "nan"])
def test_logpdf_inside_everywhere_and_not_same_as_scipy(xs, dtype):
    """The formula kept as it is where every point is inside (no dual np.where) and
    SciPy's -inf / NaN selected where one is not: values as SciPy's (dtype too), the
    derivative in the scale against d/ds log pdf = -1/s + z^2/s for gamma(2) on
    [0, inf), 0 outside
    and NaN at NaN (SciPy's NaN: the partials of NaN, nan57)."""
    x = np.array(xs, dtype=dtype)

    def f(s):
        return ds.gamma.logpdf(x, 2.0, 0.0, s)
    want = ss.gamma.logpdf(x, 2.0, 0.0, 1.5)
    val = f(1.5)
    assert val.dtype == want.dtype
    np.testing.assert_array_equal(val, want)
    xv = x.astype(np.float64)
    slope = np.where(xv > 0, -2.0 / 1.5 + xv / 1.5 ** 2, 0.0)
    slope = np.where(np.isnan(xv), np.nan, slope)  # SciPy's NaN: NaN partials (nan57)
    for i in range(3):
        np.testing.assert_allclose(dg.derivative(lambda s: f(s)[i], 1.5), slope[i],
                                   rtol=1e-12, equal_nan=True)
