"""A branch watch that answers some of its records (dg.solve_ivp's coincident
switches, api/_ode_coincident): the dual types return a watch's non-``None`` answer
in place of the ufunc's or comparison's own result.

It lives in the dual wing because the watches find the user's line by walking out
of the frames of NumPy, dispatch and the dual types (api/_quad's ``_THROUGH``): a
stand-in defined elsewhere would hide that line and the record would be dropped.
"""

from __future__ import annotations


class Answering:
    """``watch`` (dg.quad's recorder), each record then offered to ``answer(ufunc,
    inputs, seen, n)`` (``seen[n:]``: the records this call appended), whose result
    (``None``: the ufunc's own) the dual types return."""

    __slots__ = ("watch", "answer")

    def __init__(self, watch, answer):
        self.watch, self.answer = watch, answer

    def __getattr__(self, name):        # (kinks, order ...: the watch's own)
        return getattr(self.watch, name)

    def __call__(self, ufunc, inputs, frame=None, nudge=None):
        seen = self.watch.seen
        n = len(seen) if seen is not None else 0
        self.watch(ufunc, inputs, frame, nudge)
        return None if seen is None else self.answer(ufunc, inputs, seen, n)
