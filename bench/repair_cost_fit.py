#!/usr/bin/env python3
"""bench/repair_cost_fit.py: fits the constants of repair's cost model.

dnnc --repair charges every training a cost worked out from the program and
the data (passes/repair/repair_cost.c): a linear model over a few features of the
run.  With DNNC_REPAIR_COST_LOG=FILE, repair appends one line per training
(its features and its measured wall-clock seconds) and one comment per data
load.  This script fits the per-feature constants to such a log by
non-negative least squares on the relative error (a cost model must get
small trainings right as well as large ones), prints them as the C
initialiser of passes/repair/repair_cost.c, and says how well the model predicts.
Two constants come from the comments: the cost of forking a worker (the
median over batches of the batch's wall-clock time less the makespan of its
trainings' measured times, as the pool schedules them) and the cost of
loading a dataset, fixed and per value (the same least squares over the
loads).

    DNNC_REPAIR_COST_LOG=/tmp/cost.log dnnc --repair FILE ...   (many programs)
    python3 bench/repair_cost_fit.py /tmp/cost.log

Plain Python, no numpy: the normal equations of at most a dozen features are
solved by Gaussian elimination; features whose coefficient comes out
negative are dropped and the rest refitted (the active-set idea of
Lawson and Hanson, without its exchange steps).
"""
import re
import sys

FEATURES = ["job", "params", "steps", "eval_chunks", "step_params", "step_roots", "dense_macs", "conv_macs",
            "elems", "transcendental", "dropout"]
C_NAMES = ["JOB", "PARAMS", "STEPS", "EVAL_CHUNKS", "STEP_PARAMS", "STEP_ROOTS", "DENSE", "CONV", "ELEMS",
           "TRANSCENDENTAL", "DROPOUT"]


def makespan(times, workers):
    """Wall-clock time of TIMES on WORKERS, each next job on the first free one."""
    free = [0.0] * max(1, min(workers, len(times)))
    for t in times:
        k = free.index(min(free))
        free[k] += t
    return max(free)


def read(path):
    rows, loads, forks, batch = [], [], [], []
    load_re = re.compile(r"loaded (\d+) values in ([0-9.e+-]+) s")
    batch_re = re.compile(r"# batch: (\d+) jobs on (\d+) workers in ([0-9.e+-]+) s")
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                m = load_re.search(line)
                if m:
                    loads.append((float(m.group(1)), float(m.group(2))))
                m = batch_re.search(line)
                if m and int(m.group(1)) == len(batch) and int(m.group(2)) > 0:
                    forks.append(float(m.group(3)) - makespan(batch, int(m.group(2))))
                if m:
                    batch = []
                continue
            kv = dict(part.split("=", 1) for part in line.split())
            if "seconds" not in kv:
                continue
            t = float(kv["seconds"])
            batch.append(t)
            if t <= 0:
                continue
            rows.append(([float(kv.get(name, 0)) for name in FEATURES], t))
    return rows, loads, forks


def solve(a, b):
    """Solves A x = B (A square) by Gaussian elimination with pivoting."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        if abs(m[p][c]) < 1e-300:
            return None
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c:
                f = m[r][c] / m[c][c]
                for k in range(c, n + 1):
                    m[r][k] -= f * m[c][k]
    return [m[i][n] / m[i][i] for i in range(n)]


def fit(rows, nfeatures=None):
    nfeatures = nfeatures or len(FEATURES)
    active = [j for j in range(nfeatures) if any(x[j] for x, _ in rows)]
    while True:
        # Scale each column to unit size so the normal equations stay well conditioned.
        scale = [max(abs(x[j]) / t for x, t in rows) or 1 for j in active]
        ata = [[0.0] * len(active) for _ in active]
        atb = [0.0] * len(active)
        for x, t in rows:
            v = [x[j] / t / scale[i] for i, j in enumerate(active)]
            for i in range(len(active)):
                atb[i] += v[i]
                for k in range(len(active)):
                    ata[i][k] += v[i] * v[k]
        sol = solve(ata, atb)
        coef = [0.0] * nfeatures
        if sol is None:
            return coef
        neg = [active[i] for i, c in enumerate(sol) if c < 0]
        for i, j in enumerate(active):
            coef[j] = sol[i] / scale[i]
        if not neg:
            return coef
        active = [j for j in active if j not in neg]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: repair_cost_fit.py COST_LOG")
    rows, loads, forks = read(sys.argv[1])
    if len(rows) < len(FEATURES):
        sys.exit("repair_cost_fit.py: too few trainings in the log")
    coef = fit(rows)
    print("static const double cost_seconds[RP_COST_N] = {")
    for name, c in zip(C_NAMES, coef):
        print("    [RP_COST_%s] = %.3g," % (name, c))
    print("};")
    errs = sorted(abs(sum(c * v for c, v in zip(coef, x)) / t - 1) for x, t in rows)
    q = lambda p: errs[min(len(errs) - 1, int(p * len(errs)))]
    print("/* %d trainings: relative error median %.2f, 90th percentile %.2f, worst %.2f */"
          % (len(rows), q(0.5), q(0.9), errs[-1]))
    if forks:
        forks.sort()
        print("#define FORK_SECONDS %.3g   /* median of %d batches */" % (forks[len(forks) // 2], len(forks)))
    if len(loads) >= 2:
        a, b = fit([([1.0, n], t) for n, t in loads if t > 0], 2)
        print("#define LOAD_SECONDS %.3g            /* %d loads */" % (a, len(loads)))
        print("#define LOAD_SECONDS_PER_VALUE %.3g" % b)


if __name__ == "__main__":
    main()
