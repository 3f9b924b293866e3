"""The propagation kernels' rows of 4 and 2 partials (dualgrad/backend/_kernelgen.py's
``_SHORT``, ``_numba_kernels.scale``...: flat loops, then the zero rule's pass over the
rows with a factor that is not finite; the loop over n for other layouts) keep the bits
of the product rule each row follows: the plain products and sum where every factor of the row is
finite, the zero rule (a zero partial gives +0.0) where one is not.  The oracle is that
rule written in NumPy on factors NumPy computes from the table's expressions; zeros are
compared with their sign, NaN where NaN."""

import numpy as np
import pytest

from dualgrad.backend import _kernelgen, _kernels
from dualgrad.rules._table import _TABLE, derivative_functions

COUNTS = [2, 3, 4, 5]          # the literal loops (2, 4) and the loop over n beside them
ROWS = 600


def _rule_by_row(factors, partials):
    """``sum_k f_k[:, None] * p_k`` where every factor of the row is finite, else the
    sum of ``0.0 if p == 0 else f * p``: the products as NumPy rounds them."""
    finite = np.logical_and.reduce([np.isfinite(f) for f in factors])[:, None]
    plain = safe = None
    for f, p in zip(factors, partials):
        product = f[:, None] * p
        zeroed = np.where(p == 0.0, 0.0, product)
        plain = product if plain is None else plain + product
        safe = zeroed if safe is None else safe + zeroed
    return np.where(finite, plain, safe)


def _assert_bits(got, want):
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    kept = ~np.isnan(want)
    np.testing.assert_array_equal(got[kept].view(np.int64), want[kept].view(np.int64))


def _values(domain, rng):
    low, high = domain[:2]
    x = rng.uniform(low, high, ROWS)
    x[:12] = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, low, high, 0.5, 1e-300, -1e300]
    return x


def _partials(rng, n):
    p = rng.standard_normal((ROWS, n))
    p[::3] = 0.0                               # zero partials beside inf/NaN factors
    p[1::5, 0] = -0.0                          # and zeros of either sign beside finite ones
    p[2::7, n - 1] = -0.0
    return p


def _kernel_beside_rows(rule, duals, values, partials):
    """Run the rule's generated rows kernel on ``values`` and ``partials`` and assert
    its bits equal the rule applied row by row (:func:`_rule_by_row`); returns the
    local derivatives and the result array, for more kernels on the same data."""
    from dualgrad.backend import _rule_kernels
    fns = derivative_functions(rule)
    with np.errstate(all="ignore"):
        out = rule.ufunc(*values)
        factors = [np.asarray(fns[k](*values, out), dtype=np.float64) *
                   np.ones(ROWS) for k in duals]
        want = _rule_by_row(factors, partials)
    q = np.empty(partials[0].shape)
    _rule_kernels.kernels(rule.ufunc)[duals][1](*values, out, *partials, q)
    _assert_bits(q, want)
    return factors, q


PRODUCTS = [(rule, duals) for rule in _TABLE if _kernelgen.fusable(rule) and not rule.select
            for duals in _kernelgen._cases(rule)]


@pytest.mark.parametrize("rule, duals", PRODUCTS,
                         ids=[f"{r.name}{list(d)}" for r, d in PRODUCTS])
@pytest.mark.parametrize("n", COUNTS)
@pytest.mark.engine_independent
def test_generated_rows_kernels_follow_the_rule_by_row(rule, duals, n):
    rng = np.random.default_rng(n)
    values = [_values(domain, rng) for domain in rule.domain]
    values[-1][12:20] = values[0][12:20]                        # ties of a binary rule
    partials = [_partials(rng, n) for _ in duals]
    _kernel_beside_rows(rule, duals, values, partials)


@pytest.mark.parametrize("rule", [rule for rule, duals in PRODUCTS if len(duals) ==
                                  rule.ufunc.nin], ids=lambda r: r.name)
@pytest.mark.parametrize("n", COUNTS)
@pytest.mark.engine_independent
def test_small_kernels_follow_the_rule_or_decline(rule, n):
    """Every factor finite: the plain products, True; one not finite: False."""
    from dualgrad.backend import _rule_kernels
    rng = np.random.default_rng(10 + n)
    low, high = rule.domain[0][:2]
    values = [rng.uniform(*domain[:2], ROWS) for domain in rule.domain]
    partials = [_partials(rng, n) for _ in values]
    fns = derivative_functions(rule)
    kernel = _rule_kernels.small_kernel(rule.ufunc)
    with np.errstate(all="ignore"):
        out = rule.ufunc(*values)
        factors = [fns[k](*values, out) * np.ones(ROWS) for k in range(len(values))]
    q = np.empty((ROWS, n))
    if not all(np.isfinite(f).all() for f in factors):
        pytest.skip(f"np.{rule.name}: a factor not finite inside the domain")
    assert kernel(*values, out, *partials, q)
    _assert_bits(q, _rule_by_row(factors, partials))
    singular = np.array([np.inf, np.nan, 0.0, -0.0, low, high])
    for v in singular:                         # a factor inf or NaN in the last row
        values[0][-1] = v
        with np.errstate(all="ignore"):
            out = rule.ufunc(*values)
            last = [fns[k](*values, out) * np.ones(ROWS) for k in range(len(values))]
        finite = all(np.isfinite(f).all() for f in last)
        assert kernel(*values, out, *partials, q) == finite


@pytest.mark.parametrize("n", [1] + COUNTS)
@pytest.mark.engine_independent
def test_scale_kernels_follow_the_rule_by_row(n):
    k = _kernels._kernels()
    rng = np.random.default_rng(20 + n)
    f, g = rng.standard_normal(ROWS), rng.standard_normal(ROWS)
    f[:4], g[4:8] = [np.inf, -np.inf, np.nan, 0.0], [np.nan, np.inf, -0.0, -np.inf]
    p, q = _partials(rng, n), _partials(rng, n)
    out = np.empty((ROWS, n))
    flat = _kernels._rows_flat           # (the rows of 4 or 2 as 1-D views)
    with np.errstate(all="ignore"):
        k.scale(f, p, out, flat(p), flat(out))
        _assert_bits(out, _rule_by_row([f], [p]))
        k.scale2(f, p, g, q, out, flat(p), flat(q), flat(out))
        _assert_bits(out, _rule_by_row([f, g], [p, q]))
        assert not k.scale_finite(f, p, out)
        assert not k.scale2_finite(f[4:], p[4:], g[4:], q[4:], out[4:])
        assert k.scale_finite(f[4:], p[4:], out[4:])
        _assert_bits(out[4:], _rule_by_row([f[4:]], [p[4:]]))
        assert k.scale2_finite(f[8:], p[8:], g[8:], q[8:], out[8:])
        _assert_bits(out[8:], _rule_by_row([f[8:], g[8:]], [p[8:], q[8:]]))


LAYOUT_RULES = [(rule, duals) for rule, duals in PRODUCTS
                if rule.name in ("divide", "sqrt") and len(duals) == rule.ufunc.nin]


@pytest.mark.parametrize("rule, duals", LAYOUT_RULES,
                         ids=[f"{r.name}{list(d)}" for r, d in LAYOUT_RULES])
@pytest.mark.parametrize("n", [2, 4])
@pytest.mark.engine_independent
def test_rows_kernels_on_strided_partials_follow_the_rule_by_row(rule, duals, n):
    """Partials that are not C-contiguous (every other column of a wider array) skip
    the flat loops for the loop over n: the same bits, inf and NaN factors included."""
    rng = np.random.default_rng(30 + n)
    values = [_values(domain, rng) for domain in rule.domain]
    wide = [_partials(rng, 2 * n) for _ in duals]
    partials = [p[:, ::2] for p in wide]
    assert not partials[0].flags.c_contiguous
    factors, q = _kernel_beside_rows(rule, duals, values, partials)
    k = _kernels._kernels()
    flat = _kernels._rows_flat
    with np.errstate(all="ignore"):
        k.scale(factors[0], partials[0], q, flat(partials[0]), flat(q))
        _assert_bits(q, _rule_by_row(factors[:1], partials[:1]))
        k.scale2(factors[0], partials[0], factors[-1], partials[-1], q,
                 flat(partials[0]), flat(partials[-1]), flat(q))
        _assert_bits(q, _rule_by_row([factors[0], factors[-1]], [partials[0], partials[-1]]))


def _layouts(a):
    """``a`` as the kernels meet it: C, read-only, strided, a read-only broadcast of one
    row (stride 0) and, for partials, Fortran order."""
    yield a
    ro = a.copy()
    ro.flags.writeable = False
    yield ro
    yield np.repeat(a, 2, axis=-1)[..., ::2]
    yield np.broadcast_to(a[:1], a.shape)
    if a.ndim == 2:
        yield np.asfortranarray(a)


@pytest.mark.parametrize("n", [3, 4])
@pytest.mark.engine_independent
def test_scale_kernels_compile_one_signature_per_layout_family(n):
    """Read-only operands of any layout share a signature (``_jit.one_layout``: all C,
    else all 'A'), where numba compiled one per combination (stop 63: ``scale2`` 13 in
    the suite's cache); every combination keeps the rule's bits."""
    k = _kernels._kernels()
    rng = np.random.default_rng(40 + n)
    f, g = rng.standard_normal(12), rng.standard_normal(12)
    f[3], g[5] = np.inf, np.nan
    p, q = _partials(rng, n)[:12], _partials(rng, n)[:12]
    p[3, 0] = q[5, 1] = 0.0
    flat = _kernels._rows_flat
    with np.errstate(all="ignore"):
        for fl in _layouts(f):
            for pl in _layouts(p):
                out = np.empty((12, n))
                k.scale(fl, pl, out, flat(pl), flat(out))
                _assert_bits(out, _rule_by_row([fl], [pl]))
                k.scale_finite(fl, pl, out)
                _assert_bits(out, fl[:, None] * pl)
                for ql in list(_layouts(q))[::2]:
                    k.scale2(fl, pl, g, ql, out, flat(pl), flat(ql), flat(out))
                    _assert_bits(out, _rule_by_row([fl, g], [pl, ql]))
                    k.scale2_finite(fl, pl, g, ql, out)
                    _assert_bits(out, fl[:, None] * pl + g[:, None] * ql)
    assert len(k.scale.signatures) <= 2 and len(k.scale2.signatures) <= 2
    assert len(k.scale_finite.signatures) <= 4 and len(k.scale2_finite.signatures) <= 4


@pytest.mark.engine_independent              # (a fresh compile: ~3 s; one half runs it)
def test_a_written_argument_is_never_relaxed():
    """A group naming an argument the kernel writes fails at its compile (numba refuses
    a store into a read-only array), never a silent copy written instead."""
    import numba
    from numba.core.errors import TypingError

    from dualgrad.backend._jit import one_layout

    def fill(a, out):
        for i in range(out.shape[0]):
            out[i] = a[i]

    kernel = one_layout(numba.njit(fill), ((0, 1),))
    a = np.arange(4.0)
    with pytest.raises(TypingError):
        kernel(a[::2], np.empty(2))


def _divide_operands(rng, n, layout):
    """``np.divide``'s ``values`` and the dual arguments' partials (shapes as
    ``_kernels.local`` takes them) in one of the layouts the rule kernels meet."""
    x, y = rng.uniform(0.5, 2.0, 40), rng.uniform(0.5, 2.0, 40)
    y[3], x[5] = 0.0, np.inf                   # factors not finite: the zero rule's rows
    px, py = _partials(rng, n)[:40], _partials(rng, n)[:40]
    if layout == "strided":                    # an array dual's every other element
        x, px = np.repeat(x, 2)[::2], np.repeat(px, 2, axis=0)[::2]
    elif layout == "read-only":
        for a in (x, px):
            a.flags.writeable = False
    elif layout == "constant":                 # a float divisor: y a stride-0 view
        return [x, 2.5], (0,), [px]
    elif layout == "row":                      # a row of constants over a 2-D dual
        return [x.reshape(4, 10), y[:10].copy()], (0,), [px.reshape(4, 10, n)]
    elif layout == "scalar dual":              # its partials broadcast over the rows
        return [x, 1.75], (0, 1), [px, py[0]]
    return [x, y], (0, 1), [px, py]


@pytest.mark.parametrize("n", [1, 4, 3])
@pytest.mark.engine_independent
def test_rule_kernels_take_c_contiguous_read_only_values(n, monkeypatch):
    """``_kernels.local`` hands the rule kernels C-contiguous values (a strided or
    broadcast one copied first) and each kernel types them read-only: at most two
    signatures per kernel (C-contiguous partials or not) where numba compiled one per
    combination of layouts and writability (stop 65's CI run: 281 signatures of 176
    rule kernels); every layout keeps the rule's bits (:func:`_rule_by_row` on the
    operands broadcast)."""
    from dualgrad.backend import _rule_kernels
    from dualgrad.rules._table import RULES
    monkeypatch.setattr(_rule_kernels, "KERNELS", {})      # fresh dispatchers
    rule, rng = RULES[np.divide], np.random.default_rng(67 + n)
    fns = derivative_functions(rule)
    for layout in ("C", "strided", "read-only", "constant", "row", "scalar dual"):
        values, duals, partials = _divide_operands(rng, n, layout)
        with np.errstate(all="ignore"), _kernels.use("numba"):
            out = np.divide(*values)
            got = _kernels.local(rule, values, out, duals, partials)
            factors = [np.broadcast_to(fns[k](*values, out), out.shape).reshape(-1)
                       for k in duals]
        want = _rule_by_row(factors, [np.broadcast_to(p, out.shape + (n,)).reshape(-1, n)
                                      for p in partials])
        assert got is not None, layout
        _assert_bits(got.reshape(-1, n), want)
    for duals, pair in _rule_kernels.KERNELS[np.divide].items():
        for kernel in pair:
            assert len(kernel.signatures) <= 2, kernel.signatures
            for signature in kernel.signatures:       # xs, ys, outs: C, read-only
                assert all(t.layout == "C" and not t.mutable for t in signature[:3]), signature
