/* optim.h: the optimisers, with Keras (TF 2.x OptimizerV2) semantics.
 *
 * One rt_optim updates every trainable tensor of a network.  A step first
 * clips each tensor's gradient (clipnorm per tensor, then clipvalue per
 * element, as Keras's clipnorm/clipvalue arguments), then applies the update
 * rule to the whole trainable range (in chunks for the worker threads when
 * the network uses them: rt_net_chunks).
 * Formulas are in optim.c.
 */
#ifndef DNNC_RT_OPTIM_H
#define DNNC_RT_OPTIM_H

#include "ir.h"
#include "net.h"

typedef struct rt_optim {
    ir_opt kind;            /* which rule */
    double lr;              /* learning rate */
    double momentum;        /* sgd, rmsprop */
    bool nesterov;          /* sgd */
    double rho;             /* rmsprop, adadelta */
    double beta_1, beta_2;  /* adam, adamax, nadam */
    double epsilon;         /* all but sgd */
    double clipnorm;        /* per-tensor gradient norm bound (0 = off) */
    double clipvalue;       /* per-element gradient bound (0 = off) */
    long t;                 /* steps taken (Keras's "iterations") */
    double m_schedule;      /* nadam: product of the momentum cache so far */
    long n;                 /* floats it updates */
    float *s1, *s2;         /* per-parameter slots: see optim.c for each rule */
    float *before;          /* a tensor's values before its update (update norms) */
} rt_optim;

/* Scalars of one step, shared by every tensor (optim.c computes them). */
typedef struct rt_step_coef {
    float lr;               /* learning rate, bias-corrected where the rule says */
    float a, b;             /* rule-specific (see rt_optim_update) */
    float c, d;             /* rule-specific */
} rt_step_coef;

/* Prepares an optimiser as recipe T describes for N trainable floats. */
void rt_optim_init(rt_optim *o, const ir_train *t, long n);
void rt_optim_free(rt_optim *o);

/* Clips and applies one step to every trainable tensor of NET.  When UPDATE_SQ
 * is not NULL, UPDATE_SQ[j] receives the squared L2 norm of parameter j's
 * change (0 for non-trainable ones). */
void rt_optim_step(rt_optim *o, rt_net *net, double *update_sq);
/* O's rule with this step's scalars K on N weights W with gradients G and
 * slots S1, S2 (a kernel: optim_kernels.c). */
void rt_optim_update(const rt_optim *o, const rt_step_coef *k, float *w, const float *g,
                     float *s1, float *s2, long n);

/* Clips G (N floats) as Keras's clipnorm (NORM > 0) and clipvalue (VALUE > 0). */
void rt_clip_gradient(float *g, long n, double norm, double value);

#endif
