"""Second-order tie-break of the selections (maximum, minimum, fmax, fmin, np.max / min).

At a tie the selections take the midpoint of the arguments' partials (rules/_table.py,
TIES): f's first derivative wherever f is differentiable.  Under nested duals (a
Hessian) the midpoint also splits the second-order parts, and where the arguments'
first-order parts agree too that is never right: with ``d = b - a`` of second order,
``0.5 h^T D h``, ``max(a, b) = a + max(0, d)`` is twice differentiable iff ``D`` is
semidefinite, and then its second derivative is the dominant argument's (``b``'s
where ``D >= 0``).  ``np.maximum(x**2, 0)`` at 0 gave 1 (truth 2), ``np.maximum(x**2,
-x**2)`` 0 (issue 13|14, attack42 repro_02).

The test here reads the diagonal of ``D`` over the directions a pass sees: the entries
(inner direction p, outer direction q) where both are one input entry, which only the
seeding knows (``dual.DIAGONAL``, recorded for dg.hessian's and jacfwd(grad)'s own
levels: ``api._seed.linked``).  Some diagonal entry > 0 and none < 0: the larger
argument dominates for max (the smaller for min); none > 0 and some < 0: the other
way; where ``D`` is semidefinite every diagonal entry has one sign, so this never picks
the wrong argument where f is twice differentiable.  Mixed signs (f is not twice
differentiable), all zero, NaN, first parts that differ, or no record (a user's own
nesting, ``sparsity=``): the midpoint.  A pass that sees no diagonal entry to decide
by (a chunked Hessian's block between two input chunks) tells its link (``missed``);
dg.hessian then decides every tie in one pass seeded with the outer chunk's own entries
(``record``) and evaluates the block again taking those decisions in order (``replay``).
Each outer chunk sees only its own block of ``D``: dg.hessian compares the chunks'
decisions (``summary``, :func:`clashes`) and where they disagree (f has no second
derivative there) evaluates again with those ties kept at the midpoint (``forced``).
Order statistics (np.quantile / median / percentile and nan forms, np.partition's
k-th places) take np.sort's entries under nested duals, so :func:`ranked` decides them.
"""

import numpy as np

from ..dual import DIAGONAL, Dual, primal

__all__ = ["verdict", "dominant", "seeded_by", "clashes", "clip_candidates"]


def seeded_by(x, deep=False):
    """``(tag, s, qlo, qhi)`` where ``x`` is an input as a pass seeds it
    (``api._seed.seed``): a dual whose flat entry ``q + s`` alone carries direction
    ``q`` (partials 1), for ``qlo <= q < qhi``, and no other partials; else ``None``.
    ``deep``: a dual over duals of other passes counts by its plain parts (a pass
    nested in a Hessian's two levels, as in grad(grad(grad(f))))."""
    if not isinstance(x, Dual) or (isinstance(x.value, Dual) and not deep):
        return None
    P = _plain(x.partials) if isinstance(x.value, Dual) else np.asarray(x.partials)
    if P is None or P.dtype.kind != "f" or not P.ndim:
        return None
    P = P.reshape(-1, P.shape[-1])
    rows, cols = np.nonzero(P)
    if not rows.size or not np.all(P[rows, cols] == 1.0) or \
            np.any(np.diff(rows) != 1):
        return None
    shift = rows - cols
    if np.any(shift != shift[0]):
        return None
    return x.tag, int(shift[0]), int(cols[0]), int(cols[-1]) + 1


def _linked(tag):
    """The ``dual.DIAGONAL`` entry of the pass of ``tag`` with its outer tag and
    ``qmap`` (direction p of the pass is the outer pass's ``qmap[p]``, -1: none) worked
    out from its seeds on first use; ``None`` where the pass is not linked."""
    link = DIAGONAL.get(tag)
    if link is None or link[1] is not None:
        return link
    seeds, columns = link[4], link[5]
    qmap = np.full(columns, -1, np.int64)
    outers = set()
    for x, s, width, size in seeds:
        found = seeded_by(x, deep=True)
        if found is None:               # colored outer seeds (sparsity=): no diagonal
            if isinstance(x, Dual):
                outers.add(x.tag)
            continue
        outer, s_out, qlo, qhi = found
        outers.add(outer)
        p = np.arange(width)
        q = p + (s - s_out)
        ok = (p + s >= 0) & (p + s < size) & (q >= qlo) & (q < qhi)
        qmap[p[ok]] = q[ok]
    if len(outers) != 1:                # leaves of two outer passes: no one diagonal
        qmap[:] = -1
    link[0], link[1] = (max(outers) if outers else None), qmap
    return link


def _plain(a):
    """The plain parts of ``a`` (a dual, partials over duals of passes nested deeper,
    or plain), a float array; ``None`` where that is not one."""
    while isinstance(a, Dual):
        a = a.value
    if isinstance(a, np.ndarray) and a.dtype == object:
        if a.ndim > 1:                  # (a scalar's partials: one per direction)
            return None
        a = [primal(e) for e in a]
    if isinstance(a, list):
        a = [primal(e) for e in a]
    a = np.asarray(a)
    return a if a.dtype.kind == "f" else None


def _wrapped_firsts(v, outer, shape):
    """The first-order parts of the value ``v`` in the passes wrapped around the two
    levels (duals of tags other than ``outer``), one array of ``shape + (k,)`` (``k``:
    0 where none); ``None`` where they cannot be read.  Where they differ between two
    tied arguments, one of them is larger on one side along that direction: the outer
    derivative of the Hessian does not exist there, and the midpoint stays."""
    if isinstance(v, Dual) and v.tag == outer:
        v = v.value
    parts = []
    while isinstance(v, Dual):
        P = _plain(v.partials)
        if P is None or not P.ndim:
            return None
        parts.append((v.tag, np.broadcast_to(P, shape + P.shape[-1:])))
        v = v.value
    return parts


def _same_wrapped(a, b, outer, shape):
    """Where the tied values ``a`` and ``b`` have equal first-order parts in the passes
    wrapped around the two levels (:func:`_wrapped_firsts`): a bool array of
    ``shape``."""
    fa, fb = _wrapped_firsts(a, outer, shape), _wrapped_firsts(b, outer, shape)
    if fa is None or fb is None:
        return np.zeros(shape, bool)
    da, db = dict(fa), dict(fb)
    same = np.ones(shape, bool)
    for tag in set(da) | set(db):
        x, y = da.get(tag), db.get(tag)
        if x is None or y is None:
            z = x if y is None else y
            same &= np.all(z == 0.0, axis=-1)
        elif x.shape != y.shape:
            return np.zeros(shape, bool)
        else:
            same &= np.all(x == y, axis=-1)
    return same


def _split(p, outer, shape, m, deep=None):
    """``(first, second)`` of the partials or value ``p`` (a dual of the ``outer`` tag
    over plain arrays, or plain): the plain part of ``shape`` and the outer partials of
    ``shape + (m,)`` (``None``: zero); ``None`` for anything else (deeper nesting).
    With a list ``deep``, deeper nesting (duals of passes wrapped around these two
    levels: a third derivative, a Hessian's parameter) counts by its plain parts, and
    ``True`` is appended to ``deep`` where it met some."""
    if isinstance(p, Dual) and p.tag == outer:
        value, second = p.value, p.partials
        if isinstance(value, Dual) or (isinstance(second, np.ndarray) and
                                       second.dtype == object) or \
                isinstance(second, Dual):
            if deep is None:
                return None
            deep.append(True)
            value, second = _plain(value), _plain(second)
            if value is None or second is None:
                return None
        second = np.asarray(second)
        if second.dtype == object or not second.ndim or second.shape[-1] != m:
            return None
        return (np.broadcast_to(np.asarray(value), shape),
                np.broadcast_to(second, shape + (m,)))
    if isinstance(p, Dual) or (isinstance(p, np.ndarray) and p.dtype == object):
        if deep is None:                # (another pass's dual: no outer partials)
            return None
        deep.append(True)
        p = _plain(p)
        if p is None:
            return None
    p = np.asarray(p)
    if p.dtype == object:
        return None
    return np.broadcast_to(p, shape), None


def _width(items, outer):
    for p in items:
        if isinstance(p, Dual) and p.tag == outer:
            return np.shape(p.partials)[-1]
    return None


def _decided(link, shape, empty, decide, kind="verdict", extra=None, spread=None):
    """The decision of shape ``shape`` for this tie: replayed from the link's tape, or
    ``decide(unmapped, record)``'s ``(decision, missed, same, loose, firm)`` (recorded on
    the tape in record mode; a miss noted in plain mode); ``None`` where nothing is
    decided.

    Where the link's ``forced`` holds this tie (dg.hessian's second round after the
    outer chunks disagreed: :func:`clashes`), its elements keep the midpoint / mean
    (``spread`` widens the mask to whole runs).  Plain and record passes note their
    decision, ``loose`` (where their view shows f has no second derivative there: the
    first orders differ, or ``D`` is indefinite) and ``firm`` in the link's
    ``summary`` for that comparison.

    Colored passes (``unmapped``: sparsity=) see no diagonal; their first-order parts
    (unit inner directions: exact) are merged over all passes (``firsts``), and the one
    pass along a direction u at both levels that decides (record) takes them instead
    of its own (rounding in u's sums)."""
    session = link[2]
    i = link[3]
    link[3] = i + 1
    forced = getattr(session, "forced", None)
    forced = forced.get(i) if forced else None
    if forced is not None and np.shape(forced) != shape:
        forced = None                           # not the tie the first round met
    if forced is not None and spread is not None:
        forced = spread(forced)
    if session.mode == "replay":
        tape = session.tape
        if i < len(tape) and tape[i] is not None and tape[i].shape == shape:
            return _force(tape[i], forced, empty, kind)
        session.broken = True                   # not the recorded ties: the midpoint
        return None
    record = session.mode == "record"
    found = decide(session.unmapped, record)
    decision, missed, same = found[:3] if found is not None else (None, False, None)
    if decision is not None:
        decision = _force(decision, forced, empty, kind)
    if found is not None and len(found) > 3 and not session.unmapped and \
            getattr(session, "summary", None) is not None:
        _note(session.summary, i, kind, decision, found[3], found[4], extra, empty)
    if record:
        if session.unmapped:
            firsts = session.firsts
            if decision is not None and i < len(firsts) and firsts[i] is not None and \
                    np.ndim(decision) >= np.ndim(firsts[i]):
                decision = np.where(firsts[i], decision, empty)
            else:
                decision = None
        session.tape.append(decision if decision is not None else np.full(shape, empty))
        return decision
    if session.unmapped:
        firsts = session.firsts
        if i == len(firsts):
            firsts.append(same)
        elif i < len(firsts) and same is not None and firsts[i] is not None and \
                firsts[i].shape == same.shape:
            firsts[i] = firsts[i] & same
        else:
            firsts[i:] = [None] * max(len(firsts) - i, 1)
    if missed:
        session.missed = True
    return decision


def _force(decision, forced, empty, kind):
    """``decision`` where dg.hessian's second round holds nothing for this tie
    (``forced`` None); else the midpoint / mean (``empty``) at the forced elements, or
    for np.clip's candidates (:func:`clip_candidates`) those every chunk kept."""
    if forced is None:
        return decision
    if kind == "clip":
        return decision & forced
    return np.where(forced, empty, decision)


def _note(summary, i, kind, decision, loose, firm, extra, empty):
    """Merge one pass's view of tie ``i`` into an outer chunk's ``summary``: the
    decision (where it decided), ``loose`` and ``firm`` (OR over the passes)."""
    if decision is None:
        return
    decision = np.array(decision)
    loose = np.array(loose, bool)
    firm = np.zeros(decision.shape, bool) if firm is None else np.array(firm, bool)
    old = summary.get(i)
    if old is not None and old[0] == kind and old[1].shape == decision.shape and \
            old[2].shape == loose.shape:
        decided = decision != empty
        decision = decision & old[1] if kind == "clip" else \
            np.where(decided, decision, old[1])
        loose = loose | old[2]
        firm = np.where(decided, firm, old[3])
    summary[i] = (kind, decision, loose, firm, extra, empty)


def clashes(summaries):
    """``{tie: mask}``: the elements of the ties where dg.hessian's outer chunks (one
    ``summary`` each) decided by the second order unlike one another, or one decided
    where another's view shows f has no second derivative there (first orders that
    differ, an indefinite ``D``): each chunk sees only its own block of ``D``, so
    ``np.maximum(x0**2, x3**2)`` at 0 took x0**2's Hessian for column 0 and x3**2's
    for column 3, a matrix of no convention (the unchunked Hessian: the midpoint).
    Where f is twice differentiable every block agrees (a principal block of a
    semidefinite ``D`` is semidefinite of the same sign; first orders agree in every
    view), so nothing clashes; the masked elements then keep the midpoint / mean in
    every chunk, the unchunked call's convention (where ``D`` is indefinite only
    across two chunks' blocks no view shows it: each block decides, as before)."""
    out = {}
    if len(summaries) < 2:
        return out
    for i in set().union(*summaries):
        entries = [s[i] for s in summaries if i in s]
        kind, shape = entries[0][0], entries[0][1].shape
        if len(entries) < 2 or any(e[0] != kind or e[1].shape != shape or
                                   e[2].shape != entries[0][2].shape for e in entries):
            continue
        empty = entries[0][5]
        decs = [e[1] for e in entries]
        if kind == "clip":              # candidates no chunk's view ruled out
            common = np.bitwise_and.reduce(decs)
            if any(np.any(d != common) for d in decs):
                out[i] = common
            continue
        loose = np.logical_or.reduce([e[2] for e in entries])
        if kind == "dominant":          # a dominant element is a top in every chunk
            axes, tied = entries[0][4]
            decided = [np.any(d, axis=axes, keepdims=True) for d in decs]
            common = np.logical_and.reduce([d | ~k for d, k in zip(decs, decided)])
            none = ~np.any(common & tied, axis=axes, keepdims=True)
            clash = np.logical_or.reduce(decided) & (loose | none)
        else:
            decided = np.logical_or.reduce([d != empty for d in decs])
            clash = loose & decided
            if kind == "verdict":       # one chunk's a, another's b
                clash |= np.logical_or.reduce([d == 1 for d in decs]) & \
                    np.logical_or.reduce([d == -1 for d in decs])
            else:                       # ranked, running: decided in views with no
                # equal pair, the orders agree wherever f is twice differentiable
                ref, have = np.full(shape, empty), np.zeros(shape, bool)
                for d, e in zip(decs, entries):
                    firm = e[3] & (d != empty)
                    clash |= firm & have & (d != ref)
                    ref, have = np.where(firm & ~have, d, ref), have | firm
        clash = np.broadcast_to(clash, shape)
        if clash.any():
            out[i] = np.array(clash)
    return out


def verdict(tag, chosen, other, cval, oval, larger, target):
    """Where the second order decides a tie of a two-argument selection of duals of
    ``tag``: an int array of shape ``target[:-1]``, 1 where ``chosen``'s partials
    (shape ``target``) are the answer, -1 where ``other``'s, 0 where the midpoint
    stays; ``None`` where nothing is decided (module docstring).  ``cval`` / ``oval``
    are the arguments' values (their outer partials are first order too); ``larger``
    is True for maximum / fmax, False for minimum / fmin."""
    link = _linked(tag)
    if link is None or link[0] is None:
        return None
    shape = tuple(target[:-1])

    def decide(unmapped, record):
        outer, qmap = link[0], link[1]
        m = _width((chosen, other, cval, oval), outer)
        if m is None:
            return None
        deep = []
        parts = [_split(p, outer, tuple(target), m, deep) for p in (chosen, other)]
        vals = [_split(v, outer, shape, m, deep) for v in (cval, oval)]
        if any(x is None for x in parts + vals):
            return None
        (c1, c2), (o1, o2) = parts
        same = np.all(c1 == o1, axis=-1)
        if deep:                        # (first orders along the wrapped passes)
            same = same & _same_wrapped(cval, oval, outer, shape)
        cv, ov = vals[0][1], vals[1][1]
        if (cv is not None or ov is not None) and not unmapped:
            cv = np.zeros(shape + (m,)) if cv is None else cv
            ov = np.zeros(shape + (m,)) if ov is None else ov
            same = same & np.all(cv == ov, axis=-1)
        own = same
        if unmapped and record:
            same = np.ones(shape, bool)          # (the colored passes' first order)
        zero = np.zeros(tuple(target) + (m,))
        full = (o2 if o2 is not None else zero) - (c2 if c2 is not None else zero)
        ps = np.flatnonzero(qmap[:target[-1]] >= 0)
        qs = qmap[ps]
        ps, qs = ps[qs < m], qs[qs < m]
        d = full[..., ps, qs]
        pick, mixed = _signs(d, same, larger)
        if pick.any():          # the diagonal's sign, checked on all of D in view
            cand = pick != 0
            sub = full[cand][:, ps[:, None], qs[None, :]]
            # under passes wrapped around (deep) the pick is the whole partials,
            # their outer levels too: only where D is definite (on its rows in view)
            psd, nsd = _semidefinite(sub, strict=bool(deep))
            ok = np.where((pick[cand] == 1) == larger, nsd, psd)
            bad = np.zeros(shape, bool)
            bad[cand] = ~ok
            pick = np.where(bad, 0, pick)
            mixed = mixed | bad
        # undecided although the second-order parts differ: the diagonal was not
        # (entirely) in view
        missed = same & (pick == 0) & ~mixed & np.any(full != 0.0, axis=(-2, -1))
        if deep and not ps.size:        # (a block between two chunks: equal plain
            missed = same & (pick == 0) & ~mixed     # parts, the wrapped ones may differ)
        return pick, bool(np.any(missed)), own, ~own | (own & mixed), pick != 0
    return _decided(link, shape, 0, decide)


def clip_candidates(tag, parts, values, target, tied):
    """Which of np.clip's ``a``, ``a_min``, ``a_max`` (bits 1, 2, 4) may be
    ``f = minimum(maximum(a, lo), hi)`` to the second order where all three tie
    (``tied``): an int array of shape ``target[:-1]`` (7 elsewhere), or ``None``.

    ``parts``: the three's partials (duals of the outer tag, or plain; broadcast to
    ``target``), ``values`` their values.  ``f - X`` is ``min(max(a - X, lo - X), hi -
    X)``, so f is ``hi`` to the second order iff ``max(a - hi, lo - hi) >= -o(|h|**2)``;
    ``lo`` iff ``hi - lo >= -o`` and ``max(lo - a, lo - hi) >= -o``; ``a`` iff ``hi - a
    >= -o`` and ``max(a - lo, a - hi) >= -o`` (:func:`_above` decides each from the
    first and second orders in view).  Where f is twice differentiable its Taylor
    polynomial is some candidate's (one of the three is f on an open cone of
    directions), so it holds that bit; a view of a subspace of directions (a chunk's own
    block) only rules candidates out: dg.hessian's chunks keep those no chunk ruled out
    (:func:`clashes`), and the caller takes a candidate's partials only where every
    candidate left has the same partials in view, else NaN (attack46b 03, 06)."""
    link = _linked(tag)
    if link is None or link[0] is None:
        return None
    shape = tuple(target[:-1])
    tied = np.broadcast_to(tied, shape)

    def decide(unmapped, record):
        outer, qmap = link[0], link[1]
        m = _width(tuple(parts) + tuple(values), outer)
        if m is None:
            return None
        split = [_split(p, outer, tuple(target), m) for p in parts]
        if any(x is None for x in split):
            return None
        ps = np.flatnonzero(qmap[:target[-1]] >= 0)
        qs = qmap[ps]
        ps, qs = ps[qs < m], qs[qs < m]
        g = [x[0][tied][:, ps] for x in split]
        H = [(x[1][tied][:, ps[:, None], qs[None, :]] if x[1] is not None else
              np.zeros((g[0].shape[0], ps.size, ps.size))) for x in split]
        (ga, gl, gh), (Ha, Hl, Hh) = g, H
        hi = _above(ga - gh, Ha - Hh, gl - gh, Hl - Hh)
        lo = _above(gh - gl, Hh - Hl, gh - gl, Hh - Hl) & \
            _above(gl - ga, Hl - Ha, gl - gh, Hl - Hh)
        a = _above(gh - ga, Hh - Ha, gh - ga, Hh - Ha) & \
            _above(ga - gl, Ha - Hl, ga - gh, Ha - Hh)
        mask = np.full(shape, 7, np.int64)
        mask[tied] = 1 * a + 2 * lo + 4 * hi
        missed = bool(not ps.size and tied.any())       # (a block between two chunks)
        nothing = np.zeros(shape, bool)
        return mask, missed, np.ones(shape, bool), nothing, nothing
    return _decided(link, shape, 7, decide, "clip")


def _above(gu, U, gw, W):
    """Where ``max(u, w) >= -o(|h|**2)`` near the point, ``u`` and ``w`` 0 there with
    gradients ``gu``, ``gw`` (``(N, k)``) and Hessians ``U``, ``W`` (``(N, k, k)``) in
    the ``k`` directions in view: a bool array ``(N,)``.  Both gradients 0: some
    ``t U + (1 - t) W`` with ``0 <= t <= 1`` positive semidefinite (Yuan's lemma).  One
    of them 0: that one's Hessian positive semidefinite (where the other is negative,
    an open half-space, it alone must be ``>= 0``).  Both nonzero: ``gw = -c gu`` with
    ``c > 0`` (else ``max(gu h, gw h) < 0`` on an open cone), and ``W + c U`` positive
    semidefinite on the plane ``gu h = 0``, where ``u = w`` at a distance ``O(|h|**2)``
    from it.
    Non-finite parts: False."""
    N = gu.shape[0]
    out = np.zeros(N, bool)
    if not N:
        return out
    finite = np.all(np.isfinite(gu), axis=-1) & np.all(np.isfinite(gw), axis=-1) & \
        np.all(np.isfinite(U), axis=(-2, -1)) & np.all(np.isfinite(W), axis=(-2, -1))
    nu, nw = np.any(gu != 0.0, axis=-1), np.any(gw != 0.0, axis=-1)
    both = finite & ~nu & ~nw
    if both.any():
        out[both] = _yuan(U[both], W[both])
    one = finite & (nu != nw)
    if one.any():
        out[one] = _semidefinite(np.where((nu & ~nw)[one, None, None], W[one], U[one]))[0]
    two = finite & nu & nw
    if two.any():
        u, w = gu[two], gw[two]
        c = -np.sum(u * w, axis=-1) / np.sum(u * u, axis=-1)
        r = w + c[:, None] * u
        opposite = (c > 0) & (np.sqrt(np.sum(r * r, axis=-1)) <=
                              1e-12 * np.sqrt(np.sum(w * w, axis=-1)))
        e = u / np.sqrt(np.sum(u * u, axis=-1))[:, None]
        proj = np.eye(u.shape[-1]) - e[:, :, None] * e[:, None, :]
        Z = W[two] + c[:, None, None] * U[two]
        out[two] = opposite & _semidefinite(proj @ Z @ proj)[0]
    return out


def _yuan(U, W, steps=90):
    """Where some ``t U + (1 - t) W``, ``0 <= t <= 1``, is positive semidefinite
    (``(N, k, k)`` each; Yuan's lemma: ``max(h U h, h W h) >= 0`` for every ``h``): its
    least eigenvalue, concave in ``t``, maximized by golden sections, at least
    ``-1e-12`` times the larger of the two matrices' scales (:func:`_semidefinite`'s
    tolerance; a boundary ``t`` is exact, rounding only in the eigenvalues)."""
    out = _semidefinite(U)[0] | _semidefinite(W)[0]
    diag_u, diag_w = np.diagonal(U, axis1=-2, axis2=-1), np.diagonal(W, axis1=-2, axis2=-1)
    hard = ~out & ~np.any((diag_u < 0) & (diag_w < 0), axis=-1)    # (h = e_i: both < 0)
    if not hard.any():
        return out
    U, W = U[hard], W[hard]
    U, W = 0.5 * (U + np.swapaxes(U, -1, -2)), 0.5 * (W + np.swapaxes(W, -1, -2))

    def least(t):
        return np.linalg.eigvalsh(t[:, None, None] * U + (1.0 - t)[:, None, None] * W)[:, 0]
    lo, hi = np.zeros(len(U)), np.ones(len(U))
    r = (np.sqrt(5.0) - 1.0) / 2.0
    x1, x2 = hi - r * (hi - lo), lo + r * (hi - lo)
    f1, f2 = least(x1), least(x2)
    for _ in range(steps):
        left = f1 < f2                  # the maximum lies right of x1
        lo = np.where(left, x1, lo)
        hi = np.where(left, hi, x2)
        x1, x2 = np.where(left, x2, hi - r * (hi - lo)), np.where(left, lo + r * (hi - lo), x1)
        new = least(np.where(left, x2, x1))
        f1, f2 = np.where(left, f2, new), np.where(left, new, f1)
    best = np.maximum(np.maximum(f1, f2), np.maximum(least(lo), least(hi)))
    scale = np.maximum(np.max(np.abs(np.linalg.eigvalsh(U)), axis=-1),
                       np.max(np.abs(np.linalg.eigvalsh(W)), axis=-1))
    out[hard] = best >= -1e-12 * scale
    return out


def _signs(d, same, larger):
    """``(pick, mixed)``: 1 / -1 / 0 from the diagonal differences ``d`` (other minus
    chosen, last axis), and where they have both signs."""
    pos, neg = np.any(d > 0, axis=-1), np.any(d < 0, axis=-1)
    clean = same & ~np.any(np.isnan(d), axis=-1)
    up, down = clean & pos & ~neg, clean & neg & ~pos    # other larger / chosen larger
    if not larger:
        up, down = down, up
    return np.where(down, 1, np.where(up, -1, 0)), pos & neg


def _in_view(link, partials, values, shape, unmapped, deep=None):
    """``(first, second, ps, qs)`` of elements of ``shape`` (their ``partials``, with
    ``values``' outer partials, are duals of the link's outer tag): the first-order
    parts (the values' outer partials appended unless ``unmapped``), the second-order
    parts, and the index pairs ``second[..., ps, qs]`` of the directions in view;
    ``None`` where the parts cannot be split.  ``deep``: as :func:`_split`'s."""
    outer, qmap = link[0], link[1]
    n = np.shape(partials)[-1]
    m = _width((partials, values), outer)
    if m is None:
        return None
    p = _split(partials, outer, shape + (n,), m, deep)
    v = _split(values, outer, shape, m, deep)
    if p is None or v is None or p[1] is None:
        return None
    first = p[0] if v[1] is None or unmapped else np.concatenate([p[0], v[1]], axis=-1)
    if deep and not unmapped:           # (first orders along the wrapped passes)
        wrapped = _wrapped_firsts(values, outer, shape)
        if wrapped is None:
            return None
        first = np.concatenate([first] + [w for _, w in sorted(wrapped, key=lambda t: t[0])],
                               axis=-1)
    ps = np.flatnonzero(qmap[:n] >= 0)
    qs = qmap[ps]
    keep = qs < m
    return first, p[1], ps[keep], qs[keep]


def dominant(tag, partials, values, tied, axes, larger):
    """Where the second order decides a tie of ``np.max`` / ``np.min`` over ``axes``:
    a bool array of ``tied``'s shape marking the dominant tied elements (an element
    whose diagonal second-order parts are the largest (smallest for min) of its slice's
    tied elements in every seen direction, their first-order parts all equal), or
    ``None`` (nothing decided).  A slice with no dominant element keeps the mean."""
    link = _linked(tag)
    if link is None or link[0] is None:
        return None
    shape = np.shape(tied)

    def decide(unmapped, record):
        deep = []
        seen = _in_view(link, partials, values, shape, unmapped, deep)
        if seen is None:
            return None
        first, second, ps, qs = seen
        mask = tied[..., None]
        hi = np.max(np.where(mask, first, -np.inf), axis=axes, keepdims=True)
        lo = np.min(np.where(mask, first, np.inf), axis=axes, keepdims=True)
        same = own = np.all(hi == lo, axis=-1)              # per slice
        if unmapped and record:
            same = np.ones(same.shape, bool)     # (the colored passes' first order)
        diag = second[..., ps, qs]
        mask = np.broadcast_to(mask, diag.shape)
        if larger:
            best = np.max(np.where(mask, diag, -np.inf), axis=axes, keepdims=True)
        else:
            best = np.min(np.where(mask, diag, np.inf), axis=axes, keepdims=True)
        top = tied & np.all(diag == best, axis=-1) & same & \
            ~np.any(np.isnan(diag), axis=-1)
        count = np.sum(top, axis=axes, keepdims=True)
        ties = np.sum(tied, axis=axes, keepdims=True)
        top = top & (count < ties)       # all tied elements dominant: the mean stays
        if deep:                        # passes wrapped around take the top's partials
            top = top & (count == 1)    # whole: one top, definite (verdict)
        if top.any():
            top = _definite_top(second[..., ps[:, None], qs[None, :]], tied, top, axes,
                                larger, bool(deep))
        # the tied second-order parts differ, but not on the diagonal in view (there
        # a difference decides, or shows that none dominates): the diagonal was not
        # in view
        hi = np.max(np.where(mask, diag, -np.inf), axis=axes, keepdims=True)
        lo = np.min(np.where(mask, diag, np.inf), axis=axes, keepdims=True)
        shown = np.any(hi > lo, axis=-1)
        masked = np.where(tied[..., None, None], second, np.nan)
        with np.errstate(invalid="ignore"):
            differ = np.any(np.nanmax(masked, axis=axes, keepdims=True) !=
                            np.nanmin(masked, axis=axes, keepdims=True), axis=(-2, -1))
        undecided = same & ~shown & differ & (ties > 1)
        if deep and not ps.size:        # (between two chunks: as verdict's)
            undecided = same & (ties > 1)
        several = ties > 1
        loose = several & (~own | (shown & ~np.any(top, axis=axes, keepdims=True)))
        return top, bool(np.any(undecided)), own, loose, None
    return _decided(link, shape, False, decide, "dominant", (axes, tied))


def _semidefinite(D, strict=False):
    """``(psd, nsd)``: bool arrays of ``D``'s leading shape (``D``: ``(..., k, k)``, the
    difference of two tied values' Hessians in the directions in view), True where
    ``D`` (symmetrized) is positive / negative semidefinite: its eigenvalues, on each
    matrix's nonzero rows only (an elementwise tie's ``D`` has one), at least /
    at most ``-+1e-12`` times the largest in magnitude (rounding in exact zeros:
    ``[[2, -2], [-2, 2]]``).  A non-finite entry: neither.  ``strict``: definite
    (every eigenvalue beyond the tolerance; a zero matrix: neither)."""
    lead = D.shape[:-2]
    k = D.shape[-1]
    if not k or not D.size:             # nothing in view: both (a zero matrix)
        return np.full(lead, not strict), np.full(lead, not strict)
    flat = np.reshape(D, (-1, k, k))
    flat = 0.5 * (flat + np.swapaxes(flat, -1, -2))
    finite = np.all(np.isfinite(flat), axis=(-2, -1))
    flat = np.where(np.isfinite(flat), flat, 0.0)
    live = np.any(flat != 0.0, axis=-1)
    width = int(np.max(np.sum(live, axis=-1), initial=0))
    if not width:
        finite = finite & (not strict)
        return np.reshape(finite, lead), np.reshape(finite, lead)
    order = np.argsort(~live, axis=-1, kind="stable")[:, :width]
    sub = np.take_along_axis(np.take_along_axis(flat, order[:, :, None], axis=1),
                             order[:, None, :], axis=2)
    w = np.linalg.eigvalsh(sub)
    tol = 1e-12 * np.max(np.abs(w), axis=-1)
    if strict:                          # (a matrix padded with zero rows: their zeros)
        nlive = np.sum(live, axis=-1)
        psd = finite & (nlive > 0) & (np.sum(w > tol[:, None], axis=-1) == nlive)
        nsd = finite & (nlive > 0) & (np.sum(w < -tol[:, None], axis=-1) == nlive)
    else:
        psd = finite & (w[:, 0] >= -tol)
        nsd = finite & (w[:, -1] <= tol)
    return np.reshape(psd, lead), np.reshape(nsd, lead)


def _definite_top(H, tied, top, axes, larger, strict=False):
    """``top`` (the tied elements whose Hessian ``H`` (``(..., k, k)``, the directions
    in view) has the best diagonal) where that element truly dominates: the tops'
    ``H`` all equal, and the top's ``H`` minus every other tied element's positive
    semidefinite (negative for min); elsewhere (a slice) no top: the mean stays
    (attack43 repro_07: the diagonal alone let an indefinite difference dominate).
    ``strict``: definite (:func:`_semidefinite`)."""
    sel = top[..., None, None]
    with np.errstate(invalid="ignore"):
        hi = np.max(np.where(sel, H, -np.inf), axis=axes, keepdims=True)
        lo = np.min(np.where(sel, H, np.inf), axis=axes, keepdims=True)
    equal = np.all(hi == lo, axis=(-2, -1))                 # per slice
    rest = tied & ~top
    diff = (hi - H) if larger else (H - hi)
    ok = np.ones(tied.shape, bool)
    if rest.any():
        psd, _ = _semidefinite(np.broadcast_to(diff, H.shape)[rest], strict)
        ok[rest] = psd
    good = equal & np.all(ok, axis=axes, keepdims=True)
    return top & good


def ranked(tag, partials, values, start, end, axis):
    """Where the second order orders the runs of equal values of a sorted array
    (``np.sort``): an int array of the values' shape, each position's rank within its
    run (the position, counted from the run's ``start``, that its element takes:
    ascending), -1 where the run keeps the mean; ``None`` where nothing is decided.

    A run whose elements' first-order parts all agree and whose Hessians (the directions
    in view) are totally ordered (every pair's difference semidefinite) is sorted by
    them: near the point the element of the larger Hessian is the larger value
    (sort([x**2, 0])[-1] is x**2; attack43 repro_01).  Equal Hessians keep their order."""
    link = _linked(tag)
    if link is None or link[0] is None:
        return None
    shape = np.shape(start)

    def decide(unmapped, record):
        deep = []
        seen = _in_view(link, partials, values, shape, unmapped, deep)
        if seen is None:
            return None
        first, second, ps, qs = seen
        H = np.moveaxis(second[..., ps[:, None], qs[None, :]], axis, 0)
        S = np.moveaxis(second, axis, 0)
        F = np.moveaxis(first, axis, 0)
        st, en = np.moveaxis(start, axis, 0), np.moveaxis(end, axis, 0)
        length = st.shape[0]
        same = np.ones(st.shape, bool)          # first order equal along the run
        below = np.zeros(st.shape, np.int64)    # members of smaller Hessian
        earlier = np.zeros(st.shape, np.int64)  # equal Hessians before it
        total = np.ones(st.shape, bool)         # every pair comparable
        shown = np.zeros(st.shape, bool)
        differ = np.zeros(st.shape, bool)
        nil = np.zeros(st.shape, bool)          # some pair equal in view
        for d in range(1, int(np.max(en - st, initial=0)) + 1):    # offsets, not elements
            pair = st[d:] == st[:-d]            # i - d and i in one run
            if not pair.any():
                continue
            agree = np.all(F[d:] == F[:-d], axis=-1)
            diff = H[d:] - H[:-d]               # later minus earlier
            psd, nsd = _semidefinite(diff, bool(deep))     # (deep: definite, as
            zero = np.all(diff == 0.0, axis=(-2, -1))       # verdict's)
            bad = pair & ~agree
            same[d:] &= ~bad
            same[:-d] &= ~bad
            gap = pair & ~(psd | nsd)
            total[d:] &= ~gap
            total[:-d] &= ~gap
            up = pair & psd & ~zero             # the later one larger
            down = pair & nsd & ~zero
            below[d:] += up
            below[:-d] += down
            earlier[d:] += pair & zero
            nil[d:] |= pair & zero
            nil[:-d] |= pair & zero
            shown[d:] |= pair & ~zero
            shown[:-d] |= pair & ~zero
            differ[d:] |= pair & np.any(S[d:] != S[:-d], axis=(-2, -1))
            differ[:-d] |= pair & np.any(S[d:] != S[:-d], axis=(-2, -1))
        # a run decides as a whole: reduce the per-position flags over the run
        run = en > st
        same = _run_all(same, st, en)
        own = same
        if unmapped and record:
            same = np.ones(st.shape, bool)     # (the colored passes' first order)
        ok = run & same & _run_all(total, st, en) & _run_any(shown, st, en)
        rank = np.where(ok, below + earlier, -1)
        missed = run & same & ~_run_any(shown, st, en) & _run_any(differ, st, en)
        if deep and not ps.size:        # (between two chunks: as verdict's)
            missed = run & same
        back = lambda a: np.moveaxis(a, 0, axis)   # noqa: E731
        loose = run & (~own | (own & _run_any(shown, st, en) & ~_run_all(total, st, en)))
        firm = ok & ~_run_any(nil, st, en)
        return back(rank), bool(np.any(missed)), back(own), back(loose), back(firm)

    def spread(mask):                   # a run is forced whole
        st, en = np.moveaxis(start, axis, 0), np.moveaxis(end, axis, 0)
        return np.moveaxis(_run_any(np.moveaxis(mask, axis, 0), st, en), 0, axis)
    return _decided(link, shape, -1, decide, "ranked", spread=spread)


def _run_all(flag, st, en):
    """``flag`` (axis 0 along the runs) made the AND over each position's run."""
    return ~_run_any(~flag, st, en)


def _run_any(flag, st, en):
    """``flag`` made the OR over each position's run (``st`` / ``en``: its first and
    last position, axis 0): one cumulative count."""
    c = np.concatenate([np.zeros((1,) + flag.shape[1:], np.int64),
                        np.cumsum(flag, axis=0)], axis=0)
    return np.take_along_axis(c, en + 1, axis=0) - np.take_along_axis(c, st, axis=0) > 0


def running(tag, partials, values, member, index, larger):
    """Where the second order decides a running extreme's ties
    (``np.maximum.accumulate`` / ``minimum``, axis 0 of every array here): an int array
    of the values' shape, the position whose partials each running value takes, -1
    where the mean of the tied members so far stays; ``None``: nothing decided.

    ``member``: equal to the running extreme; ``index``: where each position's run of
    that extreme began.  At position k the members so far whose first-order parts all
    agree are decided by the latest one whose Hessian (directions in view) dominates
    every member so far (the difference semidefinite), if any (attack43 repro_01:
    maximum.accumulate([x**2, 0])[-1] is x**2)."""
    link = _linked(tag)
    if link is None or link[0] is None:
        return None
    shape = np.shape(member)

    def decide(unmapped, record):
        deep = []
        seen = _in_view(link, partials, values, shape, unmapped, deep)
        if seen is None:
            return None
        first, S, ps, qs = seen
        H = S[..., ps[:, None], qs[None, :]]
        length = shape[0]
        pos = np.arange(length).reshape((length,) + (1,) * (len(shape) - 1))
        pos = np.broadcast_to(pos, shape)
        unlike = np.zeros(shape, bool)          # first order unlike an earlier member
        beaten = np.zeros(shape, bool)          # fails to dominate an earlier member
        fail = np.full(shape, length, np.int64)  # first later member it fails to dominate
        shown = np.zeros(shape, bool)           # some pair with a difference in view
        differ = np.zeros(shape, bool)          # some pair with differing second order
        nil = np.zeros(shape, bool)             # some pair equal in view
        span = int(np.max(np.where(member, pos - index, 0), initial=0))
        for d in range(1, span + 1):            # offsets, not elements
            pair = member[d:] & member[:-d] & (index[d:] == index[:-d])
            if not pair.any():
                continue
            diff = H[d:] - H[:-d]               # later minus earlier
            psd, nsd = _semidefinite(diff, bool(deep))     # (deep: as verdict's)
            later_wins = psd if larger else nsd         # later dominates earlier
            earlier_wins = nsd if larger else psd
            unlike[d:] |= pair & ~np.all(first[d:] == first[:-d], axis=-1)
            beaten[d:] |= pair & ~later_wins
            fail[:-d] = np.where(pair & ~earlier_wins, np.minimum(fail[:-d], pos[d:]),
                                 fail[:-d])
            shown[d:] |= pair & np.any(diff != 0.0, axis=(-2, -1))
            nil[d:] |= pair & np.all(diff == 0.0, axis=(-2, -1))
            differ[d:] |= pair & np.any(S[d:] != S[:-d], axis=(-2, -1))
        own = ~_prefix_any(unlike, index, pos)
        same = own if not (unmapped and record) else np.ones(shape, bool)
        best = np.maximum.accumulate(np.where(member & ~beaten, pos, -1), axis=0)
        valid = (best >= index) & (np.take_along_axis(fail, np.maximum(best, 0), axis=0) > pos)
        seen = _prefix_any(shown, index, pos)
        several = _prefix_any(member & (pos > index), index, pos)
        pick = np.where(several & same & seen & valid, best, -1)
        missed = several & same & ~seen & _prefix_any(differ, index, pos)
        if deep and not ps.size:        # (between two chunks: as verdict's)
            missed = several & same
        loose = several & (~own | (own & seen & ~valid))
        firm = (pick >= 0) & ~_prefix_any(nil, index, pos)
        return pick, bool(np.any(missed)), own, loose, firm
    return _decided(link, shape, -1, decide, "running")


def _prefix_any(flag, index, pos):
    """``flag``'s OR over ``index[k] .. k`` at each position k (axis 0)."""
    c = np.cumsum(flag, axis=0)
    return c - np.take_along_axis(c, index, axis=0) + \
        np.take_along_axis(flag, index, axis=0) > 0
