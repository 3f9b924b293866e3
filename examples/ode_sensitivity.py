"""Parameter sensitivities of an ODE solution over time.

A Lotka-Volterra predator-prey model integrated by a hand-written RK4 loop in
plain Python; ``dg.jacobian`` of the whole trajectory with respect to the four
rate parameters gives ``d state(t) / d p`` at every step, in one pass, exact
for the discretized solution (checked here against the complex step).

Run:  python examples/ode_sensitivity.py
"""

import matplotlib.pyplot as plt
import numpy as np

import dualgrad as dg
from dualgrad.testing import complex_step


def trajectory(p, steps=400, h=0.05):
    """States (prey, predator) at every step of RK4 on Lotka-Volterra."""
    a, b, c, d = p[0], p[1], p[2], p[3]

    def rhs(x, y):
        return a * x - b * x * y, c * x * y - d * y

    x, y = 10.0, 5.0
    out = np.zeros_like(p, shape=(steps + 1, 2))   # a buffer that holds what p holds
    out[0, 0], out[0, 1] = x, y
    for i in range(steps):
        k1 = rhs(x, y)
        k2 = rhs(x + h / 2 * k1[0], y + h / 2 * k1[1])
        k3 = rhs(x + h / 2 * k2[0], y + h / 2 * k2[1])
        k4 = rhs(x + h * k3[0], y + h * k3[1])
        x = x + h / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
        y = y + h / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
        out[i + 1, 0], out[i + 1, 1] = x, y
    return out


def main():
    p = np.array([1.1, 0.4, 0.1, 0.4])
    states = trajectory(p)
    S = dg.jacobian(trajectory, p)                     # shape (steps + 1, 2, 4)
    rel = np.abs(S - complex_step(trajectory, p)).max() / np.abs(S).max()
    print(f"sensitivities {S.shape}: largest difference from the complex step, "
          f"relative to the largest sensitivity: {rel:.1e}")

    t = 0.05 * np.arange(len(states))
    fig, axes = plt.subplots(3, 1, figsize=(8, 8), sharex=True, constrained_layout=True)
    axes[0].plot(t, states[:, 0], label="prey")
    axes[0].plot(t, states[:, 1], label="predator")
    axes[0].set_ylabel("population")
    axes[0].legend()
    names = ["a (prey growth)", "b (predation)", "c (predator growth)", "d (predator death)"]
    for k, name in enumerate(names):
        axes[1].plot(t, S[:, 0, k], label=name)
        axes[2].plot(t, S[:, 1, k], label=name)
    axes[1].set_ylabel("d prey / d p")
    axes[2].set_ylabel("d predator / d p")
    axes[2].set_xlabel("t")
    axes[1].legend(fontsize="small", ncol=2)
    axes[0].set_title("Lotka-Volterra: states and their exact sensitivities (dg.jacobian)")
    return fig


if __name__ == "__main__":
    main()
    plt.show()
