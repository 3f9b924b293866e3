"""The sparse Hessian's check beside infinite second derivatives compares the NaN
entries of ``H`` too (attack54 10): db974c9's random sets avoided a row's NaN entries as
they avoid its infinities, so a NaN where the exact entry is finite (``0 * inf`` in the
nested arithmetic beside ``sqrt``'s infinite partials) passed the check and came back,
where the check's failure sends ``dg.hessian`` to its exact route.  Oracles: the closed
forms below (each f is a polynomial in the inputs away from ``sqrt(x0)``)."""

import numpy as np
import pytest

import dualgrad as dg

ENGINES = ["fused", "eager"]

CASES = [
    # f, x, {(i, j): exact entry}
    (lambda x: np.sqrt(x[0]) / (1 + x[1]) + x[1] * x[2], [0.0, 0.0, 1.0],
     {(2, 2): 0.0, (1, 2): 1.0, (2, 1): 1.0, (0, 2): 0.0}),
    (lambda x: x[0] ** 0.5 / x[2] + x[1] ** 2, [0.0, 0.0, 1.0],
     {(1, 1): 2.0, (1, 2): 0.0, (0, 1): 0.0}),
    (lambda x: np.sqrt(x[0]) / (1 + x[1]) + x[0] * x[2], [0.0, 0.0, 2.0],
     {(0, 2): 1.0, (2, 2): 0.0, (1, 2): 0.0}),     # ((2, 0): NaN on 51793cd too, attack54 09)
]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.engine_independent
def test_finite_entries_beside_infinities_are_exact_in_the_sparse_hessian(case, engine):
    f, x, want = CASES[case]
    with dg.engine(engine):
        H = dg.hessian(f, np.array(x), sparsity="auto").toarray()
    for (i, j), v in want.items():
        assert H[i, j] == v, ((i, j), H[i, j], v)
