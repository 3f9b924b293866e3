"""What the hushed partials of det, inv, einsum, cumprod and the singular values cost in
NumPy's default error state against another checkout (lead67: partials_hushed runs
there with NumPy's reports counted instead of made, and scans a result only after one,
so that an intermediate overflow of an exact Jacobian is as silent as NumPy's value:
attack66 F7; prints only).

    python bench/hushed_ab.py [--compare /tmp/main_before] [--rounds 3]

Each case is one call inside ``dg.jacobian`` of a function of a 10-vector ``z`` (so the
operation's operands hold 10 partials): ``det`` / ``inv`` of ``diag(z) + 1``, ``einsum``
of a plain 10 x 10 matrix and ``z``, ``cumprod(z)``, the singular values of
``diag(z) + 1``; each figure ``_common.median_time``'s us of a call in process time,
in fresh processes alternating this checkout ("after") and ``--compare DIR``.
"""

import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import ab_main, median_time  # noqa: E402  (the A/B loop)


def child():
    """Print ``{"case": us}`` for this process's dualgrad."""
    import numpy as np

    import dualgrad as dg

    out, M = {}, np.linspace(0.5, 1.5, 100).reshape(10, 10)

    def f(z):
        A = np.diag(z) + 1.0
        cases = {"det": lambda: np.linalg.det(A), "inv": lambda: np.linalg.inv(A),
                 "einsum": lambda: np.einsum("ij,j->i", M, z),
                 "cumprod": lambda: np.cumprod(z),
                 "svd values": lambda: np.linalg.svd(A, compute_uv=False)}
        for name, call in cases.items():
            out[name] = median_time(call, clock=time.process_time) * 1e6
        return z

    dg.jacobian(f, np.arange(1.0, 11.0))
    print(json.dumps(out))


def main():
    ab_main("hushed_ab.py", child, first="inside", digits=2)


if __name__ == "__main__":
    main()
