/* repair_suspects.c: the stand-in suspect ranking (see repair_suspects.h).
 *
 * Each rule names a place, a score and the repair classes that address it.
 * The rules follow the static checks the published tools agree on (output
 * activation vs. loss, constant initialisers, unscaled inputs, learning rate
 * far from its optimiser's range, saturating or missing non-linearities,
 * heavy dropout or regularisation, few epochs, extreme batch sizes) and the
 * two baseline symptoms every tool reports (divergence, no learning).
 */
#include "repair_suspects.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIT(c) (1u << (c))

void rp_suspect_add(suspect_list *l, suspect_target target, const char *node, const char *attribute,
                    int line, int col, const char *rule, double score, unsigned repairs,
                    const char *message)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->items = ir_realloc(l->items, sizeof *l->items * (size_t)l->cap);
    }
    suspect *s = &l->items[l->n++];
    memset(s, 0, sizeof *s);
    s->target = target;
    snprintf(s->node, sizeof s->node, "%s", node ? node : "");
    snprintf(s->attribute, sizeof s->attribute, "%s", attribute);
    s->line = line;
    s->column = col;
    snprintf(s->rule, sizeof s->rule, "%s", rule);
    s->score = score;
    s->repairs = repairs;
    snprintf(s->message, sizeof s->message, "%s", message);
}

static void add_node(suspect_list *l, const ir_node *n, int attr, const char *name, const char *rule,
                     double score, unsigned repairs, const char *msg)
{
    const ir_span *s = n->attr_span[attr].line > 0 ? &n->attr_span[attr] : &n->span;
    rp_suspect_add(l, SUSPECT_NODE, n->name, name, s->line, s->col, rule, score, repairs, msg);
}

static void add_train(suspect_list *l, const ir_train *t, int attr, const char *name, const char *rule,
                      double score, unsigned repairs, const char *msg)
{
    const ir_span *s = t->attr_span[attr].line > 0 ? &t->attr_span[attr] : &t->span;
    rp_suspect_add(l, SUSPECT_TRAIN, "", name, s->line, s->col, rule, score, repairs, msg);
}

static bool saturating(ir_act a)
{
    return a == IR_ACT_SIGMOID || a == IR_ACT_TANH || a == IR_ACT_HARD_SIGMOID || a == IR_ACT_SOFTMAX;
}

static void model_rules(const ir_program *p, const rp_facts *f, suspect_list *out)
{
    const ir_model *m = ir_train_model(p);
    int oi = m ? rp_output_index(m) : -1, od = m ? rp_output_dense(m) : -1;
    if (oi < 0 || od < 0)
        return;
    char msg[256];
    const ir_node *o = &m->nodes[oi];
    int want = rp_output_activation_for(p, f);
    if (!rp_fits_data(p, f))
        add_node(out, &m->nodes[od], IR_NATTR_UNITS, "units", "output-units", 0.95,
                 BIT(REPAIR_OUTPUT_UNITS) | BIT(REPAIR_LOSS), "the output does not fit the labels");
    if (want >= 0 && want != (int)o->activation) {
        snprintf(msg, sizeof msg, "output activation %s does not suit %s on these labels",
                 ir_enum_name(&ir_act_table, (int)o->activation), ir_enum_name(&ir_loss_table, (int)p->train.loss));
        add_node(out, o, IR_NATTR_ACTIVATION, "activation", "output-activation", 0.9,
                 BIT(REPAIR_OUTPUT_ACTIVATION) | BIT(REPAIR_LOSS), msg);
    }
    bool class_loss = p->train.loss == IR_LOSS_CATEGORICAL_CROSSENTROPY ||
                      p->train.loss == IR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY ||
                      p->train.loss == IR_LOSS_BINARY_CROSSENTROPY;
    if ((f->classes > 0) != class_loss)
        add_train(out, &p->train, IR_TATTR_LOSS, "loss", "loss-labels", 0.7,
                  BIT(REPAIR_LOSS) | BIT(REPAIR_OUTPUT_ACTIVATION), "the loss does not suit the labels");
    int hidden = 0, linear = 0, sat = 0;
    for (int i = 1; i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        if (ir_op_has_weights(n->op)) {
            bool constant = n->init.kind == IR_INIT_ZEROS || n->init.kind == IR_INIT_ONES ||
                            n->init.kind == IR_INIT_CONSTANT;
            bool wide = (n->init.kind == IR_INIT_RANDOM_NORMAL || n->init.kind == IR_INIT_RANDOM_UNIFORM ||
                         n->init.kind == IR_INIT_TRUNCATED_NORMAL) && n->init.param >= 0.3;
            if (constant || wide)
                add_node(out, n, IR_NATTR_INIT, "init", constant ? "constant-init" : "wide-init", 0.8,
                         BIT(REPAIR_INIT) | BIT(REPAIR_BATCHNORM),
                         constant ? "constant kernel: symmetry is never broken" : "kernel starts with a wide spread");
            if (n->regularizer.kind != IR_REG_NONE && n->regularizer.l1 + n->regularizer.l2 >= 0.005)
                add_node(out, n, IR_NATTR_REGULARIZER, "regularizer", "strong-regularizer", 0.45,
                         BIT(REPAIR_REGULARIZER), "a strong weight penalty");
        }
        if (n->op == IR_OP_DROPOUT && n->rate >= 0.5)
            add_node(out, n, IR_NATTR_RATE, "rate", "high-dropout", 0.35, BIT(REPAIR_DROPOUT), "heavy dropout");
        if (i == oi || !ir_op_has_activation(n->op))
            continue;
        hidden++;
        if (rp_is_activation(n, IR_ACT_LINEAR) && n->op != IR_OP_ACTIVATION)
            linear++;
        if (saturating(n->activation) || n->activation == IR_ACT_EXPONENTIAL) {
            sat++;
            add_node(out, n, IR_NATTR_ACTIVATION, "activation",
                     n->activation == IR_ACT_EXPONENTIAL ? "unbounded-activation" : "saturating-activation",
                     0.5, BIT(REPAIR_ACTIVATION) | BIT(REPAIR_BATCHNORM), "activation saturates or overflows");
        }
    }
    for (int i = 1; linear && i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        if (i != oi && ir_op_has_weights(n->op) && rp_is_activation(n, IR_ACT_LINEAR))
            add_node(out, n, IR_NATTR_ACTIVATION, "activation", "linear-hidden", 0.6,
                     BIT(REPAIR_ACTIVATION), "hidden layer without a non-linearity");
    }
    (void)hidden;
    (void)sat;
}

static void recipe_rules(const ir_program *p, const rp_facts *f, const rp_baseline_signs *signs,
                         suspect_list *out)
{
    const ir_train *t = &p->train;
    ir_train def;
    ir_train_optimizer_defaults(&def, t->optimizer);
    double off = t->learning_rate > 0 ? log10(t->learning_rate / def.learning_rate) : 0;
    char msg[256];
    if (fabs(off) >= 1.5 || (signs && signs->diverged)) {
        snprintf(msg, sizeof msg, "learning rate %g is %s the usual range of %s", t->learning_rate,
                 off > 0 ? "above" : "below", ir_enum_name(&ir_opt_table, (int)t->optimizer));
        add_train(out, t, IR_TATTR_LEARNING_RATE, "learning_rate", "learning-rate",
                  signs && signs->diverged ? 0.85 : 0.75,
                  BIT(REPAIR_LEARNING_RATE) | BIT(REPAIR_OPTIMIZER) | BIT(REPAIR_CLIPPING), msg);
    }
    if (signs && signs->diverged)
        add_train(out, t, IR_TATTR_CLIPNORM, "clipnorm", "exploding-loss", 0.6,
                  BIT(REPAIR_CLIPPING) | BIT(REPAIR_LEARNING_RATE) | BIT(REPAIR_BATCHNORM),
                  "the loss became NaN or infinite");
    if (signs && signs->no_learning)
        add_train(out, t, IR_TATTR_OPTIMIZER, "optimizer", "no-learning", 0.55,
                  BIT(REPAIR_OPTIMIZER) | BIT(REPAIR_LEARNING_RATE) | BIT(REPAIR_ACTIVATION) |
                  BIT(REPAIR_INIT) | BIT(REPAIR_PREPROCESSING),
                  "the metric stayed at chance");
    if (t->epochs <= 3)
        add_train(out, t, IR_TATTR_EPOCHS, "epochs", "few-epochs", 0.3, BIT(REPAIR_EPOCHS), "very few epochs");
    if (t->batch <= 2 || (f->train_n > 0 && t->batch * 4 > f->train_n))
        add_train(out, t, IR_TATTR_BATCH, "batch", "batch-size", 0.4, BIT(REPAIR_BATCH),
                  t->batch <= 2 ? "batch of 1: noisy and slow" : "few batches per epoch");
}

static void data_rules(const ir_program *p, const rp_facts *f, suspect_list *out)
{
    const ir_dataset *d = ir_train_dataset(p);
    if (!d)
        return;
    double prep = fmax(fabs(f->prep_min), fabs(f->prep_max));
    const char *why = prep > 4 ? "inputs are not scaled" : f->range_ratio > 50 ? "features of very different ranges"
                    : prep > 0 && prep < 0.02 ? "inputs are squeezed to almost nothing" : NULL;
    if (!why)
        return;
    const ir_span *s = d->attr_span[IR_DATTR_SCALE].line > 0 ? &d->attr_span[IR_DATTR_SCALE] : &d->span;
    rp_suspect_add(out, SUSPECT_DATA, d->name, "scale", s->line, s->col, "input-scale", 0.85,
                   BIT(REPAIR_PREPROCESSING) | BIT(REPAIR_BATCHNORM), why);
}

static int by_score(const void *a, const void *b)
{
    double x = ((const suspect *)a)->score, y = ((const suspect *)b)->score;
    return x < y ? 1 : x > y ? -1 : 0;
}

void rp_rank_suspects(const ir_program *p, const rp_facts *facts, const rp_baseline_signs *signs,
                      suspect_list *out)
{
    int first = out->n;
    model_rules(p, facts, out);
    recipe_rules(p, facts, signs, out);
    data_rules(p, facts, out);
    /* Stable order for equal scores: qsort is not stable, so break ties by position. */
    for (int i = first; i < out->n; i++)
        out->items[i].score -= 1e-6 * (i - first);
    if (out->n > first)   /* items is NULL while the list is empty */
        qsort(out->items + first, (size_t)(out->n - first), sizeof *out->items, by_score);
    for (int i = 0; i < out->n; i++)
        out->items[i].rank = i + 1;
}
