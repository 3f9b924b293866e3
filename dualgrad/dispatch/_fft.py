"""``np.fft`` on dual numbers.

Every discrete Fourier transform is linear, so the partials of a transform are the
transform of the partials: one call on the whole partials array with the value's
axes mapped onto it (the directions axis last, never transformed), ``n``, ``s``
and ``norm`` passed through.  No Python loop over directions.

The real-input transforms (``rfft``, ``ihfft`` and their n-dimensional forms) are
linear over the reals only; partials that are complex (a complex direction, as in
``holomorphic=True``) are transformed as real and imaginary parts.  The
transforms with real output (``irfft``, ``hfft``) are real-linear too: applied to
complex partials they give the derivative of the real output with respect to the
real and imaginary parts of the input (the real-pair convention); having no
complex derivative, they raise under ``holomorphic=True``.
"""

import numpy as np

from ..dual import Dual, make, primal
from ..rules._table import NOT_HOLOMORPHIC

__all__ = ["FFT"]

FFT = {}

# transforms with real output: real-linear, not complex-linear (they read the input as
# the Hermitian half of a spectrum), so holomorphic=True raises on them
NOT_HOLOMORPHIC.update({f: (0,) for f in (np.fft.irfft, np.fft.hfft, np.fft.irfft2,
                                          np.fft.irfftn)})

# transforms that read only the real part of their input
_REAL_INPUT = {np.fft.rfft, np.fft.ihfft, np.fft.rfft2, np.fft.rfftn}


def _complex(p):
    return np.iscomplexobj(primal(p))


def _apply(func, p, **kwargs):
    """``func(p, **kwargs)``, split into real and imaginary parts where ``func``
    would drop the imaginary part of complex partials."""
    if func in _REAL_INPUT and _complex(p):
        return func(np.real(p), **kwargs) + 1j * func(np.imag(p), **kwargs)
    return func(p, **kwargs)


def _stacked(func, a):
    """``func`` (``fft`` or ``ifft``) of a 1-D complex128 array dual ``a`` whose
    partials are a complex128 ndarray, in one call: the value and each direction's
    partials are rows of one array, transformed along its last axis (NumPy's wrapper
    costs more than a transform of a few hundred points; the partials' own transform
    along their first axis is a strided one).  The same 1-D transforms, so the same
    numbers as :func:`_one_axis`'s two calls; the partials come back as a view of
    the rows, directions last.  ``None`` for anything else."""
    v, p = a.value, a._p
    if type(v) is not np.ndarray or type(p) is not np.ndarray or v.ndim != 1 or \
            v.dtype != np.complex128 or p.dtype != np.complex128 or p.ndim != 2:
        return None
    rows = np.empty((p.shape[1] + 1, v.shape[0]), dtype=np.complex128)
    rows[0] = v
    rows[1:] = p.T
    done = func(rows)
    return make(done[0], done[1:].T, a.tag)


def _one_axis(func):
    stacked = func is np.fft.fft or func is np.fft.ifft

    def impl(a, n=None, axis=-1, norm=None, out=None):
        if not isinstance(a, Dual):
            return func(a, n=n, axis=axis, norm=norm)
        if stacked and n is None and norm is None and (axis == -1 or axis == 0) and \
                a._kind == "array":
            result = _stacked(func, a)
            if result is not None:
                return result
        ax = axis % a.ndim if a.ndim else axis       # a 0-d input: NumPy raises below
        value = func(a.value, n=n, axis=axis, norm=norm)
        return make(value, _apply(func, a.partials, n=n, axis=ax, norm=norm), a.tag)
    impl.__name__ = func.__name__
    return impl


def _many_axes(func, default_axes):
    def impl(a, s=None, axes=default_axes, norm=None, out=None):
        if not isinstance(a, Dual):
            return func(a, s=s, axes=axes, norm=norm)
        ndim = a.ndim
        if axes is None:                     # NumPy: the last len(s) axes, or all of them
            axes = tuple(range(ndim - len(s), ndim)) if s is not None else \
                tuple(range(ndim))
        value = func(a.value, s=s, axes=axes, norm=norm)
        mapped = tuple(ax % ndim for ax in axes)
        return make(value, _apply(func, a.partials, s=s, axes=mapped, norm=norm), a.tag)
    impl.__name__ = func.__name__
    return impl


def _shift(func):
    def impl(x, axes=None):
        if not isinstance(x, Dual):
            return func(x, axes=axes)
        ndim = x.ndim
        if axes is None:
            axes = tuple(range(ndim))
        elif isinstance(axes, (int, np.integer)):
            axes = (axes,)
        mapped = tuple(ax % ndim for ax in axes)
        return make(func(x.value, axes=axes), func(x.partials, axes=mapped), x.tag)
    impl.__name__ = func.__name__
    return impl


for _f in (np.fft.fft, np.fft.ifft, np.fft.rfft, np.fft.irfft, np.fft.hfft, np.fft.ihfft):
    FFT[_f] = _one_axis(_f)
for _f in (np.fft.fft2, np.fft.ifft2, np.fft.rfft2, np.fft.irfft2):
    FFT[_f] = _many_axes(_f, (-2, -1))
for _f in (np.fft.fftn, np.fft.ifftn, np.fft.rfftn, np.fft.irfftn):
    FFT[_f] = _many_axes(_f, None)
for _f in (np.fft.fftshift, np.fft.ifftshift):
    FFT[_f] = _shift(_f)
