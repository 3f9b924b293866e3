"""The real-code corpus (bench/corpus.py) timed against f and scipy's approx_fprime.

    python bench/bench_corpus.py [--quick] [--mgh] [--only TEXT]

For every problem: the median time of f(x0), of ``scipy.optimize.approx_fprime(x0, f)``
(forward differences, n + 1 calls of f) and of ``dualgrad.jacobian(f, x0)``, all in
this one run, plus dualgrad's largest error against central differences with a
Richardson step (a check that the timed result is the derivative).  Issue 13's
targets: median dualgrad / approx_fprime at most 0.7, no case above 1.5.
The rows of bench/corpus57.py to bench/corpus74.py (real functions from public scientific
code, stops 57 to 74) follow the
Moré-Garbow-Hillstrom set; the summary gives the median and worst of the MGH rows alone,
of each real-code set and of all rows (``--mgh``: the MGH rows only; ``--beforeNN``:
without the rows of corpusNN.py and the sets after it; ``--corpusNN``: that set's rows
only, no summary of the sets, nothing written; ``--only TEXT``: the rows whose name
holds TEXT, no summary of the sets, nothing written).
Writes bench/RESULTS_corpus.md.
"""

import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]        # this checkout's dualgrad

from _common import median_time, table  # noqa: E402  (one BLAS thread: before NumPy)
import numpy as np  # noqa: E402
from corpus import PROBLEMS  # noqa: E402
from corpus57 import PROBLEMS57  # noqa: E402
from corpus58 import PROBLEMS58  # noqa: E402
from corpus59 import PROBLEMS59  # noqa: E402
from corpus60 import PROBLEMS60  # noqa: E402
from corpus61 import PROBLEMS61  # noqa: E402
from corpus62 import PROBLEMS62  # noqa: E402
from corpus63 import PROBLEMS63  # noqa: E402
from corpus64 import PROBLEMS64  # noqa: E402
from corpus68 import PROBLEMS68  # noqa: E402
from corpus69 import PROBLEMS69  # noqa: E402
from corpus70 import PROBLEMS70  # noqa: E402
from corpus71 import PROBLEMS71  # noqa: E402
from corpus72 import PROBLEMS72  # noqa: E402
from corpus73 import PROBLEMS73  # noqa: E402
from corpus74 import PROBLEMS74  # noqa: E402

import dualgrad as dg  # noqa: E402

# each stop's set, in the order the rows run and the summary reads them
SETS = [("corpus", PROBLEMS), ("corpus57", PROBLEMS57), ("corpus58", PROBLEMS58),
        ("corpus59", PROBLEMS59), ("corpus60", PROBLEMS60), ("corpus61", PROBLEMS61),
        ("corpus62", PROBLEMS62), ("corpus63", PROBLEMS63),
        ("corpus64", PROBLEMS64), ("corpus68", PROBLEMS68), ("corpus69", PROBLEMS69),
        ("corpus70", PROBLEMS70), ("corpus71", PROBLEMS71),
        ("corpus72", PROBLEMS72), ("corpus73", PROBLEMS73), ("corpus74", PROBLEMS74)]


def chosen(argv):
    """``(problems, alone)``: the rows the flags ask for, and the set's label where
    ``--corpusNN`` runs one set alone (else ``None``)."""
    labels = [label for label, _ in SETS]
    sets = SETS[:1] if "--mgh" in argv else SETS
    for a in argv:
        if a.startswith("--corpus") and a[2:] in labels:
            return dict(SETS[labels.index(a[2:])][1]), a[2:]
        if a.startswith("--before") and "corpus" + a[8:] in labels:
            sets = SETS[:labels.index("corpus" + a[8:])]
    return {name: row for _, problems in sets for name, row in problems.items()}, None


def richardson_jacobian(f, x):
    """Central differences with one Richardson extrapolation: error ~h^4.  Steps 1e-3 of
    |x_j| (1e-5 at 0): a floor of 1e-5 was a whole step for corpus74's acid constant
    Ka = 1e-5, whose column then read an error of 1e+00 (user74)."""
    x = np.asarray(x, dtype=float)
    cols = []
    for j in range(x.size):
        h = 1e-3 * abs(x[j]) if x[j] != 0 else 1e-5
        e = np.zeros_like(x)
        e[j] = 1.0

        def d(step):
            return (np.asarray(f(x + step * e)) - np.asarray(f(x - step * e))) / (2 * step)
        cols.append((4.0 * d(h / 2) - d(h)) / 3.0)
    return np.stack(cols, axis=-1)


def main():
    from scipy.optimize import approx_fprime
    quick = "--quick" in sys.argv
    repeat, min_time = (5, 0.03) if quick else (11, 0.06)
    rows, ratios = [], []
    problems, alone = chosen(sys.argv)
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    if only is None and alone:
        only = ""                       # every row of that stop; no summary of the sets
    if only is not None:
        problems = {name: row for name, row in problems.items() if only in name}
    for name, (f, x0) in problems.items():
        J = dg.jacobian(f, x0)
        ref = richardson_jacobian(f, x0)
        err = np.max(np.abs(J - ref)) / max(np.max(np.abs(ref)), 1e-300)
        # interleaved: each repeat times the three back to back, so that a busy
        # machine slows them alike; the ratio is the median of the per-repeat ratios
        samples = [[median_time(fn, 1, min_time / 3) for fn in
                    (lambda: f(x0), lambda: approx_fprime(x0, f), lambda: dg.jacobian(f, x0))]
                   for _ in range(repeat)]
        tf, tfd, tdg = (statistics.median(s[i] for s in samples) for i in range(3))
        ratio = statistics.median(s[2] / s[1] for s in samples)
        ratios.append(ratio)
        mark = " **> 1.5x**" if ratio > 1.5 else ""
        rows.append([name, len(np.atleast_1d(f(x0))), f"{tf * 1e6:.1f}",
                     f"{tfd * 1e6:.1f}", f"{tdg * 1e6:.1f}", f"{tdg / tf:.1f}x",
                     f"{ratio:.2f}x{mark}", f"{err:.0e}"])
        print(name, rows[-1][2:], file=sys.stderr, flush=True)
    med = statistics.median(ratios)
    worst = max(ratios)
    mgh = ratios[:len(PROBLEMS)]
    real = ratios[len(PROBLEMS):]
    r57 = ratios[len(PROBLEMS):len(PROBLEMS) + len(PROBLEMS57)]
    split = (f" The {len(mgh)} MGH rows alone: median **{statistics.median(mgh):.2f}x**, "
             f"worst **{max(mgh):.2f}x**; the {len(r57)} rows of bench/corpus57.py (real "
             f"functions from public scientific code): median "
             f"**{statistics.median(r57):.2f}x**, worst **{max(r57):.2f}x**."
             if real and only is None else "")
    start = len(PROBLEMS) + len(PROBLEMS57)
    for label, problems in SETS[2:]:
        part, before = ratios[start:start + len(problems)], ratios[:start]
        if part and only is None:
            split += (f" The {len(part)} rows of bench/{label}.py: median "
                      f"**{statistics.median(part):.2f}x**, worst **{max(part):.2f}x**; the "
                      f"rows before them: median **{statistics.median(before):.2f}x**, worst "
                      f"**{max(before):.2f}x**.")
        start += len(problems)
    text = "\n".join([
        "## Real-code corpus: dualgrad.jacobian against f and approx_fprime "
        "(bench/bench_corpus.py)", "",
        f"{len(ratios)} problems (" + (
            f"bench/{alone}.py: real functions from public scientific code"
            if alone else
            "bench/corpus.py: the Moré-Garbow-Hillstrom / Moré-Wild set as SciPy's "
            "benchmarks implement it" + ("; bench/corpus57.py to bench/corpus74.py: "
                                         "real functions from public scientific code"
                                         if real else "")) + "). Median of dualgrad / "
        f"approx_fprime: **{med:.2f}x** (target 0.7x); worst **{worst:.2f}x** (target 1.5x); "
        f"{sum(r > 1.5 for r in ratios)} above 1.5x.{split} Error: largest |dualgrad - "
        "Richardson central differences| over the largest |entry| (the differences' "
        "own error is ~1e-8 to 1e-10; more for the ODE rows, whose solves are adaptive).",
        "",
        table(["problem (inputs)", "residuals", "f us", "approx_fprime us",
               "dualgrad us", "dualgrad / f", "dualgrad / approx_fprime", "error"], rows),
        ""])
    print(text)
    if not quick and only is None:
        (HERE / "RESULTS_corpus.md").write_text(text)


if __name__ == "__main__":
    main()
