"""Issue 13's scalar-loop rows, x approx_fprime, this checkout against another (loops64; prints only).

    python bench/loops_rows_ab.py --compare /tmp/main_before [--rounds 3] [--only TEXT ...]

Each round runs, for every row (SIR, Hodgkin-Huxley, pendulum, Fresnel, Kepler, allele,
bench/corpus63.py's BEM rotor and bench/corpus60.py's Euler-Lotka root: loops65; the
shallow water, lattice Boltzmann and HBV rows: rows65; Mie: rows66; Newmark: rows68; the
luminosity and heat-exchanger dg.quad rows: corpus68), ``bench/bench_corpus.py --only ROW`` of this checkout and
then of ``--compare``'s (each checkout's own script and dualgrad, a fresh process each,
``PYTHONPATH`` cleared), and reads the table's ``dualgrad / approx_fprime``; printed: the
median over rounds for each side, every round's figure, and the median of the rounds'
quotients this / other.  Wall-clock ratios of one process: loose on a shared machine.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROWS = {"SIR": [], "Hodgkin": [], "pendulum": [], "Fresnel": [], "Kepler": [], "allele": [],
        "rotor": ["--corpus63"], "Euler-Lotka": ["--corpus60"],
        # the array rows rows65 worked (not scalar loops but for HBV's): --only them
        "shallow water": ["--corpus59"], "lattice Boltzmann": ["--corpus64"],
        "HBV": ["--corpus64"], "Mie": ["--corpus64"],      # (Mie: rows66)
        "Newmark": ["--corpus64"],                         # (rows68)
        # dg.quad's rows (corpus68): --only them
        "luminosity": ["--corpus62"], "exchanger": ["--corpus63"]}


def ratio(tree, row, flags):
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    out = subprocess.run([sys.executable, str(Path(tree) / "bench" / "bench_corpus.py"), *flags,
                          "--only", row], env=env, capture_output=True, text=True,
                         check=True).stdout
    line = next(s for s in out.splitlines() if s.startswith("| ") and row in s)
    return float(re.findall(r"\| ([0-9.]+)x", line)[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", action="append")
    opts = parser.parse_args()
    rows = {r: f for r, f in ROWS.items() if not opts.only or r in opts.only}
    got = {(r, side): [] for r in rows for side in (0, 1)}
    for _ in range(opts.rounds):
        for row, flags in rows.items():
            for side, tree in enumerate((HERE.parent, opts.compare)):
                got[row, side].append(ratio(tree, row, flags))
    print(f"| row | this | other | this / other | this's rounds | other's rounds |\n"
          f"|---|---|---|---|---|---|")
    for row in rows:
        a, b = got[row, 0], got[row, 1]
        q = statistics.median(x / y for x, y in zip(a, b))
        print(f"| {row} | {statistics.median(a):.2f}x | {statistics.median(b):.2f}x | {q:.2f} | "
              f"{' '.join(f'{x:.2f}' for x in a)} | {' '.join(f'{x:.2f}' for x in b)} |")


if __name__ == "__main__":
    main()
