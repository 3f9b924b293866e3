"""np.median / np.quantile of an array dual at N = 1e5, n = 4 (quant43, issue 13|14):
distinct values (no tie: the tie check only) and values with ties (every value
repeated: the mean of the tied partials), beside np.sort of the same dual and NumPy's
np.median of the values.  Median us of CPU time (bench/_common.median_time with
time.process_time: the machine is shared), one thread.  Before /
after: run it from two checkouts (``DUALGRAD_AB=/path/to/other/checkout`` imports that
one instead)::

    python bench/quantile_ties_ab.py
    DUALGRAD_AB=/work/main python bench/quantile_ties_ab.py
"""

import os
import sys
import time
from pathlib import Path

here = Path(__file__).resolve().parents[1]
sys.path.insert(0, os.environ.get("DUALGRAD_AB", str(here)))   # the checkout measured
sys.path.insert(0, str(here / "bench"))

import numpy as np  # noqa: E402

import dualgrad as dg  # noqa: E402
from _common import median_time  # noqa: E402


def main():
    rng = np.random.default_rng(0)
    n = 100_000
    cases = {"distinct": rng.standard_normal(n),
             "ties": np.round(rng.standard_normal(n), 2)}     # ~600 values, runs ~170
    print(f"dualgrad from {Path(dg.__file__).parent}")
    for name, v in cases.items():
        d = dg.Dual(v, rng.standard_normal((n, 4)))
        rows = [("np.median(dual)", lambda: np.median(d)),
                ("np.quantile(dual, [.1, .5, .9])", lambda: np.quantile(d, [0.1, 0.5, 0.9])),
                ("np.sort(dual)", lambda: np.sort(d)),
                ("np.median(values) (NumPy)", lambda: np.median(v))]
        for label, fn in rows:
            print(f"{name:9s} {label:32s} {median_time(fn, clock=time.process_time) * 1e6:10.0f} us")


if __name__ == "__main__":
    main()
