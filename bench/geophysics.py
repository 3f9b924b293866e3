"""A geophysicist's first day with dualgrad (usergeo48): derivatives of plain NumPy
geophysics in model parameters, each checked against an independent oracle and timed
against ``scipy.optimize.approx_fprime`` and the function itself in one process.

    python bench/geophysics.py [--repeat R] [--steps NT] [--pyfunc] [--only ROW ...] [--cpu]

Problems (sources cited; the code is written for this script after them):

* wave3 / wave20: a 2-D acoustic finite-difference wave equation, 200 x 200 cells,
  NT = 500 leapfrog steps (5-point Laplacian by slicing, a Cerjan et al. 1985 damping
  sponge, a Ricker source), after daniel-koehn/Theory-of-seismic-waves-II
  05_2D_acoustic_FD_modelling/2_Optimizing_fdac2d_code.ipynb @ 6026efb0 (its @jit stencil
  loop written with slices: jitted code takes 1-D duals only). Parameters: 3 or 20 layer
  velocities (np.digitize of depth). Output: 20 receivers x NT samples. dg.jacobian
  (dense) and dg.jvp (one direction, a tangent-linear run). Oracle: the complex step
  (everything is analytic in the velocities).
* basin100: the vertical attraction of 100 prisms (10 x 10 cells of 200 m, bottoms as
  parameters) at 100 stations over the prism centres, the loop over prisms and corners of
  fatiando/fatiando fatiando/gravmag/_prism_numpy.py @ 0b1b429d (gz, safe_log,
  safe_atan2 with its constant write replaced by constant shifts: see
  examples/prism_gravity.py). Oracle: d gz / d bottom = G rho times the solid angle of the
  bottom face (closed form).
* tomo400: straight-ray cross-hole travel times, 8 x 12 rays through a 20 x 20 slowness
  grid (crossing parameters sorted, cells by np.digitize / np.searchsorted of the plain
  midpoints). Dense dg.jacobian and sparse with the pattern from dg.sparsity. Oracle: the
  times are linear in the slowness, so column c is the time through the unit slowness e_c.

* --pyfunc (alone): one call of Koehn's @jit stencil's Python original (``py_func``, what
  the refusal of a 2-D dual in jitted code offered) on a 200 x 200 dual wavefield of 3
  directions, beside the same Laplacian on slices: the cost per time step of each fix.

Each row: the worst error of dualgrad and of approx_fprime against the oracle (over the
largest entry), and median wall times of f, dualgrad and approx_fprime (one thread each,
a shared machine: report ``uptime`` beside them; ``--cpu``: process times instead).
``--only wave3 ...``: those rows only.  The engine is ``DUALGRAD_ENGINE``'s (printed).
"""

import argparse
import os
import time

import numpy as np
from scipy.optimize import approx_fprime

from _common import median_time

import dualgrad as dg

N, DX, DT, NB, F0 = 200, 10.0, 1e-3, 20, 15.0
_I = np.arange(N)
_DIST = np.minimum(_I, N - 1 - _I)
_W = np.where(_DIST < NB, np.exp(-(0.015 * (NB - _DIST)) ** 2), 1.0)
DAMP = _W[:, None] * _W[None, :]
DEPTH = np.arange(N) * DX
ISZ, ISX = 30, 100
REC = np.arange(20, 180, 8)
CLOCK = [time.perf_counter]          # --cpu: time.process_time


def timed(fn, repeat):
    """Median seconds of ``fn()`` by :data:`CLOCK` (one call per sample)."""
    return median_time(fn, repeat=repeat, min_time=0, clock=CLOCK[0])


def ricker(nt):
    t = np.arange(nt) * DT
    arg = (np.pi * F0 * (t - 1.0 / F0)) ** 2
    return (1 - 2 * arg) * np.exp(-arg)


def simulate(v, nt):
    """Receiver traces (nt, 20) of the acoustic wave equation with layer velocities v."""
    edges = np.linspace(0.0, DEPTH[-1] + DX, v.shape[0] + 1)[1:-1]
    c = v[np.digitize(DEPTH, edges)][:, None] * np.ones((1, N))
    c2 = (c * DT / DX) ** 2
    src = ricker(nt)
    u0 = np.zeros_like(c2)
    u1 = np.zeros_like(c2)
    traces = []
    for n in range(nt):
        lap = np.zeros_like(u1)
        lap[1:-1, 1:-1] = (u1[2:, 1:-1] + u1[:-2, 1:-1] + u1[1:-1, 2:] + u1[1:-1, :-2]
                           - 4 * u1[1:-1, 1:-1])
        u2 = 2 * u1 - u0 + c2 * lap
        u2[ISZ, ISX] += src[n] * DT ** 2
        u0 = u1 * DAMP
        u1 = u2 * DAMP
        traces.append(u1[ISZ - 10, REC])
    return np.stack(traces)


G, SI2MGAL, RHO, NP, H = 6.673e-11, 1e5, -300.0, 10, 200.0
_EC = (np.arange(NP) + 0.5) * H
_X, _Y = (a.ravel() for a in np.meshgrid(_EC, _EC, indexing="ij"))
XP, YP, ZP = _X, _Y, np.full(NP * NP, -5.0)


def safe_atan2(y, x):
    """fatiando's safe_atan2 (arctan(y / x), 0 at y == 0) by constant shifts only."""
    res = np.arctan2(y, x)
    return res - np.pi * (res > np.pi / 2) + np.pi * (res < -np.pi / 2)


def safe_log(x):
    res = np.log(x)
    res[x == 0] = 0
    return res


def basin(bottoms):
    res = np.zeros_like(XP)
    for k in range(NP * NP):
        x = [_X[k] + H / 2 - XP, _X[k] - H / 2 - XP]
        y = [_Y[k] + H / 2 - YP, _Y[k] - H / 2 - YP]
        z = [bottoms[k] - ZP, 0.0 - ZP]
        for kk in range(2):
            for j in range(2):
                for i in range(2):
                    r = np.sqrt(x[i] ** 2 + y[j] ** 2 + z[kk] ** 2)
                    kernel = -(x[i] * safe_log(y[j] + r) + y[j] * safe_log(x[i] + r)
                               - z[kk] * safe_atan2(x[i] * y[j], z[kk] * r))
                    res = res + ((-1.0) ** (i + j + kk)) * kernel * RHO
    return res * G * SI2MGAL


def basin_exact(bottoms):
    J = np.zeros((NP * NP, NP * NP))
    for k in range(NP * NP):
        x = [_X[k] + H / 2 - XP, _X[k] - H / 2 - XP]
        y = [_Y[k] + H / 2 - YP, _Y[k] - H / 2 - YP]
        z = bottoms[k] - ZP
        for i in range(2):
            for j in range(2):
                r = np.sqrt(x[i] ** 2 + y[j] ** 2 + z ** 2)
                J[:, k] += (-1) ** (i + j) * np.arctan(x[i] * y[j] / (z * r))
    return J * G * SI2MGAL * RHO


NX = NZ = 20
_XG = np.arange(NX + 1) * 50.0
_ZG = np.arange(NZ + 1) * 50.0
SRCS = np.stack([np.full(8, 5.0), np.linspace(60, 940, 8)], 1)
RECS = np.stack([np.full(12, 995.0), np.linspace(40, 960, 12)], 1)


def ray_time(a, b, s):
    d = b - a
    length = np.sqrt(np.sum(d * d))
    cross = np.concatenate([(_XG - a[0]) / d[0], (_ZG - a[1]) / d[1]])
    c0 = dg.stop_gradient(cross)
    # end points apart from the crossings: np.sort's tie of a crossing at exactly t = 0
    # (a source on a grid line) with the end point would average their partials
    t = np.concatenate([[0.0], np.sort(cross[(c0 > 0) & (c0 < 1)]), [1.0]])
    t0 = dg.stop_gradient(t)
    mid = 0.5 * (t0[1:] + t0[:-1])
    a0, d0 = dg.stop_gradient(a), dg.stop_gradient(d)
    ix = np.digitize(a0[0] + mid * d0[0], _XG) - 1
    iz = np.searchsorted(_ZG, a0[1] + mid * d0[1], side="right") - 1
    return np.sum(np.diff(t) * length * s[iz, ix])


def tomo(s_flat):
    s = s_flat.reshape(NZ, NX)
    return np.stack([ray_time(a, b, s) for a in SRCS for b in RECS])


def err(a, ref):
    return np.max(np.abs(np.asarray(a) - ref)) / np.max(np.abs(ref))


def row(name, tf, cols):
    print(f"{name:10s} f {tf * 1e3:9.1f} ms  " + "  ".join(
        f"{k} {t * 1e3:9.1f} ms ({t / tf:5.1f}x f, err {e:.1e})" for k, t, e in cols))


def stencil_loop(p, dx, dz, nx, nz, d2px, d2pz):
    """Koehn's update_d2px_d2pz (the @jit function's body; run as its py_func)."""
    for i in range(1, nx - 1):
        for j in range(1, nz - 1):
            d2px[i, j] = (p[i + 1, j] - 2 * p[i, j] + p[i - 1, j]) / dx**2
            d2pz[i, j] = (p[i, j + 1] - 2 * p[i, j] + p[i, j - 1]) / dz**2
    return d2px, d2pz


def stencil_slices(p, dx, dz, nx, nz, d2px, d2pz):
    d2px, d2pz = np.zeros_like(p), np.zeros_like(p)
    d2px[1:-1, 1:-1] = (p[2:, 1:-1] - 2 * p[1:-1, 1:-1] + p[:-2, 1:-1]) / dx**2
    d2pz[1:-1, 1:-1] = (p[1:-1, 2:] - 2 * p[1:-1, 1:-1] + p[1:-1, :-2]) / dz**2
    return d2px, d2pz


def pyfunc(rep):
    field = np.sin(np.arange(N * N).reshape(N, N) / 7.0)

    def one(update):
        def f(v):
            p = field * v[0] + field ** 2 * v[1] + v[2]
            d2px, d2pz = update(p, DX, DX, N, N, np.zeros_like(p), np.zeros_like(p))
            return (d2px + d2pz)[N // 2]
        return f
    v = np.array([1.0, 0.5, 0.2])
    tl = median_time(lambda: dg.jacobian(one(stencil_loop), v), repeat=rep, min_time=0)
    ts = median_time(lambda: dg.jacobian(one(stencil_slices), v), repeat=rep, min_time=0)
    same = np.array_equal(dg.jacobian(one(stencil_loop), v), dg.jacobian(one(stencil_slices), v))
    print(f"stencil on a {N} x {N} dual (3 directions), one call: py_func loop {tl:.3f} s, "
          f"slices {ts * 1e3:.2f} ms ({tl / ts:.0f}x); same Jacobian row: {same}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--pyfunc", action="store_true")
    ap.add_argument("--cpu", action="store_true",
                    help="process time instead of wall time (a loaded machine)")
    ap.add_argument("--only", nargs="+", choices=["wave3", "wave20", "basin100", "tomo400"],
                    help="these rows only (default: all)")
    a = ap.parse_args()
    if a.cpu:
        CLOCK[0] = time.process_time
    only = set(a.only or ["wave3", "wave20", "basin100", "tomo400"])
    if a.pyfunc:
        print("load:", os.getloadavg())
        pyfunc(a.repeat)
        return
    rep, nt = a.repeat, a.steps
    print("load:", os.getloadavg())
    print(f"engine: {os.environ.get('DUALGRAD_ENGINE', 'default')}; wave: {N} x {N}, {nt} steps")
    for nl in (3, 20):
        if f"wave{nl}" not in only:
            continue
        v = np.linspace(1500.0, 3500.0, nl)
        w = np.cos(np.arange(nl))
        tf = timed(lambda: simulate(v, nt), rep)
        J = dg.jacobian(simulate, v, nt)
        _, jv = dg.jvp(simulate, v, w, nt)
        jc = simulate(v + 1e-20j * w, nt).imag / 1e-20               # complex step along w
        Jc = np.stack([simulate(v + 1e-20j * e, nt).imag / 1e-20 for e in np.eye(nl)[:3]], -1)
        tj = timed(lambda: dg.jacobian(simulate, v, nt), rep)
        tv = timed(lambda: dg.jvp(simulate, v, w, nt), rep)
        flat = lambda q: simulate(q, nt).ravel()
        ta = timed(lambda: approx_fprime(v, flat, 1e-6 * v), 1)
        Ja = approx_fprime(v, flat, 1e-6 * v).reshape(J.shape)
        row(f"wave{nl}", tf, [("jacobian", tj, err(J[..., :3], Jc)),
                              ("jvp", tv, err(jv, jc)),
                              ("approx_fprime", ta, err(Ja[..., :3], Jc))])
    if "basin100" in only:
        b = 500 + 800 * np.exp(-((_X - 1000) ** 2 + (_Y - 1000) ** 2) / 500 ** 2)
        ex = basin_exact(b)
        tf = timed(lambda: basin(b), rep)
        tj = timed(lambda: dg.jacobian(basin, b), rep)
        ta = timed(lambda: approx_fprime(b, basin, 1e-3), 1)
        row("basin100", tf, [("jacobian", tj, err(dg.jacobian(basin, b), ex)),
                             ("approx_fprime", ta, err(approx_fprime(b, basin, 1e-3), ex))])
    if "tomo400" in only:
        s = (1 / 2000.0) * (1 + 0.1 * np.random.default_rng(0).standard_normal(NZ * NX))
        L = np.stack([tomo(e) for e in np.eye(NZ * NX)], 1)
        P = dg.sparsity(tomo, s)
        tf = median_time(lambda: tomo(s), repeat=rep)
        tj = median_time(lambda: dg.jacobian(tomo, s), repeat=rep)
        tsp = median_time(lambda: dg.jacobian(tomo, s, sparsity=P), repeat=rep)
        ta = timed(lambda: approx_fprime(s, tomo, 1e-9), 1)
        row("tomo400", tf, [("jacobian", tj, err(dg.jacobian(tomo, s), L)),
                            ("sparse", tsp, err(dg.jacobian(tomo, s, sparsity=P).toarray(), L)),
                            ("approx_fprime", ta, err(approx_fprime(s, tomo, 1e-9), L))])


if __name__ == "__main__":
    main()
