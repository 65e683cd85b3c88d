/* net.c: building a network from an IR model, and running it.
 *
 * Building asks each layer kind for its extents, parameters and scratch
 * (layer.h), then allocates everything once: one block of parameter values
 * (trainable tensors first, so the optimiser sees one contiguous range), one
 * of gradients, and the activation buffers.  Buffers are shared where the
 * data is the same: flatten's output is its input, a linear activation's
 * output is its pre-activation, and a layer's input gradient is its
 * predecessor's output gradient.  Gradients are only computed back to the
 * first layer with parameters.
 */
#include "net.h"
#include "user_fn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "blas.h"
#include "init.h"
#include "layer.h"
#include "loss.h"
#include "mem.h"
#include "monitor.h"
#include "workers.h"

long rt_dims_size(rt_dims d)
{
    return (long)d.h * d.w * d.c;
}

static bool is_spatial(ir_op op)
{
    return op == IR_OP_CONV2D || op == IR_OP_MAXPOOL || op == IR_OP_AVGPOOL;
}

static bool has_trainable(const rt_net *net, const rt_layer *L)
{
    for (int k = 0; k < L->n_params; k++)
        if (net->params[L->param[k]].trainable)
            return true;
    return false;
}

/* A parameter spec with the layer and slot it belongs to. */
typedef struct spec_entry {
    rt_param_spec spec;     /* what the layer asked for */
    int layer;              /* its layer */
    int slot;               /* its position among the layer's specs */
} spec_entry;

/* Extents and specs of layer I; appends its specs to *SPECS. */
static int setup_layer(rt_net *net, int i, spec_entry **specs, int *n_specs, char *err,
                       size_t errsize)
{
    rt_layer *L = &net->layers[i];
    const ir_node *nd = L->node;
    if ((i == 0) != (nd->op == IR_OP_INPUT)) {
        snprintf(err, errsize, "model %s: %s", net->model->name,
                 i == 0 ? "the first layer must be an input layer"
                        : "only the first layer may be an input layer");
        return -1;
    }
    if (i == 0) {
        L->in_rank = nd->shape.rank;
        if (nd->shape.rank < 1 || ir_shape_size(&nd->shape) < 1) {
            snprintf(err, errsize, "layer %s: the input shape is empty", nd->name);
            return -1;
        }
    } else {
        L->in = net->layers[i - 1].out;
        L->in_rank = net->layers[i - 1].out_rank;
        if (is_spatial(nd->op) && L->in_rank == 2) {
            L->in = (rt_dims){L->in.w, L->in.c, 1};   /* [h, w] is [h, w, 1] */
        } else if (is_spatial(nd->op) && L->in_rank != 3) {
            snprintf(err, errsize, "layer %s: %s needs an image input [h, w, c], not a "
                     "vector", nd->name, ir_enum_name(&ir_op_table, nd->op));
            return -1;
        }
    }
    L->in_size = rt_dims_size(L->in);
    rt_param_spec mine[RT_MAX_LAYER_PARAMS];
    int k = rt_layer_table[nd->op]->setup(net, L, mine, err, errsize);
    if (k < 0)
        return -1;
    L->out_size = rt_dims_size(L->out);
    L->out_rank = nd->op == IR_OP_FLATTEN ? 1
                  : nd->op == IR_OP_INPUT ? nd->shape.rank
                  : is_spatial(nd->op) ? 3 : L->in_rank;
    if (nd->out_shape.rank > 0 && ir_shape_size(&nd->out_shape) != L->out_size) {
        char a[64];
        ir_shape_format(&nd->out_shape, a, sizeof a);
        snprintf(err, errsize, "internal error: layer %s: the IR gives output shape %s "
                 "(%ld values) but the runtime computes %ld", nd->name, a,
                 ir_shape_size(&nd->out_shape), L->out_size);
        return -1;
    }
    *specs = ir_realloc(*specs, sizeof **specs * (size_t)(*n_specs + k));
    for (int j = 0; j < k; j++)
        (*specs)[(*n_specs)++] = (spec_entry){mine[j], i, j};
    L->n_params = k;
    return 0;
}

/* Parameter records, trainable first, and their memory. */
static void make_params(rt_net *net, const spec_entry *specs, int n_specs)
{
    net->params = ir_alloc(sizeof *net->params * (size_t)(n_specs ? n_specs : 1));
    for (int pass = 0; pass < 2; pass++)
        for (int j = 0; j < n_specs; j++) {
            const rt_param_spec *s = &specs[j].spec;
            if (s->trainable != (pass == 0))
                continue;
            rt_param *p = &net->params[net->n_params];
            rt_layer *L = &net->layers[specs[j].layer];
            const char *lname = L->node->name ? L->node->name : "layer";
            size_t len = strlen(lname) + strlen(s->what) + 2;
            p->name = ir_alloc(len);
            snprintf(p->name, len, "%s.%s", lname, s->what);
            p->layer = specs[j].layer;
            p->slot = specs[j].slot;
            p->rank = s->rank;
            p->size = 1;
            for (int d = 0; d < p->rank; d++) {
                p->shape[d] = s->shape[d];
                p->size *= p->shape[d];
            }
            p->trainable = s->trainable;
            p->init = s->init;
            p->init_value = s->init_value;
            p->reg = s->reg;
            if (p->trainable)
                net->n_trainable += p->size;
            net->n_values += p->size;
            L->param[p->slot] = net->n_params++;
        }
    net->values = rt_floats(net->n_values);
    net->grads = rt_floats(net->n_trainable);
    long off = 0;
    for (int j = 0; j < net->n_params; j++) {
        rt_param *p = &net->params[j];
        rt_layer *L = &net->layers[p->layer];
        p->value = net->values + off;
        p->grad = p->trainable ? net->grads + off : NULL;
        L->pv[p->slot] = p->value;
        L->pg[p->slot] = p->grad;
        off += p->size;
    }
}

/* A buffer of N floats that net owns. */
static float *own(rt_net *net, long n)
{
    net->owned = ir_realloc(net->owned, sizeof *net->owned * (size_t)(net->n_owned + 1));
    return net->owned[net->n_owned++] = rt_floats(n);
}

/* Activation and gradient buffers, shared where the data is the same. */
static void make_buffers(rt_net *net)
{
    long B = net->max_batch;
    rt_layer *L0 = &net->layers[0];
    net->input = rt_floats(B * net->in_size);
    L0->y = L0->z = L0->x = net->input;
    if (net->input_grad)
        net->dinput = rt_floats(B * net->in_size);
    L0->dy = L0->dz = net->dinput;
    bool flows = net->input_grad;     /* a gradient reaches this layer's output */
    int last = net->n_layers - 1;
    for (int i = 1; i < net->n_layers; i++) {
        rt_layer *L = &net->layers[i];
        rt_layer *P = &net->layers[i - 1];
        long n_out = B * L->out_size;
        bool linear = (L->act == IR_ACT_LINEAR && !L->node->activation_fn) || L->act_fused;
        L->x = P->y;
        L->dx = flows ? P->dy : NULL;
        flows = flows || has_trainable(net, L);
        bool passthrough = L->op == IR_OP_FLATTEN || L->op == IR_OP_ACTIVATION;
        L->z = passthrough ? L->x : own(net, n_out);
        L->y = linear ? L->z : own(net, n_out);
        if (i == last) {
            net->out_grad = own(net, n_out);
            if (net->fused) {
                L->dz = net->out_grad;
            } else {
                L->dy = net->out_grad;
                L->dz = linear ? L->dy : L->op == IR_OP_ACTIVATION && L->dx ? L->dx
                        : own(net, n_out);
            }
        } else if (flows) {
            if (L->op == IR_OP_FLATTEN) {
                L->dy = L->dz = L->dx;
            } else {
                L->dy = own(net, n_out);
                L->dz = linear ? L->dy : L->op == IR_OP_ACTIVATION ? L->dx : own(net, n_out);
            }
        }
        if (L->scratch_size)
            L->scratch = rt_floats(L->scratch_size);
        if (L->iscratch_size)
            L->iscratch = rt_ints(L->iscratch_size);
        if (L->dscratch_size)
            L->dscratch = rt_doubles(L->dscratch_size);
        if (L->work_size > net->work_size)
            net->work_size = L->work_size;
    }
    net->threads = 1;
    net->work = rt_floats(net->work_size);
}

int rt_net_chunks(const rt_net *net, long n)
{
    return net->split_gemm ? rt_workers_chunks(net->threads, n) : 1;
}

int rt_net_chunks_coarse(const rt_net *net, long n)
{
    int t = net->split_gemm ? net->threads : 1;
    return t < n ? t : n < 1 ? 1 : (int)n;
}

void rt_net_set_threads(rt_net *net, int threads)
{
    net->threads = threads < 1 ? 1 : threads;
    long need = 0;
    net->split_gemm = false;
    int chunks = rt_workers_chunks(net->threads, net->max_batch);
    for (int i = 1; i < net->n_layers; i++) {
        const rt_layer *L = &net->layers[i];
        long w = L->work_size + (chunks - 1) * L->work_per_chunk;
        need = w > need ? w : need;
        net->split_gemm = net->split_gemm || L->work_per_chunk > 0;
    }
    rt_blas_set_threads(net->split_gemm ? 1 : net->threads);
    if (need > net->work_size) {
        free(net->work);
        net->work = rt_floats(need);
        net->work_size = need;
    }
}

rt_net *rt_net_new(const ir_model *m, ir_loss loss, int max_batch, uint64_t seed,
                   bool input_grad, char *err, size_t errsize)
{
    if (m->n_nodes < 2) {
        snprintf(err, errsize, "model %s has no layers after its input", m->name);
        return NULL;
    }
    rt_net *net = ir_alloc(sizeof *net);
    net->model = m;
    net->max_batch = max_batch < 1 ? 1 : max_batch;
    net->loss = loss;
    net->input_grad = input_grad;
    net->n_layers = m->n_nodes;
    net->layers = ir_alloc(sizeof *net->layers * (size_t)m->n_nodes);
    for (int i = 0; i < m->n_nodes; i++) {
        rt_layer *L = &net->layers[i];
        L->node = &m->nodes[i];
        L->op = L->node->op;
        L->act = ir_op_has_activation(L->op) ? L->node->activation : IR_ACT_LINEAR;
        for (int k = 0; k < RT_MAX_LAYER_PARAMS; k++)
            L->param[k] = -1;
    }
    spec_entry *specs = NULL;
    int n_specs = 0;
    for (int i = 0; i < m->n_nodes; i++)
        if (setup_layer(net, i, &specs, &n_specs, err, errsize) < 0) {
            free(specs);
            rt_net_free(net);
            return NULL;
        }
    make_params(net, specs, n_specs);
    free(specs);
    rt_layer *last = &net->layers[net->n_layers - 1];
    net->in_size = net->layers[0].out_size;
    net->out_units = (int)last->out_size;
    net->fused = !last->node->activation_fn && rt_loss_fused(loss, last->act);
    make_buffers(net);
    rt_rng_stream(&net->dropout_rng, seed, rt_hash_string("dropout"));
    if (rt_net_init_params(net, seed, err, errsize) < 0) {
        rt_net_free(net);
        return NULL;
    }
    return net;
}

int rt_net_init_params(rt_net *net, uint64_t seed, char *err, size_t errsize)
{
    for (int j = 0; j < net->n_params; j++) {
        rt_param *p = &net->params[j];
        if (!p->init) {
            for (long i = 0; i < p->size; i++)
                p->value[i] = p->init_value;
            continue;
        }
        rt_rng r;
        rt_rng_stream(&r, seed, rt_hash_string(p->name));
        char msg[200];
        if (rt_init_fill(p->init, p->value, p->rank, p->shape, &r, msg, sizeof msg) < 0) {
            snprintf(err, errsize, "%s: %s", p->name, msg);
            return -1;
        }
    }
    return 0;
}

void rt_net_free(rt_net *net)
{
    if (!net)
        return;
    free(net->input);
    free(net->dinput);
    free(net->work);
    for (int i = 0; i < net->n_owned; i++)
        free(net->owned[i]);
    free(net->owned);
    for (int i = 0; i < net->n_layers; i++) {
        rt_layer *L = &net->layers[i];
        free(L->scratch);
        free(L->iscratch);
        free(L->dscratch);
        free(L->acc.alive);
    }
    for (int j = 0; j < net->n_params; j++)
        free(net->params[j].name);
    free(net->params);
    free(net->values);
    free(net->grads);
    for (int k = 0; k < net->n_fns; k++) {
        rt_user_fn_close(net->fns[k]);
        free(net->fn_names[k]);
    }
    free(net->fns);
    free(net->fn_names);
    free(net->layers);
    free(net);
}

/* NET's handle of function NAME of P, opened on first use: one library
 * handle and one call interface per function per network, however many
 * layers use it.  USER names the user in messages.  NULL with ERR set. */
static rt_user_fn *function_handle(rt_net *net, const ir_program *p, const char *name, const char *user,
                                   char *err, size_t errsize)
{
    for (int k = 0; k < net->n_fns; k++)
        if (strcmp(net->fn_names[k], name) == 0)
            return net->fns[k];
    const ir_function *f = ir_find_function(p, name);
    if (!f) {
        snprintf(err, errsize, "%s: no function named '%s'", user, name);
        return NULL;
    }
    rt_user_fn *u = rt_user_fn_open(p, f, err, errsize);
    if (!u)
        return NULL;
    net->fns = ir_realloc(net->fns, sizeof *net->fns * (size_t)(net->n_fns + 1));
    net->fn_names = ir_realloc(net->fn_names, sizeof *net->fn_names * (size_t)(net->n_fns + 1));
    net->fns[net->n_fns] = u;
    net->fn_names[net->n_fns++] = ir_strdup(name);
    return u;
}

int rt_net_bind_functions(rt_net *net, const ir_program *p, char *err, size_t errsize)
{
    for (int i = 1; i < net->n_layers; i++) {
        rt_layer *L = &net->layers[i];
        const char *name = L->node->activation_fn;
        if (!name || !ir_op_has_activation(L->op) || L->user_fn)
            continue;
        char user[160];
        snprintf(user, sizeof user, "layer %s", L->node->name);
        if (!(L->user_fn = function_handle(net, p, name, user, err, errsize)))
            return -1;
    }
    const ir_train *t = &p->train;
    if (t->loss_fn && !net->loss_fn && !(net->loss_fn = function_handle(net, p, t->loss_fn, "train", err, errsize)))
        return -1;
    if (net->n_metric_fns > 0)
        return 0;
    const char *names[IR_MAX_NAMES + 1];
    int n = 0;
    for (int k = 0; k < t->metric_fns.n; k++)
        names[n++] = t->metric_fns.name[k];
    bool listed = !t->objective_fn;
    for (int k = 0; k < n && !listed; k++)
        listed = strcmp(names[k], t->objective_fn) == 0;
    if (!listed)
        names[n++] = t->objective_fn;
    for (int k = 0; k < n; k++) {
        if (!(net->metric_fns[net->n_metric_fns] = function_handle(net, p, names[k], "train", err, errsize)))
            return -1;
        net->metric_names[net->n_metric_fns++] = names[k];
    }
    return 0;
}

int rt_objective_index(const ir_program *p)
{
    const ir_train *t = &p->train;
    if (!p->has_train || !t->objective_fn)
        return -1;
    for (int k = 0; k < t->metric_fns.n; k++)
        if (strcmp(t->metric_fns.name[k], t->objective_fn) == 0)
            return k;
    return t->metric_fns.n;   /* rt_net_bind_functions puts it after the listed ones */
}

bool rt_net_function_failed(const rt_net *net, char *err, size_t errsize)
{
    for (int k = 0; k < net->n_fns; k++)
        if (rt_user_fn_failed(net->fns[k], err, errsize))
            return true;
    return false;
}

void rt_net_forward(rt_net *net, int n, bool training)
{
    for (int i = 1; i < net->n_layers; i++) {
        rt_layer *L = &net->layers[i];
        rt_layer_table[L->op]->forward(net, L, n, training);
        if (L->act != IR_ACT_LINEAR && !L->act_fused)
            rt_act_forward(L->act, L->z, L->y, n * L->out_size, L->out.c);
        else if (L->user_fn)
            rt_user_fn_forward(L->user_fn, L->node->activation_args.value, L->z, L->y, n * L->out_size);
        if (net->collect)
            rt_stats_forward(L, n);
    }
}

const float *rt_net_output(const rt_net *net)
{
    return net->layers[net->n_layers - 1].y;
}

double rt_net_penalty(const rt_net *net)
{
    double pen = 0.0;
    for (int j = 0; j < net->n_params; j++) {
        const rt_param *p = &net->params[j];
        if (!p->reg)
            continue;
        double l1 = 0.0, l2 = 0.0;
        for (long i = 0; i < p->size; i++) {
            l1 += fabs(p->value[i]);
            l2 += (double)p->value[i] * p->value[i];
        }
        if (p->reg->kind == IR_REG_L1 || p->reg->kind == IR_REG_L1_L2)
            pen += p->reg->l1 * l1;
        if (p->reg->kind == IR_REG_L2 || p->reg->kind == IR_REG_L1_L2)
            pen += p->reg->l2 * l2;
    }
    return pen;
}

double rt_net_loss(rt_net *net, int n, const float *target, bool grad)
{
    const rt_layer *L = &net->layers[net->n_layers - 1];
    const float *out = net->fused ? L->z : L->y;
    if (net->loss_fn)
        return rt_user_fn_value(net->loss_fn, out, target, (long)n * net->out_units,
                                grad ? net->out_grad : NULL) + rt_net_penalty(net);
    return rt_loss(net->loss, net->fused, out, target, n, net->out_units,
                   grad ? net->out_grad : NULL) + rt_net_penalty(net);
}

/* G += d(penalty)/dW for a regularised kernel (Keras: l1 * sign(w) + 2 l2 w). */
static void add_regularizer_grad(const rt_param *p)
{
    float l1 = (p->reg->kind == IR_REG_L1 || p->reg->kind == IR_REG_L1_L2) ? (float)p->reg->l1 : 0;
    float l2 = (p->reg->kind == IR_REG_L2 || p->reg->kind == IR_REG_L1_L2) ? (float)p->reg->l2 : 0;
    for (long i = 0; i < p->size; i++) {
        float w = p->value[i];
        p->grad[i] += l1 * (float)((w > 0) - (w < 0)) + 2.0f * l2 * w;
    }
}

void rt_net_backward(rt_net *net, int n)
{
    int last = net->n_layers - 1;
    for (int i = last; i >= 1; i--) {
        rt_layer *L = &net->layers[i];
        bool params = has_trainable(net, L);
        if (!params && !L->dx)
            break;      /* nothing before needs a gradient either */
        if (L->act != IR_ACT_LINEAR && !L->act_fused && !(i == last && net->fused))
            rt_act_backward(L->act, L->z, L->y, L->dy, L->dz, n * L->out_size, L->out.c);
        else if (L->user_fn)
            rt_user_fn_backward(L->user_fn, L->node->activation_args.value, L->z, L->dy, L->dz,
                                n * L->out_size);
        rt_layer_table[L->op]->backward(net, L, n);
        for (int k = 0; k < L->n_params; k++) {
            const rt_param *p = &net->params[L->param[k]];
            if (p->reg && p->grad)
                add_regularizer_grad(p);
        }
        if (net->collect)
            rt_stats_backward(net, L);
    }
}

rt_param *rt_net_find_param(rt_net *net, const char *name)
{
    for (int j = 0; j < net->n_params; j++)
        if (strcmp(net->params[j].name, name) == 0)
            return &net->params[j];
    return NULL;
}
