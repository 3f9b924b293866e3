"""Training with a dict of parameters: value_and_grad, has_aux and keyword arguments.

A logistic regression whose parameters live in a dict, as JAX users write them.
``dg.value_and_grad(loss, has_aux=True)`` returns the loss, an auxiliary value
(the accuracy, computed in the same evaluation) and the gradient as a dict with
the same keys; keyword arguments (the penalty) go to ``loss`` untouched.  The
first gradient is checked against the closed form X.T @ (p - y) / n + penalty * w.

Run:  python examples/dict_parameters.py
"""

import numpy as np

import dualgrad as dg


def loss(params, X, y, penalty=0.0):
    """Mean logistic loss with an L2 penalty; returns (loss, accuracy)."""
    z = X @ params["w"] + params["b"]
    p = 1.0 / (1.0 + np.exp(-z))
    nll = -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))
    accuracy = np.mean((p > 0.5) == (y > 0.5))         # comparisons act on values
    return nll + 0.5 * penalty * np.sum(params["w"] ** 2), accuracy


def main():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = (X @ np.array([2.0, -1.0]) + 0.5 + 0.3 * rng.normal(size=200) > 0).astype(float)
    params = {"w": np.zeros(2), "b": 0.0}
    step = dg.value_and_grad(loss, has_aux=True)

    (value, accuracy), grads = step(params, X, y, penalty=0.01)
    p = 1.0 / (1.0 + np.exp(-(X @ params["w"] + params["b"])))
    exact_w = X.T @ (p - y) / len(y) + 0.01 * params["w"]
    exact_b = np.mean(p - y)
    error = max(np.max(np.abs(grads["w"] - exact_w)), abs(grads["b"] - exact_b))
    print(f"gradient keys {sorted(grads)}, largest error against the closed form: "
          f"{error:.1e}")
    print(f"step 0: loss {value:.4f}, accuracy {accuracy:.2f}")
    for k in range(1, 201):
        (value, accuracy), grads = step(params, X, y, penalty=0.01)
        params = {key: params[key] - 1.0 * grads[key] for key in params}
        if k % 50 == 0:
            print(f"step {k}: loss {value:.4f}, accuracy {accuracy:.2f}")
    print(f"w = {np.round(params['w'], 2)}, b = {params['b']:.2f}")


if __name__ == "__main__":
    main()
