"""Object arrays of scalar duals where they meet array duals (object60, issue 13/14).

A right-hand side written ``return np.array([dx, dy])`` of scalar duals makes a NumPy
object array (``np.array`` cannot be overridden); the RK4 step then mixes it with the
buffer's rows (``y[i] + k1 * h / 2``, ``y[i + 1] = ...``).  The operators, ufuncs and
item assignment of array duals now read such an operand once as one array dual and take
the array duals' own paths.  Each spelling is checked against an independent oracle (the
complex step, or 8th-order central differences where the function is not analytic),
and, bit for bit (values, every partial, the signs of zeros), against the general path
that reads the object array in ``dispatch._ufuncs.call`` (the new reads turned off by
monkeypatching)."""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _lean_small, _ufuncs
from dualgrad.dual import _array, partials_array, primal
from dualgrad.testing import complex_step, numerical_jacobian
from _probes import bench_module

X = np.array([0.7, -1.3])
W = np.array([1.5, -0.5])
C = np.array([0.3, 0.7])


def _obj(p):
    """A right-hand side's object array (pend's ``np.array([y[1], -b y[1] - c sin y[0]])``)."""
    return np.array([p[1] * p[0], -0.25 * p[1] - 5.0 * np.sin(p[0])])


def _row(p):
    """An array dual row of the same length."""
    return W * p + C


def _buffer_write(p):
    y = np.zeros_like(p, shape=(3, 2))
    y[0] = C
    y[1] = _obj(p)
    y[2] = y[1] + _obj(p) * 0.5
    return y.ravel()


def _slice_write(p):
    y = np.zeros_like(p, shape=(4, 2))
    y[1:3] = np.array([[p[0], p[1] * 2.0], [p[1] ** 2, 3.0]])
    return y.ravel()


def _mixed_numbers(p):
    """Duals beside Python ints and floats and a NumPy float64 in one object array."""
    return np.arange(4.0) * p[1] + np.array([p[0] * p[1], 2, 3.5, np.float64(-1.25)])


def _two_axes(p):
    return np.outer(C, p) + np.array([[p[0], p[1]], [p[1] * p[0], 1.0]])


def _rk4(p):
    """The pendulum row of bench/corpus59.py, 20 steps (its RK4 and right-hand side)."""
    def pend(y, b, c):
        return np.array([y[1], -b * y[1] - c * np.sin(y[0])])
    t = np.linspace(0.0, 2.0, 21)
    y = np.zeros_like(p, shape=(len(t), 2))
    y[0] = np.array([np.pi - 0.1, 0.0])
    for i in range(len(t) - 1):
        h = t[i + 1] - t[i]
        k1 = pend(y[i], p[0], p[1])
        k2 = pend(y[i] + k1 * h / 2., p[0], p[1])
        k3 = pend(y[i] + k2 * h / 2., p[0], p[1])
        k4 = pend(y[i] + k3 * h, p[0], p[1])
        y[i + 1] = y[i] + (h / 6.) * (k1 + 2 * k2 + 2 * k3 + k4)
    return y[::4].ravel()


# spellings analytic in p: the complex step is their oracle
ANALYTIC = {
    "row + obj": lambda p: _row(p) + _obj(p),
    "obj + row": lambda p: _obj(p) + _row(p),
    "row - obj": lambda p: _row(p) - _obj(p),
    "obj - row": lambda p: _obj(p) - _row(p),
    "row * obj": lambda p: _row(p) * _obj(p),
    "obj * row": lambda p: _obj(p) * _row(p),
    "row / obj": lambda p: _row(p) / _obj(p),
    "obj / row": lambda p: _obj(p) / _row(p),
    "np.add(row, obj)": lambda p: np.add(_row(p), _obj(p)),
    "np.multiply(obj, row)": lambda p: np.multiply(_obj(p), _row(p)),
    "np.subtract(obj, row)": lambda p: np.subtract(_obj(p), _row(p)),
    "row @ obj": lambda p: _row(p) @ _obj(p),
    "obj @ row": lambda p: _obj(p) @ _row(p),
    "scalar * obj": lambda p: p[0] * _obj(p),
    "obj * scalar": lambda p: _obj(p) * p[1],
    "scalar + obj": lambda p: p[0] + _obj(p),
    "np.sin(obj) (object loop)": lambda p: np.sin(_obj(p)),
    "np.exp(obj) + row": lambda p: np.exp(_obj(p)) + _row(p),
    "np.stack([row, obj])": lambda p: np.stack([_row(p), _obj(p)]),
    "np.concatenate([row, obj])": lambda p: np.concatenate([_row(p), _obj(p)]),
    "np.asarray(obj) * row": lambda p: np.asarray(_obj(p)) * _row(p),
    "f returns the object array": _obj,
    "buffer[i] = obj": _buffer_write,
    "buffer[1:3] = 2-D obj": _slice_write,
    "ints, floats, float64 among duals": _mixed_numbers,
    "2-D object array + 2-D row": _two_axes,
    "pendulum RK4": _rk4,
}

# not analytic (or not defined for complex numbers in NumPy): central differences
REAL = {
    "np.arctan2(row, obj)": lambda p: np.arctan2(_row(p), _obj(p)),
    "np.hypot(obj, row)": lambda p: np.hypot(_obj(p), _row(p)),
    "np.maximum(row, obj)": lambda p: np.maximum(_row(p), _obj(p) + 10.0),
    "row ** obj": lambda p: (_row(p) + 2.0) ** (_obj(p) * 0.1),
}


@pytest.mark.parametrize("name", list(ANALYTIC))
def test_each_spelling_against_the_complex_step(name):
    f = ANALYTIC[name]
    J = dg.jacobian(f, X)
    np.testing.assert_allclose(J, complex_step(f, X), rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("name", list(REAL))
def test_each_real_spelling_against_central_differences(name):
    f = REAL[name]
    np.testing.assert_allclose(dg.jacobian(f, X), numerical_jacobian(f, X),
                               rtol=1e-8, atol=1e-9)


def test_the_pendulum_row_of_corpus59_against_the_complex_step():
    module = bench_module("corpus59")
    p = np.array([0.25, 5.0])
    J = dg.jacobian(module.pendulum_row, p)
    np.testing.assert_allclose(J, complex_step(module.pendulum_row, p), rtol=1e-12,
                               atol=1e-12)


# ---- the general path, bit for bit ----------------------------------------------------
def _general(monkeypatch):
    """Turn the new reads off: object operands go to ``dispatch._ufuncs.call``, which
    reads them with the conversion's general loop and runs its general lines."""
    monkeypatch.setattr(_array, "read_object", lambda x: x)
    monkeypatch.setattr(_lean_small, "read_object", lambda x: x)
    monkeypatch.setattr(_array, "_from_scalars", lambda items, shape: None)
    monkeypatch.setattr(_ufuncs, "small", lambda rule, args: None)


def _captured(f, x, how):
    """Every array dual and scalar dual ``f`` returns inside ``how``, read out: values
    and partials, as float arrays (signs of zeros kept)."""
    seen = []

    def g(p):
        r = f(p)
        seen.append(_levels(r))
        return r
    out = how(g, x)
    return out, seen


def _levels(x):
    """A dual's values and partials, level by level (nested duals: a Hessian's)."""
    if isinstance(x, dg.Dual):
        return _levels(x.value) + _levels(partials_array(x))
    if isinstance(x, np.ndarray) and x.dtype == object:
        return [a for item in x.ravel() for a in _levels(item)]
    return [np.array(x, dtype=float).copy()]


def _same_bits(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape
    np.testing.assert_array_equal(a, b)
    numbers = ~np.isnan(a)            # (the sign of a NaN is no number's: not compared)
    np.testing.assert_array_equal(np.signbit(a[numbers]), np.signbit(b[numbers]))


POINTS = {
    "ordinary": X,
    "zeros of both signs": np.array([0.0, -0.0]),
    "negative": np.array([-2.5, -0.75]),
    "an infinity": np.array([np.inf, 0.5]),
    "a NaN": np.array([0.5, np.nan]),
}

HOWS = {
    "jacobian": lambda f, x: dg.jacobian(f, x),
    "jacobian chunk 1": lambda f, x: dg.jacobian(f, x, chunk=1),
    "hessian (nested duals)": lambda f, x: dg.hessian(lambda p: np.sum(f(p)), x),
}


@pytest.mark.parametrize("how", list(HOWS))
@pytest.mark.parametrize("point", list(POINTS))
@pytest.mark.parametrize("name", list(ANALYTIC) + list(REAL))
def test_the_general_path_bit_for_bit(name, point, how, monkeypatch):
    f = {**ANALYTIC, **REAL}[name]
    x = POINTS[point]
    with np.errstate(all="ignore"):
        new, seen_new = _captured(f, x, HOWS[how])
        with monkeypatch.context() as m:
            _general(m)
            old, seen_old = _captured(f, x, HOWS[how])
    _same_bits(new, old)
    assert len(seen_new) == len(seen_old)
    for levels_new, levels_old in zip(seen_new, seen_old):
        assert len(levels_new) == len(levels_old)
        for a, b in zip(levels_new, levels_old):
            _same_bits(a, b)


def test_the_conversion_reads_what_the_general_loop_reads(monkeypatch):
    """from_object_array's lean read against its general loop, element types mixed."""
    got = []

    def g(p):
        items = [p[0] * p[1], 2, 3.5, np.float64(-1.25), -0.0, p[1], np.sin(p[0])]
        obj = np.empty(len(items), dtype=object)
        obj[:] = items
        fast = _array.from_object_array(obj)
        with monkeypatch.context() as m:
            m.setattr(_array, "_from_scalars", lambda items, shape: None)
            got.append((fast, _array.from_object_array(obj)))
        return fast
    J = dg.jacobian(g, X)
    fast, slow = got[0]
    _same_bits(primal(fast), primal(slow))
    _same_bits(partials_array(fast), partials_array(slow))
    np.testing.assert_allclose(J, numerical_jacobian(lambda p: np.array(
        [p[0] * p[1], 2, 3.5, -1.25, 0.0, p[1], np.sin(p[0])], dtype=float), X),
        rtol=1e-10, atol=1e-12)


# ---- what stays exact or refused as before ----------------------------------------------
def test_vector_kind_directions():
    """More than 16 directions: the scalar duals of the vector kind (general read)."""
    x = np.linspace(0.1, 1.7, 18)

    def f(p):
        return (W[0] * p[:2]) + np.array([p[0] * p[17], np.sin(p[5]) * p[1]])
    np.testing.assert_allclose(dg.jacobian(f, x), complex_step(f, x), rtol=1e-13,
                               atol=1e-13)


def test_another_calls_scalar_duals_in_the_object_array():
    """An outer call's scalar dual among the inner call's: exact (d/dt of a jacobian)."""
    def inner(t):
        return dg.jacobian(lambda p: _row(p) + np.array([t * p[0], p[1] * t ** 2]), X)

    d = dg.derivative(lambda t: inner(t)[1, 1], 0.3)
    assert abs(d - 2 * 0.3) < 1e-14
    d0 = dg.derivative(lambda t: inner(t)[0, 0], 0.3)
    assert abs(d0 - 1.0) < 1e-14


def test_an_escaped_scalar_dual_in_the_object_array_is_refused(monkeypatch):
    kept = []
    dg.jacobian(lambda p: kept.append(p[0]) or p, X)

    def f(p):
        return _row(p) + np.array([kept[0], p[1]])
    with pytest.raises(TypeError, match="escaped") as new:
        dg.jacobian(f, X)
    _general(monkeypatch)
    with pytest.raises(TypeError, match="escaped") as old:
        dg.jacobian(f, X)
    assert str(new.value) == str(old.value)


def test_an_array_dual_inside_an_object_array_is_refused():
    def f(p):
        obj = np.empty(2, dtype=object)
        obj[0], obj[1] = _row(p), p[1]
        return _row(p) + obj
    with pytest.raises(TypeError, match="an element that is an array dual"):
        dg.jacobian(f, X)


def test_complex_scalar_duals_cannot_make_an_object_array():
    with pytest.raises(TypeError):
        dg.jacobian(lambda p: _row(p) + np.array([p[0] * 1j, p[1]]), X)


# ---- the scalar duals' methods, which NumPy's object loops call (np.sin(obj)) ----------
UNARY = ["sin", "cos", "tan", "exp", "expm1", "log", "log1p", "sqrt", "tanh", "arcsin",
         "arctan", "floor", "square", "cbrt", "absolute", "negative", "reciprocal"]
BINARY = ["arctan2", "hypot", "maximum", "minimum", "power", "fmod", "logaddexp"]
VALUES = [0.7, -2.5, 0.0, -0.0, 1.0, 1e-310, 3e300, np.inf, -np.inf, np.nan]


@pytest.mark.parametrize("level", ["first", "nested"])
def test_a_scalar_duals_method_is_the_general_entrys_result_bit_for_bit(level):
    """``d.sin()`` (the class's fast function, as ``np.sin(d)``) against the general
    entry the method called before, ``call_ufunc``, over zeros of both signs, tiny, huge,
    infinite and NaN values, first-level and nested (a Hessian's) duals."""
    from dualgrad.dual import _scalar
    done = []

    def check(p):
        for v in VALUES:
            s = p[0] * 0.0 + v + p[1] * 0.0 + p[0] * 1e-3 * (v == v and abs(v) < 1e300)
            t = p[1] * 0.5 - 0.25
            for name in UNARY:
                ufunc = getattr(np, name)
                if not hasattr(s, name):
                    continue
                with np.errstate(all="ignore"):
                    got, want = getattr(s, name)(), _scalar.call_ufunc(ufunc, s)
                for a, b in zip(_levels(got), _levels(want)):
                    _same_bits(a, b)
                done.append(name)
            for name in BINARY:
                ufunc = getattr(np, name)
                if not hasattr(s, name):
                    continue
                with np.errstate(all="ignore"):
                    got, want = getattr(s, name)(t), _scalar.call_ufunc(ufunc, s, t)
                for a, b in zip(_levels(got), _levels(want)):
                    _same_bits(a, b)
                done.append(name)
        return p[0]
    if level == "first":
        dg.gradient(check, X)
    else:
        dg.hessian(check, X)
    assert {"sin", "exp", "arctan2", "hypot"} <= set(done)


def test_ufuncs_of_object_arrays_against_the_complex_step():
    for name in ["sin", "cos", "exp", "log", "sqrt", "tanh", "square", "reciprocal"]:
        ufunc = getattr(np, name)

        def f(p, ufunc=ufunc):
            return ufunc(np.array([p[0] * p[1] + 3.0, p[1] ** 2 + 0.5]))
        np.testing.assert_allclose(dg.jacobian(f, X), complex_step(f, X), rtol=1e-13,
                                   atol=1e-14)


# ---- an element NumPy's arithmetic refuses (attack60 02) -------------------------------
Y0 = np.array([0.5, 2.5, -1.2])
UNWRITTEN = {
    "y + dy": lambda y, dy: y + dy,
    "y * dy": lambda y, dy: y * dy,
    "np.add(y, dy)": lambda y, dy: np.add(y, dy),
    "np.stack(list(dy))": lambda y, dy: np.stack(list(dy)),
    "np.hstack([y, dy])": lambda y, dy: np.hstack([y, dy]),
    "np.concatenate([y, dy])": lambda y, dy: np.concatenate([y, dy]),
    "np.asarray(dy) + y": lambda y, dy: np.asarray(dy) + y,
    "Y[:] = dy": lambda y, dy: _written(y * 1.0, dy),
    "np.maximum(y, dy)": lambda y, dy: np.maximum(y, dy),
    "np.where(y > 0, y, dy)": lambda y, dy: np.where(y > 0, y, dy),
    "np.dot(y, dy)": lambda y, dy: np.dot(y, dy),
    "y @ dy": lambda y, dy: y @ dy,
    "f returns dy": lambda y, dy: dy,
    "y + a string": lambda y, dy: y + np.array(["1.5", y[0], 2.0], dtype=object),
}


def _written(Y, dy):
    Y[:] = dy
    return Y


@pytest.mark.parametrize("door", list(UNWRITTEN))
def test_an_unwritten_element_of_an_object_buffer_is_refused(door):
    """``dy = np.empty(3, dtype=object)`` with only ``dy[0]`` written: NumPy's own
    arithmetic raises on the None left (``1.0 + None``); dualgrad read it as NaN with
    zero partials (finite rows of a Jacobian of nothing)."""
    def f(y):
        dy = np.empty(3, dtype=object)
        dy[0] = y[1] * y[2]
        return UNWRITTEN[door](y, dy)
    with pytest.raises(TypeError, match="expected an object array of scalar duals and "
                                        "numbers, got an element .* Fix: write every"):
        dg.jacobian(f, Y0)


# ---- dualgrad.scipy's wrappers take an object array as they take a list (attack60 04) ---
def _scipy_cases():
    import scipy.special as sp
    import scipy.stats as ss

    from dualgrad.scipy import special, stats
    both = {
        "multivariate_normal.logpdf, x": lambda m, s: m.multivariate_normal.logpdf(
            np.array([0.2, s]), np.zeros(2), np.eye(2)),
        "multivariate_normal.logpdf, mean": lambda m, s: m.multivariate_normal.logpdf(
            np.array([0.2, 0.3]), np.array([0.0, s]), np.eye(2)),
        "norm.logpdf": lambda m, s: np.sum(m.norm.logpdf(np.array([0.2, s]))),
        "dirichlet.logpdf, alpha": lambda m, s: m.dirichlet.logpdf(
            np.array([0.2, 0.3, 0.5]), np.array([s, 2.0, 3.0])),
        "multivariate_t.logpdf": lambda m, s: m.multivariate_t.logpdf(
            np.array([0.2, s]), np.zeros(2), np.eye(2)),
        "poisson.logpmf": lambda m, s: np.sum(m.poisson.logpmf(3, np.array([s, 1.0]))),
        "gamma.logpdf": lambda m, s: np.sum(m.gamma.logpdf(np.array([s, 1.0]), 2.0)),
    }
    cases = {k: (lambda s, f=f: f(stats, s), lambda s, f=f: f(ss, s)) for k, f in both.items()}
    cases["special.polygamma"] = (lambda s: np.sum(special.polygamma(1, np.array([s, 1.0]))),
                                  lambda s: np.sum(sp.polygamma(1, np.array([s, 1.0]))))
    return cases


SCIPY_CASES = ["multivariate_normal.logpdf, x", "multivariate_normal.logpdf, mean",
               "norm.logpdf", "dirichlet.logpdf, alpha", "multivariate_t.logpdf",
               "poisson.logpmf", "gamma.logpdf", "special.polygamma"]


@pytest.mark.parametrize("name", SCIPY_CASES)
def test_dualgrads_scipy_wrappers_take_an_object_array(name):
    """``np.array([0.2, s])`` (an object array) where the wrappers took ``[0.2, s]``:
    they refused it naming themselves as the fix.  SciPy's function of floats, by
    8th-order central differences, is the oracle."""
    from dualgrad.testing import central_difference
    ours, scipys = _scipy_cases()[name]
    np.testing.assert_allclose(dg.derivative(ours, 0.7), central_difference(scipys, 0.7),
                               rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("data", [np.ma.array([1.5, 2.5, 3.5], mask=[0, 1, 0]),
                                  np.matrix([[1.5, 3.5]])])
def test_the_wrappers_leave_array_subclasses_of_a_plain_call_to_scipy(data):
    """attack60 08: polygamma's object-array read refused a masked array or np.matrix
    outside any transform (SciPy's own call serves them).  Oracle: SciPy's value."""
    import scipy.special as sp
    import scipy.stats as ss

    from dualgrad.scipy import special, stats
    for ours, theirs in ((special.polygamma(1, data), sp.polygamma(1, data)),
                         (stats.norm.logpdf(data), ss.norm.logpdf(data))):
        assert type(ours) is type(theirs)
        np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))


def test_a_row_of_a_two_axis_buffer_is_a_view_as_numpy_gives():
    """``y[i]`` of a 2-D dual buffer (RK4's rows): a view of the buffer's values and
    partials, so a write through it lands in the buffer, as NumPy's ``y[i][0] = ...``."""
    def f(p):
        y = np.zeros_like(p, shape=(3, 2))
        y[1] = _row(p)
        r = y[1]
        assert np.shares_memory(primal(r), primal(y))
        r[0] = p[1] * 3.0
        return y.ravel()

    def g(p):
        y = np.zeros_like(p, shape=(3, 2))
        y[1] = W * p + C
        y[1][0] = p[1] * 3.0
        return y.ravel()
    np.testing.assert_allclose(dg.jacobian(f, X), complex_step(g, X), rtol=1e-14, atol=0)
    with pytest.raises(IndexError):
        dg.jacobian(lambda p: np.zeros_like(p, shape=(3, 2))[3], X)


def test_the_complex_refusal_names_a_matrix_of_scalar_duals_row_by_row():
    """A user's ABCD matrix ``np.array([[1, 0], [-1 / f, 1]])`` of scalar duals meeting
    a complex beam parameter is refused (newuser60); the message names the 2-D spelling
    that works, which is exact: d/dt of q t / (t - q) is -q**2 / (t - q)**2."""
    q = 1.0 + 2.0j

    def refused(x):
        abcd = np.array([[1, 0], [-1 / x[0], 1]])
        return np.real(abcd[0][0] * q * x[1])
    with pytest.raises(TypeError, match=r"np\.stack\(\[np\.stack\(\[a, b\]\), "
                                        r"np\.stack\(\[c, d\]\)\]\)"):
        dg.jacobian(refused, np.array([2.0, 3.0]))

    def beam(t):
        m = np.stack([np.stack([1.0 + 0.0 * t, 0.0 * t]), np.stack([-1 / t, 1.0 + 0.0 * t])])
        return (m[0, 0] * q + m[0, 1]) / (m[1, 0] * q + m[1, 1])
    t = 2.0
    assert abs(dg.derivative(beam, t) - (-q ** 2 / (t - q) ** 2)) < 1e-15
