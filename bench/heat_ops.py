"""Where a heat step's time goes, operation by operation: f's NumPy against dualgrad's.

    python bench/heat_ops.py [--cells N] [--steps S] [--repeat R] [--only roll|diff|slicing|sparse]

The slicing, ``np.roll`` and ``np.diff`` steps of bench/problems.py (``heat``,
``heat_roll``, ``heat_diff``: the last added by heat54),
written out one operation a line with a clock read between lines (the same
operations in the same order, so the same values and the same deferred graph),
run on plain floats (f) and under ``dg.jacobian`` (the default engine, every
structure compiled first), twice: with the fused kernels and with each fused kernel
replaced by a function that does nothing (results wrong: what is left is NumPy's
values and dualgrad's Python).  Per operation, the median over all steps of all
repeats of its wall time (a median over hundreds of samples: a step descheduled by
another process's work moves few of them), in microseconds; ``dg - f`` is what
dualgrad adds to that operation, ``kernel`` the share of it the fused kernel takes
(real minus stubbed: the operation that needs the partials runs it).  The step's
Jacobian is checked against problems.py's own form's (bit for bit) first.  Also the
time a step spends in ``_fused._plan`` (the kernel's structure key and arguments, once
a step) in the stubbed runs.  Nothing is written.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)

import numpy as np  # noqa: E402

CLOCK = time.perf_counter_ns


def heat_timed(p, n, steps, dt=0.01, log=None):
    """problems.heat, one operation a line, each timed into ``log`` (a list of tuples).
    Each temporary is dropped right after the operation that consumes it, in that
    operation's time (as Python drops an expression's temporaries): a dual still held
    would be one more output of the kernel."""
    kappa, amp, width, rate = p[0], p[1], p[2], p[3]
    s = np.linspace(0.0, 1.0, n)
    u = amp * np.exp(-((s - 0.5) / width) ** 2)
    for _ in range(steps):
        t0 = CLOCK()
        a = u[2:]
        t1 = CLOCK()
        b = u[1:-1]
        t2 = CLOCK()
        c = 2.0 * b
        del b
        t3 = CLOCK()
        e = a - c
        del a, c
        t4 = CLOCK()
        g = u[:-2]
        t5 = CLOCK()
        lap = e + g
        del e, g
        t6 = CLOCK()
        v = u[1:-1]                     # (Python reads the target before the right side)
        t7 = CLOCK()
        h = kappa * lap
        t8 = CLOCK()
        k = dt * rate
        t9 = CLOCK()
        m = u[1:-1]
        t10 = CLOCK()
        q = k * m
        del k, m
        t11 = CLOCK()
        r = u[1:-1]
        t12 = CLOCK()
        w = 1.0 - r
        del r
        t13 = CLOCK()
        y = q * w
        del q, w
        t14 = CLOCK()
        z = h + y
        del h, y
        t15 = CLOCK()
        v += z                          # (the kernel runs here: add_into)
        del z
        t16 = CLOCK()
        u[1:-1] = v                     # (Python's store after the in-place operator)
        del v
        t17 = CLOCK()
        log.append((t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14,
                    t15, t16, t17))
    return u


HEAT_OPS = ["u[2:]", "u[1:-1]", "2.0 * .", "- (sub)", "u[:-2]", "+ (lap)", "u[1:-1] (target)",
            "kappa * lap", "dt * rate", "u[1:-1]", "(dt*rate) * .", "u[1:-1]", "1.0 - .",
            "* (react)", "+ (rhs)", "+= (kernel)", "u[1:-1] = v"]


def heat_roll_timed(p, n, steps, dt=0.01, log=None):
    """problems.heat_roll, one operation a line, each timed into ``log`` (temporaries
    dropped as in :func:`heat_timed`)."""
    kappa, amp, width, rate = p[0], p[1], p[2], p[3]
    s = np.linspace(0.0, 1.0, n)
    u = amp * np.exp(-((s - 0.5) / width) ** 2)
    inner = np.ones(n)
    inner[[0, -1]] = 0.0
    lap = None
    for _ in range(steps):
        t0 = CLOCK()
        a = np.roll(u, -1)              # (the kernel of the step before runs here)
        t1 = CLOCK()
        b = 2.0 * u
        t2 = CLOCK()
        c = a - b
        del a, b
        t3 = CLOCK()
        e = np.roll(u, 1)
        t4 = CLOCK()
        lap = c + e
        del c, e
        t5 = CLOCK()
        h = kappa * lap
        t6 = CLOCK()
        k = dt * rate
        t7 = CLOCK()
        m = k * u
        del k
        t8 = CLOCK()
        w = 1.0 - u
        t9 = CLOCK()
        y = m * w
        del m, w
        t10 = CLOCK()
        z = h + y
        del h, y
        t11 = CLOCK()
        i = inner * z
        del z
        t12 = CLOCK()
        u = u + i
        del i
        t13 = CLOCK()
        log.append((t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13))
    return u


ROLL_OPS = ["np.roll(u, -1) (kernel)", "2.0 * u", "- (sub)", "np.roll(u, 1)", "+ (lap)",
            "kappa * lap", "dt * rate", "(dt*rate) * u", "1.0 - u", "* (react)",
            "+ (rhs)", "inner * .", "u + ."]

def heat_diff_timed(p, n, steps, dt=0.01, log=None):
    """problems.heat_diff, one operation a line, each timed into ``log`` (temporaries
    dropped as in :func:`heat_timed`)."""
    kappa, amp, width, rate = p[0], p[1], p[2], p[3]
    s = np.linspace(0.0, 1.0, n)
    u = amp * np.exp(-((s - 0.5) / width) ** 2)
    for _ in range(steps):
        t0 = CLOCK()
        mid = u[1:-1]
        t1 = CLOCK()
        a = np.diff(u, 2)
        t2 = CLOCK()
        b = kappa * a
        del a
        t3 = CLOCK()
        c = mid + b
        del b
        t4 = CLOCK()
        k = dt * rate
        t5 = CLOCK()
        m = k * mid
        del k
        t6 = CLOCK()
        w = 1.0 - mid
        t7 = CLOCK()
        y = m * w
        del m, w
        t8 = CLOCK()
        mid = c + y
        del c, y
        t9 = CLOCK()
        e = u[:1]
        t10 = CLOCK()
        g = u[-1:]
        t11 = CLOCK()
        u = np.concatenate([e, mid, g])   # (the kernel runs here: write_into)
        del e, g
        t12 = CLOCK()
        log.append((t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12))
    return u


DIFF_OPS = ["u[1:-1]", "np.diff(u, 2)", "kappa * .", "mid + .", "dt * rate",
            "(dt*rate) * mid", "1.0 - mid", "* (react)", "+ (mid)", "u[:1]", "u[-1:]",
            "np.concatenate (kernel)"]


def heat_sparse_timed(p, n, steps, dt=0.01, log=None):
    """problems.heat_sparse, one operation a line, each timed into ``log`` (temporaries
    dropped as in :func:`heat_timed`; heat71)."""
    import scipy.sparse as sp
    kappa, amp, width, rate = p[0], p[1], p[2], p[3]
    s = np.linspace(0.0, 1.0, n)
    u = amp * np.exp(-((s - 0.5) / width) ** 2)
    inner = np.ones(n)
    inner[[0, -1]] = 0.0
    L = sp.diags([inner[1:], -2.0 * inner, inner[:-1]], [-1, 0, 1], format="csr")
    for _ in range(steps):
        t0 = CLOCK()
        a = L @ u                       # (the kernel of the step before runs here)
        t1 = CLOCK()
        b = kappa * a
        del a
        t2 = CLOCK()
        c = u + b
        del b
        t3 = CLOCK()
        k = dt * rate
        t4 = CLOCK()
        m = k * u
        del k
        t5 = CLOCK()
        w = 1.0 - u
        t6 = CLOCK()
        y = m * w
        del m, w
        t7 = CLOCK()
        i = inner * y
        del y
        t8 = CLOCK()
        u = c + i
        del c, i
        t9 = CLOCK()
        log.append((t0, t1, t2, t3, t4, t5, t6, t7, t8, t9))
    return u


SPARSE_OPS = ["L @ u (kernel, csr)", "kappa * .", "u + .", "dt * rate", "(dt*rate) * u",
              "1.0 - u", "* (react)", "inner * .", "+ (u)"]

FORMS = {"slicing": ("heat", heat_timed, HEAT_OPS),
         "roll": ("heat_roll", heat_roll_timed, ROLL_OPS),
         "diff": ("heat_diff", heat_diff_timed, DIFF_OPS),
         "sparse": ("heat_sparse", heat_sparse_timed, SPARSE_OPS)}


def per_op(logs, count):
    """Medians over every step of every run: us per operation."""
    out = []
    for j in range(count):
        out.append(statistics.median((row[j + 1] - row[j]) / 1e3 for log in logs
                                     for row in log))
    return out


def checked(label, name, timed, cells, steps):
    """``d(log)``: the Jacobian of the timed form ``timed`` (its steps' times into
    ``log``) with every fused structure compiled, checked bit for bit against
    bench/problems.py's plain form ``name``."""
    import problems
    import dualgrad as dg
    from dualgrad.backend import _fused

    def d(log):
        return dg.jacobian(lambda p: timed(p, cells, steps, log=log), problems.HEAT_P)
    after, _fused.COMPILE_AFTER = _fused.COMPILE_AFTER, 0
    try:                                # every structure compiled
        d([])
        d([])
    finally:
        _fused.COMPILE_AFTER = after
    want = dg.jacobian(lambda p: getattr(problems, name)(p, n=cells, steps=steps),
                       problems.HEAT_P)
    assert np.array_equal(d([]), want), f"{label}: the timed step's Jacobian differs"
    return d


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="")
    opts = parser.parse_args()
    import problems
    from dualgrad.backend import _fused, _fusedgen
    for label, (name, timed, ops) in FORMS.items():
        if opts.only not in label:
            continue
        d = checked(label, name, timed, opts.cells, opts.steps)
        real = dict(_fusedgen._compiled)
        stubs = {k: (lambda *args: None) for k in real}
        logs = {"f": [], "dg": [], "stubbed": []}
        plan, durations = _fused._plan, []

        def timed_plan(*args, **kwargs):
            t0 = CLOCK()
            try:
                return plan(*args, **kwargs)
            finally:
                durations.append((CLOCK() - t0) / 1e3)
        for _ in range(opts.repeat):
            log = []
            timed(problems.HEAT_P.copy(), opts.cells, opts.steps, log=log)
            logs["f"].append(log[1:])
            log = []
            d(log)
            logs["dg"].append(log[1:])
            _fusedgen._compiled.update(stubs)
            _fused._plan = timed_plan
            try:
                log = []
                d(log)
                logs["stubbed"].append(log[1:])
            finally:
                _fusedgen._compiled.update(real)
                _fused._plan = plan
        f, g, s = (per_op(logs[k], len(ops)) for k in ("f", "dg", "stubbed"))
        print(f"\n{label} ({opts.cells} cells x 4, {opts.steps} steps x {opts.repeat}; "
              f"medians, us)")
        print("| operation | f | dualgrad | stubbed | dg - f | kernel | stubbed - f |")
        print("|---|---|---|---|---|---|---|")
        for j, op in enumerate(ops):
            print(f"| {op} | {f[j]:.1f} | {g[j]:.1f} | {s[j]:.1f} | {g[j] - f[j]:.1f} | "
                  f"{g[j] - s[j]:.1f} | {s[j] - f[j]:.1f} |")
        print(f"| sum | {sum(f):.1f} | {sum(g):.1f} | {sum(s):.1f} | {sum(g) - sum(f):.1f} | "
              f"{sum(g) - sum(s):.1f} | {sum(s) - sum(f):.1f} |")
        print(f"(of stubbed - f: the kernel's plan, ``_fused._plan``, "
              f"{len(durations) / opts.steps / opts.repeat:.2f} calls a step, "
              f"{statistics.median(durations):.1f} us a call, median of the stubbed runs')")


if __name__ == "__main__":
    main()
