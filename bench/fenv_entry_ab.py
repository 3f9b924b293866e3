"""``_numba_kernels.loop_scale_entry`` (np.sin's value, factor and partials in one compiled
call) as written at two git revisions, timed in one process (issue 13, small73; prints
only).

    python bench/fenv_entry_ab.py [--before REV] [--after REV] [--rounds 21]

Both versions are compiled here from their source (``git show REV:...``) with the
kernel module's own names and the options of its entry points (no NRT), then called
through their compiled entry points alternately on the same operands (N = n = 10, the
small_ab table's size), in CPU time; medians, and the median per-round quotient.
small73 (1924dbf8) made each clear of the floating-point flags a test first (glibc's
``feclearexcept`` rewrites the x87 environment; NumPy's own call tests first too):
the default revisions are that commit and its parent.
"""
import argparse
import re
import statistics
import subprocess
import time
import timeit
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def entry(rev):
    """The compiled entry point of ``loop_scale_entry`` as written at ``rev``."""
    from numba import njit, types
    from dualgrad.backend import _numba_kernels
    text = subprocess.run(["git", "show", f"{rev}:dualgrad/backend/_numba_kernels.py"],
                          capture_output=True, text=True, check=True, cwd=ROOT).stdout
    source = re.search(r"\ndef loop_scale_entry\(.*?(?=\n@_lazy|\ndef )", text, re.S).group(0)
    namespace = dict(vars(_numba_kernels))
    exec(source, namespace)     # noqa: S102 (the repository's own kernel source)
    kernel = njit(_nrt=False, error_model="numpy", nogil=True)(namespace["loop_scale_entry"])
    return kernel.compile(types.boolean(
        types.Array(types.int64, 1, "C", readonly=True), types.float64[:],
        types.float64[::1], types.float64[:, :], types.float64[:, ::1]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default="1924dbf8~1")
    parser.add_argument("--after", default="1924dbf8")
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    from dualgrad.backend import _numpy_loops
    table = _numpy_loops.loops(np.sin, np.cos, False)
    if table is None:
        print("no NumPy loop to be had on this machine")
        return
    rng = np.random.default_rng(4)
    x, p = rng.uniform(0.5, 2.0, 10), rng.standard_normal((10, 10))
    out, t = np.empty(10), np.empty((10, 10))
    sides = {"before": entry(args.before), "after": entry(args.after)}
    for fn in sides.values():
        assert fn(table, x, out, p, t)
    times = {side: [] for side in sides}
    for _ in range(args.rounds):
        for side, fn in sides.items():
            timer = timeit.Timer(lambda: fn(table, x, out, p, t), timer=time.process_time)
            times[side].append(timer.timeit(20000) / 20000 * 1e6)
    for side, rev in (("before", args.before), ("after", args.after)):
        print(f"loop_scale_entry (np.sin, N = n = 10) at {rev}: "
              f"{statistics.median(times[side]):.3f} us (min {min(times[side]):.3f})")
    ratio = statistics.median(a / b for a, b in zip(times["after"], times["before"]))
    print(f"after / before {ratio:.3f}")


if __name__ == "__main__":
    main()
