"""NumPy's own keyword names on duals (attack28 item 4): ``np.dot(a=x, b=y)``,
``np.tile(A=x, reps=2)``, ``np.linalg.solve(a=A, b=b)``...  raised RecursionError or
the implementation's TypeError.  The dispatch binds a call's keywords to NumPy's
signature; here every registered function that runs positionally on one of a few
argument tuples is called again with every argument NumPy lets a caller name by its
name, and must give the positional call's value and derivatives (the positional call
is itself checked against NumPy's value on plain floats; its derivatives are checked
elsewhere against independent oracles), and a few against central differences.
"""

import inspect

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _fft, _functions, _linalg
from dualgrad.dual import primal

P0 = np.array([2.0, 0.5, 1.0, -1.0, 0.3, 0.7, 1.5, -0.2, 0.9])
P0.flags.writeable = False         # np.put, np.fill_diagonal... write their argument


def _matrix(p):
    return p.reshape(3, 3) + 3 * np.eye(3)


# argument tuples tried in turn: the first that NumPy runs on floats is used
CANDIDATES = (
    lambda p: (_matrix(p),),
    lambda p: (p.copy(),),
    lambda p: (_matrix(p), _matrix(p)),
    lambda p: (p[:3], p[3:6]),
    lambda p: (p.copy(), 1),
    lambda p: (_matrix(p), 1),
    lambda p: (p, [0, 2]),
    lambda p: (p, 3),
    lambda p: (_matrix(p), p[:3]),
    lambda p: (p, 0.0, 1.0),
)


def _flat(result):
    if isinstance(result, (tuple, list)):
        return np.concatenate([_flat(r) for r in result]) if len(result) else np.zeros(0)
    result = np.asarray(result) if not isinstance(result, dg.Dual) else result
    if np.iscomplexobj(primal(result)):
        return np.concatenate([np.ravel(np.real(result)), np.ravel(np.imag(result))])
    return np.ravel(result) * 1.0


def _keywords(func, args):
    """``args`` bound to NumPy's signature, every name NumPy accepts moved to keywords."""
    params = inspect.signature(func).parameters
    bound = inspect.signature(func).bind(*args).arguments
    positional, named = [], {}
    for name, value in bound.items():
        if params[name].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            named[name] = value
        elif named:                       # a positional-only one after a keyword: NumPy
            return None                   # could not be called so
        else:
            positional.append(value)
    return (positional, named) if named else None


def _registry():
    _fft.FFT or _functions._lazy(np.fft.fft)
    funcs = dict(_functions.HANDLED)
    funcs.update(_linalg.LINALG)
    funcs.update(_fft.FFT)
    return sorted(funcs, key=_functions.function_name)


def _case(func):
    """The first candidate NumPy and dualgrad run positionally, with its keyword form."""
    try:
        inspect.signature(func)
    except (TypeError, ValueError):
        return None
    for make in CANDIDATES:
        args = make(P0)
        try:
            expected = _flat(func(*args))
            if expected.dtype == object or not np.all(np.isfinite(expected)):
                continue
            jac = dg.jacobian(lambda p: _flat(func(*make(p))), P0)
        except Exception:
            continue
        form = _keywords(func, args)
        if form is None:
            return None
        return make, form, expected, jac
    return None


def test_every_registered_function_takes_numpys_keyword_names():
    checked, failed = [], []
    for func in _registry():
        case = _case(func)
        if case is None:
            continue
        make, (positional, named), expected, jac = case
        names = list(named)

        def keyword_call(p):
            args = make(p)
            return _flat(func(*args[:len(positional)],
                              **dict(zip(names, args[len(positional):]))))
        try:
            plain = keyword_call(P0)
        except TypeError:               # np.unique_all(x=): NumPy's signature names a
            continue                    # positional-only parameter; NumPy refuses too
        np.testing.assert_array_equal(plain, expected)
        try:
            got = dg.jacobian(keyword_call, P0)
        except Exception as e:          # noqa: BLE001 - reported with the name below
            failed.append(f"{_functions.function_name(func)}({', '.join(names)}=): "
                          f"{type(e).__name__}: {str(e)[:120]}")
            continue
        checked.append(_functions.function_name(func))
        np.testing.assert_array_equal(got, jac)
    assert not failed, "\n".join(failed)
    assert len(checked) >= 120, (len(checked), checked)
    for name in ("np.dot", "np.outer", "np.kron", "np.cross", "np.tensordot", "np.convolve",
                 "np.linalg.solve", "np.linalg.inv", "np.linalg.det", "np.linalg.slogdet",
                 "np.linalg.eigh", "np.linalg.eigvalsh", "np.tile", "np.pad", "np.diag",
                 "np.delete"):
        assert name in checked, name


# attack28's raw errors, each against central differences (8th order) of NumPy on floats
ATTACK = {
    "dot": lambda p: np.atleast_1d(np.dot(a=p, b=p)),
    "outer": lambda p: np.outer(a=p[:2], b=p[2:4]).ravel(),
    "kron": lambda p: np.kron(a=p[:2], b=p[2:4]),
    "cross": lambda p: np.cross(a=p[:3], b=p[3:6]),
    "tensordot": lambda p: np.atleast_1d(np.tensordot(a=_matrix(p), b=_matrix(p), axes=2)),
    "convolve": lambda p: np.convolve(a=p[:3], v=p[3:6]),
    "solve": lambda p: np.linalg.solve(a=_matrix(p), b=p[:3]),
    "inv": lambda p: np.linalg.inv(a=_matrix(p)).ravel(),
    "det": lambda p: np.atleast_1d(np.linalg.det(a=_matrix(p))),
    "slogdet": lambda p: np.atleast_1d(np.linalg.slogdet(a=_matrix(p))[1]),
    "eigh": lambda p: np.linalg.eigh(a=_matrix(p) + _matrix(p).T)[0],
    "eigvalsh": lambda p: np.linalg.eigvalsh(a=_matrix(p) + _matrix(p).T),
    "tile": lambda p: np.tile(A=p, reps=2),
    "pad": lambda p: np.pad(array=p, pad_width=1),
    "diag": lambda p: np.diag(v=_matrix(p)),
    "delete": lambda p: np.delete(arr=p, obj=0),
}


def _central(f, x, h=1e-3):
    c = np.array([1 / 280, -4 / 105, 1 / 5, -4 / 5, 0, 4 / 5, -1 / 5, 4 / 105, -1 / 280])
    cols = []
    for e in np.eye(x.size):
        cols.append(sum(ci * f(x + (k - 4) * h * e) for k, ci in enumerate(c) if ci) / h)
    return np.stack(cols, axis=-1)


@pytest.mark.parametrize("name", sorted(ATTACK))
def test_attack28_keyword_calls(name):
    f = ATTACK[name]
    jac = dg.jacobian(f, P0)
    np.testing.assert_array_equal(dg.jacobian(lambda p: f(p) + 0 * jac.sum(), P0), jac)
    np.testing.assert_allclose(jac, _central(f, P0), rtol=1e-7, atol=1e-8)


def test_keywords_given_twice_or_missing_raise_numpys_complaint():
    p = dg.Dual(np.arange(3.0), np.eye(3))
    with pytest.raises(TypeError, match="multiple values"):
        np.tile(p, A=p, reps=2)
    with pytest.raises(TypeError):
        np.dot(b=p)
