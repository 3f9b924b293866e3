"""The sparse heat step's `L @ u`: one kernel pass (backend.sparse_dual) against SciPy's two products.

    python bench/sparse_ab.py [--cells 100000] [--steps 200] [--rounds 9] [--dia]
                              [--compare OTHER_CHECKOUT [--alone]]

bench/problems.py's ``heat_sparse`` under ``dg.jacobian`` in one process, three ways
alternating (their order rotating each round): ``f`` itself; dualgrad as it is, where a
CSR ``L @ u`` of a 1-D dual computes the value and the partials in one pass over ``L``
(``backend.sparse_dual``); and dualgrad with that kernel declined (``backend.sparse_dual``
answering ``None`` for the round: dispatch then takes SciPy's ``L @ u.value`` and
``L @ partials``, the path before it).  The two Jacobians are compared bit for bit
first.  Prints the load, the medians of process time per call and their ratios to f, and
the median of the per-round ratios kernel / SciPy.  ``--dia``: the same step with the
Laplacian in ``sp.diags``'s default format (DIA) instead of CSR.  ``--compare OTHER``: a
fourth way, ``before``: dualgrad as it is but for the kernel (``csr_dual``, or ``dia_dual``
with ``--dia``), which is OTHER's source of it (``dualgrad/backend/_numba_kernels.py``)
compiled in this process as this checkout compiles its own (LLVM's SLP vectorizer, the
same signature; not cached) and put in the kernel module's place for the round; its
Jacobian too is compared bit for bit first, and the median of the per-round ratios
kernel / before is printed, and the process time spent inside the two product kernels
per call (each wrapped by a timer in both ways).  ``--alone`` (with ``--compare``): the two kernels alone
instead, on the heat step's Laplacian and random ``u`` and partials (``--cells`` x 4),
their results compared bit for bit with SciPy's first, alternating, ``--rounds`` x 20
calls each, wall time per call: medians with the operands in cache ("hot") and after a
32 MB array is written between calls ("cold"), and the median ratio kernel / before.
Nothing is written.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)

import numpy as np  # noqa: E402


def heat_dia(p, n, steps, dt=0.01):
    """problems.heat_sparse with ``sp.diags``'s default format (DIA) for the Laplacian."""
    import scipy.sparse as sp
    kappa, amp, width, rate = p[0], p[1], p[2], p[3]
    s = np.linspace(0.0, 1.0, n)
    u = amp * np.exp(-((s - 0.5) / width) ** 2)
    inner = np.ones(n)
    inner[[0, -1]] = 0.0
    L = sp.diags([inner[1:], -2.0 * inner, inner[:-1]], [-1, 0, 1])
    for _ in range(steps):
        u = u + kappa * (L @ u) + inner * (dt * rate * u * (1.0 - u))
    return u


def other_kernel(other, name):
    """The kernel ``name`` of ``_numba_kernels.py`` in the checkout ``other``, compiled
    here (its text run in a copy of this checkout's module namespace, for the signature
    its own ``_vector`` mark gives), called as this checkout's kernel is: before stop 50
    the kernels took the partials and the result as ``(N, n)`` arrays, since then flat
    with ``n`` last (a view of the same memory either way)."""
    import ast
    from dualgrad.backend import _numba_kernels as kernels
    from dualgrad.backend._fusedgen import vectorizing
    from dualgrad.backend._jit import njit
    path = Path(other) / "dualgrad" / "backend" / "_numba_kernels.py"
    tree = ast.parse(path.read_text())
    fn = next(node for node in tree.body
              if isinstance(node, ast.FunctionDef) and node.name == name)
    mark = next(d for d in fn.decorator_list
                if isinstance(d, ast.Call) and getattr(d.func, "id", "") == "_vector")
    space = dict(vars(kernels))
    signature = tuple(eval(compile(ast.Expression(a), str(path), "eval"), space)
                      for a in mark.args)
    fn.decorator_list = []
    exec(compile(ast.Module([fn], []), str(path), "exec"), space)
    dispatcher = njit(**dict(kernels._JIT, cache=False))(space[name])
    with vectorizing():
        dispatcher.compile(signature)
    if len(signature) == len(kernels._VECTOR[name]):
        return dispatcher

    def two_dimensional(*args):        # this checkout's flat arguments, OTHER's 2-D ones
        *head, flat, value, res, n = args
        return dispatcher(*head, flat.reshape(-1, n), value, res.reshape(-1, n))
    return two_dimensional


def alone(other, cells, rounds, dia):
    """``--alone``: this checkout's kernel and OTHER's on the heat Laplacian."""
    import scipy.sparse as sp
    from dualgrad.backend import _numba_kernels
    name = "dia_dual" if dia else "csr_dual"
    mine, theirs = getattr(_numba_kernels, name), other_kernel(other, name)
    inner = np.ones(cells)
    inner[[0, -1]] = 0.0
    L = sp.diags([inner[1:], -2.0 * inner, inner[:-1]], [-1, 0, 1],
                 format="dia" if dia else "csr")
    rng = np.random.default_rng(0)
    x, p = rng.random(cells), rng.random((cells, 4))
    args = (L.offsets, L.data) if dia else (L.indptr, L.indices, L.data)
    want = (L @ x, L @ p)
    for fn in (mine, theirs):
        value, out = np.empty(cells), np.empty((cells, 4))
        assert fn(*args, x, p.reshape(-1), value, out.reshape(-1), 4)
        assert all(np.array_equal(a.view(np.int64), b.view(np.int64))
                   for a, b in zip((value, out), want)), "not SciPy's bits"
    value, out = np.empty(cells), np.empty((cells, 4))
    p, out = p.reshape(-1), out.reshape(-1)
    big = np.zeros(4 << 20)
    print(f"load before: {os.getloadavg()}", flush=True)
    for cold in (False, True):
        times = {"kernel": [], "before": []}
        for r in range(20 * rounds):
            for side, fn in (("kernel", mine), ("before", theirs))[::1 - 2 * (r % 2)]:
                if cold:
                    big += 1.0
                t0 = time.perf_counter()
                fn(*args, x, p, value, out, 4)
                times[side].append(time.perf_counter() - t0)
        ratio = statistics.median(k / b for k, b in zip(times["kernel"], times["before"]))
        print(f"{'cold' if cold else 'hot'}: {name} " + ", ".join(
            f"{side} {1e6 * statistics.median(t):.0f} us" for side, t in times.items()) +
            f"; kernel / before {ratio:.3f}")
    print(f"load after: {os.getloadavg()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--dia", action="store_true")
    parser.add_argument("--compare", metavar="OTHER_CHECKOUT")
    parser.add_argument("--alone", action="store_true")
    opts = parser.parse_args()
    if opts.alone:
        alone(opts.compare, opts.cells, opts.rounds, opts.dia)
        return
    import dualgrad as dg
    import problems
    from dualgrad import backend
    real = backend.sparse_dual
    form = heat_dia if opts.dia else problems.heat_sparse

    def f():
        return form(problems.HEAT_P, n=opts.cells, steps=opts.steps)

    def jac():
        return dg.jacobian(lambda p: form(p, n=opts.cells, steps=opts.steps), problems.HEAT_P)

    def kernel():
        backend.sparse_dual = real
        return jac()

    def scipy():
        backend.sparse_dual = lambda S, x, p: None
        try:
            return jac()
        finally:
            backend.sparse_dual = real

    a, b = np.asarray(kernel()), np.asarray(scipy())
    assert np.array_equal(a.view(np.int64), b.view(np.int64)), "the Jacobians differ"
    ways = {"f": f, "kernel": kernel, "scipy": scipy}
    if opts.compare:
        from dualgrad.backend import _kernels, _numba_kernels
        which = "dia_dual" if opts.dia else "csr_dual"    # (not ``name``: the loop's)
        mine, theirs = getattr(_numba_kernels, which), other_kernel(opts.compare, which)
        assert _kernels._kernels() is _numba_kernels
        inside = {"kernel": [0.0], "before": [0.0]}

        def clocked(fn, spent):
            def kernel(*args):
                t0 = time.process_time()
                try:
                    return fn(*args)
                finally:
                    spent[0] += time.process_time() - t0
            return kernel
        mine_timed = clocked(mine, inside["kernel"])
        theirs_timed = clocked(theirs, inside["before"])
        setattr(_numba_kernels, which, mine_timed)

        def before():
            setattr(_numba_kernels, which, theirs_timed)
            try:
                return jac()
            finally:
                setattr(_numba_kernels, which, mine_timed)

        c = np.asarray(before())
        assert np.array_equal(a.view(np.int64), c.view(np.int64)), "the Jacobians differ"
        ways["before"] = before
    times = {name: [] for name in ways}
    print(f"load before: {os.getloadavg()}", flush=True)
    names = list(ways)
    spent = {"kernel": [], "before": []}
    for r in range(opts.rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            if opts.compare and name in spent:
                inside[name][0] = 0.0
            t0 = time.process_time()
            ways[name]()
            times[name].append(time.process_time() - t0)
            if opts.compare and name in spent:
                spent[name].append(inside[name][0])
    print(f"load after: {os.getloadavg()}")
    fm = statistics.median(times["f"])
    for name in names:
        m = statistics.median(times[name])
        print(f"{name}: {1e3 * m:.1f} ms ({m / fm:.2f}x f)")
    ratio = statistics.median(k / s for k, s in zip(times["kernel"], times["scipy"]))
    print(f"kernel / scipy (median of rounds): {ratio:.3f}")
    if opts.compare:
        ratio = statistics.median(k / b for k, b in zip(times["kernel"], times["before"]))
        print(f"kernel / before (median of rounds): {ratio:.3f}")
        inner = statistics.median(k / b for k, b in zip(spent["kernel"], spent["before"]))
        print(f"inside the product kernel per call: kernel "
              f"{1e3 * statistics.median(spent['kernel']):.1f} ms, before "
              f"{1e3 * statistics.median(spent['before']):.1f} ms; kernel / before {inner:.3f}")


if __name__ == "__main__":
    main()
