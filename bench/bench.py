#!/usr/bin/python3
"""bench.py: `make bench`: dnnc against PyTorch on one epoch of Fashion-MNIST.

For the MLP of examples/fashion_mlp.dnn and the LeNet of
examples/fashion_lenet.dnn (batch 128), runs dnnc (all cores) and PyTorch at
its two best thread settings (torch 1 thread + OpenBLAS 2, torch 2 threads +
OpenBLAS 1), alternating runs so that load on the shared machine hits all
alike, keeps each one's best epoch, and prints seconds per epoch, samples/s,
GFLOP/s (multiply-adds counted from the architecture, x2) and the ratio
PyTorch/dnnc against the faster PyTorch.  Then the start-up costs and the
machine's sgemm GFLOP/s.  Skips PyTorch with a message if it is missing.
Further dnnc binaries (e.g. another build of dnnc: `make bench
BENCH_COMPARE=/path/to/dnnc`) run in the same alternation and get their own
rows and ratios, each labelled with the kernel set its --version names.

usage: bench.py DNNC SGEMM_PEAK SRCDIR [RUNS [OTHER_DNNC...]]
"""
import json
import os
import subprocess
import sys

DATA = "/usr/share/datasets/fashion-mnist"

# Multiply-adds per sample of each layer's forward pass, and whether the
# layer's input gradient is computed (not for the first layer).
ARCH = {
    "mlp": [784 * 256, 256 * 128, 128 * 10],
    "lenet": [28 * 28 * 6 * 25, 10 * 10 * 16 * 150, 400 * 120, 120 * 84, 84 * 10],
}


def flops(which, n_train, n_val):
    macs = ARCH[which]
    fwd = sum(macs)
    train = fwd + fwd + (fwd - macs[0])     # forward, weight and input gradients
    return 2.0 * (train * n_train + fwd * n_val)


def run(cmd, env=None):
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit("bench: %s failed:\n%s" % (" ".join(cmd), out.stderr))
    return out.stdout


def main():
    dnnc, peak, srcdir = sys.argv[1], sys.argv[2], sys.argv[3]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[4] else 3
    binaries = [dnnc] + sys.argv[5:]
    labels = []
    for i, b in enumerate(binaries):
        kernels = [line.split()[1] for line in run([b, "--version"]).splitlines()
                   if line.startswith("kernels: ")]
        labels.append("dnnc%s (%s)" % ("" if i == 0 else " " + str(i + 1),
                                       "kernels " + kernels[0] if kernels
                                       else "no run-time kernel sets"))
        if i:
            print("%s: %s" % (labels[i], b))
    if not os.path.exists(DATA + "/train-images-idx3-ubyte.gz"):
        sys.exit("bench: Fashion-MNIST not found in %s (apt-get install dataset-fashion-mnist)"
                 % DATA)
    have_torch = subprocess.run(["/usr/bin/python3", "-c", "import torch"],
                                capture_output=True).returncode == 0
    if not have_torch:
        print("bench: PyTorch not found (apt-get install python3-torch): dnnc only")
    torch_py = os.path.join(srcdir, "bench", "torch_train.py")
    configs = [("torch 1 thread, OpenBLAS 2", "1", "2"), ("torch 2 threads, OpenBLAS 1", "2", "1")]
    cores = os.cpu_count()
    print("one epoch of Fashion-MNIST, batch 128, best of %d alternating runs, %d cores"
          % (runs, cores))
    startup = {}
    for which, example in (("mlp", "fashion_mlp.dnn"), ("lenet", "fashion_lenet.dnn")):
        path = os.path.join(srcdir, "examples", example)
        best = {}
        n_train = n_val = 0
        for _ in range(runs):
            for b, label in zip(binaries, labels):
                r = json.loads(run([b, "--train", "--json", "--quiet", "--epochs", "1", path]))
                n_train, n_val = r["train_samples"], r["val_samples"]
                best[label] = min(best.get(label, 1e30), r["train_seconds"])
                startup["dnnc"] = min(startup.get("dnnc", 1e30), r["load_seconds"])
            if not have_torch:
                continue
            for name, tt, ob in configs:
                env = dict(os.environ, OPENBLAS_NUM_THREADS=ob, OMP_NUM_THREADS=tt)
                r = json.loads(run(["/usr/bin/python3", torch_py, which, DATA, str(n_train),
                                    str(n_val), tt], env))
                best[name] = min(best.get(name, 1e30), r["epoch_seconds"])
                startup["torch"] = min(startup.get("torch", 1e30),
                                       r["import_seconds"] + r["load_seconds"])
        work = flops(which, n_train, n_val)
        print("\n%s (%s): %d training + %d validation samples, %.1f GFLOP per epoch"
              % (which, example, n_train, n_val, work / 1e9))
        print("  %-34s %9s %11s %9s" % ("", "s/epoch", "samples/s", "GFLOP/s"))
        for name, t in best.items():
            print("  %-34s %9.3f %11.0f %9.1f" % (name, t, n_train / t, work / t / 1e9))
        if have_torch:
            fastest = min(best[c[0]] for c in configs)
            for label in labels:
                print("  ratio PyTorch/%s (faster PyTorch): %.2fx"
                      % (label, fastest / best[label]))
    print("\nstart-up: dnnc loads Fashion-MNIST in %.2f s" % startup["dnnc"], end="")
    if "torch" in startup:
        print("; PyTorch imports itself and loads it in %.2f s" % startup["torch"], end="")
    print()
    print(run([peak]), end="")


main()
