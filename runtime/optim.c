/* optim.c: update rules of the optimisers in IR_OPTIMIZERS.
 *
 * Each rule is TensorFlow 2.x Keras's (tf.keras.optimizers, OptimizerV2),
 * with g the (clipped) gradient, w the weight and t the step count from 1:
 *   sgd       v = momentum v - lr g; w += v, or w += momentum v - lr g with
 *             nesterov (no slot when momentum is 0: w -= lr g)       s1 = v
 *   rmsprop   a = rho a + (1 - rho) g^2; without momentum
 *             w -= lr g / (sqrt(a) + eps); with it
 *             m = momentum m + lr g / (sqrt(a) + eps); w -= m   s1 = a, s2 = m
 *   adagrad   a += g^2 (a starts at initial_accumulator_value);
 *             w -= lr g / (sqrt(a) + eps)                             s1 = a
 *   adadelta  a = rho a + (1 - rho) g^2;
 *             u = sqrt(d + eps) / sqrt(a + eps) g;
 *             d = rho d + (1 - rho) u^2; w -= lr u               s1 = a, s2 = d
 *   adam      m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 *             w -= lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + eps)
 *             (epsilon is Keras's "epsilon hat")                 s1 = m, s2 = v
 *   adamax    m = b1 m + (1 - b1) g; u = max(b2 u, |g|);
 *             w -= lr / (1 - b1^t) m / (u + eps)                  s1 = m, s2 = u
 *   nadam     Keras's schedule: mu_t = b1 (1 - 0.5 * 0.96^(0.004 t)),
 *             S_t = prod mu_1..mu_t; m and v as adam;
 *             m_bar = (1 - mu_t) g / (1 - S_t) + mu_{t+1} m / (1 - S_t mu_{t+1});
 *             w -= lr m_bar / (sqrt(v / (1 - b2^t)) + eps)        s1 = m, s2 = v
 * RMSprop's epsilon sits outside the square root, as in TF 2.x's RMSprop
 * without momentum and in every Keras version since 2.11.
 */
#include "optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "workers.h"

void rt_optim_init(rt_optim *o, const ir_train *t, long n)
{
    *o = (rt_optim){0};
    o->kind = t->optimizer;
    o->lr = t->learning_rate;
    o->momentum = t->momentum;
    o->nesterov = t->nesterov;
    o->rho = t->rho;
    o->beta_1 = t->beta_1;
    o->beta_2 = t->beta_2;
    o->epsilon = t->epsilon;
    o->clipnorm = t->clipnorm;
    o->clipvalue = t->clipvalue;
    o->m_schedule = 1.0;
    o->n = n;
    o->s1 = rt_floats(n);
    o->s2 = rt_floats(n);
    o->before = rt_floats(n);
    if (o->kind == IR_OPT_ADAGRAD)
        for (long i = 0; i < n; i++)
            o->s1[i] = (float)t->initial_accumulator_value;
}

void rt_optim_free(rt_optim *o)
{
    free(o->s1);
    free(o->s2);
    free(o->before);
    o->s1 = o->s2 = o->before = NULL;
}

void rt_clip_gradient(float *g, long n, double norm, double value)
{
    if (norm > 0) {
        double sq = 0.0;
        for (long i = 0; i < n; i++)
            sq += (double)g[i] * g[i];
        double l2 = sqrt(sq);
        if (l2 > norm) {
            /* tf.clip_by_norm: g * clip_norm / max(||g||, clip_norm) */
            float f = (float)(norm / l2);
            for (long i = 0; i < n; i++)
                g[i] *= f;
        }
    }
    if (value > 0) {
        float v = (float)value;
        for (long i = 0; i < n; i++)
            g[i] = g[i] > v ? v : g[i] < -v ? -v : g[i];
    }
}

static rt_step_coef coefficients(const rt_optim *o)
{
    rt_step_coef k = {(float)o->lr, 0, 0, 0, 0};
    double t = (double)o->t;
    switch (o->kind) {
    case IR_OPT_ADAM:
        k.lr = (float)(o->lr * sqrt(1.0 - pow(o->beta_2, t)) / (1.0 - pow(o->beta_1, t)));
        break;
    case IR_OPT_ADAMAX:
        k.lr = (float)(o->lr / (1.0 - pow(o->beta_1, t)));
        break;
    case IR_OPT_NADAM: {
        double mu_t = o->beta_1 * (1.0 - 0.5 * pow(0.96, 0.004 * t));
        double mu_next = o->beta_1 * (1.0 - 0.5 * pow(0.96, 0.004 * (t + 1)));
        double s_t = o->m_schedule;            /* already includes mu_t */
        k.a = (float)((1.0 - mu_t) / (1.0 - s_t));        /* weight of g */
        k.b = (float)(mu_next / (1.0 - s_t * mu_next));   /* weight of m */
        k.c = (float)(1.0 / (1.0 - pow(o->beta_2, t)));   /* v correction */
        break;
    }
    default:
        break;
    }
    return k;
}

/* One chunk of an update: a slice of the trainable values. */
typedef struct step_job {
    const rt_optim *o;      /* the optimiser */
    const rt_step_coef *k;  /* this step's scalars */
    rt_net *net;            /* whose values move */
    int chunks;             /* chunks the values are cut into */
} step_job;

static void step_task(void *ctx, int t)
{
    const step_job *j = ctx;
    long n = j->net->n_trainable;
    long a = n * t / j->chunks, b = n * (t + 1) / j->chunks;
    rt_optim_update(j->o, j->k, j->net->values + a, j->net->grads + a, j->o->s1 + a,
                    j->o->s2 + a, b - a);
}

void rt_optim_step(rt_optim *o, rt_net *net, double *update_sq)
{
    o->t++;
    if (o->kind == IR_OPT_NADAM)
        o->m_schedule *= o->beta_1 * (1.0 - 0.5 * pow(0.96, 0.004 * (double)o->t));
    rt_step_coef k = coefficients(o);
    if (o->clipnorm > 0 || o->clipvalue > 0)
        for (int j = 0; j < net->n_params; j++)
            if (net->params[j].trainable)
                rt_clip_gradient(net->params[j].grad, net->params[j].size, o->clipnorm,
                                 o->clipvalue);
    if (update_sq)
        memcpy(o->before, net->values, sizeof *o->before * (size_t)net->n_trainable);
    /* Elementwise rules: the trainable range (contiguous, net.h) is cut into
     * chunks for the workers when the network uses them, each large enough to
     * pay for the hand-over. */
    step_job job = {o, &k, net, rt_net_chunks(net, net->n_trainable / 16384 + 1)};
    rt_workers_run(net->threads, job.chunks, step_task, &job);
    for (int j = 0; update_sq && j < net->n_params; j++) {
        const rt_param *p = &net->params[j];
        double sq = 0.0;    /* only when a monitor asks: the sum is a serial chain */
        for (long i = 0; p->trainable && i < p->size; i++) {
            double d = (double)p->value[i] - o->before[p->value - net->values + i];
            sq += d * d;
        }
        update_sq[j] = sq;
    }
}
