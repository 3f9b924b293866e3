"""``backend.add_into``'s Python in the slicing heat step, against another checkout.

    python bench/heat70_add.py --compare DIR [--rounds 5] [--cells 100000] [--steps 200]

Each side is a fresh process whose ``dualgrad`` is that checkout's (``PYTHONPATH``;
this checkout "after", ``DIR`` "before", alternating).  It runs bench/problems.py's
``heat`` (``u[1:-1] += kappa * lap + ...``: one ``add_into`` a step) under
``dg.jacobian`` three times (kernels compiled or loaded), then once with
``_fused.add_into`` and the helpers it calls wrapped by clock reads (inside it: ``_order``,
``_unread``, ``_plan`` with the ``_kinds`` it is handed, ``_readers``, ``_kernel``
and the fused kernel it returns).  Printed per side, medians over the steps, then over
rounds, in microseconds: ``add_into``'s whole call, its kernel pass, the Python (the
call less the pass) and each helper's time inside it (the wrappers' own cost, ~0.2 us
a helper, counts in the call; the same on both sides).  Nothing is written.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import _common  # noqa: E402


def child(cells, steps):
    import numpy as np
    sys.path.insert(0, str(HERE))
    import dualgrad as dg
    from dualgrad.backend import _fused
    from problems import HEAT_P, heat
    clock = time.perf_counter_ns
    times = {}
    for _ in range(3):
        dg.jacobian(lambda p: heat(p, n=cells, steps=steps), HEAT_P)

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            t = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                times.setdefault(name, []).append(clock() - t)
        return wrapper

    def inner(name, fn):
        wrapped = timed(name, fn)
        return lambda *args, **kwargs: wrapped(*args, **kwargs) if inside[0] else \
            fn(*args, **kwargs)

    def kernel(key, *args, **kwargs):
        t = clock()
        fn = kernel_of(key, *args, **kwargs)
        if not inside[0]:
            return fn
        times.setdefault("_kernel", []).append(clock() - t)
        return fn if fn is None else timed("kernel pass", fn)

    kernel_of = _fused._kernel
    saved = {name: getattr(_fused, name) for name in
             ("add_into", "_order", "_unread", "_plan", "_kinds", "_readers", "_kernel")}
    inside = [False]

    def add_into(*args, **kwargs):
        inside[0] = True
        try:
            return saved["add_into"](*args, **kwargs)
        finally:
            inside[0] = False
    try:
        for name in ("_order", "_unread", "_plan", "_kinds", "_readers"):
            setattr(_fused, name, inner(name, saved[name]))
        _fused._kernel = kernel
        _fused.add_into = timed("add_into", add_into)
        import dualgrad.backend as backend
        backend.add_into = _fused.add_into
        times.clear()
        dg.jacobian(lambda p: heat(p, n=cells, steps=steps), HEAT_P)
    finally:
        for name, fn in saved.items():
            setattr(_fused, name, fn)
        backend.add_into = saved["add_into"]
    out = {k: statistics.median(v) / 1e3 for k, v in times.items()}
    out["calls"] = len(times.get("add_into", ()))
    whole, passes = times.get("add_into", []), times.get("kernel pass", [])
    if len(whole) == len(passes) and whole:      # (each call took its pass)
        out["Python (call - pass)"] = statistics.median(
            (w - k) / 1e3 for w, k in zip(whole, passes))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--compare")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--cells", type=int, default=100_000)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--child", action="store_true")
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.cells, a.steps)))
        return
    _common.sides_table(__file__, a.compare, a.rounds,
                        ["--cells", str(a.cells), "--steps", str(a.steps)],
                        f"add_into, slicing heat {a.cells} x 4 (us, medians)")


if __name__ == "__main__":
    main()
