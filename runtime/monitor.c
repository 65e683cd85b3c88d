/* monitor.c: the per-layer statistics behind the monitor hook (monitor.h).
 *
 * Running sums live in each layer (rt_layer_acc) and are only touched while
 * net->collect is set; rt_stats_fill turns them into rt_layer_stats.
 */
#include "monitor.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"

void rt_stats_reset(rt_net *net)
{
    for (int i = 0; i < net->n_layers; i++) {
        rt_layer *L = &net->layers[i];
        unsigned char *alive = L->acc.alive;
        memset(&L->acc, 0, sizeof L->acc);
        if (!alive)
            alive = ir_alloc((size_t)(L->out.c > 0 ? L->out.c : 1));
        memset(alive, 0, (size_t)(L->out.c > 0 ? L->out.c : 1));
        L->acc.alive = alive;
    }
}

void rt_stats_forward(rt_layer *L, int n)
{
    rt_layer_acc *a = &L->acc;
    if (!a->alive)
        return;     /* not reset: no window open */
    long count = n * L->out_size;
    int c = L->out.c;
    double sum = 0.0, sq = 0.0;
    long dead = 0, bad = 0;
    for (long i = 0; i < count; i++) {
        float v = L->y[i];
        if (!isfinite(v)) {
            bad++;
            continue;
        }
        sum += v;
        sq += (double)v * v;
        if (v <= 0.0f)
            dead++;
        else
            a->alive[i % c] = 1;
    }
    if (rt_act_saturates(L->act)) {
        long sat = 0;
        float bound = (float)rt_act_saturation_bound(L->act);
        for (long i = 0; i < count; i++)
            sat += fabsf(L->z[i]) > bound;
        a->act_sat += sat;
    }
    a->act_sum += sum;
    a->act_sq += sq;
    a->act_dead += dead;
    a->act_nonfinite += bad;
    a->act_count += count;
    a->forward_batches++;
}

void rt_stats_backward(const rt_net *net, rt_layer *L)
{
    if (!ir_op_has_weights(L->op) || !L->pg[RT_KERNEL])
        return;
    const rt_param *p = &net->params[L->param[RT_KERNEL]];
    double sq = 0.0;
    long zeros = 0;
    for (long i = 0; i < p->size; i++) {
        sq += (double)p->grad[i] * p->grad[i];
        zeros += p->grad[i] == 0.0f;
    }
    L->acc.grad_norm += sqrt(sq);
    L->acc.grad_zero += (double)zeros / (double)p->size;
    L->acc.batches++;
}

void rt_stats_update(rt_net *net, const double *update_sq)
{
    for (int i = 0; i < net->n_layers; i++) {
        rt_layer *L = &net->layers[i];
        if (ir_op_has_weights(L->op) && L->param[RT_KERNEL] >= 0)
            L->acc.update_norm = sqrt(update_sq[L->param[RT_KERNEL]]);
    }
}

static double norm(const float *v, long n)
{
    double sq = 0.0;
    for (long i = 0; i < n; i++)
        sq += (double)v[i] * v[i];
    return sqrt(sq);
}

void rt_stats_fill(const rt_net *net, rt_layer_stats *out)
{
    for (int i = 1; i < net->n_layers; i++) {
        const rt_layer *L = &net->layers[i];
        const rt_layer_acc *a = &L->acc;
        rt_layer_stats *s = &out[i - 1];
        memset(s, 0, sizeof *s);
        s->name = L->node->name;
        s->index = i;
        s->op = L->op;
        s->act = L->act;
        s->units = L->out_size;
        s->has_kernel = ir_op_has_weights(L->op);
        int w = L->op == IR_OP_BATCHNORM ? RT_GAMMA : RT_KERNEL;
        int b = L->op == IR_OP_BATCHNORM ? RT_BETA : RT_BIAS;
        if (L->param[w] >= 0) {
            const rt_param *p = &net->params[L->param[w]];
            s->weight_norm = norm(p->value, p->size);
            s->weight_rms = s->weight_norm / sqrt((double)p->size);
        }
        if (L->param[b] >= 0) {
            const rt_param *p = &net->params[L->param[b]];
            s->bias_norm = norm(p->value, p->size);
        }
        if (a->batches > 0) {
            s->grad_norm = a->grad_norm / (double)a->batches;
            s->grad_zero = a->grad_zero / (double)a->batches;
        }
        s->update_norm = a->update_norm;
        long finite = a->act_count - a->act_nonfinite;
        if (finite > 0) {
            s->act_mean = a->act_sum / (double)finite;
            double var = a->act_sq / (double)finite - s->act_mean * s->act_mean;
            s->act_std = var > 0 ? sqrt(var) : 0.0;
            s->act_dead = (double)a->act_dead / (double)finite;
        }
        if (a->act_count > 0) {
            s->act_saturated = (double)a->act_sat / (double)a->act_count;
            s->act_nonfinite = (double)a->act_nonfinite / (double)a->act_count;
            long dead_units = 0;
            for (int k = 0; k < L->out.c; k++)
                dead_units += !a->alive[k];
            s->act_dead_units = (double)dead_units / (double)L->out.c;
        }
        s->window_batches = a->forward_batches;
    }
}
