"""loops65: a root finder's Newton steps on duals without the array round trips of their
bookkeeping: ``np.shape`` / ``np.ndim`` of a scalar dual answered without the lift to a
0-d array dual, ``dg.jvp``'s tangent of a scalar f returned as the dual it is (not
stacked into an array and indexed back), ``_largest``'s magnitudes of a scalar's float
partials without NumPy.  The same numbers and errors as the old routes, which stay in
the code for everything else; the derivatives are the implicit-function theorem's."""

import itertools

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.api import helpers
from dualgrad.api._seed import as_array
from dualgrad.dual import _scalar
from dualgrad.scipy import optimize
from dualgrad.scipy.optimize import brentq, newton

from _probes import same_duals, spy_on

INF, NAN = float("inf"), float("nan")
VALUES = [0.7312, -1.3, 0.0, -0.0, 1e-310, 1e-160, 3e300, INF, -INF, NAN]


def test_shape_and_ndim_of_scalar_duals(monkeypatch):
    """``()`` and ``0`` for live scalar duals of each kind (slots, the vector kind,
    complex, a Hessian's nested one) without the general dispatch; an escaped one
    raises the general path's error."""
    seen = spy_on(monkeypatch, _scalar, "dispatch", lambda args, result: args[0])
    got = []

    def f(x):
        for d in (x[0], x[0] * 1j, x[0] * x[1]):
            got.append((np.shape(d), np.ndim(d), np.shape(a=d)))
        return x

    dg.jacobian(f, np.arange(2.0))
    dg.jacobian(f, np.arange(20.0))                 # the vector kind
    dg.hessian(lambda x: f(x)[0], np.arange(2.0))   # two levels
    assert got == [((), 0, ())] * 9 and not seen
    kept = []
    dg.jacobian(lambda x: kept.append(x[0]) or x, np.arange(2.0))
    for ask in (np.shape, np.ndim):
        with pytest.raises(dg.DualTypeError, match="escaped"):
            ask(kept[0])


def test_scalar_tangent_as_the_stack_gives_it(monkeypatch):
    """A scalar f's jvp tangent inside another pass (the dual of the outer pass) and
    outside one (a float) has the bits and the class that ``as_array(t)[..., 0]`` gave,
    at special values and for 1, 2 and 20 outer directions; complex ones, the vector
    kind and three levels keep that route."""
    stacked = spy_on(monkeypatch, helpers, "as_array", lambda args, result: args[0])
    kinds = []

    def record(at, tangent):        # (compared inside the pass: its duals live there)
        old = as_array([tangent])[..., 0]
        if isinstance(tangent, dg.Dual):
            same_duals(old, tangent)
        else:
            assert type(tangent) is float and type(old) is np.ndarray
            assert old.tobytes() == np.float64(tangent).tobytes()
        kinds.append(type(tangent))
        return tangent

    for v, n in itertools.product(VALUES, (1, 2, 20)):
        def f(x, v=v):
            s = x[0] * 0.5 + v
            return np.stack([record(*dg.jvp(lambda t: t * t * x[-1] + np.sin(t * v), s,
                                             1.0)),
                             record(*dg.jvp(lambda t: t * v, 0.3, v))])
        dg.jacobian(f, np.linspace(0.5, 1.5, n))
    assert len(kinds) == 60 and kinds.count(float) == 30
    assert len(stacked) == 10      # the vector kind's tangents (n = 20) took the stack
    stacked.clear()
    dg.jacobian(lambda x: np.stack([dg.jvp(lambda t: t * x[0] * 1j, x[1], 1.0)[1].imag]),
                np.array([0.5, 2.0]))
    dg.hessian(lambda x: dg.jvp(lambda t: t * t * x[0], x[1], 1.0)[1], np.array([0.5, 2.0]))
    assert isinstance(stacked[0][0].value, complex)     # (.value: the duals escaped)
    assert isinstance(stacked[1][0].value, dg.Dual)     # two levels: the stack


def test_largest_as_numpy_reads_it():
    """``_largest`` of scalar duals with float partials (NaN, infinities, zeros of
    both signs, subnormals; 1, 3 and 20 directions; nested) equals the NumPy
    expression the other kinds keep."""
    def reference(x):
        size = 0.0
        while isinstance(x, dg.Dual):
            a = np.abs(np.asarray(dg.stop_gradient(x.partials), dtype=float))
            if np.isnan(a).any():
                return np.nan
            size, x = max(size, float(a.max(initial=0.0))), x.value
        return size

    cases = []

    def f(x):
        for v, w in itertools.product(VALUES, repeat=2):
            cases.append(x[0] * v + x[-1] * w)
            cases.append(x[0] * v * (x[-1] * w))
        for case in cases:
            got, want = optimize._largest(case), reference(case)
            assert np.float64(got).tobytes() == np.float64(want).tobytes(), (case, got, want)
        cases.clear()
        return x[0]

    for n in (1, 3, 20):
        dg.jacobian(f, np.linspace(0.5, 1.5, n))
    dg.hessian(f, np.array([0.5, 1.5]))


def test_roots_against_the_implicit_function_theorem():
    """brentq / newton roots of s**3 + a s - b: ds/da = -s / (3 s**2 + a), ds/db =
    1 / (3 s**2 + a); d2s/db2 = -6 s (ds/db)**3."""
    def cubic(s, p):
        return s ** 3 + p[0] * s - p[1]

    for a, b in ((2.0, 3.0), (0.5, -1e-3), (1e-3, 7.0)):
        for root in (lambda p: brentq(cubic, -1e3, 1e3, args=(p,)),
                     lambda p: newton(cubic, 0.5, args=(p,))):
            p = np.array([a, b])
            s = float(root(p))
            for _ in range(3):          # SciPy's root to rounding (xtol 2e-12)
                s = s - cubic(s, p) / (3 * s * s + a)
            slope = 3 * s * s + a
            J = dg.jacobian(lambda p: np.atleast_1d(root(p)), p)
            np.testing.assert_allclose(J, [[-s / slope, 1 / slope]], rtol=1e-13)
            H = dg.hessian(lambda p: root(p), p)
            np.testing.assert_allclose(H[1, 1], -6 * s / slope ** 3, rtol=1e-12)
    # s = sqrt(p0) + p1 at p0 = 0: a simple root (df/ds = 1) whose ds/dp0 is +inf; the
    # Newton steps carry it as NaN (inf - inf), ds/dp1 = 1 exact (refused as "not a
    # simple root" before attack65 03)
    with np.errstate(all="ignore"):
        J = dg.jacobian(lambda p: np.atleast_1d(brentq(lambda s, p: s - np.sqrt(p[0]) - p[1],
                                                       -1e3, 1e3, args=(p,))),
                        np.array([0.0, 3.0]))
    assert (np.isnan(J[0, 0]) or J[0, 0] == np.inf) and J[0, 1] == 1.0
    assert dg.stop_gradient(2.5) == 2.5
