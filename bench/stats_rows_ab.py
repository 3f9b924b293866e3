"""Gradients through dualgrad.scipy.stats' cdf-like methods, this checkout / another
(stats44: SciPy's distribution functions are rule-table rows; stats43 lifted them with
slopes written in dualgrad/scipy/stats), with SciPy's float call as the unit.

    python bench/stats_rows_ab.py [--compare OTHER_CHECKOUT] [--rounds 3] [--n 10000]

Per case: ``dg.gradient`` of ``sum(method(x, shapes, loc, scale))`` in ``(loc, scale)``
(2 directions) at ``--n`` points, and ``dg.hessian`` of the same at 200 points.  Medians
of process CPU time per call, ms; with --compare, fresh processes of each checkout
alternating, and this / other per case.
"""
import argparse
import json
import statistics
import sys
import time

import numpy as np

from _common import alternate, median_time

CASES = {
    "t.cdf": ("t", "cdf", (4.0,)),
    "t.ppf": ("t", "ppf", (4.0,)),
    "chi2.sf": ("chi2", "sf", (3.0,)),
    "gamma.ppf": ("gamma", "ppf", (2.5,)),
    "beta.isf": ("beta", "isf", (2.0, 3.0)),
    "cauchy.ppf": ("cauchy", "ppf", ()),
    "poisson.cdf": ("poisson", "cdf", None),
    "binom.sf": ("binom", "sf", None),
}


def child(n):
    import scipy.stats as ss

    import dualgrad as dg
    from dualgrad.scipy import stats as ds
    rng = np.random.default_rng(0)
    out = {}
    for name, (dist, method, shapes) in CASES.items():
        if shapes is None:                      # discrete: k plain, the gradient in p / mu
            k = rng.integers(0, 8, n).astype(float)
            extra = (10.0,) if dist == "binom" else ()
            p0 = np.array([0.35 if dist == "binom" else 3.0])
            f = lambda p, k=k, extra=extra, d=dist, m=method: np.sum(     # noqa: E731
                getattr(getattr(ds, d), m)(k, *extra, p[0]))
            plain = lambda k=k, extra=extra, d=dist, m=method, p0=p0: getattr(  # noqa: E731
                getattr(ss, d), m)(k, *extra, p0[0])
            small = lambda p, k=k[:200], extra=extra, d=dist, m=method: np.sum(  # noqa: E731
                getattr(getattr(ds, d), m)(k, *extra, p[0]))
        else:
            x = rng.uniform(0.05, 0.95, n) if method in ("ppf", "isf") else \
                rng.uniform(0.1, 4.0, n)
            p0 = np.array([0.2, 1.3])
            f = lambda p, x=x, s=shapes, d=dist, m=method: np.sum(       # noqa: E731
                getattr(getattr(ds, d), m)(x, *s, p[0], p[1]))
            plain = lambda x=x, s=shapes, d=dist, m=method: getattr(      # noqa: E731
                getattr(ss, d), m)(x, *s, 0.2, 1.3)
            small = lambda p, x=x[:200], s=shapes, d=dist, m=method: np.sum(  # noqa: E731
                getattr(getattr(ds, d), m)(x, *s, p[0], p[1]))
        clock = time.process_time
        out[name] = [1e3 * median_time(plain, repeat=7, clock=clock),
                     1e3 * median_time(lambda: dg.gradient(f, p0), repeat=7, clock=clock),
                     1e3 * median_time(lambda: dg.hessian(small, p0), repeat=7, clock=clock)]
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", help="another checkout of dualgrad (before)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.n)
    got = alternate("stats_rows_ab.py", ["--n", str(args.n)], args.compare, args.rounds)
    head = "| case | SciPy ms | gradient ms (this) | hessian ms (this) |"
    print(head + (" gradient ms (other) | hessian ms (other) | this / other (grad, hess) |"
                  if args.compare else ""))
    print("|---|---|---|---|" + ("---|---|---|" if args.compare else ""))
    for case in got["after"][0]:
        def med(side, i):
            return statistics.median(r[case][i] for r in got[side])
        row = f"| {case} | {med('after', 0):.2f} | {med('after', 1):.2f} | {med('after', 2):.2f} |"
        if args.compare:
            g0, h0 = med("before", 1), med("before", 2)
            row += (f" {g0:.2f} | {h0:.2f} | {med('after', 1) / g0:.2f}, "
                    f"{med('after', 2) / h0:.2f} |")
        print(row)


if __name__ == "__main__":
    sys.exit(main())
