"""prec62's costs (bench/MISSES.md): np.linalg.norm of a 3-vector dual (the lean path),
np.arctan / np.arcsinh of real and complex array duals (N = 1e4, outside helpers) and
their elementwise_grad on a real array.  One line of medians-of-5 minima per run; A/B:

    for i in 1 2 3; do PYTHONPATH=/tmp/main_before python bench/prec62.py before
                       PYTHONPATH=$PWD python bench/prec62.py after; done
"""
import sys
import timeit

import numpy as np

import dualgrad as dg
from dualgrad.dual import new_tag

rng = np.random.default_rng(0)
z = rng.standard_normal(10000) + 1j * rng.standard_normal(10000)
x = rng.standard_normal(10000)
u = dg.Dual(z, np.ones((z.size, 2), complex), tag=new_tag())
r = dg.Dual(x, np.ones((x.size, 2)), tag=new_tag())
v = dg.Dual(np.array([0.3, -1.2, 2.0]), np.eye(3), tag=new_tag())
cases = [("norm3", lambda: np.linalg.norm(v), 20000)]
for f in (np.arctan, np.arcsinh):
    cases += [(f"{f.__name__} complex", lambda f=f: f(u), 50),
              (f"{f.__name__} real", lambda f=f: f(r), 200),
              (f"grad {f.__name__}", lambda f=f: dg.elementwise_grad(f)(x), 50)]
out = []
for name, fn, n in cases:
    fn()
    out.append(f"{name} {min(timeit.repeat(fn, number=n, repeat=5)) / n * 1e6:.2f} us")
print(sys.argv[1] if len(sys.argv) > 1 else "", "; ".join(out))
