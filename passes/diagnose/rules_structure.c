/* rules_structure.c: static rules on the order and settings of layers:
 * a hidden layer too narrow for the classes it must tell apart (the softmax
 * bottleneck of Yang et al., ICLR 2018: the logits of a layer fed by k
 * values lie in a k-dimensional subspace, so with k < classes - 1 the
 * classes cannot all be scored independently), dropout rates that drop most
 * of the signal, a bias right before batchnorm
 * (batchnorm subtracts the mean, so the bias is cancelled), dropout right
 * before batchnorm (the variance shift of Li et al., CVPR 2019), and layers
 * after the output that change what the loss sees (dropout or batchnorm
 * after the output activation).
 */
#include "diagnose_int.h"

#include <math.h>

/* Units kept per sample above which a high rate still leaves plenty, and
 * below which even the usual rate of 0.5 leaves too few. */
#define DX_DROPOUT_WIDE 64.0
#define DX_DROPOUT_FEW 4.0

int dx_rule_narrow_layer(pass_ctx *ctx)
{
    const dx_facts *f = ctx->facts;
    const ir_model *m = f->model;
    if (f->task != DX_TASK_CLASSIFICATION || f->classes < 3 || !m)
        return 0;
    int found = 0;
    for (int i = 0; i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        long width = ir_shape_size(&n->out_shape);
        if (!ir_op_has_weights(n->op) || i == f->out || width >= f->classes - 1)
            continue;
        double score = 0.35 + 0.25 * log10((double)(f->classes - 1) / (double)width);
        suspect *s = dx_find(ctx->found, "narrow-layer", score > 0.7 ? 0.7 : score,
                             DX_R(UNITS) | DX_R(REMOVE_LAYER),
                             "%s passes %ld values to tell %d classes apart: the logits can "
                             "only vary in %ld directions", n->name, width, f->classes, width);
        dx_at_node(s, n, IR_NATTR_UNITS);
        dx_evidence(s, "%ld outputs < %d classes - 1", width, f->classes);
        found++;
    }
    return found;
}

int dx_rule_dropout_rate(pass_ctx *ctx)
{
    const ir_model *m = ctx->facts->model;
    int found = 0;
    for (int i = 0; m && i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        if (n->op != IR_OP_DROPOUT || n->rate < 0.5)
            continue;
        /* 0.5 is the usual rate for hidden layers (Srivastava et al., 2014);
         * it hurts only when it leaves a handful of units. */
        double kept = (1.0 - n->rate) * (double)ir_shape_size(&n->in_shape);
        double score = n->rate >= 0.9 ? 0.85 : n->rate >= 0.7 ? 0.5 : kept < DX_DROPOUT_FEW ? 0.3 : 0;
        if (kept >= DX_DROPOUT_WIDE && n->rate < 0.9)
            score *= 0.5;
        if (score == 0)
            continue;
        suspect *s = dx_find(ctx->found, "dropout-rate", score, DX_R(DROPOUT) | DX_R(REMOVE_LAYER),
                             "layer %s drops %.0f%% of its inputs while training", n->name,
                             100.0 * n->rate);
        dx_at_node(s, n, IR_NATTR_RATE);
        dx_evidence(s, "rate=%g, %.1f of %ld values kept per sample", n->rate, kept,
                    ir_shape_size(&n->in_shape));
        found++;
    }
    return found;
}

int dx_rule_batchnorm_order(pass_ctx *ctx)
{
    const dx_facts *f = ctx->facts;
    const ir_model *m = f->model;
    int found = 0;
    for (int i = 0; m && i + 1 < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i], *next = &m->nodes[i + 1];
        suspect *s = NULL;
        if (next->op == IR_OP_BATCHNORM && ir_op_has_weights(n->op) && n->bias &&
            !dx_node_nonlinear(n)) {
            s = dx_find(ctx->found, "batchnorm-order", 0.15, DX_R(BATCHNORM),
                        "the bias of %s is cancelled by the batchnorm right after it", n->name);
            dx_at_node(s, n, IR_NATTR_BIAS);
            dx_evidence(s, "bias=true, next layer %s is batchnorm", next->name);
        } else if (next->op == IR_OP_BATCHNORM && n->op == IR_OP_DROPOUT) {
            s = dx_find(ctx->found, "batchnorm-order", 0.3, DX_R(DROPOUT) | DX_R(REMOVE_LAYER),
                        "dropout %s right before batchnorm shifts the variance batchnorm "
                        "learns between training and inference", n->name);
            dx_at_layer(s, n);
            dx_evidence(s, "dropout rate %g, then batchnorm %s", n->rate, next->name);
        }
        found += s != NULL;
    }
    /* Layers after the output activation change what the loss sees. */
    for (int i = f->out_act_node + 1; f->out_act_node >= 0 && i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        if (n->op != IR_OP_DROPOUT && n->op != IR_OP_BATCHNORM)
            continue;
        suspect *s = dx_find(ctx->found, "batchnorm-order", 0.6, DX_R(REMOVE_LAYER),
                             "%s %s comes after the output activation and changes the outputs "
                             "the loss scores", ir_enum_name(&ir_op_table, (int)n->op), n->name);
        dx_at_layer(s, n);
        dx_evidence(s, "output activation at %s, then %s", m->nodes[f->out_act_node].name,
                    n->name);
        found++;
    }
    return found;
}
