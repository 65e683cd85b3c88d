#!/usr/bin/python3
"""torch_train.py: the PyTorch side of `make bench`.

Trains the PyTorch twin of a dnnc benchmark program (mlp: 784-256-128-10
with sgd(0.01, momentum 0.9); lenet: the LeNet of examples/fashion_lenet.dnn
with adam(0.001)) for one epoch of Fashion-MNIST at batch 128, then evaluates
the validation samples, exactly the work dnnc's epoch does.  Batches are
slices of a shuffled tensor (no DataLoader), the best case for PyTorch.
Prints one JSON line: import, load and epoch seconds, and test accuracy.

usage: torch_train.py mlp|lenet DATA_DIR N_TRAIN N_VAL TORCH_THREADS
(OPENBLAS_NUM_THREADS in the environment sets OpenBLAS's threads.)
"""
import gzip
import json
import sys
import time

t0 = time.perf_counter()
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
t_import = time.perf_counter() - t0


def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    which, folder, n_train, n_val, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
        int(sys.argv[4]), int(sys.argv[5])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    t1 = time.perf_counter()
    x = torch.from_numpy(idx(folder + "/train-images-idx3-ubyte.gz").astype(np.float32) / 255.0)
    y = torch.from_numpy(idx(folder + "/train-labels-idx1-ubyte.gz").astype(np.int64))
    xt = torch.from_numpy(idx(folder + "/t10k-images-idx3-ubyte.gz").astype(np.float32) / 255.0)
    yt = torch.from_numpy(idx(folder + "/t10k-labels-idx1-ubyte.gz").astype(np.int64))
    t_load = time.perf_counter() - t1
    x, xt = x.unsqueeze(1), xt.unsqueeze(1)          # N, 1, 28, 28
    xtr, ytr = x[:n_train], y[:n_train]
    xv = x[n_train:n_train + n_val]
    if which == "mlp":
        model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128),
                              nn.ReLU(), nn.Linear(128, 10))
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    else:
        model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                              nn.Linear(84, 10))
        opt = torch.optim.Adam(model.parameters(), lr=0.001)
    lossf = nn.CrossEntropyLoss()
    t2 = time.perf_counter()
    perm = torch.randperm(n_train)
    xs, ys = xtr[perm], ytr[perm]
    model.train()
    for s in range(0, n_train, 128):
        opt.zero_grad()
        loss = lossf(model(xs[s:s + 128]), ys[s:s + 128])
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        for s in range(0, n_val, 128):
            model(xv[s:s + 128])
    t_epoch = time.perf_counter() - t2
    with torch.no_grad():
        acc = (model(xt).argmax(1) == yt).float().mean().item()
    print(json.dumps({"import_seconds": t_import, "load_seconds": t_load,
                      "epoch_seconds": t_epoch, "test_accuracy": acc}))


main()
