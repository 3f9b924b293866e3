"""The lean quotient's underflow test of d/dy ``-out / y``: ``_tiny`` against
``_tiny_out`` (user71), in one process, interleaved (prints only).

    python bench/tinyout71_ab.py [--rounds 15] [--calls 20000]

On the shallow water row's view shapes ((17, 16): ``U[1:, 1:-1] / H[1:, 1:-1]``), a
numerator with zeros (the field fills from zeros: every test goes on to the
numerator's mask) and without; the median over rounds of each one's time a call (us)
and of the rounds' quotients ``_tiny_out / _tiny``.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent)]

import numpy as np  # noqa: E402

from dualgrad.dispatch import _ufuncs  # noqa: E402
from dualgrad.rules._table import rule_for  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=20000)
    opts = parser.parse_args()
    rule = rule_for(np.divide)
    rng = np.random.default_rng(0)
    H = rng.uniform(0.5, 2.0, (18, 18))
    cases = {}
    for label, zeros in (("numerator with zeros", 0.5), ("no zeros", 0.0)):
        U = np.where(rng.random((18, 18)) < zeros, 0.0, rng.standard_normal((18, 18)))
        x, y = U[1:, 1:-1], H[1:, 1:-1]
        out = x / y
        f = -out / y
        cases[label] = (f, out, (x, y, out))
    for label, (f, out, args) in cases.items():
        a = lambda: _ufuncs._tiny(f, rule, 1, args)                 # noqa: E731
        b = lambda: _ufuncs._tiny_out(f, out, rule, 1, args)        # noqa: E731
        assert a() == b()
        ta, tb = [], []
        for _ in range(opts.rounds):
            for fn, into in ((a, ta), (b, tb)):
                t = time.process_time()
                for _ in range(opts.calls):
                    fn()
                into.append((time.process_time() - t) / opts.calls * 1e6)
        q = statistics.median(y / x for x, y in zip(ta, tb))
        print(f"{label}: _tiny {statistics.median(ta):.3f} us, _tiny_out "
              f"{statistics.median(tb):.3f} us, quotient {q:.2f}")


if __name__ == "__main__":
    main()
