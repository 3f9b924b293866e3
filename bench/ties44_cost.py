"""What ties44 costs: dg.hessian at 200 inputs, all tied, unchunked and in chunks of 50
(the chunks' decisions compared; a second round where they clash), for the order
statistics that now take np.sort's entries under nested duals.  CPU-time medians of 5
(the machine is shared).  Run once per tree, the label naming it:
    PYTHONPATH=<tree> python bench/ties44_cost.py LABEL"""
import sys
import time

import numpy as np

import dualgrad as dg

CASES = (
    ("elementwise max (smooth)", lambda x: np.sum(np.maximum(x ** 2, 0.0))),
    ("max(x0**2, x199**2) (kinked)", lambda x: np.maximum(x[0] ** 2, x[-1] ** 2) + np.sum(x)),
    ("quantile 1 of a stack", lambda x: np.sum(np.quantile(np.stack([x ** 2, 0 * x]), 1.0,
                                                           axis=0))),
    ("median of 3 rows", lambda x: np.sum(np.median(np.stack([x ** 2, 0 * x, -x ** 2]),
                                                    axis=0))),
    ("partition k = 1", lambda x: np.sum(np.partition(np.stack([x ** 2, 0 * x]), 1,
                                                      axis=0)[1])),
)
label = sys.argv[1] if len(sys.argv) > 1 else ""
x = np.zeros(200)
for name, h in CASES:
    for chunk in (None, 50):
        dg.hessian(h, x, chunk=chunk)
        ts = []
        for _ in range(5):
            t = time.process_time()
            dg.hessian(h, x, chunk=chunk)
            ts.append(time.process_time() - t)
        print(f"{label} {name:32s} chunk={chunk!s:4s} median CPU ms {1e3 * np.median(ts):8.1f}")
