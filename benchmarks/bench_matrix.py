"""Build time of the convolution matrix: sparse (from its non-zero entries) versus dense.

Prints one row per input size n x n with a 3 x 3 kernel (symbolic entries k0..k8 and
integer entries), padding 1: the sparse build, the dense build (sparse=False), their
ratio, and the number of non-zeros. Every timing is the best of 3 runs in this process.
Run:  python benchmarks/bench_matrix.py
"""

import platform
import time

import sympy

from symconv.nn.matrix import conv_matrix


def best(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    symbolic = sympy.Matrix(3, 3, sympy.symbols("k0:9"))
    integer = [[1, 2, 1], [0, 0, 0], [-1, -2, -1]]
    print(f"# {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"SymPy {sympy.__version__}")
    print(f"{'input':>8} {'kernel':>8} {'nnz':>7} {'sparse [s]':>11} {'dense [s]':>10} {'dense/sparse':>13}")
    for n in (8, 16, 32, 64):
        for name, kernel in (("symbolic", symbolic), ("integer", integer)):
            sparse_t = best(lambda: conv_matrix(kernel, (n, n), padding=1))
            nnz = conv_matrix(kernel, (n, n), padding=1).nnz()
            if n <= 32:
                dense_t = best(lambda: conv_matrix(kernel, (n, n), padding=1, sparse=False), 1)
                ratio = f"{dense_t / sparse_t:13.1f}"
                dense = f"{dense_t:10.4f}"
            else:
                dense, ratio = f"{'skipped':>10}", f"{'-':>13}"
            print(f"{n:>4}x{n:<3} {name:>8} {nnz:>7} {sparse_t:11.4f} {dense} {ratio}")


if __name__ == "__main__":
    main()
