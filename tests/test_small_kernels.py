"""The small-array path's kernels of stop 28 (small10): ``a / b``, ``a ** 2``,
``np.sqrt(a)``... (rules whose local derivatives are arithmetic: one generated kernel
call, ``backend.local_kernel``/``local_kernel2``) and ``a.sum()`` / ``np.sum(a)``
(``dispatch._reductions.lean_sum``; ``backend.sum_small`` for 1-D values of 8 to 128
elements), before numba is loaded (NumPy's calls) and after (the kernels).

Oracles: the closed forms of the derivatives (``d(a/b) = da/b - a db/b**2``,
``d(a**2) = 2 a da``, ``d(sqrt a) = da / (2 sqrt a)``, ``d(sum a) = sum da``), to
rounding; and, where the formulas are the same, the general NumPy path's bits
(``_kernels.use("numpy")``), zeros' signs included.  Operands the lean path does not
take (broadcasting, 0-d, ints, float32, scalars and scalar duals, another number of
directions) still give the closed forms, or the ValueError naming both n.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dual._base import new_tag

# The tests marked engine_independent make duals outside helpers (or hand users' @njit
# code to one, which reads no engine flag): each runs in one half of README's command;
# test_gradients_through_the_small_path's helpers take the variable's engine and run in
# both (tests/conftest.py checks the marker).


@pytest.fixture(params=["numpy", "kernels"])
def engine(request, monkeypatch, exact_cells_emptied):
    """The small path before numba is loaded (the loader's budget raised: nothing
    loads it meanwhile) and after; yields the engine's name, then those of the
    small kernels that ran."""
    from dualgrad.backend import _kernels, _loader, _propagate
    ran = [request.param]
    if request.param == "numpy":
        monkeypatch.setattr(_loader, "READY", False)
        monkeypatch.setattr(_loader, "LOAD_AFTER", float("inf"))
    else:
        _loader.load()
        real_local, real = _kernels.small_local, _kernels._kernels()

        def small_local(ufunc):
            kernel = real_local(ufunc)

            def recording(*args):
                ran.append(ufunc.__name__)
                return kernel(*args)
            return None if kernel is None else recording

        class Recording:
            def __getattr__(self, name):
                ran.append(name)
                return getattr(real, name)
        real_exact = _kernels.small_exact

        def small_exact(ufunc, duals):
            kernel = real_exact(ufunc, duals)

            def recording(*args):
                ran.append(f"exact {ufunc.__name__}")
                return kernel(*args)
            return None if kernel is None else recording

        monkeypatch.setattr(_kernels, "small_local", small_local)
        monkeypatch.setattr(_kernels, "small_exact", small_exact)
        monkeypatch.setattr(_kernels, "_kernels", lambda: Recording())
        monkeypatch.setattr(_kernels, "_compiled", None)
        monkeypatch.setattr(_propagate, "_compiled", None)
        monkeypatch.setattr(_propagate, "_LOCAL", {})
        monkeypatch.setattr(_propagate, "_EXACT", {})
        monkeypatch.setattr(_propagate, "_EXACT_NUMBER", {})
        real_entry = _kernels.small_entry

        def small_entry(ufunc):          # a unary rule's entry point (small39)
            kernel = real_entry(ufunc)

            def recording(*args):
                ran.append("scale_entry" if ufunc is None else ufunc.__name__)
                return kernel(*args)
            return kernel and recording
        monkeypatch.setattr(_kernels, "small_entry", small_entry)
        for cell in _propagate._ENTRIES.values():   # (the lean functions hold the cells)
            cell[0] = None
        real_value = _kernels.small_value_loops_entry

        def small_value_loops_entry(ufunc):   # np.sqrt's value by NumPy's loop, then
            kernel = real_value(ufunc)        # its own loop (small74): tried first
            if kernel is None:
                return None

            def recording(*args):
                ran.append(ufunc.__name__)
                return kernel(*args)
            return recording
        monkeypatch.setattr(_kernels, "small_value_loops_entry", small_value_loops_entry)
        for cell in _value_cells():
            cell[0] = None
    yield ran
    from dualgrad.backend import _propagate
    for cell in _propagate._ENTRIES.values():       # made again, unrecorded, when next used
        cell[0] = None
    if request.param == "kernels":
        for cell in _value_cells():
            cell[0] = None


def _value_cells():
    """The loops cells of the rows with a value-loops entry (small74: ``np.sqrt``,
    ``np.reciprocal``...), which the lean functions hold."""
    from dualgrad.backend import _propagate
    from dualgrad.backend._rule_kernels import _VALUE_LOOPS
    return [_propagate.loop_cell(u) for u in _VALUE_LOOPS]


def _duals(N=10, n=3, seed=0, tag=None):
    rng = np.random.default_rng(seed)
    tag = new_tag() if tag is None else tag
    x, y = rng.uniform(0.5, 2.0, N), rng.uniform(-2.0, -0.5, N)
    p, q = rng.standard_normal((N, n)), rng.standard_normal((N, n))
    p[::4] = 0.0
    q[1::4] = -0.0
    return dg.Dual(x, p, tag=tag), dg.Dual(y, q, tag=tag)


def _close(d, value, partials):
    np.testing.assert_allclose(d.value, value, rtol=2e-15, atol=0)
    np.testing.assert_allclose(d.partials, partials, rtol=1e-14, atol=1e-300)


def _bits(got, want):
    np.testing.assert_array_equal(got, want)
    assert (np.signbit(got) == np.signbit(want)).all()


def _general(op, *args):
    from dualgrad.backend import _kernels
    with _kernels.use("numpy"):
        return op(*args)


OPS = {
    "a + b": (lambda a, b: a + b, lambda x, p, y, q: (x + y, p + q)),
    "a - b": (lambda a, b: a - b, lambda x, p, y, q: (x - y, p - q)),
    "a * b": (lambda a, b: a * b,
              lambda x, p, y, q: (x * y, y[:, None] * p + x[:, None] * q)),
    "-a": (lambda a, b: -a, lambda x, p, y, q: (-x, -p)),
    "a / b": (lambda a, b: a / b,
              lambda x, p, y, q: (x / y, p / y[:, None] - (x / y ** 2)[:, None] * q)),
    "np.divide": (lambda a, b: np.divide(a, b),
                  lambda x, p, y, q: (x / y, p / y[:, None] - (x / y ** 2)[:, None] * q)),
    "a ** 2": (lambda a, b: a ** 2, lambda x, p, y, q: (x * x, 2 * x[:, None] * p)),
    "np.square": (lambda a, b: np.square(a), lambda x, p, y, q: (x * x, 2 * x[:, None] * p)),
    "np.sqrt": (lambda a, b: np.sqrt(a),
                lambda x, p, y, q: (np.sqrt(x), p / (2 * np.sqrt(x))[:, None])),
    "np.reciprocal": (lambda a, b: np.reciprocal(b),
                      lambda x, p, y, q: (1 / y, -q / (y * y)[:, None])),
    "np.add": (lambda a, b: np.add(a, b), lambda x, p, y, q: (x + y, p + q)),
    "np.multiply": (lambda a, b: np.multiply(a, b),
                    lambda x, p, y, q: (x * y, y[:, None] * p + x[:, None] * q)),
    "np.negative": (lambda a, b: np.negative(a), lambda x, p, y, q: (-x, -p)),
}


@pytest.mark.engine_independent
@pytest.mark.parametrize("name", OPS)
@pytest.mark.parametrize("N,n", [(10, 1), (10, 3), (10, 10), (1, 2), (37, 4)])
def test_arithmetic_rules_give_the_closed_forms_and_the_general_bits(name, N, n, engine):
    op, oracle = OPS[name]
    a, b = _duals(N, n)
    got = op(a, b)
    _close(got, *oracle(a.value, a.partials, b.value, b.partials))
    want = _general(op, a, b)
    _bits(got.value, want.value)
    _bits(got.partials, want.partials)
    if engine[0] == "kernels":                   # the generated kernel ran, once
        assert engine[1:] == [{"a + b": "exact add", "a - b": "exact subtract",
                               "a * b": "exact multiply", "-a": "exact negative",
                               "a / b": "exact divide", "np.divide": "exact divide",
                               "a ** 2": "exact square", "np.square": "exact square",
                               "np.add": "exact add", "np.multiply": "exact multiply",
                               "np.negative": "exact negative"}.get(
            name, name[3:])]


SUMS = {"a.sum()": lambda a: a.sum(), "np.sum(a)": lambda a: np.sum(a),
        "a.sum(0)": lambda a: a.sum(0), "np.sum(a, axis=-1)": lambda a: np.sum(a, axis=-1),
        "np.sum(a, axis=None)": lambda a: np.sum(a, axis=None)}


@pytest.mark.engine_independent
@pytest.mark.parametrize("N", [1, 7, 8, 9, 10, 16, 64, 127, 128, 129, 200])
@pytest.mark.parametrize("form", SUMS)
def test_whole_sums_give_the_sums_and_the_general_bits(N, form, engine):
    a, _ = _duals(N, 5)
    a.value[N // 2:] *= 1e17                     # rounding that depends on the order
    got = SUMS[form](a)
    assert isinstance(got, dg.Dual) and np.ndim(got.value) == 0
    assert got.tag == a.tag
    _close(got, np.sum(a.value), a.partials.sum(axis=0))
    want = _general(lambda d: d.sum(), a)
    assert np.float64(got.value).tobytes() == np.float64(want.value).tobytes()
    _bits(got.partials, want.partials)
    for k in range(5):                           # each direction as NumPy sums it alone
        assert got.partials[k] == np.add.reduce(a.partials[:, k].copy())
    if engine[0] == "kernels":
        assert engine[1:] == (["sum_small"] if 8 <= N <= 128 else [])


@pytest.mark.engine_independent
@pytest.mark.parametrize("shape", [(2, 5), (3, 4, 2), (10, 1)])
def test_sums_of_more_dimensions_and_views(shape, engine):
    rng = np.random.default_rng(3)
    size = int(np.prod(shape))
    tag = new_tag()
    a = dg.Dual(rng.standard_normal(shape), rng.standard_normal(shape + (3,)), tag=tag)
    for d in (a, a.T, a[::-1], a.reshape(-1)[::2]):
        got = d.sum()
        _close(got, np.sum(d.value), d.partials.reshape(-1, 3).sum(axis=0))
        want = _general(lambda e: e.sum(), d)
        assert got.value == want.value
        _bits(got.partials, want.partials)
    assert size


@pytest.mark.engine_independent
def test_sums_with_arguments_take_the_general_path(engine):
    a, _ = _duals(12, 2)
    m = a.reshape(3, 4)
    np.testing.assert_allclose(m.sum(axis=0).partials, m.partials.sum(axis=0), rtol=1e-14)
    np.testing.assert_allclose(np.sum(m, 1).partials, m.partials.sum(axis=1), rtol=1e-14)
    with pytest.raises(np.exceptions.AxisError):
        a.sum(axis=1)
    np.testing.assert_allclose(np.sum(a, keepdims=True).partials,
                               a.partials.sum(axis=0)[None], rtol=1e-14)
    with pytest.raises(TypeError, match="dtype"):
        a.sum(dtype=np.float32)


@pytest.mark.engine_independent
def test_strided_and_reversed_operands_give_the_general_bits(engine):
    big_a, big_b = _duals(20, 4)
    for a, b in ((big_a[::2], big_b[1::2]), (big_a[::-1], big_b),
                 (dg.Dual(big_a.value, np.asfortranarray(big_a.partials), tag=big_a.tag),
                  big_b)):
        for name, (op, oracle) in OPS.items():
            got = op(a, b)
            _close(got, *oracle(a.value, a.partials, b.value, b.partials))
            want = _general(op, a, b)
            _bits(got.partials, want.partials)
        got = a.sum()
        want = _general(lambda d: d.sum(), a)
        assert got.value == want.value
        _bits(got.partials, want.partials)


@pytest.mark.engine_independent
def test_a_factor_that_is_not_finite_takes_the_careful_path(engine):
    """1 / y at y = 0 and 2 x at x = 1e308: a zero partial beside them stays 0."""
    tag = new_tag()
    x = np.array([1.0, 2.0, 3.0, 1e308, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0])
    y = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0])
    p, q = np.ones((10, 2)), np.ones((10, 2))
    p[0] = q[0] = 0.0
    p[3] = 0.0
    a, b = dg.Dual(x, p, tag=tag), dg.Dual(y, q, tag=tag)
    with np.errstate(all="ignore"):
        r = a / b
        s = a ** 2
    assert (r.partials[0] == 0.0).all() and np.isinf(r.value[0])
    np.testing.assert_allclose(r.partials[1:], (1 / y[1:] - x[1:] / y[1:] ** 2)[:, None]
                               * np.ones((9, 2)), rtol=1e-14)
    assert (s.partials[3] == 0.0).all()
    np.testing.assert_allclose(s.partials[4:], 2 * x[4:, None] * np.ones((6, 2)), rtol=1e-15)
    _bits(r.partials, _general(lambda u, v: u / v, a, b).partials)


BROADCAST = {
    "(10,) / (1,)": lambda t: (dg.Dual(np.linspace(1, 2, 10), np.ones((10, 2)), tag=t),
                               dg.Dual(np.array([3.0]), np.array([[1.0, -1.0]]), tag=t)),
    "(2, 5) / (5,)": lambda t: (dg.Dual(np.arange(1.0, 11.0).reshape(2, 5),
                                        np.ones((2, 5, 2)), tag=t),
                                dg.Dual(np.arange(2.0, 7.0), np.full((5, 2), 0.5), tag=t)),
    "0-d / (10,)": lambda t: (dg.Dual(np.array(2.0), np.array([1.0, 0.0]), tag=t),
                              dg.Dual(np.linspace(1, 2, 10), np.ones((10, 2)), tag=t)),
    "scalar dual / (10,)": lambda t: (dg.Dual(2.0, [1.0, 0.0], tag=t),
                                      dg.Dual(np.linspace(1, 2, 10), np.ones((10, 2)), tag=t)),
    "(10,) / scalar dual": lambda t: (dg.Dual(np.linspace(1, 2, 10), np.ones((10, 2)), tag=t),
                                      dg.Dual(4.0, [0.0, 1.0], tag=t)),
}


def _parts(d, shape):
    value = np.broadcast_to(np.asarray(d.value, float), shape)
    return value, np.broadcast_to(np.asarray(d.partials, float), shape + (2,))


@pytest.mark.engine_independent
@pytest.mark.parametrize("name", BROADCAST)
def test_broadcast_0d_and_scalar_operands_give_the_closed_forms(name, engine):
    a, b = BROADCAST[name](new_tag())
    got = a / b
    shape = np.broadcast_shapes(np.shape(a.value), np.shape(b.value))
    (x, p), (y, q) = _parts(a, shape), _parts(b, shape)
    np.testing.assert_allclose(got.value, x / y, rtol=1e-15)
    np.testing.assert_allclose(got.partials, p / y[..., None] - (x / y ** 2)[..., None] * q,
                               rtol=1e-14)


@pytest.mark.engine_independent
@pytest.mark.parametrize("const", [3, np.int64(3), np.float32(0.7), 0.7,
                                   np.arange(1, 11), np.linspace(1, 2, 10, dtype=np.float32)],
                         ids=["int", "np.int64", "np.float32", "float", "int array",
                              "float32 array"])
def test_mixed_dtypes_and_constants(const, engine):
    a, _ = _duals(10, 3)
    x, p = a.value, a.partials
    c = np.asarray(const).astype(np.float64)     # NumPy promotes the constant exactly
    cols = c[..., None] if np.ndim(c) else c
    for got, value, partials in ((a / const, x / c, p / cols),
                                 (const / a, c / x, -(c / x ** 2)[:, None] * p),
                                 (a * const, x * c, p * cols)):
        np.testing.assert_allclose(got.value, value, rtol=1e-15)
        np.testing.assert_allclose(got.partials, partials, rtol=1e-14)
        assert got.partials.dtype == np.float64
    ints = dg.Dual(np.arange(1, 11), np.ones((10, 3)), tag=a.tag)   # int values: float64
    got = ints ** 2
    np.testing.assert_array_equal(got.value, np.arange(1, 11) ** 2.0)
    np.testing.assert_array_equal(got.partials, 2.0 * np.arange(1, 11)[:, None] * np.ones(3))
    np.testing.assert_allclose(ints.sum().partials, [10.0, 10.0, 10.0], rtol=0)


@pytest.mark.engine_independent
@pytest.mark.parametrize("op", [lambda a, b: a / b, lambda a, b: b / a,
                                lambda a, b: np.hypot(a, b), lambda a, b: np.maximum(a, b),
                                lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b],
                         ids=["a / b", "b / a", "np.hypot", "np.maximum", "a + b", "a - b",
                              "a * b"])
def test_different_numbers_of_directions_raise(op, engine):
    tag = new_tag()
    a = dg.Dual(np.linspace(1, 2, 10), np.ones((10, 3)), tag=tag)
    b = dg.Dual(np.linspace(2, 3, 10), np.ones((10, 2)), tag=tag)
    with pytest.raises(ValueError, match="3 direction.*2 direction|2 direction.*3 direction"):
        op(a, b)


@pytest.mark.engine_independent
def test_a_dual_of_a_finished_call_still_raises(engine):
    escaped = []
    dg.gradient(lambda v: escaped.append(v) or v.sum(), np.linspace(1, 2, 10))
    d = escaped[0]
    for fn in (lambda: d.sum(), lambda: np.sum(d), lambda: d / d, lambda: d ** 2):
        with pytest.raises(Exception, match="dualgrad"):
            fn()


def test_gradients_through_the_small_path(engine):
    """dg.gradient of sum(x / (1 + x**2)) and of sum(sqrt(x)) at N = 10: closed forms."""
    x = np.linspace(0.5, 3.0, 10)
    g = dg.gradient(lambda v: (v / (v ** 2 + 1.0)).sum(), x)
    np.testing.assert_allclose(g, (1 - x ** 2) / (1 + x ** 2) ** 2, rtol=1e-14)
    g = dg.gradient(lambda v: np.sum(np.sqrt(v) / v), x)
    np.testing.assert_allclose(g, -0.5 * x ** -1.5, rtol=1e-14)


_JITTED = {}


def _jitted_row(numba, ufunc):
    """``ufunc`` of each of ten elements in users' @njit code, compiled once a process
    (numba's compile of ten dual calls is most of the test's time; the two small-path
    engines call the same compiled code)."""
    if ufunc not in _JITTED:
        _JITTED[ufunc] = numba.njit(lambda v: np.array([
            ufunc(v[0]), ufunc(v[1]), ufunc(v[2]), ufunc(v[3]), ufunc(v[4]), ufunc(v[5]),
            ufunc(v[6]), ufunc(v[7]), ufunc(v[8]), ufunc(v[9])]))
    return _JITTED[ufunc]


@pytest.mark.engine_independent
@pytest.mark.parametrize("ufunc", [np.absolute, np.fabs], ids=lambda u: u.__name__)
@pytest.mark.parametrize("N", [10, 40000])
def test_absolute_at_signed_zeros_gives_the_general_bits(ufunc, N, engine):
    """abs and fabs at -0.0 and 0.0 (np.sign is 0.0 at both: the partial is 0.0 * p), at
    numbers of both signs: the lean kernel (N = 10), the large kernels (N = 4e4)
    and users' @njit code give the general NumPy path's bits.  numba's own np.sign gives
    -0.0 at -0.0, so the kernels' partial there was -0.0 (attack14)."""
    x = np.resize([-0.0, 0.0, -1.5, 2.0, 7.0, -0.0, 3.0, -2.5, 0.0, -0.0], N)
    p = np.resize(np.array([[1.5, -2.0], [0.0, 1.0], [-0.0, 2.5], [1.0, -0.0]]), (N, 2))
    a = dg.Dual(x, p)
    got = ufunc(a)
    want = _general(ufunc, a)
    _bits(got.value, want.value)
    _bits(got.partials, want.partials)
    zeros = x == 0.0                                     # the oracle: np.sign(+-0.0) = +0.0
    _bits(got.partials[zeros], 0.0 * p[zeros])
    if N == 10:
        numba = pytest.importorskip("numba")
        import dualgrad.jit  # noqa: F401

        J = dg.jacobian(_jitted_row(numba, ufunc), x)
        assert not np.signbit(np.diagonal(J)[zeros]).any()
        _bits(np.diagonal(J), np.sign(x))


@pytest.mark.engine_independent
@pytest.mark.parametrize("ufunc", [np.absolute, np.fabs], ids=lambda u: u.__name__)
@pytest.mark.parametrize("n", [1, 2, 4, 5])
def test_absolute_kernels_at_every_kind_of_value(ufunc, n):
    """The large kernels' ``sign`` (selects, no jumps: sel12) at numbers of random sign,
    +-0.0, +-inf and NaN, beside zero, inf and NaN partials: each row's partials are
    np.sign(x) * p, with 0.0 where p is 0 in a row whose np.sign(x) is NaN (the NaN-safe
    product; for n = 1 too since mid12's flat kernels, which made every zero partial
    0.0), to the bit; the general NumPy path's values up to the sign of zero (its
    NaN-safe product covers the whole array: select11's open signed zeros)."""
    rng = np.random.default_rng(n)
    x = rng.standard_normal(30000)
    x[::7], x[1::11], x[2::13], x[3::17], x[4::19] = np.nan, -0.0, 0.0, np.inf, -np.inf
    p = rng.standard_normal((30000, n))
    p[::5, 0], p[1::6, n - 1], p[2::9, 0], p[::4, n - 1] = 0.0, np.inf, np.nan, -0.0
    with np.errstate(all="ignore"):
        got = ufunc(dg.Dual(x, p))
        want = _general(ufunc, dg.Dual(x, p))
        safe = np.isnan(x)[:, None]
        oracle = np.where(safe & (p == 0.0), 0.0, np.sign(x)[:, None] * p)
    parts = got.partials.reshape(30000, n)
    _bits(got.value, want.value)
    np.testing.assert_array_equal(parts.view(np.uint64), oracle.view(np.uint64))
    np.testing.assert_array_equal(parts, want.partials.reshape(30000, n))


# ---- the operators' kernels of value and partials (small11) --------------------------
# a op b whose value rounds alike in numba and NumPy: one kernel call computes the
# value too (backend.exact2/exact1); it declines where NumPy's call would report on
# the value, so that the report is NumPy's own.
REPORTS = [
    ("a * b", 1e200, 1e200), ("a * b", 1e-200, 1e-200), ("a * b", 1e-160, 1e-160),
    ("a * b", 0.0, 1e-300), ("a * b", -0.0, 5e-324), ("a * b", np.inf, 0.0),
    ("a * b", 1.5, 2.5), ("a / b", 1.0, 0.0), ("a / b", 0.0, 0.0),
    ("a / b", 1e-300, 1e10), ("a / b", 0.0, 3.0), ("a / b", 1.0, np.inf),
    ("a / b", 3.0, 1.5), ("a + b", np.inf, -np.inf), ("a + b", 1e308, 1e308),
    ("a + b", 5e-324, 5e-324), ("a + b", np.nan, 1.0), ("a - b", 1e308, -1e308),
    ("a - b", 1e-310, 1e-310), ("a ** 2", 1e-200, 0.0), ("a ** 2", 1e200, 0.0),
    ("a ** 2", 5e-324, 0.0), ("a ** 2", 0.0, 0.0), ("-a", np.nan, 0.0),
]
_VALUES = {"a * b": np.multiply, "a / b": np.divide, "a + b": np.add, "a - b": np.subtract,
           "a ** 2": lambda x, y: np.square(x), "-a": lambda x, y: np.negative(x)}


def _numpy_reports(fn, x, y):
    with np.errstate(all="raise"):
        try:
            fn(x, y)
        except FloatingPointError as exc:
            return str(exc)
    return None


@pytest.mark.engine_independent
@pytest.mark.parametrize("name,u,v", REPORTS, ids=[f"{n} at {u!r}, {v!r}" for n, u, v in REPORTS])
def test_operators_report_on_the_value_as_numpy_does(name, u, v, engine):
    """Under ``np.errstate(all="raise")`` a dual operation raises where NumPy's operation
    on the values raises, with NumPy's message (overflow, underflow, invalid, divide by
    zero), and not elsewhere; quiet, its bits are the general path's.  The oracle is
    NumPy's own call on the values."""
    op = OPS.get(name, (lambda a, b: a ** 2,))[0]
    a, b = _duals(10, 3)
    a.value[4], b.value[4] = u, v
    want = _numpy_reports(_VALUES[name], a.value, b.value)
    with np.errstate(all="raise"):
        if want is None:
            got = op(a, b)
        else:
            with pytest.raises(FloatingPointError, match=want.split(" encountered")[0]):
                op(a, b)
    with np.errstate(all="ignore"):
        got = op(a, b)
        general = _general(op, a, b)
    _bits(got.value, general.value)
    _bits(got.partials, general.partials)
    if engine[0] == "kernels" and want is None and np.isfinite(got.value).all() and \
            (np.abs(got.value) >= 2.2250738585072014e-308).all():
        assert engine[1].startswith("exact")     # a plain value: the kernel computed it


@pytest.mark.engine_independent
def test_operators_broadcast_one_element_and_views(engine):
    """Operands of other lengths (the kernel declines: NumPy broadcasts them), strided
    and read-only ones: the closed forms, and the general path's bits."""
    a, b = _duals(10, 3)
    one = dg.Dual(np.array([2.5]), np.array([[1.0, -2.0, 0.5]]), tag=a.tag)
    for u, v in ((a, one), (one, a)):
        for name in ("a + b", "a - b", "a * b", "a / b"):
            op, oracle = OPS[name]
            got = op(u, v)
            x, p = np.broadcast_to(u.value, (10,)), np.broadcast_to(u.partials, (10, 3))
            y, q = np.broadcast_to(v.value, (10,)), np.broadcast_to(v.partials, (10, 3))
            _close(got, *oracle(x, p, y, q))
    frozen = dg.Dual(a.value.copy(), a.partials.copy(), tag=a.tag)
    frozen.value.flags.writeable = False
    frozen.partials.flags.writeable = False
    for u, v in ((frozen, b), (a[::2], b[1::2]), (a[::-1], frozen)):
        for name, (op, oracle) in OPS.items():
            got = op(u, v)
            _close(got, *oracle(u.value, u.partials, v.value, v.partials))
            want = _general(op, u, v)
            _bits(got.value, want.value)
            _bits(got.partials, want.partials)
            assert got.value.flags.writeable and got.partials.flags.writeable


NUMBER_OPS = {
    "a + c": (lambda a, c: a + c, lambda x, p, c: (x + c, p)),
    "c + a": (lambda a, c: c + a, lambda x, p, c: (c + x, p)),
    "a - c": (lambda a, c: a - c, lambda x, p, c: (x - c, p)),
    "c - a": (lambda a, c: c - a, lambda x, p, c: (c - x, -p)),
    "a * c": (lambda a, c: a * c, lambda x, p, c: (x * c, c * p)),
    "c * a": (lambda a, c: c * a, lambda x, p, c: (c * x, c * p)),
    "a / c": (lambda a, c: a / c, lambda x, p, c: (x / c, p / c)),
    "c / a": (lambda a, c: c / a, lambda x, p, c: (c / x, -(c / x ** 2)[:, None] * p)),
}


SHAPES = {                      # values of more axes: the kernels read them flat (stop 33)
    "2 x 5": lambda v: v.reshape(2, 5, *v.shape[1:]),
    "2 x 5 x 1": lambda v: v.reshape(2, 5, 1, *v.shape[1:]),
    "transposed": lambda v: v.reshape(5, 2, *v.shape[1:]).swapaxes(0, 1),
    "rows strided": lambda v: np.concatenate([v, v]).reshape(4, 5, *v.shape[1:])[::2],
}


@pytest.mark.engine_independent
@pytest.mark.parametrize("layout", SHAPES)
def test_operators_on_values_of_more_axes_give_the_closed_forms_and_the_general_bits(
        layout, engine):
    """Each operator of two array duals and with a number on values of 2 and 3 axes
    (contiguous, transposed, strided rows): the closed forms of the 1-D values (the
    same elements), the general path's bits; contiguous, the kernel of value and
    partials ran for ``* / **2`` (``backend.EXACT_FLAT``).  Values of different shapes
    but as many elements are not read flat: NumPy broadcasts them, or raises as it does."""
    shaped = SHAPES[layout]
    a1, b1 = _duals(10, 3)
    a, b = (dg.Dual(shaped(d.value), shaped(d.partials), tag=d.tag) for d in (a1, b1))
    x, p, y, q = a1.value, a1.partials, b1.value, b1.partials
    for name, (op, oracle) in OPS.items():
        del engine[1:]
        got = op(a, b)
        value, partials = oracle(x, p, y, q)
        _close(got, shaped(value), shaped(partials))
        want = _general(op, a, b)
        _bits(got.value, want.value)
        _bits(got.partials, want.partials)
        if engine[0] == "kernels" and layout == "2 x 5" and name in ("a * b", "a / b", "a ** 2"):
            assert engine[1].startswith("exact"), name      # (+ - stay NumPy's: EXACT_FLAT)
    for name, (op, oracle) in NUMBER_OPS.items():
        got = op(a, 2.5)
        value, partials = oracle(x, p, 2.5)
        _close(got, shaped(value), shaped(partials))
        want = _general(op, a, 2.5)
        _bits(got.value, want.value)
        _bits(got.partials, want.partials)
    if a.value.ndim == 3:
        return
    other = dg.Dual(y.reshape(5, 2), q.reshape(5, 2, 3), tag=a.tag)
    for name in ("a + b", "a * b", "a / b"):
        with pytest.raises(ValueError, match="broadcast"):
            OPS[name][0](a, other)
    row = dg.Dual(y[:5].reshape(1, 5), q[:5].reshape(1, 5, 3), tag=a.tag)
    for got in (a * row, row * a):
        _close(got, a.value * row.value, a.value[..., None] * row.partials +
               row.value[..., None] * a.partials)


@pytest.mark.engine_independent
@pytest.mark.parametrize("name", NUMBER_OPS)
@pytest.mark.parametrize("c", [2.5, 3, np.float64(-0.75), -7], ids=["2.5", "3", "np -0.75", "-7"])
def test_operators_with_a_number_give_the_closed_forms_and_the_general_bits(name, c, engine):
    op, oracle = NUMBER_OPS[name]
    a, _ = _duals(10, 3)
    got = op(a, c)
    _close(got, *oracle(a.value, a.partials, float(c)))
    want = _general(op, a, c)
    _bits(got.value, want.value)
    _bits(got.partials, want.partials)
    assert got.tag == a.tag and type(got) is type(a)
    if engine[0] == "kernels" and (name[0] == "a" or type(c) is not np.float64):
        ufunc = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide"}[name[2]]
        assert engine[1:] == [f"exact {ufunc}"]  # the kernel of value and partials ran
    # (a NumPy float on the left: its own operator runs first, np.add(c, a) on the dual)


@pytest.mark.engine_independent
@pytest.mark.parametrize("name", NUMBER_OPS)
@pytest.mark.parametrize("c", [0.0, -0.0, np.inf, np.nan, 1e-310, 1e308, 1e-300, 2 ** 60])
def test_operators_with_a_number_report_and_round_as_numpy(name, c, engine):
    """Special numbers and values that overflow, underflow, divide by zero: NumPy's
    report under ``np.errstate(all="raise")`` (its own call on the values is the
    oracle), else the general path's bits."""
    op, _ = NUMBER_OPS[name]
    a, _ = _duals(10, 3)
    a.value[3] = 0.0
    a.value[5] = 1e-300
    value = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}[name[2]]
    want = _numpy_reports(value, a.value, c) if name[0] == "a" else \
        _numpy_reports(value, c, a.value)
    with np.errstate(all="raise"):
        if want is None:
            op(a, c)
        else:
            with pytest.raises(FloatingPointError, match=want.split(" encountered")[0]):
                op(a, c)
    with np.errstate(all="ignore"):
        got = op(a, c)
        general = _general(op, a, c)
    _bits(got.value, general.value)
    _bits(got.partials, general.partials)


@pytest.mark.engine_independent
def test_operators_with_numbers_they_leave_to_the_general_path(engine):
    """An int beyond float64 (NumPy's OverflowError), a bool, a 0-d array, a 2-D dual:
    what the general path does."""
    a, _ = _duals(10, 2)
    with pytest.raises(OverflowError):
        a * 10 ** 400
    _close(a * True, a.value, a.partials)
    _close(a - np.float64(1.5)[()], a.value - 1.5, a.partials)
    m = dg.Dual(a.value.reshape(2, 5), a.partials.reshape(2, 5, 2), tag=a.tag)
    got = 2.0 * m
    np.testing.assert_array_equal(got.partials, 2.0 * m.partials)
