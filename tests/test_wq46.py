"""wq46: np.quantile(..., weights=, method="inverted_cdf") at a tie of elements of
unequal positive weights (attack46 04).  Where one tied element is NumPy's pick in every
order of the tied ones (the target lies in its weight whichever of them precede it),
the quantile equals that element near the point: its partials, first and second order.
Where the pick depends on the order, errors.weighted_tie as before.

Oracles, none read from dualgrad: one-sided differences of NumPy's own quantile along
every axis and random directions (where they all agree, their common slope is the
gradient; where two disagree, the pick depends on the direction and a refusal is
true); closed forms (the picked element's partials); central second differences of
NumPy's quantile of the inner function where it equals one element near the point.
"""

import numpy as np
import pytest

import dualgrad as dg

QS = (0.0, 0.1, 0.25, 0.5, 0.7, 1.0)
H = 2.0 ** -20          # integer points: x +- H exact, the differences exact


def _wq(w, q=0.5, **kw):
    return lambda a: np.quantile(a, q, weights=np.asarray(w, float),
                                 method="inverted_cdf", **kw)


def _slopes(f, x, rng, ndir=12):
    """(common slope Jacobian or None, True where one-sided differences disagree):
    one-sided differences of ``f`` (NumPy's) along every axis and random directions."""
    f0 = np.asarray(f(x), float)
    n = x.size
    J = np.empty(f0.shape + (n,))
    kink = False
    for j in range(n):
        e = np.zeros(n)
        e[j] = H
        e = e.reshape(x.shape)
        up = (np.asarray(f(x + e)) - f0) / H
        down = (f0 - np.asarray(f(x - e))) / H
        kink |= not np.array_equal(up, down)
        J[..., j] = up
    for _ in range(ndir):
        d = rng.normal(size=x.shape)
        h = 1e-7
        up = (np.asarray(f(x + h * d)) - f0) / h
        down = (f0 - np.asarray(f(x - h * d))) / h
        lin = J @ d.ravel()
        kink |= not (np.allclose(up, down, atol=1e-6) and np.allclose(up, lin, atol=1e-6))
    return (None if kink else J), kink


def test_the_report_case_takes_the_heavier_element():
    # total 3, target 1.5: z[1]'s weight 2 holds it whichever of the pair comes first
    f = _wq([1.0, 2.0])
    np.testing.assert_array_equal(dg.gradient(f, np.zeros(2)), [0.0, 1.0])
    rng = np.random.default_rng(0)
    assert all(f(d) == d[1] for d in rng.normal(size=(200, 2)) * 1e-3)
    # percentile shares the path
    g = lambda a: np.percentile(a, 50, weights=np.array([1.0, 2.0]), method="inverted_cdf")
    np.testing.assert_array_equal(dg.gradient(g, np.zeros(2)), [0.0, 1.0])
    # and the nan forms (a NaN element weighs nothing): the weight-2 element again
    for nanq, q in ((np.nanquantile, 0.5), (np.nanpercentile, 50.0)):
        h = lambda a: nanq(np.stack([a[0], np.nan * a[0], a[1]]), q,
                           weights=np.array([1.0, 5.0, 2.0]), method="inverted_cdf")
        np.testing.assert_array_equal(dg.gradient(h, np.zeros(2)), [0.0, 1.0])


def test_closed_forms_boundaries_and_zero_weights():
    x = np.array([1.0, 2.0, 2.0, 3.0])
    # total 6, target 3: before the pair 1, the weight-3 element holds [1, 4] or [2, 5]
    np.testing.assert_array_equal(dg.gradient(_wq([1, 1, 3, 1]), x), [0, 0, 1, 0])
    # the target on a boundary (<= side): total 8, target 4 = C + w_e when it comes first
    x = np.array([0.0, 0.0, 0.0, 5.0])
    np.testing.assert_array_equal(dg.gradient(_wq([1, 4, 1, 2]), x), [0, 1, 0, 0])
    # q = 0 / q = 1: the first / last tied element of positive weight, whichever that
    # is: refused (zero weights around, in front and at the end, do not change that)
    with pytest.raises(TypeError, match="depends on the direction"):
        dg.gradient(_wq([0, 1, 3, 0], 0.0), np.array([0.0, 0.0, 0.0, 5.0]))
    with pytest.raises(TypeError, match="depends on the direction"):
        dg.gradient(_wq([0, 1, 3, 0], 1.0), np.array([1.0, 2.0, 2.0, 0.0]))
    # but a lone positive weight among zero-weight tied ones at q = 0 / 1: that one
    np.testing.assert_array_equal(
        dg.gradient(_wq([0, 3, 0, 1], 0.0), np.array([0.0, 0.0, 0.0, 5.0])), [0, 1, 0, 0])
    # a heavy member beside light ones: [1, 1, 5] at 0.5, total 7, target 3.5
    np.testing.assert_array_equal(dg.gradient(_wq([1, 1, 5]), np.zeros(3)), [0, 0, 1])


def test_refusal_stays_where_the_pick_depends_on_the_order():
    # total 5, target 1.5 past C = 1: the first of the pair holds it, whichever that is
    x = np.array([1.0, 2.0, 2.0, 3.0])
    f = _wq([1, 1, 2, 1], 0.3)
    with pytest.raises(TypeError, match=r"depends on the direction.*Fix: merge"):
        dg.gradient(f, x)
    J, kink = _slopes(f, x, np.random.default_rng(1))
    assert kink                                   # the message is true here


def _check(f, x, rng, counts):
    J, kink = _slopes(f, x, rng)
    try:
        g = dg.jacobian(f, x)
    except TypeError as e:
        assert "depends on the direction" in str(e)
        assert kink, "refused where every one-sided difference agrees"
        counts["refused"] += 1
        return
    if J is not None:
        np.testing.assert_allclose(np.reshape(g, J.shape), J, atol=1e-6)
        counts["checked"] += 1


@pytest.mark.parametrize("seed", range(3))
def test_random_ties_flat(seed):
    rng = np.random.default_rng(100 + seed)
    counts = {"checked": 0, "refused": 0}
    for _ in range(120):
        n = int(rng.integers(2, 7))
        x = rng.integers(-2, 3, n).astype(float)
        w = rng.integers(0, 4, n).astype(float)
        if w.sum() == 0:
            w[0] = 1.0
        q = rng.choice(QS) if rng.random() < 0.7 else rng.choice(QS, size=3)
        _check(_wq(w, q), x, rng, counts)
    assert counts["checked"] > 60 and counts["refused"] > 0, counts


@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_random_ties_along_an_axis(axis, keepdims):
    rng = np.random.default_rng(7 + 3 * axis + keepdims)
    counts = {"checked": 0, "refused": 0}
    for _ in range(60):
        x = rng.integers(-2, 3, (3, 4)).astype(float)
        w = rng.integers(0, 4, x.shape[axis]).astype(float)
        if w.sum() == 0:
            w[0] = 1.0
        if rng.random() < 0.5:                    # full-shape weights
            w = rng.integers(1, 4, x.shape).astype(float)
        q = rng.choice(QS, size=2) if rng.random() < 0.3 else rng.choice(QS)
        _check(_wq(w, q, axis=axis, keepdims=keepdims), x, rng, counts)
    assert counts["checked"] > 12, counts


def test_fractional_weights_near_a_boundary_are_not_claimed():
    # weights 0.1, 0.2 (sums round by order) with the target at 0.2 / 0.3 of the total:
    # on the boundary of the 0.2's weight when it comes first; NumPy's pick there
    # depends on rounding, so no element is claimed: refused
    x = np.zeros(2)
    with pytest.raises(TypeError, match="depends on the direction"):
        dg.gradient(_wq([0.2, 0.1], 2 / 3), x)
    # well inside: the 0.2 holds 0.5 either way
    np.testing.assert_array_equal(dg.gradient(_wq([0.1, 0.2], 0.5), x), [0, 1])


def _g(z):
    # three pieces tied at 0 with different first and second orders, and a 5
    return np.stack([z[0] ** 2 - z[1], z[0] * z[1] + z[1] ** 2, np.sin(z[0]), 5.0 + z[0]])


def test_hessians_follow_the_one_element():
    # weights [1, 4, 1, 2], total 8, target 4: the weight-4 piece in every order of the
    # three tied ones (4 = its upper end when first), so f = z0 z1 + z1**2 near 0
    w = np.array([1.0, 4.0, 1.0, 2.0])
    f = lambda z: np.quantile(_g(z), 0.5, weights=w, method="inverted_cdf")
    x = np.zeros(2)
    want = np.array([[0.0, 1.0], [1.0, 2.0]])
    h = 1e-3                                   # second differences of NumPy's quantile
    fd = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * h, np.eye(2)[j] * h
            fd[i, j] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej)
                        + f(x - ei - ej)) / (4 * h * h)
    np.testing.assert_allclose(fd, want, atol=1e-8)
    np.testing.assert_allclose(dg.hessian(f, x), want, atol=1e-15)
    np.testing.assert_allclose(dg.hessian(f, x, chunk=1), want, atol=1e-15)
    np.testing.assert_allclose(dg.jacfwd(dg.grad(f))(x), want, atol=1e-15)
    np.testing.assert_allclose(dg.gradient(f, x), [0.0, 0.0], atol=1e-15)
    # along an axis, q an array: 0.3 (target 2.4) and 0.5 (target 4) both lie in the
    # weight-4 piece in every order; the second row is _g(-z), whose piece is the same
    F = lambda z: np.quantile(np.stack([_g(z), _g(-z)]), [0.5, 0.3], axis=1,
                              weights=w, method="inverted_cdf")
    Hs = dg.jacfwd(dg.jacfwd(F))(x)
    assert Hs.shape == (2, 2, 2, 2)
    for k in range(2):
        for r in range(2):
            np.testing.assert_allclose(Hs[k, r], want, atol=1e-15)


def test_weights_as_a_list_and_as_a_dual():
    # weights given as a list; a dual weight (the weights' partials never enter)
    x = np.zeros(2)
    f = lambda z: np.quantile(z, 0.5, weights=[1, 2], method="inverted_cdf")
    np.testing.assert_array_equal(dg.gradient(f, x), [0.0, 1.0])
    g = lambda t: np.quantile(np.zeros(2) + np.array([0.0, 1.0]) * t, 0.5,
                              weights=np.array([1.0, 2.0]) * (1 + t),
                              method="inverted_cdf")
    assert dg.derivative(g, 0.0) == 1.0


def test_one_call_with_a_sole_pick_and_an_equal_weight_run():
    # q = 0.2 (target 1.8 of 9): the weight-2 element of the tie at 0 in either order;
    # q = 0.75 (target 6.75): the tie at 1 of equal weights 3, 3 (the mean of the pair;
    # at second order np.sort's entry: the run ordered by the second order)
    w = np.array([1.0, 2.0, 3.0, 3.0])
    f = lambda a: np.quantile(a, [0.2, 0.75], weights=w, method="inverted_cdf")
    J = dg.jacobian(f, np.array([0.0, 0.0, 1.0, 1.0]))
    np.testing.assert_array_equal(J, [[0, 1, 0, 0], [0, 0, 0.5, 0.5]])
    g = lambda z: f(np.stack([z[0] ** 2, -z[0] ** 2 + z[1], 1 + z[1] ** 2, 1 - z[1] ** 2]))
    x, h = np.zeros(2), 1e-3
    for k, want in enumerate((np.diag([-2.0, 0.0]), np.diag([0.0, 2.0]))):
        fd = np.empty((2, 2))
        for i in range(2):
            for j in range(2):
                ei, ej = np.eye(2)[i] * h, np.eye(2)[j] * h
                fd[i, j] = (g(x + ei + ej)[k] - g(x + ei - ej)[k] - g(x - ei + ej)[k]
                            + g(x - ei - ej)[k]) / (4 * h * h)
        np.testing.assert_allclose(fd, want, atol=1e-7)
        np.testing.assert_allclose(dg.jacfwd(dg.jacfwd(g))(x)[k], want, atol=1e-15)
        np.testing.assert_allclose(dg.hessian(lambda z: g(z)[k], x, chunk=1), want,
                                   atol=1e-15)
