"""Values computed into a temporary operand's array (``a + b``, ``a - b``) on and off, in one process.

    python bench/spare_ab.py [--repeat R] [NAME ...]

For each problem of bench/problems.py (default: the three heat forms, the
elementwise problem and the grid field), f and dualgrad's default engine with the
operators' value reuse (``dualgrad.dual._array._spare``) on and off, alternating
which goes first, process time (this process's CPU time: the machine is shared),
calls per sample for at least 0.2 s.  Printed: each side's median ratio to f, and
the median over the repeats of the on / off ratio of neighbouring samples and the
ratio of the minima.  Only the reuse differs (the same kernels, the same
Python otherwise).  Nothing is written.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)

DEFAULT = ["heat equation 100000x4", "heat equation np.roll + rebinding",
           "heat equation np.diff + concatenate", "elementwise N=1e6", "grid field 101^3"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=11)
    opts = parser.parse_args()
    from problems import PROBLEMS, TWO_ARGUMENTS
    from dualgrad.dual import _array
    problems = {**PROBLEMS, **TWO_ARGUMENTS}
    on = _array._spare

    def off(*args):
        return None
    clock = time.process_time
    for name in opts.names:
        f, _ = problems[name]("f")
        d, _ = problems[name]("dualgrad")
        for fn in (d, d, f):                 # warm-up: kernels compiled or loaded
            fn()
        t0 = clock()
        d()
        calls = max(1, int(0.2 / max(clock() - t0, 1e-6)))
        samples = {"f": [], "on": [], "off": []}
        try:
            for r in range(opts.repeat):
                for key in (("on", "off", "f") if r % 2 else ("off", "on", "f")):
                    _array._spare = off if key == "off" else on
                    fn = f if key == "f" else d
                    t0 = clock()
                    for _ in range(calls):
                        fn()
                    samples[key].append((clock() - t0) / calls)
        finally:
            _array._spare = on
        f_time = statistics.median(samples["f"])
        pairs = [a / b for a, b in zip(samples["on"], samples["off"])]
        print(f"{name}: off {statistics.median(samples['off']) / f_time:.2f}x f, on "
              f"{statistics.median(samples['on']) / f_time:.2f}x f; on / off: median of "
              f"pairs {statistics.median(pairs):.3f}, minima "
              f"{min(samples['on']) / min(samples['off']):.3f}", flush=True)


if __name__ == "__main__":
    main()
