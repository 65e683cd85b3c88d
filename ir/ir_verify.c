/* ir_verify.c: checking the invariants of an IR program.
 *
 * Names are unique, every model starts with its input and has consistent
 * shapes, every number lies in its attribute's range, every enum value is
 * valid, and the train block names a model and a dataset that exist.  The
 * lowering guarantees all of this for programs it builds; the verifier
 * guarantees it for IR read from text and for every program a pass rewrites.
 */
#include "ir_verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* Checks the numeric and enum attributes of OBJ that apply to KIND. */
static bool check_ranges(const ir_attr_desc *table, int count, const void *obj, int kind, ir_span at,
                         const char *owner, diag_ctx *d)
{
    bool ok = true;
    for (int i = 0; i < count; i++) {
        const ir_attr_desc *a = &table[i];
        if (!ir_attr_applies(a, kind))
            continue;
        const char *field = (const char *)obj + a->offset;
        double x;
        switch (a->type) {
        case IR_T_INT: x = *(const int *)field; break;
        case IR_T_FLOAT: x = *(const double *)field; break;
        case IR_T_ENUM: {
            int v = *(const int *)field;
            if (v < 0 || v >= a->table->count) {
                diag_error(d, at, "%s: '%s' has no valid value", owner, a->name);
                ok = false;
            }
            continue;
        }
        case IR_T_INT2: {
            const ir_int2 *v = (const ir_int2 *)field;
            x = v->h < v->w ? v->h : v->w;
            if (v->h > a->max || v->w > a->max)
                x = a->max + 1;
            break;
        }
        default: continue;
        }
        if (!(x >= a->min && x <= a->max)) {
            char got[32];
            ir_format_double(x, got, sizeof got);
            diag_error(d, at, "%s: '%s' is out of range (%s)", owner, a->name, got);
            ok = false;
        }
    }
    return ok;
}

static void list_names(char *buf, size_t size, const void *items, int n, size_t stride, size_t name_off)
{
    size_t len = 0;
    buf[0] = 0;
    for (int i = 0; i < n && len < size; i++) {
        const char *name = *(char *const *)((const char *)items + (size_t)i * stride + name_off);
        len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", name);
    }
}

/* The function a use of NAME (as BUILTINS' kind, at AT) names, if it is a
 * declared function of ROLE; else reports why not and returns NULL. */
static const ir_function *function_use(const ir_program *p, const char *name, ir_fn_role role,
                                       const ir_enum_table *builtins, ir_span at, diag_ctx *d)
{
    const ir_function *f = ir_find_function(p, name);
    const char *rname = ir_enum_name(&ir_fn_role_table, (int)role);
    if (!f) {
        char choices[1024];
        ir_enum_choices(builtins, choices, sizeof choices);
        bool any = false;
        for (int i = 0; i < p->n_functions; i++)
            any |= p->functions[i].role == role;
        diag_error(d, at, "unknown %s '%s'; valid choices: %s%s%s%s", builtins->what, name, choices,
                   any ? ", or a declared " : "", any ? rname : "", any ? " function" : "");
        return NULL;
    }
    if (f->role != role) {
        diag_error(d, at, "function '%s' is a%s %s function, not a%s %s function", name,
                   f->role == IR_FN_ROLE_ACTIVATION ? "n" : "", ir_enum_name(&ir_fn_role_table, (int)f->role),
                   role == IR_FN_ROLE_ACTIVATION ? "n" : "", rname);
        diag_note(d, f->span, "'%s' is declared here", name);
        return NULL;
    }
    return f;
}

/* Matches the arguments A of a use of F (at AT) with F's parameters and
 * puts them in declaration order, each keyed by its parameter. */
static bool bind_args(const ir_function *f, ir_fn_args *a, ir_span at, diag_ctx *d)
{
    char names[256];
    ir_attr_format(ir_attr_by_id(ir_func_attrs, ir_func_attr_count, IR_FATTR_PARAMS), f, names, sizeof names);
    if (a->n != f->params.n) {
        diag_error(d, at, "function '%s' takes %d parameter%s %s, got %d argument%s", f->name, f->params.n,
                   f->params.n == 1 ? "" : "s", names, a->n, a->n == 1 ? "" : "s");
        return false;
    }
    ir_fn_args out = {0};
    out.n = a->n;
    bool named = false, ok = true;
    for (int i = 0; i < a->n && ok; i++) {
        int slot = i;
        if (!a->key[i]) {
            if (named) {
                diag_error(d, at, "function '%s': a positional argument follows a named one", f->name);
                ok = false;
            }
        } else {
            named = true;
            for (slot = 0; slot < f->params.n && strcmp(f->params.name[slot], a->key[i]) != 0; slot++)
                ;
            if (slot == f->params.n) {
                diag_error(d, at, "function '%s' has no parameter '%s'; its parameters: %s", f->name,
                           a->key[i], names);
                ok = false;
            } else if (out.key[slot]) {
                diag_error(d, at, "function '%s': parameter '%s' is given twice", f->name, a->key[i]);
                ok = false;
            }
        }
        if (ok) {
            out.key[slot] = ir_strdup(f->params.name[slot]);
            out.value[slot] = a->value[i];
        }
    }
    if (!ok) {
        for (int i = 0; i < out.n; i++)
            free(out.key[i]);
        return false;
    }
    ir_fn_args_clear(a);
    *a = out;
    return true;
}

/* Where attribute ID of an object was written, or the object's own span. */
static ir_span attr_at(const ir_span *spans, int id, ir_span owner)
{
    return spans[id].line ? spans[id] : owner;
}

/* Checks each function's declaration: a name no built-in of its role has. */
static bool check_declarations(const ir_program *p, diag_ctx *d)
{
    static const ir_enum_table *const builtins[IR_FN_ROLE_COUNT] = {&ir_act_table, &ir_loss_table,
                                                                    &ir_metric_table};
    bool ok = true;
    for (int i = 0; i < p->n_functions; i++) {
        const ir_function *f = &p->functions[i];
        const ir_enum_table *t = builtins[f->role];
        if (ir_enum_lookup(t, f->name) >= 0) {
            diag_error(d, f->span, "function '%s' has the name of a built-in %s; choose another name", f->name,
                       t->what);
            ok = false;
        }
    }
    return ok;
}

bool ir_bind_functions(ir_program *p, diag_ctx *d)
{
    int errors = d->errors;
    check_declarations(p, d);
    for (int i = 0; i < p->n_models; i++)
        for (int j = 0; j < p->models[i].n_nodes; j++) {
            ir_node *n = &p->models[i].nodes[j];
            ir_span at = attr_at(n->attr_span, IR_NATTR_ACTIVATION, n->span);
            if (!n->activation_fn) {
                if (n->activation_args.n)   /* a pass's slip: a built-in has no arguments */
                    diag_error(d, at, "built-in activation '%s' takes no arguments",
                               ir_enum_name(&ir_act_table, (int)n->activation));
                continue;
            }
            const ir_function *f = function_use(p, n->activation_fn, IR_FN_ROLE_ACTIVATION, &ir_act_table, at, d);
            if (f)
                bind_args(f, &n->activation_args, at, d);
        }
    if (p->has_train) {
        ir_train *t = &p->train;
        if (t->loss_fn)
            function_use(p, t->loss_fn, IR_FN_ROLE_LOSS, &ir_loss_table,
                         attr_at(t->attr_span, IR_TATTR_LOSS, t->span), d);
        for (int i = 0; i < t->metric_fns.n; i++)
            function_use(p, t->metric_fns.name[i], IR_FN_ROLE_METRIC, &ir_metric_table,
                         attr_at(t->attr_span, IR_TATTR_METRICS, t->span), d);
        if (t->objective_fn)
            function_use(p, t->objective_fn, IR_FN_ROLE_METRIC, &ir_objective_table,
                         attr_at(t->attr_span, IR_TATTR_OBJECTIVE, t->span), d);
    }
    return d->errors == errors;
}

bool ir_verify(ir_program *p, diag_ctx *d)
{
    int errors = d->errors;
    char names[1024];
    for (int i = 0; i < p->n_datasets; i++) {
        ir_dataset *ds = &p->datasets[i];
        for (int j = 0; j < i; j++)
            if (strcmp(p->datasets[j].name, ds->name) == 0)
                diag_error(d, ds->span, "dataset '%s' is defined twice", ds->name);
        check_ranges(ir_data_attrs, ir_data_attr_count, ds, (int)ds->source, ds->span, ds->name, d);
        if ((ds->source == IR_SRC_IDX || ds->source == IR_SRC_CSV) && !ds->path)
            diag_error(d, ds->span, "dataset '%s' needs a path", ds->name);
    }
    for (int i = 0; i < p->n_models; i++) {
        ir_model *m = &p->models[i];
        for (int j = 0; j < i; j++)
            if (strcmp(p->models[j].name, m->name) == 0)
                diag_error(d, m->span, "model '%s' is defined twice", m->name);
        for (int j = 0; j < m->n_nodes; j++) {
            ir_node *n = &m->nodes[j];
            for (int k = 0; k < j; k++)
                if (strcmp(m->nodes[k].name, n->name) == 0)
                    diag_error(d, n->span, "layer name '%s' is used twice in model '%s'", n->name, m->name);
            check_ranges(ir_node_attrs, ir_node_attr_count, n, (int)n->op, n->span, n->name, d);
        }
        if (d->errors == errors)
            ir_infer_shapes(m, d);
    }
    for (int i = 0; i < p->n_functions; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(p->functions[j].name, p->functions[i].name) == 0)
                diag_error(d, p->functions[i].span, "function '%s' is defined twice", p->functions[i].name);
    ir_bind_functions(p, d);
    if (p->has_train) {
        ir_train *t = &p->train;
        check_ranges(ir_train_attrs, ir_train_attr_count, t, (int)t->optimizer, t->span, "train", d);
        if (!t->model || !ir_find_model(p, t->model)) {
            list_names(names, sizeof names, p->models, p->n_models, sizeof *p->models, offsetof(ir_model, name));
            diag_error(d, t->attr_span[IR_TATTR_MODEL].line ? t->attr_span[IR_TATTR_MODEL] : t->span,
                       "no model named '%s'%s%s", t->model ? t->model : "", p->n_models ? "; models: " : "",
                       names);
        }
        if (!t->data || !ir_find_dataset(p, t->data)) {
            list_names(names, sizeof names, p->datasets, p->n_datasets, sizeof *p->datasets,
                       offsetof(ir_dataset, name));
            diag_error(d, t->attr_span[IR_TATTR_DATA].line ? t->attr_span[IR_TATTR_DATA] : t->span,
                       "no dataset named '%s'%s%s", t->data ? t->data : "", p->n_datasets ? "; datasets: " : "",
                       names);
        }
    }
    return d->errors == errors;
}

bool ir_verify_pass_result(ir_program *p, const char *pass_name)
{
    diag_ctx d;
    diag_init(&d, p->file, NULL, 0);
    bool ok = ir_verify(p, &d);
    if (!ok) {
        fprintf(stderr, "dnnc: internal error: pass '%s' produced an invalid program:\n", pass_name);
        diag_print(&d, stderr);
    }
    diag_free(&d);
    return ok;
}
