"""The backend door: the one way into propagation, reduction and allocation of partials.

Dispatch (the ufunc, function, linalg and reduction handlers) does every operation
on a dual's partials array through the names below and nothing else: it imports no
numba kernel, no buffer pool and allocates no partials with NumPy itself.  Behind
the door, the engine (numba kernels or NumPy calls) is chosen per call in one place,
``_kernels._wanted`` (sizes measured in ``bench/bench_engine.py``; ``small``, in
``_propagate`` beside ``combine_small``, reads the same sizes; until the kernels'
work pays for loading numba, ``_loader`` keeps it on NumPy), and the pool
decides where large results live.  A second engine plugs in there, not in dispatch.

Partials are arrays of shape ``value shape + (n,)`` (``n`` directions), or the
partials of a nested dual, which the NumPy paths handle as they are.

Propagation
    ``combine(factors, partials, shape, n, scratch=None)``
        ``sum_k factors[k][..., None] * partials[k]``, shape ``shape + (n,)``.
    ``small(work)``, ``combine_small(factors, partials, target)``
        whether ``work`` partials elements are small enough that NumPy propagates them
        whatever the rule; then :func:`combine` in plain NumPy calls, or ``None`` when
        a factor is not finite (the caller falls back to :func:`combine`).
    ``lean_work(work, shape)``, ``LEAN_WORK``, ``LEAN_FLAT``, ``LEAN_ROWS``
        whether dispatch's lean path may propagate ``work`` partials elements of values
        of ``shape``: below ``small``'s size, and for 1-D values on up to ``LEAN_WORK``
        (``LEAN_FLAT``: one direction; any size for a number of directions in
        ``LEAN_ROWS``) where the fused engine does not defer the work (its operations
        round as the general path's, kernels or NumPy).
    ``SMALL_BELOW``
        ``[w]``: ``lean_work`` admits any work below ``w`` partials elements (``small``'s
        size while the engine is automatic, 0 while ``use`` forces one), kept current
        by ``use``: a caller that tests it first saves the call at small sizes.
    ``scaled_small(f, p)``, ``pair_small(f, p, g, q)``
        :func:`combine_small` for one or two float64 array factors of the value's
        shape and partials of one shape (dispatch's lean path), or ``None``; for
        1-D values one kernel call once numba is loaded.
    ``scaled_kernel(f, p)``, ``pair_kernel(f, p, g, q)``
        that kernel call alone, or ``NotImplemented`` where none runs (no NumPy call,
        so no floating-point reports: the caller may skip its hush).
    ``entry_cell(ufunc)``, ``small_empty(shape)``
        the cell ``[entry]`` of the lean path's compiled entry point for a unary rule's
        partials on small 1-D values (``ufunc`` ``None``: the factor given, ``np.sin``'s
        ``np.cos(x)``; else a ``fusable`` rule's, its factor evaluated in the loop, or a
        row of ``rules._table.entry_form``'s, its factor evaluated from NumPy's parts:
        ``np.tanh``'s from ``x`` and ``np.cosh(x)``), which dispatch calls itself,
        without numba's dispatcher or a Python call of the backend, once
        ``scaled_kernel`` / ``local_kernel`` / ``entry_made`` made it (``None`` before,
        ``False`` for none); the result allocated by ``small_empty`` (NumPy's, below the
        pool's size).
    ``entry_made(cell, ufunc)``
        that cell's entry point, made now if it holds none (numba loaded), or ``False``.
    ``loop_cell(ufunc)``, ``loop_made(cell, ufunc, part, negate)``, ``split_loops_made(cell, ufunc)``,
    ``value_loops_made(cell, ufunc)``
        the cell ``[entry, loops]`` of a unary rule's value, factor (``part(x)``, NumPy's
        own loops called from compiled code) and partials in one compiled call on
        small 1-D values (``np.sin``: small71), and its maker (numba loaded);
        ``split_loops_made`` the maker of a split row's (``np.tanh``'s value and
        ``np.cosh(x)``, ``sc.erf``'s ``np.exp(-x * x)``: small72) in the same cell;
        ``value_loops_made(cell, ufunc)`` a fusable row's (``np.log``'s value by NumPy's
        loop, then the row's own loop of the partials: small74).
    ``POWER_LOOPS``, ``power_loops_made()``
        the same for ``u ** v`` of two array duals: the cell ``[entry, loops]`` of the
        value, the power row's NumPy parts and the partials in one call, and its maker.
    ``NUMBER_LOOPS``, ``number_loops_made()``
        the same for ``u ** c`` of a number ``c``: ``[entry, np.power's table,
        np.reciprocal's, np.sqrt's]``, and its maker.
    ``EXPONENT_LOOPS``, ``exponent_loops_made()``, ``BASE_LOOPS``, ``base_loops_made()``
        the same for ``u ** k`` / ``t ** k`` of a scalar dual ``k`` and for ``k ** u`` /
        ``2.0 ** u``: ``[entry, its table]`` (np.power with a 0-d exponent or base,
        np.log), and their makers (small72).
    ``cube_kernel(x, p)``, ``CUBE``
        the partials of ``u ** 3`` (its factor ``3.0 * (x * x)`` evaluated in the loop)
        for small 1-D values in one call of a compiled entry point, or ``None`` (a
        factor not finite) or ``NotImplemented`` (as ``scaled_kernel``); the cell
        ``[entry]`` that dispatch calls itself once ``cube_kernel`` made it, as
        ``entry_cell``'s.
    ``power_pair_kernel(x, y, out, w, v, p, q)``, ``POWER_PAIR``
        the partials of ``u ** v`` of two array duals on small 1-D values from the power
        row's regular factors (NumPy's ``w = x ** (y - 1.0)`` and ``v = np.log(x)``
        given), with that row's tests for them, in one call of a compiled entry point,
        or ``None`` (the kernel declined: the caller's general path) or
        ``NotImplemented``; the cell ``[entry]``, as ``CUBE``.
    ``power_scale_entry()``, ``POWER_SCALE``
        the compiled entry point of ``u ** y`` (a number ``y``) on small 1-D values: the
        factor's products, False where it is not finite or underflowed beside a nonzero
        base; made on first use and kept in the cell ``[entry]`` that dispatch calls.
    ``power_number_entry()``, ``POWER_NUMBER``
        the same from the power row's regular branch's NumPy part ``w = x ** (y - 1.0)``:
        the factor (the table's generated ``regular_power_x``), its tests and products in
        one call, False where a base or ``y`` is zero or the factor is not finite or
        underflowed; made on first use and kept in the cell ``[entry]`` that dispatch
        calls.
    ``power_mixed_entry(base)``, ``POWER_MIXED``
        the compiled entry points of a scalar's power with small 1-D values (``u ** k``,
        ``t ** k``: the exponent a float, ``base`` 0; ``k ** u``, ``2.0 ** u``: the base,
        1), the regular factors' products, tests and partials in one call; made on
        first use and kept in the cells ``[exponent's, base's]`` that dispatch calls.
    ``outer_row_entry()``, ``OUTER_ROW``
        the compiled entry point of a plain 1-D array's factor times a scalar dual's
        row (``k * t``, ``t / k``): the products, False where a factor or their sum is
        not finite; made on first use and kept in the cell ``[entry]`` that dispatch
        calls.
    ``const_entry(ufunc, k)``, ``CONST``
        the compiled entry point of a scalar dual at argument ``k`` beside a plain 1-D
        array (``np.arctan2(t, k)``, ``t / k``: the table's factor per element and its
        products by the row), False where the lean path's NumPy steps would not give
        those products; made on first use and kept in ``CONST[ufunc, k]`` (False: a
        pair without one).
    ``fusable(rule)``, ``local_kernel(ufunc, x, out, p)``, ``local_kernel2(ufunc, x, y,
    out, p, q)``
        whether a rule's local derivatives are arithmetic that kernels evaluate; then
        the lean path's one kernel call that evaluates, tests and multiplies them in,
        or ``NotImplemented`` where none runs (as ``scaled_kernel``).
    ``outer_small(c, p, g, q)``
        ``c * p + g[:, None] * q`` (a scalar dual's partials ``q``) for the lean path of
        a scalar dual with an array dual, one kernel call once numba is loaded; ``None``
        for a factor that is not finite, ``NotImplemented`` where no kernel runs.
    ``lean_sum(ufunc, p, q=None)``
        ``p + q``, ``p - q`` or ``-p`` (``ufunc``: np.add, np.subtract, np.negative) for
        the lean path of ``a + b``, ``a - b``, ``-a``; large results in pooled buffers.
    ``EXACT``, ``exact1(ufunc, x, p)``, ``exact2(ufunc, x, y, p, q)``, ``exact_number(ufunc,
    k, x, c, p)``, ``exact_row(ufunc, k, c, row, x, p)``
        the ufuncs whose value a kernel rounds as NumPy does (``+ - * /``, ``np.square``,
        ``np.negative``); then ``(value, partials)`` of array duals of small 1-D float64
        values (of more axes too, read flat, for ``EXACT_FLAT``'s ufuncs ``* / np.square``)
        and a float ``c`` at argument ``1 - k`` (``exact_row``: a scalar dual at argument
        ``k``, its value the float ``c``, its partials the 1-D ``row``; ``exact_plain(ufunc,
        k, x, y, p)``: a plain 1-D float64 array ``y`` at argument ``k``), in one kernel
        call, or ``None`` where none runs or it declines (a factor that is not finite, a
        value NumPy would report on): the caller's NumPy path runs.
    ``exact_cell(key)``
        the cell ``[kernel]`` of ``exact2``/``exact1``'s kernel (``key`` the ufunc) or
        ``exact_number``'s (``(ufunc, k)``), filled when they make it, for the operators
        to call it without a Python call between (1-D values, 2-D partials, work under
        ``SMALL_BELOW[0]``).
    ``scaled(f, p, owned=True)``
        ``f[..., None] * p``; a zero partial stays 0 where ``f`` is inf or NaN.
    ``local(rule, values, out, duals, partials)``
        a rule's local derivatives fused with their propagation in one loop, or
        ``None`` when no engine fuses this rule at this size (the caller then
        evaluates the derivatives and calls :func:`combine`).
    ``where(cond, p, q, target)``
        ``np.where(cond[..., None], p, q)`` as partials of shape ``target``.
    ``bincount(x, p, length)``
        the partials of ``np.bincount(x, weights)`` (``p``: the weights' ``(N, n)``
        partials) in one kernel pass, NumPy's sums per direction, or ``None``.
    ``match_places(got, out, axis)``
        the places along ``axis`` that take ``got`` to ``out`` bit for bit (lines
        holding the same bit patterns) in one kernel pass, or ``None``.
    ``clip_between(v, lo, hi, p)``
        the partials of ``np.clip(v, lo, hi)`` between two numbers in one kernel pass
        (zeros beyond a bound, ``p``'s rows inside), or ``None`` where none runs or an
        element ties with a bound (the caller's path then).
    ``triangle(v, p, k, upper)``
        ``(np.tril(v, k), its partials)`` (``np.triu`` when ``upper``) in one kernel
        pass, or ``None``.
    ``join(parts, outer, out)``
        float64 partials joined along an inner value axis into ``out`` in one kernel
        pass (each seen as ``(outer, width)``), or ``False``.
    ``matvec(a, p, v, q)``
        the partials of ``a @ v`` (a 2-D and a 1-D float64 value, finite; ``p`` or
        ``q`` ``None`` for a constant), ``(rows, n)``, in one kernel pass (four
        directions), or ``None``: the caller's BLAS products run.
    ``matvec_checked(a, p, v, q)``, ``dot4(a, p, b, q)``
        ``matvec`` of operands whose layouts the caller checked (C-contiguous float64,
        four directions), and the same for two 1-D values (a ``(4,)`` row).
    ``correlation(p, w, r, s)``
        ``p * w[..., None] - r[..., None] * (s[:, None, :] + s[None, :, :])`` (the
        partials of ``np.corrcoef``'s normalisation) in one kernel pass, or ``None``.
    ``swap_shifted(p)``
        ``np.swapaxes(p, 0, 1) - p[:, 0]`` for ``(rows, cols, n)`` float64 partials,
        C-contiguous, by a kernel, or ``None``.
    ``symmetric_sum(g, s)``
        ``(g + g^T) * s`` in place for ``(m, m, n)`` float64 partials (the first
        two axes swapped), by a kernel: ``True``, or ``False`` with nothing written.
    ``outer(a, p, b, q)``
        the partials of ``np.outer(a, b)`` (``p`` or ``q`` ``None`` for a constant).
    ``cross(a, p, b, q)``
        the partials of ``np.cross(a, b)`` of 3-vectors of one shape, in one pass.
    ``rank2(u, a, v, b)``
        ``u[:, None] * a + v[:, None] * b`` (``linspace`` of scalar ends).
    ``convolve(p, w)``
        the full convolution of each column of ``L x n`` partials with constant taps.
    ``gradient(p, ax, h, edge_order)``
        ``np.gradient`` of float64 partials along value axis ``ax`` with the uniform
        spacing ``h``, NumPy's bits, in one kernel pass into a pooled array, or ``None``.
    ``running_product(v, c, p, ax, steps=True)``
        the partials of ``c = np.cumprod(v, axis=ax)``, step by step in one pass (exact
        to rounding with zero factors and running products or partials out of range;
        NumPy's engine: the steps on (mantissa, exponent) pairs, ``None`` if not
        ``steps``), or ``None``.
    ``rows(p)``, ``from_rows(r, like)``
        partials seen as one opaque item of ``n`` partials per element (for gathers),
        or ``None``; and back.
    ``take(p, indices, axis, mode)``, ``take_along(p, indices, axis)``
        ``np.take`` / ``np.take_along_axis`` of plain partials over a value axis, the
        indices already checked on the value (one ``np.take`` of the rows), or ``None``.
Reduction
    ``sum_partials(p, axes, keepdims)``: a sum over value axes, each direction
    rounded as ``np.add.reduce`` rounds it alone (pairwise; ``_sums``): the same
    bits whatever the number of directions (``chunk``) and the engine.
    ``sum_small(v, p)``: ``[value, partials...]`` of the whole sum of a small dual of
    1-D values in one kernel call (the same bits), or ``None`` where none runs.
    ``weighted_sum(w, p, axes, finite=False)``: ``np.sum(w[..., None] * p,
    axis=axes)`` in one contraction (BLAS: its rounding depends on ``n``), or ``None``
    (nested duals, non-finite weights: the caller's elementwise path runs);
    ``finite=True`` where the caller knows ``w`` finite (no pass to test it).
    ``finite(a)``: are all entries of a plain array or number finite (one pass)?
    ``hush_enter()`` / ``hush_leave(token)``: NumPy's reports hushed around a
    derivative's own products outside NumPy's default state (``_hush``; the products'
    helpers above take them themselves: an underflowing partial is not f's report).
Allocation
    ``empty(shape)``: uninitialised float64 partials (a pooled buffer: inside a scope
    from the helpers' pool, outside from a small bounded one).
    ``zeros(shape, dtype=float, like=None)``, ``zeros_like(p, shape=None)``: zeros.
    ``zeros_readonly(shape)``: read-only float64 zeros taking no memory (a broadcast
    zero), for results NumPy makes read-only (``np.imag`` of a real array).
    ``copy(p)``: a copy (pooled when large).  ``like(p)``: a pooled buffer shaped like
    ``p``, or ``None``.  ``pooled(base)``: 1 when the pool holds ``base``.
Scope
    ``scope()``: ``with scope():`` the pool serves and the fused engine defers while
    the block runs (a helper's evaluation of ``f``); the pool is dropped and every
    deferred expression materialized when the outermost scope ends.
    ``open_scope()`` / ``close_scope()``: the same as two calls (in ``try``/``finally``),
    for the one-pass helper.
Fused engine (``_fused``: its module docstring states the safety invariant)
    ``FUSING``: ``[defer now?, from how many partials elements]``.
    ``defer(factors, partials, shape, n)``:
    ``combine``'s sum as a ``Deferred`` (or ``None``: the caller propagates now);
    a factor may be a ``Local(template, args)``: a local derivative of ``+ - * /``
    that the kernel computes per element from the values ``args``;
    ``defer_seed(shape, n, columns)``: seed partials (unit or factor-scaled
    directions) as a ``Deferred`` over unit rows; ``dense_seed(p)``: the seed
    partials ``p`` were written dense because numba was not loaded (a structure
    over them is not compiled);
    ``fused_columns(d, picks, probes)``: chosen directions of the pending ``d``,
    each into an array of its own, and probe checks, in one kernel pass, or ``None``;
    ``probe_codes(size, count)``: elementwise_grad's probe codes, arrays that a
    kernel computes from the row index where they are a factor or a pick's probes;
    ``defer_roll(p, shape, n, shift)``: ``np.roll``'s rows, deferred;
    ``defer_diff(p, order)``: ``np.diff`` along the first value axis, deferred.
    ``defer_convolve(p, w, start, rows)``: rows of the full convolution of ``L x n``
        partials with finite taps that every tap reaches, deferred.
    ``defer_gradient(p, ax, h, edge_order)``: ``np.gradient`` of concrete partials with
        a float spacing, deferred; ``gradient_twice(d, ax, h, edge_order)``: the
        gradient of such a pending ``d`` along its axis in one pass over its partials
        (the bits of the two calls), ``d`` left pending, or ``None``.
    ``add_into(value, target, d, sign, keep=True)``: ``target += sign * d`` in the pass
    that computes the deferred ``d`` (``keep=False``: without writing ``d``, which the
    caller drops), or ``False``.  ``write_into(p, into)``: partials (a pending ``p``
    computed by its kernel, and left pending) written into a part of a new array.  ``concrete(p)``: a deferred ``p`` computed.  ``before_write()``: called by every
    path that writes into an existing dual's arrays.  ``read_partials(dual, frame)``:
    what the ``partials`` property returns.  ``engine(name)``: the public switch.
Generated code
    ``compiled_code(source, filename)``: ``compile(source, filename, "exec")``, kept on
    disk by the source's hash between processes (``_disk``); ``read_blob(key)`` /
    ``write_blob(key, payload)``: other bytes kept there under a caller's key (the
    scalar classes' generated source).
Engine
    ``kernels_loaded()``: has this process loaded numba (the kernels' engine)?
    ``kernels_at_call()``: the same, as a transform's call begins (numba is loaded
    first when a graph over an earlier call's dense seed asked for it);
    ``use(mode)``: ``with use("numba")`` / ``use("numpy")`` forces one engine (tests).
    ``use_pool(enabled)``: ``with use_pool(False)`` turns the pool off.
"""

from ._buffers import copy, empty, like, pooled, zeros, zeros_like, zeros_readonly
from ._fused import ACTIVE as FUSING
from ._fused import (PENDING, Deferred, Local, add_into, before_write, close_scope, concrete,
                     defer, engine, open_scope, same_view, scope, write_into)
from ._fused import read as read_partials
from ._fused import diff as defer_diff
from ._fused import seed as defer_seed
from ._fused import dense_seed
from ._fused import columns as fused_columns
from ._fused import probe_codes
from ._fused import roll as defer_roll
from ._fused import convolve as defer_convolve
from ._fused import gradient as defer_gradient
from ._fused import gradient_twice, gradient_pending
from ._buffers import use as use_pool
from ._disk import compiled as compiled_code
from ._disk import loaded_bytes, read_blob, write_blob
from ._kernels import (SMALL_BELOW, bincount, clip_between, match_places, correlation, dot4, fusable,
                       gradient, local, loops_entry, value_loops_entry, matvec,
                       matvec_checked, sparse_dual, swap_shifted,
                       symmetric_sum, use)
from ._hush import KEEP as HUSH_KEEP, LAST as HUSH_LAST
from ._hush import enter as hush_enter, leave as hush_leave
from ._loader import loaded as kernels_loaded
from ._loader import at_call as kernels_at_call
from ._propagate import (EXACT, EXACT_FLAT, combine, combine_complex, combine_small, complex_term,
                         complex_parts,
                         convolve,
                         cross, CUBE, cube_kernel, POWER_PAIR, power_pair_kernel, POWER_MIXED,
                         power_mixed_entry, POWER_SCALE, power_scale_entry, POWER_NUMBER,
                         power_number_entry, OUTER_ROW, outer_row_entry, CONST, const_entry, const_loops_made,
                         entry_cell, entry_made, loop_cell, loop_made, split_loops_made, value_loops_made, POWER_LOOPS, power_loops_made, NUMBER_LOOPS, number_loops_made, EXPONENT_LOOPS, exponent_loops_made, BASE_LOOPS, base_loops_made, exact1, exact2, exact_number, exact_row, exact_plain,
                         exact_cell, finite, from_rows, halved,
                         join, lean_sum, small_empty,
                         lean_work, LEAN_FLAT, LEAN_ROWS, LEAN_WORK, local_kernel, local_kernel2,
                         outer, outer_small, pair_kernel, pair_small, rank2, rows,
                         running_product, scaled,
                         scaled_kernel, scaled_small, small, take, take_along, triangle,
                         weighted_sum, where)
from ._sums import sum_partials, sum_small

__all__ = [
    # propagation
    "combine", "combine_complex", "complex_term", "complex_parts", "combine_small", "scaled_small", "pair_small", "scaled_kernel",
    "pair_kernel", "outer_small", "cube_kernel", "CUBE", "power_pair_kernel", "POWER_PAIR",
    "power_mixed_entry", "POWER_MIXED", "power_scale_entry", "POWER_SCALE",
    "power_number_entry", "POWER_NUMBER", "outer_row_entry", "OUTER_ROW", "const_entry", "const_loops_made", "CONST",
    "local_kernel", "local_kernel2", "entry_cell", "entry_made", "loop_cell", "loop_made", "split_loops_made", "value_loops_made", "POWER_LOOPS", "power_loops_made", "NUMBER_LOOPS", "number_loops_made", "EXPONENT_LOOPS", "exponent_loops_made", "BASE_LOOPS", "base_loops_made", "small_empty", "lean_sum", "EXACT",
    "EXACT_FLAT", "exact1", "exact2",
    "exact_number", "exact_row", "exact_plain", "exact_cell",
    "fusable", "loops_entry", "value_loops_entry",
    "small", "lean_work", "SMALL_BELOW", "LEAN_WORK", "LEAN_FLAT", "LEAN_ROWS", "scaled", "local", "where",
    "clip_between", "match_places", "bincount", "matvec", "matvec_checked", "dot4", "sparse_dual", "correlation", "swap_shifted", "symmetric_sum", "outer",
    "cross", "rank2", "rows", "from_rows", "take", "take_along", "triangle", "join", "running_product", "convolve", "gradient", "finite", "halved",
    # reduction
    "sum_partials", "sum_small", "weighted_sum",
    # NumPy's reports hushed around the partials' products outside its default state
    "hush_enter", "hush_leave", "HUSH_KEEP", "HUSH_LAST",
    # allocation and pooling
    "empty", "zeros", "zeros_like", "zeros_readonly", "copy", "like", "pooled", "scope",
    "open_scope", "close_scope", "use", "use_pool",
    # the fused engine
    "engine", "FUSING", "PENDING", "Deferred", "Local", "defer", "defer_roll", "defer_diff", "defer_convolve",
    "defer_gradient", "gradient_twice", "gradient_pending",
    "add_into", "write_into", "concrete", "before_write", "same_view", "kernels_loaded", "kernels_at_call",
    "defer_seed", "dense_seed",
    "fused_columns", "probe_codes", "read_partials",
    # generated code
    "compiled_code", "read_blob", "write_blob"]
