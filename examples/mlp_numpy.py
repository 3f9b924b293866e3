"""A NumPy neural net and a Laplace approximation: gradients in a dict of weights.

A three-layer ReLU classifier written as CS231n-style NumPy code is written
(``np.maximum(0, x)``, a max-shifted softmax, the true class's probability picked by
``probs[np.arange(N), y]``; cryer/Fully_Connected_Nets_with_numpy's ``fc_layer.py`` is
one public copy), its loss differentiated by ``dg.value_and_grad`` in a dict of weight
arrays and checked against the hand-written backward pass those courses teach.  Then
a Bayesian logistic regression's Laplace approximation: Newton steps with
``dg.gradient`` and ``dg.hessian`` to the mode, the Hessian there checked against its
closed form ``X^T diag(p (1 - p)) X + I``, and the posterior's standard deviations
from its inverse.

Forward mode carries one direction per parameter through the net (in passes of up
to 256 directions), so a gradient's cost grows with the number of weights: a few
hundred, as here, are fine; for thousands, a reverse-mode library (JAX, PyTorch)
gets the gradient for a few evaluations' cost (``python bench/ml_numpy.py``).

Run:  python examples/mlp_numpy.py
"""

import numpy as np

import dualgrad as dg


def loss(params, X, y, reg=1e-3):
    """Mean softmax cross-entropy of a 2-hidden-layer ReLU net plus an L2 penalty."""
    h1 = np.maximum(0, X @ params["W1"] + params["b1"])
    h2 = np.maximum(0, h1 @ params["W2"] + params["b2"])
    scores = h2 @ params["W3"] + params["b3"]
    probs = np.exp(scores - np.max(scores, axis=1, keepdims=True))
    probs /= np.sum(probs, axis=1, keepdims=True)            # in place: fine on duals
    n = X.shape[0]
    data = -np.sum(np.log(probs[np.arange(n), y])) / n
    penalty = 0.5 * reg * sum(np.sum(params[k] ** 2) for k in ("W1", "W2", "W3"))
    return data + penalty, np.mean(np.argmax(scores, axis=1) == y)


def backprop(params, X, y, reg=1e-3):
    """The same gradient by the hand-written reverse pass (the oracle)."""
    a1 = X @ params["W1"] + params["b1"]
    h1 = np.maximum(0, a1)
    a2 = h1 @ params["W2"] + params["b2"]
    h2 = np.maximum(0, a2)
    scores = h2 @ params["W3"] + params["b3"]
    probs = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    n = X.shape[0]
    ds = probs.copy()
    ds[np.arange(n), y] -= 1
    ds /= n
    g = {"W3": h2.T @ ds + reg * params["W3"], "b3": ds.sum(axis=0, keepdims=True)}
    da2 = (ds @ params["W3"].T) * (a2 > 0)
    g["W2"], g["b2"] = h1.T @ da2 + reg * params["W2"], da2.sum(axis=0, keepdims=True)
    da1 = (da2 @ params["W2"].T) * (a1 > 0)
    g["W1"], g["b1"] = X.T @ da1 + reg * params["W1"], da1.sum(axis=0, keepdims=True)
    return g


def spiral(rng, n=50, classes=3):
    """CS231n's toy spiral: n points per class in the plane."""
    X, y = [], []
    for c in range(classes):
        r = np.linspace(0.05, 1.0, n)
        t = np.linspace(4.0 * c, 4.0 * (c + 1), n) + 0.2 * rng.standard_normal(n)
        X.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        y.append(np.full(n, c))
    return np.concatenate(X), np.concatenate(y)


def neg_log_posterior(w, X, t):
    """Logistic regression with a standard normal prior on the weights."""
    z = X @ w
    return np.sum(np.logaddexp(0.0, z) - t * z) + 0.5 * np.sum(w * w)


def main():
    rng = np.random.default_rng(0)
    X, y = spiral(rng)
    H = 16
    shapes = {"W1": (2, H), "b1": (1, H), "W2": (H, H), "b2": (1, H), "W3": (H, 3),
              "b3": (1, 3)}
    params = {k: (0.5 * rng.standard_normal(s) if k[0] == "W" else np.zeros(s))
              for k, s in shapes.items()}
    print(f"{sum(v.size for v in params.values())} parameters in {sorted(params)}")
    step = dg.value_and_grad(loss, has_aux=True)
    (value, accuracy), grads = step(params, X, y)
    exact = backprop(params, X, y)
    error = max(np.max(np.abs(grads[k] - exact[k])) / np.max(np.abs(exact[k]))
                for k in params)
    print(f"gradient against backprop: largest relative error {error:.1e}")
    print(f"step 0: loss {value:.4f}, accuracy {accuracy:.2f}")
    for k in range(1, 41):
        (value, accuracy), grads = step(params, X, y)
        params = {key: params[key] - 1.0 * grads[key] for key in params}
        if k % 20 == 0:
            print(f"step {k}: loss {value:.4f}, accuracy {accuracy:.2f}")

    # Laplace approximation of a Bayesian logistic regression: Newton to the mode
    Z = np.column_stack([np.ones(len(X)), X])
    t = (y == 0).astype(float)
    w = np.zeros(3)
    for _ in range(8):
        w = w - np.linalg.solve(dg.hessian(neg_log_posterior, w, Z, t),
                                dg.gradient(neg_log_posterior, w, Z, t))
    gnorm = np.max(np.abs(dg.gradient(neg_log_posterior, w, Z, t)))
    H_dg = dg.hessian(neg_log_posterior, w, Z, t)
    p = 1.0 / (1.0 + np.exp(-Z @ w))
    H_exact = Z.T @ (Z * (p * (1.0 - p))[:, None]) + np.eye(3)
    print(f"Laplace mode {np.round(w, 3)}, |gradient| {gnorm:.1e}; Hessian against the "
          f"closed form: relative error {np.max(np.abs(H_dg - H_exact)) / np.max(H_exact):.1e}")
    print(f"posterior standard deviations {np.round(np.sqrt(np.diag(np.linalg.inv(H_dg))), 3)}")


if __name__ == "__main__":
    main()
