"""What np.prod's and np.cumprod's Jacobians and Hessians cost in range against another
checkout (cumprod70: nested products test their factors' exponents before the dual
products, and take scaled coefficients where those could leave the range; the in-range
case should not pay; prints only).

    python bench/cumprod70_ab.py [--compare /tmp/tl70/cumprod] [--rounds 3]

Cases at ``x = linspace(0.5, 1.5, L)``: ``dg.gradient`` / ``dg.hessian`` /
``dg.jacfwd(dg.jacfwd(.))`` of ``np.prod(x)``, ``dg.jacobian`` of ``np.cumprod`` and
``dg.hessian`` of ``np.sum(np.cumprod(x))``; one far case, ``dg.hessian(np.prod)`` of
``[1e200, 1e-300, 1e200, 0.5, ...]`` (L = 50: the scaled path here, wrong before), in
four states: ``dg.engine("fused")`` / ``dg.engine("eager")`` blocks, numba loaded first
or never (``_loader.LOAD_AFTER = inf``).  Each figure the median us of a call over 0.3 s
of calls (process time), in fresh processes alternating this checkout
("after") and ``--compare DIR``.  ``CUMPROD70_ONLY=TEXT`` in the environment: only the
cases whose names hold TEXT (more rounds of a few).
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import alternate, us_table  # noqa: E402  (the A/B loop)

STATES = ("numba", "plain")


def child(state):
    """Print ``{"case": us}`` for this process's dualgrad, numba loaded or not."""
    import warnings

    import numpy as np

    import dualgrad as dg
    from dualgrad.backend import _loader
    if state == "numba":
        _loader.load()
    else:
        _loader.LOAD_AFTER = float("inf")
    warnings.simplefilter("ignore")

    def timed(call):
        call()
        times, spent = [], 0.0
        while spent < 0.3 or len(times) < 3:
            t = time.process_time()
            call()
            times.append(time.process_time() - t)
            spent += times[-1]
        return statistics.median(times) * 1e6

    def total(z):
        return np.sum(np.cumprod(z))
    far = np.linspace(0.5, 1.5, 50)
    far[:3] = [1e200, 1e-300, 1e200]
    cases = {}
    for L in (5, 50, 300):
        x = np.linspace(0.5, 1.5, L)
        cases[f"gradient prod L = {L}"] = lambda x=x: dg.gradient(np.prod, x)
        cases[f"jacobian cumprod L = {L}"] = lambda x=x: dg.jacobian(np.cumprod, x)
    for L in (5, 50, 150):
        x = np.linspace(0.5, 1.5, L)
        cases[f"hessian prod L = {L}"] = lambda x=x: dg.hessian(np.prod, x)
        cases[f"hessian sum cumprod L = {L}"] = lambda x=x: dg.hessian(total, x)
    x = np.linspace(0.5, 1.5, 50)
    cases["jacfwd2 prod L = 50"] = lambda: dg.jacfwd(dg.jacfwd(np.prod))(x)
    cases["hessian prod far L = 50"] = lambda: dg.hessian(np.prod, far)
    only = os.environ.get("CUMPROD70_ONLY")
    if only:
        cases = {k: v for k, v in cases.items() if only in k}
    out = {}
    for engine in ("fused", "eager"):
        with dg.engine(engine):
            for name, call in cases.items():
                out[f"{state} {engine} {name}"] = timed(call)
    print(json.dumps(out))


def main():
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("--compare")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", choices=STATES)
    args = parser.parse_args()
    if args.child:
        return child(args.child)
    for state in STATES:
        us_table(alternate("cumprod70_ab.py", [state], args.compare, args.rounds),
                 args.compare, digits=0)


if __name__ == "__main__":
    main()
