/* ir_attrs.c: the attribute tables and the spelling of attribute values.
 *
 * One row per attribute: its name, type, field, the node kinds (or dataset
 * sources, or optimisers) it applies to, and its valid range.  The lowering
 * checks against these rows, the printer and reader walk them, the differ and
 * the source patcher format values through ir_attr_format.  Rows are sorted by
 * name because the IR prints attributes in that order.
 */
#include "ir.h"

#include <float.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAMES_X(id, name) #name,
static const char *const op_names[] = {IR_OPS(NAMES_X)};
static const char *const act_names[] = {IR_ACTS(NAMES_X)};
static const char *const loss_names[] = {IR_LOSSES(NAMES_X)};
static const char *const opt_names[] = {IR_OPTIMIZERS(NAMES_X)};
static const char *const init_names[] = {IR_INITS(NAMES_X)};
static const char *const reg_names[] = {IR_REGULARIZERS(NAMES_X)};
static const char *const pad_names[] = {IR_PADDINGS(NAMES_X)};
static const char *const src_names[] = {IR_SOURCES(NAMES_X)};
static const char *const task_names[] = {IR_TASKS(NAMES_X)};
static const char *const metric_names[] = {IR_METRICS(NAMES_X)};
static const char *const ctype_names[] = {IR_CTYPES(NAMES_X)};
static const char *const objective_names[] = {IR_OBJECTIVES(NAMES_X)};
static const char *const fn_role_names[] = {IR_FN_ROLES(NAMES_X)};
static const char *const fn_form_names[] = {IR_FN_FORMS(NAMES_X)};
static const char *const fn_goal_names[] = {IR_FN_GOALS(NAMES_X)};

#define TABLE(var, what, names) \
    const ir_enum_table var = {what, names, (int)(sizeof names / sizeof names[0])};
TABLE(ir_op_table, "layer", op_names)
TABLE(ir_act_table, "activation", act_names)
TABLE(ir_loss_table, "loss", loss_names)
TABLE(ir_opt_table, "optimizer", opt_names)
TABLE(ir_init_table, "initializer", init_names)
TABLE(ir_reg_table, "regularizer", reg_names)
TABLE(ir_pad_table, "padding", pad_names)
TABLE(ir_src_table, "data source", src_names)
TABLE(ir_task_table, "task", task_names)
TABLE(ir_metric_table, "metric", metric_names)
TABLE(ir_ctype_table, "C type", ctype_names)
TABLE(ir_objective_table, "objective", objective_names)
TABLE(ir_fn_role_table, "function role", fn_role_names)
TABLE(ir_fn_form_table, "function form", fn_form_names)
TABLE(ir_fn_goal_table, "metric goal", fn_goal_names)

int ir_enum_lookup(const ir_enum_table *table, const char *name)
{
    for (int i = 0; i < table->count; i++)
        if (strcmp(table->names[i], name) == 0)
            return i;
    return -1;
}

const char *ir_enum_name(const ir_enum_table *table, int value)
{
    return value >= 0 && value < table->count ? table->names[value] : "?";
}

void ir_enum_choices(const ir_enum_table *table, char *buf, unsigned long size)
{
    size_t len = 0;
    buf[0] = 0;
    for (int i = 0; i < table->count && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", table->names[i]);
}

#define BIT(x) (1u << (x))
#define ALL 0xffffffffu
#define WEIGHTED (BIT(IR_OP_DENSE) | BIT(IR_OP_CONV2D))
#define POOLS (BIT(IR_OP_MAXPOOL) | BIT(IR_OP_AVGPOOL))
#define GENERATORS (BIT(IR_SRC_BLOBS) | BIT(IR_SRC_CIRCLES) | BIT(IR_SRC_MOONS) | \
                    BIT(IR_SRC_SPIRALS) | BIT(IR_SRC_XOR) | BIT(IR_SRC_REGRESSION))
#define ADAMS (BIT(IR_OPT_ADAM) | BIT(IR_OPT_ADAMAX) | BIT(IR_OPT_NADAM))
#define BIG 1e300

#define NODE(name, id, type, field, table, applies, min, max) \
    {#name, IR_NATTR_##id, type, offsetof(ir_node, field), table, applies, min, max, false, 0, 0}
const ir_attr_desc ir_node_attrs[] = {
    {"activation", IR_NATTR_ACTIVATION, IR_T_FNREF, offsetof(ir_node, activation), &ir_act_table,
     WEIGHTED | BIT(IR_OP_ACTIVATION), 0, 0, false, offsetof(ir_node, activation_fn),
     offsetof(ir_node, activation_args)},
    NODE(bias, BIAS, IR_T_BOOL, bias, NULL, WEIGHTED, 0, 0),
    NODE(bias_init, BIAS_INIT, IR_T_INIT, bias_init, NULL, WEIGHTED, -1e6, 1e6),
    NODE(epsilon, EPSILON, IR_T_FLOAT, epsilon, NULL, BIT(IR_OP_BATCHNORM), 0, 1),
    NODE(filters, FILTERS, IR_T_INT, units, NULL, BIT(IR_OP_CONV2D), 1, 65536),
    NODE(init, INIT, IR_T_INIT, init, NULL, WEIGHTED, -1e6, 1e6),
    NODE(kernel, KERNEL, IR_T_INT2, kernel, NULL, BIT(IR_OP_CONV2D), 1, 4096),
    NODE(momentum, MOMENTUM, IR_T_FLOAT, momentum, NULL, BIT(IR_OP_BATCHNORM), 0, 1),
    NODE(padding, PADDING, IR_T_ENUM, padding, &ir_pad_table, BIT(IR_OP_CONV2D) | POOLS, 0, 0),
    NODE(pool, POOL, IR_T_INT2, pool, NULL, POOLS, 1, 4096),
    NODE(rate, RATE, IR_T_FLOAT, rate, NULL, BIT(IR_OP_DROPOUT), 0, 1),
    NODE(regularizer, REGULARIZER, IR_T_REG, regularizer, NULL, WEIGHTED, 0, 1e6),
    NODE(shape, SHAPE, IR_T_SHAPE, shape, NULL, BIT(IR_OP_INPUT), 1, 1 << 24),
    NODE(stride, STRIDE, IR_T_INT2, stride, NULL, BIT(IR_OP_CONV2D) | POOLS, 1, 4096),
    NODE(units, UNITS, IR_T_INT, units, NULL, BIT(IR_OP_DENSE), 1, 1 << 20),
};
const int ir_node_attr_count = (int)(sizeof ir_node_attrs / sizeof ir_node_attrs[0]);

#define DATA(name, id, type, field, table, applies, min, max) \
    {#name, IR_DATTR_##id, type, offsetof(ir_dataset, field), table, applies, min, max, false, 0, 0}
const ir_attr_desc ir_data_attrs[] = {
    DATA(classes, CLASSES, IR_T_INT, classes, NULL, BIT(IR_SRC_BLOBS) | BIT(IR_SRC_SPIRALS), 2, 1000),
    DATA(factor, FACTOR, IR_T_FLOAT, factor, NULL, BIT(IR_SRC_CIRCLES), 0.01, 0.99),
    DATA(features, FEATURES, IR_T_INT, features, NULL,
         BIT(IR_SRC_BLOBS) | BIT(IR_SRC_XOR) | BIT(IR_SRC_REGRESSION), 1, 100000),
    DATA(header, HEADER, IR_T_BOOL, header, NULL, BIT(IR_SRC_CSV), 0, 0),
    DATA(label, LABEL, IR_T_LABEL, label, NULL, BIT(IR_SRC_CSV), -1, 1000000),
    DATA(limit, LIMIT, IR_T_INT, limit, NULL, BIT(IR_SRC_IDX) | BIT(IR_SRC_CSV), 0, 100000000),
    DATA(minmax, MINMAX, IR_T_BOOL, minmax, NULL, ALL, 0, 0),
    DATA(noise, NOISE, IR_T_FLOAT, noise, NULL, GENERATORS & ~BIT(IR_SRC_BLOBS), 0, 1e6),
    DATA(path, PATH, IR_T_STR, path, NULL, BIT(IR_SRC_IDX) | BIT(IR_SRC_CSV), 0, 0),
    DATA(samples, SAMPLES, IR_T_INT, samples, NULL, GENERATORS, 4, 10000000),
    DATA(scale, SCALE, IR_T_FLOAT, scale, NULL, ALL, -1e30, 1e30),
    DATA(source, SOURCE, IR_T_ENUM, source, &ir_src_table, ALL, 0, 0),
    DATA(spread, SPREAD, IR_T_FLOAT, noise, NULL, BIT(IR_SRC_BLOBS), 0, 1e6),
    DATA(standardize, STANDARDIZE, IR_T_BOOL, standardize, NULL, ALL, 0, 0),
    DATA(task, TASK, IR_T_ENUM, task, &ir_task_table, BIT(IR_SRC_CSV), 0, 0),
    DATA(test, TEST, IR_T_FLOAT, test, NULL, ALL, 0, 0.95),
    DATA(validation, VALIDATION, IR_T_FLOAT, validation, NULL, ALL, 0, 0.95),
};
const int ir_data_attr_count = (int)(sizeof ir_data_attrs / sizeof ir_data_attrs[0]);

#define TRAIN(name, id, type, field, table, applies, min, max, opt) \
    {#name, IR_TATTR_##id, type, offsetof(ir_train, field), table, applies, min, max, opt, 0, 0}
const ir_attr_desc ir_train_attrs[] = {
    TRAIN(batch, BATCH, IR_T_INT, batch, NULL, ALL, 1, 1 << 24, false),
    TRAIN(beta_1, BETA_1, IR_T_FLOAT, beta_1, NULL, ADAMS, 0, 0.999999, true),
    TRAIN(beta_2, BETA_2, IR_T_FLOAT, beta_2, NULL, ADAMS, 0, 0.999999, true),
    TRAIN(clipnorm, CLIPNORM, IR_T_FLOAT, clipnorm, NULL, ALL, 0, BIG, true),
    TRAIN(clipvalue, CLIPVALUE, IR_T_FLOAT, clipvalue, NULL, ALL, 0, BIG, true),
    TRAIN(data, DATA, IR_T_REF, data, NULL, ALL, 0, 0, false),
    TRAIN(epochs, EPOCHS, IR_T_INT, epochs, NULL, ALL, 1, 1000000, false),
    TRAIN(epsilon, EPSILON, IR_T_FLOAT, epsilon, NULL, ALL & ~BIT(IR_OPT_SGD), 0, 1, true),
    TRAIN(initial_accumulator_value, INITIAL_ACCUMULATOR_VALUE, IR_T_FLOAT,
          initial_accumulator_value, NULL, BIT(IR_OPT_ADAGRAD), 0, BIG, true),
    TRAIN(learning_rate, LEARNING_RATE, IR_T_FLOAT, learning_rate, NULL, ALL, 0, 1e6, true),
    {"loss", IR_TATTR_LOSS, IR_T_FNREF, offsetof(ir_train, loss), &ir_loss_table, ALL, 0, 0, false,
     offsetof(ir_train, loss_fn), 0},
    {"metrics", IR_TATTR_METRICS, IR_T_METRICS, offsetof(ir_train, metrics), NULL, ALL, 0, 0, false,
     offsetof(ir_train, metric_fns), 0},
    TRAIN(model, MODEL, IR_T_REF, model, NULL, ALL, 0, 0, false),
    TRAIN(momentum, MOMENTUM, IR_T_FLOAT, momentum, NULL,
          BIT(IR_OPT_SGD) | BIT(IR_OPT_RMSPROP), 0, 1, true),
    TRAIN(nesterov, NESTEROV, IR_T_BOOL, nesterov, NULL, BIT(IR_OPT_SGD), 0, 0, true),
    {"objective", IR_TATTR_OBJECTIVE, IR_T_FNREF, offsetof(ir_train, objective), &ir_objective_table,
     ALL, 0, 0, false, offsetof(ir_train, objective_fn), 0},
    TRAIN(optimizer, OPTIMIZER, IR_T_ENUM, optimizer, &ir_opt_table, ALL, 0, 0, false),
    TRAIN(patience, PATIENCE, IR_T_INT, patience, NULL, ALL, 0, 1000000, false),
    TRAIN(rho, RHO, IR_T_FLOAT, rho, NULL, BIT(IR_OPT_RMSPROP) | BIT(IR_OPT_ADADELTA), 0, 1, true),
    TRAIN(seed, SEED, IR_T_INT, seed, NULL, ALL, 0, INT_MAX, false),
};
const int ir_train_attr_count = (int)(sizeof ir_train_attrs / sizeof ir_train_attrs[0]);

/* Function attributes apply by role (the kind of a function is its role). */
#define FUNC(name, id, type, field, table, applies) \
    {#name, IR_FATTR_##id, type, offsetof(ir_function, field), table, applies, 0, 0, false, 0, 0}
#define ROLE(r) BIT(IR_FN_ROLE_##r)
const ir_attr_desc ir_func_attrs[] = {
    FUNC(better, BETTER, IR_T_ENUM, better, &ir_fn_goal_table, ROLE(METRIC)),
    FUNC(form, FORM, IR_T_ENUM, form, &ir_fn_form_table, ROLE(ACTIVATION)),
    FUNC(gradient, GRADIENT, IR_T_STR, gradient, NULL, ROLE(ACTIVATION) | ROLE(LOSS)),
    FUNC(library, LIBRARY, IR_T_STR, library, NULL, ALL),
    FUNC(params, PARAMS, IR_T_NAMES, params, NULL, ROLE(ACTIVATION)),
    FUNC(role, ROLE, IR_T_ENUM, role, &ir_fn_role_table, ALL),
    FUNC(symbol, SYMBOL, IR_T_STR, symbol, NULL, ALL),
    FUNC(type, TYPE, IR_T_ENUM, type, &ir_ctype_table, ALL),
};
const int ir_func_attr_count = (int)(sizeof ir_func_attrs / sizeof ir_func_attrs[0]);

bool ir_attr_applies(const ir_attr_desc *desc, int kind)
{
    return kind >= 0 && kind < 32 && (desc->applies & BIT(kind));
}

const ir_attr_desc *ir_attr_find(const ir_attr_desc *table, int count, const char *name)
{
    for (int i = 0; i < count; i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

const ir_attr_desc *ir_attr_by_id(const ir_attr_desc *table, int count, int id)
{
    for (int i = 0; i < count; i++)
        if (table[i].id == id)
            return &table[i];
    return NULL;
}

void ir_format_double(double v, char *buf, size_t size)
{
    /* Whole numbers print whole (1000, not 1e+03). */
    if (v == (double)(long long)v && v > -1e15 && v < 1e15) {
        snprintf(buf, size, "%lld", (long long)v);
        return;
    }
    /* Otherwise the shortest %g form that reads back to the same double. */
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
}

static void format_string(const char *s, char *buf, size_t size)
{
    size_t len = 0;
    if (size < 3) {
        buf[0] = 0;
        return;
    }
    buf[len++] = '"';
    for (; s && *s && len + 3 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            buf[len++] = '\\';
            buf[len++] = (char)c;
        } else if (c == '\n') {
            buf[len++] = '\\';
            buf[len++] = 'n';
        } else if (c == '\t') {
            buf[len++] = '\\';
            buf[len++] = 't';
        } else {
            buf[len++] = (char)c;
        }
    }
    buf[len++] = '"';
    buf[len] = 0;
}

void ir_attr_format(const ir_attr_desc *desc, const void *obj, char *buf, size_t size)
{
    const char *field = (const char *)obj + desc->offset;
    char a[64], b[64];
    switch (desc->type) {
    case IR_T_INT:
        snprintf(buf, size, "%d", *(const int *)field);
        break;
    case IR_T_FLOAT:
        ir_format_double(*(const double *)field, buf, size);
        break;
    case IR_T_BOOL:
        snprintf(buf, size, "%s", *(const bool *)field ? "true" : "false");
        break;
    case IR_T_ENUM:
        snprintf(buf, size, "%s", ir_enum_name(desc->table, *(const int *)field));
        break;
    case IR_T_FNREF: {
        const char *fn = *(char *const *)((const char *)obj + desc->fn_offset);
        if (!fn) {
            snprintf(buf, size, "%s", ir_enum_name(desc->table, *(const int *)field));
            break;
        }
        size_t len = (size_t)snprintf(buf, size, "@%s", fn);
        const ir_fn_args *args =
            desc->args_offset ? (const ir_fn_args *)((const char *)obj + desc->args_offset) : NULL;
        for (int i = 0; args && i < args->n && len < size; i++) {
            ir_format_double(args->value[i], a, sizeof a);
            len += (size_t)snprintf(buf + len, size - len, "%s%s%s%s", i ? "," : "(",
                                    args->key[i] ? args->key[i] : "", args->key[i] ? "=" : "", a);
        }
        if (args && args->n > 0 && len < size)
            snprintf(buf + len, size - len, ")");
        break;
    }
    case IR_T_NAMES: {
        const ir_names *l = (const ir_names *)field;
        size_t len = (size_t)snprintf(buf, size, "[");
        for (int i = 0; i < l->n && len < size; i++)
            len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? "," : "", l->name[i]);
        if (len < size)
            snprintf(buf + len, size - len, "]");
        break;
    }
    case IR_T_STR:
        format_string(*(char *const *)field, buf, size);
        break;
    case IR_T_REF:
        snprintf(buf, size, "%s", *(char *const *)field ? *(char *const *)field : "");
        break;
    case IR_T_INT2: {
        const ir_int2 *v = (const ir_int2 *)field;
        if (v->h == v->w)
            snprintf(buf, size, "%d", v->h);
        else
            snprintf(buf, size, "[%d,%d]", v->h, v->w);
        break;
    }
    case IR_T_SHAPE: {
        const ir_shape *s = (const ir_shape *)field;
        size_t len = (size_t)snprintf(buf, size, "[");
        for (int i = 0; i < s->rank && len < size; i++)
            len += (size_t)snprintf(buf + len, size - len, "%s%d", i ? "," : "", s->dim[i]);
        if (len < size)
            snprintf(buf + len, size - len, "]");
        break;
    }
    case IR_T_INIT: {
        const ir_initializer *v = (const ir_initializer *)field;
        const char *param = ir_init_param_name(v->kind);
        if (param) {
            ir_format_double(v->param, a, sizeof a);
            snprintf(buf, size, "%s(%s=%s)", ir_enum_name(&ir_init_table, (int)v->kind), param, a);
        } else {
            snprintf(buf, size, "%s", ir_enum_name(&ir_init_table, (int)v->kind));
        }
        break;
    }
    case IR_T_REG: {
        const ir_regularizer *v = (const ir_regularizer *)field;
        ir_format_double(v->l1, a, sizeof a);
        ir_format_double(v->l2, b, sizeof b);
        switch (v->kind) {
        case IR_REG_L1: snprintf(buf, size, "l1(%s)", a); break;
        case IR_REG_L2: snprintf(buf, size, "l2(%s)", b); break;
        case IR_REG_L1_L2: snprintf(buf, size, "l1_l2(l1=%s,l2=%s)", a, b); break;
        default: snprintf(buf, size, "none"); break;
        }
        break;
    }
    case IR_T_METRICS: {
        unsigned set = *(const unsigned *)field;
        size_t len = (size_t)snprintf(buf, size, "[");
        int first = 1;
        for (int i = 0; i < IR_METRIC_COUNT && len < size; i++)
            if (set & BIT(i)) {
                len += (size_t)snprintf(buf + len, size - len, "%s%s", first ? "" : ",",
                                        ir_enum_name(&ir_metric_table, i));
                first = 0;
            }
        const ir_names *user = (const ir_names *)((const char *)obj + desc->fn_offset);
        for (int i = 0; i < user->n && len < size; i++, first = 0)
            len += (size_t)snprintf(buf + len, size - len, "%s@%s", first ? "" : ",", user->name[i]);
        if (len < size)
            snprintf(buf + len, size - len, "]");
        break;
    }
    case IR_T_LABEL: {
        const ir_dataset *d = (const ir_dataset *)obj;
        if (d->label)
            format_string(d->label, buf, size);
        else
            snprintf(buf, size, "%d", d->label_index);
        break;
    }
    }
}
