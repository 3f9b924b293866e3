"""Kernels for the fused engine, one per shape of expression, generated and cached.

A deferred expression (:mod:`dualgrad.backend._fused`) is a small graph: each node's
partials are ``sum_j c_j * t_j`` over its kids ``t_j`` (other nodes, or concrete
partials arrays: the leaves) with coefficients ``c_j`` that are ``+1``, ``-1``, a
number, or a per-element factor array.  :func:`source` writes one numba function
that evaluates the whole graph element by element: the factors and the leaves' rows
are read once, each node's row lives in registers, and only the root's partials are
written: one pass where the eager engine makes one per node.

The arithmetic per node is the eager engine's (:func:`dualgrad.backend._propagate.combine`):
the same products, summed left to right, so results agree to the bit with the
propagation step by step wherever the eager engine's kernels compute the same
products (and to rounding where a rule kernel evaluates a local derivative itself).
An element with a non-finite factor takes a second copy of the loop in which a
zero partial stays 0 beside it, as the eager engine keeps it (the eager engine
decides that per element in its kernels and per array in its NumPy path, so the
sign of a zero partial beside a finite factor may differ: -0.0 against 0.0).
Rows are tested :data:`BLOCK` at a time, so that a block without such a factor
runs a loop with no branch.

The text depends only on the expression's *structure* (:func:`structure`: which
nodes take which kids with which kinds of coefficient, the leaves' kinds, the
number of directions up to :data:`UNROLL`), not on its numbers, so a loop of a
thousand identical steps compiles one kernel.  :func:`kernel` keeps each compiled
function for the process and writes its text to a file in a cache directory, so
that numba's disk cache serves later processes (``NUMBA_CACHE_DIR``, else
``XDG_CACHE_HOME`` or ``~/.cache``, in ``dualgrad-fused``; with none writable the
kernel compiles in memory, for this process only).
"""

import contextlib
import os
import sys
from pathlib import Path

from . import _disk

_TINY = "2.2250738585072014e-308"     # the smallest normal float64 (rules._table.TINY)
_LIFT = "2.028240960365167e+31"       # 2 ** 104 (rules._table.LIFT)

# hashlib, importlib.util and tempfile (15 ms together) are imported with the first
# kernel a process compiles or loads, not at ``import dualgrad``.

__all__ = ["structure", "columns_structure", "lag", "lead", "view", "source", "kernel", "compiled_kernel", "forget", "on_disk", "compiled",
           "vectorizing", "codes", "UNROLL", "GENERATION", "CODE_MIX"]

# Directions up to which a kernel's loop over them has a fixed trip count (the
# compiler unrolls it and keeps every node's row in registers).
UNROLL = 16
# Changes whenever the text :func:`source` writes changes: old files are not reused.
GENERATION = 17
# Rows a kernel tests for non-finite factors at a time before computing them (see
# :func:`source`): the factors of a block stay in the first-level cache between
# the test and the pass.
BLOCK = 64
# An accumulating kernel whose leaves read ``acc``'s memory rows behind or ahead keeps
# those rows in registers across the elements of a block without a non-finite factor
# (see :func:`source`) while the window holds at most this many directions:
# (rows behind + rows ahead + 1) * n.  Beyond, it reads them from memory each element.
CARRY = 48
# A picks kernel counts the rows whose checked direction is finite and at least this:
# times a probe's largest code (2**124) it may overflow, and no comparison there
# says anything (dualgrad.api.transforms._check_elementwise looks again).
ROOM = 2.0 ** 900

# elementwise_grad's probe codes (dualgrad.api.transforms._probes states why these):
# code ``p`` of element ``i`` is ``2**(CODE_SPACING * d)``, ``d`` the ``p``-th base-32
# digit of ``i * CODE_MIX`` modulo 2**64.  A kernel computes them from the row index
# (coefficient ``("q", p)``), so the probe arrays are not read.  An odd multiplier
# whose twelve base-32 digits are all in 1..30: one to one modulo any 32**K, K <= 12,
# and every digit moves when the index moves by one.
CODE_MIX = 0x89A8BD2EC35D325
CODE_BITS = 5                 # a digit's bits: 32 codes a probe
CODE_SPACING = 4              # the codes' exponents step: 16**d

_compiled = {}            # structure -> numba dispatcher, for this process
_directory = None


def codes(size, count):
    """The probe codes of ``size`` elements (flat, C order), ``count`` float64 arrays:
    what a kernel's ``("q", p)`` coefficients compute, by NumPy."""
    import numpy as np
    mixed = np.arange(size, dtype=np.uint64) * np.uint64(CODE_MIX)   # wraps modulo 2**64
    table = np.ldexp(1.0, CODE_SPACING * np.arange(1 << CODE_BITS))
    return tuple(table[(mixed >> np.uint64(CODE_BITS * p)) & np.uint64((1 << CODE_BITS) - 1)]
                 for p in range(count))


def structure(n, leaves, nodes, numbers, arrays, accumulate=0, outputs=(), keep=True):
    """The hashable key of an expression's kernel.

    ``leaves``: a kind per leaf, ``"r"`` (a row of ``n`` partials, a scalar dual's,
    read by every element), ``"u<c>"`` (such a row that is 1 in direction ``c`` and 0
    in the others: a seed's, see ``_fused.seed``), ``"m"`` (a ``rows x n`` array read at the element's own
    row), ``"s"`` (read at a shifted row), ``"b1"``, ``"b2"``... (``acc`` itself
    ``m`` rows behind the element's: rows the kernel has already updated, read from
    a ring of the rows as they were before, see :func:`source`), ``"o"`` (``acc``'s own
    rows: the element's row before it is written) or ``"f1"``, ``"f2"``... (``acc``
    itself ``m`` rows ahead: not written yet) or ``"v<a>.<m>"`` (in a kernel that adds
    into no array: leaf ``a``'s memory ``m`` rows ahead, leaf ``a`` an ``"m"`` leaf);
    ``nodes``: per node in
    evaluation order,
    a tuple of ``(coefficient, kid)`` with the coefficient ``"1"``, ``"-"``,
    ``("c", j)`` (number ``j``), ``("a", j)`` (factor array ``j``), ``("q", p)`` (probe
    code ``p`` of the element's row, computed: :func:`codes`) or ``("e", template,
    refs)`` (a local derivative computed per element: ``template``, a ``str.format``
    text of ``+ - * /``, whose field ``m`` is ``refs[m]``, ``("a", j)`` or ``("c", j)``;
    see ``_fused.Local``) and the kid
    ``("l", j)`` (leaf ``j``) or ``("t", j)`` (node ``j``); the last node is the root.
    ``numbers`` and ``arrays`` count the numbers and factor arrays; ``accumulate``,
    +1 or -1, makes a kernel that also adds or subtracts the result into an array
    ``acc`` (``a += d`` in the pass that computes ``d``); ``outputs``, the positions of
    inner nodes whose rows the kernel also writes (nodes a dual still holds);
    ``keep=False`` (with ``accumulate`` only), a kernel that does not write the root's
    rows (``a += <expression>``: nothing but the operator holds the expression).
    """
    return (n if n <= UNROLL else 0, tuple(leaves), tuple(nodes), numbers, arrays, accumulate,
            tuple(outputs), bool(keep))


def lag(kind):
    """How many rows behind the element's a leaf of ``kind`` reads ``acc`` (0: not a
    ``"b"`` leaf)."""
    return int(kind[1:]) if kind[0] == "b" else 0


def view(kind):
    """``(a, m)`` for a leaf of ``kind`` ``"v<a>.<m>"`` (leaf ``a``'s memory ``m`` rows
    ahead), else ``None``."""
    if kind[0] != "v":
        return None
    a, m = kind[1:].split(".")
    return int(a), int(m)


def lead(kind):
    """How many rows ahead of the element's a leaf of ``kind`` reads ``acc`` (0: not an
    ``"f"`` leaf)."""
    return int(kind[1:]) if kind[0] == "f" else 0


def _sum(kids, safe, suffix=""):
    """One node's element: its kids' terms summed left to right (the names of the
    direction ``suffix``)."""
    text = ""
    for coef, (kind, j) in kids:
        ref = f"{'x' if kind == 'l' else 't'}{j}{suffix}"
        if coef == "-":
            text = f"{text} - {ref}" if text else f"-{ref}"
            continue
        if coef == "1":
            term = ref
        else:
            c = f"{coef[0]}{coef[1]}"
            term = f"_term({c}, {ref})" if safe else f"{c} * {ref}"
            if safe and len(coef) == 3:           # a quotient's two steps
                term = f"_over({c}, n{coef[1]}, d{coef[1]}, {ref})"
        text = f"{text} + {term}" if text else term
    return text


def _structural_zeros(leaves, nodes, n):
    """``(kind, j, k)`` for every leaf (``"l"``) and node (``"t"``) ``j`` whose direction
    ``k`` is 0 by the structure alone: unit rows' other directions, and nodes whose
    every kid is such a 0 there."""
    zero = {("l", j, k) for j, kind in enumerate(leaves) if kind[0] == "u"
            for k in range(n) if k != int(kind[1:])}
    for j, kids in enumerate(nodes):
        for k in range(n):
            if all((kind, i, k) in zero for coef, (kind, i) in kids):
                zero.add(("t", j, k))
    return zero


def _sum_known(kids, k, ref):
    """:func:`_sum` of direction ``k`` without the terms that are 0 by structure
    (``ref`` gives ``"0.0"`` for those, a unit row's 1 as ``"1.0"``)."""
    text = ""
    for coef, (kind, j) in kids:
        r = ref(kind, j, k)
        if r == "0.0":
            continue
        if coef == "-":
            text = f"{text} - {r}" if text else f"-{r}"
            continue
        term = r if coef == "1" else f"{coef[0]}{coef[1]} * {r}"
        text = f"{text} + {term}" if text else term
    return text or "0.0"


def source(key, name="fused", picks=None):
    """The text of a module defining the kernel ``name`` for the structure ``key``.

    The kernel takes ``out`` (``rows x n``; ``keep=False``: not written, any array of
    that shape), with ``accumulate`` then ``acc`` (``rows x n``, updated in place),
    with ``"b"`` leaves then ``H`` (``K x n`` for the largest lag ``K``: the ``K`` rows of
    ``acc``'s memory just before its first, as a leaf of lag ``K`` reads them), an array
    ``P`` per output node (``rows x n``), then the leaves, the shifts of the shifted
    leaves, the factor arrays (``rows`` elements each) and the numbers.

    ``acc``'s row ``i`` is read (by the element's own ``"o"`` leaves) and written at
    element ``i`` only, after every load of the element; a leaf that reads ``acc``'s
    memory rows ahead (``"f"``, or ``"m"`` farther than the caller classes) reads rows
    not written yet, one that reads rows behind reads them from the ring ``H``, where
    each element saves its row of ``acc`` before it writes it: ``H[r % K]`` holds row
    ``r`` as it was, for the ``K`` rows behind the element (before the first, the rows
    the caller copied).  In a block without a non-finite factor (unrolled ``n``, the
    window within :data:`CARRY`) the rows behind and ahead are carried in variables
    instead: each element loads only the row farthest ahead (from its ``"f"`` leaf),
    takes its own row from the element before, and hands its row, as it was, to the
    next ones (``H`` is read at the block's start and written at its end, for the
    elements that test their factors).  The same values in the same operations: the
    same bits; only the loads and stores of ``acc``'s memory that LLVM could not
    prove redundant are gone (the slicing heat step's kernel: bench/MISSES.md, stop 46).

    With ``picks`` (:func:`columns_structure`), the kernel writes no ``rows x n``
    result: it takes ``row`` (``n`` elements of scratch) and ``B`` (a count per
    pick) in ``out``'s place and, after the factor arrays, ``m`` probe arrays ``Q``
    (``rows`` elements each) per pick ``(s, m, False)`` before the numbers (a pick
    ``(s, m, True)`` takes none: its probes are the codes of :func:`codes`, which
    the kernel computes from the row index); it writes the
    root's direction ``s`` of each pick into ``G`` (``rows`` elements, after ``B``)
    and counts in ``B`` the (row, probe) pairs where direction ``s + 1 + p`` is not
    ``Q_p[i] * `` direction ``s``, for ``p`` in ``0 .. m - 1`` (``!=``: a NaN counts;
    without a branch, which took twice the pass's time on the grid field of bench/),
    plus, for a pick with probes, the rows whose direction ``s`` is finite and at
    least :data:`ROOM` (where ``Q * `` it may overflow and an inf equal an inf).
    """
    n, leaves, nodes, numbers, arrays, accumulate, outputs, keep = key
    nodes, local, parts = _locals(nodes)
    shifted = [j for j, kind in enumerate(leaves) if kind == "s"]
    behind = {j: lag(kind) for j, kind in enumerate(leaves) if lag(kind)}
    ring = max(behind.values(), default=0)
    ahead = {j: lead(kind) for j, kind in enumerate(leaves) if lead(kind)}
    reach = max(ahead.values(), default=0)
    # acc's rows behind and ahead carried in variables in a clean block (see above)
    carry = bool(n) and bool(accumulate) and picks is None and bool(ring or reach) and \
        (ring + reach + 1) * n <= CARRY
    # "v" leaves: rows of an "m" leaf's memory ahead (np.diff's p[1:], p[2:] beside p),
    # carried alike in a clean block of a kernel that writes none of them: per anchor
    # leaf, the farthest row loaded, the others from the elements before
    viewed = {j: view(kind) for j, kind in enumerate(leaves) if view(kind)}
    spans = {}                                   # anchor leaf -> rows ahead at most
    for a, m in viewed.values():
        spans[a] = max(spans.get(a, 0), m)
    slide = bool(n) and not accumulate and picks is None and bool(spans) and \
        sum(m + 1 for m in spans.values()) * n <= CARRY
    if not slide:
        viewed, spans = {}, {}
    farthest = {a: min(j for j, (b, m) in viewed.items() if b == a and m == spans[a])
                for a in spans}
    probed = [j for j, (s, m, c) in enumerate(picks or ()) if m]
    queries = [f"Q{j}_{p}" for j, (s, m, c) in enumerate(picks or ()) if not c
               for p in range(m)]
    # the probe codes the element needs (a coefficient's or a pick's), from its index
    digits = sorted({coef[1] for kids in nodes for coef, kid in kids if coef[0] == "q"} |
                    {p for s, m, c in picks or () if c for p in range(m)})
    head = ["out"] if picks is None else ["row", "B"] + [f"G{j}" for j in range(len(picks))]
    params = head + (["acc"] if accumulate else []) + (["H"] if ring else []) + \
        [f"P{j}" for j in outputs] + \
        [f"L{j}" for j in range(len(leaves))] + [f"o{j}" for j in shifted] + \
        [f"A{j}" for j in range(arrays)] + queries + \
        [f"c{j}" for j in range(numbers)]
    if picks is None:
        lines = ["    rows, n = out.shape"]
    else:
        lines = ["    rows, n = G0.shape[0], row.shape[0]"]
        lines += [f"    b{j} = 0" for j in probed]
    # an element's own reads before its directions: factors, local derivatives,
    # shifted rows, the ring's slots (indented for the loop that holds them)
    factors = [f"a{j} = A{j}[i]" for j in range(arrays)] + \
        [f"e{j} = {text}" for j, text in enumerate(local)] + \
        [f"{v}{j} = {text}" for j, pair in parts.items() for v, text in zip("nd", pair)]
    element = list(factors)
    # the probe codes an element reads from a block's scratch ``F`` (see ``prepass``)
    element += [f"q{p} = F[{r}, i - i0]" for r, p in enumerate(digits)]

    def prepass(pad, end):
        """The codes of rows ``i0 .. end - 1`` into the scratch ``S`` (``F`` views it as
        float64): ``2**(4 d)``'s bits, the exponent field ``1023 + 4 d`` (the digit's
        bits shifted into place), from the int64 product, which wraps modulo 2**64 as
        :func:`codes`' does.  A loop of integer operations that LLVM vectorizes across
        rows; computed per element beside the directions (a table lookup, or
        ``float(1 << 2 d) ** 2``) it took 1.3-1.7x the grid field's kernel time, more
        than reading the codes (bench/codes_ab.py)."""
        if not digits:
            return []
        up = CODE_SPACING.bit_length() - 1             # 4 d: the digit 2 places up
        out = [f"{pad}for i in range(i0, {end}):", f"{pad}    mix = i * {CODE_MIX}"]
        for r, p in enumerate(digits):
            shift = CODE_BITS * p - up
            bits = f"(mix << {-shift})" if shift < 0 else f"(mix >> {shift})"
            out.append(f"{pad}    S[{r}, i - i0] = (({bits} & {((1 << CODE_BITS) - 1) << up})"
                       f" + 1023) << 52")
        return out
    if digits:
        lines += [f"    S = np.empty(({len(digits)}, BLOCK), np.int64)",
                  "    F = S.view(np.float64)"]
    # a shifted leaf's row: wrapped around per element (a test and a branch), or in a
    # block whose rows are all on one side of the wrap (``clean``), the element's row
    # plus the block's offset ``d``, an index LLVM steps as a pointer
    wrapped = [text for j in shifted
               for text in (f"r{j} = i + o{j}", f"if r{j} >= rows:", f"    r{j} -= rows")]
    offset = [f"r{j} = i + d{j}" for j in shifted]
    slots = []
    if ring:
        slots.append(f"h = {'0' if ring == 1 else f'i % {ring}'}")
        for m in sorted(set(behind.values())):
            slots.append(f"h{m} = {'h' if m == ring else f'(i - {m}) % {ring}'}")
    clean = element + offset + slots
    element_clean = clean[:len(clean) - len(slots)]      # (carried: no ring slots)
    element = element + wrapped + slots
    root, sign = len(nodes) - 1, "+" if accumulate > 0 else "-"

    def load(j, kind, k):
        if j in behind:
            return f"H[h{behind[j]}, {k}]"
        row = kind == "r" or kind[0] == "u"
        return f"L{j}[{k if row else f'r{j}, {k}' if kind == 's' else f'i, {k}'}]"

    def loop(safe, pad):
        """The directions as a loop (any ``n``, and the rows with a non-finite factor).

        Beside the unrolled path (``safe``) of a kernel whose only stores are the
        root's rows, for ``n`` > 1, its trip count is the array's ``n``, not a
        literal: LLVM unrolls a loop of a literal count, finds that the copy's last
        store and the unrolled path's are the same store, and sinks it below the
        branch (one store fed by a phi); the root's row then ends with ``n - 1``
        stores in the unrolled path, which its SLP vectorizer took 2-wide and
        scalar instead of 4-wide (``python bench/kernel_vectors.py``; the kernels'
        time: ``python bench/kernel_ab.py``).  Kernels that store more lose only
        their last array's last store and keep the literal loop; at ``n`` = 1 it
        lets the loop vectorizer take rows 4 at a time."""
        runtime = safe and n > 1 and picks is None and keep and not accumulate \
            and not outputs
        out = [f"{pad}for k in range({'n' if runtime or not n else n}):"]
        out += [f"{pad}    x{j} = {load(j, kind, 'k')}" for j, kind in enumerate(leaves)]
        if ring:
            out.append(f"{pad}    H[h, k] = acc[i, k]")
        out += [f"{pad}    t{j} = {_sum(kids, safe)}" for j, kids in enumerate(nodes)]
        if picks is not None:
            out.append(f"{pad}    row[k] = t{root}")
        elif keep:
            out.append(f"{pad}    out[i, k] = t{root}")
        out += [f"{pad}    P{j}[i, k] = t{j}" for j in outputs]
        if accumulate:
            out.append(f"{pad}    acc[i, k] = acc[i, k] {sign} t{root}")
        if picks is not None:
            out += _picked(picks, pad, lambda k: f"row[{k}]")
        return out

    def unrolled(pad, carried=False):
        """The ``n`` directions written out: every load, then every node, then every
        store, straight-line code that LLVM's SLP vectorizer turns into vector
        operations across the directions.  A unit row (kind ``"u<c>"``) is 1 in
        direction ``c`` and 0 in the others, and a term that is 0 by structure is
        left out (this path runs only where every factor is finite, where it adds
        +-0; the sign of a zero partial may differ).  An ``"o"`` leaf is ``acc``'s row
        as loaded (``y``); ``carried`` (a clean block's loop, see :func:`source`):
        the rows behind (``wb<m>``) and ahead (``wa<m>``) come from the elements
        before, and only the row farthest ahead is loaded."""
        ks = range(n)
        zero = _structural_zeros(leaves, nodes, n)

        def ref(kind, j, k):
            if (kind, j, k) in zero:
                return "0.0"
            if kind == "l" and leaves[j][0] == "u":
                return "1.0"
            return f"{'x' if kind == 'l' else 't'}{j}_{k}"
        def kept(j, kind):        # a leaf read from acc's row or the carried rows
            return kind == "o" or carried and (j in behind or j in ahead or j in viewed or
                                               j in spans)

        def window(j, kind):
            if kind == "o":
                return "y"
            if j in behind:
                return f"wb{behind[j]}"
            if j in ahead:
                return f"wa{ahead[j]}"
            a, m = viewed[j] if j in viewed else (j, 0)
            return f"g{a}_{m}"
        out = [f"{pad}x{j}_{k} = {load(j, kind, k)}" for k in ks
               for j, kind in enumerate(leaves) if kind[0] not in "ur" and not kept(j, kind)]
        if carried:               # each anchor's farthest row: the one row of it loaded
            out += [f"{pad}g{a}_{m}_{k} = {load(farthest[a], 'm', k)}"
                    for a, m in spans.items() for k in ks]
        if carried and reach:     # the row farthest ahead: the one row loaded
            first = min(j for j in ahead if ahead[j] == reach)
            out += [f"{pad}wa{reach}_{k} = {load(first, 'f', k)}" for k in ks]
            out += [f"{pad}y_{k} = wa0_{k}" for k in ks]
        elif accumulate:          # acc's row loaded whole (then stored whole: one vector)
            out += [f"{pad}y_{k} = acc[i, {k}]" for k in ks]
        out += [f"{pad}x{j}_{k} = {window(j, kind)}_{k}"
                for k in ks for j, kind in enumerate(leaves) if kept(j, kind)]
        if ring and not carried:
            out += [f"{pad}H[h, {k}] = y_{k}" for k in ks]
        out += [f"{pad}t{j}_{k} = {_sum_known(kids, k, ref)}" for k in ks
                for j, kids in enumerate(nodes) if ("t", j, k) not in zero]
        if picks is not None:
            out += _picked(picks, pad, lambda k: ref("t", root, k))
        elif keep:
            out += [f"{pad}out[i, {k}] = {ref('t', root, k)}" for k in ks]
        out += [f"{pad}P{j}[i, {k}] = {ref('t', j, k)}" for j in outputs for k in ks]
        if accumulate:            # (no store of the row writes acc's: y is acc[i, k])
            out += [f"{pad}acc[i, {k}] = y_{k} {sign} {ref('t', root, k)}" for k in ks]
        if carried:               # the window moves one row on
            out += [f"{pad}wb{m}_{k} = wb{m - 1}_{k}" for m in range(ring, 1, -1) for k in ks]
            out += [f"{pad}wb1_{k} = y_{k}" for k in ks if ring]
            out += [f"{pad}wa{m}_{k} = wa{m + 1}_{k}" for m in range(reach) for k in ks]
            out += [f"{pad}g{a}_{m}_{k} = g{a}_{m + 1}_{k}" for a, top in spans.items()
                    for m in range(top) for k in ks]
        return out

    def carried_block(pad):
        """A clean block's loop with ``acc``'s rows behind and ahead carried: the
        window filled from ``H`` and ``acc`` at the block's start, ``H`` left as the
        elements that save their rows would have left it."""
        ks = range(n)
        out = [f"{pad}wb{m}_{k} = H[{'0' if ring == 1 else f'(i0 - {m}) % {ring}'}, {k}]"
               for m in range(1, ring + 1) for k in ks]
        out += [f"{pad}wa{m}_{k} = acc[i0 + {m}, {k}]" for m in range(reach) for k in ks]
        out += [f"{pad}g{a}_{m}_{k} = L{a}[i0 + {m}, {k}]" for a, top in spans.items()
                for m in range(top) for k in ks]
        out.append(f"{pad}for i in range(i0, i0 + BLOCK):")
        out += [f"{pad}    {text}" for text in element_clean] + unrolled(pad + "    ", True)
        out += [f"{pad}H[{'0' if ring == 1 else f'(i0 + BLOCK - {m}) % {ring}'}, {k}] = wb{m}_{k}"
                for m in range(1, ring + 1) for k in ks]
        return out
    fast = unrolled if n else (lambda pad: loop(False, pad))
    if n:
        # the rows (kind "r": a scalar dual's partials) loaded once, before the rows'
        # loop: no store of the kernel writes them (they share no memory with acc, the
        # results or H: _fused._kinds), but LLVM cannot know that and loaded each row
        # every element (with acc's row loaded once too, the heat steps' kernels took
        # 0.83-0.91x their time: bench/kernel_ab.py, bench/MISSES.md stop 45)
        lines += [f"    x{j}_{k} = L{j}[{k}]" for k in range(n)
                  for j, kind in enumerate(leaves) if kind == "r"]
    # every factor finite: x - x is 0.0 for a finite x and NaN for inf and NaN, so the
    # sum of those is 0.0 exactly when all are finite (one test and branch an element;
    # the numbers' part is computed once, before the loop)
    # (an array read only by local derivatives needs no test of its own: the
    # derivatives are tested)
    used = sorted({coef[1] for kids in nodes for coef, kid in kids if coef[0] == "a"})
    # (a local derivative written a / b that underflowed beside a nonzero a counts as
    # not finite: _over's two steps keep the bits its product loses)
    checks = [f"(a{j} - a{j})" for j in used] + \
        [f"(e{j} - e{j} + (1.0 if -{_TINY} < e{j} < {_TINY} and n{j} != 0.0 and "
         f"d{j} - d{j} == 0.0 else 0.0))"
         if j in parts else f"(e{j} - e{j})" for j in range(len(local))] + \
        (["finite"] if numbers else [])
    if numbers:
        lines.insert(0, "    finite = " + " + ".join(f"(c{j} - c{j})" for j in range(numbers)))
    if checks:
        # rows in blocks of BLOCK: one loop counts a block's elements with a
        # non-finite factor (or local derivative), a second computes the block
        # without a branch where there is none (with the test and the second copy
        # of the directions in every element's loop, LLVM kept one element per
        # iteration: the heat steps' kernels took 1.15-1.6x their time, python
        # bench/kernel_ab.py); a block that has one, and the rows after the last
        # whole block, test each element as every element did before: the same
        # path per element, so the same bits
        test = " + ".join(c for c in checks if c != "finite")
        checked = [" " * 16 + text for text in element] + \
            [f"                if {' + '.join(checks)} == 0.0:"] + fast(" " * 20) + \
            ["                else:"] + loop(True, " " * 20)
        lines += ["    bad = " + ("finite != 0.0" if numbers else "False"),
                  "    blocks = rows // BLOCK",
                  "    for b in range(blocks):",
                  "        i0 = b * BLOCK"] + prepass(" " * 8, "i0 + BLOCK")
        # a block across a shifted leaf's wrap takes the loop that tests each element
        lines += [f"        d{j} = o{j} if i0 + o{j} < rows else o{j} - rows" for j in shifted]
        across = "".join(f" and not i0 + o{j} < rows <= i0 + BLOCK - 1 + o{j}"
                         for j in shifted)
        if test:
            lines += ["        count = 0", "        for i in range(i0, i0 + BLOCK):"]
            lines += [" " * 12 + text for text in factors]
            lines += [f"            count += {test} != 0.0",
                      f"        if not bad and count == 0{across}:"]
        else:
            lines.append(f"        if not bad{across}:")
        if carry or slide:
            lines += carried_block(" " * 12)
        else:
            lines.append("            for i in range(i0, i0 + BLOCK):")
            lines += [" " * 16 + text for text in clean] + fast(" " * 16)
        lines += ["        else:", "            for i in range(i0, i0 + BLOCK):"] + checked
        if digits:
            lines += ["    i0 = blocks * BLOCK"] + prepass("    ", "rows")
        lines.append("    for i in range(blocks * BLOCK, rows):")
        lines += [text[8:] for text in checked]
    elif digits:                  # in blocks, for the codes' scratch
        lines += ["    for b in range((rows + BLOCK - 1) // BLOCK):",
                  "        i0 = b * BLOCK",
                  "        end = min(i0 + BLOCK, rows)"] + prepass(" " * 8, "end")
        lines.append("        for i in range(i0, end):")
        lines += [" " * 12 + text for text in element] + fast(" " * 12)
    else:
        lines.append("    for i in range(rows):")
        lines += [" " * 8 + text for text in element] + fast(" " * 8)
    lines += [f"    B[{j}] = b{j}" for j in probed]
    return (f'"""A fused-engine kernel, GENERATED by dualgrad.backend._fusedgen '
            f'(generation {GENERATION}).\n\nStructure: {key!r}\n"""\n\n'
            "import numba\nimport numpy as np\n\n"
            "_JIT = dict(cache=True, error_model='numpy', nogil=True)\n"
            f"BLOCK = {BLOCK}\n"
            f"ROOM = {ROOM!r}\n"
            "INF = float('inf')\n\n\n"
            "@numba.njit(**_JIT)\n"
            "def _term(f, q):\n"
            "    return 0.0 if q == 0.0 else f * q\n\n\n"
            "@numba.njit(**_JIT)\n"
            "def _over(f, a, b, q):\n"
            "    if q == 0.0:\n"
            "        return f * q if f - f == 0.0 else 0.0\n"
            f"    if (f - f != 0.0 and f == f or -{_TINY} < f < {_TINY} and a != 0.0) "
            "and a - a == 0.0 and b - b == 0.0 and b != 0.0:\n"
            f"        if -{_TINY} < b < {_TINY}:\n"
            "            if abs(a) >= 1.0:\n"
            f"                return (q * {_LIFT} / (b * {_LIFT})) * a\n"
            f"            return (q * (a * {_LIFT})) / (b * {_LIFT})\n"
            "        return (q / b) * a if abs(a) >= 1.0 else (q * a) / b\n"
            "    return f * q\n\n\n"
            f"@numba.njit(**_JIT)\ndef {name}({', '.join(params)}):\n" +
            "\n".join(lines) + "\n")


def _locals(nodes):
    """``nodes`` with each local derivative's coefficient ``("e", template, refs)``
    as ``("e", m)`` (the kernel's variable ``e<m>``, one per distinct derivative),
    the per-element text of each, and ``{m: (a, b)}``, the texts of the parts of
    those written ``a / b`` (``("e", template, refs, quotient)``, coefficient ``("e",
    m, True)``: variables ``n<m>``, ``d<m>``, read by ``_over`` where ``e<m>`` is not
    finite)."""
    texts, index, out, parts = [], {}, [], {}
    for kids in nodes:
        new = []
        for coef, kid in kids:
            if coef[0] == "e":
                fields = ["" if r is None else f"{r[0]}{r[1]}" for r in coef[2]]
                m = index.get(coef)
                if m is None:
                    m = index[coef] = len(texts)
                    texts.append(coef[1].format(*fields))
                    if len(coef) == 4:
                        parts[m] = tuple(t.format(*fields) for t in coef[3])
                coef = ("e", m, True) if len(coef) == 4 else ("e", m)
            new.append((coef, kid))
        out.append(tuple(new))
    return out, texts, parts


def _picked(picks, pad, value):
    """The stores of a picks kernel for one row: each pick's direction into its
    ``G``, each of its probes' checks counted (``value(k)``: the root's direction ``k``)."""
    out = []
    for j, (s, m, c) in enumerate(picks):
        out.append(f"{pad}G{j}[i] = {value(s)}")
        out += [f"{pad}b{j} += {value(s + 1 + p)} != {f'q{p}' if c else f'Q{j}_{p}[i]'}"
                f" * {value(s)}" for p in range(m)]
        if m:     # a finite direction s from ROOM up: a code times it may overflow
            out.append(f"{pad}b{j} += (abs({value(s)}) >= ROOM) != (abs({value(s)}) == INF)")
    return out


def columns_structure(key, picks):
    """The key of the kernel that evaluates the structure ``key`` and writes only
    chosen directions of its root, each into an array of its own, checking probes:
    ``picks``, a tuple of ``(s, m, computed)``: direction ``s`` and its ``m`` probes,
    arrays or (``computed``) the codes of :func:`codes` (see :func:`source`)."""
    return ("columns", tuple((int(s), int(m), bool(c)) for s, m, c in picks), key)


def compiled():
    """How many kernels this process compiled or loaded."""
    return len(_compiled)


def forget(key):
    """Drop this process's kernel for ``key``."""
    _compiled.pop(key, None)


@contextlib.contextmanager
def vectorizing():
    """Compile inside the block with LLVM's SLP vectorizer on.

    numba turns it off by default (numba PR 8852, 2023: miscompilations reported
    for some code); a kernel's row of ``n`` directions is straight-line code only it
    vectorizes (into operations across the directions).  The kernels compiled
    here are each checked against the eager engine before use
    (:func:`dualgrad.backend._fused._check`).  numba's compiler lock is held, so no
    other compilation sees the setting.
    """
    from numba.core import config
    from numba.core.compiler_lock import global_compiler_lock
    with global_compiler_lock:
        old, config.SLP_VECTORIZE = config.SLP_VECTORIZE, 1
        try:
            yield
        finally:
            config.SLP_VECTORIZE = old


def compiled_kernel(key):
    """The kernel for ``key`` if this process has it, else ``None``."""
    return _compiled.get(key)


def _cache_directory():
    """A writable directory for the kernels' text (numba keeps its cache beside it),
    or ``None`` (also where this module's file changed since this process imported
    it: its kernels' names hash that text, :func:`_name`)."""
    global _directory, _generator
    import hashlib
    import tempfile
    if _directory is None:
        text = _disk.loaded_bytes([Path(__file__)])
        if text is None:                        # not the text this process runs
            _directory, _generator = False, ""
            return None
        _generator = hashlib.sha1(text[0]).hexdigest()[:16]
        base = os.environ.get("NUMBA_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or \
            os.path.join(os.path.expanduser("~"), ".cache")
        path = Path(base) / "dualgrad-fused"
        try:
            path.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path):
                pass
            _directory = path
        except OSError:
            _directory = False
    return _directory or None


def _name(key):
    """The kernel file's name: a hash of the structure, ``GENERATION`` and this
    module's own text as this process imported it (read with the cache directory,
    :func:`_cache_directory`), which alone writes the kernel's text (two versions of
    the generator, in two installs or worktrees sharing the cache directory, never
    write different texts under one name, where each would make numba compile again
    and a process could run the other's kernel)."""
    import hashlib
    _cache_directory()
    return "dualgrad_fused_" + hashlib.sha1(
        repr((GENERATION, _generator, key)).encode()).hexdigest()[:20]


_generator = ""             # the hash of this module's text, read with the directory


def on_disk(key):
    """Has an earlier process written the kernel for ``key`` (and numba most likely
    cached its compiled code beside it)?  Asked once per structure and process (the
    key's hash and a stat were taken on every interpreted graph); a kernel another
    process writes meanwhile is compiled here when due instead of loaded, the same
    kernel."""
    found = _on_disk.get(key)
    if found is None:
        directory = _cache_directory()
        found = _on_disk[key] = \
            directory is not None and (directory / f"{_name(key)}.py").exists()
    return found


_on_disk = {}               # structure -> whether an earlier process wrote its kernel


def kernel(key):
    """The compiled kernel for the structure ``key``: this process's, or a new one
    (loaded from numba's disk cache when an earlier process compiled it)."""
    fn = _compiled.get(key)
    if fn is not None:
        return fn
    import importlib.util
    import tempfile
    name = _name(key)
    text = source(key[2], picks=key[1]) if key[0] == "columns" else source(key)
    directory = _cache_directory()
    module = None
    if directory is not None:
        path = directory / f"{name}.py"
        try:
            if not path.exists() or path.read_text() != text:
                fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
                try:
                    with os.fdopen(fd, "w") as fh:
                        fh.write(text)
                    os.replace(tmp, path)
                except OSError:
                    os.unlink(tmp)              # no temporary left behind
                    raise
            _on_disk[key] = True
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module       # numba's cache finds the module by name
            spec.loader.exec_module(module)
        except (OSError, RuntimeError):
            sys.modules.pop(name, None)
            module = None
    if module is None:                       # no disk: compile in this process only
        namespace = {"__name__": name}
        exec(compile(text.replace("cache=True", "cache=False"), f"<{name}>", "exec"),
             namespace)
        fn = namespace["fused"]
    else:
        from . import _jit          # a broken cache entry is compiled again, never raised
        _jit.fail_closed(module._term)
        _jit.fail_closed(module._over)
        fn = _jit.fail_closed(module.fused)
    _compiled[key] = fn
    return fn
