"""A digest of np.prod's and np.cumprod's nested derivatives where the factors' exponents
keep every product in range (cumprod70: the dual products stay there; their bits should
not move): ``dg.hessian``, ``dg.jacfwd(dg.jacfwd(.))`` and third derivatives of np.prod,
np.cumprod (along either axis of a matrix), np.prod with axis / keepdims, nanprod,
prod(x**2), prod(sin(x)), complex factors; 3 to 300 factors of random sizes in
[0.25, 4] with signs and zeros (every level's bytes, the warnings: one SHA-1).

    python bench/cumprod70_bits.py [--compare DIR]

Fresh processes for each engine (fused, eager), numba loaded and not, of this
checkout and, with ``--compare``, of ``DIR``.
"""
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import digest_main, print_digest, record  # noqa: E402


def child(numba):
    import numpy as np

    import dualgrad as dg
    if numba:
        from dualgrad.backend import _loader
        _loader.load()
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(70)
    out = []

    def cumlast(z):
        return np.cumprod(z)[-1]

    def total(z):
        return np.sum(np.cumprod(z))
    funcs = {"prod": np.prod, "cumprod last": cumlast, "sum cumprod": total,
             "nanprod": np.nanprod, "prod x**2": lambda z: np.prod(z ** 2),
             "prod sin": lambda z: np.prod(np.sin(z)),
             "prod complex": lambda z: np.real(np.prod(z * (1.0 + 0.5j)))}
    for L in (3, 5, 12, 40, 300):
        for trial in range(2 if L < 300 else 1):
            x = rng.uniform(0.25, 4.0, L) * rng.choice([-1.0, 1.0], L)
            if trial:
                x[rng.integers(L)] = 0.0
            for name, f in funcs.items():
                record(out, f"hessian {name} {L} {trial}", lambda: dg.hessian(f, x))
                if L <= 40:
                    record(out, f"jacfwd2 {name} {L} {trial}",
                           lambda: dg.jacfwd(dg.jacfwd(f))(x))
                if L <= 12:
                    record(out, f"jacfwd3 {name} {L} {trial}",
                           lambda: dg.jacfwd(dg.jacfwd(dg.jacfwd(f)))(x))
    X = rng.uniform(0.25, 4.0, (6, 5)) * rng.choice([-1.0, 1.0], (6, 5))
    for axis in (0, 1):
        for keep in (False, True):
            record(out, f"prod axis {axis} {keep}", lambda: dg.hessian(
                lambda a: np.sum(np.prod(a.reshape(6, 5), axis=axis, keepdims=keep)), X.ravel()))
        record(out, f"cumprod axis {axis}", lambda: dg.jacfwd(dg.jacfwd(
            lambda a: np.cumprod(a.reshape(6, 5), axis=axis)[-1]))(X.ravel()))
    print_digest(out)


if __name__ == "__main__":
    digest_main(__file__, child)
