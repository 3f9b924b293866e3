"""Issue 13, stop 62 (rows62): operations of the corpus's worst rows that took the general
path, now lean, each to the bit of the path it short-cuts.

* The Euler-Lotka row (bench/corpus60.py): ``np.repeat(16 * x, 50)`` of a scalar dual
  (``dual._views.scalar_repeat``) and ``-(1 + 0.5 * x) * np.arange(1, 51)``, a scalar
  dual with an int64 grid (``dispatch._lean_small.lean_constant``, the grid promoted as
  ``call`` promotes it).
* The perovskite row (bench/corpus61.py): ``np.linalg.norm`` of a 3-vector dual
  (``dispatch._linalg._lean_norm``) and ``np.exp`` of a complex scalar dual
  (``_ufuncs._complex_unary`` at the scalar duals' general entry).
* The GP row (bench/corpus59.py): ``np.maximum(np.diagonal(L), 1e-200)``
  (``dispatch._lean_small._bounded``).

Oracles: the path each short-cuts (``call``; ``dispatch``; ``_ufuncs.call_ufunc``;
``small``) to the bit, warnings and errors alike; the analytic derivatives on floats
(the rows themselves: tests/test_newuser59/60/61).  Spies tell the way taken: each
way test fails on 6db6835.
"""

import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _lean_small
from dualgrad.dispatch._functions import dispatch as general_dispatch
from dualgrad.dispatch._ufuncs import call
from dualgrad.dual import _scalar
from dualgrad.dual._base import new_tag
from dualgrad.rules._table import rule_for
from _probes import same_duals as _bits, spy_on   # (_bits: class, value and partials)


@pytest.fixture
def lean_made(monkeypatch):
    """How many results ``lean_constant`` made (a spy; ``None`` is a decline)."""
    return spy_on(monkeypatch, _lean_small, "lean_constant",
                  lambda args, result: None if result is None else 1, after=True)

GRIDS = {
    "int64": np.arange(-3, 5),
    "big int64": np.array([0, 1, -1, 2 ** 53 + 1, -(2 ** 62)]),
    "int32 2-D": np.array([[1, 2], [0, -5]], dtype=np.int32),
    "uint8": np.array([3, 0, 255], dtype=np.uint8),
    "uint64": np.array([7, 0, 2 ** 64 - 1], dtype=np.uint64),
    "bool": np.array([True, False, True]),
    "int16 view": np.arange(9, dtype=np.int16)[::2],
    "float32": np.array([1.5, 0.0, -2.0], dtype=np.float32),
}
# spelling, ufunc, the scalar first?, the derivative in the scalar on floats (c, x)
OPS = {
    "k * x": (lambda k, x: k * x, np.multiply, True, lambda c, x: x),
    "x * k": (lambda k, x: x * k, np.multiply, False, lambda c, x: x),
    "k - x": (lambda k, x: k - x, np.subtract, True, lambda c, x: np.ones_like(x)),
    "x / k": (lambda k, x: x / k, np.true_divide, False, lambda c, x: -x / c ** 2),
    "k / x": (lambda k, x: k / x, np.true_divide, True, lambda c, x: 1.0 / x),
    "x ** k": (lambda k, x: x ** k, np.power, False, lambda c, x: np.log(x) * x ** c),
    "np.arctan2(k, x)": (lambda k, x: np.arctan2(k, x), np.arctan2, True,
                         lambda c, x: x / (c * c + x * x)),
}


def _run(op):
    """``op()``'s result or exception, and NumPy's warnings (text) while it ran."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            got = op()
        except Exception as exc:                   # noqa: BLE001 (compared below)
            got = exc
    return got, [str(w.message) for w in caught]


@pytest.mark.parametrize("grid", sorted(GRIDS))
@pytest.mark.parametrize("name", sorted(OPS))
def test_integer_grid_bits_oracle_and_way(name, grid, lean_made):
    op, ufunc, first, dk = OPS[name]
    x = GRIDS[grid]
    for c, row in ((0.7, [1.0, -2.5]), (-0.0, [np.inf, 1e-310]), (np.nan, [0.5, 0.0]),
                   (1e308, [3.0, -0.0])):
        k = dg.Dual(c, row, tag=new_tag())
        got, said = _run(lambda: op(k, x))
        want, want_said = _run(lambda: call(rule_for(ufunc), (k, x) if first else (x, k)))
        assert said == want_said
        _bits(got, want)
        if c == 0.7 and grid != "uint64":     # (2**64 - 1: the float's rounding)
            with np.errstate(all="ignore"):
                xf = x.astype(float)
                ok = np.isfinite(dk(c, xf))
                np.testing.assert_array_equal(got.value, op(c, xf))
                expected = dk(c, xf)[..., None] * np.asarray(row)
            np.testing.assert_allclose(np.asarray(got.partials)[ok], expected[ok],
                                       rtol=1e-14, atol=1e-300)
    assert len(lean_made) >= 1, "the integer grid did not take lean_constant"


def test_integer_grid_declines_to_the_general_path(lean_made):
    """A 0-d grid, ldexp's integer exponent: not lean_constant's; the general path's
    answer, as before."""
    k = dg.Dual(0.7, [1.0], tag=new_tag())
    _bits(k * np.array(3), call(rule_for(np.multiply), (k, np.array(3))))
    got, want = _run(lambda: np.ldexp(k, np.array([1, 2]))), \
        _run(lambda: call(rule_for(np.ldexp), (k, np.array([1, 2]))))
    _bits(got[0], want[0])
    assert lean_made == []


@pytest.fixture
def general_runs(monkeypatch):
    """The functions the scalar duals' ``__array_function__`` handed to ``dispatch``."""
    return spy_on(monkeypatch, _scalar, "dispatch", lambda args, result: args[0].__name__)


@pytest.mark.parametrize("c, row", [(1.5, [1.0]), (-0.0, [np.nan, np.inf, -0.0]),
                                    (np.inf, [5e-324, 2.0])])
@pytest.mark.parametrize("call_", ["np.repeat(k, 50)", "np.repeat(k, repeats=3)",
                                   "np.repeat(k, 0)", "np.repeat(k, 1, None)"])
def test_repeat_bits_and_way(c, row, call_, general_runs):
    k = dg.Dual(c, row, tag=new_tag())
    got = eval(call_, {"np": np, "k": k})                          # noqa: S307
    assert general_runs == []
    repeats = got.value.shape[0]
    want = general_dispatch(np.repeat, (k, repeats), {}, like=k)
    _bits(got, want)
    assert got.value.flags.c_contiguous and got.partials.flags.c_contiguous
    np.testing.assert_array_equal(got.value, np.full(repeats, c))


@pytest.mark.parametrize("call_", ["np.repeat(k, np.int64(2))", "np.repeat(k, 2, axis=0)",
                                   "np.repeat(k, -1)", "np.repeat(k, True)",
                                   "np.repeat(k, [2])"])
def test_repeat_declines_or_raises_as_before(call_, general_runs):
    """Anything but a Python int and no axis: the general path (its answer or error);
    a negative count: NumPy's ValueError either way."""
    k = dg.Dual(0.25, [1.0, 2.0], tag=new_tag())
    got, _ = _run(lambda: eval(call_, {"np": np, "k": k}))          # noqa: S307
    if call_ == "np.repeat(k, -1)":
        assert isinstance(got, ValueError)
        return
    assert general_runs == ["repeat"]
    if not isinstance(got, Exception):
        np.testing.assert_array_equal(got.partials[-1], [1.0, 2.0])


# ---- the perovskite row (bench/corpus61.py): 1 / norm(recvec), np.exp of its phase

@pytest.mark.parametrize("shape", [(3,), (1,), (2, 3), (4, 1, 2)])
@pytest.mark.parametrize("fill", ["random", "zeros and subnormals", "tiny", "huge", "nan"])
def test_norm_bits_oracle_and_way(shape, fill, general_array_runs):
    """``np.linalg.norm(u)`` by ``_linalg._lean_norm``: the general ``dispatch``'s
    answer to the bit (warnings alike), and ``u / |u|`` times the partials."""
    rng = np.random.default_rng(len(shape) + len(fill))
    v = rng.standard_normal(shape)
    if fill == "zeros and subnormals":
        v.flat[0], v.flat[-1] = 0.0, 5e-324
    elif fill == "tiny":
        v *= 1e-170                               # u @ u underflows to 0 (attack62 04)
    elif fill == "huge":
        v.flat[0] = 1e200                         # the square overflows: declined
    elif fill == "nan":
        v.flat[-1] = np.nan
    p = rng.standard_normal(shape + (3,))
    u = dg.Dual(v, p, tag=new_tag())
    got, said = _run(lambda: np.linalg.norm(u))
    want, want_said = _run(lambda: general_dispatch(np.linalg.norm, (u,), {}, like=u))
    assert said == want_said
    _bits(got, want)
    lean = fill in ("random", "zeros and subnormals", "tiny")
    assert general_array_runs[:1] == ([] if lean else ["norm"])
    if fill != "nan":                             # u / |u| of u / max|u| (no under/overflow)
        w = v / np.max(np.abs(v))
        r = np.sqrt(np.sum(w * w))
        np.testing.assert_allclose(got.partials, np.tensordot(w / r, p, v.ndim), rtol=1e-13)


@pytest.mark.parametrize("kwargs", [{"ord": 2}, {"axis": 0}, {"keepdims": True}])
def test_norm_with_arguments_takes_the_general_path(kwargs, general_array_runs):
    u = dg.Dual(np.array([3.0, 4.0]), np.eye(2), tag=new_tag())
    got = np.linalg.norm(u, **kwargs)
    assert general_array_runs[:1] == ["norm"]
    np.testing.assert_allclose(np.asarray(got.partials).reshape(-1), [0.6, 0.8])


@pytest.fixture
def general_array_runs(monkeypatch):
    """The functions the array duals' ``__array_function__`` handed to ``dispatch``."""
    from dualgrad.dual import _array
    return spy_on(monkeypatch, _array, "dispatch", lambda args, result: args[0].__name__)


@pytest.fixture
def nested_runs(monkeypatch):
    """The calls of ``_nested.nested`` from the scalar duals' general entry."""
    seen = []
    real = _lean_small.nested

    def spy(rule, args):
        seen.append(rule.name)
        return real(rule, args)
    monkeypatch.setattr(_lean_small, "nested", spy)
    return seen


UNARY = {"exp": (np.exp, np.exp), "sin": (np.sin, np.cos), "log": (np.log, lambda z: 1 / z),
         "sqrt": (np.sqrt, lambda z: 0.5 / np.sqrt(z)), "tanh": (np.tanh,
                                                             lambda z: 1 - np.tanh(z) ** 2)}


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("z", [0.3 + 1.2j, -2.0 + 0j, 0j, complex(np.inf, 1.0),
                               complex(1e-310, -0.0), complex(np.nan, 2.0), 700 + 3j])
def test_complex_scalar_unary_bits_oracle_and_way(name, z, nested_runs):
    """``np.exp(z)`` and kin of a complex scalar dual: ``_complex_unary`` at once, the
    old way's answer to the bit (``_ufuncs.call_ufunc``: nested, small and
    complex_small declining first), warnings alike; the derivative ``f'(z) p``."""
    from dualgrad.dispatch import _ufuncs
    ufunc, slope = UNARY[name]
    d = dg.Dual(0.5, [1.0, -0.5], tag=new_tag())
    zd = (d - 0.5) + z                            # value z, partials [1, -0.5]
    got, said = _run(lambda: ufunc(zd))
    want, want_said = _run(lambda: _ufuncs.call_ufunc(ufunc, zd))
    assert said == want_said
    _bits(got, want)
    assert nested_runs == []
    if np.isfinite(z) and 1e-3 < abs(z) < 100:
        with np.errstate(all="ignore"):
            expected = slope(np.complex128(zd.value)) * np.asarray(zd.partials)
        np.testing.assert_allclose(got.partials, expected, rtol=1e-14)


# ---- the GP row (bench/corpus59.py): np.maximum(np.diagonal(L), 1e-200)

@pytest.fixture
def selected_runs(monkeypatch):
    """The calls of ``_ufuncs._selected`` (small's selection step)."""
    from dualgrad.dispatch import _ufuncs
    seen = []
    real = _ufuncs._selected

    def spy(*args, **kwargs):
        seen.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(_ufuncs, "_selected", spy)
    return seen


SPECIAL = np.array([0.0, -0.0, 1.5, -2.25, np.nan, np.inf, -np.inf, 5e-324, 1e-200, 2.0])


@pytest.mark.parametrize("ufunc", [np.maximum, np.minimum])
@pytest.mark.parametrize("c", [1e-200, -0.0, 2.0, np.inf, np.float64(-2.25)])
@pytest.mark.parametrize("n", [1, 3, 9])
def test_bounded_bits_oracle_and_way(ufunc, c, n, selected_runs):
    """``np.maximum(u, c)`` / ``np.minimum(c, u)``: small's answer to the bit (values,
    partials, their strides) over NaN, infinities, signed zeros and ties, a diagonal
    view and a transposed one; the partials ``p`` where ``u`` wins, 0 where ``c`` does,
    ``p / 2`` at a tie, NaN winning."""
    from dualgrad.dispatch._ufuncs import small
    rng = np.random.default_rng(n)
    tag = new_tag()
    for v in (rng.choice(SPECIAL, 25), rng.choice(SPECIAL, (4, 5))):
        p = rng.standard_normal(v.shape + (n,))
        p.flat[::5] = np.inf
        u = dg.Dual(v, p, tag=tag)
        views = [u, u[::-1], np.diagonal(u.reshape(5, 5)) if v.ndim == 1 else u.T]
        for w in views:
            for args in ((w, c), (c, w)):
                before = len(selected_runs)
                got = ufunc(*args)
                lean = w.ndim == 1 or w.value.flags.c_contiguous     # (else declined)
                assert len(selected_runs) - before == (0 if lean else 1)
                want = small(rule_for(ufunc), args)
                _bits(got, want)
                assert got.partials.strides == want.partials.strides
                x, q = w.value, np.asarray(w.partials)
                wins = (x > c) if ufunc is np.maximum else (x < c)
                wins = wins | np.isnan(x)
                expected = np.where(wins[..., None], q, np.where((x == c)[..., None],
                                                                  q / 2, 0.0))
                np.testing.assert_array_equal(got.partials, expected)


def test_bounded_declines(selected_runs):
    """An int or NaN bound, fmax: small's way (its _selected)."""
    u = dg.Dual(np.array([1.0, 3.0]), np.eye(2), tag=new_tag())
    for op in (lambda: np.maximum(u, 2), lambda: np.maximum(u, np.nan),
               lambda: np.fmax(u, 2.0)):
        selected_runs.clear()
        op()
        assert selected_runs == [1]
