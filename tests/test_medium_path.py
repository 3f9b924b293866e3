"""The lean path at medium sizes (issue 13, stop 30, mid12): ufuncs and operators on
array duals of N = 300 to 5000 elements and n = 1 to 16 directions, 1-D values and
the work from ``backend.small``'s size up to ``backend.LEAN_WORK`` (``LEAN_FLAT`` for
n = 1; any size for n = 2 and 4, ``LEAN_ROWS``, stop 32: N = 20000 here; where the
fused engine does not defer it), take the lean path of small arrays
(``dispatch._ufuncs.lean`` and ``_pair``/``small``) instead of the general ``call``.

The oracle is the general path forced by the backend's switch
(``_kernels.use("numpy")``: ``backend.lean_work`` admits nothing there, and ``call``
propagates by NumPy's calls), which the derivative tests check against independent
oracles; here its values and partials must come back to the bit, zeros' signs and
NaN included.  Where a local derivative is not finite the lean path hands the
operation to ``call`` in the engine it chooses (NumPy's ``scaled`` and the kernels
disagree on the sign of a zero partial in a finite row of such an array, a
difference of the general path's own, bench/MISSES.md stop 30 mid12), so the oracle
is also ``call`` as it runs at that size (the operators: with ``lean_work`` admitting
nothing); for every smooth and zero rule, with inf/NaN in values and partials,
non-contiguous, broadcast and read-only operands.  NumPy's reports on the value
(``np.errstate``) and the ValueError of mismatched directions are the general path's.
A few closed forms (``d(a b) = b da + a db``, ``d(floor a) = 0``) check the path that
ran independently of the general path.
"""

import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dual._base import new_tag

SIZES = [(300, 1), (300, 4), (300, 16), (1000, 1), (1000, 4), (1000, 16), (5000, 1),
         (5000, 4), (20000, 4), (20000, 2)]      # the last two past LEAN_WORK: LEAN_ROWS


@pytest.fixture(params=["numpy", "kernels"])
def loaded(request, monkeypatch):
    """The lean path before numba is loaded (NumPy's calls; nothing loads it meanwhile)
    and after (the kernels)."""
    from dualgrad.backend import _loader
    if request.param == "numpy":
        monkeypatch.setattr(_loader, "READY", False)
        monkeypatch.setattr(_loader, "LOAD_AFTER", float("inf"))
    else:
        _loader.load()
    return request.param


def _rules():
    """NumPy's smooth and zero rules of one or two float arguments (scipy.special's
    rows join the table when SciPy is imported: not at every collection)."""
    from dualgrad.rules._table import RULES
    return sorted((r for r in RULES.values() if r.kind in ("smooth", "zero") and
                   getattr(np, r.ufunc.__name__, None) is r.ufunc and
                   0 < r.ufunc.nin <= 2 and len(r.derivs) == r.ufunc.nin and
                   not any(d[-1] == "int" for d in r.domain)), key=lambda r: r.name)


def _bits(got, want, what=""):
    np.testing.assert_array_equal(got, want, err_msg=what)
    assert (np.signbit(got) == np.signbit(want)).all(), what


def _general(rule, args, numpy=False):
    """``dispatch._ufuncs.call``, the general path: NumPy's calls forced, or
    (``numpy=False``) the engine it chooses itself at this size."""
    from dualgrad.backend import _kernels
    from dualgrad.dispatch import _ufuncs
    with _kernels.use("numpy" if numpy else "auto"):
        return _ufuncs.call(rule, args)


def _inside(rule, N, rng):
    """Values inside ``rule``'s domain for each argument (the lean path computes)."""
    out = []
    for k in range(rule.ufunc.nin):
        lo, hi = rule.domain[k][:2] if rule.domain else (0.2, 0.9)
        v = rng.uniform(lo, hi, N)
        v[1] = v[0]                                       # ties between arguments
        out.append(v)
    return out


SPECIAL = np.array([0.0, -0.0, 1.5, np.inf, -np.inf, np.nan, 2.0, -3.0, 1e300, 0.5,
                    0.25, -0.75, 1.0, -1.0, 5e-324, 3.0, 40.0, -2.5])


def _partials(N, n, rng, special=False):
    p = rng.standard_normal((N, n))
    p[::3] = 0.0
    p[1::7] = -0.0
    if special:
        p[2::11, 0] = np.inf
        p[5::13, -1] = np.nan
    return p


@pytest.mark.parametrize("rule", [r for r in _rules() if None not in r.derivs],
                         ids=lambda r: r.name)
@pytest.mark.engine_independent
def test_every_rule_gives_the_general_bits_at_medium_sizes(rule, loaded):
    """Array duals alone (the generated lean function, reached through the ufunc),
    inside the domain and on special values (zeros of both signs, inf, NaN, huge and
    tiny numbers; inf and NaN partials): the general path's values and partials."""
    rng = np.random.default_rng(30)
    for N, n in SIZES:
        for special in (False, True):
            tag = new_tag()
            values = [np.resize(np.roll(SPECIAL, 5 * k), N) for k in range(rule.ufunc.nin)] \
                if special else _inside(rule, N, rng)
            args = tuple(dg.Dual(v, _partials(N, n, rng, special), tag=tag) for v in values)
            with np.errstate(all="ignore"):
                got = rule.ufunc(*args)
                wants = [_general(rule, args)] + ([] if special else
                                                  [_general(rule, args, numpy=True)])
            what = f"{rule.name} N={N} n={n} special={special}"
            for want in wants:
                _bits(got.value, want.value, what)
                _bits(got.partials, want.partials, what)


ND_LAYOUTS = {                  # values and partials of more than one axis (stop 33)
    "2-D": lambda v, p: (v.reshape(20, -1), p.reshape(20, -1, p.shape[-1])),
    "3-D": lambda v, p: (v.reshape(4, 5, -1), p.reshape(4, 5, -1, p.shape[-1])),
    "transposed": lambda v, p: (v.reshape(20, -1).T, p.reshape(20, -1, p.shape[-1])
                                .transpose(1, 0, 2)),
    "rows strided": lambda v, p: (v.reshape(40, -1)[::2], p.reshape(40, -1, p.shape[-1])[::2]),
}


@pytest.mark.parametrize("rule", [r for r in _rules() if None not in r.derivs],
                         ids=lambda r: r.name)
@pytest.mark.engine_independent
def test_every_rule_gives_the_general_bits_on_values_of_more_axes(rule, loaded):
    """As above on values of 2 and 3 axes, C-contiguous, transposed and with strided
    rows (the lean kernels read them as one flat axis, a copy where no view does):
    the general path's values and partials, from the small size to past it."""
    rng = np.random.default_rng(35)
    for N, n in [(40, 2), (400, 4), (2000, 2), (2000, 3), (2000, 4)]:
        for layout, shaped in ND_LAYOUTS.items():
            for special in (False, True):
                tag = new_tag()
                M = 2 * N if layout == "rows strided" else N
                values = [np.resize(np.roll(SPECIAL, 5 * k), M)
                          for k in range(rule.ufunc.nin)] if special else \
                    [np.resize(v, M) for v in _inside(rule, N, rng)]
                args = tuple(dg.Dual(*shaped(v, _partials(M, n, rng, special)), tag=tag)
                             for v in values)
                with np.errstate(all="ignore"):
                    got = rule.ufunc(*args)
                    wants = [_general(rule, args)] + ([] if special else
                                                      [_general(rule, args, numpy=True)])
                what = f"{rule.name} {layout} N={N} n={n} special={special}"
                for want in wants:
                    assert got.value.shape == args[0].value.shape, what
                    _bits(got.value, want.value, what)
                    _bits(got.partials, want.partials, what)


def _mixes(rule, N, n, rng, tag):
    """Each argument mix of the two-argument path: an array dual with a float64 array,
    a broadcast (1,) array, a Python float, a NumPy float and a scalar dual."""
    x, y = _inside(rule, N, rng)
    a = dg.Dual(x, _partials(N, n, rng), tag=tag)
    others = {"array": y, "array (1,)": y[:1].copy(), "float": float(y[3]),
              "float64": np.float64(y[4]),
              "scalar dual": dg.Dual(float(y[5]), rng.standard_normal(n), tag=tag)}
    for name, other in others.items():
        for k in range(2):
            if rule.derivs[k] is None:            # not differentiable there: a constant
                if isinstance(other, dg.Dual):
                    continue
                yield f"{name} at {k}", ((other, a) if k == 0 else (a, other))
                continue
            yield f"dual at {k} with {name}", ((a, other) if k == 0 else (other, a))


@pytest.mark.parametrize("rule", [r for r in _rules() if r.ufunc.nin == 2],
                         ids=lambda r: r.name)
@pytest.mark.engine_independent
def test_mixed_operands_give_the_general_bits(rule, loaded):
    rng = np.random.default_rng(31)
    for N, n in [(300, 4), (1000, 1), (1000, 4), (5000, 4)]:
        for what, args in _mixes(rule, N, n, rng, new_tag()):
            if not isinstance(args[0], dg.Dual) and not isinstance(args[1], dg.Dual):
                continue
            if rule.derivs[0] is None and isinstance(args[0], dg.Dual):
                continue
            with np.errstate(all="ignore"):
                got = rule.ufunc(*args)
                want = _general(rule, args)
            what = f"{rule.name} {what} N={N} n={n}"
            _bits(got.value, want.value, what)
            _bits(got.partials, want.partials, what)


OPERATORS = {
    "a + b": lambda a, b: a + b, "a - b": lambda a, b: a - b, "a * b": lambda a, b: a * b,
    "a / b": lambda a, b: a / b, "a ** 2": lambda a, b: a ** 2, "-a": lambda a, b: -a,
    "a * 2.5": lambda a, b: a * 2.5, "3 - a": lambda a, b: 3 - a,
    "1.0 / a": lambda a, b: 1.0 / a, "a * y": lambda a, b: a * b.value,
    "abs(a)": lambda a, b: abs(a), "a // b": lambda a, b: a // b,
}


def _general_op(op, a, b):
    """``op(a, b)`` with ``backend.lean_work`` admitting nothing: the general path, in
    the engine it chooses at this size."""
    from dualgrad.backend import _propagate
    assert a.value.size * a.partials.shape[-1] >= 1000        # past backend.small's size
    saved = _propagate.LEAN_WORK, _propagate.LEAN_FLAT, _propagate.LEAN_ROWS
    _propagate.LEAN_WORK = _propagate.LEAN_FLAT = 0
    _propagate.LEAN_ROWS = ()
    try:
        return op(a, b)
    finally:
        _propagate.LEAN_WORK, _propagate.LEAN_FLAT, _propagate.LEAN_ROWS = saved


@pytest.mark.parametrize("name", OPERATORS)
@pytest.mark.parametrize("layout", ["contiguous", "strided", "read-only", "2-D", "reversed"])
@pytest.mark.engine_independent
def test_operators_give_the_general_bits_on_every_layout(name, layout, loaded):
    op = OPERATORS[name]
    rng = np.random.default_rng(32)
    for N, n in [(300, 4), (1000, 1), (1000, 4), (1000, 16), (5000, 4)]:
        tag = new_tag()
        x, y = rng.uniform(0.5, 2.0, 2 * N), rng.uniform(-2.0, -0.5, 2 * N)
        p, q = _partials(2 * N, n, rng), _partials(2 * N, n, rng)
        if layout == "strided":
            x, y, p, q = x[::2], y[::2], p[::2], q[::2]
        elif layout == "reversed":
            x, y, p, q = x[::-1], y[::-1], p[::-1], q[::-1]
        elif layout == "2-D":
            x, y, p, q = x.reshape(20, -1), y.reshape(20, -1), p.reshape(20, -1, n), \
                q.reshape(20, -1, n)
        if layout == "read-only":
            for v in (x, y, p, q):
                v.setflags(write=False)
        a, b = dg.Dual(x, p, tag=tag), dg.Dual(y, q, tag=tag)
        with np.errstate(all="ignore"):
            got = op(a, b)
            want = _general_op(op, a, b)
        what = f"{name} {layout} N={N} n={n}"
        _bits(got.value, want.value, what)
        _bits(got.partials, want.partials, what)


def test_closed_forms_at_medium_sizes(loaded):
    """Independent of the general path: the product rule, the quotient rule and the
    zero partials of np.floor (NaN partials too)."""
    rng = np.random.default_rng(33)
    N, n = 1000, 4
    tag = new_tag()
    x, y = rng.uniform(0.5, 2.0, N), rng.uniform(0.5, 2.0, N)
    p, q = rng.standard_normal((N, n)), rng.standard_normal((N, n))
    a, b = dg.Dual(x, p, tag=tag), dg.Dual(y, q, tag=tag)
    np.testing.assert_allclose((a * b).partials, y[:, None] * p + x[:, None] * q,
                               rtol=1e-15, atol=1e-300)
    np.testing.assert_allclose((a / b).partials,
                               (p * y[:, None] - x[:, None] * q) / (y * y)[:, None],
                               rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(np.sin(a).partials, np.cos(x)[:, None] * p, rtol=1e-15)
    p[::5] = np.nan
    f = np.floor(dg.Dual(x * 7.0, p, tag=tag))
    np.testing.assert_array_equal(f.value, np.floor(x * 7.0))
    _bits(f.partials, np.zeros((N, n)))


def test_the_lean_path_runs_alone_at_medium_sizes(monkeypatch):
    """N = 1000, n = 4 (4,000 partials elements, over ``backend.small``'s 1,000):
    operators and ufuncs on array duals never reach ``small`` or ``call``."""
    from dualgrad.backend import _loader
    from dualgrad.dispatch import _ufuncs
    from dualgrad.dual import _array
    _loader.load()
    rng = np.random.default_rng(34)
    tag = new_tag()
    x, y = rng.uniform(0.5, 2.0, 1000), rng.uniform(0.5, 2.0, 1000)
    a = dg.Dual(x, rng.standard_normal((1000, 4)), tag=tag)
    b = dg.Dual(y, rng.standard_normal((1000, 4)), tag=tag)

    def refuse(*args, **kwargs):
        raise AssertionError("a slower path ran")
    for module in (_ufuncs, _array):
        monkeypatch.setattr(module, "small", refuse)
        monkeypatch.setattr(module, "call", refuse)
    for got, value in [(a + b, x + y), (a - b, x - y), (a * b, x * y), (a / b, x / y),
                       (-a, -x), (a ** 2, x * x), (np.multiply(a, b), x * y),
                       (np.sqrt(a), np.sqrt(x)), (np.exp(a), np.exp(x)),
                       (np.sin(a), np.sin(x)), (np.absolute(a), x),
                       (np.maximum(a, b), np.maximum(x, y)), (np.floor(a), np.floor(x)),
                       (np.reciprocal(a), 1.0 / x)]:
        np.testing.assert_array_equal(got.value, value)
        assert got.partials.shape == (1000, 4)


@pytest.mark.engine_independent
def test_large_lean_results_own_their_partials():
    """Past ``LEAN_WORK`` (n = 4, N = 1e5) a lean kernel, or NumPy's sum or negation of
    the partials (``backend.lean_sum``), writes into a pooled buffer
    (``_buffers.empty``): a result still held keeps its partials when the next
    operation of that size runs."""
    from dualgrad.backend import _buffers, _loader
    _loader.load()
    rng = np.random.default_rng(36)
    N, n = 100_000, 4
    tag = new_tag()
    x, y = rng.uniform(0.5, 2.0, N), rng.uniform(0.5, 2.0, N)
    p, q = rng.standard_normal((N, n)), rng.standard_normal((N, n))
    a, b = dg.Dual(x, p, tag=tag), dg.Dual(y, q, tag=tag)
    for op, want in [(lambda: a * b, y[:, None] * p + x[:, None] * q),
                     (lambda: np.sqrt(a), (0.5 / np.sqrt(x))[:, None] * p),
                     (lambda: np.maximum(a, b), np.where((x >= y)[:, None], p, q)),
                     (lambda: a + b, p + q), (lambda: np.subtract(a, b), p - q),
                     (lambda: -a, -p), (lambda: np.negative(b), -q)]:
        first = op()
        kept = first.partials.copy()
        second = op()
        assert not np.shares_memory(first.partials, second.partials)
        _bits(first.partials, kept)
        np.testing.assert_allclose(second.partials, want, rtol=1e-15, atol=1e-300)
        assert _buffers.pooled(second.partials.base)


SEEN = [("np.divide", lambda a, b: np.divide(a, b), "divide"),
        ("np.log", lambda a, b: np.log(b), "invalid"),
        ("np.sqrt", lambda a, b: np.sqrt(b), "invalid"),
        ("a * b", lambda a, b: a * b, "over"),
        ("np.exp", lambda a, b: np.exp(a), "over"),
        ("np.floor_divide", lambda a, b: np.floor_divide(a, b), "divide")]


@pytest.mark.parametrize("name,op,kind", SEEN, ids=[s[0] for s in SEEN])
@pytest.mark.engine_independent
def test_numpys_reports_on_the_value_stay(name, op, kind, loaded):
    """``np.errstate(all="raise")``: the operation raises where NumPy's on the values
    does (the oracle: NumPy's call), and ``"warn"`` warns; on values where NumPy is
    quiet, the local derivatives' inf (``sqrt`` at 0) raise nothing."""
    N, n = 1000, 4
    tag = new_tag()
    x = np.linspace(1.0, 2.0, N)
    y = np.linspace(-1.0, 1.0, N)
    y[500] = 0.0
    if kind == "over":
        x[7] = 1e300
        y = np.full(N, 1e10)
    a = dg.Dual(x, np.ones((N, n)), tag=tag)
    b = dg.Dual(y, np.ones((N, n)), tag=tag)
    with np.errstate(all="raise"):
        with pytest.raises(FloatingPointError) as numpy_says:
            op(x, y)
        with pytest.raises(FloatingPointError) as dual_says:
            op(a, b)
    assert str(dual_says.value) == str(numpy_says.value)
    with np.errstate(all="warn"), warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        op(a, b)
    assert any(issubclass(w.category, RuntimeWarning) for w in seen)


@pytest.mark.engine_independent
def test_infinite_local_derivatives_raise_nothing(loaded):
    """np.sqrt at 0 (its local derivative inf) and 1.0 / a at tiny a under
    ``np.errstate(all="raise")``: NumPy's call on the values is quiet, so is the dual's;
    a zero partial beside the inf stays 0 (the general path's bits)."""
    from dualgrad.rules._table import RULES
    N, n = 1000, 4
    x = np.abs(np.linspace(-1.0, 1.0, N))
    x[500] = 0.0
    p = np.ones((N, n))
    p[500, 1] = 0.0
    a = dg.Dual(x, p, tag=new_tag())
    with np.errstate(all="raise"):
        got = np.sqrt(a)
    with np.errstate(all="ignore"):
        want = _general(RULES[np.sqrt], (a,))
    _bits(got.partials, want.partials)
    assert got.partials[500, 1] == 0.0 and got.partials[500, 0] == np.inf


@pytest.mark.parametrize("name,op", [("a * b", lambda a, b: a * b),
                                     ("np.maximum", lambda a, b: np.maximum(a, b)),
                                     ("np.floor_divide", lambda a, b: np.floor_divide(a, b)),
                                     ("np.arctan2", lambda a, b: np.arctan2(a, b))])
@pytest.mark.engine_independent
def test_mismatched_directions_raise_valueerror(name, op, loaded):
    tag = new_tag()
    a = dg.Dual(np.linspace(1.0, 2.0, 1000), np.ones((1000, 4)), tag=tag)
    b = dg.Dual(np.linspace(2.0, 3.0, 1000), np.ones((1000, 3)), tag=tag)
    with pytest.raises(ValueError, match="4.*3|3.*4"):
        op(a, b)
    with pytest.raises(ValueError, match="4.*3|3.*4"):
        op(a, dg.Dual(2.0, [1.0, 2.0, 3.0], tag=tag))


def test_lean_work_leaves_the_fused_engines_work_alone():
    """``backend.lean_work``: below ``small``'s size as before; from there values of
    any number of axes (the kernels read them flat, stop 33) up to ``LEAN_WORK`` (``LEAN_FLAT`` for one direction; any size with 2 or 4
    directions, ``LEAN_ROWS``) unless the fused engine
    defers that work now (inside a helper: from its ``MIN_WORK``, every size under
    ``DUALGRAD_ENGINE=fused``); never with an engine forced by ``use``."""
    from dualgrad import backend
    from dualgrad.backend import _fused, _kernels
    active = _fused.ACTIVE
    assert active is backend.FUSING
    saved = list(active)

    def lean(N, n, ndim=1):
        return backend.lean_work(N * n, (N,) if ndim == 1 else (2, N // 2))
    try:
        active[0] = False
        assert lean(100, 9) and lean(999, 1) and lean(100, 9, ndim=2)
        assert lean(1000, 4) and lean(5000, 4) and lean(5000, 1)
        assert lean(1000, 4, ndim=2) and not lean(backend.LEAN_FLAT, 1)
        assert not lean(backend.LEAN_FLAT, 1, ndim=2)       # 2-D values read flat: as 1-D
        assert lean(backend.LEAN_WORK // 3 - 1, 3) and not lean(backend.LEAN_WORK // 3 + 1, 3)
        assert lean(backend.LEAN_WORK // 8 - 1, 8) and not lean(backend.LEAN_WORK // 8, 8)
        assert not lean(backend.LEAN_WORK // 8, 8, ndim=2)
        assert backend.LEAN_ROWS == (2, 4)      # rows of literal length: any size
        assert lean(10 ** 6, 4) and lean(10 ** 6, 2) and lean(10 ** 6, 4, ndim=2)
        active[:] = [True, _fused.MIN_WORK]
        assert lean(999, 1) and lean(_fused.MIN_WORK // 4 - 1, 4)
        assert not lean(_fused.MIN_WORK // 4, 4)
        active[:] = [True, 0]
        assert lean(999, 1) and not lean(1000, 1)
        active[0] = False
        for mode in ("numpy", "numba"):
            with _kernels.use(mode):
                assert not lean(10, 1) and not lean(1000, 4)
    finally:
        active[:] = saved


def test_helpers_at_medium_sizes_give_the_eager_engines_jacobian():
    """dg.jacobian of elementwise code at N = 1000 (n = 1000 directions inside the
    helper: work past every threshold) and a jvp (n = 1), in both engines: the
    analytic derivative."""
    x = np.linspace(0.5, 2.0, 300)

    def f(v):
        return np.sqrt(v) * np.sin(v) + np.floor(3 * v) - v / (1.0 + v * v)

    want = (0.5 / np.sqrt(x)) * np.sin(x) + np.sqrt(x) * np.cos(x) - \
        (1.0 - x * x) / (1.0 + x * x) ** 2
    for engine in ("fused", "eager"):
        with dg.engine(engine):
            J = dg.jacobian(f, x)
        np.testing.assert_allclose(np.diagonal(J), want, rtol=1e-13)
        assert not (J - np.diag(np.diagonal(J))).any()
