"""``np.einsum``'s stretched axes (attack33, repro_01 / repro_02): NumPy broadcasts a
labelled axis of length 1 against the same label's longer axis in another operand
(``"i,i->"`` of ``(K,)`` and ``(1,)`` is ``sum(a) * b[0]``; ``"...i,...i->..."`` of
``(2, 3)`` and ``(2, 1)`` is ``(a * b).sum(-1)``).  The partials' paths (``matmul``,
``tensordot``, the lean kernels) contract lengths that agree, so such an axis is
taken out first: the operand indexed at 0 there and its letter dropped, which is the
same sum (the stretched operand's one entry multiplies every term)."""

import numpy as np

__all__ = ["unstretched"]


def _axes(part, ndim):
    """``[(letter, axis)]`` of the labelled axes of an operand of ``ndim`` dimensions
    whose subscripts are ``part`` (maybe with an ellipsis), or ``None`` where they do
    not fit (NumPy's own call raises there)."""
    if "..." in part:
        head, tail = part.split("...", 1)
        if len(head) + len(tail) > ndim or "." in tail:
            return None
        return [(c, i) for i, c in enumerate(head)] + \
            [(c, ndim - len(tail) + i) for i, c in enumerate(tail)]
    if len(part) != ndim:
        return None
    return [(c, i) for i, c in enumerate(part)]


def unstretched(args):
    """``args`` (``np.einsum``'s subscripts string and operands) with every stretched
    labelled axis taken out (see the module's docstring), the output subscripts made
    explicit; ``args`` itself where no axis is stretched or the subscripts do not fit
    the operands."""
    spec = args[0].replace(" ", "")
    ops = args[1:]
    inputs, arrow, output = spec.partition("->")
    parts = inputs.split(",")
    if len(parts) != len(ops):
        return args
    labelled = []
    lengths = {}
    for part, op in zip(parts, ops):
        shape = np.shape(op)
        axes = _axes(part, len(shape))
        if axes is None:
            return args
        labelled.append(axes)
        for c, i in axes:
            lengths.setdefault(c, set()).add(shape[i])
    stretched = {c for c, ls in lengths.items() if 1 in ls and len(ls) > 1}
    if not stretched:
        return args
    if not arrow:                       # NumPy's implicit output: the letters met once
        letters = inputs.replace(".", "").replace(",", "")
        output = ("..." if "..." in inputs else "") + \
            "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    new_parts, new_ops = [], []
    for part, op, axes in zip(parts, ops, labelled):
        shape = np.shape(op)
        drop = {c for c, i in axes if c in stretched and shape[i] == 1}
        drop -= {c for c, i in axes if c in drop and shape[i] != 1}
        if drop:
            index = [slice(None)] * len(shape)
            for c, i in axes:
                if c in drop:
                    index[i] = 0
            op = op[tuple(index)]
            part = "".join(c for c in part if c not in drop)
        new_parts.append(part)
        new_ops.append(op)
    return (",".join(new_parts) + "->" + output,) + tuple(new_ops)
