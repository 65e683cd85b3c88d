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

bool ir_check_activations(const ir_program *p, diag_ctx *d)
{
    bool ok = true;
    for (int i = 0; i < p->n_models; i++)
        for (int j = 0; j < p->models[i].n_nodes; j++) {
            const ir_node *n = &p->models[i].nodes[j];
            if (!n->activation_fn || ir_find_function(p, n->activation_fn))
                continue;
            char choices[1024];
            ir_enum_choices(&ir_act_table, choices, sizeof choices);
            ir_span at = n->attr_span[IR_NATTR_ACTIVATION].line ? n->attr_span[IR_NATTR_ACTIVATION] : n->span;
            diag_error(d, at, "unknown activation '%s'; valid choices: %s%s", n->activation_fn, choices,
                       p->n_functions ? ", or a declared function" : "");
            ok = false;
        }
    return ok;
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
    ir_check_activations(p, d);
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
