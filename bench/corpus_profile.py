"""Where a corpus row's Jacobian spends, operation by operation (loops63; prints only).

    python bench/corpus_profile.py Hodgkin [--calls 20] [--top 25] [--per NAME]

For the first row of bench/bench_corpus.py's sets whose name holds the text: the CPU
time (``time.process_time``) of ``f`` and of ``dualgrad.jacobian`` per call (the mean
of ``--calls`` calls after one warm call each; numba not loaded, as bench_corpus runs
the loop rows), then cProfile of ``--calls`` Jacobians: the functions with the most
time of their own (ms per Jacobian, own and cumulative), each with its calls per
Jacobian and, with ``--per NAME``, per call of the function ``NAME`` (a loop's step:
Hodgkin-Huxley's ``dmdt``, the pendulum's ``pend`` (four a step), Kepler's ``kepler_f``).
cProfile's own cost inflates the times of small functions; the call counts are exact.
"""

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]        # this checkout's dualgrad

from bench_corpus import SETS  # noqa: E402  (one BLAS thread, before NumPy)
import dualgrad as dg  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("row")
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--per")
    opts = parser.parse_args()
    name, (f, x) = next((n, r) for _, rows in SETS for n, r in rows.items() if opts.row in n)
    ms = {}
    for key, fn in (("f", lambda: f(x)), ("jacobian", lambda: dg.jacobian(f, x))):
        fn()
        t = time.process_time()
        for _ in range(opts.calls):
            fn()
        ms[key] = (time.process_time() - t) / opts.calls * 1e3
    print(f"{name}: f {ms['f']:.3f} ms, dg.jacobian {ms['jacobian']:.3f} ms "
          f"({ms['jacobian'] / ms['f']:.2f}x f), CPU, mean of {opts.calls}")
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(opts.calls):
        dg.jacobian(f, x)
    prof.disable()
    stats = pstats.Stats(prof).stats      # (file, line, name) -> (cc, calls, tt, ct, callers)
    steps = None
    if opts.per:
        steps = sum(v[1] for k, v in stats.items() if k[2] == opts.per) / opts.calls
    rows = sorted(stats.items(), key=lambda kv: -kv[1][2])[:opts.top]
    print(f"{'own ms':>7} {'cum ms':>7} {'calls':>8}" + (f" {'/' + opts.per:>10}" if steps else "")
          + "  function (per Jacobian)")
    for (path, line, fn), (_, calls, own, cum, _) in rows:
        where = f"{Path(path).name}:{line}" if path != "~" else ""
        per = f" {calls / opts.calls / steps:10.2f}" if steps else ""
        print(f"{own / opts.calls * 1e3:7.2f} {cum / opts.calls * 1e3:7.2f} "
              f"{calls / opts.calls:8.0f}{per}  {fn} {where}")


if __name__ == "__main__":
    main()
