"""A kept buffer's window (scalar73) against keeping every element, in one process
(prints only).

    python bench/window_ab.py [--rounds 7] [--calls 10]

One process imports every set of bench/bench_corpus.py (the heap a bench_corpus run
holds), then for bench/corpus58.py's SIR and Hodgkin-Huxley rows alternates, round by
round, ``dualgrad.dual._array._WINDOW`` at its value and at ``1 << 40`` (every element
kept till the pass ends: the tree before scalar73), ``--calls`` Jacobians each; CPU per
Jacobian (``time.process_time``) and the CPU inside collections (``gc.callbacks``).
Printed: each side's median over rounds and the median of the rounds' quotients.
"""

import gc
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]        # this checkout's dualgrad

from bench_corpus import SETS  # noqa: E402  (one BLAS thread, before NumPy)
import dualgrad as dg  # noqa: E402
from dualgrad.dual import _array  # noqa: E402


def main():
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=10)
    args = parser.parse_args()
    rows = {n: r for _, rs in SETS for n, r in rs.items()}
    spent, start = [0.0], [0.0]

    def watch(phase, info):
        if phase == "start":
            start[0] = time.process_time()
        else:
            spent[0] += time.process_time() - start[0]

    gc.callbacks.append(watch)
    window = _array._WINDOW
    for text in ("SIR Euler", "Hodgkin-Huxley Euler"):
        f, x = next(r for n, r in rows.items() if text in n)
        dg.jacobian(f, x)
        got = {"window": [], "every element": []}
        in_gc = {"window": [], "every element": []}
        for k in range(args.rounds):
            for side, w in (("window", window), ("every element", 1 << 40))[::1 - 2 * (k % 2)]:
                _array._WINDOW = w
                spent[0] = 0.0
                t0 = time.process_time()
                for _ in range(args.calls):
                    dg.jacobian(f, x)
                got[side].append((time.process_time() - t0) / args.calls * 1e3)
                in_gc[side].append(spent[0] / args.calls * 1e3)
        _array._WINDOW = window
        quot = statistics.median(a / b for a, b in zip(got["window"], got["every element"]))
        print(f"{text}: window {statistics.median(got['window']):.2f} ms "
              f"(collections {statistics.median(in_gc['window']):.2f}), every element "
              f"{statistics.median(got['every element']):.2f} ms (collections "
              f"{statistics.median(in_gc['every element']):.2f}), window / every element "
              f"{quot:.3f}; rounds {[round(a / b, 2) for a, b in zip(got['window'], got['every element'])]}")


if __name__ == "__main__":
    main()
