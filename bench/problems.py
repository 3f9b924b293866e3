"""The benchmark problems, each written once in plain NumPy as a user would, and
how each peer computes the derivative of it.

A problem is a function ``problem(peer)`` returning ``(fn, reference)``: ``fn()``
computes the derivative (or, for the peer ``"f"``, just the function) and
returns it as NumPy arrays, ``reference`` is the exact answer from an analytic
formula, a hand-written tangent or the complex step.  A peer that is not
installed raises ``Unavailable``.
"""

import importlib

import numpy as np

PEERS = ["f", "dualgrad", "jax", "torch", "num-dual", "scipy", "by hand", "f (numba)",
         "dualgrad (numba)"]


class Unavailable(Exception):
    pass


def need(module):
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise Unavailable("not installed") from exc


def jax_np():
    jax = need("jax")
    jax.config.update("jax_enable_x64", True)
    return jax, jax.numpy


def torch_f64():
    torch = need("torch")
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    return torch


def as_np(x):
    if isinstance(x, (tuple, list)):
        return np.concatenate([np.ravel(as_np(i)) for i in x])
    if hasattr(x, "detach"):
        return x.detach().numpy()
    return np.asarray(x, dtype=float)


# ---- 1. the seed question ---------------------------------------------------------------
def func(q, chi, delta):
    return q * chi * delta


def seed(peer):
    ref = np.array([6.0, 3.0, 2.0])
    if peer == "f":
        return (lambda: func(1.0, 2.0, 3.0)), None
    if peer == "dualgrad":
        import dualgrad as dg
        g = dg.grad(func, argnums=(0, 1, 2))
        return (lambda: g(1.0, 2.0, 3.0)), ref
    if peer == "jax":
        jax, _ = jax_np()
        g = jax.jit(jax.grad(func, argnums=(0, 1, 2)))
        return (lambda: [float(v) for v in g(1.0, 2.0, 3.0)]), ref
    if peer == "torch":
        torch = torch_f64()

        def g():
            q, c, d = (torch.tensor(v, requires_grad=True) for v in (1.0, 2.0, 3.0))
            return torch.autograd.grad(func(q, c, d), (q, c, d))
        return g, ref
    if peer == "num-dual":
        nd = need("num_dual")
        return (lambda: nd.gradient(lambda v: func(*v), [1.0, 2.0, 3.0])[1]), ref
    if peer == "scipy":
        from scipy.optimize import approx_fprime
        x = np.array([1.0, 2.0, 3.0])
        return (lambda: approx_fprime(x, lambda v: func(*v))), ref
    raise Unavailable("no such method")


# ---- 2. Rosenbrock ------------------------------------------------------------------------
def rosenbrock(n):
    def problem(peer):
        from scipy.optimize import rosen, rosen_der
        x = np.linspace(-1.2, 1.2, n)
        ref = rosen_der(x)
        if peer == "f":
            return (lambda: rosen(x)), None
        if peer == "dualgrad":
            import dualgrad as dg
            return (lambda: dg.gradient(rosen, x)), ref
        if peer == "jax":
            jax, jnp = jax_np()
            g = jax.jit(jax.grad(lambda x: jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 +
                                                   (1 - x[:-1]) ** 2)))
            xj = jnp.asarray(x)
            return (lambda: np.asarray(g(xj))), ref
        if peer == "torch":
            torch = torch_f64()
            xt = torch.tensor(x)

            def g():
                v = xt.clone().requires_grad_(True)
                r = torch.sum(100.0 * (v[1:] - v[:-1] ** 2) ** 2 + (1 - v[:-1]) ** 2)
                (grad,) = torch.autograd.grad(r, v)
                return grad
            return g, ref
        if peer == "num-dual":
            nd = need("num_dual")
            return (lambda: nd.gradient(lambda v: rosen(np.array(v, dtype=object)),
                                        list(x))[1]), ref
        if peer == "scipy":
            from scipy.optimize import approx_fprime
            return (lambda: approx_fprime(x, rosen)), ref
        raise Unavailable("no such method")
    return problem


def rosen_no_asarray(x):
    """scipy's Rosenbrock without its leading ``np.asarray``: dual arrays stay arrays."""
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2.0) ** 2.0 + (1 - x[:-1]) ** 2.0, axis=0)


def rosenbrock_array(peer):
    from scipy.optimize import rosen_der
    x = np.linspace(-1.2, 1.2, 100)
    ref = rosen_der(x)
    if peer == "f":
        return (lambda: rosen_no_asarray(x)), None
    if peer == "dualgrad":
        import dualgrad as dg
        return (lambda: dg.gradient(rosen_no_asarray, x)), ref
    if peer == "scipy":
        from scipy.optimize import approx_fprime
        return (lambda: approx_fprime(x, rosen_no_asarray)), ref
    raise Unavailable("no such method")


# ---- 3. the exact gradient field on a grid ---------------------------------------------
def potential(x, y, z):
    return 2 * x**2 + 3 * y**2 - 4 * z


def grid_field(peer):
    x, y, z = np.mgrid[-100:101:2., -100:101:2., -100:101:2.]     # 101^3
    ref = np.concatenate([np.ravel(4 * x), np.ravel(6 * y), np.full(x.size, -4.0)])
    if peer == "f":
        return (lambda: potential(x, y, z)), None
    if peer == "dualgrad":
        import dualgrad as dg
        g = dg.elementwise_grad(potential, argnums=(0, 1, 2))
        return (lambda: g(x, y, z)), ref
    if peer == "by hand":      # numpy.gradient: what people use today (inexact at edges)
        return (lambda: np.gradient(potential(x, y, z), 2.0, 2.0, 2.0)), ref
    if peer == "jax":
        jax, jnp = jax_np()
        g = jax.jit(jax.grad(lambda x, y, z: jnp.sum(potential(x, y, z)), argnums=(0, 1, 2)))
        xs = [jnp.asarray(a) for a in (x, y, z)]
        return (lambda: [np.asarray(v) for v in g(*xs)]), ref
    if peer == "torch":
        torch = torch_f64()
        ts = [torch.tensor(a) for a in (x, y, z)]

        def g():
            vs = [t.clone().requires_grad_(True) for t in ts]
            return torch.autograd.grad(potential(*vs).sum(), vs)
        return g, ref
    raise Unavailable("no such method")


# ---- 4. a plain-Python simulation loop ----------------------------------------------------
LV_STEPS = 1000
LV_P = np.array([1.1, 0.4, 0.1, 0.4])


def lv_reference():
    from dualgrad.testing import complex_step, lotka_volterra
    return complex_step(lotka_volterra, LV_P).ravel()


def lv_loop(peer):
    from dualgrad.testing import lotka_volterra
    if peer == "f":
        return (lambda: lotka_volterra(LV_P)), None
    if peer == "f (numba)":
        numba = need("numba")
        f = numba.njit(lotka_volterra)
        return (lambda: f(LV_P)), None
    ref = lv_reference()
    if peer == "dualgrad (numba)":             # the very same function, decorated
        numba = need("numba")
        import dualgrad as dg
        f = numba.njit(lotka_volterra)
        return (lambda: dg.jacobian(f, LV_P)), ref
    if peer == "dualgrad":
        import dualgrad as dg
        return (lambda: dg.jacobian(lotka_volterra, LV_P)), ref
    if peer == "num-dual":
        nd = need("num_dual")
        return (lambda: nd.jacobian(lambda p: list(lotka_volterra(p)), list(LV_P))[1]), ref
    if peer == "scipy":
        from scipy.optimize import approx_fprime
        return (lambda: approx_fprime(LV_P, lotka_volterra)), ref
    if peer == "jax":
        jax, jnp = jax_np()

        def lv_jax(p, h=0.005):
            a, b, c, d = p[0], p[1], p[2], p[3]

            def step(_, s):
                x, y = s
                k1x, k1y = a * x - b * x * y, c * x * y - d * y
                x2, y2 = x + 0.5 * h * k1x, y + 0.5 * h * k1y
                k2x, k2y = a * x2 - b * x2 * y2, c * x2 * y2 - d * y2
                x3, y3 = x + 0.5 * h * k2x, y + 0.5 * h * k2y
                k3x, k3y = a * x3 - b * x3 * y3, c * x3 * y3 - d * y3
                x4, y4 = x + h * k3x, y + h * k3y
                k4x, k4y = a * x4 - b * x4 * y4, c * x4 * y4 - d * y4
                return (x + h / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x),
                        y + h / 6.0 * (k1y + 2.0 * k2y + 2.0 * k3y + k4y))
            x, y = jax.lax.fori_loop(0, LV_STEPS, step, (jnp.float64(10.0), jnp.float64(5.0)))
            return jnp.stack([x, y])
        g = jax.jit(jax.jacfwd(lv_jax))
        pj = jnp.asarray(LV_P)
        return (lambda: np.asarray(g(pj))), ref
    if peer == "torch":
        raise Unavailable("not run: f returns np.array([x, y]), which torch cannot trace")
    raise Unavailable("no such method")


# ---- 5. a vectorized simulation: explicit heat equation ------------------------------------
HEAT_N, HEAT_STEPS = 100_000, 200


def heat(p, n=HEAT_N, steps=HEAT_STEPS, dt=0.01):
    """Explicit diffusion-reaction steps with slicing and in-place updates."""
    kappa, amp, width, rate = p[0], p[1], p[2], p[3]
    s = np.linspace(0.0, 1.0, n)
    u = amp * np.exp(-((s - 0.5) / width) ** 2)
    for _ in range(steps):
        lap = u[2:] - 2.0 * u[1:-1] + u[:-2]
        u[1:-1] += kappa * lap + dt * rate * u[1:-1] * (1.0 - u[1:-1])
    return u


HEAT_P = np.array([0.4, 0.8, 0.1, 1.5])


def _heat_start(p, n):
    """The heat rows' first state u (a Gaussian bump) and its sensitivities du/dp, n x 4."""
    kappa, amp, width, rate = p
    s = np.linspace(0.0, 1.0, n)
    g = np.exp(-((s - 0.5) / width) ** 2)
    S = np.zeros((n, 4))
    S[:, 1] = g
    S[:, 2] = amp * g * 2 * (s - 0.5) ** 2 / width ** 3
    return amp * g, S


def _slice_laplacian(a):
    """The interior Laplacian along the first axis, as the slicing row writes it."""
    return a[2:] - 2.0 * a[1:-1] + a[:-2]


def heat_tangent(p, n=HEAT_N, steps=HEAT_STEPS, dt=0.01, laplacian=_slice_laplacian):
    """The hand-written forward sensitivity: u and du/dp (n x 4) stepped together;
    ``laplacian`` of u and of the sensitivities along their first axis (another row's
    spelling of it: the np.convolve row's own rounding)."""
    kappa, amp, width, rate = p
    u, S = _heat_start(p, n)
    for _ in range(steps):
        lap = laplacian(u)
        dlap = laplacian(S)
        mid = u[1:-1]
        react = dt * rate * (1.0 - 2.0 * mid)
        dS = kappa * dlap + react[:, None] * S[1:-1]
        dS[:, 0] += lap
        dS[:, 3] += dt * mid * (1.0 - mid)
        u[1:-1] += kappa * lap + dt * rate * mid * (1.0 - mid)
        S[1:-1] += dS
    return S


def heat_eq(peer):
    if peer == "f":
        return (lambda: heat(HEAT_P)), None
    ref = heat_tangent(HEAT_P).ravel()
    if peer == "dualgrad":
        import dualgrad as dg
        return (lambda: dg.jacobian(heat, HEAT_P)), ref
    if peer == "by hand":
        return (lambda: heat_tangent(HEAT_P)), ref
    if peer == "scipy":
        from scipy.optimize import approx_fprime
        return (lambda: approx_fprime(HEAT_P, heat)), ref
    if peer == "jax":
        jax, jnp = jax_np()

        def heat_jax(p, n=HEAT_N, dt=0.01):
            kappa, amp, width, rate = p[0], p[1], p[2], p[3]
            s = jnp.linspace(0.0, 1.0, n)
            u0 = amp * jnp.exp(-((s - 0.5) / width) ** 2)

            def step(_, u):
                lap = u[2:] - 2.0 * u[1:-1] + u[:-2]
                mid = u[1:-1]
                return u.at[1:-1].add(kappa * lap + dt * rate * mid * (1.0 - mid))
            return jax.lax.fori_loop(0, HEAT_STEPS, step, u0)
        g = jax.jit(jax.jacfwd(heat_jax))
        pj = jnp.asarray(HEAT_P)
        return (lambda: np.asarray(g(pj))), ref
    if peer == "torch":
        torch = torch_f64()
        from torch.func import jacfwd

        def heat_torch(p, n=HEAT_N, dt=0.01):
            kappa, amp, width, rate = p[0], p[1], p[2], p[3]
            s = torch.linspace(0.0, 1.0, n)
            u = amp * torch.exp(-((s - 0.5) / width) ** 2)
            for _ in range(HEAT_STEPS):
                lap = u[2:] - 2.0 * u[1:-1] + u[:-2]
                mid = u[1:-1]
                u = torch.cat([u[:1], mid + kappa * lap + dt * rate * mid * (1.0 - mid),
                               u[-1:]])
            return u
        pt = torch.tensor(HEAT_P)
        return (lambda: jacfwd(heat_torch)(pt)), ref
    raise Unavailable("no such method")


def heat_roll(p, n=HEAT_N, steps=HEAT_STEPS, dt=0.01):
    """The same simulation as people often write it: the Laplacian from ``np.roll``,
    the state rebound every step (``u = u + ...``), the fixed ends as a mask."""
    kappa, amp, width, rate = p[0], p[1], p[2], p[3]
    s = np.linspace(0.0, 1.0, n)
    u = amp * np.exp(-((s - 0.5) / width) ** 2)
    inner = np.ones(n)
    inner[[0, -1]] = 0.0
    for _ in range(steps):
        lap = np.roll(u, -1) - 2.0 * u + np.roll(u, 1)
        u = u + inner * (kappa * lap + dt * rate * u * (1.0 - u))
    return u


def heat_diff(p, n=HEAT_N, steps=HEAT_STEPS, dt=0.01):
    """The same simulation with ``np.diff(u, 2)`` and a new state joined each step."""
    kappa, amp, width, rate = p[0], p[1], p[2], p[3]
    s = np.linspace(0.0, 1.0, n)
    u = amp * np.exp(-((s - 0.5) / width) ** 2)
    for _ in range(steps):
        mid = u[1:-1]
        mid = mid + kappa * np.diff(u, 2) + dt * rate * mid * (1.0 - mid)
        u = np.concatenate([u[:1], mid, u[-1:]])
    return u


def heat_sparse(p, n=HEAT_N, steps=HEAT_STEPS, dt=0.01):
    """The same simulation with the Laplacian as a ``scipy.sparse`` matrix (fixed ends:
    its first and last rows are zero), ``L @ u`` each step, the method of lines."""
    import scipy.sparse as sp
    kappa, amp, width, rate = p[0], p[1], p[2], p[3]
    s = np.linspace(0.0, 1.0, n)
    u = amp * np.exp(-((s - 0.5) / width) ** 2)
    inner = np.ones(n)
    inner[[0, -1]] = 0.0
    L = sp.diags([inner[1:], -2.0 * inner, inner[:-1]], [-1, 0, 1], format="csr")
    for _ in range(steps):
        u = u + kappa * (L @ u) + inner * (dt * rate * u * (1.0 - u))
    return u


def heat_convolve(p, n=HEAT_N, steps=HEAT_STEPS, dt=0.01):
    """The slicing form's step with the Laplacian from ``np.convolve`` (its ``"valid"``
    part: the interior) and the in-place update (heat71)."""
    kappa, amp, width, rate = p[0], p[1], p[2], p[3]
    s = np.linspace(0.0, 1.0, n)
    u = amp * np.exp(-((s - 0.5) / width) ** 2)
    for _ in range(steps):
        lap = np.convolve(u, [1.0, -2.0, 1.0], mode="valid")
        u[1:-1] += kappa * lap + dt * rate * u[1:-1] * (1.0 - u[1:-1])
    return u


def heat_gradient(p, n=HEAT_N, steps=HEAT_STEPS, dt=0.01):
    """Diffusion as people write it from the textbook's second derivative, ``np.gradient``
    twice (unit spacing: the wider stencil ``(u[i+2] - 2 u[i] + u[i-2]) / 4`` inside,
    NumPy's one-sided differences at the ends, which move), the state rebound (heat71).
    Another simulation than the other forms': its reference is
    :func:`heat_gradient_tangent`."""
    kappa, amp, width, rate = p[0], p[1], p[2], p[3]
    s = np.linspace(0.0, 1.0, n)
    u = amp * np.exp(-((s - 0.5) / width) ** 2)
    for _ in range(steps):
        lap = np.gradient(np.gradient(u))
        u = u + kappa * lap + dt * rate * u * (1.0 - u)
    return u


def heat_gradient_tangent(p, n=HEAT_N, steps=HEAT_STEPS, dt=0.01):
    """The hand-written forward sensitivity of :func:`heat_gradient` (``np.gradient`` is
    linear: the same differences of the sensitivities), ``n x 4``."""
    kappa, amp, width, rate = p
    u, S = _heat_start(p, n)
    for _ in range(steps):
        lap = np.gradient(np.gradient(u))
        dlap = np.gradient(np.gradient(S, axis=0), axis=0)
        dS = S + kappa * dlap + (dt * rate * (1.0 - 2.0 * u))[:, None] * S
        dS[:, 0] += lap
        dS[:, 3] += dt * u * (1.0 - u)
        u = u + kappa * lap + dt * rate * u * (1.0 - u)
        S = dS
    return S


def heat_form(f, tangent=None):
    """A benchmark problem for another formulation ``f`` of the heat equation; the
    reference is the hand-written tangent of the same simulation (``tangent``, by
    default :func:`heat_tangent`'s)."""
    def problem(peer):
        if peer == "f":
            return (lambda: f(HEAT_P)), None
        ref = (tangent or heat_tangent)(HEAT_P).ravel()
        if peer == "dualgrad":
            import dualgrad as dg
            return (lambda: dg.jacobian(f, HEAT_P)), ref
        if peer == "scipy":
            from scipy.optimize import approx_fprime
            return (lambda: approx_fprime(HEAT_P, f)), ref
        raise Unavailable("not run: the same simulation as the slicing form, which the "
                          "other peers run")
    return problem


# ---- 6. an elementwise function of a large array ----------------------------------------
def wave(x):
    return np.sin(x) * np.exp(-x ** 2) + np.log1p(x ** 2)


def elementwise(peer):
    x = np.linspace(-3, 3, 1_000_000)
    e = np.exp(-x ** 2)
    ref = np.cos(x) * e - 2 * x * np.sin(x) * e + 2 * x / (1 + x ** 2)
    if peer == "f":
        return (lambda: wave(x)), None
    if peer == "dualgrad":
        import dualgrad as dg
        g = dg.elementwise_grad(wave)
        return (lambda: g(x)), ref
    if peer == "jax":
        jax, jnp = jax_np()
        g = jax.jit(jax.grad(lambda x: jnp.sum(jnp.sin(x) * jnp.exp(-x ** 2) +
                                               jnp.log1p(x ** 2))))
        xj = jnp.asarray(x)
        return (lambda: np.asarray(g(xj))), ref
    if peer == "torch":
        torch = torch_f64()
        xt = torch.tensor(x)

        def g():
            v = xt.clone().requires_grad_(True)
            f = torch.sin(v) * torch.exp(-v ** 2) + torch.log1p(v ** 2)
            return torch.autograd.grad(f.sum(), v)[0]
        return g, ref
    raise Unavailable("no such method")


# ---- 7. a dense Jacobian ---------------------------------------------------------------------
def broyden(x):
    """Broyden tridiagonal residual, written with in-place updates."""
    f = (3.0 - 2.0 * x) * x + 1.0
    f[1:] -= x[:-1]
    f[:-1] -= 2.0 * x[1:]
    return f


def broyden_jac(x):
    return np.diag(3.0 - 4.0 * x) - np.eye(len(x), k=-1) - 2.0 * np.eye(len(x), k=1)


def dense_jacobian(peer):
    x = np.linspace(-1.0, 1.0, 50)
    ref = broyden_jac(x).ravel()
    if peer == "f":
        return (lambda: broyden(x.copy())), None
    if peer == "dualgrad":
        import dualgrad as dg
        return (lambda: dg.jacobian(broyden, x)), ref
    if peer == "num-dual":
        nd = need("num_dual")
        return (lambda: nd.jacobian(lambda v: list(broyden(np.array(v, dtype=object))),
                                    list(x))[1]), ref
    if peer == "scipy":
        from scipy.optimize import approx_fprime
        return (lambda: approx_fprime(x, lambda v: broyden(v.copy()))), ref
    if peer == "jax":
        jax, jnp = jax_np()

        def broyden_jax(x):
            f = (3.0 - 2.0 * x) * x + 1.0
            f = f.at[1:].add(-x[:-1])
            return f.at[:-1].add(-2.0 * x[1:])
        g = jax.jit(jax.jacfwd(broyden_jax))
        xj = jnp.asarray(x)
        return (lambda: np.asarray(g(xj))), ref
    if peer == "torch":
        torch = torch_f64()
        from torch.func import jacfwd

        def broyden_torch(x):
            f = (3.0 - 2.0 * x) * x + 1.0
            f = f - torch.cat([torch.zeros(1), x[:-1]])
            return f - 2.0 * torch.cat([x[1:], torch.zeros(1)])
        xt = torch.tensor(x)
        return (lambda: jacfwd(broyden_torch)(xt)), ref
    raise Unavailable("no such method")


# ---- 8. an elementwise function of two arguments, by elementwise_grad -------------------
def wave2(x, y):
    return np.sin(x) * np.exp(-y ** 2) + x * y


def elementwise2(size):
    """``elementwise_grad(wave2, argnums=(0, 1))`` at ``size`` elements (bench_fused.py)."""
    def problem(peer):
        x = np.linspace(-3, 3, size)
        y = np.linspace(-1, 2, size)
        ref = np.concatenate([np.cos(x) * np.exp(-y ** 2) + y,
                              -2 * y * np.sin(x) * np.exp(-y ** 2) + x])
        if peer == "f":
            return (lambda: wave2(x, y)), None
        if peer == "dualgrad":
            import dualgrad as dg
            g = dg.elementwise_grad(wave2, argnums=(0, 1))
            return (lambda: g(x, y)), ref
        raise Unavailable("no such method")
    return problem


# ---- 9. a 2-D reaction-diffusion stencil with boundary copies -----------------------------
RD_SIZE, RD_STEPS = 96, 40


def reaction_diffusion(p, size=RD_SIZE, steps=RD_STEPS):
    """FitzHugh-Nagumo on a ``size x size`` grid: the Laplacian from 2-D slices, a
    tuple assignment into the interior, the four edges copied each step (the
    operations on 2-D slices the fused engine cannot fuse: see
    ``dualgrad.backend._fused._decline``)."""
    rng = np.random.default_rng(0)
    U0, V0 = rng.random((size, size)), rng.random((size, size))
    a, b, k = p[0], p[1], p[2]
    tau, dx = 0.1, 2.0 / size
    dt = 0.9 * dx ** 2 / 2
    U, V = U0 * (1.0 + 0 * a), V0 * (1.0 + 0 * a)
    for _ in range(steps):
        dU = (U[0:-2, 1:-1] + U[1:-1, 0:-2] + U[2:, 1:-1] + U[1:-1, 2:]
              - 4 * U[1:-1, 1:-1]) / dx ** 2
        dV = (V[0:-2, 1:-1] + V[1:-1, 0:-2] + V[2:, 1:-1] + V[1:-1, 2:]
              - 4 * V[1:-1, 1:-1]) / dx ** 2
        Uc, Vc = U[1:-1, 1:-1], V[1:-1, 1:-1]
        U[1:-1, 1:-1], V[1:-1, 1:-1] = (Uc + dt * (a * dU + Uc - Uc ** 3 - Vc + k),
                                        Vc + dt * (b * dV + Uc - Vc) / tau)
        for Z in (U, V):
            Z[0, :] = Z[1, :]
            Z[-1, :] = Z[-2, :]
            Z[:, 0] = Z[:, 1]
            Z[:, -1] = Z[:, -2]
    return np.array([np.sum(U * U), np.sum(U * V), np.mean(V)])


def reaction_diffusion_problem(peer):
    """``jacobian`` of :func:`reaction_diffusion` (3 parameters); the reference by the
    complex step (every operation is analytic)."""
    p = np.array([2.8e-4, 5e-3, 0.005])
    if peer == "f":
        return (lambda: reaction_diffusion(p)), None
    if peer == "dualgrad":
        import dualgrad as dg
        ref = np.stack([np.imag(reaction_diffusion(p + 1e-30j * e)) / 1e-30
                        for e in np.eye(3)], -1).ravel()
        return (lambda: dg.jacobian(reaction_diffusion, p)), ref
    raise Unavailable("no such method")


# Timed by bench_fused.py only (not by run.py's peers).
TWO_ARGUMENTS = {
    "elementwise 2 arguments N=10": elementwise2(10),
    "elementwise 2 arguments N=1e3": elementwise2(1000),
    "elementwise 2 arguments N=1e6": elementwise2(1_000_000),
    "reaction-diffusion 2-D 96^2x40": reaction_diffusion_problem,
}


PROBLEMS = {
    "seed question (3 partials)": seed,
    "Rosenbrock n=2": rosenbrock(2),
    "Rosenbrock n=10": rosenbrock(10),
    "Rosenbrock n=100": rosenbrock(100),
    "Rosenbrock n=100 without np.asarray": rosenbrock_array,
    "grid field 101^3": grid_field,
    "Lotka-Volterra loop 2x4": lv_loop,
    "heat equation 100000x4": heat_eq,
    "heat equation np.roll + rebinding": heat_form(heat_roll),
    "heat equation np.diff + concatenate": heat_form(heat_diff),
    "heat equation scipy.sparse L @ u": heat_form(heat_sparse),
    "heat equation np.convolve + in-place": heat_form(heat_convolve),
    "heat equation np.gradient twice": heat_form(heat_gradient, heat_gradient_tangent),
    "elementwise N=1e6": elementwise,
    "Broyden 50x50": dense_jacobian,
}
