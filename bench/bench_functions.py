"""Performance coverage: every registered NumPy function and every ufunc rule on array
duals against the same call on floats (issue 13).

    python bench/bench_functions.py            # n = 1, 4, 16; N = 10, 1e3, 1e5
    python bench/bench_functions.py --quick    # n = 4; N = 10, 1e5; fewer repeats; prints only
    python bench/bench_functions.py --cells 100000:4 --only np.dot,np.sort   # chosen cells
                                               # and rows (substring match); prints only

Walks ``dualgrad.dispatch._functions.HANDLED``, ``dualgrad.dispatch._linalg.LINALG`` and
``dualgrad.rules._table.RULES`` like the correctness coverage test does: a function with no
case below is listed as such, never skipped silently.  Each row is the median time of
one call on duals with ``n`` partials over the same call on floats, timed back to back
in each repeat (median of the per-repeat ratios), marked against its limit:

* N >= 1e3: at most 8 (n + 1) / 5 times the float call (8x at n = 4, issue 13's
  target, scaled with the partials' size, the floor of unfused propagation);
* N = 10: ufunc rules and operators at most 3x (issue 13's lean-dispatch target);
  functions are reported, with no limit;
* "kind": no more than 2x the best ratio of the functions of the same kind at the
  same (n, N);
* views (O(1) in N for NumPy and dualgrad alike): at most ``VIEW_LIMIT`` per call
  instead, at every (n, N); their ratio is a fixed dispatch over a fixed view.

Writes bench/RESULTS_functions.md (the tables) and prints the misses.
"""

import os
import statistics
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):    # before NumPy loads its BLAS
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]        # this checkout's dualgrad

import dualgrad as dg  # noqa: E402
from dualgrad.backend import _loader  # noqa: E402

# The steady state of a process whose kernels have paid for loading numba
# (dualgrad/backend/_loader.py: before that, large operations take the NumPy path,
# up to LOAD_AFTER partials elements; bench/first_call.py times that part).
_loader.load()
from dualgrad.dual._base import new_tag  # noqa: E402
from dualgrad.dispatch._functions import HANDLED, function_name  # noqa: E402
from dualgrad.dispatch._linalg import LINALG  # noqa: E402
from dualgrad.rules._table import RULES, rule_for  # noqa: E402


def timed(fn, repeat, min_time):
    """Median seconds per call over ``repeat`` samples of at least ``min_time`` each."""
    return statistics.median(samples(fn, repeat, min_time))


def samples(fn, repeat, min_time):
    fn()                                            # warm-up: compile, caches
    t0 = time.perf_counter()
    fn()
    once = max(time.perf_counter() - t0, 1e-7)
    number = max(1, int(min_time / once))
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        out.append((time.perf_counter() - t0) / number)
    return out


def ratio(dual, plain, repeat, min_time):
    """(median dual seconds, median of per-repeat dual / float ratios): the two are
    timed back to back in each repeat, so a busy machine slows them alike."""
    pairs = [(samples(dual, 1, min_time)[0], samples(plain, 1, min_time)[0])
             for _ in range(repeat)]
    return (statistics.median(d for d, _ in pairs),
            statistics.median(d / p for d, p in pairs))


# ---- the cases: name -> (kind, call(x, y, M, S)) -----------------------------------------
# x, y: 1-D of N elements; M: a square matrix of about N elements; S: a small symmetric
# positive definite matrix (linear algebra: its cost is not the partials' size).
def _cases():
    c = {}

    def add(kind, *names):
        def register(fn):
            for name in names:
                c[name] = (kind, fn)
            return fn
        return register

    # structure: elements moved, views where NumPy gives views
    add("view", "np.reshape")(lambda x, y, M, S: np.reshape(x, (-1, 2)))
    add("view", "np.ravel")(lambda x, y, M, S: np.ravel(M))
    add("view", "np.transpose")(lambda x, y, M, S: np.transpose(M))
    add("view", "np.matrix_transpose")(lambda x, y, M, S: np.matrix_transpose(M))
    add("view", "np.swapaxes")(lambda x, y, M, S: np.swapaxes(M, 0, 1))
    add("view", "np.moveaxis")(lambda x, y, M, S: np.moveaxis(M, 0, 1))
    add("view", "np.squeeze")(lambda x, y, M, S: np.squeeze(M[None]))
    add("view", "np.expand_dims")(lambda x, y, M, S: np.expand_dims(x, 0))
    add("view", "np.broadcast_to")(lambda x, y, M, S: np.broadcast_to(x, (2, x.shape[0])))
    add("view", "np.broadcast_arrays")(lambda x, y, M, S: np.broadcast_arrays(x, y))
    add("view", "np.flip")(lambda x, y, M, S: np.flip(x))
    add("view", "np.fliplr")(lambda x, y, M, S: np.fliplr(M))
    add("view", "np.flipud")(lambda x, y, M, S: np.flipud(M))
    add("view", "np.rot90")(lambda x, y, M, S: np.rot90(M))
    add("view", "np.real")(lambda x, y, M, S: np.real(x))
    add("view", "np.diagonal")(lambda x, y, M, S: np.diagonal(M))
    add("view", "np.atleast_1d")(lambda x, y, M, S: np.atleast_1d(x))
    add("view", "np.atleast_2d")(lambda x, y, M, S: np.atleast_2d(x))
    add("view", "np.atleast_3d")(lambda x, y, M, S: np.atleast_3d(x))
    add("view", "np.split")(lambda x, y, M, S: np.split(x, 2))
    add("view", "np.array_split")(lambda x, y, M, S: np.array_split(x, 3))
    add("view", "np.hsplit")(lambda x, y, M, S: np.hsplit(x, [x.shape[0] // 2]))
    add("view", "np.vsplit")(lambda x, y, M, S: np.vsplit(M, [M.shape[0] // 2]))
    add("view", "np.dsplit")(lambda x, y, M, S: np.dsplit(M[:, None, :], [M.shape[1] // 2]))
    add("view", "np.rollaxis")(lambda x, y, M, S: np.rollaxis(M, 1))
    add("view", "np.real_if_close")(lambda x, y, M, S: np.real_if_close(x))
    add("copy", "np.copy")(lambda x, y, M, S: np.copy(x))
    add("copy", "np.imag")(lambda x, y, M, S: np.imag(x))
    add("copy", "np.roll")(lambda x, y, M, S: np.roll(x, 1))
    add("copy", "np.concatenate")(lambda x, y, M, S: np.concatenate([x, y]))
    add("copy", "np.stack")(lambda x, y, M, S: np.stack([x, y]))
    add("copy", "np.hstack")(lambda x, y, M, S: np.hstack([x, y]))
    add("copy", "np.vstack")(lambda x, y, M, S: np.vstack([x, y]))
    add("copy", "np.column_stack")(lambda x, y, M, S: np.column_stack([x, y]))
    add("copy", "np.append")(lambda x, y, M, S: np.append(x, y))
    add("copy", "np.tile")(lambda x, y, M, S: np.tile(x, 2))
    add("copy", "np.repeat")(lambda x, y, M, S: np.repeat(x, 2))
    add("copy", "np.resize")(lambda x, y, M, S: np.resize(x, 2 * x.shape[0]))
    add("copy", "np.delete")(lambda x, y, M, S: np.delete(x, [0, 3]))
    add("copy", "np.pad")(lambda x, y, M, S: np.pad(x, 2))
    add("copy", "np.take")(lambda x, y, M, S: np.take(x, IDX))
    add("copy", "np.take_along_axis")(lambda x, y, M, S: np.take_along_axis(x, IDX, 0))
    add("copy", "fancy indexing")(lambda x, y, M, S: x[IDX])
    add("copy", "np.sort")(lambda x, y, M, S: np.sort(x))
    add("copy", "np.unique", "np.unique_values")(lambda x, y, M, S: np.unique(x[IDX]))
    add("copy", "np.unique_counts", "np.unique_inverse", "np.unique_all")(
        lambda x, y, M, S: np.unique_all(x[IDX]).values)
    add("copy", "np.histogram")(lambda x, y, M, S: np.histogram(XV, bins=20, weights=x)[0])
    add("copy", "np.histogram_bin_edges")(lambda x, y, M, S: np.histogram_bin_edges(x, 20))
    add("copy", "np.bincount")(lambda x, y, M, S: np.bincount(IDX, weights=x))
    add("copy", "np.block")(lambda x, y, M, S: np.block([[M, M], [M, M]]))
    add("copy", "np.where")(lambda x, y, M, S: np.where(XV > 0.0, x, y))
    add("copy", "np.select")(lambda x, y, M, S: np.select([XV > 0.5, XV < -0.5], [x, y], 0.0))
    add("copy", "np.clip")(lambda x, y, M, S: np.clip(x, -0.5, 0.5))
    add("copy", "np.diag")(lambda x, y, M, S: np.diag(M))
    add("copy", "np.tril")(lambda x, y, M, S: np.tril(M))
    add("copy", "np.triu")(lambda x, y, M, S: np.triu(M))
    add("copy", "np.zeros_like", "np.ones_like", "np.empty_like")(
        lambda x, y, M, S: np.zeros_like(x))
    add("copy", "np.full_like")(lambda x, y, M, S: np.full_like(x, 2.0))
    add("copy", "np.round", "np.around")(lambda x, y, M, S: np.round(x, 2))
    add("copy", "np.nan_to_num")(lambda x, y, M, S: np.nan_to_num(x))
    add("copy", "np.partition")(lambda x, y, M, S: np.partition(x, x.shape[0] // 2))
    add("copy", "np.angle")(lambda x, y, M, S: np.angle(x))
    # reductions, scans and other linear maps
    add("reduction", "np.sum")(lambda x, y, M, S: np.sum(x))
    add("reduction", "np.nansum")(lambda x, y, M, S: np.nansum(x))
    add("reduction", "np.mean")(lambda x, y, M, S: np.mean(x))
    add("reduction", "np.nanmean")(lambda x, y, M, S: np.nanmean(x))
    add("reduction", "np.average")(lambda x, y, M, S: np.average(x, weights=XV ** 2))
    add("reduction", "np.var")(lambda x, y, M, S: np.var(x))
    add("reduction", "np.std")(lambda x, y, M, S: np.std(x))
    add("reduction", "np.nanvar")(lambda x, y, M, S: np.nanvar(x))
    add("reduction", "np.nanstd")(lambda x, y, M, S: np.nanstd(x))
    add("reduction", "np.prod")(lambda x, y, M, S: np.prod(x))
    add("reduction", "np.max", "np.amax")(lambda x, y, M, S: np.max(x))
    add("reduction", "np.min", "np.amin")(lambda x, y, M, S: np.min(x))
    add("reduction", "np.nanmax")(lambda x, y, M, S: np.nanmax(x))
    add("reduction", "np.nanmin")(lambda x, y, M, S: np.nanmin(x))
    add("reduction", "np.ptp")(lambda x, y, M, S: np.ptp(x))
    add("reduction", "np.median")(lambda x, y, M, S: np.median(x))
    add("reduction", "np.percentile")(lambda x, y, M, S: np.percentile(x, 30.0))
    add("reduction", "np.quantile")(lambda x, y, M, S: np.quantile(x, 0.3))
    add("reduction", "np.nanprod")(lambda x, y, M, S: np.nanprod(x))
    add("reduction", "np.nanmedian")(lambda x, y, M, S: np.nanmedian(x))
    add("reduction", "np.nanpercentile")(lambda x, y, M, S: np.nanpercentile(x, 30.0))
    add("reduction", "np.nanquantile")(lambda x, y, M, S: np.nanquantile(x, 0.3))
    add("reduction", "np.trace")(lambda x, y, M, S: np.trace(M))
    add("reduction", "np.trapezoid")(lambda x, y, M, S: np.trapezoid(x))
    add("reduction", "reshape.T.sum")(lambda x, y, M, S: np.reshape(x, (-1, 10)).T.sum(axis=0))
    add("reduction", "np.linalg.norm")(lambda x, y, M, S: np.linalg.norm(x))
    add("reduction", "np.linalg.vector_norm")(lambda x, y, M, S: np.linalg.vector_norm(x))
    add("reduction", "np.linalg.matrix_norm")(lambda x, y, M, S: np.linalg.matrix_norm(M))
    add("scan", "np.cumsum")(lambda x, y, M, S: np.cumsum(x))
    add("scan", "np.cumulative_sum")(lambda x, y, M, S: np.cumulative_sum(x))
    add("scan", "np.cumprod")(lambda x, y, M, S: np.cumprod(x))
    add("scan", "np.cumulative_prod")(lambda x, y, M, S: np.cumulative_prod(x))
    add("scan", "np.nancumsum")(lambda x, y, M, S: np.nancumsum(x))
    add("scan", "np.nancumprod")(lambda x, y, M, S: np.nancumprod(x))
    add("scan", "np.unwrap")(lambda x, y, M, S: np.unwrap(20.0 * x))
    add("scan", "np.diff")(lambda x, y, M, S: np.diff(x))
    add("scan", "np.ediff1d")(lambda x, y, M, S: np.ediff1d(x))
    add("scan", "np.gradient")(lambda x, y, M, S: np.gradient(x))
    add("scan", "np.interp")(lambda x, y, M, S: np.interp(XV, XS, x))
    add("scan", "np.convolve")(lambda x, y, M, S: np.convolve(x, [1.0, -2.0, 1.0]))
    add("scan", "np.correlate")(lambda x, y, M, S: np.correlate(x, [1.0, -2.0, 1.0]))
    add("elementwise", "np.polyval")(lambda x, y, M, S: np.polyval([1.0, 2.0, 3.0], x))
    add("elementwise", "np.sinc")(lambda x, y, M, S: np.sinc(x))
    # products
    add("product", "np.dot")(lambda x, y, M, S: np.dot(x, y))
    add("product", "np.vdot")(lambda x, y, M, S: np.vdot(x, y))
    add("product", "np.inner")(lambda x, y, M, S: np.inner(x, y))
    add("product", "np.vecdot", "np.linalg.vecdot")(lambda x, y, M, S: np.vecdot(x, y))
    add("product", "np.einsum")(lambda x, y, M, S: np.einsum("i,i->", x, y))
    add("product", "np.matmul", "np.linalg.matmul")(lambda x, y, M, S: M @ M[0])
    add("product", "np.tensordot", "np.linalg.tensordot")(
        lambda x, y, M, S: np.tensordot(M, M[0], 1))
    add("product", "np.outer", "np.linalg.outer")(lambda x, y, M, S: np.outer(M[0], M[1]))
    add("product", "np.kron")(lambda x, y, M, S: np.kron(M[0], M[1]))
    add("product", "np.cross", "np.linalg.cross")(
        lambda x, y, M, S: np.cross(np.reshape(x[:x.shape[0] // 3 * 3], (-1, 3)),
                                    np.reshape(y[:y.shape[0] // 3 * 3], (-1, 3))))
    add("product", "np.cov")(lambda x, y, M, S: np.cov(M))
    add("product", "np.corrcoef")(lambda x, y, M, S: np.corrcoef(M))
    add("product", "np.linalg.multi_dot")(lambda x, y, M, S: np.linalg.multi_dot([M, M, M[0]]))
    add("product", "np.polyfit")(lambda x, y, M, S: np.polyfit(XS, x, 3))
    add("product", "np.linalg.matrix_power")(lambda x, y, M, S: np.linalg.matrix_power(S, 3))
    # creation from duals
    add("creation", "np.linspace")(lambda x, y, M, S: np.linspace(x[0], x[1], x.shape[0]))
    add("creation", "np.meshgrid")(lambda x, y, M, S: np.meshgrid(M[0], M[1]))
    # linear algebra of a small matrix
    for name, fn in {
        "np.linalg.solve": lambda S: np.linalg.solve(S, S[0]),
        "np.linalg.inv": lambda S: np.linalg.inv(S),
        "np.linalg.det": lambda S: np.linalg.det(S),
        "np.linalg.slogdet": lambda S: np.linalg.slogdet(S),
        "np.linalg.cholesky": lambda S: np.linalg.cholesky(S),
        "np.linalg.eigh": lambda S: np.linalg.eigh(S),
        "np.linalg.eigvalsh": lambda S: np.linalg.eigvalsh(S),
        "np.linalg.eig": lambda S: np.linalg.eig(S),
        "np.linalg.eigvals": lambda S: np.linalg.eigvals(S),
        "np.linalg.svd": lambda S: np.linalg.svd(S),
        "np.linalg.svdvals": lambda S: np.linalg.svdvals(S),
        "np.linalg.qr": lambda S: np.linalg.qr(S),
        "np.linalg.pinv": lambda S: np.linalg.pinv(S),
        "np.linalg.lstsq": lambda S: np.linalg.lstsq(S, S[0]),
    }.items():
        add("linalg", name)(lambda x, y, M, S, fn=fn: fn(S))
    return c


# Functions of the values alone (no partials to move) and queries: timed too.
VALUES_ONLY = ("np.argsort", "np.argmax", "np.argmin", "np.nonzero", "np.argwhere",
               "np.flatnonzero", "np.count_nonzero", "np.searchsorted", "np.isclose",
               "np.allclose", "np.array_equal", "np.iscomplexobj", "np.isrealobj",
               "np.iscomplex", "np.isreal", "np.isneginf", "np.isposinf", "np.any",
               "np.all", "np.shares_memory", "np.may_share_memory", "np.shape", "np.ndim",
               "np.size", "np.copyto", "np.digitize", "np.result_type", "np.min_scalar_type",
               "np.can_cast", "np.argpartition", "np.nanargmax", "np.nanargmin", "np.lexsort",
               "np.isin")

IDX = XV = XS = None


def _inputs(N, n, rng):
    global IDX, XV, XS
    m = max(2, int(round(np.sqrt(N))))
    x, y = rng.uniform(0.2, 0.9, N), rng.uniform(0.2, 0.9, N)
    M = rng.uniform(0.2, 0.9, (m, m))
    k = 4
    S = rng.standard_normal((k, k))
    S = S @ S.T + k * np.eye(k)
    IDX = rng.integers(0, N, N)
    XV = rng.uniform(-1.0, 1.0, N)
    XS = np.linspace(-1.0, 1.0, N)
    tag = new_tag()

    def dual(v):
        return dg.Dual(v, rng.standard_normal(v.shape + (n,)), tag=tag)
    return (x, y, M, S), tuple(dual(v) for v in (x, y, M, S))


def _ufunc_cases():
    """Every smooth or zero ufunc rule, scipy.special's too where scipy is installed:
    unary on x, binary on (x, y), within its domain, a dual where the rule differentiates;
    name -> (ufunc, domain, which arguments are duals)."""
    try:                                       # scipy.special's rows, as a user's
        import scipy.special                   # noqa: F401  (import of it adds them)
        rule_for(scipy.special.erfcx)
    except ImportError:
        pass
    cases = {}
    for ufunc, rule in RULES.items():
        if rule.kind not in ("smooth", "zero"):
            continue
        domain = rule.domain or ((0.2, 0.9),) * ufunc.nin
        prefix = "np" if getattr(np, ufunc.__name__, None) is ufunc else "sc"
        cases[f"{prefix}.{ufunc.__name__}"] = (ufunc, domain,
                                               [d is not None for d in rule.derivs])
    return cases


VIEW_LIMIT = 6e-6          # seconds per call for an O(1) view (see the table's header)


def _limit(kind, N, n):
    if N >= 1000:
        return 8.0 * (n + 1) / 5.0
    return 3.0 if kind == "ufunc" else None


def _progress(name, N, n, r):
    """One row as it is timed, on stderr (a long run shows where it is)."""
    text = r if isinstance(r, str) else f"{r[1]:.1f}x {r[0] * 1e6:.0f}us"
    print(f"  {name} N={N:g} n={n}: {text}", file=sys.stderr, flush=True)


def run(quick, cells=None, only=None):
    rng = np.random.default_rng(0)
    ns = (4,) if quick else (1, 4, 16)
    Ns = (10, 100_000) if quick else (10, 1000, 100_000)
    if cells:
        Ns = tuple(sorted({N for N, _ in cells}))
        ns = tuple(sorted({n for _, n in cells}))
    repeat, min_time = (3, 0.003) if quick else (5, 0.004)
    cases = _cases()
    registered = sorted({function_name(f) for f in HANDLED} | {function_name(f) for f in LINALG})
    missing = [name for name in registered if name not in cases and name not in VALUES_ONLY]
    if only:
        cases = {k: v for k, v in cases.items() if any(o in k for o in only)}
    ufuncs = _ufunc_cases()
    rows = {}                      # (name, N, n) -> ratio
    kinds = {}
    for N in Ns:
        for n in ns:
            if cells and (N, n) not in cells:
                continue
            floats, duals = _inputs(N, n, rng)
            for name, (kind, fn) in cases.items():
                kinds[name] = kind
                try:
                    rows[name, N, n] = ratio(lambda: fn(*duals), lambda: fn(*floats),
                                             repeat, min_time)
                except Exception as exc:                        # noqa: BLE001
                    rows[name, N, n] = f"error: {type(exc).__name__}"
                _progress(name, N, n, rows[name, N, n])
            for name, (ufunc, domain, dual_at) in ufuncs.items():
                if only and not any(o in name for o in only):
                    continue
                kinds[name] = "ufunc"
                args = [d[0] + (d[1] - d[0]) * rng.uniform(0.1, 0.9, N) for d in domain]
                args = [np.round(a).astype(int) if len(d) > 2 else a
                        for a, d in zip(args, domain)]
                tag = new_tag()
                dargs = [dg.Dual(a, rng.standard_normal(a.shape + (n,)), tag=tag)
                         if a.dtype == float and at else a for a, at in zip(args, dual_at)]
                try:
                    rows[name, N, n] = ratio(lambda: ufunc(*dargs), lambda: ufunc(*args),
                                             repeat, min_time)
                except Exception as exc:                        # noqa: BLE001
                    rows[name, N, n] = f"error: {type(exc).__name__}"
                _progress(name, N, n, rows[name, N, n])
            print(f"N = {N}, n = {n}: done", file=sys.stderr, flush=True)
    return rows, kinds, missing, ns, Ns


def report(rows, kinds, missing, ns, Ns):
    best = {}
    for (name, N, n), r in rows.items():
        if isinstance(r, tuple):
            key = (kinds[name], N, n)
            best[key] = min(best.get(key, np.inf), r[1])
    measured = {(N, n) for (_, N, n) in rows}
    header = ["function", "kind"] + [f"N={N:g} n={n}" for N in Ns for n in ns
                                     if (N, n) in measured]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    misses = []
    for name in sorted(kinds, key=lambda s: (kinds[s], s)):
        cells = []
        for N in Ns:
            for n in ns:
                r = rows.get((name, N, n))
                if r is None:
                    continue
                if not isinstance(r, tuple):
                    cells.append(str(r))
                    continue
                ratio = r[1]
                limit = _limit(kinds[name], N, n)
                marks = []
                if kinds[name] == "view":            # O(1): an absolute limit, see header
                    if r[0] > VIEW_LIMIT:
                        marks.append(f"> {VIEW_LIMIT * 1e6:g} us")
                    if marks:
                        misses.append(f"{name} N={N:g} n={n}: {r[0] * 1e6:.1f} us "
                                      f"({', '.join(marks)})")
                    cells.append(f"{ratio:.1f}x {r[0] * 1e6:.1f}us" +
                                 (" **" + ", ".join(marks) + "**" if marks else ""))
                    continue
                if limit is not None and ratio > limit:
                    marks.append(f"> {limit:g}x")
                if N >= 1000 and ratio > 2 * best[kinds[name], N, n] and ratio > 2.0:
                    marks.append("> 2x kind")
                if marks:
                    misses.append(f"{name} N={N:g} n={n}: {ratio:.1f}x ({', '.join(marks)})")
                cells.append(f"{ratio:.1f}x" + (" **" + ", ".join(marks) + "**" if marks else ""))
        lines.append("| " + " | ".join([name, kinds[name]] + cells) + " |")
    table = "\n".join(lines)
    met = sum(1 for r in rows.values() if isinstance(r, tuple)) - len(misses)
    text = ["## Every registered function and ufunc rule on array duals (bench/bench_functions.py)",
            "",
            "One call on duals with n partials over the same call on floats, timed back to "
            "back in each repeat (median of the ratios). Limits: at N >= 1e3, 8 (n + 1) / 5 times the float call (8x at n = 4); "
            "at N = 10, 3x for ufunc rules; '> 2x kind': more than twice the best ratio of "
            "its kind at that (N, n). Views (kind 'view': reshape, transpose, flip, real, "
            "...) are O(1): NumPy makes one in ~0.3 us whatever N, and so does dualgrad "
            "for value and partials, so their ratio measures a fixed dispatch against a "
            "fixed view, not the partials, and no multiple of N work applies; they are "
            f"held instead to at most {VIEW_LIMIT * 1e6:g} us per call at every (N, n) "
            "(the cell shows the ratio and the median time of one call).",
            "",
            f"{met} cells within their limits, {len(misses)} misses.",
            "",
            table, ""]
    if missing:
        text += ["Registered functions with no case here: " + ", ".join(missing), ""]
    text += ["Values-only functions (no partials move), not timed: " + ", ".join(VALUES_ONLY), ""]
    return "\n".join(text), misses


def _option(name):
    """The value after ``name`` on the command line, or None."""
    if name in sys.argv:
        return sys.argv[sys.argv.index(name) + 1]
    return None


def main():
    known = {"--quick", "--cells", "--only"}
    unknown = [a for i, a in enumerate(sys.argv[1:]) if a.startswith("-") and a not in known]
    if unknown:                            # --help too: the usage, nothing run
        print(__doc__)
        sys.exit(0 if unknown[0] in ("-h", "--help") else f"unknown option {unknown[0]}")
    quick = "--quick" in sys.argv
    cells = _option("--cells")        # "100000:4,1000:16": (N, n) cells to time
    cells = cells and {tuple(int(float(v)) for v in c.split(":")) for c in cells.split(",")}
    only = _option("--only")          # "np.dot,np.sort": rows whose name contains one
    only = only and only.split(",")
    rows, kinds, missing, ns, Ns = run(quick, cells, only)
    text, misses = report(rows, kinds, missing, ns, Ns)
    if not (quick or cells or only):       # a partial run only prints
        (HERE / "RESULTS_functions.md").write_text(text)
    print(text)
    print(f"{len(misses)} misses", file=sys.stderr)


if __name__ == "__main__":
    main()
