"""An optics engineer's derivatives: dualgrad against approx_fprime and jax (issue 13).

    python bench/optics.py [--repeat K] [--pixels N]

Three problems from useroptics52's day (tests/test_useroptics52.py checks their
derivatives against closed forms, differences and JAX):

* ``tmm``: examples/thin_film.py's band-averaged s + p reflectance of a 6-layer stack at
  61 wavelengths, 30 degrees, an absorbing layer: the gradient in 6 thicknesses and 6
  indices (stacked ``(61, 2, 2)`` complex characteristic matrices, ``@`` per layer).
* ``tmm_loop``: the same stack one wavelength at a time, as tmm's ``coh_tmm`` is called
  (a Python loop over the 61 wavelengths, each a ``(1, 2, 2)`` product per layer): small
  arrays, where each operation's fixed cost on duals dominates.
* ``asm``: the angular-spectrum propagation of an ``N x N`` field (``fft2``, ``fftshift``,
  ``exp(1j kz z)``, ``ifft2``) behind a phase mask: the Jacobian of the propagated
  intensity in the ``N^2`` mask pixels (dense: every pixel reaches every output).
* ``fir``: a 9-tap FIR filter's magnitude-response fit ``sum((|A h| - D)^2)`` at 48
  frequencies: its Hessian.

Rows per problem: f itself, ``dg.gradient`` / ``dg.jacobian`` / ``dg.hessian``, SciPy's
``approx_fprime`` (for the Hessian: ``approx_fprime`` of the exact gradient), and, where
jax is installed, ``jax.jit`` of ``jax.grad`` / ``jax.jacfwd`` / ``jax.hessian`` of a
``jax.numpy`` port (warm: its compile time is printed apart).  Each cell is the median
of ``K`` calls' process time (this process's CPU time, every thread: the machine is
shared), the rows interleaved call by call; ratios are against dualgrad's row of the same
run.  Before timing, each peer's result is compared with dualgrad's (the largest
relative difference is printed).  BLAS runs on one thread (set before NumPy loads).
Nothing is written.
"""

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np                                      # noqa: E402
from scipy.optimize import approx_fprime                # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "examples"))

import dualgrad as dg                                   # noqa: E402
import thin_film                                        # noqa: E402

HAS_JAX = importlib.util.find_spec("jax") is not None


def rel(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


# ---- the problems -------------------------------------------------------------------

def tmm_problem(jnp=None):
    theta0 = np.deg2rad(30.0)
    p0 = np.concatenate([thin_film.D0, thin_film.N0])
    if jnp is None:
        return thin_film.band_loss, p0

    def reflectance(d, n, pol):
        n_all = [thin_film.N_IN, *[n[i] for i in range(len(d))], thin_film.N_SUB]
        s0 = thin_film.N_IN * np.sin(theta0)
        cos_all = []
        for ni in n_all:
            c = jnp.sqrt(1.0 - (s0 / ni) ** 2 + 0j)
            cos_all.append(jnp.where((ni * c).imag > 0, -c, c))
        eta = [ni * ci if pol == "s" else ni / ci for ni, ci in zip(n_all, cos_all)]
        M = jnp.eye(2, dtype=complex)
        for i in range(len(d)):
            delta = 2 * np.pi * n_all[i + 1] * cos_all[i + 1] * d[i] / thin_film.WL
            c, s = jnp.cos(delta), jnp.sin(delta)
            M = M @ jnp.stack([jnp.stack([c, 1j * s / eta[i + 1]], -1),
                               jnp.stack([1j * eta[i + 1] * s, c], -1)], -2)
        B = M[..., 0, 0] + M[..., 0, 1] * eta[-1]
        C = M[..., 1, 0] + M[..., 1, 1] * eta[-1]
        return jnp.abs((eta[0] * B - C) / (eta[0] * B + C)) ** 2

    def loss(p):
        d, n = p[:6], p[6:] - 1j * thin_film.K0
        return 0.5 * (jnp.mean(reflectance(d, n, "s")) + jnp.mean(reflectance(d, n, "p")))
    return loss, p0


def tmm_loop_problem():
    theta0 = np.deg2rad(30.0)

    def loss(p):
        d, n = p[:6], p[6:] - 1j * thin_film.K0
        return np.mean(np.concatenate([          # = the mean of the s and p means
            thin_film.reflectance(d, n, theta0, pol, wl=thin_film.WL[i:i + 1])
            for i in range(len(thin_film.WL)) for pol in "sp"]))
    return loss, np.concatenate([thin_film.D0, thin_film.N0])


def asm_problem(n, xp=np):
    yy, xx = np.mgrid[:n, :n] - n / 2
    aperture = np.exp(-(xx ** 2 + yy ** 2) / (n * n / 12.0))
    kx = np.fft.fftshift(np.fft.fftfreq(n, 0.5) * 2 * np.pi)
    KY, KX = np.meshgrid(kx, kx, indexing="xy")
    kz = np.sqrt(0j + (2 * np.pi / 0.6) ** 2 - KX ** 2 - KY ** 2)
    H = np.exp(1j * kz * 20.0)

    def intensity(phi):
        E = xp.fft.fftshift(xp.fft.fft2(aperture * xp.exp(1j * phi.reshape(n, n))))
        u = xp.fft.ifft2(xp.fft.ifftshift(E * H))
        return (xp.abs(u) ** 2).ravel()
    return intensity, np.random.default_rng(0).uniform(-1, 1, n * n)


def fir_problem(xp=np):
    w = np.linspace(0, np.pi, 48)
    A = np.exp(-1j * np.outer(w, np.arange(9)))
    D = (w < 1.2).astype(float)
    h0 = np.hamming(9) * np.sinc(1.2 / np.pi * (np.arange(9) - 4)) * 1.2 / np.pi
    return (lambda h: xp.sum((xp.abs(A @ h) - D) ** 2)), h0


# ---- timing -------------------------------------------------------------------------

def interleaved(calls, repeat):
    """Median process time of each call, the calls taken in turn ``repeat`` times."""
    for call in calls.values():
        call()
    times = {name: [] for name in calls}
    for _ in range(repeat):
        for name, call in calls.items():
            t0 = time.process_time()
            call()
            times[name].append(time.process_time() - t0)
    return {name: statistics.median(t) for name, t in times.items()}


def report(title, calls, repeat, checks, compiled):
    med = interleaved(calls, repeat)
    ours = [k for k in calls if k.startswith("dg.")][0]
    print(f"\n{title}")
    for name, value in checks.items():
        print(f"  {name}: largest relative difference from dualgrad {value:.1e}")
    for name, seconds in compiled.items():
        print(f"  {name}: first call (trace + compile) {seconds:.2f} s")
    print("| row | ms | / dualgrad |")
    print("|---|---|---|")
    for name, t in med.items():
        print(f"| {name} | {t * 1e3:.3f} | {t / med[ours]:.2f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--pixels", type=int, default=16)
    args = parser.parse_args()
    print(f"load: {os.getloadavg()}, numpy {np.__version__}, jax: "
          f"{'yes' if HAS_JAX else 'not installed (its rows skipped)'}")
    if HAS_JAX:
        import jax
        import jax.numpy as jnp
        jax.config.update("jax_enable_x64", True)

    def warm(fn, x):
        t0 = time.perf_counter()
        out = np.asarray(fn(x))
        return out, time.perf_counter() - t0

    # tmm: gradient in 12 parameters
    f, p0 = tmm_problem()
    g = dg.gradient(f, p0)
    calls = {"f": lambda: f(p0), "dg.gradient": lambda: dg.gradient(f, p0),
             "approx_fprime": lambda: approx_fprime(p0, f)}
    checks = {"approx_fprime": rel(approx_fprime(p0, f), g)}
    compiled = {}
    if HAS_JAX:
        jf, _ = tmm_problem(jnp)
        jg = jax.jit(jax.grad(jf))
        out, compiled["jax.jit(jax.grad)"] = warm(jg, p0)
        checks["jax.jit(jax.grad)"] = rel(out, g)
        calls["jax.jit(jax.grad)"] = lambda: jg(p0).block_until_ready()
    report("tmm: gradient of the band's reflectance, 12 parameters, 61 wavelengths",
           calls, args.repeat, checks, compiled)

    # tmm_loop: the same gradient, one wavelength at a time
    f, p0 = tmm_loop_problem()
    g_loop = dg.gradient(f, p0)
    calls = {"f": lambda: f(p0), "dg.gradient": lambda: dg.gradient(f, p0),
             "approx_fprime": lambda: approx_fprime(p0, f)}
    checks = {"approx_fprime": rel(approx_fprime(p0, f), g_loop),
              "the vectorized model's gradient": rel(g, g_loop)}
    report("tmm_loop: the same gradient, a Python loop over the 61 wavelengths", calls,
           max(3, args.repeat // 3), checks, {})

    # asm: Jacobian in N^2 pixels
    n = args.pixels
    f, x0 = asm_problem(n)
    J = dg.jacobian(f, x0)
    calls = {"f": lambda: f(x0), "dg.jacobian": lambda: dg.jacobian(f, x0),
             "approx_fprime": lambda: approx_fprime(x0, f)}
    checks = {"approx_fprime": rel(approx_fprime(x0, f), J)}
    compiled = {}
    if HAS_JAX:
        jf, _ = asm_problem(n, jnp)
        jj = jax.jit(jax.jacfwd(jf))
        out, compiled["jax.jit(jax.jacfwd)"] = warm(jj, x0)
        checks["jax.jit(jax.jacfwd)"] = rel(out, J)
        calls["jax.jit(jax.jacfwd)"] = lambda: jj(x0).block_until_ready()
    report(f"asm: Jacobian of a {n} x {n} propagated intensity in its {n * n} phase "
           "pixels", calls, max(3, args.repeat // 3), checks, compiled)

    # fir: Hessian of a 9-tap magnitude fit
    f, h0 = fir_problem()
    H = dg.hessian(f, h0)
    grad = dg.grad(f)
    calls = {"f": lambda: f(h0), "dg.hessian": lambda: dg.hessian(f, h0),
             "approx_fprime(dg.grad)": lambda: approx_fprime(h0, grad)}
    checks = {"approx_fprime(dg.grad)": rel(approx_fprime(h0, grad), H)}
    compiled = {}
    if HAS_JAX:
        jf, _ = fir_problem(jnp)
        jh = jax.jit(jax.hessian(jf))
        out, compiled["jax.jit(jax.hessian)"] = warm(jh, h0)
        checks["jax.jit(jax.hessian)"] = rel(out, H)
        calls["jax.jit(jax.hessian)"] = lambda: jh(h0).block_until_ready()
    report("fir: Hessian of a 9-tap magnitude-response fit, 48 frequencies", calls,
           args.repeat, checks, compiled)


if __name__ == "__main__":
    main()
