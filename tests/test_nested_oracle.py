"""Second derivatives through every registered NumPy function, every argument a dual.

A dispatch implementation that takes a derivative factor from ``primal(x)`` (a value
stripped of its dual levels) keeps first derivatives exact but silently drops terms of
the second.  Each case below makes *every* differentiable argument depend on ``x``; the
Hessian of ``sum(w * f(x))`` (``w`` fixed random weights; complex outputs: real and
imaginary parts apart) and ``jacobian(gradient)`` are checked against central
differences of the exact first derivative, and against ``jax.hessian`` (x64) where jax
has the function.  A test walks the registries so that a new function needs a case.
"""

import os

import numpy as np
import pytest

import dualgrad as dg
from _oracles import central
from dualgrad.dispatch._fft import FFT
from dualgrad.dispatch._functions import HANDLED, function_name
from dualgrad.dispatch._linalg import LINALG

rng = np.random.default_rng(7)
X = rng.uniform(0.5, 1.5, (3, 4))
M = rng.standard_normal((4, 4)) + 4 * np.eye(4)
SPD = M @ M.T
NAN = np.where(X > 1.2, np.nan, 1.0)
XP = np.array([0.0, 0.7, 1.1, 2.0])


def _windows(a):
    from numpy.lib.stride_tricks import sliding_window_view
    return sliding_window_view(a, (2, 3))


def _spd(xp, x):
    return SPD + x.T @ x


# "np.name" or "np.name:variant" -> f(xp, x), xp the array namespace (numpy or jax.numpy)
CASES = {
    # structure: linear maps of their dual arguments (nested: duals of duals)
    "np.append": lambda xp, x: xp.append(x[0], x[1] ** 2),
    "np.array_split": lambda xp, x: xp.array_split(x ** 2, 3, axis=1)[1],
    "np.atleast_1d": lambda xp, x: xp.atleast_1d(x[0, 0] * x[1, 1]),
    "np.atleast_2d": lambda xp, x: xp.atleast_2d(x[0] * x[1]),
    "np.atleast_3d": lambda xp, x: xp.atleast_3d(x * x),
    "np.broadcast_arrays": lambda xp, x: xp.broadcast_arrays(x[:, :1] ** 2, x[0])[0] * x,
    "np.broadcast_to": lambda xp, x: xp.broadcast_to(x[0] ** 2, (2, 4)) * x[:2],
    "np.column_stack": lambda xp, x: xp.column_stack([x[0] ** 2, x[1]]) * x[2, :2],
    "np.concatenate": lambda xp, x: xp.concatenate([x, x ** 2], axis=0) * x[0],
    "np.copy": lambda xp, x: xp.copy(x ** 2) * x,
    "np.delete": lambda xp, x: xp.delete(x ** 2, 1, axis=1) * x[:, :3],
    "np.diag": lambda xp, x: xp.diag(x[0] ** 2) @ x[1],
    "np.diagonal": lambda xp, x: xp.diagonal(x * x) * x[0, :3],
    "np.dsplit": lambda xp, x: xp.dsplit((x * x)[..., None], 1)[0][..., 0] * x,
    "np.expand_dims": lambda xp, x: xp.expand_dims(x ** 2, 1) * x[None],
    "np.flip": lambda xp, x: xp.flip(x ** 2, axis=1) * x,
    "np.fliplr": lambda xp, x: xp.fliplr(x ** 2) * x,
    "np.flipud": lambda xp, x: xp.flipud(x ** 2) * x,
    "np.full_like": lambda xp, x: xp.full_like(x, 2.0) * x * x,
    "np.hsplit": lambda xp, x: xp.hsplit(x ** 2, 2)[0] * x[:, 2:],
    "np.hstack": lambda xp, x: xp.hstack([x[0] ** 2, x[1]]) * x[2, 0],
    "np.imag": lambda xp, x: xp.imag(x * (1 + 2j) * x[0]),
    "np.matrix_transpose": lambda xp, x: xp.matrix_transpose(x ** 2) @ x,
    # refuse41
    "np.choose": lambda xp, x: xp.choose(xp.asarray([[0, 1, 2, 0]]), [x ** 2, x[0] * x[1],
                                                                       xp.sin(x)]) * x,
    "np.extract": lambda xp, x: xp.extract(X > 1.0, x ** 2) * xp.extract(X > 1.0, x),
    "np.unstack": lambda xp, x: xp.unstack(x ** 2, axis=1)[2] * x[:, 0],
    "np.logspace": lambda xp, x: xp.logspace(x[0, 0], x[1, 1] ** 2, 4) * x[2],
    "np.geomspace": lambda xp, x: xp.geomspace(x[0, 0], x[1, 1] ** 2 + 1.0, 4) * x[2],
    "np.linalg.trace": lambda xp, x: xp.linalg.trace(x[:, :3] * x[:, 1:]) * x,
    "np.linalg.diagonal": lambda xp, x: xp.linalg.diagonal(x ** 2, offset=1) * x[0, :3],
    "np.linalg.matrix_transpose": lambda xp, x: xp.linalg.matrix_transpose(x ** 2) @ x,
    "np.lib.stride_tricks.sliding_window_view": lambda xp, x: _windows(x ** 2).prod(axis=-1),
    "np.interp:knots": lambda xp, x: xp.interp(xp.asarray([0.2, 1.2, 2.5]), xp.cumsum(x[0]),
                                                 x[1] ** 2),
    "np.cov:aweights": lambda xp, x: xp.cov(x, aweights=x[0] ** 2),
    "np.meshgrid": lambda xp, x: xp.stack(xp.meshgrid(x[0] ** 2, x[1, :2] * x[2, :2])),
    "np.moveaxis": lambda xp, x: xp.moveaxis((x * x)[None], 0, -1)[..., 0] * x,
    "np.ones_like": lambda xp, x: xp.ones_like(x) * x ** 3,
    "np.pad": lambda xp, x: xp.pad(x ** 2, ((1, 0), (0, 2)), mode="reflect") ** 2,
    "np.ravel": lambda xp, x: xp.ravel(x ** 2) * xp.ravel(x),
    "np.real": lambda xp, x: xp.real(x * (1 + 2j) * x[0]),
    "np.real_if_close": lambda xp, x: xp.real_if_close(x * (1 + 0j)) * x,
    "np.repeat": lambda xp, x: xp.repeat(x[0] ** 2, 2) * xp.repeat(x[1], 2),
    "np.reshape": lambda xp, x: xp.reshape(x ** 2, (2, 6)) * xp.reshape(x, (2, 6)),
    "np.resize": lambda xp, x: xp.resize(x[0] ** 2, (2, 3)) * x[1:, :3],
    "np.roll": lambda xp, x: xp.roll(x ** 2, 2) * x,
    "np.rollaxis": lambda xp, x: xp.rollaxis(x ** 2, 1) * x.T,
    "np.rot90": lambda xp, x: xp.rot90(x ** 2) * x.T,
    "np.split": lambda xp, x: xp.split(x ** 2, 2, axis=1)[1] * x[:, :2],
    "np.squeeze": lambda xp, x: xp.squeeze((x * x)[None, :, :1]) * x[:, 0],
    "np.stack": lambda xp, x: xp.stack([x[0] ** 2, x[1] * x[2]], axis=1) * x[0, :, None],
    "np.swapaxes": lambda xp, x: xp.swapaxes(x ** 2, 0, 1) * x.T,
    "np.take": lambda xp, x: xp.take(x ** 2, xp.array([3, 0, 0]), axis=1) * x[:, :3],
    "np.compress": lambda xp, x: xp.compress([True, False, True, True], x ** 2, axis=1) *
    x[:, :3],
    "np.take_along_axis": lambda xp, x: xp.take_along_axis(
        x ** 2, xp.asarray(np.argsort(X, axis=1)), axis=1) * x,
    "np.tile": lambda xp, x: xp.tile(x[0] ** 2, 2) * xp.tile(x[1], 2),
    "np.trace": lambda xp, x: xp.trace(x * x) * x[0],
    "np.transpose": lambda xp, x: xp.transpose(x ** 2) @ x,
    "np.tril": lambda xp, x: xp.tril(x ** 2) * x,
    "np.triu": lambda xp, x: xp.triu(x ** 2, 1) * x,
    "np.vsplit": lambda xp, x: xp.vsplit(x ** 2, 3)[2] * x[0],
    "np.vstack": lambda xp, x: xp.vstack([x[0] ** 2, x[1] * x[2]]) * x[0],
    "np.zeros_like": lambda xp, x: xp.zeros_like(x) + x ** 3,
    "np.empty_like": lambda xp, x: xp.empty_like(x) * 0.0 + x ** 3,
    # selection: both branches, bounds and the clipped operand all duals
    "np.where": lambda xp, x: xp.where(X > 1.0, x ** 2, xp.sin(x) * x[0]),
    "np.select": lambda xp, x: xp.select([X < 0.8, X > 1.2], [x ** 2, xp.sin(x)],
                                         default=x ** 3),
    "np.piecewise": lambda xp, x: xp.piecewise(x, [X < 0.8, X > 1.2],
                                               [lambda t: t ** 3, xp.sin, lambda t: t * t]),
    "np.clip": lambda xp, x: xp.clip(x * x, x[0] * 0.9, x[1] ** 2 * 0.8 + 0.3),
    "np.clip:constant": lambda xp, x: xp.clip(x * x, 0.8, 1.6) * x,
    "np.nan_to_num": lambda xp, x: xp.nan_to_num(x * NAN, nan=0.5) * x,
    # reductions and scans
    "np.sum": lambda xp, x: xp.sum(x ** 2, axis=0) * x[0],
    "np.prod": lambda xp, x: xp.prod(x, axis=1),
    "np.prod:all": lambda xp, x: xp.prod(x),
    "np.mean": lambda xp, x: xp.mean(x ** 2, axis=1) * x[:, 0],
    "np.average": lambda xp, x: xp.average(x, axis=1, weights=x[0] ** 2),
    "np.average:all": lambda xp, x: xp.average(x ** 2, weights=xp.exp(x)),
    "np.var": lambda xp, x: xp.var(x, axis=1),
    "np.std": lambda xp, x: xp.std(x, ddof=1),
    "np.cumsum": lambda xp, x: xp.cumsum(x ** 2, axis=1) * x,
    "np.cumulative_sum": lambda xp, x: xp.cumulative_sum(x ** 2, axis=1) * x,
    "np.cumprod": lambda xp, x: xp.cumprod(x, axis=1),
    "np.cumprod:flat": lambda xp, x: xp.cumprod(x),
    "np.cumulative_prod": lambda xp, x: xp.cumulative_prod(x, axis=0),
    "np.max": lambda xp, x: xp.max(x * x, axis=1) * x[:, 0],
    "np.min": lambda xp, x: xp.min(x * x[::-1]) * x,
    "np.amax": lambda xp, x: xp.amax(x * x, axis=0),
    "np.amin": lambda xp, x: xp.amin(x ** 3, axis=0) * x[1],
    "np.ptp": lambda xp, x: xp.ptp(x * x, axis=1) * x[:, 1],
    "np.nanmax": lambda xp, x: xp.nanmax(x * x * NAN, axis=1) * x[:, 0],
    "np.nanmin": lambda xp, x: xp.nanmin(x * x * NAN) * x,
    "np.nansum": lambda xp, x: xp.nansum(x * x * NAN, axis=0) * x[0],
    "np.nanmean": lambda xp, x: xp.nanmean(x * x * NAN, axis=1) * x[:, 0],
    "np.nanvar": lambda xp, x: xp.nanvar(x * x * NAN, axis=1, ddof=1) * x[:, 0],
    "np.nanstd": lambda xp, x: xp.nanstd(x * x * NAN, axis=0) * x[0],
    "np.sort": lambda xp, x: xp.sort(x, axis=0) * x,
    "np.partition": lambda xp, x: xp.partition(x * x, 2, axis=1) * x,
    "np.median": lambda xp, x: xp.median(x, axis=0) * x[0],
    "np.median:all": lambda xp, x: xp.median(x * x) * x,
    "np.quantile": lambda xp, x: xp.quantile(x * x, xp.array([0.3, 0.5, 0.9]), axis=1),
    "np.percentile": lambda xp, x: xp.percentile(x * x, xp.array([10.0, 77.0])) * x[0, 0],
    "np.diff": lambda xp, x: xp.diff(x[0] ** 2, prepend=x[1, 0] ** 2, append=x[2, :2]),
    "np.ediff1d": lambda xp, x: xp.ediff1d(x ** 2, to_begin=x[0, 0] * x[1, 1], to_end=x[2]),
    "np.gradient": lambda xp, x: xp.gradient(x ** 3, axis=1) * x,
    "np.trapezoid": lambda xp, x: xp.trapezoid(x ** 2, x=xp.cumsum(x, axis=1)),
    "np.trapezoid:x1d": lambda xp, x: xp.trapezoid(xp.sin(x), x=xp.cumsum(x[0])),
    # composed
    "np.linspace": lambda xp, x: xp.linspace(x[0, 0] ** 2, x[0, 1] * x[1, 1] + 2, 5) * x[2, 0],
    "np.sinc": lambda xp, x: xp.sinc(x * x[0]),
    "np.cov": lambda xp, x: xp.cov(x),
    "np.cov:xy": lambda xp, x: xp.cov(x[0], x[1] ** 2, bias=True),
    "np.corrcoef": lambda xp, x: xp.corrcoef(x),
    "np.corrcoef:xy": lambda xp, x: xp.corrcoef(x[0], x[1] ** 2),
    "np.interp": lambda xp, x: xp.interp(x[0] * 0.5 + 0.6, xp.asarray(XP), x[1]),
    "np.polyval": lambda xp, x: xp.polyval(x[0], x[1]),
    "np.polyval:constant": lambda xp, x: xp.polyval(xp.array([2.0, -1.0, 0.5]), x) * x,
    "np.angle": lambda xp, x: xp.angle(x[0] + 1j * x[1] ** 2),
    "np.copyto": lambda xp, x: _copyto(xp, x),
    "np.fill_diagonal": lambda xp, x: _fill_diagonal(xp, x),
    "np.put": lambda xp, x: _put(xp, x),
    "np.place": lambda xp, x: _place(xp, x),
    "np.putmask": lambda xp, x: _putmask(xp, x),
    "np.put_along_axis": lambda xp, x: _put_along_axis(xp, x),
    # products: both operands duals
    "np.dot": lambda xp, x: xp.dot(x.T, xp.sin(x[:, 1])),
    "np.vdot": lambda xp, x: xp.vdot(x, x ** 2),
    "np.inner": lambda xp, x: xp.inner(x, xp.sin(x)),
    "np.outer": lambda xp, x: xp.outer(x[0], x[1] ** 2),
    "np.linalg.outer": lambda xp, x: xp.linalg.outer(x[0], x[1] ** 2),
    "np.matmul": lambda xp, x: xp.matmul(x, x.T ** 2),
    "np.linalg.matmul": lambda xp, x: xp.linalg.matmul(x, x.T ** 2),
    "np.vecdot": lambda xp, x: xp.vecdot(x, x ** 2),
    "np.linalg.vecdot": lambda xp, x: xp.linalg.vecdot(x, xp.sin(x)),
    "np.tensordot": lambda xp, x: xp.tensordot(x, xp.cos(x), axes=([0], [0])),
    "np.linalg.tensordot": lambda xp, x: xp.linalg.tensordot(x, x ** 2, axes=2),
    "np.einsum": lambda xp, x: xp.einsum("ij,ji,ij->", x, x.T, x ** 2),
    "np.kron": lambda xp, x: xp.kron(x[0, :2], xp.sin(x[1, :2])),
    "np.cross": lambda xp, x: xp.cross(x[0, :3], xp.sin(x[1, :3])),
    "np.linalg.cross": lambda xp, x: xp.linalg.cross(x[:, :3], x[:, 1:] ** 2),
    "np.convolve": lambda xp, x: xp.convolve(x[0], x[1] ** 2),
    "np.convolve:short": lambda xp, x: xp.convolve(x[0], x[1, :2] ** 2, mode="same"),
    "np.correlate": lambda xp, x: xp.correlate(x[0], xp.exp(x[1]), mode="full"),
    "np.linalg.matrix_power": lambda xp, x: xp.linalg.matrix_power(SPD / 10 + x.T @ x, 3),
    "np.linalg.matrix_power:neg": lambda xp, x: xp.linalg.matrix_power(_spd(xp, x), -2),
    # linear algebra (real inputs), matrix and right-hand side both duals
    "np.linalg.solve": lambda xp, x: xp.linalg.solve(_spd(xp, x), xp.sin(x[0])),
    "np.linalg.solve:matrix": lambda xp, x: xp.linalg.solve(_spd(xp, x), x.T ** 2),
    "np.linalg.inv": lambda xp, x: xp.linalg.inv(_spd(xp, x)),
    "np.linalg.det": lambda xp, x: xp.linalg.det(M + x.T @ x),
    "np.linalg.slogdet": lambda xp, x: xp.linalg.slogdet(M + x.T @ x)[1],
    "np.linalg.cholesky": lambda xp, x: xp.linalg.cholesky(_spd(xp, x)),
    "np.linalg.eigh": lambda xp, x: xp.concatenate(
        [xp.linalg.eigh(_spd(xp, x))[0], xp.abs(xp.linalg.eigh(_spd(xp, x))[1]).ravel()]),
    "np.linalg.eigvalsh": lambda xp, x: xp.linalg.eigvalsh(_spd(xp, x)),
    "np.linalg.eig": lambda xp, x: xp.sort(xp.real(xp.linalg.eig(_spd(xp, x))[0])),
    "np.linalg.eigvals": lambda xp, x: xp.sort(xp.real(xp.linalg.eigvals(_spd(xp, x)))),
    "np.linalg.lstsq": lambda xp, x: xp.linalg.lstsq(
        xp.vstack([x, M]), xp.sin(xp.arange(7.0) * x[0, 0] + x[1, 1]), rcond=None)[0],
    "np.linalg.lstsq:residuals": lambda xp, x: xp.linalg.lstsq(
        xp.vstack([x, M]), xp.arange(7.0) * x[0, 0] + x[1, 2], rcond=None)[1],
    "np.linalg.svd": lambda xp, x: xp.concatenate(
        [xp.abs(f).ravel() for f in xp.linalg.svd(x, full_matrices=False)]),
    "np.linalg.svd:values": lambda xp, x: xp.linalg.svd(x, compute_uv=False),
    "np.linalg.svdvals": lambda xp, x: xp.linalg.svdvals(x.T),
    "np.linalg.qr": lambda xp, x: xp.concatenate([f.ravel() for f in xp.linalg.qr(x.T)]),
    "np.linalg.pinv": lambda xp, x: xp.linalg.pinv(x),
    "np.linalg.norm": lambda xp, x: xp.linalg.norm(x),
    "np.linalg.norm:ord1": lambda xp, x: xp.linalg.norm(x, ord=1),
    "np.linalg.norm:ord3": lambda xp, x: xp.linalg.norm(x, ord=3, axis=1),
    "np.linalg.norm:inf": lambda xp, x: xp.linalg.norm(x * x[0], ord=np.inf),
    "np.linalg.norm:2": lambda xp, x: xp.linalg.norm(x, ord=2),
    "np.linalg.norm:nuc": lambda xp, x: xp.linalg.norm(x, ord="nuc"),
    "np.linalg.matrix_norm": lambda xp, x: xp.linalg.matrix_norm(x, ord="fro"),
    "np.linalg.vector_norm": lambda xp, x: xp.linalg.vector_norm(x, axis=1, ord=3),
    # FFTs (complex outputs: real and imaginary parts apart)
    "np.fft.fft": lambda xp, x: xp.fft.fft(x * x[0], axis=1),
    "np.fft.ifft": lambda xp, x: xp.fft.ifft(x * x[0]),
    # counting: unique's values (copies of one value), histogram's weights and edges
    "np.unique": lambda xp, x: xp.unique(x[:, [0, 1, 0]] ** 2) * x[:2, :3].ravel(),
    "np.unique_values": lambda xp, x: xp.unique_values(x[0, [2, 2, 1]] ** 3) * x[1, :2],
    "np.unique_counts": lambda xp, x: xp.unique_counts(x[0, [2, 1, 2]] * x[1, 0]).values ** 2,
    "np.unique_inverse": lambda xp, x: xp.unique_inverse(x[1] * x[2]).values * x[0],
    "np.unique_all": lambda xp, x: xp.unique_all(xp.exp(x[2, [0, 3, 3]])).values * x[0, :2],
    "np.histogram": lambda xp, x: xp.histogram(x[0], bins=3, weights=x[1] ** 2,
                                               density=True)[0] * x[2, :3],
    "np.histogram:edges": lambda xp, x: xp.histogram(x ** 2, bins=4)[1] * x[0, 0],
    "np.histogram_bin_edges": lambda xp, x: xp.histogram_bin_edges(x * x[0, 0], bins=3) ** 2,
    "np.bincount": lambda xp, x: xp.bincount(xp.asarray([0, 2, 2, 5]), weights=x[0] ** 2,
                                             minlength=6) * x[1, 0],
    # written by NumPy on top of other functions: the same steps on duals
    "np.linalg.multi_dot": lambda xp, x: xp.linalg.multi_dot([x, x.T * x[0, 0], x, x[1]]),
    "np.block": lambda xp, x: xp.block([[x ** 2, x[:, :1] * x[0, 0]],
                                        [x[:1] * x[1, 1], xp.ones((1, 1))]]),
    "np.unwrap": lambda xp, x: xp.unwrap(x * x * 5, axis=1),
    "np.unwrap:period": lambda xp, x: xp.unwrap(x * x * 5, axis=1, period=x[0, 0] + 2.0),
    "np.insert": lambda xp, x: xp.insert(x * x[0, 0], [1, 3], x[1, :2] ** 2, axis=1),
    "np.nancumsum": lambda xp, x: xp.nancumsum(x * x * NAN, axis=1) * x,
    "np.nancumprod": lambda xp, x: xp.nancumprod(x * NAN, axis=0) * x,
    "np.nanprod": lambda xp, x: xp.nanprod(x * NAN, axis=1) * x[:, 0],
    "np.nanmedian": lambda xp, x: xp.nanmedian(x * x * NAN, axis=1) * x[:, 0],
    "np.nanquantile": lambda xp, x: xp.nanquantile(x * x * NAN, xp.array([0.3, 0.8]), axis=1),
    "np.nanpercentile": lambda xp, x: xp.nanpercentile(x * x * NAN, 40.0) * x,
    "np.polyfit": lambda xp, x: xp.polyfit(x[0], x[1] ** 2, 2) * x[2, :3],
    "np.fft.fft2": lambda xp, x: xp.fft.fft2(x * x[0]),
    "np.fft.ifft2": lambda xp, x: xp.fft.ifft2(x * x[0]),
    "np.fft.fftn": lambda xp, x: xp.fft.fftn(x * x[0]),
    "np.fft.ifftn": lambda xp, x: xp.fft.ifftn(x * x[0]),
    "np.fft.rfft": lambda xp, x: xp.fft.rfft(x * x[0]),
    "np.fft.rfft2": lambda xp, x: xp.fft.rfft2(x * x[0]),
    "np.fft.rfftn": lambda xp, x: xp.fft.rfftn(x * x[0]),
    "np.fft.irfft": lambda xp, x: xp.fft.irfft(x * x[0] + 1j * x[1]),
    "np.fft.irfft2": lambda xp, x: xp.fft.irfft2(x * x[0] + 1j * x[1]),
    "np.fft.irfftn": lambda xp, x: xp.fft.irfftn(x * x[0] + 1j * x[1]),
    "np.fft.hfft": lambda xp, x: xp.fft.hfft(x * x[0] + 1j * x[1]),
    "np.fft.ihfft": lambda xp, x: xp.fft.ihfft(x * x[0]),
    # np.emath: x - 1.0 crosses 0 in X, so some elements go complex and others stay
    # real as NumPy's own emath decides (the whole array complex if any is negative)
    "np.lib.scimath.sqrt": lambda xp, x: xp.emath.sqrt((x - 1.0) * x[0, 0]),
    "np.lib.scimath.log": lambda xp, x: xp.emath.log((x - 1.0) * x[0, 0]),
    "np.lib.scimath.log2": lambda xp, x: xp.emath.log2((x - 1.0) * x[0, 0]),
    "np.lib.scimath.log10": lambda xp, x: xp.emath.log10((x - 1.0) * x[0, 0]),
    "np.lib.scimath.logn": lambda xp, x: xp.emath.logn(x[0, 1] + 2.0, (x - 1.0) * x[0, 0]),
    "np.lib.scimath.power": lambda xp, x: xp.emath.power((x - 1.0) * x[0, 0], x[1, 1]),
    "np.lib.scimath.arccos": lambda xp, x: xp.emath.arccos(x * x[0, 0]),
    "np.lib.scimath.arcsin": lambda xp, x: xp.emath.arcsin(x * x[0, 0]),
    "np.lib.scimath.arctanh": lambda xp, x: xp.emath.arctanh(x * x[0, 0]),
    "np.fft.fftshift": lambda xp, x: xp.fft.fftshift(x * x) * x,
    "np.fft.ifftshift": lambda xp, x: xp.fft.ifftshift(x * x) * x,
}


def _fill_diagonal(xp, x):
    out = x * x[0, 0]
    xp.fill_diagonal(out, xp.sin(x[1, :3]) * x[2, 0])
    return out * x


def _put(xp, x):
    out = x * x[0, 0]
    xp.put(out, [1, -2, 13], xp.sin(x[1, :2]) * x[2, 0], mode="wrap")   # values repeat
    return out * x


def _place(xp, x):
    out = x * x[0, 1]
    xp.place(out, X > 1.0, xp.cos(x[2, :3]) * x[1, 1])
    return out * x


def _putmask(xp, x):
    out = x * x[0, 2]
    xp.putmask(out, X < 1.0, x[1] ** 2 * x[2, 3])
    return out * x


def _put_along_axis(xp, x):
    out = x * x[0, 1]                   # a column of each row, one repeated, one negative
    xp.put_along_axis(out, np.array([[2, 2], [0, 3], [-1, 1]]),
                      xp.sin(x[:, :2]) * x[2, 0], axis=1)
    return out * x


def _copyto(xp, x):
    out = xp.zeros_like(x)
    xp.copyto(out, x ** 2)
    return out * x


# Functions of values only (predicates, indices, shapes): no derivative to check.
VALUE_ONLY = set("""np.all np.allclose np.any np.argmax np.argmin np.argsort np.argwhere
np.around np.round np.array_equal np.count_nonzero np.flatnonzero np.isclose np.iscomplex
np.iscomplexobj np.isneginf np.isposinf np.isreal np.isrealobj np.may_share_memory np.ndim
np.nonzero np.searchsorted np.shape np.shares_memory np.size np.digitize np.result_type
np.min_scalar_type np.can_cast np.argpartition np.nanargmax np.nanargmin np.lexsort
np.isin""".split())


def test_every_registered_function_has_a_nested_case_or_is_value_only():
    covered = {name.split(":")[0] for name in CASES}
    registered = {function_name(f) for f in (*HANDLED, *LINALG, *FFT)}
    assert registered - covered - VALUE_ONLY == set()
    assert covered - registered == set()                      # no stale case names


W = {}


def _objectives(f):
    """``sum(w * f(x))``, real and imaginary parts apart for a complex ``f``."""
    out = f(np, X)
    if f not in W:
        W[f] = np.random.default_rng(abs(hash(f.__code__.co_code)) % 2 ** 32
                                     ).standard_normal(np.shape(out))
    w = W[f]
    parts = (np.real, np.imag) if np.iscomplexobj(np.asarray(out)) else (None,)
    return [(lambda xp, x, p=p: xp.sum(w * (f(xp, x) if p is None else
                                            getattr(xp, p.__name__)(f(xp, x)))))
            for p in parts]


@pytest.mark.parametrize("name", list(CASES))
def test_hessian_matches_central_differences_of_the_gradient(name):
    for F in _objectives(CASES[name]):
        Fn = lambda x, F=F: F(np, x)
        grad = lambda y, Fn=Fn: dg.gradient(Fn, y)
        want = central(grad, X, h=1e-5)
        np.testing.assert_allclose(dg.hessian(Fn, X), want, rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(dg.jacobian(grad, X), want, rtol=1e-6, atol=1e-6)


# jax lacks these, or differentiates them another way (a different convention at a tie,
# eigenvector signs, residuals of lstsq, the real part a tolerance picks)
NOT_IN_JAX = {"np.partition", "np.real_if_close", "np.copyto", "np.fill_diagonal", "np.linalg.lstsq:residuals",
              "np.put", "np.place", "np.putmask", "np.put_along_axis",
              "np.linalg.eig", "np.linalg.eigvals", "np.delete", "np.resize",
              "np.lib.stride_tricks.sliding_window_view", "np.unstack",
              "np.cumulative_prod", "np.cumulative_sum", "np.matrix_transpose",
              "np.linalg.matmul", "np.linalg.outer", "np.linalg.vecdot", "np.linalg.cross",
              "np.linalg.tensordot", "np.nan_to_num", "np.nanmax", "np.nanmin", "np.nansum",
              "np.nanmean", "np.dsplit", "np.empty_like",
              # jnp.unique needs a static size=; jnp.histogram's edges are constants
              "np.unique", "np.unique_values", "np.unique_counts", "np.unique_inverse",
              "np.unique_all", "np.histogram", "np.histogram:edges",
              "np.histogram_bin_edges", "np.bincount",
              # jax.numpy has no emath
              "np.lib.scimath.sqrt", "np.lib.scimath.log", "np.lib.scimath.log2",
              "np.lib.scimath.log10", "np.lib.scimath.logn", "np.lib.scimath.power",
              "np.lib.scimath.arccos", "np.lib.scimath.arcsin", "np.lib.scimath.arctanh"}


# jax.hessian runs op by op here (3-10 s a case on a loaded 2-core machine), and importing
# jax starts its threads, after which tests/test_parallel.py's fork of a process pool may
# deadlock (JAX warns so): every case with DUALGRAD_JAX_ORACLE=1, none by default (the
# central differences above stay the default oracle; all 138 cases matched jax when run)
JAX_ALWAYS = set()


@pytest.mark.parametrize("name", [n for n in CASES if n not in NOT_IN_JAX])
def test_hessian_matches_jax(name):
    if name not in JAX_ALWAYS and not os.environ.get("DUALGRAD_JAX_ORACLE"):
        pytest.skip("set DUALGRAD_JAX_ORACLE=1 to compare every case with jax.hessian")
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    for F in _objectives(CASES[name]):
        try:
            want = np.asarray(jax.hessian(lambda x, F=F: F(jnp, x))(jnp.asarray(X)))
        except (AttributeError, NotImplementedError, TypeError) as exc:
            pytest.skip(f"jax: {type(exc).__name__}: {exc}"[:200])
        np.testing.assert_allclose(dg.hessian(lambda x, F=F: F(np, x), X), want,
                                   rtol=1e-6, atol=1e-6)


# Two arguments holding duals of different tags: the inner variable z of a gradient and
# an outer y it closes over (mixed second derivatives d2/dz dy)
Y = rng.uniform(0.5, 1.5, (3, 4))
PAIRS = {
    "np.interp": lambda a, b: np.interp(a[0] * 0.5 + 0.6, XP, b[1]),
    "np.polyval": lambda a, b: np.polyval(a[0], b[1]),
    "np.dot": lambda a, b: np.dot(a.T, b[:, 1]),
    "np.einsum": lambda a, b: np.einsum("ij,kj->ik", a, b),
    "np.convolve": lambda a, b: np.convolve(a[0], b[1, :2], mode="same"),
    "np.cross": lambda a, b: np.cross(a[0, :3], b[1, :3]),
    "np.linalg.solve": lambda a, b: np.linalg.solve(SPD + a.T @ a, b[0]),
    "np.linalg.lstsq": lambda a, b: np.linalg.lstsq(np.vstack([a, M]), np.concatenate(
        [b[0], b[1, :3]]), rcond=None)[0],
    "np.where": lambda a, b: np.where(X > 1.0, a, b) * a,
    "np.clip": lambda a, b: np.clip(a, b * 0.9, b + 0.3) * a,
    "np.average": lambda a, b: np.average(a, axis=1, weights=b[0]),
    "np.trapezoid": lambda a, b: np.trapezoid(a, x=np.cumsum(b, axis=1)),
    "np.cov": lambda a, b: np.cov(a[0], b[1]),
    "np.linspace": lambda a, b: np.linspace(a[0, 0], b[0, 1] + 2, 5) * a[1, 1],
    "np.linalg.det": lambda a, b: np.linalg.det(SPD + a.T @ b),
    "np.fft.fft": lambda a, b: np.real(np.fft.fft(a + 1j * b)),
}


@pytest.mark.parametrize("order", ["zy", "yz"])
@pytest.mark.parametrize("name", list(PAIRS))
def test_mixed_second_derivatives_of_two_tags(name, order):
    f = PAIRS[name]
    w = np.random.default_rng(3).standard_normal(np.shape(f(X, Y)))
    g = f if order == "zy" else (lambda a, b: f(b, a))
    G = lambda y: dg.gradient(lambda z: np.sum(w * g(z, y)), X)
    np.testing.assert_allclose(dg.jacobian(G, Y), central(G, Y, h=1e-5), rtol=1e-6, atol=1e-6)


def test_linspace_of_scalar_ends_of_two_tags_keeps_the_outer_ends_partials():
    """The scalar fast path took an end of another tag by its value: d2/da db of
    sum(a * linspace(a, b, 5)) came out 0 (closed form: sum(t) = 2.5)."""
    inner = lambda b: dg.derivative(lambda a: np.sum(np.linspace(a, b, 5) * a), 0.3)
    assert dg.derivative(inner, 2.0) == pytest.approx(2.5, rel=1e-14)
    outer = lambda a: dg.derivative(lambda b: np.sum(np.linspace(a, b, 5) * b), 2.0)
    assert dg.derivative(outer, 0.3) == pytest.approx(2.5, rel=1e-14)


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("p", [1.25, 1.5, 2.5, 3.0])
@pytest.mark.parametrize("form", ["array", "elements", "float_power"])
@pytest.mark.engine_independent
def test_a_zero_direction_stays_zero_where_the_second_derivative_is_infinite(engine, p, form):
    # x**p at x = 0 with 1 < p < 2: the first derivative p x**(p-1) is 0 (finite), its
    # own derivative infinite; another direction's zero partial times it must give 0
    # off the diagonal (API: a zero seed times an infinite local derivative stays 0),
    # not NaN: by hand, H = diag(p (p - 1) x**(p - 2))
    x = np.array([0.0, 0.5, 2.0])
    f = {"array": lambda z: np.sum(z ** p),
         "elements": lambda z: z[0] ** p + z[1] ** p + z[2] ** p,
         "float_power": lambda z: np.sum(np.float_power(z, p))}[form]
    with dg.engine(engine), np.errstate(divide="ignore", invalid="ignore"):
        H = dg.hessian(f, x)
        right = np.diag(p * (p - 1) * x ** (p - 2))
    np.testing.assert_array_equal(H[~np.eye(3, dtype=bool)], 0.0)
    np.testing.assert_allclose(np.diag(H), np.diag(right), rtol=1e-15)


def _third(f, x):
    return dg.jacobian(lambda a: dg.jacobian(lambda b: dg.jacobian(f, b), a), x)


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("form", ["array", "scalar"])
def test_third_derivatives_of_a_scalar_dual_times_an_array_dual(engine, form):
    # three levels: the middle level's partials are object arrays of duals, whose
    # finiteness test summed them into a dual and called math.isfinite on it
    # (attack10 04: DualTypeError "float(d)" from inside the product).  By hand, for
    # f_m = s x_m, s = sum x**3: T[m, i, j, k] = s_ijk x_m + s_ij d_km + s_ik d_jm
    # + s_jk d_im, with s_ij = 6 x_i d_ij and s_ijk = 6 d_ijk
    x = np.array([0.7, -1.3, 0.4])
    n = x.size
    d = np.eye(n)
    d3 = np.einsum("ij,jk->ijk", d, d)
    s2 = 6 * np.diag(x)
    right = (6 * np.einsum("ijk,m->mijk", d3, x) + np.einsum("ij,km->mijk", s2, d)
             + np.einsum("ik,jm->mijk", s2, d) + np.einsum("jk,im->mijk", s2, d))
    f = {"array": lambda z: np.sum(z ** 3) * z,
         "scalar": lambda z: z * (z[0] ** 3 + z[1] ** 3 + z[2] ** 3)}[form]
    with dg.engine(engine):
        got = _third(f, x)
    np.testing.assert_allclose(got, right, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_a_zero_direction_stays_zero_at_the_third_level(engine):
    # x**p, 2 < p < 3, at 0: the second derivative is 0, the third infinite; the
    # mask that keeps zero directions 0 must read each element's inner partials
    # (object arrays of duals at this depth), by hand T = diag3(p (p-1) (p-2) x**(p-3))
    p = 2.5
    x = np.array([0.0, 0.5, 2.0])
    with dg.engine(engine), np.errstate(divide="ignore", invalid="ignore"):
        got = _third(lambda z: np.sum(z ** p), x)
        diag = p * (p - 1) * (p - 2) * x ** (p - 3)
    off = ~np.einsum("ij,jk->ijk", np.eye(3), np.eye(3)).astype(bool)
    np.testing.assert_array_equal(got[off], 0.0)
    np.testing.assert_allclose(np.einsum("iii->i", got), diag, rtol=1e-15)
