"""Fisher's expansion of Student's t cdf in ``1 / df`` (for the table's d/d(df) row).

``stdtr(df, t) = Phi(t) - phi(t) sum_k Q_k(t) / df**k`` (Fisher 1925; Abramowitz and
Stegun 26.7.5 gives ``Q_1 = (t**3 + t) / 4``), so that ``d/d(df) stdtr = phi(t) sum_k
k Q_k(t) / df**(k + 1)``.  The polynomials come from the density: ``f / phi =
exp(S(df / 2) - (df + 1) / 2 log1p(t**2 / df) + t**2 / 2)`` (``S`` the Stirling series
of :func:`dualgrad.rules._table.t_stirling_coefficients`) is ``1 + sum_k P_k(t) /
df**k``, and ``Q_k`` solves ``t Q_k - Q_k' = P_k`` (``d/dt (-phi Q_k) = phi P_k``),
all in exact rational arithmetic, on first use (no import-time work).
"""

from fractions import Fraction

# B_2, B_4, ..., B_20 (Bernoulli numbers)
_BERNOULLI = (Fraction(1, 6), Fraction(-1, 30), Fraction(1, 42), Fraction(-1, 30),
              Fraction(5, 66), Fraction(-691, 2730), Fraction(7, 6), Fraction(-3617, 510),
              Fraction(43867, 798), Fraction(-174611, 330))


def _padd(a, b):
    """The sum of two polynomials in ``t`` (dicts power -> coefficient)."""
    out = dict(a)
    for p, c in b.items():
        out[p] = out.get(p, 0) + c
    return {p: c for p, c in out.items() if c != 0}


def _pmul(a, b):
    """The product of two polynomials in ``t``."""
    out = {}
    for p, c in a.items():
        for q, d in b.items():
            out[p + q] = out.get(p + q, 0) + c * d
    return out


def _smul(a, b, terms):
    """The product of two series in ``e = 1 / df`` (lists of polynomials), to ``e**terms``."""
    out = [{} for _ in range(terms + 1)]
    for i in range(terms + 1):
        for j in range(terms + 1 - i):
            out[i + j] = _padd(out[i + j], _pmul(a[i], b[j]))
    return out


def fisher_polynomials(terms):
    """``Q_1 .. Q_terms`` of Fisher's expansion, each a dict power -> Fraction.

    Parameters
    ----------
    terms : int
        How many (at most 10: the Bernoulli numbers held).

    Returns
    -------
    list of dict
        ``Q_k`` as ``{power: coefficient}`` (odd powers up to ``4 k - 1``).
    """
    # the log of f / phi as a series in e: S(1 / (2 e)) = sum_j c_j (2 e)**n (n odd)
    log_ratio = [{} for _ in range(terms + 1)]
    for j, n in enumerate(range(1, terms + 1, 2)):
        c = (Fraction(1, 2 ** n) - 2) * _BERNOULLI[j] / (n * (n + 1)) * 2 ** n
        log_ratio[n] = _padd(log_ratio[n], {0: c})
    # -(1 + e) / (2 e) log1p(t**2 e) + t**2 / 2, log1p's series term by term
    for m in range(1, terms + 2):
        c = Fraction((-1) ** (m + 1), m)
        if 1 <= m - 1 <= terms:
            log_ratio[m - 1] = _padd(log_ratio[m - 1], {2 * m: -c / 2})
        if m <= terms:
            log_ratio[m] = _padd(log_ratio[m], {2 * m: -c / 2})
    ratio = [{0: Fraction(1)}] + [{} for _ in range(terms)]
    power = list(ratio)
    for n in range(1, terms + 1):
        power = [{p: c / n for p, c in poly.items()} for poly in _smul(power, log_ratio, terms)]
        ratio = [_padd(r, q) for r, q in zip(ratio, power)]
    polys = []
    for k in range(1, terms + 1):
        rest, q = dict(ratio[k]), {}
        for degree in range(max(rest), 0, -1):
            c = rest.get(degree, 0)
            if c:
                q[degree - 1] = c
                rest[degree] = 0
                rest[degree - 2] = rest.get(degree - 2, 0) + c * (degree - 1)
        assert not any(rest.values())
        polys.append(q)
    return polys


def t_cdf_df_series(df, t, terms=10):
    """``d/d(df) stdtr(df, t)`` by Fisher's expansion (a source string in ``df``, ``t``).

    ``phi(t) sum_k k Q_k(t) / df**(k + 1)``, Horner's scheme in ``1 / df`` and in
    ``t**2`` (every ``Q_k`` is odd).  Its first omitted term is about ``(t**4 / df)**11``
    times the sum's size: against mpmath at 50 digits it is within 1.2e-10 relative
    for ``t**4 < 4 df``, ``df >= 1000`` (the table uses it for ``t**4 < 2 df``).

    Parameters
    ----------
    df, t : str
        The source names of the degrees of freedom and the argument.
    terms : int
        How many of Fisher's polynomials.

    Returns
    -------
    str
        The expression.
    """
    series = None
    for k, q in reversed(list(enumerate(fisher_polynomials(terms), 1))):
        inner = None
        for p in range(max(q), -1, -2):
            c = repr(float(k * q.get(p, 0)))
            inner = c if inner is None else f"{c} + ({inner}) * ({t} * {t})"
        poly = f"({inner})"
        series = poly if series is None else f"{poly} + ({series}) / {df}"
    return (f"{t} * 0.3989422804014327 * np.exp(-0.5 * {t} * {t}) * ({series}) / "
            f"{df} / {df}")
