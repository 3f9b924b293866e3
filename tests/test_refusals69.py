"""Stop 69's refusals that name the right fix (refusals69): a store into a nested dual with
a read-only level (exact68's Left), a helper that fills a buffer from several arguments
(user68), dg.quad's removable 0 / 0 at a moving limit (attackb68 M1), and the reports of
``u ** -1`` / ``u ** 0.5`` in NumPy's words for the operator."""

import warnings

import numpy as np
import pytest

import dualgrad as dg
from _probes import module_from_source

X0 = np.array([1.0, 2.0, 3.0])


# ---- exact68's Left: a store into a nested dual whose inner level is read-only ---------

STORES = {
    "d[1] = k": lambda d, k: d.__setitem__(1, k),
    "d[1] = 0.5": lambda d, k: d.__setitem__(1, 0.5),
    "d[1:3] = d[:2] * 2": lambda d, k: d.__setitem__(slice(1, 3), d[:2] * 2),
    "d[[0, 2]] = k": lambda d, k: d.__setitem__([0, 2], k),
    "d.fill(k)": lambda d, k: d.fill(k),
    "d.flat[1] = k": lambda d, k: d.flat.__setitem__(1, k),
    "d *= 2": lambda d, k: d.__imul__(2.0),
    "d += k": lambda d, k: d.__iadd__(k),
}
LEVELS = ["value.value", "value.partials", "partials.value", "partials.partials"]


def _leaf(d, path):
    for name in path.split("."):
        d = getattr(d, name)
    return d


@pytest.mark.filterwarnings("ignore::dualgrad.CaughtErrorWarning")   # (f catches it)
@pytest.mark.parametrize("name", list(STORES))
@pytest.mark.parametrize("level", LEVELS)
def test_a_store_into_a_nested_dual_with_a_read_only_level_writes_nothing(name, level):
    # inside dg.hessian d = x * x holds array duals as its value and its partials; a
    # read-only array at an inner level refused only once the levels before it were
    # written (d[1] = k with d.value.partials read-only: d.value.value written, NumPy's
    # bare "assignment destination is read-only")
    seen = {}

    def f(x):
        d = np.sin(x) * x
        k = x[0] * x[1] * 3.0
        arrays = [_leaf(d, p) for p in LEVELS]
        assert all(type(a) is np.ndarray for a in arrays)
        _leaf(d, level).setflags(write=False)
        before = [a.copy() for a in arrays]
        with pytest.raises(ValueError) as info:
            STORES[name](d, k)
        seen["message"] = str(info.value)
        seen["same"] = all(np.array_equal(a, _leaf(d, p)) for a, p in zip(before, LEVELS))
        return x[0] * x[0]

    H = dg.hessian(f, X0)
    np.testing.assert_array_equal(H, np.diag([2.0, 0.0, 0.0]))
    assert seen["same"]
    message = seen["message"]
    assert message.startswith("dualgrad: ")                           # who
    assert "writeable at every level" in message                      # expected
    assert f"(d.{level}.flags.writeable is False)" in message         # received
    assert "nothing was written" in message
    assert "Fix: store into a copy, d = d.copy()" in message          # the fix
    assert "of test_refusals69.py: `" in message                      # the user's line


def test_the_advised_copy_of_a_nested_dual_gives_the_analytic_hessian():
    # the fix the refusal names, run: d = d.copy() then the store
    seen = {}

    def f(x):
        d = x * x
        d.value.partials.setflags(write=False)
        try:
            d[1] = x[0]
        except ValueError as exc:
            seen["message"] = str(exc)
        d = d.copy()
        d[1] = x[0]
        return np.sum(d * d)          # x0**4 + x0**2 + x2**4

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.CaughtErrorWarning)
        H = dg.hessian(f, X0)
    x0, x2 = X0[0], X0[2]
    np.testing.assert_allclose(H, np.diag([12 * x0 ** 2 + 2, 0.0, 12 * x2 ** 2]),
                               rtol=1e-14, atol=0)
    assert "d.value.partials.flags.writeable is False" in seen["message"]
    assert "`d[1] = x[0]`" in seen["message"]


# ---- user68: a helper that fills a buffer from several of its arguments ------------------

HELPER = '''import numpy as np


def make_2x2_array(a, b, c, d, dtype=float):
    my_array = np.empty((2, 2), dtype=dtype)
    my_array[0, 0] = a
    my_array[0, 1] = b
    my_array[1, 0] = c
    my_array[1, 1] = d
    return my_array
'''


def _transfer(make):
    """tmm's coh_tmm in small: the dual in a and d (a phase), then in b and c (a
    Fresnel coefficient); the result's real and imaginary parts."""
    def f(x):
        M = make(np.exp(-1j * x[0]), 0, 0, np.exp(1j * x[0]), dtype=complex)
        N = make(1, x[1], x[1], 1, dtype=complex)
        P = M @ N
        return np.concatenate([P.real.ravel(), P.imag.ravel()])
    return f


def _transfer_jacobian(x):
    """The analytic Jacobian of :func:`_transfer`: P = [[e, x1 e], [x1 / e, 1 / e]],
    e = exp(-i x0)."""
    e, x1 = np.exp(-1j * x[0]), x[1]
    d0 = np.array([-1j * e, -1j * x1 * e, 1j * x1 / e, 1j / e])
    d1 = np.array([0, e, 1 / e, 0])
    J = np.stack([d0, d1], axis=1)
    return np.concatenate([J.real, J.imag])


def _advice(message, name):
    """The statement the fix offers: ``name = ...`` up to where the advice goes on."""
    start = message.index(f"{name} = ", message.index("build it from all of them"))
    for end in (" in place of line", " at line"):
        stop = message.find(end, start)
        if stop > 0:
            return message[start:stop]
    raise AssertionError(message)


def test_a_helper_filled_from_several_arguments_is_told_a_fix_for_every_call(tmp_path):
    helper = module_from_source(tmp_path, "tmm_helper", HELPER)
    x = np.array([0.3, 0.2])
    messages = []
    for f in (_transfer(helper.make_2x2_array),
              lambda x: helper.make_2x2_array(1, x[1], x[1], 1).ravel()):
        with pytest.raises(TypeError) as info:
            dg.jacobian(f, x)
        messages.append(str(info.value))
    for message, here in zip(messages, "ab"):
        assert message.startswith("dualgrad.jacobian: my_array[0, ")          # who, what
        assert "expected a buffer that holds duals" in message                # expected
        assert "(complex128, shape (2, 2), made at line 5: my_array = np.empty((2, 2), " \
            "dtype=dtype))" in message or "(float64, shape (2, 2)" in message  # received
        assert "make_2x2_array fills my_array from a, b, c and d (lines 6-9)" in message
        assert f"(here {here}; at another call another)" in message
        assert "in place of lines 5-9" in message and "at line 5" in message  # the line
        assert "The values are complex" not in message    # (both spellings take the kind)
    # the same advice whichever argument held the dual (it was a's, then b's: user68)
    assert _advice(messages[0], "my_array") == _advice(messages[1], "my_array") == \
        "my_array = np.block([[a, b], [c, d]]) + np.zeros((2, 2), dtype=dtype)"
    tail = messages[0][messages[0].index(" or keep the stores"):]
    assert "my_array = np.zeros_like(a + b + c + d, shape=(2, 2), dtype=dtype) at " \
        "line 5" in tail


@pytest.mark.parametrize("spelling", ["block", "sum"])
def test_the_advised_buffers_give_the_analytic_jacobian_and_numpy_plain(tmp_path, spelling):
    # each fix the refusal offers, written into the helper and run: the Jacobian at
    # every position of the dual, and the plain call's values and dtype unchanged
    helper = module_from_source(tmp_path, "tmm_before", HELPER)
    with pytest.raises(TypeError) as info:
        dg.jacobian(_transfer(helper.make_2x2_array), np.array([0.3, 0.2]))
    message = str(info.value)
    lines = HELPER.splitlines()
    if spelling == "block":
        statement = _advice(message, "my_array")
        fixed = lines[:4] + [f"    {statement}"] + lines[9:]
    else:
        tail = message[message.index(" or keep the stores"):]
        statement = tail[tail.index("my_array = "):tail.index(" at line 5")]
        fixed = lines[:4] + [f"    {statement}"] + lines[5:]
    module = module_from_source(tmp_path, f"tmm_{spelling}", "\n".join(fixed) + "\n")
    for x in (np.array([0.3, 0.2]), np.array([-1.1, 2.5])):
        J = dg.jacobian(_transfer(module.make_2x2_array), x)
        np.testing.assert_allclose(J, _transfer_jacobian(x), rtol=1e-14, atol=1e-15)
        J = dg.jacobian(lambda v: module.make_2x2_array(np.cos(v[0]), v[1], v[0] * v[1],
                                                        2.0).ravel(), x)
        np.testing.assert_allclose(J, [[-np.sin(x[0]), 0], [0, 1], [x[1], x[0]], [0, 0]],
                                   rtol=1e-15, atol=0)
    for args, dtype in (((1, 0, 0, 1), complex), ((1, 2, 3, 4), float),
                        ((0.5, 1j, 2, 3), complex)):
        got = module.make_2x2_array(*args, dtype=dtype)
        want = helper.make_2x2_array(*args, dtype=dtype)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


OTHERS = {
    "vec3": ('''import numpy as np


def vec3(a, b, c):
    v = np.zeros(3)
    v[0] = a
    v[1] = b
    v[2] = c
    return v
''', "v = np.block([a, b, c]) + np.zeros(3)"),
    "pack": ('''import numpy as np


def pack(a, b):
    v = np.empty(3)
    v[:2] = a
    v[2] = b
    return v
''', "v = np.zeros_like(a + b, shape=3, dtype=float)"),
}


@pytest.mark.parametrize("name", list(OTHERS))
def test_a_vector_filled_from_several_arguments(tmp_path, name):
    # a 1-D buffer filled element by element (np.block), and one filled by a slice
    # and an element (no block: the sum's spelling), each run at every position of the
    # dual against the analytic Jacobian, and plain calls keeping NumPy's float64
    source, advice = OTHERS[name]
    module = module_from_source(tmp_path, name, source)
    make = getattr(module, name)
    args = (lambda x: (1.0, x[0], 2 * x[1])) if name == "vec3" else \
        (lambda x: (np.array([1.0, 2.0]), x[0]))
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda x: make(*args(x)), np.array([0.3, 0.2]))
    message = str(info.value)
    if name == "vec3":
        assert _advice(message, "v") == advice
    else:                             # (no block: this call's fix, then every call's)
        assert "Fix: make it v = np.zeros_like(b, shape=3) at line 5" in message
        said = "a buffer made like b is plain at that call: make it "
        assert message[message.index(said) + len(said):].startswith(advice + " instead")
    line = 4                          # the maker's line (0-based), then the stores
    rest = source.splitlines()
    if name == "vec3":
        fixed = rest[:line] + [f"    {advice}"] + rest[line + 4:]
    else:
        fixed = rest[:line] + [f"    {advice}"] + rest[line + 1:]
    module = module_from_source(tmp_path, name + "_fixed", "\n".join(fixed) + "\n")
    make = getattr(module, name)
    x = np.array([0.3, 0.2])
    if name == "vec3":
        for k in range(3):            # the dual in a, then b, then c
            J = dg.jacobian(lambda v: make(*[v[0] * v[1] if i == k else 1.0 + i
                                             for i in range(3)]), x)
            want = np.zeros((3, 2))
            want[k] = [x[1], x[0]]
            np.testing.assert_array_equal(J, want)
        got = make(1, 2, 3)
    else:
        J = dg.jacobian(lambda v: make(np.sin(v), 2.0), x)
        np.testing.assert_array_equal(J, [[np.cos(x[0]), 0], [0, np.cos(x[1])], [0, 0]])
        J = dg.jacobian(lambda v: make(np.array([1.0, 2.0]), v[0] * v[1]), x)
        np.testing.assert_array_equal(J, [[0, 0], [0, 0], [x[1], x[0]]])
        got = make(np.array([1, 2]), 3)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, [1.0, 2.0, 3.0])


# ---- attackb68 M1: dg.quad's removable 0 / 0 at a moving limit ----------------------------

def _sin_over(t):
    return np.sin(t) / t


SPELLINGS = {
    "np.sinc": lambda t: np.sinc(t / np.pi),
    "series branch": lambda t: np.where(t * t < 1e-8, 1 - t * t / 6, np.sin(t) / t),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")      # (NumPy's 0 / 0 at t = 0)
@pytest.mark.parametrize("side", ["lower", "upper"])
def test_a_removable_zero_over_zero_at_a_moving_limit_is_told_sinc(side):
    # d/dx of the integral of sin(t) / t from x to 1 (or from -1 to x) at x = 0: the
    # refusal offered the Abel kernel's substitution x = b - u**2, which leaves the 0 / 0
    def area(x, g=_sin_over):
        return dg.quad(g, x, 1.0)[0] if side == "lower" else dg.quad(g, -1.0, x)[0]

    with pytest.raises(TypeError) as info:
        dg.derivative(area, 0.0)
    message = str(info.value)
    assert message.startswith("dualgrad.quad: expected func finite at a limit that "
                              "moves")                                     # who, expected
    assert "got f = nan at the moving limit 0.0, where func's values just inside the " \
        "range tend to a finite number" in message                         # received
    assert "func is _sin_over at line" in message                          # the func
    assert "dg.quad called at line" in message and "of test_refusals69.py: `" in message
    assert "np.sinc(t / np.pi) for np.sin(t) / t" in message               # the fix
    assert "np.where(t * t < 1e-8, 1 - t * t / 6, np.sin(t) / t)" in message
    assert "b - u**2" not in message
    sign = -1.0 if side == "lower" else 1.0       # d/dx: -f(x) at a lower, f(x) an upper
    for name, g in SPELLINGS.items():             # the advice, run: sin(x) / x and its
        for x in (0.0, 0.3, -0.2):                # slope (x cos x - sin x) / x**2
            d = dg.derivative(lambda v: area(v, g), x)
            H = dg.hessian(lambda v: area(v[0], g), np.array([x]))[0, 0]
            f = 1.0 if x == 0 else np.sin(x) / x
            df = 0.0 if x == 0 else (x * np.cos(x) - np.sin(x)) / x ** 2
            assert d == pytest.approx(sign * f, rel=1e-14, abs=0), name
            assert H == pytest.approx(sign * df, rel=1e-9, abs=1e-15), name


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("g", [lambda t: 1 / np.sqrt(t), lambda t: t / t ** 1.5],
                         ids=["1 / sqrt(t)", "t / t**1.5"])
def test_a_func_infinite_at_a_moving_limit_keeps_the_substitution(g):
    # (a guard: 1 / sqrt(t) and a 0 / 0 that grows like t**-0.5 are no removable
    # quotient; the Abel kernel's substitution stays their advice, the line added)
    with pytest.raises(TypeError) as info:
        dg.derivative(lambda x: dg.quad(g, x, 1.0)[0], 0.0)
    message = str(info.value)
    assert "x = b - u**2 for a 1 / sqrt(b - x) kernel" in message
    assert "np.sinc" not in message


# ---- small68's Left: u ** -1 / u ** 0.5 report in NumPy's operator's words --------------

def _reports(call):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            call()
        except FloatingPointError as exc:
            return ["FloatingPointError: " + str(exc)]
    return sorted({str(w.message) for w in seen if issubclass(w.category, RuntimeWarning)})


def _raising(call):
    def run():
        with np.errstate(all="raise"):
            return call()
    return run


POWERS = {           # spelling, NumPy's word for it (NumPy 2.4: the Python int -1's and
    "u ** -1": (lambda v: v ** -1, "divide by zero encountered in reciprocal"),  # float
    "u ** 0.5": (lambda v: v ** 0.5, "invalid value encountered in sqrt"),      # 0.5's)
    "u **= -1": (lambda v: v.__ipow__(-1), "divide by zero encountered in reciprocal"),
    "u **= 0.5": (lambda v: v.__ipow__(0.5), "invalid value encountered in sqrt"),
}


@pytest.mark.parametrize("n", [3, 3000], ids=["small", "general path"])
@pytest.mark.parametrize("name", list(POWERS))
def test_a_reciprocal_or_square_root_power_reports_what_the_user_wrote(name, n):
    # the dual's u ** -1 of a zero said "divide by zero encountered in power", u ** 0.5
    # of a negative "invalid value encountered in power", where NumPy's operator on the
    # float array says "... in reciprocal" / "... in sqrt"
    f, word = POWERS[name]
    x = np.linspace(-1.0, 1.0, n)
    x[n // 2] = 0.0

    def g(v):
        v = v * 1.0
        return f(v)

    assert _reports(lambda: g(x.copy())) == [word]                    # NumPy's own
    assert _reports(lambda: dg.jvp(g, x, np.ones(n))) == [word]
    assert _reports(_raising(lambda: dg.jvp(g, x, np.ones(n)))) == \
        ["FloatingPointError: " + word]
    y = np.linspace(0.5, 2.0, 5)              # the derivative, against its formula
    J = dg.jacobian(g, y)
    want = -1 / y ** 2 if "-1" in name else 0.5 / np.sqrt(y)
    np.testing.assert_allclose(J, np.diag(want), rtol=2e-16, atol=0)


@pytest.mark.parametrize("n", [3, 3000], ids=["small", "general path"])
def test_other_spellings_keep_numpys_power_words(n):
    # (a guard: np.power(u, -1), u ** -1.0, u ** np.float64(0.5) and u ** 2.5 are
    # np.power in NumPy too, and both trees say so)
    x = np.linspace(-1.0, 1.0, n)
    x[n // 2] = 0.0
    for f in (lambda v: np.power(v, -1), lambda v: v ** -1.0,
              lambda v: v ** np.float64(0.5), lambda v: v ** 2.5):
        plain = _reports(lambda: f(x.copy()))
        assert plain and all(w.endswith("in power") for w in plain)
        assert _reports(lambda: dg.jvp(f, x, np.ones(n))) == plain

