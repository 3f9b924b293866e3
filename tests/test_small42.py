"""Small array duals on fewer steps (issue 13, small42): ``k * u`` and ``u ** b`` call
compiled entry points instead of numba's dispatcher (``backend.outer_small``'s
``outer_entry``, the unary rules' ``scale_entry``), ``a[1:]`` makes its array dual in
place, and small products (``A @ u``, ``u @ A``) test their value by a sum of floats
and skip the product kernels the automatic engine declines.

Two oracles: the general path (``dispatch._ufuncs.call``; for the products the lean
path's own NumPy fallback ``_mv`` / ``_vm`` and ``apply``'s general product) to the
bit, values and partials; and, independent of dualgrad, fourth-order central
differences of the same operation on floats along each direction.  Each test that
expects an entry point to run checks that it did (a spy in its cell), and the cases
it must leave to the general path (nested and mixed levels, float32 / integer / bool
operands, 0-d values, two axes, inf and NaN, ``out=``) that the results still hold.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _kernels, _loader, _propagate
from dualgrad.dispatch import _lean_products, _lean_small
from dualgrad.dispatch._ufuncs import apply, call
from dualgrad.dual import ArrayDual
from dualgrad.dual._base import new_tag
from dualgrad.rules._table import rule_for
from _probes import same_duals, without_numba

RNG = np.random.default_rng(42)
H = 1e-3


def _central(f, n):
    """Directions last: the fourth-order central difference of ``t -> f(t, k)`` at 0
    for each direction ``k`` (``f`` evaluates the operation on floats)."""
    cols = []
    for k in range(n):
        cols.append((-np.asarray(f(2 * H, k)) + 8 * np.asarray(f(H, k)) -
                     8 * np.asarray(f(-H, k)) + np.asarray(f(-2 * H, k))) / (12 * H))
    return np.stack(cols, axis=-1)


@pytest.fixture(params=["kernel", "numpy"])
def engine(request, monkeypatch):
    """Numba loaded (the suite's state: the entry points) or not (NumPy's passes)."""
    if request.param == "numpy":
        without_numba(request, monkeypatch)
    return request.param


def _spy_cell(request, cell, warm):
    """Calls of the compiled entry point held in ``cell`` (a list), made first by
    ``warm()`` where the cell is still empty; the spy calls the real entry."""
    if not cell[0]:
        warm()
    real = cell[0]
    assert real
    calls = []

    def spy(*args):
        calls.append(args)
        return real(*args)
    cell[0] = spy
    request.addfinalizer(lambda: cell.__setitem__(0, real))
    return calls


@pytest.fixture
def outer_calls(request):
    _loader.load()                   # (k * u takes exact_row's kernel first: lean45)
    return _spy_cell(request, _propagate._OUTER, _propagate._outer_entry)


@pytest.fixture
def scale_calls(request):
    tag = new_tag()
    u = dg.Dual(np.ones(3) + 1.0, np.ones((3, 1)), tag=tag)

    def warm():                     # (np.exp's value by NumPy's loop in one entry, tried
        cell = _propagate.loop_cell(np.exp)     # first since small71: off for the call
        held, cell[0] = cell[0], False          # that makes the scale entry)
        try:
            np.exp(u)
        finally:
            cell[0] = held
    return _spy_cell(request, _lean_small._SCALE, warm)


@pytest.fixture
def cube_calls(request):
    """Calls of ``u ** 3``'s entry point (small61: its factor in the loop)."""
    _loader.load()
    u = dg.Dual(np.ones(3) + 1.0, np.ones((3, 1)), tag=new_tag())
    return _spy_cell(request, _lean_small._CUBE, lambda: u ** 3)


@pytest.fixture
def power_calls(request):
    """Calls of ``u ** y``'s entry point (a number ``y``; farpow67: its factor's
    underflow test in the loop; small68: its factor too, from NumPy's ``x ** (y -
    1.0)``)."""
    _loader.load()
    u = dg.Dual(np.ones(3) + 1.0, np.ones((3, 1)), tag=new_tag())

    def warm():                     # (u ** 2.5 by NumPy's own loops in one entry, tried
        cell = _lean_small._NUMBER_LOOPS        # first since small71: off for the call
        held, cell[0] = cell[0], False          # that makes this entry)
        try:
            u ** 2.5
        finally:
            cell[0] = held
    calls = _spy_cell(request, _lean_small._POWER_NUMBER, warm)
    loops = _lean_small._NUMBER_LOOPS           # (and off for the test: this entry's way,
    request.addfinalizer(lambda held=loops[0]: loops.__setitem__(0, held))  # where that
    loops[0] = False                            # one declines, is the one held here)
    return calls


def _array(n, tag, layout="c", N=10):
    """An array dual of ``N`` values in ``layout``: ``"c"``, ``"reversed"`` (negative
    strides of value and partials), ``"strided"`` (every other element of a longer
    one), ``"fortran"`` (partials column-major)."""
    x = RNG.uniform(0.5, 2.0, 2 * N)
    p = RNG.standard_normal((2 * N, n))
    if layout == "c":
        return dg.Dual(x[:N].copy(), p[:N].copy(), tag=tag)
    if layout == "reversed":
        return dg.Dual(x[:N][::-1], p[:N][::-1], tag=tag)
    if layout == "strided":
        return dg.Dual(x[::2], p[::2], tag=tag)
    return dg.Dual(x[:N].copy(), np.asfortranarray(p[:N]), tag=tag)


MIXED = {
    "k * u": (lambda k, u: k * u, np.multiply, True),
    "u * k": (lambda k, u: u * k, np.multiply, False),
    "u / k": (lambda k, u: u / k, np.true_divide, False),
    "k / u": (lambda k, u: k / u, np.true_divide, True),
    "u - k": (lambda k, u: u - k, np.subtract, False),
    "k + u": (lambda k, u: k + u, np.add, True),
}
LAYOUTS = ["c", "reversed", "strided", "fortran"]


@pytest.fixture
def row_calls(row_spy):
    """Calls of the kernels of value and partials of a scalar dual with an array dual
    (``backend.exact_row``, lean45: ``+ - * /``), remade through a spy."""
    return row_spy


@pytest.mark.parametrize("name", sorted(MIXED))
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("n", [1, 4])
def test_mixed_bits_and_central_differences(name, layout, n, outer_calls, row_calls, engine):
    op, ufunc, first = MIXED[name]
    tag = new_tag()
    u = _array(n, tag, layout)
    k = dg.Dual(0.7, RNG.standard_normal(n), tag=tag)
    got = op(k, u)
    if engine == "kernel":                       # value and partials in one kernel
        assert row_calls == [(ufunc, 0 if first else 1)]    # call (lean45), no
    assert not row_calls or engine == "kernel"              # dispatcher
    assert not outer_calls
    same_duals(got, call(rule_for(ufunc), (k, u) if first else (u, k)))
    x, p, c, dc = u.value, u.partials, 0.7, np.asarray(k.partials)
    oracle = _central(lambda t, j: op(c + t * dc[j], x + t * p[:, j]), n)
    np.testing.assert_allclose(got.partials, oracle, rtol=1e-7, atol=1e-9)


def test_mixed_nonfinite_factors_take_the_careful_path(outer_calls, engine):
    """An inf or NaN in the array's value or the scalar's: the entry point declines (or
    never runs) and the general path's result, with its zero partials beside an
    infinite factor, is what comes back."""
    tag = new_tag()
    u = _array(2, tag)
    x = u.value.copy()
    x[3], x[5] = np.inf, np.nan
    p = u.partials.copy()
    p[3] = 0.0
    w = dg.Dual(x, p, tag=tag)
    k = dg.Dual(0.7, [1.0, 0.0], tag=tag)
    kinf = dg.Dual(np.inf, [0.0, 1.0], tag=tag)
    with np.errstate(all="ignore"):
        for a, b, ufunc in ((k, w, np.multiply), (w, k, np.true_divide),
                            (kinf, u, np.multiply), (u, kinf, np.multiply)):
            same_duals(ufunc(a, b), call(rule_for(ufunc), (a, b)))
            assert ufunc(a, b).partials.shape == (10, 2)


@pytest.mark.parametrize("b", [3, 4, -2, 3.5, 0.5, np.float64(3.0)])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("n", [1, 4])
def test_power_bits_and_central_differences(b, layout, n, power_calls, cube_calls, engine):
    tag = new_tag()
    u = _array(n, tag, layout)
    got = u ** b
    cube = b == 3 and _lean_small._SQUARE_IS_MUL     # (its own entry point: small61)
    assert len(power_calls) == (1 if engine == "kernel" and not cube else 0)
    assert len(cube_calls) == (1 if engine == "kernel" and cube else 0)
    same_duals(got, call(rule_for(np.power), (u, b)))
    x, p = u.value, u.partials
    oracle = _central(lambda t, j: (x + t * p[:, j]) ** b, n)
    np.testing.assert_allclose(got.partials, oracle, rtol=1e-7, atol=1e-9)


def test_power_zeros_nonfinite_and_two_axes(power_calls, cube_calls, engine):
    """Zeros (the table's whole row), inf / NaN (the entry declines: the careful path),
    values of two axes (the dispatcher's kernel, no entry): the general path's bits."""
    tag = new_tag()
    x = np.array([0.0, -0.0, 1.5, 2.0, -1.0, np.inf, 3.0, np.nan, 0.25, 1.0])
    p = RNG.standard_normal((10, 3))
    p[5, 1] = p[7, 2] = 0.0           # zero partials beside an infinite or NaN factor: 0
    u = dg.Dual(x, p, tag=tag)
    with np.errstate(all="ignore"):
        for b in (3, 0.5, -2):
            same_duals(u ** b, call(rule_for(np.power), (u, b)))
    w = dg.Dual(np.linspace(1.0, 2.0, 10), p, tag=tag)
    w.value[5] = np.inf                # no zero elsewhere: the entry meets the inf
    with np.errstate(all="ignore"):
        got = w ** 3
    same_duals(got, call(rule_for(np.power), (w, 3)))
    assert got.partials[5, 1] == 0.0
    if engine == "kernel" and _lean_small._SQUARE_IS_MUL:       # (the cube's own entry
        assert cube_calls[-1][0] is w.value                     # met it and declined)
    v = dg.Dual(RNG.uniform(0.5, 2, (2, 10)), RNG.standard_normal((2, 10, 2)), tag=tag)
    before = len(power_calls), len(cube_calls)
    same_duals(v ** 3, call(rule_for(np.power), (v, 3)))
    assert (len(power_calls), len(cube_calls)) == before
    oracle = _central(lambda t, j: (v.value + t * v.partials[..., j]) ** 3, 2)
    np.testing.assert_allclose((v ** 3).partials, oracle, rtol=1e-7)


def test_declined_operands_float32_int_bool_zero_d(outer_calls, scale_calls):
    """float32 values, integer and bool exponents of NumPy types, 0-d values, mixed
    tags: no entry point runs; the derivatives still hold (central differences)."""
    tag = new_tag()
    k = dg.Dual(0.7, [1.0, -1.0], tag=tag)
    u32 = dg.Dual(np.linspace(1, 2, 10, dtype=np.float32), np.ones((10, 2)), tag=tag)
    got = k * u32                   # (float32 values made float64 by dg.Dual)
    same_duals(got, call(rule_for(np.multiply), (k, u32)))
    x = u32.value.astype(np.float64)
    np.testing.assert_allclose(got.partials, _central(
        lambda t, j: (0.7 + t * [1.0, -1.0][j]) * (x + t), 2), rtol=1e-6)
    got = k * np.linspace(1, 2, 10, dtype=np.float32)      # a float32 ndarray operand
    np.testing.assert_allclose(got.partials, np.outer(np.linspace(1, 2, 10), [1.0, -1.0]),
                               rtol=1e-6)
    outer_calls.clear()
    scale_calls.clear()
    u = _array(2, tag)
    for b in (np.int64(3), True, np.float32(3.0)):
        got = u ** b
        bf = float(b)
        np.testing.assert_allclose(got.partials, _central(
            lambda t, j: (u.value + t * u.partials[:, j]) ** bf, 2), rtol=1e-9, atol=1e-12)
    u0 = dg.Dual(np.array(2.0), np.array([3.0, -1.0]), tag=tag)
    np.testing.assert_allclose(np.asarray((k * u0).partials), [0.7 * 3.0 + 2.0, -0.7 - 2.0])
    np.testing.assert_allclose(np.asarray((u0 ** 3).partials), [36.0, -12.0])
    ki = k * np.arange(10)                          # an integer array: no array dual
    np.testing.assert_allclose(ki.partials, np.outer(np.arange(10), [1.0, -1.0]))
    assert outer_calls == [] and scale_calls == []
    outer = new_tag()                               # k of another level: a constant to u
    k_outer = dg.Dual(0.7, [1.0], tag=outer)
    v = dg.Dual(np.linspace(1, 2, 10), np.ones((10, 1)), tag=new_tag())
    got = k_outer * v
    assert outer_calls == []
    np.testing.assert_allclose(np.asarray(got.value.partials)[:, 0], v.value)


def test_nested_and_mixed_levels_through_helpers():
    """Second derivatives through k * u, u ** 3 and slices (duals of duals: the lean
    functions decline nested values) and d/da of d/db, against analytic ones."""
    v = np.linspace(-1.0, 2.0, 10)

    def g(a):
        return dg.derivative(lambda b: a * (b * v) ** 3, 0.9)        # 3 a b**2 v**3

    np.testing.assert_allclose(dg.derivative(g, 1.3), 3 * 0.9 ** 2 * v ** 3, rtol=1e-13)

    def f(p):
        u = p[1] * v
        return np.sum(p[0] * (u[1:] - u[:-1]) ** 3)
    d = np.diff(v)
    s = np.sum(d ** 3)
    h = dg.hessian(f, np.array([1.3, 0.9]))
    want = np.array([[0.0, 3 * 0.9 ** 2 * s], [3 * 0.9 ** 2 * s, 6 * 1.3 * 0.9 * s]])
    np.testing.assert_allclose(h, want, rtol=1e-12)


def test_jacobian_of_a_small_loop(engine):
    """attack32's Euler step on 10 states (k * (A @ u) - u ** 3, slices) inside
    dg.jacobian, against central differences of the loop on floats."""
    A = np.linspace(-1.0, 1.0, 100).reshape(10, 10) / 10

    def run(p):
        u = np.linspace(0.2, 1.0, 10)
        for _ in range(20):
            u = u + 0.01 * (p[0] * (A @ u) - p[1] * u ** 3)
            u = np.concatenate([u[:1], u[1:] - 0.001 * (u[1:] - u[:-1])])
        return u
    p0 = np.array([0.7, 1.1])
    got = dg.jacobian(run, p0)
    eye = np.eye(2)
    oracle = _central(lambda t, j: run(p0 + t * eye[j]), 2)
    np.testing.assert_allclose(got, oracle, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("index", [slice(1, None), slice(None, -1), slice(2, 5),
                                   slice(None, None, -1), slice(1, None, 3), None])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_slices_views_of_both(index, layout):
    """``a[index]``: an array dual whose value and partials are the views NumPy gives
    (the same bits, the same memory: a write through it reaches ``a``)."""
    tag = new_tag()
    a = _array(3, tag, layout)
    got = a[index]
    assert type(got) is ArrayDual and got.tag == tag
    same_duals(got, dg.Dual(a.value[index], a.partials[index], tag=tag))
    assert np.shares_memory(got.value, a.value) and np.shares_memory(got.partials, a.partials)
    got *= 2.0
    np.testing.assert_array_equal(a.value[index], got.value)


def test_slices_of_other_values():
    """Two axes, float32 values, nested values: make()'s result,
    as before (the in-place construction is for float64 ndarrays alone)."""
    tag = new_tag()
    m = dg.Dual(RNG.uniform(0, 1, (2, 10)), RNG.standard_normal((2, 10, 2)), tag=tag)
    same_duals(m[1:], dg.Dual(m.value[1:], m.partials[1:], tag=tag))
    half = dg.Dual(np.linspace(0, 1, 5), np.ones((5, 1)), tag=tag)
    f32 = np.concatenate([half, half], dtype=np.float32)    # (a join keeps float32)
    assert f32[2:].value.dtype == np.float32 and f32[2:].partials.dtype == np.float32
    assert f32[2:].value.tobytes() == f32.value[2:].tobytes()
    assert f32[2:].partials.tobytes() == f32.partials[2:].tobytes()
    h = dg.hessian(lambda x: np.sum(x[1:] * x[:-1]), np.arange(4.0))
    want = np.zeros((4, 4))
    for i in range(3):
        want[i, i + 1] = want[i + 1, i] = 1.0
    np.testing.assert_array_equal(h, want)


def test_diff_and_broadcasting(engine):
    """``a[1:] - a[:-1]`` and a (10,) dual with a (2, 10) one: central differences."""
    tag = new_tag()
    a = _array(2, tag)
    b = dg.Dual(RNG.uniform(0.5, 2, (2, 10)), RNG.standard_normal((2, 10, 2)), tag=tag)
    got = a[1:] - a[:-1]
    x, p = a.value, a.partials
    np.testing.assert_allclose(got.partials, _central(
        lambda t, j: np.diff(x + t * p[:, j]), 2), rtol=1e-7, atol=1e-9)
    got = a * b + b[:, ::-1]
    np.testing.assert_allclose(got.partials, _central(
        lambda t, j: (x + t * p[:, j]) * (b.value + t * b.partials[..., j]) +
        (b.value + t * b.partials[..., j])[:, ::-1], 2), rtol=1e-7, atol=1e-9)


def test_out_aliasing_an_operand(engine):
    """``out=`` naming an operand: the general path, the derivative of the operation."""
    tag = new_tag()
    u = _array(2, tag)
    x, p = u.value.copy(), u.partials.copy()
    k = dg.Dual(0.7, [1.0, 0.5], tag=tag)
    r = np.multiply(k, u, out=u)
    assert r is u
    np.testing.assert_allclose(u.partials, _central(
        lambda t, j: (0.7 + t * [1.0, 0.5][j]) * (x + t * p[:, j]), 2), rtol=1e-7)
    x, p = u.value.copy(), u.partials.copy()
    np.power(u, 3, out=u)
    np.testing.assert_allclose(u.partials, _central(
        lambda t, j: (x + t * p[:, j]) ** 3, 2), rtol=1e-7)
    w = _array(2, tag)
    x, p = w.value.copy(), w.partials.copy()
    np.subtract(w[1:], w[:-1], out=w[1:])          # overlapping: NumPy's buffered result
    want = np.concatenate([x[:1], np.diff(x)])
    np.testing.assert_array_equal(w.value, want)
    np.testing.assert_allclose(w.partials, _central(
        lambda t, j: np.concatenate([(x + t * p[:, j])[:1], np.diff(x + t * p[:, j])]), 2),
        rtol=1e-7, atol=1e-9)


# ---- products ------------------------------------------------------------------------
@pytest.fixture
def finishes(monkeypatch):
    """The lean products finished (True) or declined at the value's test (False):
    ``_finish``'s results, and the array results the product functions make themselves
    (``A @ u`` with a plain matrix since small47: ``make_real`` called outside
    ``_finish``)."""
    seen = []
    finish, made = _lean_products._finish, _lean_products.make_real
    inside = [0]

    def spy(*args):
        inside[0] += 1
        try:
            result = finish(*args)
        finally:
            inside[0] -= 1
        seen.append(result is not None)
        return result

    def made_spy(*args):
        if not inside[0]:
            seen.append(True)
        return made(*args)
    monkeypatch.setattr(_lean_products, "_finish", spy)
    monkeypatch.setattr(_lean_products, "make_real", made_spy)
    return seen


@pytest.fixture
def kernel_products(monkeypatch):
    """Calls of the product kernels (``matvec_checked``, ``dot4``)."""
    calls = []
    from dualgrad import backend
    for name in ("matvec_checked", "dot4"):
        real = getattr(backend, name)

        def spy(*args, real=real, name=name):
            calls.append(name)
            return real(*args)
        monkeypatch.setattr(backend, name, spy)
    return calls


PRODUCTS = {
    "A @ u": (lambda A, u, v: A @ u, "mv"),
    "u @ A": (lambda A, u, v: u @ A, "vm"),
    "u @ v": (lambda A, u, v: u @ v, "vv"),
    "np.dot(A, u)": (lambda A, u, v: np.dot(A, u), "mv"),
    "u @ A[0]": (lambda A, u, v: u @ A[0], "vv"),
}


@pytest.mark.parametrize("name", sorted(PRODUCTS))
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("n", [1, 4])
def test_products_bits_and_central_differences(name, layout, n, finishes, kernel_products):
    op, kind = PRODUCTS[name]
    tag = new_tag()
    A = np.linspace(-1.0, 1.0, 100).reshape(10, 10)
    u = _array(n, tag, layout)
    v = _array(n, tag)
    got = op(A, u, v)
    # small: no kernel asked; Fortran-ordered partials: the general path, as before
    lean = u.partials.flags.c_contiguous and v.partials.flags.c_contiguous
    assert finishes == ([True] if lean else []) and kernel_products == []
    value = op(A, u.value, v.value)
    assert np.asarray(got.value).tobytes() == np.asarray(value).tobytes()
    pu = u.partials if u.partials.flags.c_contiguous else None
    if pu is not None:               # (the lean path takes C-contiguous partials alone)
        fallback = {"mv": lambda: _lean_products._mv(A, None, u.value, pu),
                    "vm": lambda: _lean_products._vm(u.value, pu, A, None),
                    "vv": lambda: _lean_products._vv(u.value, pu, v.value, v.partials)
                    if name == "u @ v" else _lean_products._vv(u.value, pu, A[0], None)}[kind]
        assert np.asarray(got.partials).tobytes() == np.asarray(fallback()).tobytes()
    oracle = _central(lambda t, j: op(A, u.value + t * u.partials[:, j],
                                      v.value + t * v.partials[:, j]), n)
    np.testing.assert_allclose(got.partials, oracle, rtol=1e-7, atol=1e-9)


def test_products_kernels_still_asked_where_they_run(finishes, kernel_products):
    """``use("numba")`` and large work still reach the product kernels (the skip is
    the automatic engine's below its size alone), with the same values."""
    tag = new_tag()
    A = np.linspace(-1.0, 1.0, 100).reshape(10, 10)
    u = _array(4, tag)
    auto = A @ u
    with _kernels.use("numba"):
        forced = A @ u
    assert kernel_products == ["matvec_checked"]
    np.testing.assert_allclose(forced.partials, auto.partials, rtol=1e-13, atol=1e-13)
    B = np.linspace(-1.0, 1.0, 1000 ** 2).reshape(1000, 1000) / 1000
    w = dg.Dual(np.linspace(0, 1, 1000), RNG.standard_normal((1000, 4)), tag=tag)
    got = B @ w
    assert kernel_products[-1] == "matvec_checked"
    np.testing.assert_allclose(got.partials, B @ w.partials, rtol=1e-10, atol=1e-12)


def test_products_nonfinite_and_overflowing_values(finishes):
    """A value holding inf or NaN declines (the general path's NaN-safe products); a
    finite value whose float sum overflows declines too and keeps its derivative; a
    value of more than 64 elements takes NumPy's dot test."""
    tag = new_tag()
    A = np.linspace(-1.0, 1.0, 100).reshape(10, 10)
    x = np.linspace(0.5, 1.5, 10)
    x[4] = np.inf
    p = RNG.standard_normal((10, 2))
    p[4] = 0.0
    u = dg.Dual(x, p, tag=tag)
    with np.errstate(all="ignore"):
        got = A @ u
        assert finishes and not any(finishes)      # declined (the general path: twice)
        general = apply(np.matmul, "__call__", (A, u), {})
    same_duals(got, general)
    big = dg.Dual(np.full(10, 1e307), RNG.standard_normal((10, 2)), tag=tag)
    got = np.eye(10) * 10 @ big                # each 1e308, their sum inf
    assert finishes[-1] is False
    np.testing.assert_array_equal(got.value, np.full(10, 1e308))
    np.testing.assert_allclose(got.partials, 10 * big.partials, rtol=1e-15)
    long = dg.Dual(np.linspace(0, 1, 100), RNG.standard_normal((100, 2)), tag=tag)
    M = np.linspace(-1, 1, 100 * 100).reshape(100, 100)
    got = M @ long
    assert finishes[-1] is True
    np.testing.assert_allclose(got.partials, M @ long.partials, rtol=1e-12, atol=1e-12)


def test_array_dual_at_other_arrays(finishes):
    """``u @ M`` for an integer or float32 matrix, a list, a 0-d array: the lean product
    declines (or NumPy refuses) as it did through the general path; the derivative
    holds (a product is linear in ``u``: ``dp @ M``)."""
    tag = new_tag()
    u = _array(2, tag)
    for M in (np.arange(100).reshape(10, 10), np.ones((10, 3), dtype=np.float32),
              np.ones((10, 10)).tolist()):
        got = u @ M
        Mf = np.asarray(M, dtype=np.float64)
        np.testing.assert_allclose(got.value, u.value @ Mf, rtol=1e-12)
        np.testing.assert_allclose(got.partials, np.einsum("ik,ij->jk", u.partials, Mf),
                                   rtol=1e-12)
    with pytest.raises(ValueError):
        u @ np.array(2.0)
