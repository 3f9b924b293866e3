"""How often a coupled output element escapes elementwise_grad's probes.

    python bench/check_escapes.py
    python bench/check_escapes.py --rows 200000 --sizes 256 70000 1030301

For ``r = np.sin(x); r[i] += sum_j w_j * x[j]`` (row ``i`` coupled to the partners
``j`` with weights ``w``) the probes' partials of ``r[i]`` are, in float64 and in
this order, ``cos(x_i) * c_i + sum_j w_j * c_j`` against ``c_i * (cos(x_i) +
sum_j w_j)``, what both engines compute for that ``f``; a row escapes where they are
equal in every probe.  Printed per scheme, size and weights: the fraction of rows
that escape, and of those whose result is wrong (``cos(x_i) + sum w`` differs from
``cos(x_i)``: an escape of weights summing to 0 returns the diagonal).  Partners
are near the row (strides up to 40, a stencil's) or anywhere, half each.
Schemes: ``now``, ``dualgrad.api.transforms._probes``; ``stop31``, the probes
before (codes ``+-2**k``, ``k`` in 0..127, one pseudo-random map of the index's
base-256 digits per probe), rebuilt here.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parent.parent)]   # this checkout's dualgrad

from dualgrad.api import transforms  # noqa: E402

WEIGHTS = [(0.5, 0.5), (1.0, -1.0), (1.0, 3.0), (0.25, 0.25, 0.5), (1.0, 2.0, 3.0),
           (1.0, -1.0, 1.0), (1.0, 1.0, -2.0), (1.0, -1.0, 1.0, -1.0), (1.0, 16.0)]


def stop31(size):
    """The probes of stop 31 (check13): codes +-2**k, k in 0..127, by base-256 digit."""
    count = 1
    while 256 ** count < size:
        count += 1
    rng = np.random.default_rng(17)
    index = np.arange(size, dtype=np.int64)
    out = []
    for p in range(count):
        codes = rng.permutation(256)
        table = np.where(codes & 1, -1.0, 1.0) * np.ldexp(1.0, codes >> 1)
        out.append(table[(index >> (8 * p)) & 255])
    return out


def couplings(rng, n, k, count):
    """Rows and ``k`` distinct partners each, half near the row, half anywhere."""
    rows = rng.integers(0, n, count)
    strides = np.r_[-40:0, 1:41]
    near = rows + strides[np.argsort(rng.random((count, strides.size)), axis=1)[:, :k]].T
    partners = np.where(np.arange(count) % 2, near % n, rng.integers(0, n, (k, count)))
    keep = np.all(partners != rows, axis=0)
    for a in range(k):
        for b in range(a):
            keep &= partners[a] != partners[b]
    return rows[keep], partners[:, keep]


def rates(probes, weights, rows, partners, rng):
    d = np.cos(rng.uniform(0.5, 1.5, rows.size))
    ones = d + sum(weights)
    escaped = np.ones(rows.size, dtype=bool)
    for q in probes:
        cross = sum(w * q[j] for j, w in zip(partners, weights))
        escaped &= d * q[rows] + cross == q[rows] * ones
    return escaped.mean(), (escaped & (ones != d)).mean()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 5000, 70_000, 1_030_301])
    args = parser.parse_args()
    rng = np.random.default_rng(31)
    print(f"{'size':>8} {'scheme':>7} probes  " + "  ".join(
        ",".join(f"{w:g}" for w in ws) for ws in WEIGHTS))
    print("         (each cell: escaping rows / escaping rows with a wrong result)")
    for n in args.sizes:
        for name, probes in (("stop31", stop31(n)), ("now", transforms._probes(n))):
            cells = []
            for weights in WEIGHTS:
                rows, partners = couplings(rng, n, len(weights), args.rows)
                cells.append("%.1e/%.1e" % rates(probes, weights, rows, partners, rng))
            print(f"{n:>8} {name:>7} {len(probes):>6}  " + "  ".join(cells), flush=True)


if __name__ == "__main__":
    main()
