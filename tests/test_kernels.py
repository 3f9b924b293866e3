"""The numba propagation path and the NumPy path give the same numbers."""

import subprocess
import sys

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _kernelgen, _kernels
from dualgrad.rules._table import _TABLE


def _pair(n, size, seed=0):
    rng = np.random.default_rng(seed)
    a = dg.Dual(rng.uniform(0.5, 2.0, size), rng.standard_normal((size, n)))
    b = dg.Dual(rng.uniform(0.5, 2.0, size), rng.standard_normal((size, n)))
    return a, b


def assert_both_paths_agree(op):
    """``op()`` gives the same values and partials (bit for bit, NaN where NaN, up to
    the sign of zero) with the numba kernels forced and with NumPy forced."""
    with np.errstate(all="ignore"):
        with _kernels.use("numpy"):
            want = op()
        with _kernels.use("numba"):
            got = op()
    np.testing.assert_array_equal(got.value, want.value)
    np.testing.assert_array_equal(got.partials, want.partials)


@pytest.mark.parametrize("op", [
    lambda a, b: a * b, lambda a, b: a / b, lambda a, b: np.sin(a) * np.exp(b),
    lambda a, b: np.sum(a * b), lambda a, b: np.sum(np.reshape(a * b, (10, -1)), axis=0),
    lambda a, b: np.sum(np.reshape(a * b, (10, -1)), axis=1), lambda a, b: a ** 2 + b,
])
@pytest.mark.parametrize("n", [1, 4])
@pytest.mark.engine_independent
def test_numba_and_numpy_paths_agree(op, n):
    a, b = _pair(n, 2000)
    with _kernels.use("numpy"):
        want = op(a, b)
    with _kernels.use("numba"):
        got = op(a, b)
    np.testing.assert_array_equal(got.value, want.value)
    # sums add in another order: their error is relative to the sum of |terms|
    # (2000 terms of order 1: ~1e-13), not to a result that cancels
    np.testing.assert_allclose(got.partials, want.partials, rtol=1e-14, atol=1e-12)


def test_scalar_dual_times_array_dual_takes_its_own_kernel(monkeypatch):
    calls = []
    kernels = _kernels._kernels()
    jitted = kernels.scale_outer
    monkeypatch.setattr(kernels, "scale_outer", lambda *a: calls.append(a) or jitted(*a))
    rng = np.random.default_rng(3)
    value = rng.uniform(0.5, 2.0, 400)
    value[:3] = [np.inf, np.nan, 0.0]                 # infinite and NaN local derivatives
    partials = rng.standard_normal((400, 3))
    partials[::4] = 0.0
    u = dg.Dual(value, partials)
    for kappa in (dg.Dual(0.4, [1.0, 0.0, 2.0]), dg.Dual(np.inf, [0.0, 1.0, 0.0])):
        assert_both_paths_agree(lambda: kappa * u)
        assert_both_paths_agree(lambda: u * kappa)
    assert len(calls) == 4


def test_forced_numba_path_runs_the_kernels(monkeypatch):
    calls = []
    kernels = _kernels._kernels()
    jitted = kernels.scale2
    monkeypatch.setattr(kernels, "scale2", lambda *a: calls.append(a) or jitted(*a))
    a, b = _pair(3, 50)
    with _kernels.use("numba"):
        a * b
    with _kernels.use("numpy"):
        a * b
    assert len(calls) == 1


def test_kernels_keep_zero_partials_zero_next_to_infinite_factors():
    x = dg.Dual(np.array([0.0, 4.0]), np.array([[0.0, 1.0], [1.0, 0.0]]))
    flat = dg.Dual(np.array([0.0, 0.0, 4.0]), np.array([[0.0], [1.0], [1.0]]))
    for mode in ("numpy", "numba"):
        with _kernels.use(mode):
            out = np.sqrt(x)            # local derivative inf at 0
            one = np.sqrt(flat) * flat  # n = 1: the flat kernels
        assert out.partials[0, 0] == 0.0
        assert out.partials[0, 1] == np.inf
        np.testing.assert_array_equal(out.partials[1], [0.25, 0.0])
        assert one.partials[0, 0] == 0.0                 # zero seed next to sqrt'(0) = inf
        assert one.partials[2, 0] == 3.0                 # d(t sqrt t)/dt = 1.5 sqrt(4)


def test_use_rejects_unknown_modes():
    with pytest.raises(ValueError, match="'numba' or 'numpy'"):
        with _kernels.use("fortran"):
            pass


@pytest.mark.engine_independent
# its subprocess only imports dualgrad
def test_import_is_light_and_does_not_import_numba():
    code = ("import sys, time; t = time.perf_counter(); import dualgrad; "
            "print('numba' in sys.modules, time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[0] == "False"


def test_small_arrays_take_none_of_the_large_arrays_kernels(kernel_calls):
    """At N = 10 an operation stays on the small path (NumPy's calls, or once numba
    is loaded its own one-loop kernels, ``scale_finite``/``scale2_finite``): none of the
    generated rule kernels of large arrays runs.  (This test asserted that no kernel
    module was asked for at all, true only while the small path had no kernels; it
    then passed only when another test had asked first.)"""
    a, b = _pair(4, 10)
    with dg.engine("eager"):
        a * b, a / b, np.sqrt(a), np.log(b) - a, np.hypot(a, b)
        assert kernel_calls == []
        big, other = _pair(3, 100_000)          # (n = 4 takes the lean path at any size)
        np.hypot(big, other)                    # the recording itself works
    assert kernel_calls


# ---- fused rules (dualgrad/backend/_rule_kernels.py, generated from the table) --------------
FUSED = [(rule, duals) for rule in _TABLE if _kernelgen.fusable(rule)
         for duals in _kernelgen._cases(rule)]


@pytest.fixture
def kernel_calls(monkeypatch):
    """``(ufunc name, dual positions, "flat" or "rows")`` of each generated kernel run."""
    calls = []
    from dualgrad.backend import _rule_kernels
    kernels = _rule_kernels.KERNELS

    def recording(key, kernel):
        return lambda *args: calls.append(key) or kernel(*args)
    for ufunc in {rule.ufunc for rule, _ in FUSED}:
        cases = _rule_kernels.kernels(ufunc)
        monkeypatch.setitem(kernels, ufunc, {
            duals: (recording((ufunc.__name__, duals, "flat"), flat),
                    recording((ufunc.__name__, duals, "rows"), rows))
            for duals, (flat, rows) in cases.items()})
    return calls


def test_generated_kernels_match_the_rule_table():
    assert _kernelgen.PATH.read_text() == _kernelgen.source(), \
        "run `python -m dualgrad.backend._kernelgen` after changing the rule table"


def test_generated_regular_branches_match_the_rule_table():
    assert _kernelgen.REGULAR_PATH.read_text() == _kernelgen.regular_source(), \
        "run `python -m dualgrad.backend._kernelgen` after changing the rule table"


def test_the_power_entries_numpy_parts_are_the_tables():
    """``dispatch._lean_small``'s ``u ** v`` and scalar's powers compute the NumPy parts
    that the generated ``regular_power_x`` / ``_y`` take, written out there (``x ** (y -
    1.0)`` as ``x ** (y - _ONE)``, ``np.log(x)``: a call of a function compiled from the
    table cost ~0.1 us of ~4 at N = 10, power65): the table's regular branches split
    into exactly those, so that a changed row fails here."""
    from dualgrad.rules._table import RULES, regular_form
    parts = [[p.source() for p in regular_form(RULES[np.power], k)[1].kernel_split()[1]]
             for k in (0, 1)]
    assert parts == [["x ** (y - 1.0)"], ["np.log(x)"]]


def test_the_kernels_cache_key_reads_the_generated_regular_branches(monkeypatch):
    """The power entries (``_numba_kernels``) call ``_regular_kernels``' functions:
    numba's cache key holds the entry's own file, so dualgrad's key digests the other
    (a regenerated branch otherwise left the entries running the old one: power65)."""
    from pathlib import Path
    from dualgrad.backend import _disk, _jit
    read = []
    monkeypatch.setattr(_jit, "_CALLED", [])
    monkeypatch.setattr(_disk, "loaded_bytes",
                        lambda paths: read.extend(paths) or [b""] * len(paths))
    _jit._called_source()
    assert {Path(p).name for p in read} == {"_special.py", "_regular_kernels.py"}


def test_only_arithmetic_derivatives_are_fused():
    fused = {rule.ufunc for rule, _ in FUSED}
    assert {np.log1p, np.arctanh, np.divide, np.maximum, np.hypot} <= fused
    assert np.sin not in fused          # np.cos(x): NumPy's SIMD cos
    assert np.tanh not in fused         # 1 / cosh(x) squared: NumPy's cosh
    assert np.power not in fused        # x ** (y - 1.0) is not arithmetic
    assert np.exp not in fused          # "out": no temporary to save
    assert np.multiply not in fused     # "y", "x": no temporary to save
    assert np.negative not in fused     # a constant: one NumPy pass already


def _values(domain, size, rng):
    """Values across an argument's domain and its edges, ties and singular points."""
    low, high = domain[:2]
    x = rng.uniform(low, high, size)
    x[:10] = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, low, high, 0.5]
    return x


def _arguments(rule, duals, size, n, seed=0):
    rng = np.random.default_rng(seed)
    args, first = [], None
    for k, domain in enumerate(rule.domain):
        x = _values(domain, size, rng)
        if k:
            x[10:20] = first[10:20]                                  # ties
        first = x
        if k in duals:
            p = rng.standard_normal((size, n))
            p[::3] = 0.0                  # zero partials next to inf/NaN local derivatives
            x = dg.Dual(x, p)
        args.append(x)
    return args


@pytest.mark.parametrize("rule, duals", FUSED,
                         ids=[f"{r.name}{list(d)}" for r, d in FUSED])
@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.engine_independent
def test_fused_kernels_give_the_numpy_paths_numbers(rule, duals, n, kernel_calls):
    args = _arguments(rule, duals, 500, n)
    assert_both_paths_agree(lambda: rule.ufunc(*args))
    assert kernel_calls == [(rule.name, duals, "flat" if n == 1 else "rows")]


@pytest.mark.engine_independent
def test_fused_kernels_broadcast_scalars_and_scalar_duals(kernel_calls):
    x = np.linspace(0.5, 2.0, 300)
    t = dg.Dual(1.5, [1.0, 2.0])                    # a scalar dual: partials broadcast
    d = dg.Dual(x, np.ones((300, 2)))
    ops = (lambda: d / t, lambda: t / d, lambda: np.maximum(d, 1.0),
           lambda: np.maximum(d, 1), lambda: np.hypot(2.0, d))
    for op in ops:
        assert_both_paths_agree(op)
    assert len(kernel_calls) == len(ops)


@pytest.mark.engine_independent
def test_fused_kernels_run_from_their_own_threshold(kernel_calls, monkeypatch):
    from dualgrad.backend import _propagate           # the general path from the small
    monkeypatch.setattr(_propagate, "LEAN_WORK", 0)   # size on (no medium lean path)
    monkeypatch.setattr(_propagate, "LEAN_FLAT", 0)
    size = _kernels.MIN_WORK_FUSED
    small = dg.Dual(np.linspace(0.0, 1.0, size - 1), np.ones((size - 1, 1)))
    large = dg.Dual(np.linspace(0.0, 1.0, size), np.ones((size, 1)))
    np.log1p(small)
    assert kernel_calls == []
    np.log1p(large)
    assert kernel_calls == [("log1p", (0,), "flat")]


@pytest.mark.engine_independent
def test_sums_over_permuted_views_keep_each_directions_numpy_sum():
    # x.reshape(a, b).T.sum(axis=0) and friends: the partials are a permuted view;
    # each direction of each output is NumPy's sum of that direction's numbers as
    # one contiguous array (in C order of the summed axes), on both engines
    import itertools
    from dualgrad.backend import sum_partials
    rng = np.random.default_rng(5)
    base = rng.standard_normal((6, 5, 9, 3)) * np.exp(rng.uniform(-9, 9, (6, 5, 9, 3)))
    for mode in ("numba", "numpy"):
        with _kernels.use(mode):
            for perm in itertools.permutations(range(3)):
                p = base.transpose(list(perm) + [3])
                for r in (1, 2, 3):
                    for axes in itertools.combinations(range(3), r):
                        for keepdims in (False, True):
                            got = sum_partials(p, axes, keepdims)
                            kept = [i for i in range(3) if i not in axes]
                            moved = np.ascontiguousarray(
                                p.transpose(kept + list(axes) + [3]))
                            rows = moved.reshape(moved.shape[:len(kept)] + (-1, 3))
                            want = np.empty(rows.shape[:-2] + (3,))
                            for idx in np.ndindex(*want.shape):
                                want[idx] = np.add.reduce(rows[idx[:-1]][:, idx[-1]].copy())
                            if keepdims:
                                want = np.expand_dims(want, axes)
                            assert got.shape == want.shape
                            assert np.array_equal(got, want), (mode, perm, axes)


@pytest.mark.engine_independent
# its subprocesses call no helper (duals outside helpers: no engine decides)
def test_kernels_compile_once_and_later_processes_load_them_from_disk(tmp_path):
    """numba's on-disk cache (cache=True) serves every kernel a new process needs:
    the second process compiles nothing."""
    import os
    code = "\n".join([
        "import numpy as np, dualgrad as dg",
        "from dualgrad.backend import _kernels, _numba_kernels as K, _rule_kernels as R",
        "a = dg.Dual(np.linspace(1, 2, 50), np.ones((50, 3)))",
        "with _kernels.use('numba'):",
        "    np.log1p(a * a)",
        "ds = [d for d in [*vars(K).values(), *vars(R).values(),",
        "                  *(k for c in R.KERNELS.values() for p in c.values() for k in p)]",
        "      if hasattr(d, 'stats')]",
        "print(sum(len(d.stats.cache_hits) for d in ds),",
        "      sum(len(d.stats.cache_misses) for d in ds))"])
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path),
               PYTHONPATH=os.path.dirname(os.path.dirname(dg.__file__)))
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=env, cwd=tmp_path) for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr[-2000:]
    (hits0, misses0), (hits1, misses1) = (map(int, r.stdout.split()) for r in runs)
    assert misses0 >= 2 and hits0 == 0          # compiled: the product and log1p's kernel
    # (and their loops over n: callees, linked into a caller's cached code, so a later
    # process loads the two callers and never asks for the callees)
    assert misses1 == 0 and 2 <= hits1 <= misses0


@pytest.mark.engine_independent
@pytest.mark.parametrize("ufunc", [np.sin, np.cos, np.tanh, np.square])
def test_one_direction_keeps_the_products_signed_zero_where_the_factor_is_finite(ufunc):
    # a zero partial times a finite negative factor is -0.0 in NumPy and in the rows
    # kernels; the flat (n = 1) kernels gave +0.0 (outside attack 18)
    N = 1 << 17
    v = np.full(N, -2.0)
    v[::3] = 2.0
    p = np.zeros((N, 1))
    factor = {np.sin: np.cos(v), np.cos: -np.sin(v), np.tanh: 1 - np.tanh(v) ** 2,
              np.square: 2 * v}[ufunc]
    with _kernels.use("numba"):
        got = ufunc(dg.Dual(v, p)).partials[:, 0]
    want = factor * 0.0
    assert np.array_equal(np.signbit(got), np.signbit(want))
    with _kernels.use("numba"):
        two = ufunc(dg.Dual(v, np.zeros((N, 2)))).partials
    assert np.array_equal(np.signbit(two[:, 0]), np.signbit(want))
