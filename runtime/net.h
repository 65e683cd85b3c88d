/* net.h: a model ready to run: layers, parameters and every buffer.
 *
 * rt_net_new turns an IR model into layers whose buffers (parameters,
 * gradients, activations, scratch) are all allocated once, for a maximum batch
 * size; a training step then allocates nothing.  Tensors are float32 and
 * sample-major; an image is [h][w][c] per sample (NHWC), a vector is treated as
 * 1 x 1 x c.  Parameter layouts are Keras's: dense kernel [in, units], conv
 * kernel [kh, kw, in_channels, filters], batchnorm gamma, beta, moving_mean,
 * moving_variance [channels].  Parameter tensors are named "<layer>.<what>"
 * ("fc1.kernel", "bn.moving_mean"), the names safetensors files use.
 *
 * A step is rt_net_forward (activations), rt_net_loss (loss value and output
 * gradient), rt_net_backward (parameter gradients).  Statistics for monitors
 * are gathered only while net->collect is set (see monitor.h).
 */
#ifndef DNNC_RT_NET_H
#define DNNC_RT_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"
#include "rng.h"

/* Per-sample extents; a vector of n values is 1 x 1 x n. */
typedef struct rt_dims {
    int h, w, c;    /* height, width, channels (last axis) */
} rt_dims;

/* Slots of rt_layer.pv / pg. */
enum { RT_KERNEL = 0, RT_BIAS = 1 };                 /* dense, conv2d */
enum { RT_GAMMA = 0, RT_BETA = 1, RT_MOVING_MEAN = 2, RT_MOVING_VAR = 3 }; /* batchnorm */
#define RT_MAX_LAYER_PARAMS 4

/* One parameter tensor. */
typedef struct rt_param {
    char *name;             /* "<layer>.<what>", e.g. "fc1.kernel" */
    int layer;              /* index of its layer */
    int slot;               /* its slot in the layer's pv/pg */
    int rank;               /* 1 to 4 */
    int shape[4];           /* Keras layout (see above) */
    long size;              /* number of floats */
    bool trainable;         /* updated by the optimiser (moving statistics are not) */
    const ir_initializer *init; /* how it starts (NULL: batchnorm's fixed 0 / 1) */
    float init_value;       /* batchnorm: the constant it starts at */
    const ir_regularizer *reg; /* kernel regulariser, or NULL */
    float *value;           /* its values */
    float *grad;            /* its gradient (trainable only, else NULL) */
} rt_param;

/* Running sums a layer gathers while net->collect is set (see monitor.h). */
typedef struct rt_layer_acc {
    long batches;           /* backward passes summed (gradient sums) */
    long forward_batches;   /* forward passes summed (activation sums) */
    double grad_norm;       /* sum over batches of the kernel gradient's L2 norm */
    double grad_zero;       /* sum over batches of the fraction of zero gradient entries */
    double act_sum;         /* sum of outputs */
    double act_sq;          /* sum of squared outputs */
    long act_dead;          /* outputs <= 0 */
    long act_sat;           /* pre-activations beyond rt_act_saturation_bound (sigmoid-like) */
    long act_nonfinite;     /* outputs that are NaN or infinite */
    long act_count;         /* outputs seen */
    unsigned char *alive;   /* per channel: some output > 0 was seen */
    double update_norm;     /* L2 norm of the kernel's last optimiser update */
} rt_layer_acc;

struct rt_net;

/* One layer and its buffers (all sized for net->max_batch samples). */
typedef struct rt_layer {
    const ir_node *node;    /* its IR node (borrowed) */
    ir_op op;               /* layer kind */
    ir_act act;             /* activation after the op (linear for none) */
    bool act_fused;         /* the op applies act itself (z == y, reads dy) */
    struct rt_user_fn *user_fn; /* a user function as activation (act is linear then),
                                   bound by rt_net_bind_functions (net->fns owns it); NULL otherwise */
    rt_dims in, out;        /* per-sample input and output extents */
    int in_rank, out_rank;  /* ranks of the IR shapes (1 vector, 3 image) */
    long in_size, out_size; /* floats per sample */
    int pad_top, pad_left;  /* conv2d, pools: implicit zero rows/columns before */
    int n_params;           /* tensors it owns */
    int param[RT_MAX_LAYER_PARAMS]; /* their indices in net->params (-1 unused) */
    float *pv[RT_MAX_LAYER_PARAMS]; /* their values (slots RT_KERNEL, ...) */
    float *pg[RT_MAX_LAYER_PARAMS]; /* their gradients (NULL when not trainable) */
    float *x;               /* input: the previous layer's y */
    float *z;               /* output before the activation (== y when linear) */
    float *y;               /* output */
    float *dx;              /* gradient of the input (NULL when nobody needs it) */
    float *dz;              /* gradient of z (== dy when linear) */
    float *dy;              /* gradient of the output */
    float *scratch;         /* per-layer floats (dropout mask, batchnorm x-hat) */
    long scratch_size;      /* floats in scratch */
    int *iscratch;          /* per-layer ints (maxpool argmax) */
    long iscratch_size;     /* ints in iscratch */
    double *dscratch;       /* per-layer doubles (batchnorm statistics) */
    long dscratch_size;     /* doubles in dscratch */
    long work_size;         /* floats of net->work it needs during a step */
    long work_per_chunk;    /* and more for each work chunk beyond the first */
    int conv_algo;          /* conv2d: which kernel it runs (conv.h) */
    rt_layer_acc acc;       /* monitor statistics */
} rt_layer;

/* A model ready to run. */
typedef struct rt_net {
    const ir_model *model;  /* the IR it was built from (borrowed) */
    rt_layer *layers;       /* layers[0] is the input */
    int n_layers;           /* number of layers */
    rt_param *params;       /* every tensor: trainable ones first */
    int n_params;           /* number of tensors */
    float *values;          /* all parameter values, one block */
    float *grads;           /* gradients of the trainable ones, one block */
    long n_values;          /* floats in values */
    long n_trainable;       /* floats in grads (the first n_trainable of values) */
    int max_batch;          /* largest batch the buffers hold */
    long in_size;           /* input floats per sample */
    int out_units;          /* output floats per sample */
    float *input;           /* max_batch x in_size: the batch to run */
    float *out_grad;        /* max_batch x out_units: what the loss writes */
    float *work;            /* shared scratch of work_size floats */
    long work_size;         /* floats in work */
    int threads;            /* threads the network may use */
    bool split_gemm;        /* OpenBLAS runs on one thread and dense layers split
                               their products over the workers (workers.h) */
    ir_loss loss;           /* training loss (how targets are laid out, for a user loss) */
    bool fused;             /* the loss works on the last layer's logits */
    struct rt_user_fn **fns;/* the user functions it calls, one handle each (owned) */
    char **fn_names;        /* their names (owned) */
    int n_fns;              /* how many */
    struct rt_user_fn *loss_fn; /* a user function as the loss, or NULL (one of fns) */
    struct rt_user_fn *metric_fns[IR_MAX_NAMES + 1]; /* user metrics, reported beside the built-in one */
    const char *metric_names[IR_MAX_NAMES + 1]; /* their names (borrowed from the program) */
    int n_metric_fns;       /* how many: the train block's metrics, then the objective if not among them */
    double metric_values[IR_MAX_NAMES + 1]; /* their values on the split rt_evaluate saw last */
    rt_rng dropout_rng;     /* dropout masks */
    bool input_grad;        /* also compute the input's gradient (for tests) */
    float *dinput;          /* that gradient (max_batch x in_size) when input_grad */
    bool collect;           /* gather monitor statistics during this step */
    float **owned;          /* activation buffers to free (others are aliases) */
    int n_owned;            /* entries in owned */
} rt_net;

/* Loads the user functions that P names (activations of NET's layers, the
 * loss, the metrics and the objective) into NET.  Every net of a program with
 * user functions needs this before it runs.  Returns 0, or -1 with ERR set. */
int rt_net_bind_functions(rt_net *net, const ir_program *p, char *err, size_t errsize);

/* Where P's objective (a user metric) is among the user metrics of a net
 * of P (net->metric_values), or -1 when P's objective is the built-in one. */
int rt_objective_index(const ir_program *p);

/* Whether a user function of NET returned NaN for finite input; then ERR
 * names it (a training stops with that error). */
bool rt_net_function_failed(const rt_net *net, char *err, size_t errsize);

/* Builds the layers of model M for batches of up to MAX_BATCH samples trained
 * with LOSS; initialises parameters from SEED.  On error returns NULL with a
 * message in ERR.  INPUT_GRAD asks for the input gradient too (tests). */
rt_net *rt_net_new(const ir_model *m, ir_loss loss, int max_batch, uint64_t seed,
                   bool input_grad, char *err, size_t errsize);
void rt_net_free(rt_net *net);

/* (Re)initialises every parameter from SEED. */
int rt_net_init_params(rt_net *net, uint64_t seed, char *err, size_t errsize);

/* Runs the N samples in net->input through every layer. */
void rt_net_forward(rt_net *net, int n, bool training);

/* Lets the network use THREADS threads (>= 1), growing the workspace.  A
 * network with direct convolutions runs everything on the workers and
 * OpenBLAS on one thread (two sets of spinning threads on the same cores
 * slow each other down); any other gives the threads to OpenBLAS.  Sets
 * OpenBLAS's (process-wide) thread count accordingly. */
void rt_net_set_threads(rt_net *net, int threads);

/* Chunks to cut N independent items into (workers.h): several per thread
 * when the network runs on the workers (split_gemm), else 1. */
int rt_net_chunks(const rt_net *net, long n);
/* The same with one chunk per thread, for work that small chunks slow down
 * (matrix products). */
int rt_net_chunks_coarse(const rt_net *net, long n);

/* The model's output for the last forward pass (N x out_units). */
const float *rt_net_output(const rt_net *net);

/* Mean loss of the last forward pass against TARGET (rows of
 * rt_loss_target_width floats), plus the regularisation penalty; when GRAD is
 * set, also writes the output gradient for rt_net_backward. */
double rt_net_loss(rt_net *net, int n, const float *target, bool grad);

/* Gradients of every trainable parameter (regularisers included). */
void rt_net_backward(rt_net *net, int n);

/* Regularisation penalty of the current weights. */
double rt_net_penalty(const rt_net *net);

/* The parameter named NAME, or NULL. */
rt_param *rt_net_find_param(rt_net *net, const char *name);

/* Floats per sample of extents D. */
long rt_dims_size(rt_dims d);

#endif
