"""What the second-order tie decisions of tie43 cost: dg.hessian at 200 inputs, all
tied (np.maximum elementwise, one scalar tie, np.sort of a stack), median of 5 runs.
Run with PYTHONPATH pointing at the tree to time: python bench/tie43_cost.py LABEL"""
import sys
import time

import numpy as np

import dualgrad as dg

CASES = (("elementwise max", lambda x: np.sum(np.maximum(x ** 2, 0.0))),
         ("one scalar tie", lambda x: np.maximum(np.sum(x ** 2), 0.0)),
         ("sort", lambda x: np.sum(np.sort(np.stack([x ** 2, 0 * x]), axis=0)[1])))
for name, h in CASES:
    x = np.zeros(200)
    dg.hessian(h, x)
    ts = []
    for _ in range(5):
        t = time.perf_counter()
        dg.hessian(h, x)
        ts.append(time.perf_counter() - t)
    print(sys.argv[1] if len(sys.argv) > 1 else "", name, "median ms %.1f" % (1e3 * np.median(ts)))
