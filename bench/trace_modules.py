"""Which dualgrad modules a warm ``dg.jacobian`` call runs Python functions in.

``sys.setprofile`` records every Python function call (not C calls) made during one
warm call of ``dg.jacobian(lambda x: np.sin(x) * (x[0] * x[1]), x)`` (``x`` of 3
entries; and, for the large-array path, ``sin(p[0] * t) * (p[1] * p[2])`` with ``t``
of 100,000 points: a Jacobian of 100,000 x 3), and prints:

- the distinct ``dualgrad`` modules whose functions ran, with their call counts;
- the hops: how often consecutive dualgrad calls, in call order, change module
  (frames outside dualgrad, such as ``f`` itself or NumPy's Python code, are skipped);
- the module sequence, runs of one module collapsed (``--sequence``).

Usage::

    python bench/trace_modules.py            # N = 3 and N = 100,000
    python bench/trace_modules.py --sequence # also the collapsed call sequence
    python bench/trace_modules.py --time     # also the median time of each warm call
    DUALGRAD_ENGINE=fused python bench/trace_modules.py

Issue #13 asks for a warm jacobian that crosses at most 6 modules.
"""

import argparse
import collections
import os
import sys

import numpy as np

sys.path[:0] = [os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                os.path.dirname(os.path.abspath(__file__))]     # this checkout, then bench/
import dualgrad as dg  # noqa: E402

ROOT = os.path.dirname(os.path.abspath(dg.__file__))


def f(x):
    return np.sin(x) * (x[0] * x[1])


def _module(filename):
    """``dualgrad.api.helpers`` for a file of the package, else ``None``."""
    if not filename.startswith(ROOT):
        return None
    rel = os.path.relpath(filename, os.path.dirname(ROOT))
    name = rel[:-3].replace(os.sep, ".") if rel.endswith(".py") else rel
    return name[:-len(".__init__")] if name.endswith(".__init__") else name


def trace(fn):
    """``[(module, function), ...]`` of every dualgrad Python call made by ``fn()``."""
    calls, cache = [], {}

    def hook(frame, event, arg):
        if event != "call":
            return
        code = frame.f_code
        mod = cache.get(code.co_filename, 0)
        if mod == 0:
            mod = cache[code.co_filename] = _module(code.co_filename)
        if mod is not None:
            calls.append((mod, code.co_name))

    sys.setprofile(hook)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return calls


def report(label, calls, sequence=False):
    counts = collections.Counter(m for m, _ in calls)
    runs = [m for i, (m, _) in enumerate(calls) if i == 0 or calls[i - 1][0] != m]
    hops = max(len(runs) - 1, 0)
    print(f"{label}: {len(counts)} modules, {hops} hops, {len(calls)} Python calls")
    for mod, count in counts.most_common():
        funcs = collections.Counter(fn for m, fn in calls if m == mod)
        names = ", ".join(f"{fn} {c}" if c > 1 else fn for fn, c in funcs.most_common())
        print(f"  {count:4d}  {mod:34s} {names}")
    if sequence:
        print("  sequence: " + " -> ".join(m.removeprefix("dualgrad.") for m in runs))
    return len(counts), hops


def g(p, t):
    return np.sin(p[0] * t) * (p[1] * p[2])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sequence", action="store_true", help="print the module sequence")
    parser.add_argument("--time", action="store_true",
                        help="median CPU time of each warm call (and of the Rosenbrock "
                        "jacobians, n = 2 and 10), no tracing")
    opts = parser.parse_args()
    if opts.time:
        return timings()
    engine = os.environ.get("DUALGRAD_ENGINE", "auto")
    x = np.array([0.3, 0.7, 1.1])
    t = np.linspace(0.0, 1.0, 100_000)
    cases = [("jacobian of sin(x) * (x[0] * x[1]), x of 3", lambda: dg.jacobian(f, x)),
             ("jacobian of sin(p[0] * t) * (p[1] * p[2]), t of 100,000, p of 3",
              lambda: dg.jacobian(g, x, t))]
    for label, run in cases:
        for _ in range(3):                       # warm: kernels compiled, caches filled
            run()
        report(f"{label}, engine {engine}", trace(run), opts.sequence)
        print()


def _same(x):
    return x


def _h(s):
    return s * np.sin(s)


def timings():
    """Median CPU time per warm call (``time.process_time``: a noisy shared machine)."""
    import time

    from _common import median_time
    from scipy.optimize import rosen
    x = np.array([0.3, 0.7, 1.1])
    cases = [("jacobian, sin(x) * (x[0] * x[1]), x of 3", lambda: dg.jacobian(f, x)),
             ("jacobian, identity, x of 3 (the helper alone)", lambda: dg.jacobian(_same, x)),
             ("derivative, s * sin(s), at a float", lambda: dg.derivative(_h, 0.7)),
             ("approx_fprime, rosen, x of 3", lambda: dg.approx_fprime(x, rosen))]
    for n in (2, 10):
        xr = np.linspace(-1.2, 1.2, n)
        cases.append((f"jacobian, rosen, n = {n}", lambda xr=xr: dg.jacobian(rosen, xr)))
        cases.append((f"plain rosen, n = {n}", lambda xr=xr: rosen(xr)))
    for label, run in cases:
        us = median_time(run, repeat=15, min_time=0.05, clock=time.process_time) * 1e6
        print(f"{label:48s} {us:8.2f} us")


if __name__ == "__main__":
    main()
