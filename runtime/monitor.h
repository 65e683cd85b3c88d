/* monitor.h: watching a training run from the inside (fault localisation).
 *
 * A monitor is a callback that the training loop calls after every epoch and,
 * when rt_monitor.every = K > 0, also after every K-th batch.  Each call
 * (rt_monitor_event) carries the loss and metric so far, the full history
 * (epochs completed, every batch's loss) and, when the monitor asks for them
 * (rt_monitor.stats), statistics of every layer (rt_layer_stats):
 *
 *   - weights: L2 norms of the kernel and bias at the time of the call;
 *   - gradients: L2 norm of the kernel gradient and the fraction of its
 *     entries that are exactly zero, averaged over the statistics window; the
 *     gradient is the one the optimiser receives (regulariser included),
 *     before clipping; also the L2 norm of the optimiser's last change;
 *   - activations over the window's training batches: mean and standard
 *     deviation of the outputs, the fraction of outputs <= 0 ("dead"), the
 *     fraction of units (channels) that were never > 0, the fraction of
 *     pre-activations beyond +-5 for sigmoid and tanh, +-2.5 (where it is
 *     flat) for hard_sigmoid
 *     ("saturated"), and the fraction of non-finite outputs.
 *
 * The window is the last rt_monitor.window batches before each call (at least
 * one).  Statistics cost nothing outside the window: the training loop sets
 * net->collect only for those batches, and without a monitor that asks for
 * statistics it never does.  The callback may return true to stop training;
 * the run then ends as after an epoch, with rt_result.stopped_by_monitor set.
 * Everything a callback receives is read-only and valid during the call only.
 */
#ifndef DNNC_RT_MONITOR_H
#define DNNC_RT_MONITOR_H

#include <stdbool.h>

#include "ir.h"
#include "net.h"
#include "result.h"

/* Statistics of one layer (see above). */
typedef struct rt_layer_stats {
    const char *name;       /* layer name in the IR (borrowed) */
    int index;              /* position in the model (the input is 0) */
    ir_op op;               /* layer kind */
    ir_act act;             /* its activation (linear when it has none) */
    long units;             /* output values per sample */
    bool has_kernel;        /* dense or conv2d: the kernel fields below apply */
    double weight_norm;     /* L2 norm of the kernel (batchnorm: gamma) */
    double weight_rms;      /* weight_norm / sqrt(entries) */
    double bias_norm;       /* L2 norm of the bias (batchnorm: beta), 0 without */
    double grad_norm;       /* kernel gradient L2 norm, mean over the window */
    double grad_zero;       /* fraction of exactly-zero kernel gradient entries */
    double update_norm;     /* L2 norm of the kernel's last change */
    double act_mean;        /* mean output over the window */
    double act_std;         /* standard deviation of the outputs */
    double act_dead;        /* fraction of outputs <= 0 */
    double act_dead_units;  /* fraction of units never > 0 in the window */
    double act_saturated;   /* fraction of pre-activations beyond rt_act_saturation_bound */
    double act_nonfinite;   /* fraction of outputs that are NaN or infinite */
    long window_batches;    /* batches the averages cover */
} rt_layer_stats;

/* What a monitor sees at each call. */
typedef struct rt_monitor_event {
    bool epoch_end;         /* after an epoch (it is history->epochs[epoch]) */
    int epoch;              /* 0-based epoch that ended or is in progress */
    int batch;              /* batches done in this epoch */
    long step;              /* batches done since training started */
    double loss;            /* training loss over this epoch's batches so far */
    double metric;          /* training accuracy or mae likewise */
    const rt_result *history; /* epochs completed and every batch loss so far */
    const rt_layer_stats *layers; /* per layer, input excluded (NULL without stats) */
    int n_layers;           /* entries in layers */
    const rt_net *net;      /* the network, for anything else (read-only) */
} rt_monitor_event;

typedef struct rt_monitor {
    int every;              /* also call after every EVERY batches (0: epochs only) */
    bool stats;             /* compute per-layer statistics for each call */
    int window;             /* batches before each call the statistics cover (>= 1) */
    /* Called as described above; returns true to stop training. */
    bool (*fn)(const rt_monitor_event *ev, void *ctx);
    void *ctx;              /* passed to fn */
} rt_monitor;

/* ---- used by the runtime (net.c, train.c) ---- */

/* Clears every layer's running sums (start of a window). */
void rt_stats_reset(rt_net *net);
/* Adds layer L's outputs of the last forward pass (N samples). */
void rt_stats_forward(rt_layer *L, int n);
/* Adds layer L's kernel gradient of the last backward pass. */
void rt_stats_backward(const rt_net *net, rt_layer *L);
/* Records the optimiser's last change (UPDATE_SQ per parameter, optim.h). */
void rt_stats_update(rt_net *net, const double *update_sq);
/* Fills OUT[net->n_layers - 1] from the running sums and current weights. */
void rt_stats_fill(const rt_net *net, rt_layer_stats *out);

#endif
