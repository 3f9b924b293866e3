"""Ufunc dispatch (dualgrad.dispatch._ufuncs): operands of every kind NumPy accepts.

Oracles: dualgrad.testing.numerical_jacobian (8th-order central differences on
plain floats) and closed forms; never another dualgrad path.
"""

import operator
import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.testing import numerical_jacobian

X = np.array([0.7, 1.3])
LIST = [1.5, 2.5]

# (name, f(a, b)) for every binary operator spelling and a few ufuncs
BINARY = [
    ("+", operator.add), ("-", operator.sub), ("*", operator.mul),
    ("/", operator.truediv), ("**", operator.pow), ("@", operator.matmul),
    ("arctan2", np.arctan2), ("hypot", np.hypot), ("maximum", np.maximum),
    ("logaddexp", np.logaddexp), ("multiply", np.multiply), ("power", np.power),
]


def _check(f, x, rtol=1e-7, oracle=None):
    got = dg.jacobian(f, x)
    want = numerical_jacobian(oracle or f, x)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-9)


@pytest.mark.parametrize("name,op", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("container", [list, tuple])
def test_list_operand_of_array_dual_is_read_as_an_array(name, op, container):
    """A list next to an array dual means np.asarray(list), on both sides."""
    c = container(LIST)
    _check(lambda x: op(x[::-1], c), X)
    _check(lambda x: op(c, x[::-1]), X)


@pytest.mark.parametrize("name,op", BINARY, ids=[b[0] for b in BINARY])
def test_list_operand_of_scalar_dual_broadcasts_like_numpy(name, op):
    if name == "@":
        pytest.skip("a scalar has no matrix product")
    # (a Python float times a list repeats the list: the oracle takes NumPy's reading)
    _check(lambda s: op(s, LIST), 0.8, oracle=lambda s: op(s, np.asarray(LIST)))
    _check(lambda s: op(LIST, s), 0.8, oracle=lambda s: op(np.asarray(LIST), s))


def test_nested_list_and_list_holding_duals():
    nested = [[1.0, 2.0], [3.0, 4.0]]
    _check(lambda x: np.sum(x * nested, axis=0), X)
    _check(lambda x: np.arctan2(x, nested), X)
    # a list that holds duals is an array dual: x * [x1, 2] = [x0 x1, 2 x1]
    got = dg.jacobian(lambda x: x * [x[1], 2.0], X)
    np.testing.assert_array_equal(got, [[X[1], X[0]], [0.0, 2.0]])
    got = dg.jacobian(lambda x: np.add([[x[0], 1.0], [2.0, x[1]]], x), X)
    np.testing.assert_array_equal(got, [[[2.0, 0.0], [0.0, 1.0]],
                                        [[1.0, 0.0], [0.0, 2.0]]])


def test_issue_example_reversed_times_list():
    """issue 12: sum(x[::-1] * [1, 2]) gave [1, 2] (the list scaled the directions)."""
    got = dg.gradient(lambda x: np.sum(x[::-1] * [1.0, 2.0]), np.array([1.0, 2.0]))
    np.testing.assert_array_equal(got, [2.0, 1.0])


@pytest.mark.parametrize("func", [np.dot, np.inner, np.outer, np.kron, np.matmul,
                                  np.vdot, np.cross, np.convolve])
def test_list_operand_of_products(func):
    c = [1.5, -2.5] if func is not np.cross else [1.5, -2.5, 0.5]
    x = X if func is not np.cross else np.array([0.7, 1.3, -0.4])
    _check(lambda x: func(x[::-1], c), x)
    _check(lambda x: func(c, x[::-1]), x)


def test_list_operands_of_einsum_and_tensordot():
    m = [[1.0, 2.0], [3.0, -4.0]]
    _check(lambda x: np.einsum("ij,j->i", m, x[::-1]), X)
    _check(lambda x: np.tensordot(m, x[::-1], axes=1), X)
    _check(lambda x: np.tensordot(m, x[::-1], [[1], [0]]), X)
    _check(lambda x: np.einsum(x[::-1], [0], m, [1, 0], [1]), X)


def test_list_in_place_operators():
    def f(x):
        y = x[::-1].copy()
        y *= LIST
        y += (1.0, 2.0)
        y /= [2.0, 4.0]
        return y
    _check(f, X)


with warnings.catch_warnings():
    warnings.simplefilter("ignore", PendingDeprecationWarning)
    MATRIX = np.matrix([[1.0, 2.0], [3.0, 4.0]])
MASKED = np.ma.masked_array([[1.0, 2.0], [3.0, 4.0]], mask=[[0, 1], [0, 0]])


@pytest.mark.parametrize("sub", [MATRIX, MASKED], ids=["matrix", "masked"])
def test_array_subclasses_as_helper_inputs_raise_naming_the_type(sub):
    """issue 12: np.matrix (x * x is a matrix product) and masked arrays (sum skips
    masked entries) were silently treated as plain arrays."""
    name = "np.matrix" if isinstance(sub, np.matrix) else "np.ma.MaskedArray"
    for helper in (dg.gradient, dg.hessian,
                   lambda f, x: dg.approx_fprime(x, f)):
        with pytest.raises(TypeError, match=f"got {name}.*np.asarray"):
            helper(lambda x: np.sum(x * x), sub)
    with pytest.raises(TypeError, match=name):
        dg.jacobian(lambda x: x, sub)
    with pytest.raises(TypeError, match=name):
        dg.grad(lambda x: np.sum(x))(sub)


@pytest.mark.parametrize("sub", [MATRIX, MASKED], ids=["matrix", "masked"])
@pytest.mark.parametrize("use", [
    lambda x, m: x * m, lambda x, m: m * x if isinstance(m, np.matrix) else np.multiply(m, x),
    lambda x, m: np.arctan2(x, m), lambda x, m: x @ m, lambda x, m: np.dot(x, m),
    lambda x, m: np.where(x > 0, x, m), lambda x, m: np.maximum(x[0, 0], m),
])
def test_array_subclasses_as_operands_raise_naming_the_type(sub, use):
    with pytest.raises(TypeError, match="np.asarray"):
        dg.jacobian(lambda x: use(x, sub), np.ones((2, 2)))


def test_memmap_operands_mean_plain_arrays(tmp_path):
    mm = np.memmap(tmp_path / "m.dat", dtype=float, mode="w+", shape=(2,))
    mm[:] = [1.5, 2.5]
    np.testing.assert_array_equal(dg.gradient(lambda x: np.sum(x * mm), [1.0, 1.0]),
                                  [1.5, 2.5])
    np.testing.assert_array_equal(dg.gradient(lambda x: np.sum(x ** 2), mm), [3.0, 5.0])


@pytest.mark.parametrize("mode", ["numpy", "numba"])
def test_list_operands_on_both_kernel_paths(mode):
    from dualgrad.backend import _kernels
    size = 3000                                            # above the kernel thresholds
    rng = np.random.default_rng(3)
    v, c = rng.uniform(0.5, 2.0, size), rng.uniform(0.5, 2.0, size)
    p = rng.standard_normal((size, 3))
    with _kernels.use(mode):
        for op, dfdx in ((np.multiply, c), (np.divide, 1.0 / c),
                         (np.maximum, (v >= c).astype(float)),
                         (np.hypot, v / np.hypot(v, c))):
            out = op(dg.Dual(v, p), c.tolist())
            np.testing.assert_allclose(out.partials, dfdx[:, None] * p, rtol=1e-14)


# ---- the small-array path (dualgrad._ufuncs.small) ---------------------------------
def _no_general_path(monkeypatch):
    """Make the general path raise, so that a passing call proves the small path ran."""
    from dualgrad.dispatch import _ufuncs
    from dualgrad.dual import _array

    def general(*args, **kwargs):
        raise AssertionError("the general path ran")
    monkeypatch.setattr(_ufuncs, "call", general)
    monkeypatch.setattr(_array, "call", general)


def test_small_path_carries_operators_ufuncs_and_scalar_operands(monkeypatch):
    from dualgrad.dual._base import new_tag
    tag = new_tag()
    x = np.array([0.5, 1.5, 2.0])
    a = dg.Dual(x, np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), tag=tag)
    b = dg.Dual(x[::-1].copy(), np.array([[0.0, 2.0], [1.0, 0.0], [0.0, 0.0]]), tag=tag)
    s = dg.Dual(3.0, [0.5, -1.0], tag=tag)
    c = np.array([2.0, 3.0, 4.0])
    _no_general_path(monkeypatch)
    # closed forms: d(f(u, v)) = f_u du + f_v dv
    cases = [
        (a * b, x * b.value, b.value[:, None] * a.partials + x[:, None] * b.partials),
        (a + b, x + b.value, a.partials + b.partials),
        (a - b, x - b.value, a.partials - b.partials),
        (a / b, x / b.value,
         a.partials / b.value[:, None] - (x / b.value ** 2)[:, None] * b.partials),
        (2.0 - a, 2.0 - x, -a.partials),
        (a * 2, x * 2, 2.0 * a.partials),
        (a ** 2, x ** 2, (2.0 * x)[:, None] * a.partials),
        (-a, -x, -a.partials),
        (np.sin(a), np.sin(x), np.cos(x)[:, None] * a.partials),
        (np.exp(a) * c, np.exp(x) * c, (np.exp(x) * c)[:, None] * a.partials),
        (c * s, c * 3.0, c[:, None] * np.array([0.5, -1.0])),
        (a * s, x * 3.0, 3.0 * a.partials + x[:, None] * np.array([0.5, -1.0])),
        (s + c, 3.0 + c, np.tile([0.5, -1.0], (3, 1))),
        (np.float64(1.5) * a, 1.5 * x, 1.5 * a.partials),
    ]
    for got, value, partials in cases:
        np.testing.assert_allclose(got.value, value, rtol=1e-15)
        np.testing.assert_allclose(got.partials, partials, rtol=1e-15)


def test_small_path_keeps_a_zero_partial_zero_next_to_an_infinite_factor():
    # sqrt'(0) = inf: only the direction that moves x[0] sees it
    a = dg.Dual(np.array([0.0, 4.0]), np.array([[0.0, 1.0], [1.0, 0.0]]))
    np.testing.assert_array_equal(np.sqrt(a).partials, [[0.0, np.inf], [0.25, 0.0]])
    # a * b with a = inf where b's direction is the only one moving: d = b' * inf + a' * 2
    from dualgrad.dual._base import new_tag
    tag = new_tag()
    u = dg.Dual(np.array([np.inf, 1.0]), np.array([[0.0, 1.0], [0.0, 0.0]]), tag=tag)
    v = dg.Dual(np.array([2.0, 3.0]), np.array([[0.0, 0.0], [1.0, 0.0]]), tag=tag)
    with np.errstate(invalid="ignore"):
        got = (u * v).partials
    np.testing.assert_array_equal(got, [[0.0, 2.0], [1.0, 0.0]])


def _operands(rule, rng, tag, mix, scalar):
    lo, hi = rule.domain[0][:2] if rule.domain else (-3.0, 3.0)
    out = []
    for k in range(rule.ufunc.nin):
        lo, hi = rule.domain[k][:2]
        v = rng.uniform(lo, hi, 6)
        v[1] = v[0]                                  # a tie between the arguments
        if k in mix and scalar and k == 0:
            out.append(dg.Dual(float(v[0]), rng.standard_normal(3), tag=tag))
        elif k in mix:
            out.append(dg.Dual(v, rng.standard_normal((6, 3)), tag=tag))
        else:
            out.append(v if k else float(v[0]))
    return out


@pytest.mark.parametrize("scalar", [False, True], ids=["arrays", "scalar-dual"])
def test_small_path_gives_the_general_paths_bits_for_every_smooth_rule(scalar):
    """Same values and partials, to the bit, as the general path (which the oracle
    tests check), for every smooth rule and operand mix, ties included."""
    from dualgrad.rules import _table as _rules
    from dualgrad.backend import _kernels
    from dualgrad.dual._base import new_tag
    rng = np.random.default_rng(7)
    for rule in _rules.RULES.values():
        if rule.kind != "smooth" or any(d[-1] == "int" for d in rule.domain):
            continue
        ok = [k for k, d in enumerate(rule.derivs) if d is not None]
        for mix in [(k,) for k in ok] + [tuple(ok)]:
            if scalar and (0 not in mix or rule.ufunc.nin == 1):
                continue
            args = _operands(rule, rng, new_tag(), mix, scalar)
            with np.errstate(all="ignore"):
                got = rule.ufunc(*args)
                with _kernels.use("numpy"):              # the general path only
                    want = rule.ufunc(*args)
            np.testing.assert_array_equal(got.value, want.value, err_msg=rule.name)
            np.testing.assert_array_equal(got.partials, want.partials,
                                          err_msg=f"{rule.name} {mix}")


_PAIR_RULES = [np.add, np.subtract, np.multiply, np.true_divide, np.power, np.arctan2,
               np.hypot, np.logaddexp]


@pytest.mark.parametrize("ufunc", _PAIR_RULES, ids=lambda u: u.__name__)
def test_two_operand_small_path_gives_the_general_paths_bits_with_special_values(ufunc):
    """Every mix of two operands the unrolled two-argument path takes (array dual,
    scalar dual, float64 array, Python and NumPy float), with zeros, infinities and
    NaN in values and factors: the general path's values and partials, to the bit,
    and the path ran (it did not hand the pair to the general loop)."""
    from dualgrad.dispatch import _ufuncs
    from dualgrad.dual._base import new_tag
    from dualgrad.rules._table import RULES
    rule = RULES[ufunc]
    tag = new_tag()
    v = np.array([0.0, -0.0, 1.5, -2.0, np.inf, np.nan])
    w = np.array([2.0, 0.0, -0.0, np.inf, 3.0, 1.0])
    p = np.arange(18.0).reshape(6, 3) - 4.0
    p[1] = 0.0                                        # a zero row beside inf / NaN
    makers = {
        "array dual": lambda u: dg.Dual(u, p, tag=tag),
        "scalar dual": lambda u: dg.Dual(float(u[2]), [0.0, 1.0, -2.0], tag=tag),
        "scalar dual at 0": lambda u: dg.Dual(float(u[1]), [0.0, 1.0, -2.0], tag=tag),
        "scalar dual at inf": lambda u: dg.Dual(np.inf, [0.0, 1.0, -2.0], tag=tag),
        "array": lambda u: u.copy(),
        "float": lambda u: float(u[3]),
        "float64": lambda u: np.float64(u[0]),
    }
    ran = 0
    for ka, ma in makers.items():
        for kb, mb in makers.items():
            a, b = ma(v), mb(w)
            if not any(isinstance(x, dg.Dual) for x in (a, b)) or \
                    not any(isinstance(x, np.ndarray) or getattr(x, "ndim", 0) for x in (a, b)):
                continue
            with np.errstate(all="ignore"):
                got = _ufuncs._pair(rule, a, b)
                want = _ufuncs.call(rule, (a, b))
            assert got is not _ufuncs._MISS, (ka, kb)
            ran += 1
            _bits_equal(got.value, want.value)
            _bits_equal(got.partials, want.partials)
    assert ran == 19          # 24 pairs hold an array, 5 of them no dual


# ---- the lean path (dualgrad.dispatch._ufuncs.lean): array duals alone --------------
@pytest.fixture(params=["numpy", "kernels"])
def small_engine(request, monkeypatch, exact_cells_emptied):
    """The small-array path as a process runs it before numba is loaded (NumPy's
    calls; the loader's budget raised so that nothing loads it meanwhile) and after
    (one kernel call for 1-D values: ``backend.pair_small``/``scaled_small``, the
    generated ``small_kernel`` of a rule with arithmetic derivatives, ``sum_small``,
    the operators' ``exact_kernel`` of value and partials).
    Yields the names of the kernels that ran."""
    from dualgrad.backend import _kernels, _loader, _propagate
    ran = []
    if request.param == "numpy":
        monkeypatch.setattr(_loader, "READY", False)
        monkeypatch.setattr(_loader, "LOAD_AFTER", float("inf"))
    else:
        _loader.load()
        real = _kernels._kernels()

        class Recording:
            def __getattr__(self, name):
                ran.append(name)
                return getattr(real, name)
        monkeypatch.setattr(_kernels, "_kernels", lambda: Recording())
        monkeypatch.setattr(_propagate, "_compiled", None)      # (kept after first use)
        monkeypatch.setattr(_kernels, "_compiled", None)
        real_local = _kernels.small_local

        def small_local(ufunc):          # the generated kernels of arithmetic rules
            kernel = real_local(ufunc)

            def recording(*args):
                ran.append(f"small_local {ufunc.__name__}")
                return kernel(*args)
            return None if kernel is None else recording
        monkeypatch.setattr(_kernels, "small_local", small_local)
        monkeypatch.setattr(_propagate, "_LOCAL", {})
        real_exact = _kernels.small_exact

        def small_exact(ufunc, duals):   # value and partials in one call: + - * / ...
            kernel = real_exact(ufunc, duals)

            def recording(*args):
                ran.append(f"small_exact {ufunc.__name__}")
                return kernel(*args)
            return None if kernel is None else recording
        monkeypatch.setattr(_kernels, "small_exact", small_exact)
        monkeypatch.setattr(_propagate, "_EXACT", {})
        monkeypatch.setattr(_propagate, "_EXACT_NUMBER", {})
        real_entry = _kernels.small_entry

        def small_entry(ufunc):          # a unary rule's entry point (small39)
            kernel = real_entry(ufunc)
            label = f"small_entry {'scale' if ufunc is None else ufunc.__name__}"

            def recording(*args):
                ran.append(label)
                return kernel(*args)
            return kernel and recording
        monkeypatch.setattr(_kernels, "small_entry", small_entry)
        for cell in _propagate._ENTRIES.values():   # (the lean functions hold the cells)
            cell[0] = None
        real_loops = _kernels.small_loop_entry

        def small_loop_entry():          # value, factor and partials by NumPy's loops
            kernel = real_loops()        # in one entry (np.sin, np.exp: small71)

            def recording(*args):
                ran.append("small_loop_entry")
                return kernel(*args)
            return recording
        monkeypatch.setattr(_kernels, "small_loop_entry", small_loop_entry)
        real_split = _kernels.small_split_loops_entry

        def small_split_loops_entry(ufunc):   # a split row's value or part by NumPy's
            got = real_split(ufunc)           # loops (np.tanh, sc.erf: small72)
            if got is None:
                return None

            def recording(*args):
                ran.append("small_split_loops_entry")
                return got[0](*args)
            return recording, got[1]
        monkeypatch.setattr(_kernels, "small_split_loops_entry", small_split_loops_entry)
        real_value = _kernels.small_value_loops_entry

        def small_value_loops_entry(ufunc):   # a fusable row's value by NumPy's loop,
            kernel = real_value(ufunc)        # then its own loop (np.log: small74)
            if kernel is None:
                return None

            def recording(*args):
                ran.append("small_value_loops_entry")
                return kernel(*args)
            return recording
        monkeypatch.setattr(_kernels, "small_value_loops_entry", small_value_loops_entry)
        for maker in ("small_loop_power_pair_entry", "small_loop_power_number_entry",
                      "small_loop_power_exponent_entry", "small_loop_power_base_entry"):
            def recorded(real_maker=getattr(_kernels, maker), label=maker):
                kernel = real_maker()    # (u ** v, u ** c by NumPy's loops: small71)

                def recording(*args):
                    ran.append(label)
                    return kernel(*args)
                return recording
            monkeypatch.setattr(_kernels, maker, recorded)
        for cell in (_propagate.POWER_LOOPS, _propagate.NUMBER_LOOPS,
                     _propagate.EXPONENT_LOOPS, _propagate.BASE_LOOPS):
            request.addfinalizer(lambda c=cell, held=cell[0]: c.__setitem__(0, held))
            cell[0] = None
        request.addfinalizer(lambda held=_propagate._LOOP_ENTRY[0]:
                             _propagate._LOOP_ENTRY.__setitem__(0, held))
        _propagate._LOOP_ENTRY[0] = None
        for cell in _propagate._LOOP_CELLS.values():
            cell[0] = None
        # the number power's entry (u ** 2.0 takes np.power since 815e9b67): emptied, so
        # that a test before this one (test_small69's u ** c) leaves it to be made again
        # through the recording _kernels() (small70: "none ran" after test_small69)
        from dualgrad.dispatch import _lean_small
        request.addfinalizer(lambda held=_lean_small._POWER_NUMBER[0]:
                             _lean_small._POWER_NUMBER.__setitem__(0, held))
        _lean_small._POWER_NUMBER[0] = None
    yield ran
    from dualgrad.backend import _propagate
    for cell in _propagate._ENTRIES.values():       # made again, unrecorded, when next used
        cell[0] = None
    for cell in _propagate._LOOP_CELLS.values():
        cell[0] = None
    for cell in (_propagate.POWER_LOOPS, _propagate.NUMBER_LOOPS, _propagate.EXPONENT_LOOPS,
                 _propagate.BASE_LOOPS):
        cell[0] = None                              # (made again, unrecorded)


def _bits_equal(got, want):
    """Equal to the bit where it matters: the same numbers, NaN where NaN, and the
    same sign of every zero."""
    np.testing.assert_array_equal(got, want)
    for part in (np.real, np.imag):                 # (wofz: complex of a real argument)
        assert (np.signbit(part(got)) == np.signbit(part(want))).all(), (got, want)


def _same_bits_as_general_path(op, a, b):
    """``op(a, b)`` on the lean path has the bits the general path gives."""
    from dualgrad.backend import _kernels
    with np.errstate(all="ignore"):
        got = op(a, b)
        with _kernels.use("numpy"):                  # the general path only
            want = op(a, b)
    _bits_equal(got.value, want.value)
    _bits_equal(got.partials, want.partials)


_LEAN_OPS = [
    ("a + b", lambda a, b: a + b), ("a - b", lambda a, b: a - b),
    ("a * b", lambda a, b: a * b), ("a / b", lambda a, b: a / b),
    ("a ** 2", lambda a, b: a ** 2), ("a ** 2.0", lambda a, b: a ** 2.0),
    ("-a", lambda a, b: -a), ("np.sin(a)", lambda a, b: np.sin(a)),
    ("np.exp(a)", lambda a, b: np.exp(a)), ("np.sqrt(a)", lambda a, b: np.sqrt(a)),
    ("np.multiply(a, b)", lambda a, b: np.multiply(a, b)),
    ("np.arctan2(a, b)", lambda a, b: np.arctan2(a, b)),
    ("np.power(a, b)", lambda a, b: np.power(a, b)),
    ("np.hypot(a, b)", lambda a, b: np.hypot(a, b)),
]


@pytest.mark.parametrize("shape", [(2, 3), (6,)])
def test_lean_path_runs_alone_for_operators_and_ufuncs_on_array_duals(monkeypatch, shape,
                                                                      small_engine):
    """Neither small() nor the general path runs; the results are the closed forms."""
    from dualgrad.dispatch import _ufuncs
    from dualgrad.dual import _array
    from dualgrad.dual._base import new_tag
    tag = new_tag()
    x = np.array([[0.5, 1.5, 2.0], [0.25, 3.0, 1.25]])
    y = np.array([[1.5, -0.5, 2.0], [4.0, 0.75, -2.0]])
    p = np.arange(12.0).reshape(2, 3, 2) / 7.0 - 0.5
    q = np.cos(np.arange(12.0)).reshape(2, 3, 2)
    x, y, p, q = x.reshape(shape), y.reshape(shape), p.reshape(shape + (2,)), \
        q.reshape(shape + (2,))
    a, b = dg.Dual(x, p, tag=tag), dg.Dual(y, q, tag=tag)

    def refuse(*args, **kwargs):
        raise AssertionError("a slower path ran")
    for module in (_ufuncs, _array):
        monkeypatch.setattr(module, "small", refuse)
        monkeypatch.setattr(module, "call", refuse)
    cases = [
        (a + b, x + y, p + q), (a - b, x - y, p - q),
        (a * b, x * y, y[..., None] * p + x[..., None] * q),
        (a / b, x / y, p / y[..., None] - (x / y ** 2)[..., None] * q),
        (a ** 2, x ** 2, (2.0 * x)[..., None] * p), (-a, -x, -p),
        (np.sin(a), np.sin(x), np.cos(x)[..., None] * p),
        (np.exp(b), np.exp(y), np.exp(y)[..., None] * q),
        (np.hypot(a, b), np.hypot(x, y),
         (x[..., None] * p + y[..., None] * q) / np.hypot(x, y)[..., None]),
    ]
    for got, value, partials in cases:
        np.testing.assert_allclose(got.value, value, rtol=1e-15)
        np.testing.assert_allclose(got.partials, partials, rtol=1e-14, atol=1e-15)
    if small_engine is not None and ("scale_finite" in small_engine or
                                     "small_entry scale" in small_engine or
                                     "small_loop_entry" in small_engine):
        names = ("add", "subtract", "multiply", "divide", "square", "negative") \
            if len(shape) == 1 else ("multiply", "divide", "square")   # 2-D: EXACT_FLAT's
        assert [f"small_exact {name}" for name in names] == \
            [k for k in small_engine if k.startswith("small_exact")]
    else:
        from dualgrad.backend import _loader
        assert not _loader.READY, "kernels loaded, yet none ran"


@pytest.mark.parametrize("name,op", _LEAN_OPS, ids=[n for n, _ in _LEAN_OPS])
def test_lean_path_gives_the_general_paths_bits_with_special_values(name, op, small_engine):
    """Zeros of both signs, ties, infinities and NaN in the values, zero partials
    beside them: the general path's values and partials to the bit (an inf or NaN
    factor hands the operation to that path, which keeps a zero partial 0)."""
    from dualgrad.dual._base import new_tag
    tag = new_tag()
    x = np.array([0.0, -0.0, 1.5, np.inf, -np.inf, np.nan, 2.0, -3.0, 1e300, 0.5])
    y = np.array([-0.0, 2.0, 1.5, 1.0, 0.0, 1.0, np.inf, -3.0, 1e300, 0.0])
    p = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, -0.5], [0.0, 0.0], [0.0, 2.0],
                  [0.0, 1.0], [1.0, 1.0], [-0.0, 0.0], [1.0, 0.0], [0.0, -1.0]])
    q = p[::-1].copy()
    _same_bits_as_general_path(op, dg.Dual(x, p, tag=tag), dg.Dual(y, q, tag=tag))


def _lean_rules():
    from dualgrad.rules._table import RULES
    return sorted((r for r in RULES.values() if r.kind == "smooth" and
                   0 < r.ufunc.nin <= 2 and len(r.derivs) == r.ufunc.nin and
                   None not in r.exprs), key=lambda r: r.name)


@pytest.mark.parametrize("rule", _lean_rules(), ids=lambda r: r.name)
@pytest.mark.engine_independent
def test_every_generated_lean_path_gives_the_general_paths_bits(rule, small_engine):
    """Each rule's generated lean function (the table's expressions inlined on the
    value arrays) against ``dispatch._ufuncs.call`` forced onto its general NumPy
    path: values and partials to the bit on zeros of both signs, ties, infinities,
    NaN, huge and tiny numbers, in and out of each domain, with zero partials beside
    them (the lean function must compute, not decline, on these plain operands)."""
    from dualgrad.backend import _kernels
    from dualgrad.dispatch import _ufuncs
    from dualgrad.dual._base import new_tag
    op = _ufuncs.lean(rule)
    assert op is not None
    tag = new_tag()
    x = np.array([0.0, -0.0, 1.5, np.inf, -np.inf, np.nan, 2.0, -3.0, 1e300, 0.5,
                  0.25, -0.75, 1.0, -1.0, 5e-324, 3.0, 40.0, -2.5])
    y = np.array([-0.0, 2.0, 1.5, 1.0, 0.0, 1.0, np.inf, -3.0, 1e300, 0.0,
                  0.25, 2.0, -1.0, 1.0, 3.0, 5e-324, -0.5, -2.5])
    if any("gammainc_da" in (d or "") for d in rule.derivs):
        # gammainc's d/da at a = x = 1e300 cannot converge and is refused by name (it
        # was NaN until nan55: tests/test_nan55.py); x = a / 2 there (P underflows: 0).
        # The 200000 steps it ran first, four calls a rule, were README's longest tests
        y[8] = 5e299
    p = np.cos(np.arange(x.size * 2.0)).reshape(-1, 2)
    p[::3] = 0.0
    p[4, 1] = -0.0
    q = p[::-1].copy()
    for shape in ((x.size,), (3, x.size // 3)):
        a = dg.Dual(x.reshape(shape), p.reshape(shape + (2,)), tag=tag)
        b = dg.Dual(y.reshape(shape), q.reshape(shape + (2,)), tag=tag)
        args = (a,) if rule.ufunc.nin == 1 else (a, b)
        with np.errstate(all="ignore"):
            got = op(*args)
            with _kernels.use("numpy"):                  # the general path only
                want = _ufuncs.call(rule, args)
        assert got is not None and got.tag == tag
        _bits_equal(got.value, want.value)
        _bits_equal(got.partials, want.partials)


def _unary_lean_rules():
    """Every unary rule the lean path covers, scipy.special's rows loaded too."""
    import scipy.special as sc
    from dualgrad.rules._table import RULES, rule_for
    rule_for(sc.erf)                              # (scipy's rows are made on first use)
    return sorted((r for r in RULES.values() if r.ufunc.nin == 1 and r.kind in ("smooth", "zero")
                   and len(r.derivs) == 1), key=lambda r: r.name)


# N = 10 values with zeros of both signs, infinities, NaN, huge, tiny and plain ones
_TEN = np.array([0.0, -0.0, 0.5, np.inf, -np.inf, np.nan, 1e300, -3.0, 5e-324, 2.0])


@pytest.mark.parametrize("rule", _unary_lean_rules(), ids=lambda r: r.name)
def test_every_unary_rule_at_ten_elements_gives_the_general_paths_bits(rule, small_engine):
    """Each unary rule of the table called as NumPy's ufunc on an array dual of ten
    elements (``__array_ufunc__`` -> the generated lean function, which must take it)
    against ``dispatch._ufuncs.call`` forced onto its general NumPy path: values and
    partials to the bit, a zero partial beside an inf or NaN local derivative kept 0
    (the general path's convention), with and without numba's kernels, under either
    engine.  Under ``use("numpy")`` the lean function declines (it would otherwise be
    the path that the forced engine is meant to bypass)."""
    from dualgrad.backend import _kernels
    from dualgrad.dispatch import _ufuncs
    from dualgrad.dual._array import _LEAN
    from dualgrad.dual._base import new_tag
    tag = new_tag()
    p = np.cos(np.arange(40.0)).reshape(10, 4)
    p[::3] = 0.0
    p[5, 2] = -0.0
    for x in (_TEN, np.linspace(0.1, 0.9, 10), -np.linspace(0.1, 0.9, 10)):
        a = dg.Dual(x, p, tag=tag)
        with np.errstate(all="ignore"):
            assert _LEAN[rule.ufunc](a) is not None, "the lean path declined"
            got = rule.ufunc(a)
            with _kernels.use("numpy"):
                assert _LEAN[rule.ufunc](a) is None
                want = _ufuncs.call(rule, (a,))
        assert type(got) is type(want) and got.tag == tag
        _bits_equal(got.value, want.value)
        _bits_equal(got.partials, want.partials)


@pytest.mark.parametrize("rule", _unary_lean_rules(), ids=lambda r: r.name)
def test_unary_rules_at_ten_elements_report_what_the_float_call_reports(rule, small_engine):
    """NumPy's error state sees the value's computation only: under
    ``np.errstate(all="raise")`` a dual call raises exactly where the float call does
    (a local derivative that overflows or underflows, tanh's at 400, raises nothing),
    and under ``"warn"`` it gives the float call's warnings, no more."""
    from dualgrad.dual._base import new_tag
    tag = new_tag()
    p = np.ones((10, 4))
    for x in (_TEN, np.linspace(0.1, 0.9, 10), np.full(10, 400.0), np.full(10, 1e-310),
              np.full(10, -800.0)):
        a = dg.Dual(x, p, tag=tag)
        with np.errstate(all="raise"):
            try:
                rule.ufunc(x)
            except FloatingPointError as e:
                with pytest.raises(FloatingPointError, match=str(e)):
                    rule.ufunc(a)
            else:
                rule.ufunc(a)
        with np.errstate(all="warn"):
            with warnings.catch_warnings(record=True) as floats:
                warnings.simplefilter("always")
                rule.ufunc(x)
            with warnings.catch_warnings(record=True) as duals:
                warnings.simplefilter("always")
                rule.ufunc(a)
        assert [str(w.message) for w in duals] == [str(w.message) for w in floats]


@pytest.mark.parametrize("name,op", _LEAN_OPS, ids=[n for n, _ in _LEAN_OPS])
@pytest.mark.engine_independent
def test_lean_kernels_give_numpys_bits_across_the_float_range(name, op, small_engine):
    """With numba loaded, the lean path's products are one kernel call
    (``scale_finite``, ``scale2_finite``): each product rounded, then the sum, as
    NumPy's broadcast products and addition round them (no fused multiply-add, no
    flush of subnormals).  Values and partials from 1e-320 to 1e300 with zeros of
    both signs, so that products overflow, underflow to subnormals and to zero: the
    general NumPy path's bits, whichever engine; with kernels, they ran."""
    from dualgrad.dual._base import new_tag
    rng = np.random.default_rng(11)
    for trial in range(40):
        N, n = int(rng.integers(1, 30)), int(rng.integers(1, 9))
        exp = rng.integers(-320, 300, size=4).astype(float)
        x = rng.uniform(0.5, 2.0, N) * rng.choice([-1.0, 1.0], N) * 10.0 ** (exp[0] / 4)
        y = rng.uniform(0.5, 2.0, N) * rng.choice([-1.0, 1.0], N) * 10.0 ** (exp[1] / 4)
        p = rng.standard_normal((N, n)) * 10.0 ** exp[2]
        q = rng.standard_normal((N, n)) * 10.0 ** exp[3]
        p[rng.random((N, n)) < 0.2] = 0.0
        q[rng.random((N, n)) < 0.2] = -0.0
        tag = new_tag()
        _same_bits_as_general_path(op, dg.Dual(x, p, tag=tag), dg.Dual(y, q, tag=tag))
    if small_engine is not None and name not in ("a + b", "a - b", "-a"):
        from dualgrad.backend import _loader
        assert small_engine or not _loader.READY, "kernels loaded, yet none ran"


def test_lean_path_leaves_other_operands_to_the_paths_that_take_them():
    """Another tag (a constant here), broadcasting shapes, 0-d array duals and plain
    operands are not the lean path's: the results are still the closed forms, and an
    escaped dual still raises."""
    from dualgrad.dual._base import new_tag
    outer, inner = new_tag(), new_tag()
    x, y = np.array([0.5, 1.5, 2.0]), np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    c = dg.Dual(x, np.ones((3, 1)), tag=outer)
    a = dg.Dual(x, np.eye(3), tag=inner)
    b = dg.Dual(y, np.ones((2, 3, 3)), tag=inner)
    got = c * a                                   # c: a constant of the inner tag
    assert got.tag == inner
    np.testing.assert_allclose(got.value.value, x * x, rtol=1e-15)
    np.testing.assert_allclose(got.partials.value, np.diag(x), rtol=1e-15)
    got = a * b                                   # (3,) * (2, 3): broadcast
    np.testing.assert_allclose(got.value, x * y, rtol=1e-15)
    np.testing.assert_allclose(got.partials, y[..., None] * np.eye(3) + x[:, None],
                               rtol=1e-15)
    for other in ([1.0, 2.0, 3.0], (1.0, 2.0, 3.0), np.array([1, 2, 3]),
                  np.array([True, False, True])):
        got = a * other
        np.testing.assert_allclose(got.value, x * np.asarray(other), rtol=1e-15)
        np.testing.assert_allclose(got.partials, np.diag(np.asarray(other, float)),
                                   rtol=1e-15)
    z = np.array([1.0 + 2.0j, 0.5, -1.0j])
    got = a * z
    np.testing.assert_allclose(got.value, x * z, rtol=1e-15)
    np.testing.assert_allclose(got.partials, np.diag(z), rtol=1e-15)
    kept = []
    dg.gradient(lambda v: kept.append(v) or np.sum(v), x)
    with pytest.raises(TypeError, match="escaped"):
        kept[0] * kept[0]
    with pytest.raises(TypeError, match="escaped"):
        np.sin(kept[0])


def test_residual_list_of_scalar_duals_and_numbers_becomes_one_array_dual():
    def f(x):
        return np.array([x[0] * x[1], 2.0, np.sin(x[1]), 3])
    x = np.array([0.3, 1.7])
    want = np.array([[x[1], x[0]], [0.0, 0.0], [0.0, np.cos(x[1])], [0.0, 0.0]])
    np.testing.assert_allclose(dg.jacobian(f, x), want, rtol=1e-15)


@pytest.mark.parametrize("ufunc, base", [(np.logaddexp, np.e), (np.logaddexp2, 2.0)])
@pytest.mark.parametrize("big", [1e15, 1e300, -1e300])
def test_logaddexp_derivatives_far_from_zero(ufunc, base, big):
    # d/dx = 1 / (1 + base^(y - x)): 0.5 each at x == y, however large
    g = dg.gradient(lambda v: ufunc(v[0], v[1]), np.array([big, big]))
    np.testing.assert_array_equal(g, [0.5, 0.5])
    d = abs(big) * 1e-15                # y - x: 1 at 1e15, 1e285 at 1e300
    g = dg.gradient(lambda v: ufunc(v[0], v[1]), np.array([big, big + d]))
    want = 1.0 / (1.0 + base) if d == 1.0 else 0.0
    np.testing.assert_allclose(g, [want, 1.0 - want], rtol=1e-14)


@pytest.mark.parametrize("scale", [1e-150, 1e-100, 1.0, 1e100, 1e150])
def test_arctan2_gradient_at_extreme_scales(scale):
    a, b = 0.3, -0.4                    # d atan2(y, x) = (x dy - y dx) / (x^2 + y^2)
    g = dg.gradient(lambda v: np.arctan2(v[0], v[1]), np.array([a, b]) * scale)
    np.testing.assert_allclose(g * scale, [b / 0.25, -a / 0.25], rtol=1e-14)


@pytest.mark.parametrize("engine", ["auto", "fused", "eager"])
@pytest.mark.parametrize("n", [1, 3, 20000])
@pytest.mark.parametrize("spell, want", [
    ("np.divide(u, 0.0)", np.inf), ("np.divide(u, 0)", np.inf), ("u / False", np.inf),
    ("np.true_divide(u, -0.0)", -np.inf), ("u / np.float64(0.0)", np.inf),
    ("True / (u - 0.7)", -np.inf)])                    # d/du 1 / (u - 0.7) = -1 / 0**2
@pytest.mark.engine_independent
def test_dividing_by_a_zero_number_gives_numpys_inf(engine, n, spell, want):
    """1 / y at y = 0 is inf as NumPy's division gives it, never Python's
    ZeroDivisionError: the fused engine evaluated its per-element template ``1.0 / {1}``
    on a Python float, and a bool divisor stayed a Python bool (an outside attack)."""
    f = eval(f"lambda u: {spell}")                        # noqa: S307 - the spellings above
    with dg.engine(engine), np.errstate(all="ignore"):
        got = dg.elementwise_grad(f)(np.full(n, 0.7))
    np.testing.assert_array_equal(got, np.full(n, want))


@pytest.mark.parametrize("signature", ["ff->f", ("f4", "f4", "f4"), (None, None, np.float32)])
def test_a_signature_of_another_dtype_raises_as_dtype_does(signature):
    # NumPy computes np.add(x, x, signature="ff->f") in float32: a dual's value in
    # float64 beside it was a silent difference (outside attack 16); dtype=np.float32
    # already raised
    a = dg.Dual(np.array([0.1, 0.2]), np.ones((2, 1)))
    with pytest.raises(TypeError, match="signature"):
        np.add(a, a, signature=signature)


def test_a_float64_signature_is_honoured_as_a_no_op():
    x = np.array([0.1, 0.2])
    a = dg.Dual(x, np.ones((2, 1)))
    r = np.add(a, a, signature="dd->d")
    np.testing.assert_array_equal(r.value, np.add(x, x, signature="dd->d"))
    np.testing.assert_array_equal(r.partials, 2.0 * np.ones((2, 1)))


@pytest.mark.parametrize("rule", [r for r in _lean_rules() if r.ufunc in (np.power, np.float_power)],
                         ids=lambda r: r.name)
def test_lean_path_computes_a_value_condition_branch_only_where_taken(rule, monkeypatch):
    """np.power's branch at x = 0 (twenty NumPy calls) runs on the lean path only when
    some element is 0, as on the general path (``lazy_where``): with no zero the
    branch's ``np.float_power`` of ``x + 0.0`` is never called; with one it is, and
    the derivative there is the limit (d/dx x ** 2 at 0 is 0, d/dy 0 ** 2 is 0)."""
    from dualgrad.dispatch import _ufuncs
    from dualgrad.dual._base import new_tag
    from dualgrad.rules import _table
    calls = []
    real = _table.lazy_where

    def counting(cond, a, b):
        calls.append(bool(np.any(cond)))
        return real(cond, a, b)
    op = _ufuncs.lean(rule)
    monkeypatch.setitem(op.__globals__, "lazy_where", counting)
    tag = new_tag()
    P, Q = np.eye(3)[:, :2].copy(), np.eye(3)[:, 1:].copy()
    for x, any_zero in ((np.array([0.5, 2.0, 3.0]), False), (np.array([0.0, 2.0, 3.0]), True)):
        a, b = dg.Dual(x, P, tag=tag), dg.Dual(np.full(3, 2.0), Q, tag=tag)
        calls.clear()
        out = op(a, b)
        assert calls and calls[0] is any_zero        # the outer condition: value(x) == 0
        if not any_zero:     # d/dx and d/dy's tests, then their regular branches' (y == 0
            assert calls == [False] * 5     # at a subnormal x, |y| > 2**53 (power71), out
            #                                 underflowed: attack61)
        dx = 2.0 * x                                 # d/dx x ** 2
        dy = x ** 2 * np.log(np.where(x > 0, x, 1.0))  # d/dy x ** y at y = 2 (0 at x = 0)
        np.testing.assert_allclose(out.partials, dx[:, None] * P + dy[:, None] * Q,
                                   rtol=1e-15, atol=0)
