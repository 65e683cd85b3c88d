/* mutate.c: the mutation operators (mutate.h).
 *
 * One table row per operator: where it acts (a layer, the output layer, the
 * train block, the dataset), which attribute, and how the new value is
 * obtained (parsed from to=, scaled by factor=, or fixed).  Values parse
 * through the attribute's own vocabulary, so any activation, loss,
 * optimiser or initialiser of the language is accepted.  The operator `set`
 * names its place itself, as the `# fix:` lines of examples/faults do
 * (place=LAYER.ATTRIBUTE, train.ATTRIBUTE or data.ATTRIBUTE): it writes a
 * known fix into a faulty program as readily as a fault into a healthy one.
 */
#include "mutate.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rewrite.h"

/* Where an operator acts (MU_PLACE: where place= says). */
typedef enum { MU_LAYER, MU_OUTPUT, MU_TRAIN, MU_DATA, MU_REMOVE, MU_PLACE } mu_where;

/* How the new value is made. */
typedef enum {
    MU_TO,       /* parsed from to= */
    MU_FACTOR,   /* the old value times factor= (default DEF) */
    MU_FIXED     /* DEF (as the attribute's number or enum value) */
} mu_how;

/* One operator. */
typedef struct mu_op {
    const char *name;   /* as --mutate spells it */
    mu_where where;     /* what it changes */
    int attr;           /* ir_nattr / ir_tattr / ir_dattr */
    mu_how how;         /* how the value is made */
    double def;         /* default factor or fixed value */
    const char *what;   /* one line for --help and reasons */
} mu_op;

/* Every operator, in the order --help lists them: X(name, where, attribute,
 * how, default, what).  The one registry of mutation operators: the table,
 * the names --help and the errors list come from it. */
#define MU_OPERATORS(X) \
    X(change_activation, MU_LAYER, IR_NATTR_ACTIVATION, MU_TO, 0, \
      "a layer's activation (to=NAME)") \
    X(remove_activation, MU_LAYER, IR_NATTR_ACTIVATION, MU_FIXED, IR_ACT_LINEAR, \
      "a layer's activation removed") \
    X(change_output_activation, MU_OUTPUT, IR_NATTR_ACTIVATION, MU_TO, 0, \
      "the output activation (to=NAME)") \
    X(change_loss, MU_TRAIN, IR_TATTR_LOSS, MU_TO, 0, \
      "the loss (to=NAME)") \
    X(change_optimizer, MU_TRAIN, IR_TATTR_OPTIMIZER, MU_TO, 0, \
      "the optimiser with Keras defaults (to=NAME)") \
    X(change_learning_rate, MU_TRAIN, IR_TATTR_LEARNING_RATE, MU_FACTOR, 100, \
      "the learning rate (factor=X or to=V)") \
    X(change_batch, MU_TRAIN, IR_TATTR_BATCH, MU_TO, 0, \
      "the batch size (to=N)") \
    X(change_epochs, MU_TRAIN, IR_TATTR_EPOCHS, MU_FACTOR, 0.1, \
      "the epochs (factor=X or to=N)") \
    X(change_kernel_init, MU_LAYER, IR_NATTR_INIT, MU_TO, 0, \
      "a layer's kernel initialiser (to=NAME)") \
    X(change_bias_init, MU_LAYER, IR_NATTR_BIAS_INIT, MU_TO, 0, \
      "a layer's bias initialiser (to=NAME)") \
    X(change_units, MU_LAYER, IR_NATTR_UNITS, MU_FACTOR, 0.5, \
      "a dense layer's units (factor=X or to=N)") \
    X(change_dropout, MU_LAYER, IR_NATTR_RATE, MU_TO, 0, \
      "a dropout layer's rate (to=X)") \
    X(add_regularizer, MU_LAYER, IR_NATTR_REGULARIZER, MU_TO, 0, \
      "a weight penalty (to=l1(0.01), l2(..))") \
    X(remove_layer, MU_REMOVE, 0, MU_FIXED, 0, \
      "a hidden layer removed (layer=NAME)") \
    X(remove_scaling, MU_DATA, IR_DATTR_SCALE, MU_FIXED, 1, \
      "the input scaling undone") \
    X(set, MU_PLACE, 0, MU_TO, 0, \
      "any attribute (place=LAYER.ATTR, train.ATTR or data.ATTR, to=VALUE)")

#define MU_X_ROW(name, where, attr, how, def, what) {#name, where, attr, how, def, what},
static const mu_op ops[] = {MU_OPERATORS(MU_X_ROW)};

const char *rp_mutate_operators(void)
{
    static char buf[512];
    size_t len = 0;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0] && len < sizeof buf; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", i ? ", " : "", ops[i].name);
    return buf;
}

/* The value of KEY in "k=v,k=v" ARGS into BUF; false when absent. */
static bool arg(const char *args, const char *key, char *buf, size_t size)
{
    size_t kl = strlen(key);
    for (const char *s = args; s && *s;) {
        /* Commas inside parentheses belong to the value: l1_l2(l1=1,l2=2). */
        const char *end = s;
        int depth = 0;
        while (*end && (depth > 0 || *end != ',')) {
            depth += *end == '(';
            depth -= *end == ')';
            end++;
        }
        if ((size_t)(end - s) > kl && strncmp(s, key, kl) == 0 && s[kl] == '=') {
            snprintf(buf, size, "%.*s", (int)(end - s - (long)kl - 1), s + kl + 1);
            return true;
        }
        s = *end ? end + 1 : end;
    }
    return false;
}

/* Parses "name" or "name(param)" / "l2(0.01)" for initialisers and regularisers. */
static bool parse_value(const ir_attr_desc *d, const char *text, rp_value *v)
{
    char name[64] = "";
    double x = 0;
    char *end;
    switch (d->type) {
    case IR_T_ENUM:
    case IR_T_FNREF:
        v->i = ir_enum_lookup(d->table, text);
        return v->i >= 0;
    case IR_T_BOOL:
        v->b = strcmp(text, "true") == 0;
        return v->b || strcmp(text, "false") == 0;
    case IR_T_INT:
        errno = 0;
        v->i = (int)strtol(text, &end, 10);
        return !*end && !errno && v->i >= d->min && v->i <= d->max;
    case IR_T_FLOAT:
        v->f = strtod(text, &end);
        if (end != text && *end == '/') {   /* a fraction, as .dnn sources write 1/255 */
            const char *den = end + 1;
            double q = strtod(den, &end);
            if (end == den || q == 0)
                return false;
            v->f /= q;
        }
        return end != text && !*end && isfinite(v->f) && v->f >= d->min && v->f <= d->max;
    case IR_T_INIT: {
        int n = sscanf(text, "%63[a-z_](%lf)", name, &x);
        int k = ir_enum_lookup(&ir_init_table, name);
        if (k < 0 || n < 1)
            return false;
        v->init = (ir_initializer){(ir_init)k, n == 2 ? x : ir_init_param_default((ir_init)k)};
        return true;
    }
    case IR_T_REG: {
        int n = sscanf(text, "%63[a-z_0-9](%lf)", name, &x);
        int k = ir_enum_lookup(&ir_reg_table, name);
        if (k < 0 || n < 1)
            return false;
        double f = n == 2 ? x : 0.01;
        v->reg = (ir_regularizer){(ir_reg)k, k == IR_REG_L1 || k == IR_REG_L1_L2 ? f : 0,
                                  k == IR_REG_L2 || k == IR_REG_L1_L2 ? f : 0};
        return true;
    }
    default:
        return false;
    }
}

/* The layer an operator acts on: layer=NAME, else the first hidden weighted
 * layer (the output for output operators). */
static const ir_node *pick_layer(const ir_model *m, const mu_op *op, const char *args, char *err, size_t errsize)
{
    char name[RP_NAME_MAX];
    if (arg(args, "layer", name, sizeof name)) {
        const ir_node *n = ir_find_node(m, name);
        if (!n)
            snprintf(err, errsize, "model %s has no layer '%s'", m->name, name);
        return n;
    }
    int i = op->where == MU_OUTPUT ? rp_output_index(m) : -1;
    for (int k = 1; i < 0 && k < m->n_nodes; k++) {
        const ir_node *n = &m->nodes[k];
        bool fits = op->attr == IR_NATTR_RATE ? n->op == IR_OP_DROPOUT
                  : op->attr == IR_NATTR_UNITS ? n->op == IR_OP_DENSE && rp_is_hidden_weighted(m, k)
                  : op->where == MU_REMOVE ? rp_is_hidden_weighted(m, k) && n->in_shape.rank == 1
                  : rp_is_hidden_weighted(m, k);
        if (fits)
            i = k;
    }
    if (i < 0)
        snprintf(err, errsize, "%s: the model has no layer it applies to; name one with layer=NAME", op->name);
    return i >= 0 ? &m->nodes[i] : NULL;
}

/* The attribute place=WHERE.ATTRIBUTE of ARGS names: *WHERE becomes
 * MU_TRAIN, MU_DATA or MU_LAYER (with *NODE).  NULL with ERR set when the
 * place is missing or unknown. */
static const ir_attr_desc *place(const ir_model *m, const char *args, mu_where *where, const ir_node **node,
                                 char *err, size_t errsize)
{
    char text[RP_NAME_MAX + 48];
    char *dot;
    if (!arg(args, "place", text, sizeof text) || !(dot = strrchr(text, '.'))) {
        snprintf(err, errsize, "set needs place=LAYER.ATTRIBUTE, train.ATTRIBUTE or data.ATTRIBUTE");
        return NULL;
    }
    *dot = 0;
    const char *owner = text, *name = dot + 1;
    const ir_attr_desc *d;
    if (strcmp(owner, "train") == 0) {
        *where = MU_TRAIN;
        d = ir_attr_find(ir_train_attrs, ir_train_attr_count, name);
    } else if (strcmp(owner, "data") == 0) {
        *where = MU_DATA;
        d = ir_attr_find(ir_data_attrs, ir_data_attr_count, name);
    } else {
        *where = MU_LAYER;
        if (!(*node = ir_find_node(m, owner))) {
            snprintf(err, errsize, "model %s has no layer '%s'", m->name, owner);
            return NULL;
        }
        d = ir_attr_find(ir_node_attrs, ir_node_attr_count, name);
    }
    if (!d)
        snprintf(err, errsize, "set: %s has no attribute '%s'", owner, name);
    return d;
}

bool rp_mutate(const ir_program *p, const char *name, const char *args, rp_changes *out, char *err, size_t errsize)
{
    memset(out, 0, sizeof *out);
    const mu_op *op = NULL;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].name, name) == 0)
            op = &ops[i];
    if (!op) {
        snprintf(err, errsize, "unknown mutation operator '%s'; valid choices: %s", name, rp_mutate_operators());
        return false;
    }
    const ir_model *m = ir_train_model(p);
    const ir_dataset *ds = ir_train_dataset(p);
    if (!m || !ds) {
        snprintf(err, errsize, "--mutate needs a train block naming a model and a dataset");
        return false;
    }
    char reason[200];
    snprintf(reason, sizeof reason, "mutation %s: %s", op->name, op->what);
    if (op->where == MU_REMOVE) {
        const ir_node *n = pick_layer(m, op, args, err, errsize);
        if (!n)
            return false;
        rp_change c = rp_remove(p, n, REPAIR_REMOVE_LAYER, reason);
        rp_changes_push(out, &c);
        return true;
    }
    const ir_node *node = NULL;
    const ir_attr_desc *d;
    const void *obj;
    mu_where where = op->where;
    if (where == MU_PLACE) {
        if (!(d = place(m, args, &where, &node, err, errsize)))
            return false;
    } else if (where == MU_LAYER || where == MU_OUTPUT) {
        node = pick_layer(m, op, args, err, errsize);
        if (!node)
            return false;
        d = ir_attr_by_id(ir_node_attrs, ir_node_attr_count, op->attr);
    } else if (where == MU_TRAIN) {
        d = ir_attr_by_id(ir_train_attrs, ir_train_attr_count, op->attr);
    } else {
        d = ir_attr_by_id(ir_data_attrs, ir_data_attr_count, op->attr);
    }
    obj = node ? (const void *)node : where == MU_TRAIN ? (const void *)&p->train : (const void *)ds;
    if (node && !ir_attr_applies(d, (int)node->op)) {
        snprintf(err, errsize, "%s: layer %s has no %s", op->name, node->name, d->name);
        return false;
    }
    rp_value v;
    memset(&v, 0, sizeof v);
    char text[128];
    const char *field = (const char *)obj + d->offset;
    if (arg(args, "to", text, sizeof text)) {
        if (!parse_value(d, text, &v)) {
            snprintf(err, errsize, "%s: '%s' is not a valid %s", op->name, text, d->name);
            return false;
        }
    } else if (op->how == MU_FACTOR) {
        double f = op->def;
        if (arg(args, "factor", text, sizeof text)) {
            char *end;
            f = strtod(text, &end);
            if (end == text || *end || !(f > 0) || !isfinite(f)) {
                snprintf(err, errsize, "%s: factor '%s' is not a positive number", op->name, text);
                return false;
            }
        }
        if (d->type == IR_T_FLOAT)
            v.f = rp_scaled(*(const double *)field, f);
        else
            v.i = (int)fmax(1, floor(*(const int *)field * f));
    } else if (op->how == MU_FIXED) {
        if (d->type == IR_T_FLOAT)
            v.f = op->def;
        else
            v.i = (int)op->def;
    } else {
        snprintf(err, errsize, "%s needs to=VALUE", op->name);
        return false;
    }
    rp_change c = node ? rp_set_node(p, node, d->id, &v, REPAIR_ACTIVATION, reason)
                : where == MU_TRAIN ? rp_set_train(p, d->id, &v, REPAIR_LOSS, reason)
                : rp_set_data(p, ds, d->id, &v, REPAIR_PREPROCESSING, reason);
    if (strcmp(c.before, c.after) == 0) {
        snprintf(err, errsize, "%s: %s is already %s", op->name, d->name, c.after);
        return false;
    }
    rp_changes_push(out, &c);
    ir_program *q = rp_apply_all(p, out, op->name);
    bool ok = q != NULL;
    ir_program_free(q);
    if (!ok) {
        snprintf(err, errsize, "%s: the mutant is not a valid program", op->name);
        rp_changes_free(out);
    }
    return ok;
}
