"""Issue 13, stop 71 (heat71): ``np.gradient`` of an array dual writes its partials'
differences into pooled arrays with NumPy's own operations
(``dispatch._functions._gradient_uniform``) where NumPy's call on the partials made a
fresh result and two temporaries of the partials' size (the heat step written with
``np.gradient`` twice: 17x f, the new row of bench/bench_fused.py); bench/problems.py's
two new heat forms (``np.convolve`` + in-place, ``np.gradient`` twice).

Oracles: ``np.gradient`` is linear, so the Jacobian of ``x -> np.gradient(x, ...)`` is
NumPy's ``np.gradient`` of the identity's columns (plain floats, the same operations:
equal bits), for both edge orders, every spacing kind the path takes and those it
leaves to NumPy, one axis or several; the heat forms against their hand-written
tangents (``heat_tangent`` with ``np.convolve``'s Laplacian, bench/problems.py's
``heat_gradient_tangent``) and the eager engine's bits.  On main before this change the path tests fail (NumPy's
``gradient`` ran on the partials too); the oracles pass there."""

import functools

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _fused
from dualgrad.dispatch import _functions

from _probes import bench_module, python_calls

SPACINGS = [(), (0.3,), (3,), (np.float64(0.7),)]


def _identity_gradient(shape, varargs, axis, edge_order):
    """The Jacobian of ``x -> np.gradient(x.reshape(shape), *varargs, axis=axis,
    edge_order=edge_order)``: NumPy's gradient of the identity's columns, each result
    flattened to ``(size, size)``."""
    size = int(np.prod(shape))
    eye = np.eye(size).reshape(shape + (size,))
    axes = tuple(range(len(shape))) if axis is None else \
        (axis,) if np.ndim(axis) == 0 else tuple(axis)
    axes = tuple(a % len(shape) for a in axes)        # the value's axes, not the identity's
    got = np.gradient(eye, *varargs, axis=axes, edge_order=edge_order)
    got = got if isinstance(got, tuple) else (got,)
    return [g.reshape(size, size) for g in got]


@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize("varargs", SPACINGS)
def test_gradient_1d_against_numpy_of_identity(varargs, edge_order):
    x = np.linspace(-1.0, 2.0, 9) ** 3
    jac = dg.jacobian(lambda x: np.gradient(x, *varargs, edge_order=edge_order), x)
    np.testing.assert_array_equal(jac, _identity_gradient((9,), varargs, None, edge_order)[0])


@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize("axis,varargs", [(None, ()), (None, (0.5,)), (None, (2, 0.25)),
                                          (0, (0.5,)), (1, ()), ((1, 0), (3.0, 0.5)),
                                          (-1, (np.float64(1.5),))])
def test_gradient_2d_against_numpy_of_identity(axis, varargs, edge_order):
    x = np.arange(1.0, 16.0).reshape(3, 5) ** 1.5
    want = _identity_gradient((3, 5), varargs, axis, edge_order)

    def f(x):
        got = np.gradient(x, *varargs, axis=axis, edge_order=edge_order)
        got = got if isinstance(got, tuple) else (got,)
        return np.concatenate([np.ravel(g) for g in got])
    jac = dg.jacobian(lambda v: f(v.reshape(3, 5)), x.ravel())
    np.testing.assert_array_equal(jac, np.concatenate(want))


@pytest.mark.parametrize("varargs", [(np.linspace(0.0, 1.0, 9) ** 2,), (np.float32(0.5),),
                                     (True,)])
def test_gradient_other_spacings_keep_numpys_call(varargs):
    """Coordinates, a float32 and a bool spacing: NumPy's call on the partials, as before
    (its rounding of ``2. * dx`` in float32, its non-uniform formula)."""
    x = np.linspace(-1.0, 2.0, 9) ** 3
    assert _functions._gradient_uniform(np.eye(9), varargs, (0,), 1) is None
    jac = dg.jacobian(lambda x: np.gradient(x, *varargs), x)
    np.testing.assert_array_equal(jac, _identity_gradient((9,), varargs, None, 1)[0])


@pytest.mark.parametrize("engine", ["fused", "auto", "eager"])
@pytest.mark.parametrize("varargs", [(), (0.25,)])
def test_gradient_large_path(varargs, engine):
    """At 20,000 x 4 (deferred partials before it): NumPy's ``gradient`` runs once, on
    the value; the partials' differences are NumPy's bits (the analytic Jacobian of a
    gradient of ``p1 * s**2 * p0 + p3``, computed from the columns by NumPy)."""
    s = np.linspace(0.0, 1.0, 20_000)
    p = np.array([0.4, 0.8, 0.1, 1.5])

    def f(p):
        return np.gradient(p[1] * s ** 2 * p[0] + p[3], *varargs)
    cols = np.stack([p[1] * s ** 2, s ** 2 * p[0], np.zeros_like(s), np.ones_like(s)], 1)
    want = np.gradient(cols, *varargs, axis=0)
    with _fused.engine(engine):
        jac = dg.jacobian(f, p)
        calls = python_calls(lambda: dg.jacobian(f, p), within="/numpy/")
    assert calls.count("gradient") == 1, calls.count("gradient")
    scale = np.abs(want).max(axis=0)
    scale[scale == 0] = 1.0
    assert np.all(np.abs(jac - want) <= 1e-15 * scale)


def test_gradient_partials_in_the_pool():
    """The path's results are the helpers' pooled arrays (no fresh mapping a call)."""
    p = np.arange(24.0).reshape(6, 4)
    seen = []
    real = _functions.backend.empty

    def spy(shape):
        seen.append(shape)
        return real(shape)
    _functions.backend.empty = spy
    try:
        got = _functions._gradient_uniform(p, (), (0,), 1)
    finally:
        _functions.backend.empty = real
    assert seen == [(6, 4)]
    np.testing.assert_array_equal(got, np.gradient(p, axis=0))


def _convolve_laplacian(a):
    """np.convolve's "valid" Laplacian along the first axis (the form's own rounding of it:
    d/dkappa sums the Laplacians, which the slices' order rounds otherwise by ~1e-10 of
    that column's scale), for bench/problems.py's ``heat_tangent``."""
    taps = [1.0, -2.0, 1.0]
    if a.ndim == 1:
        return np.convolve(a, taps, mode="valid")
    return np.stack([np.convolve(a[:, j], taps, mode="valid") for j in range(a.shape[1])], 1)


@pytest.mark.parametrize("engine", ["fused", "auto", "eager"])
@pytest.mark.parametrize("form", ["heat_convolve", "heat_gradient"])
def test_new_heat_forms_against_hand_tangents(form, engine):
    problems = bench_module("problems")
    f = getattr(problems, form)
    tangent = functools.partial(problems.heat_tangent, laplacian=_convolve_laplacian) \
        if form == "heat_convolve" else problems.heat_gradient_tangent
    n, steps = 20_000, 12
    P = problems.HEAT_P
    with _fused.engine(engine):
        jac = dg.jacobian(lambda p: f(p, n=n, steps=steps), P)
    want = tangent(P, n=n, steps=steps)
    scale = np.abs(want).max(axis=0)
    assert np.all(np.abs(jac - want) <= 1e-12 * scale)
    with _fused.engine("eager"):
        eager = dg.jacobian(lambda p: f(p, n=n, steps=steps), P)
    np.testing.assert_array_equal(jac, eager)
