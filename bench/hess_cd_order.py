"""test_scipy42's Hessian oracle, differences of differences, at two orders: another
tree's (8th of 8th before fastci66) against this tree's (4th of 4th), at the file's
13 Hessian sites (issue 13|14, stop 66, fastci66: README's test command).

    python bench/hess_cd_order.py OTHER_TREE

For each site: the largest difference between the two oracles and between dualgrad's
Hessian and each, relative to the site's scale (max(1, max |H|), as the tests' ``_close``),
beside the tolerance the test asserts; and each oracle's process CPU.  Prints only.
"""

import importlib.util
import os
import sys
import time

import numpy as np
import scipy.special as sc

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _load(tree, name):
    path = os.path.join(tree, "tests", "test_scipy42.py")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sites(T):
    import dualgrad.scipy.special as ds
    m = 3
    A, y = T.SPD[:m, :m].ravel(), T.VEC[:m]
    for name, f in T.HESSIANS.items():
        yield (name, lambda x, f=f: f(x.reshape(m, m), T.sl, y), A, 1e-7,
               lambda x, f=f: f(x.reshape(m, m), T.dl, y))
    rng = np.random.default_rng(7)
    x, b = rng.standard_normal(5), rng.uniform(0.5, 2.0, 5)
    yield "logsumexp", lambda x: sc.logsumexp(x, b=b), x, 1e-7, lambda x: ds.logsumexp(x, b=b)
    yield "softmax", lambda x: sc.softmax(x)[0], x, 1e-7, lambda x: ds.softmax(x)[0]
    yield ("log_softmax", lambda x: np.sum(sc.log_softmax(x) ** 2), x, 1e-7,
           lambda x: np.sum(ds.log_softmax(x) ** 2))

    def lse(p, special):
        a = np.stack([p[0], np.float64(1.0), np.float64(2.0)])
        return special.logsumexp(a, b=np.stack([p[1], np.float64(1.0), np.float64(0.5)]))
    yield ("logsumexp, b = 0", lambda p: lse(p, sc), np.array([0.3, 0.0]), 1e-8,
           lambda p: lse(p, ds))


def main(other):
    import dualgrad as dg
    old, new = _load(other, "other_scipy42"), _load(HERE, "this_scipy42")
    cpu = [0.0, 0.0]
    print("%-18s %6s %11s %10s %10s %8s %8s" % ("site", "tol", "|old-new|", "|dg-old|",
                                               "|dg-new|", "CPU old", "CPU new"))
    for name, f, x, tol, ours in _sites(new):
        c0 = time.process_time()
        h_old = old._hess_cd(f, x)
        c1 = time.process_time()
        h_new = new._hess_cd(f, x)
        c2 = time.process_time()
        cpu[0] += c1 - c0
        cpu[1] += c2 - c1
        H = dg.hessian(ours, x)
        scale = max(1.0, np.max(np.abs(h_old)))
        print("%-18s %6.0e %11.1e %10.1e %10.1e %8.2f %8.2f" % (
            name, tol, np.max(np.abs(h_old - h_new)) / scale, np.max(np.abs(H - h_old)) / scale,
            np.max(np.abs(H - h_new)) / scale, c1 - c0, c2 - c1))
    print("oracles' CPU: %.2f s (%s) -> %.2f s (this tree)" % (cpu[0], other, cpu[1]))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
