"""A split-step Fourier loop on 256 complex points: ``dg.jacobian`` against f (issue 13).

    python bench/ssfm.py [--compare DIR] [--rounds R] [--repeat K] [--steps S] [--ops | --calls]

The nonlinear Schroedinger equation's simple split step, from
ShihaoZhangPro/split_step_fourier_method, "old function/split_step_solver.py" @ 672da65a
(``SSFM_NSE_simple``), as user22 timed it (stop 36): 4 parameters (beta2, gamma, the
pulse's amplitude and chirp), 256 complex points, 100 steps of
``A = A * exp(1j * gamma * |A|^2 dz); A = fft(exp(1j/2 beta2 w^2 dz) * ifft(A))``, the
intensity ``|A|^2`` at the end.  Each operation is one NumPy call on 256 complex numbers
(~1 us; the FFTs more), so a dual's per-operation dispatch is most of the cost: ``np.abs`` of a complex
dual, a complex number times a scalar dual, a complex scalar dual times an array, the
two FFTs of a complex dual.

Before timing, the Jacobian is checked against eighth-order central differences of f
(relative error printed; it fails the run above 1e-7).  Rows: f, and ``dg.jacobian``
with the engine left automatic, ``eager`` and ``fused``; each cell the median of ``K``
calls' process time (this process's CPU time: the machine is shared), the rows
interleaved call by call, and the Jacobian's ratio to f.  ``--compare DIR``: rounds of
fresh processes alternating between dualgrad from the checkout ``DIR`` (before) and
this one (after) (:func:`_common.alternate`), medians over rounds and after / before.
Nothing is written.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ENGINES = ("auto", "eager", "fused")


def problem(steps):
    """``(intensity, p)``: the loop as a function of its 4 parameters, and a point."""
    fft, ifft = np.fft.fft, np.fft.ifft
    t = np.linspace(-20, 20, 256, endpoint=False)
    z = np.linspace(0, 2, steps + 1)
    dz = z[1] - z[0]
    w = np.fft.fftfreq(t.size, d=t[1] - t[0]) * 2 * np.pi

    def intensity(p):
        A = p[2] / np.cosh(t) * np.exp(-0.5j * p[3] * t ** 2)
        for _ in range(1, z.size):
            A = A * np.exp(1j * p[1] * np.abs(A) ** 2 * dz)
            A = fft(np.exp(1j * 0.5 * p[0] * w * w * dz) * ifft(A))
        return np.abs(A) ** 2

    return intensity, np.array([-1.0, 1.0, 1.2, 0.1])


def central(f, p, h=1e-3):
    """Eighth-order central differences of ``f`` at ``p``, one column a parameter."""
    c = (4 / 5, -1 / 5, 4 / 105, -1 / 280)
    cols = []
    for j in range(p.size):
        e = np.zeros_like(p)
        e[j] = h
        cols.append(sum(ck * (f(p + (k + 1) * e) - f(p - (k + 1) * e))
                        for k, ck in enumerate(c)) / h)
    return np.stack(cols, axis=-1)


def operations(repeat, number=200):
    """One step's operations as the loop meets them: ``{name: (dual us, float us)}``,
    each the fastest of ``repeat`` runs of ``number`` calls (process time) on the
    duals of a ``dg.jacobian`` pass (4 directions) and on their values."""
    import dualgrad as dg
    t = np.linspace(-20, 20, 256, endpoint=False)
    dz = 0.02
    w = np.fft.fftfreq(t.size, d=t[1] - t[0]) * 2 * np.pi
    out = {}

    def fastest(fn):
        best = float("inf")
        for _ in range(repeat):
            t0 = time.process_time()
            for _ in range(number):
                fn()
            best = min(best, (time.process_time() - t0) / number)
        return best * 1e6

    def step(p, plain):
        A = p[2] / np.cosh(t) * np.exp(-0.5j * p[3] * t ** 2)
        a = np.abs(A)
        a2 = a ** 2
        jp = 1j * p[1]
        c = jp * a2
        cz = c * dz
        e = np.exp(cz)
        u = np.fft.ifft(A)
        q = 1j * 0.5 * p[0]
        qw = q * w
        qww = qw * w
        g = qww * dz
        G = np.exp(g)
        Gu = G * u
        ops = {"np.abs(A)": lambda: np.abs(A), "|A| ** 2": lambda: a ** 2,
               "p[1]": lambda: p[1], "1j * p[1]": lambda: 1j * p[1],
               "(1j p1) * |A|^2": lambda: jp * a2, "* dz": lambda: c * dz,
               "np.exp (nonlinear)": lambda: np.exp(cz), "A * exp(...)": lambda: A * e,
               "np.fft.ifft": lambda: np.fft.ifft(A), "1j * 0.5 * p[0]": lambda: 1j * 0.5 * p[0],
               "(1j/2 p0) * w": lambda: q * w, "* w": lambda: qw * w, "* dz ": lambda: qww * dz,
               "np.exp (linear)": lambda: np.exp(g), "exp(...) * ifft(A)": lambda: G * u,
               "np.fft.fft": lambda: np.fft.fft(Gu)}
        for name, fn in ops.items():
            cell = out.setdefault(name, [None, None])
            cell[plain] = fastest(fn)
        return a2

    p = np.array([-1.0, 1.0, 1.2, 0.1])
    dg.jacobian(lambda q: step(q, 0), p)
    step(p, 1)
    return out


def calls(steps):
    """``{engine: (Python calls, builtin calls)}`` a step of ``dg.jacobian``, as
    ``sys.setprofile`` sees them (ufuncs are not builtins: NumPy's own work is not
    counted), after a warm-up call."""
    import dualgrad as dg
    f, p = problem(steps)
    out = {}
    for name in ENGINES:
        with dg.engine(name):
            dg.jacobian(f, p)
            seen = [0, 0]

            def hook(frame, event, arg):
                if event == "call":
                    seen[0] += 1
                elif event == "c_call":
                    seen[1] += 1
            sys.setprofile(hook)
            try:
                dg.jacobian(f, p)
            finally:
                sys.setprofile(None)
        out[name] = (seen[0] / steps, seen[1] / steps)
    return out


def child(steps, repeat):
    """``{row: median seconds}`` for f and each engine's Jacobian, and the check."""
    import dualgrad as dg
    f, p = problem(steps)
    J = dg.jacobian(f, p)
    ref = central(f, p)
    err = float(np.max(np.abs(J - ref)) / np.max(np.abs(ref)))
    if not err < 1e-7:
        raise SystemExit(f"ssfm: the Jacobian is {err:.1e} off central differences")
    rows = {"f": lambda: f(p)}
    for name in ENGINES:
        def jac(name=name):
            with dg.engine(name):
                return dg.jacobian(f, p)
        rows[f"jacobian {name}"] = jac
    for fn in rows.values():
        fn()                                    # warm: numba, kernels, caches
    times = {row: [] for row in rows}
    for _ in range(repeat):
        for row, fn in rows.items():
            t = time.process_time()
            fn()
            times[row].append(time.process_time() - t)
    out = {row: statistics.median(v) for row, v in times.items()}
    out["error"] = err
    return out


def print_operations(got, repeat):
    """The ``--ops`` table: each operation's dual and float times (medians over the
    rounds of each side's fastest runs) and, with two sides, after / before."""
    print(f"one step's operations, us (fastest of {repeat} x 200 calls, process time; "
          "median over rounds): dual with 4 directions, float, dual / float")
    names = list(next(iter(got.values()))[0])
    total = {side: [0.0, 0.0] for side in got}
    for name in names:
        cells = []
        for side, runs in got.items():
            d = statistics.median(r[name][0] for r in runs)
            f = statistics.median(r[name][1] for r in runs)
            total[side][0] += d
            total[side][1] += f
            cells.append((side, d, f))
        text = "  ".join(f"{side} {d:6.1f} {f:6.2f} {d / f:5.1f}x" for side, d, f in cells)
        if "before" in got:
            text += f"  after / before {cells[1][1] / cells[0][1]:.2f}"
        print(f"  {name:20s} {text}")
    text = "  ".join(f"{side} {d:6.1f} {f:6.2f} {d / f:5.1f}x" for side, (d, f) in total.items())
    if "before" in got:
        text += f"  after / before {total['after'][0] / total['before'][0]:.2f}"
    print(f"  {'one step':20s} {text}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--ops", action="store_true")
    parser.add_argument("--calls", action="store_true")
    parser.add_argument("--child", action="store_true")
    opts = parser.parse_args()
    if opts.child:
        result = operations(opts.repeat) if opts.ops else calls(opts.steps) if opts.calls \
            else child(opts.steps, opts.repeat)
        print(json.dumps(result))
        return
    argv = ["--repeat", str(opts.repeat), "--steps", str(opts.steps)] + \
        (["--ops"] if opts.ops else ["--calls"] if opts.calls else [])
    if opts.compare:
        sys.path.insert(0, str(HERE))
        import _common
        got = _common.alternate("ssfm.py", argv, opts.compare,
                                1 if opts.calls else opts.rounds)
    else:
        sys.path.insert(0, str(HERE.parent))
        got = {"this": [operations(opts.repeat) if opts.ops else calls(opts.steps)
                        if opts.calls else child(opts.steps, opts.repeat)]}
    if opts.calls:
        print(f"dg.jacobian's calls a step ({opts.steps} steps; sys.setprofile)")
        for name in ENGINES:
            print(f"  {name:6s} " + "  ".join(
                f"{side} Python {runs[0][name][0]:6.1f} builtin {runs[0][name][1]:6.1f}"
                for side, runs in got.items()))
        return
    if opts.ops:
        print_operations(got, opts.repeat)
        return
    print(f"split-step Fourier, 256 complex points, {opts.steps} steps, 4 parameters "
          "(process time, ms, medians; x f: the row over f of the same process)")
    for side, runs in got.items():
        print(f"  {side}: central differences relative error "
              f"{max(r['error'] for r in runs):.1e}")
    for row in ["f", *(f"jacobian {e}" for e in ENGINES)]:
        cells = {side: statistics.median(r[row] for r in runs) for side, runs in got.items()}
        ratio = {side: statistics.median(r[row] / r["f"] for r in runs)
                 for side, runs in got.items()}
        text = "  ".join(f"{side} {v * 1e3:7.2f}" + (f" ({ratio[side]:5.1f}x f)" if row != "f"
                                                     else "")
                         for side, v in cells.items())
        if "before" in cells:
            text += f"  after / before {cells['after'] / cells['before']:.2f}"
        print(f"{row:16s} {text}")


if __name__ == "__main__":
    main()
