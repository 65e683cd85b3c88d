/* attr_value.c: converting a written value into a typed IR attribute
 * (attr_value.h).
 *
 * Shared by the .dnn lowering and the IR reader (which builds the same
 * text_value trees from IR text), so both accept the same value syntax and give
 * the same errors.  Constant arithmetic (scale = 1/255) is folded here.
 */
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "attr_value.h"

static const char *type_noun(ir_type t)
{
    switch (t) {
    case IR_T_INT: return "an integer";
    case IR_T_FLOAT: return "a number";
    case IR_T_BOOL: return "true or false";
    case IR_T_ENUM: return "a name";
    case IR_T_STR: return "a string";
    case IR_T_INT2: return "an integer or [height, width]";
    case IR_T_SHAPE: return "a shape such as [28, 28]";
    case IR_T_INIT: return "an initializer";
    case IR_T_REG: return "a regularizer";
    case IR_T_METRICS: return "a list of metrics";
    case IR_T_LABEL: return "a column name or index";
    case IR_T_REF: return "a name";
    case IR_T_FNREF: return "a name";
    case IR_T_NAMES: return "a list of names such as [beta]";
    }
    return "a value";
}

/* Folds a numeric expression; false (with an error) if it is not one. */
static bool eval_number(const text_value *v, double *out, diag_ctx *d)
{
    double a, b;
    switch (v->kind) {
    case TEXT_NUMBER:
        *out = v->number;
        return true;
    case TEXT_NEGATE:
        if (!eval_number(v->lhs, &a, d))
            return false;
        *out = -a;
        return true;
    case TEXT_BINARY:
        if (!eval_number(v->lhs, &a, d) || !eval_number(v->rhs, &b, d))
            return false;
        switch (v->op) {
        case '+': *out = a + b; break;
        case '-': *out = a - b; break;
        case '*': *out = a * b; break;
        default:
            if (b == 0) {
                diag_error(d, v->rhs->span, "division by zero");
                return false;
            }
            *out = a / b;
        }
        if (!isfinite(*out)) {
            diag_error(d, v->span, "number out of range");
            return false;
        }
        return true;
    default:
        diag_error(d, v->span, "expected a number");
        return false;
    }
}

static bool is_integer_expr(const text_value *v)
{
    switch (v->kind) {
    case TEXT_NUMBER: return v->integer;
    case TEXT_NEGATE: return is_integer_expr(v->lhs);
    case TEXT_BINARY: return v->op != '/' && is_integer_expr(v->lhs) && is_integer_expr(v->rhs);
    default: return false;
    }
}

static bool in_range(const ir_attr_desc *desc, double x, const text_value *v, diag_ctx *d)
{
    if (x >= desc->min && x <= desc->max)
        return true;
    char lo[32], hi[32], got[32];
    ir_format_double(desc->min, lo, sizeof lo);
    ir_format_double(desc->max, hi, sizeof hi);
    ir_format_double(x, got, sizeof got);
    diag_error(d, v->span, "'%s' must be between %s and %s, got %s", desc->name, lo, hi, got);
    return false;
}

static bool get_int(const ir_attr_desc *desc, const text_value *v, int *out, diag_ctx *d)
{
    double x;
    if (!eval_number(v, &x, d))
        return false;
    if (!is_integer_expr(v) && x != floor(x)) {
        diag_error(d, v->span, "'%s' must be an integer", desc->name);
        return false;
    }
    if (!in_range(desc, x, v, d))
        return false;
    *out = (int)x;
    return true;
}

/* A name; a quoted name ("relu", as Keras users write it) is accepted too. */
static bool get_ident(const ir_attr_desc *desc, const text_value *v, const char **out, diag_ctx *d)
{
    if (v->kind != TEXT_IDENT && v->kind != TEXT_STRING) {
        diag_error(d, v->span, "'%s' takes %s", desc->name, type_noun(desc->type));
        return false;
    }
    *out = v->text;
    return true;
}

/* Looks NAME up in TABLE, reporting the valid choices when it is not there. */
static int lookup_enum(const ir_enum_table *table, const char *name, ir_span span, diag_ctx *d)
{
    int k = ir_enum_lookup(table, name);
    if (k < 0) {
        char choices[1024];
        ir_enum_choices(table, choices, sizeof choices);
        diag_error(d, span, "unknown %s '%s'; valid choices: %s", table->what, name, choices);
    }
    return k;
}

/* A call's argument named NAME (or positional number POS when unnamed); NULL if absent. */
static const text_arg *call_arg(const text_value *call, const char *name, int pos)
{
    int positional = 0;
    for (int i = 0; i < call->args.n; i++) {
        const text_arg *a = &call->args.items[i];
        if (a->key ? strcmp(a->key, name) == 0 : positional++ == pos)
            return a;
    }
    return NULL;
}

/* Checks that every argument of CALL is one of NAMES (at most N positional). */
static bool call_args_known(const text_value *call, const char *const *names, int n, diag_ctx *d)
{
    bool ok = true;
    int positional = 0;
    for (int i = 0; i < call->args.n; i++) {
        const text_arg *a = &call->args.items[i];
        if (!a->key) {
            if (positional++ >= n) {
                diag_error(d, a->span, "%s() takes at most %d argument%s", call->text, n,
                           n == 1 ? "" : "s");
                ok = false;
            }
            continue;
        }
        bool known = false;
        for (int k = 0; k < n; k++)
            known |= strcmp(a->key, names[k]) == 0;
        if (!known) {
            if (n == 0)
                diag_error(d, a->key_span, "%s() takes no arguments", call->text);
            else
                diag_error(d, a->key_span, "%s() has no parameter '%s'", call->text, a->key);
            ok = false;
        }
    }
    return ok;
}

static bool get_param(const ir_attr_desc *desc, const text_value *call, const char *name, int pos,
                      double min, double *out, diag_ctx *d)
{
    const text_arg *a = call_arg(call, name, pos);
    if (!a)
        return true;
    double x;
    if (!eval_number(a->value, &x, d))
        return false;
    if (x < min) {
        char lo[32];
        ir_format_double(min, lo, sizeof lo);
        diag_error(d, a->value->span, "'%s' of %s must be at least %s", name, desc->name, lo);
        return false;
    }
    *out = x;
    return true;
}

static bool set_init(const ir_attr_desc *desc, ir_initializer *out, const text_value *v, diag_ctx *d)
{
    if (v->kind != TEXT_IDENT && v->kind != TEXT_CALL && v->kind != TEXT_STRING) {
        diag_error(d, v->span, "'%s' takes an initializer such as glorot_uniform", desc->name);
        return false;
    }
    int k = lookup_enum(&ir_init_table, v->text, v->span, d);
    if (k < 0)
        return false;
    ir_initializer init = {(ir_init)k, ir_init_param_default((ir_init)k)};
    if (v->kind == TEXT_CALL) {
        const char *param = ir_init_param_name(init.kind);
        if (!call_args_known(v, &param, param ? 1 : 0, d))
            return false;
        double min = init.kind == IR_INIT_CONSTANT ? -1e30 : 0;
        if (param && !get_param(desc, v, param, 0, min, &init.param, d))
            return false;
        if (!isfinite(init.param) || fabs(init.param) > 1e6) {
            diag_error(d, v->span, "initializer parameter out of range");
            return false;
        }
    }
    *out = init;
    return true;
}

static bool set_reg(const ir_attr_desc *desc, ir_regularizer *out, const text_value *v, diag_ctx *d)
{
    if (v->kind != TEXT_IDENT && v->kind != TEXT_CALL && v->kind != TEXT_STRING) {
        diag_error(d, v->span, "'%s' takes none, l1(..), l2(..) or l1_l2(..)", desc->name);
        return false;
    }
    int k = lookup_enum(&ir_reg_table, v->text, v->span, d);
    if (k < 0)
        return false;
    /* Keras's default factor is 0.01 for each penalty. */
    ir_regularizer reg = {(ir_reg)k, k == IR_REG_L1 || k == IR_REG_L1_L2 ? 0.01 : 0,
                          k == IR_REG_L2 || k == IR_REG_L1_L2 ? 0.01 : 0};
    if (v->kind == TEXT_CALL) {
        static const char *const l1[] = {"l1"}, *const l2[] = {"l2"}, *const both[] = {"l1", "l2"};
        bool ok = true;
        switch (reg.kind) {
        case IR_REG_L1: ok = call_args_known(v, l1, 1, d) && get_param(desc, v, "l1", 0, 0, &reg.l1, d); break;
        case IR_REG_L2: ok = call_args_known(v, l2, 1, d) && get_param(desc, v, "l2", 0, 0, &reg.l2, d); break;
        case IR_REG_L1_L2:
            ok = call_args_known(v, both, 2, d) && get_param(desc, v, "l1", 0, 0, &reg.l1, d) &&
                 get_param(desc, v, "l2", 1, 0, &reg.l2, d);
            break;
        default: ok = call_args_known(v, NULL, 0, d); break;
        }
        if (!ok)
            return false;
        if (reg.l1 > desc->max || reg.l2 > desc->max) {
            diag_error(d, v->span, "regularization factor out of range");
            return false;
        }
    }
    *out = reg;
    return true;
}

static bool set_int2(const ir_attr_desc *desc, ir_int2 *out, const text_value *v, diag_ctx *d)
{
    if (v->kind == TEXT_LIST) {
        if (v->args.n != 2) {
            diag_error(d, v->span, "'%s' takes one integer or [height, width]", desc->name);
            return false;
        }
        ir_int2 r;
        if (!get_int(desc, v->args.items[0].value, &r.h, d) || !get_int(desc, v->args.items[1].value, &r.w, d))
            return false;
        *out = r;
        return true;
    }
    int x;
    if (!get_int(desc, v, &x, d))
        return false;
    *out = (ir_int2){x, x};
    return true;
}

static bool set_shape(const ir_attr_desc *desc, ir_shape *out, const text_value *v, diag_ctx *d)
{
    ir_shape s = {0, {0}};
    if (v->kind != TEXT_LIST) {
        s.rank = 1;
        if (!get_int(desc, v, &s.dim[0], d))
            return false;
        *out = s;
        return true;
    }
    if (v->args.n < 1 || v->args.n > IR_MAX_RANK) {
        diag_error(d, v->span, "a shape has 1 to %d dimensions, got %d", IR_MAX_RANK, v->args.n);
        return false;
    }
    s.rank = v->args.n;
    double total = 1;
    for (int i = 0; i < s.rank; i++) {
        if (!get_int(desc, v->args.items[i].value, &s.dim[i], d))
            return false;
        total *= s.dim[i];
    }
    if (total > desc->max) {
        diag_error(d, v->span, "shape has %.0f elements; at most %.0f are supported", total, desc->max);
        return false;
    }
    *out = s;
    return true;
}

/* Built-in metric names set bits; any other name is a user metric, which
 * ir_bind_functions checks against the program's functions. */
static bool set_metrics(const ir_attr_desc *desc, void *obj, const text_value *v, diag_ctx *d)
{
    unsigned set = 0;
    ir_names user = {0};
    const text_value *one[1] = {v};
    int n = v->kind == TEXT_LIST ? v->args.n : 1;
    if (v->kind != TEXT_LIST && v->kind != TEXT_IDENT) {
        diag_error(d, v->span, "'%s' takes a list such as [accuracy]", desc->name);
        return false;
    }
    for (int i = 0; i < n; i++) {
        const text_value *item = v->kind == TEXT_LIST ? v->args.items[i].value : one[0];
        if (item->kind != TEXT_IDENT) {
            diag_error(d, item->span, "expected a metric name");
            ir_names_clear(&user);
            return false;
        }
        int k = ir_enum_lookup(&ir_metric_table, item->text);
        if (k >= 0) {
            set |= 1u << k;
            continue;
        }
        bool dup = false;
        for (int j = 0; j < user.n; j++)
            dup |= strcmp(user.name[j], item->text) == 0;
        if (dup)
            continue;
        if (user.n == IR_MAX_NAMES) {
            diag_error(d, item->span, "at most %d user metrics", IR_MAX_NAMES);
            ir_names_clear(&user);
            return false;
        }
        user.name[user.n++] = ir_strdup(item->text);
    }
    *(unsigned *)((char *)obj + desc->offset) = set;
    ir_names *to = (ir_names *)((char *)obj + desc->fn_offset);
    ir_names_clear(to);
    *to = user;
    return true;
}

/* A built-in of DESC's table, or a user function (resolved with the whole
 * program by ir_bind_functions), written NAME or NAME(arg, key = arg, ...). */
static bool set_fnref(const ir_attr_desc *desc, void *obj, const text_value *v, diag_ctx *d)
{
    if (v->kind != TEXT_IDENT && v->kind != TEXT_STRING && v->kind != TEXT_CALL) {
        const char *what = desc->table->what;
        diag_error(d, v->span, "'%s' takes a%s %s name", desc->name, strchr("aeiou", what[0]) ? "n" : "", what);
        return false;
    }
    int k = ir_enum_lookup(desc->table, v->text);
    ir_fn_args args = {0};
    if (v->kind == TEXT_CALL) {
        if (k >= 0) {
            diag_error(d, v->span, "built-in %s '%s' takes no arguments", desc->table->what, v->text);
            return false;
        }
        if (!desc->args_offset) {
            diag_error(d, v->span, "'%s' takes no arguments: a user function as %s has no parameters",
                       v->text, desc->name);
            return false;
        }
        if (v->args.n > IR_MAX_NAMES) {
            diag_error(d, v->span, "at most %d arguments", IR_MAX_NAMES);
            return false;
        }
        for (int i = 0; i < v->args.n; i++) {
            const text_arg *a = &v->args.items[i];
            double x;
            if (!eval_number(a->value, &x, d)) {
                ir_fn_args_clear(&args);
                return false;
            }
            args.key[args.n] = ir_strdup(a->key);
            args.value[args.n++] = x;
        }
    }
    char **fn = (char **)((char *)obj + desc->fn_offset);
    free(*fn);
    *fn = k < 0 ? ir_strdup(v->text) : NULL;
    *(int *)((char *)obj + desc->offset) = k < 0 ? 0 : k;
    if (desc->args_offset) {
        ir_fn_args *to = (ir_fn_args *)((char *)obj + desc->args_offset);
        ir_fn_args_clear(to);
        *to = args;
    }
    return true;
}

/* A list of distinct names: [beta, gamma]. */
static bool set_names(const ir_attr_desc *desc, ir_names *out, const text_value *v, diag_ctx *d)
{
    if (v->kind != TEXT_LIST) {
        diag_error(d, v->span, "'%s' takes %s", desc->name, type_noun(desc->type));
        return false;
    }
    if (v->args.n > IR_MAX_NAMES) {
        diag_error(d, v->span, "'%s' has at most %d names", desc->name, IR_MAX_NAMES);
        return false;
    }
    ir_names l = {0};
    for (int i = 0; i < v->args.n; i++) {
        const text_value *item = v->args.items[i].value;
        bool dup = false;
        for (int j = 0; item->kind == TEXT_IDENT && j < l.n; j++)
            dup |= strcmp(l.name[j], item->text) == 0;
        if (item->kind != TEXT_IDENT || v->args.items[i].key || dup) {
            diag_error(d, item->span, dup ? "'%s' is named twice" : "expected a name", item->text);
            ir_names_clear(&l);
            return false;
        }
        l.name[l.n++] = ir_strdup(item->text);
    }
    ir_names_clear(out);
    *out = l;
    return true;
}

static bool set_label(const ir_attr_desc *desc, ir_dataset *ds, const text_value *v, diag_ctx *d)
{
    if (v->kind == TEXT_STRING) {
        free(ds->label);
        ds->label = ir_strdup(v->text);
        ds->label_index = -1;
        return true;
    }
    int idx;
    if (!get_int(desc, v, &idx, d))
        return false;
    free(ds->label);
    ds->label = NULL;
    ds->label_index = idx;
    return true;
}

bool ir_attr_convert(const ir_attr_desc *desc, void *obj, const text_value *v, diag_ctx *d)
{
    char *field = (char *)obj + desc->offset;
    const char *name = NULL;
    bool ok = false;
    switch (desc->type) {
    case IR_T_INT:
        ok = get_int(desc, v, (int *)field, d);
        break;
    case IR_T_FLOAT: {
        double x;
        ok = eval_number(v, &x, d) && in_range(desc, x, v, d);
        if (ok)
            *(double *)field = x;
        break;
    }
    case IR_T_BOOL:
        if ((ok = get_ident(desc, v, &name, d))) {
            if (strcmp(name, "true") == 0 || strcmp(name, "false") == 0) {
                *(bool *)field = name[0] == 't';
            } else {
                diag_error(d, v->span, "'%s' takes true or false, got '%s'", desc->name, name);
                ok = false;
            }
        }
        break;
    case IR_T_ENUM:
        if ((ok = get_ident(desc, v, &name, d))) {
            int k = lookup_enum(desc->table, name, v->span, d);
            if ((ok = k >= 0))
                *(int *)field = k;
        }
        break;
    case IR_T_STR:
        if (v->kind != TEXT_STRING) {
            diag_error(d, v->span, "'%s' takes a string in double quotes", desc->name);
            break;
        }
        free(*(char **)field);
        *(char **)field = ir_strdup(v->text);
        ok = true;
        break;
    case IR_T_FNREF: ok = set_fnref(desc, obj, v, d); break;
    case IR_T_NAMES: ok = set_names(desc, (ir_names *)field, v, d); break;
    case IR_T_REF:
        if ((ok = get_ident(desc, v, &name, d))) {
            free(*(char **)field);
            *(char **)field = ir_strdup(name);
        }
        break;
    case IR_T_INT2: ok = set_int2(desc, (ir_int2 *)field, v, d); break;
    case IR_T_SHAPE: ok = set_shape(desc, (ir_shape *)field, v, d); break;
    case IR_T_INIT: ok = set_init(desc, (ir_initializer *)field, v, d); break;
    case IR_T_REG: ok = set_reg(desc, (ir_regularizer *)field, v, d); break;
    case IR_T_METRICS: ok = set_metrics(desc, obj, v, d); break;
    case IR_T_LABEL: ok = set_label(desc, (ir_dataset *)obj, v, d); break;
    }
    return ok;
}

void ir_attr_choices(const ir_attr_desc *table, int count, int kind, bool optimizer_params,
                        char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = 0;
    for (int i = 0; i < count && len < size; i++)
        if (ir_attr_applies(&table[i], kind) && table[i].optimizer_param == optimizer_params)
            len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "", table[i].name);
}

void ir_attr_set(const ir_attr_desc *table, int count, void *obj, ir_span *spans,
                      const text_arg **seen, int kind, bool optimizer_params, const char *what,
                      const text_arg *arg, diag_ctx *d)
{
    const ir_attr_desc *desc = ir_attr_find(table, count, arg->key);
    char choices[1024];
    if (!desc || desc->optimizer_param != optimizer_params || !ir_attr_applies(desc, kind)) {
        ir_attr_choices(table, count, kind, optimizer_params, choices, sizeof choices);
        if (desc && desc->optimizer_param && !optimizer_params)
            diag_error(d, arg->key_span, "'%s' is an optimizer parameter: write optimizer = name(%s = ...)",
                       arg->key, arg->key);
        else if (desc && ir_attr_applies(desc, kind))
            diag_error(d, arg->key_span, "'%s' belongs in the train block, not in the optimizer", arg->key);
        else if (desc)
            diag_error(d, arg->key_span, "'%s' does not apply to %s; valid: %s", arg->key, what, choices);
        else
            diag_error(d, arg->key_span, "unknown attribute '%s' for %s; valid: %s", arg->key, what,
                       choices);
        return;
    }
    int slot = (int)(desc - table);
    if (seen[slot]) {
        diag_error(d, arg->key_span, "'%s' is given twice", arg->key);
        diag_note(d, seen[slot]->key_span.line ? seen[slot]->key_span : seen[slot]->span,
                  "first given here");
        return;
    }
    seen[slot] = arg;
    if (ir_attr_convert(desc, obj, arg->value, d)) {
        ir_span s = arg->value->span;
        s.key_off = arg->key ? arg->key_span.off : -1;
        spans[desc->id] = s;
    }
}

const text_arg *ir_function_role_arg(const text_args *args)
{
    for (int i = 0; i < args->n; i++)
        if (args->items[i].key && strcmp(args->items[i].key, "role") == 0)
            return &args->items[i];
    return NULL;
}
