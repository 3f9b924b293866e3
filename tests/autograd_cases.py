"""Cases ported from autograd's test suite (tests/test_systematic.py,
test_scalar_ops.py, test_binary_ops.py, test_numpy.py, test_linalg.py, test_fft.py
and the scipy.special parts of test_scipy.py), written here as data.

A case is ``Case(name, build, args, argnums, kwargs)``: ``build(ns)`` returns the
function with ``ns.np`` standing for NumPy (plain ``numpy`` for dualgrad, autograd's
wrapped ``autograd.numpy`` for the reference) and ``ns.sp`` for ``scipy.special``.
The points, shapes, domains and keyword combinations follow autograd's tests; the
code is this project's own.  :mod:`tests.test_autograd_port` runs them.
"""

import itertools
import operator as op
from dataclasses import dataclass, field

import numpy as onp

__all__ = ["Case", "cases"]


@dataclass
class Case:
    name: str
    build: object                 # ns -> callable
    args: tuple
    argnums: tuple = (0,)
    kwargs: dict = field(default_factory=dict)


_rng = onp.random.default_rng(0)


def R(*shape):
    return _rng.standard_normal(shape) if shape else float(_rng.standard_normal())


def C(*shape):
    return R(*shape) + 1j * R(*shape)


def U(lo, hi, *shape):
    return _rng.uniform(lo, hi, shape) if shape else float(_rng.uniform(lo, hi))


def npf(name):
    """The NumPy function ``name`` (dotted for submodules) in the namespace."""
    def build(ns):
        obj = ns.np
        for part in name.split("."):
            obj = getattr(obj, part)
        return obj
    build.__name__ = name
    return build


def spf(name):
    def build(ns):
        return getattr(ns.sp, name)
    build.__name__ = name
    return build


def fixed(fun):
    """A namespace-free callable (an operator)."""
    return lambda ns: fun


def combos(name, build, arg_lists, argnums, **kwarg_lists):
    """Every combination of the argument lists and keyword values, as autograd's
    ``combo_check`` walks them."""
    out = []
    keys = list(kwarg_lists)
    for args in itertools.product(*arg_lists):
        for values in itertools.product(*(kwarg_lists[k] for k in keys)):
            kw = dict(zip(keys, values))
            label = f"{name}{[onp.shape(a) for a in args]}{kw or ''}"
            out.append(Case(label, build, args, tuple(argnums), kw))
    return out


def _t(lims, x):
    return x * (lims[1] - lims[0]) + lims[0]


# ---- test_systematic.py ------------------------------------------------------------
def _stats():
    out = []
    for name in ("max", "mean", "min", "sum", "prod", "var", "std"):
        f = npf(name)
        x, A, B, Cm, D = 3.5, R(), R(3), R(2, 3), R(1, 3)
        out += combos(name, f, [[x, A]], [0])
        out += combos(name, f, [[B, Cm, D]], [0], axis=[None, 0], keepdims=[True, False])
        out += combos(name, f, [[Cm, D]], [0], axis=[None, 0, 1], keepdims=[True, False])
        if name not in ("max", "min"):            # autograd: complex max/min undefined
            c, E = R() + 0.1j * R(), R(2, 3) + 0.1j * R(2, 3)
            out += combos(name, f, [[x, c, A]], [0])
            out += combos(name, f, [[B, Cm, D, E]], [0], axis=[None, 0],
                          keepdims=[True, False])
    return out


UNARY = [  # name, lims, complex too
    ("sin", None, True), ("abs", [0.1, 4.0], True), ("absolute", [0.1, 4.0], True),
    ("arccosh", [1.1, 4.0], True), ("arcsinh", [-0.9, 0.9], True),
    ("arctanh", [-0.9, 0.9], True), ("ceil", [-1.5, 1.5], False), ("cos", None, True),
    ("cosh", None, True), ("deg2rad", None, False), ("exp", None, True),
    ("exp2", None, True), ("expm1", None, True), ("fabs", None, False),
    ("floor", [-1.5, 1.5], False), ("log", [0.2, 2.0], True), ("log10", [0.2, 2.0], True),
    ("log1p", [0.2, 2.0], True), ("log2", [0.2, 2.0], True), ("radians", None, False),
    ("sign", None, False), ("sinh", None, True), ("sqrt", [1.0, 3.0], True),
    ("square", None, False), ("tan", [-1.1, 1.1], True), ("tanh", None, True),
    ("real", None, True), ("real_if_close", None, True), ("imag", None, True),
    ("conj", None, True), ("conjugate", None, True), ("angle", None, True),
    ("arccos", [-0.9, 0.9], False), ("arcsin", [-0.9, 0.9], False),
    ("arctan", None, True), ("negative", None, True), ("reciprocal", [0.5, 2.0], True),
    ("cbrt", [0.2, 2.0], False), ("rad2deg", None, False), ("degrees", None, False),
    ("sinc", None, False), ("trunc", [-1.5, 1.5], False), ("rint", [-1.4, 1.4], False),
]


def _unary_points(lims, complex_too):
    lims = lims or [-2, 2]
    pts = [_t(lims, 0.4), _t(lims, _rng.random(2)), _t(lims, _rng.random((3, 2))),
           _t(lims, _rng.random((1, 2)))]
    if complex_too:
        pts += [_t(lims, 0.4) + 0.1j * _t(lims, 0.3),
                _t(lims, _rng.random((3, 2))) + 0.1j * _rng.random((3, 2))]
    return pts


def _unary():
    out = []
    for name, lims, cplx in UNARY:
        out += combos(name, npf(name), [_unary_points(lims, cplx)], [0])
    return out


BINARY = [  # name or operator, lims A, lims B, complex too, distinct arguments
    ("add", None, None, True, False), ("logaddexp", None, None, False, False),
    ("logaddexp2", None, None, False, False),
    ("remainder", [-0.9, 0.9], [0.7, 1.9], False, True),
    ("true_divide", None, [0.8, 1.2], False, False),
    ("mod", None, [0.8, 2.1], False, True),
    ("true_divide", None, [-0.3, -2.0], False, False),
    ("mod", None, [-0.3, -2.0], False, True),
    (op.mul, None, None, True, False), (op.add, None, None, True, False),
    (op.sub, None, None, True, False), (op.mod, None, [0.3, 2.0], False, True),
    (op.mod, None, [-0.3, -2.0], False, True),
    ("subtract", None, None, True, False), ("multiply", None, None, True, False),
    ("arctan2", None, None, False, False), ("hypot", None, None, False, False),
    ("power", [0.5, 2.0], None, True, False),
]


def _binary():
    out = []
    for fun, la, lb, cplx, distinct in BINARY:
        la, lb = la or [-2, 2], lb or [-2, 2]
        name = fun if isinstance(fun, str) else fun.__name__
        build = npf(fun) if isinstance(fun, str) else fixed(fun)
        shapes = [(), (2,), (3, 2), (1, 2)]
        A = [_t(la, _rng.random(s)) if s else _t(la, 0.6) for s in shapes]
        B = [_t(lb, _rng.random(s)) if s else _t(lb, 0.7 if distinct else 0.6)
             for s in shapes]
        if not distinct:
            B = [b if onp.shape(b) else b for b in B]
        out += combos(name, build, [A, B], [0, 1])
        if cplx:
            Ac = [A[0], _t(la, 0.6) + 0.3j, A[1], _t(la, _rng.random((3, 2))) +
                  0.1j * _rng.random((3, 2)), A[3]]
            Bc = [B[0], _t(lb, 0.1) + 0.2j, B[1], _t(lb, _rng.random((3, 2))) +
                  0.1j * _rng.random((3, 2)), B[3]]
            out += combos(name, build, [Ac, Bc], [0, 1])
    return out


def _misc():
    out = []
    T = npf
    out += combos("transpose", T("transpose"), [[R(2, 3, 4)]], [0],
                  axes=[None, [0, 1, 2], [0, 2, 1], [2, 0, 1], [2, 1, 0], [1, 0, 2],
                        [1, 2, 0]])
    out += combos("moveaxis", T("moveaxis"), [[R(2, 3, 4)]], [0], source=[0, 1, 2],
                  destination=[0, 1, 2])
    out += combos("repeat", T("repeat"), [[R(2, 3, 4), R(3, 1)]], [0], repeats=[0, 1, 2],
                  axis=[None, 0, 1])
    out += combos("diff", T("diff"), [[R(5, 5), R(5, 5, 5)]], [0], n=[1, 2], axis=[0, 1])
    out += combos("diff", T("diff"), [[R(1), R(1, 1)]], [0], axis=[0])
    out += combos("gradient", T("gradient"), [[R(5, 5), R(5, 5, 5)]], [0],
                  axis=[None, 0, 1, -1])
    out += combos("tile", T("tile"), [[R(2, 1, 3, 1)]], [0], reps=[(1, 4, 1, 2)])
    out += combos("tile", T("tile"), [[R(1, 2)]], [0], reps=[(1, 2), (2, 3), (3, 2, 1)])
    out += combos("kron", T("kron"), [[R(5, 5), R(4, 4), R(5), R(5, 1), R(1, 5), C(5, 5)],
                                      [R(3, 3), R(2, 2), R(3), R(1, 3), R(3, 1), C(3, 3)]],
                  [0, 1])
    out += combos("inner", T("inner"), [[1.5, R(3), R(2, 3)], [0.3, R(3), R(4, 3)]], [0, 1])
    out += combos("dot", T("dot"), [[1.5, R(3), R(2, 3), R(2, 2, 3), C(3), C(2, 3)],
                                    [0.3, R(3), R(3, 4), R(2, 3, 4), C(3)]], [0, 1])
    out += combos("outer", T("outer"), [[R(3), C(3)], [R(3), C(3)]], [0, 1])
    out += combos("matmul", T("matmul"), [[R(3), R(2, 3), R(2, 2, 3), C(3), C(2, 3)],
                                          [R(3), R(3, 4), R(2, 3, 4), C(3), C(3, 4)]], [0, 1])
    out += combos("matmul", T("matmul"), [[R(1, 2, 2)], [R(3, 2, 1)]], [0, 1])
    out += combos("tensordot", T("tensordot"), [[R(1, 3), R(2, 3, 2), C(1, 3)],
                                                [R(3), R(3, 1), R(3, 4, 2), C(3)]], [0, 1],
                  axes=[[(1,), (0,)]])
    out += combos("tensordot", T("tensordot"), [[R(2, 3), R(2, 3, 4)],
                                                [R(1, 2, 3), R(2, 2, 3, 4)]], [0, 1],
                  axes=[[(0, 1), (1, 2)], [(1, 0), (2, 1)]])
    out += combos("tensordot", T("tensordot"), [[R(2, 2), R(4, 2, 2)], [R(2, 2), R(2, 2, 4)]],
                  [0, 1], axes=[1, 2])
    for name in ("maximum", "fmax", "minimum", "fmin"):
        out += combos(name, T(name), [[R(1), R(1, 4), R(3, 4)], [R(1), R(1, 4), R(3, 4)]],
                      [0, 1])
    out += combos("sort", T("sort"), [[R(1), R(7)]], [0])
    out += combos("partition", T("partition"), [[R(7), R(14)]], [0], kth=[0, 3, 6])
    for name in ("atleast_1d", "atleast_2d", "atleast_3d"):
        out += combos(name, T(name), [[1.2, R(1), R(7), R(1, 4), R(2, 4), R(2, 4, 5)]], [0])
    out += combos("einsum", T("einsum"), [["ij->ji"], [R(1, 1), R(4, 4), R(3, 4)]], [1])
    out += combos("einsum", T("einsum"), [["ij,jk->ik"], [R(2, 3), C(2, 3)],
                                          [R(3, 4), C(3, 4)]], [1, 2])
    out += combos("einsum", T("einsum"), [["...ij,...jk->...ik"], [R(2, 3), R(2, 2, 3)],
                                          [R(3, 4), R(2, 3, 4)]], [1, 2])
    out += combos("einsum", T("einsum"), [["ijk,lji->lki"], [R(3, 4, 4)], [R(4, 4, 3)]],
                  [1, 2])
    out += combos("einsum", T("einsum"), [["k,nk->"], [R(5)], [R(10, 5)]], [1, 2])
    out += combos("einsum", T("einsum"), [["abcd->bd"], [R(3, 2, 3, 2)]], [1])
    out += combos("einsum", T("einsum"), [["ij,k"], [R(3, 4)], [R(3)]], [1, 2])
    out += combos("trace", T("trace"), [[R(5, 5), R(4, 5), R(5, 4), R(3, 4, 5)]], [0],
                  offset=[-1, 0, 1])
    out += combos("diag", T("diag"), [[R(5, 5), R(5)]], [0], k=[-1, 0, 1])
    for name in ("tril", "triu"):
        out += combos(name, T(name), [[R(5, 5), R(5, 5, 4)]], [0], k=[-1, 0, 1])
    out += combos("swapaxes", T("swapaxes"), [[R(3, 4, 5)]], [0], axis1=[0, 1, 2],
                  axis2=[0, 1, 2])
    out += combos("rollaxis", T("rollaxis"), [[R(2, 3, 4)]], [0], axis=[0, 1, 2],
                  start=[0, 1, 2])
    out += combos("cross", T("cross"), [[R(3, 3)], [R(3, 3)]], [0, 1],
                  axisa=[-1, 0, 1], axisb=[-1, 0, 1], axisc=[-1, 0, 1], axis=[None, -1, 0])
    for name, arrs, secs in (("vsplit", [R(4, 8), R(4, 4, 4)], [2, [1, 2]]),
                             ("hsplit", [R(4, 8), R(4, 4, 4)], [2, [1, 2]]),
                             ("dsplit", [R(4, 4, 4)], [2, [1, 2]])):
        out += combos(name, _split_sum(name), [arrs, secs], [0])
    out += combos("split", _split_sum("split"), [[R(4, 8)], [4, [1, 2]]], [0], axis=[0, 1])
    out += combos("array_split", _split_sum("array_split"), [[R(7, 7)], [4, [3, 5]]], [0],
                  axis=[0, 1])
    out += combos("concatenate", _joined("concatenate"), [[R(2, 2)], [R(2, 2)]], [0, 1],
                  axis=[0, 1])
    for name in ("vstack", "hstack", "column_stack"):
        out += combos(name, _joined(name), [[R(2, 3)], [R(2, 3)]], [0, 1])
    out += combos("stack", _joined("stack"), [[R(2)], [R(2)]], [0, 1], axis=[0, 1])
    out += combos("select", lambda ns: lambda a, b: ns.np.select(
        [a > 0, b > 0.5], [a, b], default=1.1), [[R(3, 4)], [R(3, 4)]], [0, 1])
    out += combos("pad", T("pad"), [[R(2, 2)], [0, 3, (3,), (3, 2), ((1, 2), (3, 4))]], [0])
    return out


def _split_sum(name):
    """``name`` splits; the pieces are weighted and joined so the output is one array."""
    def build(ns):
        def f(a, sections, **kw):
            pieces = getattr(ns.np, name)(a, sections, **kw)
            return ns.np.concatenate([(k + 1.0) * ns.np.ravel(p) for k, p in
                                      enumerate(pieces)])
        return f
    return build


def _joined(name):
    def build(ns):
        return lambda a, b, **kw: getattr(ns.np, name)((a, 2.0 * b), **kw)
    return build


# ---- test_scalar_ops.py -------------------------------------------------------------
def _scalar_ops():
    out = []
    pts = {"arccos": 0.1, "arcsin": 0.1, "arctan": 0.2, "arctanh": 0.2, "arccosh": 2.3,
           "log": 0.8, "log2": 0.8, "log10": 0.8, "log1p": 0.8, "sqrt": 4.1}
    for name in ("abs", "absolute", "sin", "sign", "exp", "log", "log2", "log10", "log1p",
                 "expm1", "exp2", "cos", "tan", "cosh", "sinh", "tanh", "arccos", "arcsin",
                 "arctan", "arccosh", "arcsinh", "arctanh", "sqrt", "rad2deg", "deg2rad",
                 "radians", "degrees", "sinc", "reciprocal", "negative"):
        for x in ([1.1, -1.1] if name in ("abs", "absolute", "sign") else
                  [pts.get(name, 0.7)]):
            out.append(Case(f"scalar {name}({x})", _three_times(name), (x,)))
    out.append(Case("scalar -x", fixed(lambda x: 3.0 * -x), (0.4,)))
    out.append(Case("scalar power x", fixed(lambda x: x ** 2.3), (1.4,)))
    out.append(Case("scalar power y", lambda ns: lambda y: ns.np.power(1.7, y), (0.6,)))
    out.append(Case("scalar power 0**y", lambda ns: lambda y: ns.np.power(0.0, y), (0.6,)))
    for name in ("mod", "divide", "multiply", "true_divide"):
        for k in (0, 1):
            out.append(Case(f"scalar {name} arg{k}", npf(name), (0.83, 0.36), (k,)))
    return out


def _three_times(name):
    return lambda ns: lambda x: 3.0 * getattr(ns.np, name)(x)


# ---- test_binary_ops.py -------------------------------------------------------------
def _binary_ops():
    out = []
    vals = [2.0, R(4), R(3, 4), R(1, 4)]
    gap = lambda x: onp.sqrt(onp.square(x) + 0.5)
    for sym, fun, prep1, prep2 in (
            ("*", op.mul, None, None), ("+", op.add, None, None), ("-", op.sub, None, None),
            ("/", op.truediv, gap, gap), ("%", op.mod, gap, gap),
            ("**", op.pow, lambda x: onp.abs(x) + 1.1, None)):
        for a, b in itertools.product(vals, vals):
            if sym == "%" and a is b:
                continue
            a2 = prep1(a) if prep1 else a
            b2 = prep2(b) if prep2 else b
            out.append(Case(f"binop {sym} {onp.shape(a)} {onp.shape(b)}", fixed(fun),
                            (a2, b2), (0, 1)))
    for name in ("arctan2", "hypot"):
        for a, b in itertools.product(vals, vals):
            out.append(Case(f"binop {name} {onp.shape(a)} {onp.shape(b)}", npf(name), (a, b),
                            (0, 1)))
    return out


# ---- test_numpy.py ------------------------------------------------------------------
def _numpy():
    out = []
    L = lambda f: (lambda ns: f(ns.np))
    A, B, M, V = R(5, 6), R(4, 3), R(3, 3), R(6)
    specs = [
        ("dot", L(lambda np: lambda a, b: np.dot(a, b)), (R(5, 6), R(6)), (0, 1)),
        ("index", L(lambda np: lambda a: a[1:3, ::2]), (A,)),
        ("index neg step", L(lambda np: lambda a: a[::-1, 2]), (A,)),
        ("fancy index", L(lambda np: lambda a: a[[0, 2, 2], [1, 1, 4]]), (A,)),
        ("bool index", L(lambda np: lambda a: a[a > 0]), (A,)),
        ("sum of squares", L(lambda np: lambda a: np.sum(a * a, axis=1)), (A,)),
        ("mean axis", L(lambda np: lambda a: np.mean(a, axis=0)), (A,)),
        ("max axis", L(lambda np: lambda a: np.max(a, axis=1)), (A,)),
        ("min axis keep", L(lambda np: lambda a: np.min(a, axis=0, keepdims=True)), (A,)),
        ("reshape", L(lambda np: lambda a: np.reshape(a, (3, 10))), (A,)),
        ("reshape method", L(lambda np: lambda a: a.reshape((10, 3)) ** 2), (A,)),
        ("ravel", L(lambda np: lambda a: np.ravel(a) * 2.0), (A,)),
        ("flatten", L(lambda np: lambda a: a.flatten() ** 3), (A,)),
        ("transpose", L(lambda np: lambda a: a.T @ a), (B,)),
        ("roll", L(lambda np: lambda a: np.roll(a, 2, axis=1)), (A,)),
        ("roll flat", L(lambda np: lambda a: np.roll(a, -3)), (A,)),
        ("flipud", L(lambda np: lambda a: np.flipud(a)), (A,)),
        ("fliplr", L(lambda np: lambda a: np.fliplr(a)), (A,)),
        ("rot90", L(lambda np: lambda a: np.rot90(a)), (A,)),
        ("cumsum", L(lambda np: lambda a: np.cumsum(a, axis=1)), (A,)),
        ("cumsum flat", L(lambda np: lambda a: np.cumsum(a)), (A,)),
        ("cumprod", L(lambda np: lambda a: np.cumprod(a, axis=0)), (A,)),
        ("prod axis", L(lambda np: lambda a: np.prod(a, axis=1)), (A,)),
        ("where", L(lambda np: lambda a, b: np.where(a > 0, a, b)), (A, R(5, 6)), (0, 1)),
        ("clip", L(lambda np: lambda a: np.clip(a, -0.5, 0.5)), (A,)),
        ("squeeze", L(lambda np: lambda a: np.squeeze(a)), (R(1, 4, 1),)),
        ("expand_dims", L(lambda np: lambda a: np.expand_dims(a, 1)), (V,)),
        ("broadcast_to", L(lambda np: lambda a: np.broadcast_to(a, (3, 6))), (V,)),
        ("outer", L(lambda np: lambda a: np.outer(a, a)), (V,)),
        ("vdot", L(lambda np: lambda a, b: np.vdot(a, b)), (V, R(6)), (0, 1)),
        ("linspace", L(lambda np: lambda a: a * np.linspace(0.0, 1.0, 6)), (V,)),
        ("sort axis", L(lambda np: lambda a: np.sort(a, axis=0)), (A,)),
        ("std ddof", L(lambda np: lambda a: np.std(a, axis=0, ddof=1)), (A,)),
        ("var ddof", L(lambda np: lambda a: np.var(a, ddof=1)), (A,)),
        ("average", L(lambda np: lambda a: np.average(a, axis=1)), (A,)),
        ("trace", L(lambda np: lambda a: np.trace(a)), (M,)),
        ("tril", L(lambda np: lambda a: np.tril(a)), (M,)),
        ("diagonal", L(lambda np: lambda a: np.diagonal(a)), (M,)),
        ("stack", L(lambda np: lambda a, b: np.stack([a, b])), (V, R(6)), (0, 1)),
        ("array of scalars", L(lambda np: lambda a: np.array([a[0] * a[1], a[2]])), (V,)),
        ("einsum matrix", L(lambda np: lambda a, b: np.einsum("ij,jk->ik", a, b)),
         (R(3, 4), R(4, 2)), (0, 1)),
        ("cross", L(lambda np: lambda a, b: np.cross(a, b)), (R(3), R(3)), (0, 1)),
        ("real_if_close", L(lambda np: lambda a: np.real_if_close(a * (1 + 0j))), (V,)),
        ("nan_to_num", L(lambda np: lambda a: np.nan_to_num(a)), (V,)),
        ("astype copy", L(lambda np: lambda a: np.copy(a) * 2), (V,)),
        ("max over all", L(lambda np: lambda a: np.max(a)), (A,)),
        ("norm", L(lambda np: lambda a: np.linalg.norm(a)), (A,)),
        ("norm axis", L(lambda np: lambda a: np.linalg.norm(a, axis=1)), (A,)),
        ("norm ord 1", L(lambda np: lambda a: np.linalg.norm(a, ord=1)), (V,)),
        ("norm inf", L(lambda np: lambda a: np.linalg.norm(a, ord=np.inf)), (V,)),
        ("norm complex", L(lambda np: lambda a: np.linalg.norm(a * (1 + 2j))), (V,)),
        ("abs complex", L(lambda np: lambda a: np.abs(a * (0.3 + 1j) + 1)), (V,)),
        ("complex mul", L(lambda np: lambda a: np.real(a * 1j * np.conj(a + 2j))), (V,)),
        ("add.at", L(lambda np: _add_at(np)), (V,)),
    ]
    for spec in specs:
        name, build, args = spec[:3]
        out.append(Case(f"numpy {name}", build, args, spec[3] if len(spec) > 3 else (0,)))
    return out


def _add_at(np):
    def f(a):
        out = np.zeros_like(a[:3])
        np.add.at(out, [0, 1, 0, 2, 2, 1], a)
        return out
    return f


# ---- test_linalg.py -----------------------------------------------------------------
def _sym(d):
    a = R(d, d)
    return a + a.T


def _pd(d):
    a = R(d, d)
    return a @ a.T + d * onp.eye(d)


def _linalg():
    L = lambda f: (lambda ns: f(ns.np))
    out = []
    for d in (3, 4):
        specs = [
            ("inv", L(lambda np: np.linalg.inv), (_pd(d),)),
            ("det", L(lambda np: np.linalg.det), (R(d, d),)),
            ("slogdet", L(lambda np: lambda a: np.linalg.slogdet(a)[1]), (_pd(d),)),
            ("solve", L(lambda np: np.linalg.solve), (_pd(d), R(d)), (0, 1)),
            ("solve matrix", L(lambda np: np.linalg.solve), (_pd(d), R(d, 2)), (0, 1)),
            ("pinv", L(lambda np: np.linalg.pinv), (R(d, d),)),
            ("cholesky", L(lambda np: lambda a: np.linalg.cholesky(a @ a.T + 3 * np.eye(d))),
             (R(d, d),)),
            ("eigh values", L(lambda np: lambda a: np.linalg.eigh(a + a.T)[0]), (R(d, d),)),
            ("eigh vectors", L(lambda np: lambda a: np.abs(np.linalg.eigh(a + a.T)[1])),
             (R(d, d),)),
            ("eigvalsh", L(lambda np: lambda a: np.linalg.eigvalsh(a + a.T)), (R(d, d),)),
            ("svd values", L(lambda np: lambda a: np.linalg.svd(a)[1]), (R(d, d + 1),)),
            ("svd uv", L(lambda np: lambda a: np.abs(np.linalg.svd(a, full_matrices=False)[0])),
             (R(d, d),)),
            ("norm fro", L(lambda np: lambda a: np.linalg.norm(a, "fro")), (R(d, d),)),
            ("norm 2", L(lambda np: lambda a: np.linalg.norm(a, 2)), (R(d, d),)),
            ("norm nuc", L(lambda np: lambda a: np.linalg.norm(a, "nuc")), (R(d, d),)),
            ("matrix_power", L(lambda np: lambda a: np.linalg.matrix_power(a, 3)), (R(d, d),)),
            ("eig values", L(lambda np: lambda a: np.linalg.eig(a)[0]), (_sym(d) + R(d, d) * 0.1,)),
            ("eigvals", L(lambda np: lambda a: np.linalg.eigvals(a)), (_pd(d),)),
            ("qr r", L(lambda np: lambda a: np.abs(np.linalg.qr(a)[1])), (R(d, d),)),
            ("batched inv", L(lambda np: np.linalg.inv), (onp.stack([_pd(d), _pd(d)]),)),
            ("batched det", L(lambda np: np.linalg.det), (R(2, d, d),)),
        ]
        for spec in specs:
            name, build, args = spec[:3]
            out.append(Case(f"linalg {name} d={d}", build, args,
                            spec[3] if len(spec) > 3 else (0,)))
    return out


# ---- test_fft.py ----------------------------------------------------------------------
def _fft():
    L = lambda f: (lambda ns: f(ns.np))
    out = []
    D = 5
    specs = [
        ("fft", lambda np: np.fft.fft, (R(D, D),), {}),
        ("fft ortho", lambda np: np.fft.fft, (R(D, D),), dict(norm="ortho")),
        ("fft axis", lambda np: np.fft.fft, (R(D, D),), dict(axis=0)),
        ("ifft", lambda np: np.fft.ifft, (R(D, D),), {}),
        ("fft2", lambda np: np.fft.fft2, (R(D, D),), {}),
        ("ifft2", lambda np: np.fft.ifft2, (R(D, D),), {}),
        ("fftn", lambda np: np.fft.fftn, (R(D, D),), {}),
        ("ifftn", lambda np: np.fft.ifftn, (R(D, D),), {}),
        ("rfft", lambda np: np.fft.rfft, (R(D, D),), {}),
        ("rfft ortho", lambda np: np.fft.rfft, (R(D, D),), dict(norm="ortho")),
        ("rfft axis", lambda np: np.fft.rfft, (R(D, D),), dict(axis=0)),
        ("irfft", lambda np: lambda a: np.fft.irfft(np.fft.rfft(a)), (R(4, 4),), {}),
        ("irfft ortho", lambda np: lambda a: np.fft.irfft(np.fft.rfft(a), norm="ortho"),
         (R(4, 4),), {}),
        ("rfft2", lambda np: np.fft.rfft2, (R(4, 4),), {}),
        ("irfft2", lambda np: lambda a: np.fft.irfft2(np.fft.rfft2(a)), (R(4, 4),), {}),
        ("rfftn", lambda np: np.fft.rfftn, (R(4, 4, 4),), {}),
        ("irfftn", lambda np: lambda a: np.fft.irfftn(np.fft.rfftn(a)), (R(4, 4, 4),), {}),
        ("fftshift", lambda np: np.fft.fftshift, (R(5, 4),), {}),
        ("ifftshift", lambda np: np.fft.ifftshift, (R(5, 4),), {}),
        ("fftshift axes", lambda np: np.fft.fftshift, (R(5, 4),), dict(axes=1)),
        ("fft complex in", lambda np: np.fft.fft, (C(D),), {}),
    ]
    for name, f, args, kw in specs:
        out.append(Case(f"fft {name}", L(f), args, (0,), kw))
    for name, size in (("fft", 5), ("ifft", 5), ("rfft", 4), ("irfft", 4)):
        for delta in (-2, 2):
            out.append(Case(f"fft {name} n={size + delta}", L(
                lambda np, name=name: getattr(np.fft, name)), (R(size, size),), (0,),
                dict(n=size + delta)))
    for name, size in (("fft2", 5), ("ifft2", 5), ("fftn", 5), ("ifftn", 5), ("rfft2", 4),
                       ("irfft2", 4), ("rfftn", 4), ("irfftn", 4)):
        for s in ((size - 2, size + 2), (size + 2, size - 1)):
            out.append(Case(f"fft {name} s={s}", L(
                lambda np, name=name: getattr(np.fft, name)), (R(size, size),), (0,),
                dict(s=s, axes=(0, 1))))
    return out


# ---- test_scipy.py: scipy.special ---------------------------------------------------
def _special():
    out = []
    for name, lims in (("psi", [0.3, 2.0]), ("digamma", [0.3, 2.0]), ("gamma", [0.3, 2.0]),
                       ("gammaln", [0.3, 2.0]), ("gammasgn", [0.3, 2.0]),
                       ("rgamma", [0.3, 2.0]), ("j0", [0.2, 20.0]), ("j1", [0.2, 20.0]),
                       ("y0", [0.2, 20.0]), ("y1", [0.2, 20.0]), ("i0", [0.2, 20.0]),
                       ("i1", [0.2, 20.0]), ("erf", [-3.0, 3.0]), ("erfc", [-3.0, 3.0]),
                       ("erfinv", [-0.95, 0.95]), ("erfcinv", [0.05, 1.95]),
                       ("logit", [0.1, 0.9]), ("expit", [-4.05, 4.95]),
                       ("i0e", [0.2, 20.0]), ("i1e", [0.2, 20.0]), ("ndtr", [-3.0, 3.0]),
                       ("log_ndtr", [-3.0, 3.0]), ("ndtri", [0.05, 0.95]),
                       ("erfcx", [-2.0, 3.0])):
        out += combos(f"special {name}", spf(name), [_unary_points(lims, False)], [0])
    pos = lambda *s: R(*s) ** 2 + 1.1
    out += combos("special beta", spf("beta"), [[pos(4)], [pos(4)]], [0, 1])
    out += combos("special betaln", spf("betaln"), [[pos(4)], [pos(4)]], [0, 1])
    out += combos("special betainc", spf("betainc"), [[pos(4)], [pos(4)], [U(0.0, 1.0, 4)]],
                  [2])
    for name in ("gammainc", "gammaincc"):
        out += combos(f"special {name}", spf(name), [[1.0, 2.5], [R(4) ** 2 + 1.3]], [1])
    out += combos("special polygamma", spf("polygamma"), [[0, 1, 2], [R(4) ** 2 + 1.3]], [1])
    out += combos("special jn", spf("jn"), [[2], [R(4) ** 2 + 1.3]], [1])
    out += combos("special yn", spf("yn"), [[2], [R(4) ** 2 + 1.3]], [1])
    out += combos("special iv", spf("iv"), [[U(1.0, 50.0, 4)], [R(4) ** 2 + 1.3]], [1])
    out += combos("special ive", spf("ive"), [[U(1.0, 50.0, 4)], [R(4) ** 2 + 1.3]], [1])
    out += combos("special jv", spf("jv"), [[U(1.0, 5.0, 4)], [R(4) ** 2 + 1.3]], [1])
    out += combos("special multigammaln", spf("multigammaln"),
                  [[U(4.0, 5.0), U(4.0, 5.0, 2, 3)], [1, 2, 3]], [0])
    for name in ("logsumexp", "softmax", "log_softmax"):
        out += combos(f"special {name}", spf(name), [[R(4), R(3, 4), R(2, 3, 4)]], [0],
                      axis=[None, 0, -1])
    out += combos("special logsumexp b", lambda ns: lambda a, b: ns.sp.logsumexp(a, b=b),
                  [[R(3, 4)], [U(0.5, 2.0, 3, 4)]], [0, 1])
    out += combos("special logsumexp keepdims",
                  lambda ns: lambda a: ns.sp.logsumexp(a, axis=1, keepdims=True),
                  [[R(3, 4)]], [0])
    return out


def cases():
    """Every case, in a fixed order (the random points are drawn from a fixed seed)."""
    global _rng
    _rng = onp.random.default_rng(0)
    return (_stats() + _unary() + _binary() + _misc() + _scalar_ops() + _binary_ops() +
            _numpy() + _linalg() + _fft() + _special())
