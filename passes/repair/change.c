/* change.c: building, combining and applying change records (change.h).
 *
 * Values are stored in the attribute's own C type and written into the
 * field through the attribute table's offset, so this file needs no case per
 * attribute: the tables of ir_attrs.c describe every one.  Before/after texts
 * come from ir_attr_format, the printer's own spelling.
 */
#include "change.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir_text.h"
#include "ir_verify.h"

void rp_changes_push(rp_changes *l, const rp_change *c)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 4;
        l->items = ir_realloc(l->items, sizeof *l->items * (size_t)l->cap);
    }
    l->items[l->n++] = *c;
}

void rp_changes_free(rp_changes *l)
{
    free(l->items);
    memset(l, 0, sizeof *l);
}

void rp_changes_copy(rp_changes *dst, const rp_changes *src)
{
    memset(dst, 0, sizeof *dst);
    rp_changes_append(dst, src);
}

void rp_changes_append(rp_changes *dst, const rp_changes *src)
{
    for (int i = 0; i < src->n; i++)
        rp_changes_push(dst, &src->items[i]);
}

bool rp_change_conflicts(const rp_change *a, const rp_change *b)
{
    if (a->target != b->target)
        return false;
    if (a->op != RP_SET || b->op != RP_SET) {
        /* Two structural edits at one place, or an edit of a layer another removes. */
        const char *pa = a->op == RP_INSERT ? a->anchor : a->node;
        const char *pb = b->op == RP_INSERT ? b->anchor : b->node;
        return strcmp(pa, pb) == 0;
    }
    if (strcmp(a->node, b->node) != 0)
        return false;
    /* The optimiser kind resets its parameters: it conflicts with any of them. */
    const ir_attr_desc *da = ir_attr_find(ir_train_attrs, ir_train_attr_count, a->attribute);
    const ir_attr_desc *db = ir_attr_find(ir_train_attrs, ir_train_attr_count, b->attribute);
    if (a->target == SUSPECT_TRAIN && da && db &&
        ((strcmp(a->attribute, "optimizer") == 0 && db->optimizer_param) ||
         (strcmp(b->attribute, "optimizer") == 0 && da->optimizer_param)))
        return true;
    return strcmp(a->attribute, b->attribute) == 0;
}

int rp_changes_count_attrs(const rp_changes *l)
{
    return l->n;
}

/* Bytes of a value of TYPE in its struct. */
static size_t type_size(ir_type type)
{
    switch (type) {
    case IR_T_INT: case IR_T_ENUM: case IR_T_FNREF: return sizeof(int);
    case IR_T_FLOAT: return sizeof(double);
    case IR_T_BOOL: return sizeof(bool);
    case IR_T_INT2: return sizeof(ir_int2);
    case IR_T_INIT: return sizeof(ir_initializer);
    case IR_T_REG: return sizeof(ir_regularizer);
    case IR_T_METRICS: return sizeof(unsigned);
    default: return 0;  /* strings, shapes, labels and references are never rewritten */
    }
}

double rp_scaled(double v, double factor)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.12g", v * factor);
    return strtod(buf, NULL);
}

void rp_format_optimizer(const ir_train *t, bool spaced, char *buf, size_t size)
{
    ir_train def;
    ir_train_optimizer_defaults(&def, t->optimizer);
    def.clipnorm = def.clipvalue = 0;
    size_t len = (size_t)snprintf(buf, size, "%s(", ir_enum_name(&ir_opt_table, (int)t->optimizer));
    bool first = true;
    char v[64], d[64];
    for (int i = 0; i < ir_train_attr_count && len < size; i++) {
        const ir_attr_desc *a = &ir_train_attrs[i];
        if (!a->optimizer_param || !ir_attr_applies(a, (int)t->optimizer))
            continue;
        ir_attr_format(a, t, v, sizeof v);
        ir_attr_format(a, &def, d, sizeof d);
        if (strcmp(v, d) == 0 && a->id != IR_TATTR_LEARNING_RATE)
            continue;
        len += (size_t)snprintf(buf + len, size - len, "%s%s%s%s", first ? "" : spaced ? ", " : ",",
                                a->name, spaced ? " = " : "=", v);
        first = false;
    }
    if (len < size)
        snprintf(buf + len, size - len, ")");
}

/* Clears the user function (and its arguments) of attribute DESC of OBJ, which
 * a built-in replaces; OWNED: OBJ owns them (else it is a shallow copy). */
static void forget_function(const ir_attr_desc *desc, void *obj, bool owned)
{
    char **fn = (char **)((char *)obj + desc->fn_offset);
    ir_fn_args *args = desc->args_offset ? (ir_fn_args *)((char *)obj + desc->args_offset) : NULL;
    if (owned) {
        free(*fn);
        if (args)
            ir_fn_args_clear(args);
    }
    *fn = NULL;
    if (args)
        args->n = 0;
}

/* Fills the common fields of a set-change from DESC on OBJ (a copy of the
 * target with the new value written in). */
static rp_change set_change(const ir_attr_desc *desc, const void *old_obj, void *new_obj,
                            const void *value, suspect_target target, const char *node,
                            repair_class cls, const char *reason)
{
    rp_change c;
    memset(&c, 0, sizeof c);
    c.op = RP_SET;
    c.target = target;
    c.cls = cls;
    snprintf(c.node, sizeof c.node, "%s", node ? node : "");
    snprintf(c.attribute, sizeof c.attribute, "%s", desc->name);
    memcpy(&c.value, value, type_size(desc->type));
    memcpy((char *)new_obj + desc->offset, value, type_size(desc->type));
    if (desc->type == IR_T_FNREF)   /* a built-in replaces a user function */
        forget_function(desc, new_obj, false);
    ir_attr_format(desc, old_obj, c.before, sizeof c.before);
    ir_attr_format(desc, new_obj, c.after, sizeof c.after);
    snprintf(c.reason, sizeof c.reason, "%s", reason ? reason : "");
    return c;
}

static void locate(rp_change *c, const ir_span *attr, const ir_span *owner)
{
    const ir_span *s = attr && attr->line > 0 ? attr : owner;
    c->line = s ? s->line : 0;
    c->col = s ? s->col : 0;
}

rp_change rp_set_node(const ir_program *p, const ir_node *node, int id, const void *value,
                      repair_class cls, const char *reason)
{
    (void)p;
    const ir_attr_desc *desc = ir_attr_by_id(ir_node_attrs, ir_node_attr_count, id);
    ir_node copy = *node;
    rp_change c = set_change(desc, node, &copy, value, SUSPECT_NODE, node->name, cls, reason);
    locate(&c, &node->attr_span[id], &node->span);
    return c;
}

rp_change rp_set_node_function(const ir_program *p, const ir_node *node, const char *fn, repair_class cls,
                               const char *reason)
{
    int linear = IR_ACT_LINEAR;
    rp_change c = rp_set_node(p, node, IR_NATTR_ACTIVATION, &linear, cls, reason);
    snprintf(c.function, sizeof c.function, "%s", fn);
    ir_node copy = *node;
    copy.activation = IR_ACT_LINEAR;
    copy.activation_fn = c.function;
    copy.activation_args.n = 0;
    ir_attr_format(ir_attr_by_id(ir_node_attrs, ir_node_attr_count, IR_NATTR_ACTIVATION), &copy, c.after,
                   sizeof c.after);
    return c;
}

rp_change rp_set_train(const ir_program *p, int id, const void *value, repair_class cls,
                       const char *reason)
{
    const ir_train *t = &p->train;
    const ir_attr_desc *desc = ir_attr_by_id(ir_train_attrs, ir_train_attr_count, id);
    ir_train copy = *t;
    rp_change c = set_change(desc, t, &copy, value, SUSPECT_TRAIN, "", cls, reason);
    if (id == IR_TATTR_OPTIMIZER) {
        /* The optimiser is recorded as its whole call: its parameters reset. */
        ir_train_optimizer_defaults(&copy, (ir_opt)c.value.i);
        copy.clipnorm = t->clipnorm;
        copy.clipvalue = t->clipvalue;
        rp_format_optimizer(t, false, c.before, sizeof c.before);
        rp_format_optimizer(&copy, false, c.after, sizeof c.after);
    }
    locate(&c, &t->attr_span[id], &t->span);
    return c;
}

rp_change rp_set_data(const ir_program *p, const ir_dataset *d, int id, const void *value,
                      repair_class cls, const char *reason)
{
    (void)p;
    const ir_attr_desc *desc = ir_attr_by_id(ir_data_attrs, ir_data_attr_count, id);
    ir_dataset copy = *d;
    rp_change c = set_change(desc, d, &copy, value, SUSPECT_DATA, d->name, cls, reason);
    locate(&c, &d->attr_span[id], &d->span);
    return c;
}

/* The IR text of layer I of M without its location comment. */
static void layer_text(const ir_model *m, int i, char *buf, size_t size)
{
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    if (!f) {
        buf[0] = 0;
        return;
    }
    ir_print_node(f, m, i);
    fclose(f);
    char *hash = strstr(s, "  #");
    if (hash)
        *hash = 0;
    char *nl = strchr(s, '\n');
    if (nl)
        *nl = 0;
    const char *start = s;
    while (*start == ' ')
        start++;
    snprintf(buf, size, "%s", start);
    free(s);
}

rp_change rp_insert_after(const ir_program *p, const ir_node *anchor, const char *name,
                          const ir_node *layer, repair_class cls, const char *reason)
{
    rp_change c;
    memset(&c, 0, sizeof c);
    c.op = RP_INSERT;
    c.target = SUSPECT_NODE;
    c.cls = cls;
    snprintf(c.node, sizeof c.node, "%s", name);
    snprintf(c.anchor, sizeof c.anchor, "%s", anchor->name);
    snprintf(c.attribute, sizeof c.attribute, "layer");
    c.layer = *layer;
    c.layer.name = NULL;
    c.layer.activation_fn = NULL;
    memset(&c.layer.span, 0, sizeof c.layer.span);
    for (int k = 0; k < IR_NATTR_COUNT; k++)
        c.layer.attr_span[k] = (ir_span){0, 0, 0, 0, -1};
    /* The after text is the new layer's IR line in a one-layer model. */
    ir_model m = {0};
    ir_node tmp[2];
    tmp[0] = *anchor;
    tmp[1] = c.layer;
    tmp[1].name = c.node;
    m.nodes = tmp;
    m.n_nodes = 2;
    layer_text(&m, 1, c.after, sizeof c.after);
    locate(&c, NULL, &anchor->span);
    snprintf(c.reason, sizeof c.reason, "%s", reason ? reason : "");
    (void)p;
    return c;
}

rp_change rp_remove(const ir_program *p, const ir_node *node, repair_class cls,
                    const char *reason)
{
    rp_change c;
    memset(&c, 0, sizeof c);
    c.op = RP_REMOVE;
    c.target = SUSPECT_NODE;
    c.cls = cls;
    snprintf(c.node, sizeof c.node, "%s", node->name);
    snprintf(c.attribute, sizeof c.attribute, "layer");
    const ir_model *m = ir_train_model(p);
    for (int i = 0; m && i < m->n_nodes; i++)
        if (&m->nodes[i] == node || strcmp(m->nodes[i].name, node->name) == 0) {
            layer_text(m, i, c.before, sizeof c.before);
            break;
        }
    locate(&c, NULL, &node->span);
    snprintf(c.reason, sizeof c.reason, "%s", reason ? reason : "");
    return c;
}

static int node_index(const ir_model *m, const char *name)
{
    for (int i = 0; i < m->n_nodes; i++)
        if (strcmp(m->nodes[i].name, name) == 0)
            return i;
    return -1;
}

bool rp_apply(ir_program *p, const rp_change *c, char *err, size_t errsize)
{
    ir_model *m = ir_train_model(p);
    switch (c->op) {
    case RP_INSERT: {
        int at = m ? node_index(m, c->anchor) : -1;
        if (at < 0) {
            snprintf(err, errsize, "no layer '%s' to insert after", c->anchor);
            return false;
        }
        ir_node n = c->layer;
        /* A name taken by an earlier change of the same list gets a suffix. */
        char *name = ir_unique_name(m, c->node);
        n.name = name;
        ir_model_insert(m, at + 1, &n);
        free(name);
        return true;
    }
    case RP_REMOVE: {
        int at = m ? node_index(m, c->node) : -1;
        if (at <= 0) {
            snprintf(err, errsize, "no layer '%s' to remove", c->node);
            return false;
        }
        ir_model_remove(m, at);
        return true;
    }
    case RP_SET:
        break;
    }
    const ir_attr_desc *table = c->target == SUSPECT_NODE ? ir_node_attrs
                              : c->target == SUSPECT_TRAIN ? ir_train_attrs : ir_data_attrs;
    int count = c->target == SUSPECT_NODE ? ir_node_attr_count
              : c->target == SUSPECT_TRAIN ? ir_train_attr_count : ir_data_attr_count;
    const ir_attr_desc *desc = ir_attr_find(table, count, c->attribute);
    void *obj = NULL;
    if (c->target == SUSPECT_NODE && m)
        obj = ir_find_node(m, c->node);
    else if (c->target == SUSPECT_TRAIN)
        obj = p->has_train ? &p->train : NULL;
    else if (c->target == SUSPECT_DATA)
        obj = ir_find_dataset(p, c->node);
    if (!desc || !obj || !type_size(desc->type)) {
        snprintf(err, errsize, "no attribute '%s' of '%s' to set", c->attribute, c->node);
        return false;
    }
    if (c->target == SUSPECT_TRAIN && desc->id == IR_TATTR_OPTIMIZER) {
        ir_train *t = obj;
        double clipnorm = t->clipnorm, clipvalue = t->clipvalue;
        ir_train_optimizer_defaults(t, (ir_opt)c->value.i);
        t->clipnorm = clipnorm;
        t->clipvalue = clipvalue;
        return true;
    }
    memcpy((char *)obj + desc->offset, &c->value, type_size(desc->type));
    if (desc->type == IR_T_FNREF) {
        forget_function(desc, obj, true);
        if (c->function[0])
            *(char **)((char *)obj + desc->fn_offset) = ir_strdup(c->function);
    }
    return true;
}

ir_program *rp_apply_all(const ir_program *base, const rp_changes *l, const char *pass_name)
{
    ir_program *p = ir_program_clone(base);
    char err[256];
    for (int i = 0; i < l->n; i++)
        if (!rp_apply(p, &l->items[i], err, sizeof err)) {
            fprintf(stderr, "dnnc: internal error: pass '%s': %s\n", pass_name, err);
            ir_program_free(p);
            return NULL;
        }
    if (!ir_verify_pass_result(p, pass_name)) {
        ir_program_free(p);
        return NULL;
    }
    return p;
}

void rp_change_describe(const rp_change *c, char *buf, size_t size)
{
    char where[32] = "";
    if (c->line > 0)
        snprintf(where, sizeof where, "line %d: ", c->line);
    const char *reason = c->reason[0] ? c->reason : repair_class_names[c->cls];
    switch (c->op) {
    case RP_INSERT:
        snprintf(buf, size, "%sinsert after %s: %s (%s)", where, c->anchor, c->after, reason);
        break;
    case RP_REMOVE:
        snprintf(buf, size, "%sremove %s (%s)", where, c->node, reason);
        break;
    case RP_SET:
        snprintf(buf, size, "%s%s%s%s: %s -> %s (%s)", where, c->node, c->node[0] ? "." : "",
                 c->attribute, c->before, c->after, reason);
        break;
    }
}
