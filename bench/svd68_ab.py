"""What svd68's singular-value ties and gaps cost the well-separated case against another
checkout (svd68: the tie test on ``s`` rather than ``s^2``, the vectors' gaps
``1 / ((s_j - s_i)(s_j + s_i))`` on ``s / s_1``, a stack's ties resolved matrix by matrix;
prints only).

    python bench/svd68_ab.py [--compare /tmp/main_before] [--rounds 3]

Each case is one call inside ``dg.jacobian`` (its operand holding the input's partials) of
a function of random well-conditioned matrices (seed 0): the full Jacobian of ``svd`` with
vectors of a 4 x 4 (the square fast path, 16 partials) and a 6 x 4 (the general lines, 24),
of ``svd(compute_uv=False)`` of a 10 x 10 (100) and of a stack of 8 4 x 4 (128); each figure
``_common.median_time``'s us of a call in process time, in fresh processes alternating this
checkout ("after") and ``--compare DIR``.
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

    rng = np.random.default_rng(0)
    inputs = {"svd 4x4 (U, s, Vt)": (rng.standard_normal((4, 4)),
                                     lambda A: np.linalg.svd(A)),
              "svd 6x4 thin (U, s, Vt)": (rng.standard_normal((6, 4)),
                                          lambda A: np.linalg.svd(A, full_matrices=False)),
              "svd 10x10 values": (rng.standard_normal((10, 10)),
                                   lambda A: np.linalg.svd(A, compute_uv=False)),
              "svd (8, 4, 4) values": (rng.standard_normal((8, 4, 4)),
                                       lambda A: np.linalg.svd(A, compute_uv=False))}
    out = {}
    for name, (A0, call) in inputs.items():
        def f(z):
            A = z.reshape(A0.shape)
            out[name] = median_time(lambda: call(A), clock=time.process_time) * 1e6
            return z
        dg.jacobian(f, A0.ravel())
    print(json.dumps(out))


def main():
    ab_main("svd68_ab.py", child, first="inside", digits=2)


if __name__ == "__main__":
    main()
