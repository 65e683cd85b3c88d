/* rules_activation.c: static rules on hidden activations: weight layers with
 * no non-linearity after them (a stack of linear maps is one linear map),
 * saturating activations in deep stacks (Glorot and Bengio, AISTATS 2010:
 * sigmoid stacks train poorly; AutoTrainer's vanishing-gradient fixes replace
 * them), and exponential activations, which overflow float32 beyond 88.
 */
#include "diagnose_int.h"

/* Hidden weight layers with saturating activations that make a stack deep. */
#define DX_DEEP_SATURATING 3

/* Whether a max pooling (itself non-linear) lies between nodes I and J of M. */
static bool maxpool_between(const ir_model *m, int i, int j)
{
    for (int k = i + 1; k < j; k++)
        if (m->nodes[k].op == IR_OP_MAXPOOL)
            return true;
    return false;
}

int dx_rule_linear_stack(pass_ctx *ctx)
{
    const dx_facts *f = ctx->facts;
    const ir_model *m = f->model;
    if (!m || f->n_weight_layers < 2)
        return 0;
    /* Is any hidden layer non-linear?  If none is, the whole stack collapses. */
    int linear = 0, hidden = 0;
    for (int i = 0; i < m->n_nodes; i++)
        if (ir_op_has_weights(m->nodes[i].op) && i != f->out) {
            hidden++;
            linear += dx_linear_after(m, i);
        }
    int found = 0;
    for (int i = 0; i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        int next = dx_next_weight_layer(m, i);
        if (!ir_op_has_weights(n->op) || next < 0 || !dx_linear_after(m, i))
            continue;
        bool pooled = maxpool_between(m, i, next);
        double score = pooled ? 0.35 : linear == hidden ? 0.75 : 0.5;
        suspect *s = dx_find(ctx->found, "linear-stack", score, DX_R(ACTIVATION),
                             "%s has no activation: %s", n->name,
                             pooled ? "only the pooling after it bends its output"
                             : linear == hidden ? "the whole stack is one linear map"
                                                : "it and the next layer collapse into one");
        dx_at_node(s, n, IR_NATTR_ACTIVATION);
        dx_evidence(s, "activation=linear, next weight layer %s; %d of %d hidden weight "
                    "layers linear", m->nodes[next].name, linear, hidden);
        found++;
    }
    return found;
}

int dx_rule_saturating_stack(pass_ctx *ctx)
{
    const dx_facts *f = ctx->facts;
    const ir_model *m = f->model;
    if (!m)
        return 0;
    int count = 0, sigmoids = 0, at;
    for (int i = 0; i < m->n_nodes; i++) {
        if (!ir_op_has_weights(m->nodes[i].op) || i == f->out)
            continue;
        ir_act a = dx_act_after(m, i, &at);
        count += dx_act_saturating(a);
        sigmoids += a == IR_ACT_SIGMOID || a == IR_ACT_HARD_SIGMOID;
    }
    if (count < DX_DEEP_SATURATING)
        return 0;
    /* Sigmoid's gradient is at most 0.25 per layer, tanh's 1. */
    double score = 0.3 + 0.08 * (count - DX_DEEP_SATURATING) + (sigmoids * 2 > count ? 0.2 : 0.0);
    score = score > 0.75 ? 0.75 : score;
    int found = 0;
    for (int i = 0; i < m->n_nodes; i++) {
        if (!ir_op_has_weights(m->nodes[i].op) || i == f->out)
            continue;
        ir_act a = dx_act_after(m, i, &at);
        if (!dx_act_saturating(a))
            continue;
        suspect *s = dx_find(ctx->found, "saturating-stack", score,
                             DX_R(ACTIVATION) | DX_R(BATCHNORM) | DX_R(INIT),
                             "%s in a stack of %d saturating layers: gradients shrink through "
                             "each of them", ir_enum_name(&ir_act_table, (int)a), count);
        dx_at_node(s, &m->nodes[at], IR_NATTR_ACTIVATION);
        dx_evidence(s, "%d hidden layers sigmoid-like (%d sigmoid), %d weight layers",
                    count, sigmoids, f->n_weight_layers);
        found++;
    }
    return found;
}

int dx_rule_unbounded_activation(pass_ctx *ctx)
{
    const dx_facts *f = ctx->facts;
    const ir_model *m = f->model;
    int found = 0;
    for (int i = 0; m && i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        if (!ir_op_has_activation(n->op) || n->activation != IR_ACT_EXPONENTIAL)
            continue;
        bool output = i == f->out_act_node;
        if (output && ctx->prog->train.loss == IR_LOSS_POISSON)
            continue;   /* exp is the natural link of a Poisson output */
        suspect *s = dx_find(ctx->found, "unbounded-activation", output ? 0.6 : 0.75,
                             DX_R(ACTIVATION) | DX_R(CLIPPING),
                             "exponential activation on %s overflows float32 for inputs "
                             "above 88 and compounds across layers", n->name);
        dx_at_node(s, n, IR_NATTR_ACTIVATION);
        dx_evidence(s, "activation=exponential on %s layer %d of %d",
                    output ? "the output" : "hidden", i, m->n_nodes - 1);
        found++;
    }
    return found;
}
