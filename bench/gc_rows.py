"""The cyclic garbage collector's share of every bench_corpus row's Jacobian, in one
process that runs the rows in bench_corpus's order (scalar73; prints only).

    python bench/gc_rows.py [--compare DIR] [--only TEXT] [--seconds 0.3] [--top 25]

A child imports this checkout's dualgrad (or ``DIR``'s) and every set of
bench/bench_corpus.py, then for each row: one warm ``dualgrad.jacobian``, then calls for
``--seconds`` of CPU (at most 50): CPU per Jacobian (``time.process_time``), the CPU
inside collections (``gc.callbacks``, start to stop) and the collections of each
generation per Jacobian.  The heap grows as the rows run (compiled kernels, caches), so
a row's full collections cost what they would late in a bench_corpus run: the old
generation is the whole process.  Printed: the ``--top`` rows by share (``--compare``:
by the larger of the two; ``DIR``'s child runs first, each row's figures side by side).  One
process each, one round: a survey, not an A/B of times (bench/gc_loops_ab.py is).
"""

import gc
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def child(only, seconds):
    """Print ``{row: [ms a Jacobian, ms in collections, gen-0, gen-1, gen-2]}``."""
    import warnings

    import dualgrad as dg       # (PYTHONPATH's: before bench_corpus puts its own first)
    sys.path.insert(0, str(HERE))
    from bench_corpus import SETS
    warnings.simplefilter("ignore")
    counts, spent, start = [0, 0, 0], [0.0], [0.0]

    def watch(phase, info):
        if phase == "start":
            start[0] = time.process_time()
        else:
            counts[info["generation"]] += 1
            spent[0] += time.process_time() - start[0]

    gc.callbacks.append(watch)
    out = {"dualgrad": dg.__file__}
    for _, rows in SETS:
        for name, (f, x) in rows.items():
            if only and only not in name:
                continue
            try:
                dg.jacobian(f, x)
            except Exception:   # noqa: BLE001 (a row this checkout cannot run: left out)
                continue
            counts[:], spent[0] = [0, 0, 0], 0.0
            t0, k = time.process_time(), 0
            while time.process_time() - t0 < seconds and k < 50:
                dg.jacobian(f, x)
                k += 1
            ms = (time.process_time() - t0) / k * 1e3
            out[name] = [ms, spent[0] / k * 1e3, *(c / k for c in counts)]
    print(json.dumps(out))


def run(checkout, argv):
    env = {"PYTHONPATH": str(Path(checkout).resolve()), "PATH": "/usr/bin:/bin",
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    res = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", *argv],
                         env=env, cwd="/", capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main():
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("--compare")
    parser.add_argument("--only", default="")
    parser.add_argument("--seconds", type=float, default=0.3)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        return child(args.only, args.seconds)
    argv = ["--only", args.only, "--seconds", str(args.seconds)]
    other = run(args.compare, argv) if args.compare else None
    this = run(HERE.parent, argv)
    print("this imported", this.pop("dualgrad"), *(("other imported", other.pop("dualgrad"))
                                                   if other else ()))

    def cells(r):
        return (f"{r[0]:.2f} | {r[1] / r[0] * 100:.1f} % | "
                f"{r[2]:.2f} / {r[3]:.2f} / {r[4]:.3f}") if r else "- | - | -"

    head = "| row | ms a Jacobian | in collections | gen-0 / 1 / 2 a Jacobian |"
    print(head + (" ms (other) | in collections (other) | gen-0 / 1 / 2 (other) |"
                  if other else ""))
    print("|---|---|---|---|" + ("---|---|---|" if other else ""))
    def share(name):                    # the larger of the two sides' shares
        return max(r[name][1] / r[name][0] for r in (this, other or {}) if name in r)

    for name in sorted(this, key=lambda k: -share(k))[:args.top]:
        print(f"| {name} | {cells(this[name])} |" +
              (f" {cells(other.get(name))} |" if other else ""))


if __name__ == "__main__":
    main()
