"""Dense Hessians at n = 50-500: ``dg.hessian`` against differences of gradients, jax,
torch and num-dual, in one process.

    python bench/hessian_large.py [--cases rosen50 rosen100 rosen200 rosen500 logit50
                                   logit200 srosen100 kalman]
                                  [--rounds 5] [--seconds 0.3] [--compare DIR]
                                  [--peers fd jax jaxjit torch numdual] [--widths W ...]

The cases: ``rosenN``: the Rosenbrock function of ``scipy.optimize.rosen`` spelled in
NumPy calls on the array itself (``np.sum(100 * (x[1:] - x[:-1]**2)**2 + (1 -
x[:-1])**2)``); ``srosenN``: ``scipy.optimize.rosen`` itself (SciPy makes an object
array of the input: the Hessian runs element by element); ``logitN``: the negative
log-likelihood of a logistic regression with a ridge term on 200 x N Gaussian data,
``sum(logaddexp(0, A w)) - y @ A w + w @ w / 2``; ``kalman``: user42's scalar Kalman
filter loop of bench/hessian_small.py (6 parameters).  Per case:

* ``dg.hessian``: ``dg.hessian(f, x)``;
* ``fd(grad)``: forward differences of ``dg.gradient`` (n + 1 gradients);
* ``jax``, ``jax.jit``: ``jax.hessian`` of the same function written in ``jax.numpy``
  (float64), without and with ``jax.jit`` (compiled before timing; for kalman only
  the oracle: 27 s a call without jit, no compiled result in 12 minutes with it);
* ``torch``: ``torch.autograd.functional.hessian`` of the function in torch (float64);
* ``num-dual``: ``num_dual.hessian`` on an object array (rosen, n <= 100: it is a
  Python object per element; its numbers have no ``logaddexp``);
* with ``--compare DIR``: ``dg.hessian`` of another checkout's dualgrad (imported under
  another name), alternating with this one in every round, and the ratio this / that
  (of the medians, and the median of the rounds' own ratios);
* with ``--widths W ...``: ``dg.hessian(f, x, chunk=W)`` (W directions at both levels).

Subjects run in interleaved rounds of about ``--seconds`` of process time (this
process's CPU time: the machine is shared), medians over ``--rounds`` in milliseconds
per call; ratios are to ``fd(grad)`` of the same run.  Before timing, ``dg.hessian`` is
checked against an oracle: ``rosen_hess`` (rosen), the closed form ``A' diag(s (1 - s))
A + I`` (logit), ``jax.hessian`` (kalman), and every peer against it.  Nothing is
written.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)
from hessian_small import _load_other, _fd, mle  # noqa: E402


def _rosen(x, xp):
    return xp.sum(100.0 * (x[1:] - x[:-1] ** 2.0) ** 2.0 + (1 - x[:-1]) ** 2.0)


def _logit_data(np, n):
    rng = np.random.default_rng(44)
    A = rng.standard_normal((200, n)) / np.sqrt(n)
    y = (rng.random(200) < 0.5).astype(float)
    return A, y


def _logit(w, A, y, xp):
    z = A @ w
    return xp.sum(xp.logaddexp(0.0 * z, z)) - y @ z + 0.5 * (w @ w)


def _kalman_data(np):
    rng = np.random.default_rng(3)
    T = 50
    h = np.zeros(T)
    for t in range(1, T):
        h[t] = 0.95 * h[t - 1] + 0.2 * rng.standard_normal()
    yobs = np.log((np.exp(h / 2) * rng.standard_normal(T)) ** 2).tolist()
    return yobs, np.array([1.0, -1.27, 0.0, np.pi ** 2 / 2, 0.9, 0.09])


def _case(name, np):
    """``(f for NumPy, x, oracle Hessian or None, f(x, xp) for jax / torch or None)``."""
    from scipy.optimize import rosen, rosen_hess
    if name.startswith("srosen"):
        x = np.linspace(-1.2, 1.2, int(name[6:]))
        return rosen, x, rosen_hess(x), lambda v, xp: _rosen(v, xp)
    if name.startswith("rosen"):
        x = np.linspace(-1.2, 1.2, int(name[5:]))
        return (lambda v: _rosen(v, np)), x, rosen_hess(x), lambda v, xp: _rosen(v, xp)
    if name.startswith("logit"):
        n = int(name[5:])
        A, y = _logit_data(np, n)
        x = np.linspace(-1.0, 1.0, n)
        s = 1.0 / (1.0 + np.exp(-(A @ x)))
        H = A.T @ ((s * (1 - s))[:, None] * A) + np.eye(n)

        def peer(v, xp):
            return _logit(v, xp.asarray(A), xp.asarray(y), xp)
        return (lambda v: _logit(v, A, y, np)), x, H, peer
    if name == "kalman":
        yobs, x = _kalman_data(np)

        def peer(q, xp):
            return mle(yobs, *[q[i] for i in range(6)]) if xp is np else \
                _mle_xp(yobs, q, xp)
        return (lambda q: mle(yobs, *q)), x, None, peer
    raise SystemExit(f"unknown case {name}")


def _mle_xp(yobs, q, xp):
    """``mle`` with ``xp.log`` (jax and torch have no ``np.log`` of their arrays)."""
    B, a, c, H, phi, Q = (q[i] for i in range(6))
    T = len(yobs)
    ll = -(T / 2) * 1.8378770664093453   # log(2 pi)
    pm, pv = 0.0, 1.0
    for t in range(T):
        y_mean = a + B * pm
        y_var = B * pv * B + H
        v_t = yobs[t] - y_mean
        ll = ll - 0.5 * xp.log(y_var) - 0.5 * v_t ** 2 / y_var
        k_t = pv * B / y_var
        um = pm + k_t * v_t
        uv = (1 - k_t * B) * pv
        pm = c + phi * um
        pv = phi * uv * phi + Q
    return -ll


def _peers(which, f, peer, x, np):
    """The peers' callables, each returning the Hessian as a NumPy array."""
    out = {}
    if "jax" in which or "jaxjit" in which:
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        hj = jax.hessian(lambda v: peer(v, jnp))
        xj = jnp.asarray(x)
        if "jax" in which:
            out["jax"] = lambda: np.asarray(hj(xj))
        if "jaxjit" in which:
            hjit = jax.jit(hj)
            hjit(xj).block_until_ready()
            out["jax.jit"] = lambda: np.asarray(hjit(xj).block_until_ready())
    if "torch" in which:
        import torch
        torch.set_num_threads(1)
        xt = torch.tensor(x, dtype=torch.float64)
        out["torch"] = lambda: torch.autograd.functional.hessian(
            lambda v: peer(v, torch), xt).numpy()
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+",
                        default=["rosen50", "rosen100", "rosen200", "rosen500", "logit50",
                                 "logit200", "srosen100", "kalman"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.3)
    parser.add_argument("--compare", help="another checkout, timed alternately")
    parser.add_argument("--peers", nargs="*", default=["fd", "jax", "jaxjit", "torch",
                                                         "numdual"])
    parser.add_argument("--widths", nargs="*", type=int, default=[])
    opts = parser.parse_args()
    import numpy as np
    import dualgrad as dg
    other = _load_other(opts.compare) if opts.compare else None
    clock = time.process_time
    import os
    print(f"load: {os.getloadavg()}", flush=True)
    for name in opts.cases:
        f, x, ref, peer = _case(name, np)
        H = dg.hessian(f, x)
        if ref is None:
            import jax
            jax.config.update("jax_enable_x64", True)
            import jax.numpy as jnp
            ref = np.asarray(jax.hessian(lambda v: peer(v, jnp))(jnp.asarray(x)))
        err = np.max(np.abs(H - ref)) / np.max(np.abs(ref))
        assert err < 1e-12, (name, err)
        subjects = {"dg.hessian": lambda: dg.hessian(f, x)}
        if other is not None:
            subjects["dg.hessian (other)"] = lambda: other.hessian(f, x)
        for w in opts.widths:
            subjects[f"chunk={w}"] = lambda w=w: dg.hessian(f, x, chunk=w)
        if "fd" in opts.peers:
            subjects["fd(grad)"] = lambda: _fd(dg, f, x, np)
        if "numdual" in opts.peers and x.size <= 100 and "rosen" in name:
            import num_dual as nd
            xs = list(x)
            nf = (lambda v: peer(np.array(v, dtype=object), np))
            subjects["num-dual"] = lambda: np.array(nd.hessian(nf, xs)[2])
        # (the Kalman loop's Hessian in jax, 50 steps unrolled: 27 s a call without jit,
        # no result in 12 minutes and 8 GB with it, on this machine: only its oracle)
        subjects.update(_peers([p for p in opts.peers if not (name == "kalman" and
                                                              p.startswith("jax"))],
                               f, peer, x, np))
        for k, g in subjects.items():         # every subject against the oracle
            tol = 1e-5 if k == "fd(grad)" else 1e-11
            e = np.max(np.abs(np.asarray(g()) - ref)) / np.max(np.abs(ref))
            assert e < tol, (name, k, e)
        calls = {}
        for k, g in subjects.items():         # warm-up, and calls per round
            t = clock()
            g()
            calls[k] = max(1, int(opts.seconds / max(clock() - t, 1e-6)))
        times = {k: [] for k in subjects}
        for _ in range(opts.rounds):
            for k, g in subjects.items():
                t = clock()
                for _ in range(calls[k]):
                    g()
                times[k].append((clock() - t) / calls[k] * 1e3)
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"{name}: n = {x.size} (medians of {opts.rounds} rounds, ms per call; "
              f"load {os.getloadavg()[0]:.1f})")
        for k, v in med.items():
            extra = f"   {v / med['fd(grad)']:.2f}x fd(grad)" if "fd(grad)" in med else ""
            if k == "dg.hessian (other)":
                paired = statistics.median(a / b for a, b in
                                           zip(times["dg.hessian"], times[k]))
                extra += f"; this / other {med['dg.hessian'] / v:.2f} (per round {paired:.2f})"
            print(f"  {k:20s} {v:10.2f}{extra}", flush=True)


if __name__ == "__main__":
    main()
