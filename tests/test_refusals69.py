"""Stop 69's refusals that name the right fix (refusals69): a store into a nested dual with
a read-only level (exact68's Left), a helper that fills a buffer from several arguments
(user68), dg.quad's removable 0 / 0 at a moving limit (attackb68 M1), and the reports of
``u ** -1`` / ``u ** 0.5`` in NumPy's words for the operator."""

import warnings

import numpy as np
import pytest

import dualgrad as dg

X0 = np.array([1.0, 2.0, 3.0])


# ---- exact68's Left: a store into a nested dual whose inner level is read-only ---------

STORES = {
    "d[1] = k": lambda d, k: d.__setitem__(1, k),
    "d[1] = 0.5": lambda d, k: d.__setitem__(1, 0.5),
    "d[1:3] = d[:2] * 2": lambda d, k: d.__setitem__(slice(1, 3), d[:2] * 2),
    "d[[0, 2]] = k": lambda d, k: d.__setitem__([0, 2], k),
    "d.fill(k)": lambda d, k: d.fill(k),
    "d.flat[1] = k": lambda d, k: d.flat.__setitem__(1, k),
    "d *= 2": lambda d, k: d.__imul__(2.0),
    "d += k": lambda d, k: d.__iadd__(k),
}
LEVELS = ["value.value", "value.partials", "partials.value", "partials.partials"]


def _leaf(d, path):
    for name in path.split("."):
        d = getattr(d, name)
    return d


@pytest.mark.filterwarnings("ignore::dualgrad.CaughtErrorWarning")   # (f catches it)
@pytest.mark.parametrize("name", list(STORES))
@pytest.mark.parametrize("level", LEVELS)
def test_a_store_into_a_nested_dual_with_a_read_only_level_writes_nothing(name, level):
    # inside dg.hessian d = x * x holds array duals as its value and its partials; a
    # read-only array at an inner level refused only once the levels before it were
    # written (d[1] = k with d.value.partials read-only: d.value.value written, NumPy's
    # bare "assignment destination is read-only")
    seen = {}

    def f(x):
        d = np.sin(x) * x
        k = x[0] * x[1] * 3.0
        arrays = [_leaf(d, p) for p in LEVELS]
        assert all(type(a) is np.ndarray for a in arrays)
        _leaf(d, level).setflags(write=False)
        before = [a.copy() for a in arrays]
        with pytest.raises(ValueError) as info:
            STORES[name](d, k)
        seen["message"] = str(info.value)
        seen["same"] = all(np.array_equal(a, _leaf(d, p)) for a, p in zip(before, LEVELS))
        return x[0] * x[0]

    H = dg.hessian(f, X0)
    np.testing.assert_array_equal(H, np.diag([2.0, 0.0, 0.0]))
    assert seen["same"]
    message = seen["message"]
    assert message.startswith("dualgrad: ")                           # who
    assert "writeable at every level" in message                      # expected
    assert f"(d.{level}.flags.writeable is False)" in message         # received
    assert "nothing was written" in message
    assert "Fix: store into a copy, d = d.copy()" in message          # the fix
    assert "of test_refusals69.py: `" in message                      # the user's line


def test_the_advised_copy_of_a_nested_dual_gives_the_analytic_hessian():
    # the fix the refusal names, run: d = d.copy() then the store
    seen = {}

    def f(x):
        d = x * x
        d.value.partials.setflags(write=False)
        try:
            d[1] = x[0]
        except ValueError as exc:
            seen["message"] = str(exc)
        d = d.copy()
        d[1] = x[0]
        return np.sum(d * d)          # x0**4 + x0**2 + x2**4

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.CaughtErrorWarning)
        H = dg.hessian(f, X0)
    x0, x2 = X0[0], X0[2]
    np.testing.assert_allclose(H, np.diag([12 * x0 ** 2 + 2, 0.0, 12 * x2 ** 2]),
                               rtol=1e-14, atol=0)
    assert "d.value.partials.flags.writeable is False" in seen["message"]
    assert "`d[1] = x[0]`" in seen["message"]
