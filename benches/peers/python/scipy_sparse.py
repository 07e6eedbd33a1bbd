"""SciPy's solve_ivp (BDF, with jac_sparsity: grouped finite differences and SuperLU): the
peer of odegen's sparse benchmark (benches/sparse.rs runs it).

    python3 scipy_sparse.py <problem> <size> <rtol> <atol> <t1> <reps>

The problems, initial states and component order are those of benches/peers/c/cvode_sparse.c
(and tests/problems/*.rs). Prints "median_seconds steps nfev njev nlu", then the final state,
one component per line.
"""
import sys
import time

import numpy as np
import scipy.sparse as sp
from scipy.integrate import solve_ivp


def brusselator(n):
    nn = n * n
    dx = 1.0 / (n - 1)
    a, b, c = 3.4, 1.0, 10.0 / (dx * dx)
    i = np.arange(n)
    x = i * dx
    X, Y = np.meshgrid(x, x, indexing="xy")  # X[j, i] = x_i, Y[j, i] = y_j
    disc = (((X - 0.3) ** 2 + (Y - 0.6) ** 2) <= 0.1 * 0.1).ravel()

    def lap(w):
        w = w.reshape(n, n)  # w[j, i]: component i + n j
        return (np.roll(w, 1, 1) + np.roll(w, -1, 1) + np.roll(w, 1, 0) + np.roll(w, -1, 0)
                - 4.0 * w).ravel()

    def f(t, y):
        u, v = y[:nn], y[nn:]
        uuv = u * u * v
        forcing = 5.0 * disc if t >= 1.1 else 0.0
        return np.concatenate((c * lap(u) + b + uuv - (a + 1.0) * u + forcing,
                               c * lap(v) + a * u - uuv))

    rows, cols = [], []
    for s in range(2):
        for k in range(nn):
            ii, jj = k % n, k // n
            r = s * nn + k
            for col in ((ii - 1) % n + n * jj, (ii + 1) % n + n * jj,
                        ii + n * ((jj + 1) % n), ii + n * ((jj - 1) % n), k):
                rows.append(r)
                cols.append(s * nn + col)
            rows.append(r)
            cols.append((1 - s) * nn + k)
    pattern = sp.csc_matrix((np.ones(len(rows)), (rows, cols)), shape=(2 * nn, 2 * nn))
    y0 = np.concatenate(((22.0 * (Y * (1.0 - Y)) ** 1.5).ravel(),
                         (27.0 * (X * (1.0 - X)) ** 1.5).ravel()))
    return f, pattern, y0


def heat1d(n):
    c = float((n + 1) ** 2)

    def f(t, y):
        d = -2.0 * y
        d[1:] += y[:-1]
        d[:-1] += y[1:]
        return c * d

    pattern = sp.diags([1.0, 1.0, 1.0], [-1, 0, 1], shape=(n, n), format="csc")
    h = 1.0 / (n + 1)
    xs = (np.arange(n) + 1) * h
    y0 = sum(a * np.sin(k * np.pi * xs) for k, a in ((1, 1.0), (3, 0.5), (n // 2 + 1, 0.3)))
    return f, pattern, y0


def heat2d(n):
    c = float((n + 1) ** 2)

    def f(t, y):
        w = y.reshape(n, n)
        d = -4.0 * w
        d[:, 1:] += w[:, :-1]
        d[:, :-1] += w[:, 1:]
        d[1:, :] += w[:-1, :]
        d[:-1, :] += w[1:, :]
        return c * d.ravel()

    t1 = sp.diags([1.0, 1.0, 1.0], [-1, 0, 1], shape=(n, n))
    eye = sp.identity(n)
    pattern = (sp.kron(eye, t1) + sp.kron(t1, eye)).tocsc()
    h = 1.0 / (n + 1)
    xs = (np.arange(n) + 1) * h
    X, Y = np.meshgrid(xs, xs, indexing="xy")
    y0 = sum(a * np.sin(k * np.pi * X) * np.sin(l * np.pi * Y)
             for k, l, a in ((1, 1, 1.0), (2, 3, 0.5), (n // 2 + 1, n // 2, 0.3))).ravel()
    return f, pattern, y0


def main():
    problem, size, rtol, atol, t1, reps = sys.argv[1:]
    size, rtol, atol, t1, reps = int(size), float(rtol), float(atol), float(t1), int(reps)
    f, pattern, y0 = {"bruss": brusselator, "heat1d": heat1d, "heat2d": heat2d}[problem](size)
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        sol = solve_ivp(f, (0.0, t1), y0, method="BDF", rtol=rtol, atol=atol,
                        jac_sparsity=pattern)
        times.append(time.perf_counter() - start)
        if not sol.success:
            sys.exit("solve_ivp failed: " + sol.message)
    times.sort()
    print(f"{times[len(times) // 2]:.9g} {sol.t.size - 1} {sol.nfev} {sol.njev} {sol.nlu}")
    for v in sol.y[:, -1]:
        print(repr(float(v)))


if __name__ == "__main__":
    main()
