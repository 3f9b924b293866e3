"""A corpus of real least-squares residual functions for bench/bench_corpus.py.

The 20 problems are the Moré-Garbow-Hillstrom / Moré-Wild derivative-free test set as
SciPy's benchmark suite implements it in Python:

    repository scipy/scipy (BSD-3-Clause)
    path       benchmarks/benchmarks/cutest/dfovec.py   (residuals, one function per problem)
               benchmarks/benchmarks/cutest/dfoxs.py    (starting points)
    commit     02cfb01f794ae3155df77d6b243d8343ed5d263e (dfovec.py as read)

and J. J. Moré, B. S. Garbow, K. E. Hillstrom, "Testing unconstrained optimization
software", ACM TOMS 7 (1981), and J. J. Moré, S. M. Wild, "Benchmarking derivative-free
optimization algorithms", SIAM J. Optim. 20 (2009) for the formulas and data.

Each function here is written anew from those formulas (this project keeps other
projects' code out of its files), in the style the source uses: short Python loops over
the residuals and data points, scalar element access ``x[j]``, NumPy ufuncs on scalars,
and the residual vector returned as an array.  The one change a dualgrad user must make
to such code is the buffer: the source fills ``np.zeros(m)``, which cannot hold duals,
so these build a list and return ``np.array(...)`` or fill ``np.zeros_like(x, shape=m)``
(docs/writing-code.md); both are as natural and both run on floats unchanged.

``PROBLEMS``: name -> (residual function, starting point, number of residuals).
"""

import numpy as np

# Data of the Bard, Kowalik-Osborne, Meyer, Osborne 1 and Osborne 2 problems (MGH 1981)
BARD_Y = [0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34,
          2.10, 4.39]
KOWALIK_V = [4.0, 2.0, 1.0, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625]
KOWALIK_Y = [0.1957, 0.1947, 0.1735, 0.16, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235,
             0.0246]
MEYER_Y = [34780.0, 28610.0, 23650.0, 19630.0, 16370.0, 13720.0, 11540.0, 9744.0, 8261.0,
           7030.0, 6005.0, 5147.0, 4427.0, 3820.0, 3307.0, 2872.0]
OSBORNE1_Y = [0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.85, 0.818, 0.784, 0.751,
              0.718, 0.685, 0.658, 0.628, 0.603, 0.58, 0.558, 0.538, 0.522, 0.506, 0.49,
              0.478, 0.467, 0.457, 0.448, 0.438, 0.431, 0.424, 0.42, 0.414, 0.411, 0.406]
OSBORNE2_Y = [1.366, 1.191, 1.112, 1.013, 0.991, 0.885, 0.831, 0.847, 0.786, 0.725, 0.746,
              0.679, 0.608, 0.655, 0.616, 0.606, 0.602, 0.626, 0.651, 0.724, 0.649, 0.649,
              0.694, 0.644, 0.624, 0.661, 0.612, 0.558, 0.533, 0.495, 0.5, 0.423, 0.395,
              0.375, 0.372, 0.391, 0.396, 0.405, 0.428, 0.429, 0.523, 0.562, 0.607, 0.653,
              0.672, 0.708, 0.633, 0.668, 0.645, 0.632, 0.591, 0.559, 0.597, 0.625, 0.739,
              0.71, 0.729, 0.72, 0.636, 0.581, 0.428, 0.292, 0.162, 0.098, 0.054]


def linear_full_rank(x, m=45):
    n = len(x)
    s = 0.0
    for j in range(n):
        s = s + x[j]
    c = 2.0 * s / m + 1.0
    out = []
    for i in range(m):
        out.append(x[i] - c if i < n else -c)
    return np.array(out)


def linear_rank_one(x, m=20):
    s = 0.0
    for j in range(len(x)):
        s = s + (j + 1) * x[j]
    return np.array([(i + 1) * s - 1.0 for i in range(m)])


def linear_rank_one_zero_rows(x, m=14):
    n = len(x)
    s = 0.0
    for j in range(1, n - 1):
        s = s + (j + 1) * x[j]
    out = [i * s - 1.0 for i in range(m - 1)]
    out.append(0.0 * s - 1.0)
    return np.array(out)


def rosenbrock(x):
    return np.array([10.0 * (x[1] - x[0] ** 2), 1.0 - x[0]])


def helical_valley(x):
    if x[0] > 0:
        theta = np.arctan(x[1] / x[0]) / (2 * np.pi)
    elif x[0] < 0:
        theta = np.arctan(x[1] / x[0]) / (2 * np.pi) + 0.5
    else:
        theta = 0.25 + 0.0 * x[1]
    r = np.sqrt(x[0] ** 2 + x[1] ** 2)
    return np.array([10.0 * (x[2] - 10.0 * theta), 10.0 * (r - 1.0), x[2]])


def powell_singular(x):
    return np.array([x[0] + 10.0 * x[1], np.sqrt(5.0) * (x[2] - x[3]),
                     (x[1] - 2.0 * x[2]) ** 2, np.sqrt(10.0) * (x[0] - x[3]) ** 2])


def freudenstein_roth(x):
    a = -13.0 + x[0] + ((5.0 - x[1]) * x[1] - 2.0) * x[1]
    b = -29.0 + x[0] + ((1.0 + x[1]) * x[1] - 14.0) * x[1]
    return np.array([a, b])


def bard(x):
    out = []
    for i in range(15):
        u = i + 1.0
        v = 15.0 - i
        w = min(u, v)
        out.append(BARD_Y[i] - (x[0] + u / (v * x[1] + w * x[2])))
    return np.array(out)


def kowalik_osborne(x):
    out = np.zeros_like(x, shape=11)
    for i in range(11):
        v = KOWALIK_V[i]
        out[i] = KOWALIK_Y[i] - x[0] * v * (v + x[1]) / (v * (v + x[2]) + x[3])
    return out


def meyer(x):
    out = []
    for i in range(16):
        t = 45.0 + 5.0 * (i + 1)
        out.append(x[0] * np.exp(x[1] / (t + x[2])) - MEYER_Y[i])
    return np.array(out)


def watson(x):
    n = len(x)
    out = []
    for i in range(29):
        t = (i + 1) / 29.0
        s1 = 0.0
        for j in range(1, n):
            s1 = s1 + j * x[j] * t ** (j - 1)
        s2 = 0.0
        for j in range(n):
            s2 = s2 + x[j] * t ** j
        out.append(s1 - s2 ** 2 - 1.0)
    out.append(x[0])
    out.append(x[1] - x[0] ** 2 - 1.0)
    return np.array(out)


def box_3d(x, m=10):
    out = []
    for i in range(m):
        t = (i + 1) / 10.0
        out.append(np.exp(-t * x[0]) - np.exp(-t * x[1]) -
                   x[2] * (np.exp(-t) - np.exp(-10.0 * t)))
    return np.array(out)


def jennrich_sampson(x, m=10):
    i = np.arange(1.0, m + 1.0)
    return 2.0 + 2.0 * i - (np.exp(i * x[0]) + np.exp(i * x[1]))


def brown_dennis(x, m=20):
    t = np.arange(1.0, m + 1.0) / 5.0
    a = x[0] + t * x[1] - np.exp(t)
    b = x[2] + x[3] * np.sin(t) - np.cos(t)
    return a ** 2 + b ** 2


def chebyquad(x):
    n = len(x)
    m = n
    out = [0.0] * m
    for j in range(n):
        t_prev, t_cur = 1.0, 2.0 * x[j] - 1.0
        for i in range(m):
            out[i] = out[i] + t_cur
            t_prev, t_cur = t_cur, 2.0 * (2.0 * x[j] - 1.0) * t_cur - t_prev
    for i in range(m):
        out[i] = out[i] / n
        if (i + 1) % 2 == 0:
            out[i] = out[i] + 1.0 / ((i + 1) ** 2 - 1.0)
    return np.array(out)


def brown_almost_linear(x):
    n = len(x)
    s = np.sum(x) - (n + 1.0)
    return np.append(x[:-1] + s, np.prod(x) - 1.0)


def osborne_1(x):
    t = 10.0 * np.arange(33.0)
    y = np.array(OSBORNE1_Y)
    return y - (x[0] + x[1] * np.exp(-x[3] * t) + x[2] * np.exp(-x[4] * t))


def osborne_2(x):
    t = np.arange(65.0) / 10.0
    y = np.array(OSBORNE2_Y)
    model = (x[0] * np.exp(-x[4] * t) + x[1] * np.exp(-x[5] * (t - x[8]) ** 2) +
             x[2] * np.exp(-x[6] * (t - x[9]) ** 2) + x[3] * np.exp(-x[7] * (t - x[10]) ** 2))
    return y - model


def bdqrtic(x):
    n = len(x)
    first = [3.0 - 4.0 * x[i] for i in range(n - 4)]
    second = [x[i] ** 2 + 2.0 * x[i + 1] ** 2 + 3.0 * x[i + 2] ** 2 + 4.0 * x[i + 3] ** 2 +
              5.0 * x[n - 1] ** 2 for i in range(n - 4)]
    return np.array(first + second)


def cube(x):
    out = [x[0] - 1.0]
    for i in range(1, len(x)):
        out.append(10.0 * (x[i] - x[i - 1] ** 3))
    return np.array(out)


def heart8(x):
    a, b, c, d, t, u, v, w = x
    return np.array([
        a + b + 0.69,
        c + d + 0.044,
        t * a + u * b - v * c - w * d + 1.57,
        v * a + w * b + t * c + u * d + 1.31,
        a * (t ** 2 - v ** 2) - 2.0 * c * t * v + b * (u ** 2 - w ** 2) - 2.0 * d * u * w + 2.65,
        c * (t ** 2 - v ** 2) + 2.0 * a * t * v + d * (u ** 2 - w ** 2) + 2.0 * b * u * w - 2.0,
        a * t * (t ** 2 - 3.0 * v ** 2) + c * v * (v ** 2 - 3.0 * t ** 2) +
        b * u * (u ** 2 - 3.0 * w ** 2) + d * w * (w ** 2 - 3.0 * u ** 2) + 12.6,
        c * t * (t ** 2 - 3.0 * v ** 2) - a * v * (v ** 2 - 3.0 * t ** 2) +
        d * u * (u ** 2 - 3.0 * w ** 2) - b * w * (w ** 2 - 3.0 * v ** 2) - 9.48,
    ])


PROBLEMS = {
    "linear full rank (9)": (linear_full_rank, np.ones(9)),
    "linear rank 1 (7)": (linear_rank_one, np.ones(7)),
    "linear rank 1, zero rows (7)": (linear_rank_one_zero_rows, np.ones(7)),
    "Rosenbrock (2)": (rosenbrock, np.array([-1.2, 1.0])),
    "helical valley (3)": (helical_valley, np.array([-1.0, 0.0, 0.0])),
    "Powell singular (4)": (powell_singular, np.array([3.0, -1.0, 0.0, 1.0])),
    "Freudenstein-Roth (2)": (freudenstein_roth, np.array([0.5, -2.0])),
    "Bard (3)": (bard, np.ones(3)),
    "Kowalik-Osborne (4)": (kowalik_osborne, np.array([0.25, 0.39, 0.415, 0.39])),
    "Meyer (3)": (meyer, np.array([0.02, 4000.0, 250.0])),
    "Watson (6)": (watson, np.full(6, 0.5)),
    "Box 3-D (3)": (box_3d, np.array([0.0, 10.0, 20.0])),
    "Jennrich-Sampson (2)": (jennrich_sampson, np.array([0.3, 0.4])),
    "Brown-Dennis (4)": (brown_dennis, np.array([25.0, 5.0, -5.0, -1.0])),
    "Chebyquad (7)": (chebyquad, np.arange(1.0, 8.0) / 8.0),
    "Brown almost-linear (10)": (brown_almost_linear, np.full(10, 0.5)),
    "Osborne 1 (5)": (osborne_1, np.array([0.5, 1.5, -1.0, 0.01, 0.02])),
    "Osborne 2 (11)": (osborne_2, np.array([1.3, 0.65, 0.65, 0.7, 0.6, 3.0, 5.0, 7.0, 2.0,
                                            4.5, 5.5])),
    "Bdqrtic (10)": (bdqrtic, np.ones(10)),
    "cube (8)": (cube, np.full(8, 0.5)),
    "heart8 (8)": (heart8, np.array([-0.3, -0.39, 0.3, -0.344, -1.2, 2.69, 1.59, -1.5])),
}
