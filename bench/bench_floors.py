"""What bounds the rows of ``bench_functions.py`` above 8x at N = 1e5, n = 4 (issue 13).

    python bench/bench_floors.py                  # every row below, 5 repeats
    python bench/bench_floors.py --repeat 9 --only np.add,np.dot
    python bench/bench_floors.py --fastest --repeat 30   # ratios of the fastest calls

For each row: the call on duals, the same call on floats, and a *floor* in plain NumPy:
the value's own call plus the least work on the partials arrays that any unfused
propagation must do (read each input partials array once and write the result once,
with its BLAS call where the row is a product, one ``np.take`` of the rows of ``n``
partials where it is a gather), into a preallocated output, no
dispatch, no allocation.  The three are timed back to back in each repeat (each
against its float call: ``bench_functions.ratio``), so a busy machine slows them
alike; the table gives the medians of the ratios (``--fastest``: the ratios of each
call's fastest time over ``repeat`` calls of the three in turn, which a loaded
machine's stalls disturb less than a median of short samples):

* ``dual / float``: the row of ``bench_functions.py --cells 100000:4``;
* ``floor / float``: what NumPy itself needs for the partials' work (at n = 4 a
  memory-bound row moves (n + 1) = 5 times the float call's bytes);
* ``dual / floor``: what dualgrad adds on top (dispatch, checks, temporaries);
* ``faults / call``: minor page faults per dual call (``/proc/self/stat``), over 20 calls
  after the timing: fresh pages for a partials array of 3.2 MB would show as ~780.

A row whose ``floor / float`` is above 8 cannot reach issue 13's 8x by propagation
alone; a row whose ``dual / floor`` is well above 1 has work to remove.
"""

import os
import resource
import statistics
import time
import sys
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):    # before NumPy loads its BLAS
    os.environ.setdefault(_var, "1")

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]        # this checkout's dualgrad

import numpy as np  # noqa: E402

import bench_functions as bf  # noqa: E402  (loads the kernels: the steady state)

N, n = 100_000, 4


def _rows(x, y, M, X, Y, D):
    """name -> (dual call, float call, floor call); ``X``, ``Y``, ``D``: duals of
    ``x``, ``y``, ``M``."""
    P, Q, R = X.partials, Y.partials, np.empty((N, n))
    R2 = np.empty((2 * N, n))
    MP = D.partials
    b, q = M[0], MP[0]
    RM = np.empty((M.shape[0], n))
    RC = np.empty(MP.shape)
    RS = np.empty((N // 10, n))
    IDX = bf.IDX
    RP = np.empty((N + 4, n))
    T = np.linspace(0.0, 1.0, N)
    xm = x - 0.55
    XM = X - 0.55
    return {
        # binary elementwise: read two partials arrays, write one
        "np.add": (lambda: np.add(X, Y), lambda: np.add(x, y),
                   lambda: (np.add(x, y), np.add(P, Q, out=R))),
        "np.multiply": (lambda: np.multiply(X, Y), lambda: np.multiply(x, y),
                        lambda: (np.multiply(x, y), np.add(P, Q, out=R))),
        "np.maximum": (lambda: np.maximum(X, Y), lambda: np.maximum(x, y),
                       lambda: (np.maximum(x, y), np.add(P, Q, out=R))),
        "np.minimum": (lambda: np.minimum(X, Y), lambda: np.minimum(x, y),
                       lambda: (np.minimum(x, y), np.add(P, Q, out=R))),
        "np.fmax": (lambda: np.fmax(X, Y), lambda: np.fmax(x, y),
                    lambda: (np.fmax(x, y), np.add(P, Q, out=R))),
        "np.fmin": (lambda: np.fmin(X, Y), lambda: np.fmin(x, y),
                    lambda: (np.fmin(x, y), np.add(P, Q, out=R))),
        # unary elementwise: read one partials array, write one
        "np.square": (lambda: np.square(X), lambda: np.square(x),
                      lambda: (np.square(x), np.multiply(P, 2.0, out=R))),
        "np.absolute": (lambda: np.absolute(X), lambda: np.absolute(x),
                        lambda: (np.absolute(x), np.multiply(P, 2.0, out=R))),
        "np.clip": (lambda: np.clip(X, -0.5, 0.5), lambda: np.clip(x, -0.5, 0.5),
                    lambda: (np.clip(x, -0.5, 0.5), np.copyto(R, P))),
        # a selection with a constant (array, number): read one partials array, write one;
        # np.absolute at values of both signs (x - 0.55: a sign that changes at random)
        "np.maximum(X, y)": (lambda: np.maximum(X, y), lambda: np.maximum(x, y),
                             lambda: (np.maximum(x, y), np.copyto(R, P))),
        "np.maximum(X, 0.55)": (lambda: np.maximum(X, 0.55), lambda: np.maximum(x, 0.55),
                                lambda: (np.maximum(x, 0.55), np.copyto(R, P))),
        "np.absolute(X - 0.55)": (lambda: np.absolute(XM), lambda: np.absolute(xm),
                                  lambda: (np.absolute(xm), np.multiply(P, 2.0, out=R))),
        # copies: every partials element written once
        "np.concatenate": (lambda: np.concatenate([X, Y]), lambda: np.concatenate([x, y]),
                           lambda: (np.concatenate([x, y]),
                                    np.concatenate([P, Q], out=R2))),
        # products: the BLAS calls the partials need, on the partials as they lie
        "np.dot": (lambda: np.dot(X, Y), lambda: np.dot(x, y),
                   lambda: (np.dot(x, y), np.matmul(y, P), np.matmul(x, Q))),
        "np.matmul": (lambda: D @ D[0], lambda: M @ b,
                      lambda: (M @ b, np.matmul(b, MP, out=RM), M @ q)),
        "np.cov": (lambda: np.cov(D), lambda: np.cov(M),
                   lambda: (np.cov(M), np.matmul(M, MP, out=RC))),
        # the same contractions as np.dot / np.matmul
        "np.vdot": (lambda: np.vdot(X, Y), lambda: np.vdot(x, y),
                    lambda: (np.vdot(x, y), np.matmul(y, P), np.matmul(x, Q))),
        "np.inner": (lambda: np.inner(X, Y), lambda: np.inner(x, y),
                     lambda: (np.inner(x, y), np.matmul(y, P), np.matmul(x, Q))),
        "np.vecdot": (lambda: np.vecdot(X, Y), lambda: np.vecdot(x, y),
                      lambda: (np.vecdot(x, y), np.matmul(y, P), np.matmul(x, Q))),
        "np.einsum": (lambda: np.einsum("i,i->", X, Y), lambda: np.einsum("i,i->", x, y),
                      lambda: (np.einsum("i,i->", x, y), np.matmul(y, P), np.matmul(x, Q))),
        "np.tensordot": (lambda: np.tensordot(D, D[0], 1), lambda: np.tensordot(M, b, 1),
                         lambda: (np.tensordot(M, b, 1), np.matmul(b, MP, out=RM), M @ q)),
        # copies: every partials element written once
        "np.stack": (lambda: np.stack([X, Y]), lambda: np.stack([x, y]),
                     lambda: (np.stack([x, y]), np.concatenate([P, Q], out=R2))),
        "np.vstack": (lambda: np.vstack([X, Y]), lambda: np.vstack([x, y]),
                      lambda: (np.vstack([x, y]), np.concatenate([P, Q], out=R2))),
        "np.meshgrid": (lambda: np.meshgrid(D[0], D[1]), lambda: np.meshgrid(b, M[1]),
                        lambda: (np.meshgrid(b, M[1]),
                                 np.copyto(RC, np.broadcast_to(q, MP.shape)),
                                 np.copyto(RC, np.broadcast_to(MP[1][:, None], MP.shape)))),
        # copies (stop 27): every partials element written once; where the partials
        # come from one array, one np.copyto of it
        "np.copy": (lambda: np.copy(X), lambda: np.copy(x),
                    lambda: (np.copy(x), np.copyto(R, P))),
        "np.roll": (lambda: np.roll(X, 1), lambda: np.roll(x, 1),
                    lambda: (np.roll(x, 1), np.copyto(R, P))),
        "np.hstack": (lambda: np.hstack([X, Y]), lambda: np.hstack([x, y]),
                      lambda: (np.hstack([x, y]), np.concatenate([P, Q], out=R2))),
        "np.append": (lambda: np.append(X, Y), lambda: np.append(x, y),
                      lambda: (np.append(x, y), np.concatenate([P, Q], out=R2))),
        "np.column_stack": (lambda: np.column_stack([X, Y]), lambda: np.column_stack([x, y]),
                            lambda: (np.column_stack([x, y]),
                                     np.stack([P, Q], axis=1, out=R2.reshape(N, 2, n)))),
        "np.tile": (lambda: np.tile(X, 2), lambda: np.tile(x, 2),
                    lambda: (np.tile(x, 2), np.concatenate([P, P], out=R2))),
        "np.resize": (lambda: np.resize(X, 2 * N), lambda: np.resize(x, 2 * N),
                      lambda: (np.resize(x, 2 * N), np.concatenate([P, P], out=R2))),
        "np.pad": (lambda: np.pad(X, 2), lambda: np.pad(x, 2), lambda: _pad_floor(x, P, RP)),
        "np.tril": (lambda: np.tril(D), lambda: np.tril(M),
                    lambda: (np.tril(M), np.copyto(RC, MP))),
        "np.triu": (lambda: np.triu(D), lambda: np.triu(M),
                    lambda: (np.triu(M), np.copyto(RC, MP))),
        # zero partials: one pass writing them (NumPy's zeros_like writes its zeros)
        "np.zeros_like": (lambda: np.zeros_like(X), lambda: np.zeros_like(x),
                          lambda: (np.zeros_like(x), R.fill(0.0))),
        "np.full_like": (lambda: np.full_like(X, 2.0), lambda: np.full_like(x, 2.0),
                         lambda: (np.full_like(x, 2.0), R.fill(0.0))),
        # creation: linspace's partials, (1 - t) dx0 + t dx1, written once
        "np.linspace": (lambda: np.linspace(X[0], X[1], N), lambda: np.linspace(x[0], x[1], N),
                        lambda: (np.linspace(x[0], x[1], N),
                                 np.multiply.outer(T, P[0], out=R))),
        # gathers: the value's gather and one np.take of the partials' rows
        "fancy indexing": (lambda: X[IDX], lambda: x[IDX],
                           lambda: (x[IDX], np.take(rows(P), IDX, mode="wrap",
                                                    out=rows(R)))),
        "np.take": (lambda: np.take(X, IDX), lambda: np.take(x, IDX),
                    lambda: (np.take(x, IDX), np.take(rows(P), IDX, mode="wrap",
                                                      out=rows(R)))),
        "np.take_along_axis": (lambda: np.take_along_axis(X, IDX, 0),
                               lambda: np.take_along_axis(x, IDX, 0),
                               lambda: (np.take_along_axis(x, IDX, 0),
                                        np.take(rows(P), IDX, mode="wrap", out=rows(R)))),
        "np.sort": (lambda: np.sort(X), lambda: np.sort(x),
                    lambda: _sort_floor(x, P, R)),
        # scans: one pass reading the partials and writing the result
        "np.convolve": (lambda: np.convolve(X, TAPS), lambda: np.convolve(x, TAPS),
                        lambda: (np.convolve(x, TAPS), np.copyto(R, P))),
        "np.correlate": (lambda: np.correlate(X, TAPS), lambda: np.correlate(x, TAPS),
                         lambda: (np.correlate(x, TAPS), np.copyto(R, P))),
        "np.cumprod": (lambda: np.cumprod(X), lambda: np.cumprod(x),
                       lambda: (np.cumprod(x), np.multiply(P, 2.0, out=R))),
        # reductions: one pass reading the partials
        "reshape.T.sum": (lambda: np.reshape(X, (-1, 10)).T.sum(axis=0),
                          lambda: np.reshape(x, (-1, 10)).T.sum(axis=0),
                          lambda: (np.reshape(x, (-1, 10)).T.sum(axis=0),
                                   np.add.reduce(P.reshape(-1, 10, n), axis=1, out=RS))),
    }


def _small_linalg(S, SD):
    """bench_functions' linear algebra rows: a 4 x 4 matrix ``S`` whatever N (a fixed
    cost per call); the floor is the value's LAPACK call and the one NumPy call its
    derivative needs at least (a solve against the n directions as columns, or the
    eigenvectors and one contraction)."""
    SP = SD.partials
    cols = SP.reshape(S.shape[0], -1)
    return {
        "np.linalg.det": (lambda: np.linalg.det(SD), lambda: np.linalg.det(S),
                          lambda: (np.linalg.det(S), np.linalg.solve(S, cols))),
        "np.linalg.slogdet": (lambda: np.linalg.slogdet(SD), lambda: np.linalg.slogdet(S),
                              lambda: (np.linalg.slogdet(S), np.linalg.solve(S, cols))),
        "np.linalg.cholesky": (lambda: np.linalg.cholesky(SD), lambda: np.linalg.cholesky(S),
                               lambda: np.linalg.solve(np.linalg.cholesky(S), cols)),
        "np.linalg.eigvalsh": (lambda: np.linalg.eigvalsh(SD), lambda: np.linalg.eigvalsh(S),
                               lambda: _eigvalsh_floor(S, SP)),
        # the value's call and one solve of the normal equations' n right-hand sides
        "np.linalg.lstsq": (lambda: np.linalg.lstsq(SD, SD[0]), lambda: np.linalg.lstsq(S, S[0]),
                            lambda: (np.linalg.lstsq(S, S[0]),
                                     np.linalg.solve(S.T @ S, SP[0]))),
    }


def _eigvalsh_floor(S, SP):
    """The eigenvectors (the derivative needs them) and ``diag(V^T dS V)`` per direction."""
    V = np.linalg.eigh(S)[1]
    return np.einsum("ji,jkd,ki->id", V, SP, V)


TAPS = [1.0, -2.0, 1.0]


def rows(p):
    """``p``'s rows of ``n`` partials as one opaque item each (what dualgrad gathers)."""
    return p.view(np.dtype((np.void, p.itemsize * p.shape[-1])))[..., 0]


def _pad_floor(x, P, RP):
    """``np.pad(x, 2)`` and its partials: the copy and the two ends' zeros."""
    np.pad(x, 2)
    RP[:2] = 0.0
    RP[-2:] = 0.0
    np.copyto(RP[2:-2], P)


def _faults():
    """Minor page faults of this process so far: field 10 of /proc/self/stat (on
    this VM ``getrusage`` read 0); ``getrusage`` where there is no /proc."""
    try:
        with open("/proc/self/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[7])
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def _sort_floor(x, P, R):
    """The order (a sort of the values has to find it), the values and the partials'
    rows taken in it."""
    order = np.argsort(x)
    np.take(x, order)
    np.take(rows(P), order, mode="wrap", out=rows(R))


def run(repeat, only, fastest=False):
    rng = np.random.default_rng(0)
    floats, duals = bf._inputs(N, n, rng)
    x, y, M, S = floats
    X, Y, D, SD = duals
    rows = _rows(x, y, M, X, Y, D)
    rows.update(_small_linalg(S, SD))
    if only:
        rows = {k: v for k, v in rows.items() if any(o in k for o in only)}
    out = {}
    for name, (dual, plain, floor) in rows.items():
        d, f = [], []
        if fastest:                                   # the three interleaved, call by call
            best = [np.inf] * 3
            for _ in range(repeat):
                for k, fn in enumerate((dual, plain, floor)):
                    fn()
                    t0 = time.perf_counter()
                    fn()
                    best[k] = min(best[k], time.perf_counter() - t0)
            d, f = [best[0] / best[1]], [best[2] / best[1]]
        for _ in range(0 if fastest else repeat):     # dual and floor interleaved
            d.append(bf.ratio(dual, plain, 1, 0.004)[1])
            f.append(bf.ratio(floor, plain, 1, 0.004)[1])
        before = _faults()
        for _ in range(20):
            dual()
        faults = (_faults() - before) / 20
        out[name] = (statistics.median(d), statistics.median(f),
                     statistics.median(a / b for a, b in zip(d, f)), faults)
        print(f"{name}: done", file=sys.stderr, flush=True)
    return out


def main():
    args = sys.argv[1:]
    repeat = int(args[args.index("--repeat") + 1]) if "--repeat" in args else 5
    only = args[args.index("--only") + 1].split(",") if "--only" in args else None
    fastest = "--fastest" in args
    out = run(repeat, only, fastest)
    if fastest:
        print(f"N = {N}, n = {n}: ratios of the fastest of {repeat} calls each (the three "
              "calls interleaved)\n")
    else:
        print(f"N = {N}, n = {n}: medians of {repeat} repeats (each ratio against the float "
              "call timed beside it)\n")
    print("| row | dual / float | floor / float | dual / floor | faults / call |")
    print("|---|---|---|---|---|")
    for name, (d, f, r, faults) in out.items():
        print(f"| {name} | {d:.1f}x | {f:.1f}x | {r:.2f} | {faults:.0f} |")


if __name__ == "__main__":
    main()
