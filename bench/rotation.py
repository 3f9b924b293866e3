"""dualgrad.scipy.spatial.transform.Rotation: derivatives against
scipy.optimize.approx_fprime of SciPy's own Rotation, and against f itself, in one run.

    python bench/rotation.py [--reps 7] [--h 1e-3]

* ``camera``: a pinhole camera's reprojection residuals of 50 points (100 outputs),
  the Jacobian in the pose (rotation vector and translation: 6 inputs), as a
  bundle adjustment or a PnP refinement takes it; f through ``Rotation.from_rotvec(w)
  .apply(X)``.
* ``align``: ``Rotation.align_vectors(a, b)`` of 20 vector pairs, the Jacobian of the
  rotation vector and rssd (4 outputs) in ``a`` (60 inputs).
* ``euler``: ``as_euler("ZYX")`` of a chain of 10 rotations composed with ``*``
  (each from its rotation vector: 30 inputs), 3 outputs.

``f ms``: f on floats with SciPy's Rotation (its Cython backend); ``ours ms``: the
same f with dualgrad's Rotation on floats (NumPy); ``dg ms``: ``dg.jacobian`` of
f with dualgrad's Rotation; ``fprime ms``: ``approx_fprime`` of f with SciPy's.  One
process, one BLAS thread, CPU-time medians (``time.process_time``) of ``--reps``
repeats after a warm-up (``bench/_common.median_time``).  ``err``: the largest error
relative to the largest entry of the oracle, eighth-order central differences of
SciPy's f (step ``--h``).  The load (``os.getloadavg``) is printed before and after.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402  (one thread per library)

import numpy as np  # noqa: E402


def _central8(f, p, h=1e-3):
    c = (4 / 5, -1 / 5, 4 / 105, -1 / 280)
    cols = []
    for j in range(p.size):
        e = np.zeros_like(p)
        e[j] = h
        cols.append(sum(ck * (f(p + (k + 1) * e) - f(p - (k + 1) * e))
                        for k, ck in enumerate(c)) / h)
    return np.stack(cols, axis=-1)


def _problems():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3)) + np.array([0.0, 0.0, 8.0])
    uv = rng.normal(size=(50, 2)) * 40

    def camera(R, p):
        P = R.from_rotvec(p[:3]).apply(X) + p[3:]
        return (500.0 * P[:, :2] / P[:, 2:] - uv).ravel()

    b = rng.normal(size=(20, 3))
    true = rng.normal(size=3)

    def align(R, a):
        a = a.reshape(20, 3)
        r, rssd = R.align_vectors(a, b)
        return np.concatenate([r.as_rotvec(), np.reshape(rssd, (1,))])

    from scipy.spatial.transform import Rotation as SR
    a0 = SR.from_rotvec(true).apply(b) + 0.05 * rng.normal(size=(20, 3))

    def euler(R, w):
        r = R.from_rotvec(w[:3])
        for k in range(1, 10):
            r = r * R.from_rotvec(w[3 * k:3 * k + 3])
        return r.as_euler("ZYX")

    return [("camera", camera, np.array([0.1, -0.2, 0.05, 0.3, -0.1, 0.5])),
            ("align", align, a0.ravel()),
            ("euler", euler, 0.2 * rng.normal(size=30))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--h", type=float, default=1e-3, help="the oracle's step")
    args = parser.parse_args()
    import scipy.optimize
    from scipy.spatial.transform import Rotation as SR

    import dualgrad as dg
    from dualgrad.scipy.spatial.transform import Rotation

    print(f"load before: {os.getloadavg()}")
    print(f"{'problem':8s} {'n':>3s} {'m':>4s} {'f ms':>8s} {'ours ms':>8s} {'dg ms':>8s} "
          f"{'x f':>6s} {'fprime ms':>10s} {'x fprime':>9s} {'dg err':>8s} {'fprime err':>10s}")
    for name, f, x in _problems():
        scipy_f = lambda p: f(SR, p)
        ours_f = lambda p: f(Rotation, p)
        deriv = lambda: dg.jacobian(ours_f, x)
        fprime = lambda: scipy.optimize.approx_fprime(x, scipy_f)
        oracle = _central8(scipy_f, x, args.h)
        scale = np.max(np.abs(oracle))
        err_dg = np.max(np.abs(deriv() - oracle)) / scale
        err_fp = np.max(np.abs(fprime() - oracle)) / scale
        clock = time.process_time
        tf = _common.median_time(lambda: scipy_f(x), repeat=args.reps, clock=clock)
        to = _common.median_time(lambda: ours_f(x), repeat=args.reps, clock=clock)
        td = _common.median_time(deriv, repeat=args.reps, clock=clock)
        ta = _common.median_time(fprime, repeat=args.reps, clock=clock)
        m = np.size(scipy_f(x))
        print(f"{name:8s} {x.size:3d} {m:4d} {tf * 1e3:8.3f} {to * 1e3:8.3f} {td * 1e3:8.2f} "
              f"{td / tf:6.1f} {ta * 1e3:10.2f} {td / ta:9.2f} {err_dg:8.1e} {err_fp:10.1e}")
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
