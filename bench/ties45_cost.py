"""What ties45 costs: spellings of a Hessian through grad's function that now take
another path.  jacfwd(grad(f))(x) beyond 256 inputs and jacobian(grad(f), x, chunk=)
are dg.hessian(f, x)'s chunks (the upper triangle, the chunks' tie decisions compared);
jacfwd(grad(f, argnums=0), argnums=1) seeds argument 1 in its inner passes too.
CPU-time medians of 5 (the machine is shared).  Run once per tree, the label naming it:
    PYTHONPATH=<tree> python bench/ties45_cost.py LABEL"""
import sys
import time

import numpy as np

import dualgrad as dg


def median_ms(call, rounds=5):
    call()
    ts = []
    for _ in range(rounds):
        t = time.process_time()
        call()
        ts.append(time.process_time() - t)
    return 1e3 * np.median(ts)


def rosen(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def guard(x):
    return np.maximum((x[0] + x[-1]) ** 2, 0.0) + rosen(x)


def mixed(a, b):
    return np.maximum(a @ a + b @ b + a @ b, 0.0) + np.sum(np.sin(a) * b)


label = sys.argv[1] if len(sys.argv) > 1 else ""
rng = np.random.default_rng(0)
for n in (300,):
    x = rng.normal(size=n)
    for name, f, at in (("rosen", rosen, x), ("guard at its tie", guard, np.zeros(n))):
        ms = median_ms(lambda: dg.jacfwd(dg.grad(f))(at))
        print(f"{label} jacfwd(grad({name}))(x) n={n:4d}          median CPU ms {ms:8.1f}")
for n in (64,):
    x = rng.normal(size=n)
    ms = median_ms(lambda: dg.jacobian(dg.grad(rosen), x, chunk=8))
    print(f"{label} jacobian(grad(rosen), x, chunk=8) n={n:3d}   median CPU ms {ms:8.1f}")
for n in (2, 32):
    z = np.zeros(n)
    ms = median_ms(lambda: dg.jacfwd(dg.grad(mixed, argnums=0), argnums=1)(z, z))
    print(f"{label} jacfwd(grad(mixed, 0), 1) n={n:3d} per argument median CPU ms {ms:8.2f}")
