"""The lead's mends of stop 63: refusals that name the call the user wrote."""
import numpy as np
import pytest

import dualgrad as dg


def test_mstats_refusal_names_the_scipy_call_and_its_spelling_is_exact():
    # scipy.stats.mstats' functions open with np.ma.asarray: the refusal named only that
    # (diff62 4b); the trimmed mean it proposes is exact (analytic: 1/3 on the kept ones)
    mstats = pytest.importorskip("scipy.stats.mstats")
    x = np.array([3.0, 1.0, 2.0, 7.0, 5.0])
    with pytest.raises(TypeError, match=r"scipy\.stats\.mstats\.trimmed_mean \(through "
                                        r"np\.ma\.asarray\) .* np\.mean\(np\.sort\(x\)"):
        dg.gradient(lambda x: mstats.trimmed_mean(x, (0.2, 0.2)), x)
    g = dg.gradient(lambda x: np.mean(np.sort(x)[1:len(x) - 1]), x)
    assert np.array_equal(g, np.where((x > 1) & (x < 7), 1 / 3, 0.0))
    assert np.isclose(mstats.trimmed_mean(x, (0.2, 0.2)), np.mean(np.sort(x)[1:4]))


@pytest.mark.parametrize("f, said", [(lambda m, x: m + x, "m + x"),
                                     (lambda m, x: m ** x, "m ** x"),
                                     (lambda m, x: m - x, "m - x")])
def test_masked_operator_refusal_spells_the_operator_written(f, said):
    m = np.ma.array([1.0, 2.0, 3.0], mask=[0, 1, 0])
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda x: f(m, x), np.array([0.5, 1.5, 2.0]))
    assert f"({said} with m a masked array" in str(info.value)

