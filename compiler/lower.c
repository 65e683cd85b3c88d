/* lower.c: lowering the syntax tree of a .dnn file to the IR.
 *
 * Blocks are lowered one by one; every error is reported at its location and
 * lowering goes on, so a user sees all the problems of a file at once.  Names
 * are resolved after all blocks are known, so blocks may come in any order.
 */
#include "lower.h"
#include "ir_verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How a layer's required attribute is written, for "missing" messages. */
static const char *positional_example(ir_op op)
{
    switch (op) {
    case IR_OP_INPUT: return "input [28, 28]";
    case IR_OP_DENSE: return "dense 128";
    case IR_OP_CONV2D: return "conv2d 32, kernel = 3";
    case IR_OP_DROPOUT: return "dropout 0.5";
    case IR_OP_ACTIVATION: return "activation relu";
    case IR_OP_MAXPOOL:
    case IR_OP_AVGPOOL:
    case IR_OP_FLATTEN:
    case IR_OP_BATCHNORM: return NULL;   /* nothing they must be given */
    case IR_OP_COUNT: break;             /* not a kind; -Wswitch flags a new one */
    }
    return NULL;
}

/* ---- datasets ---- */

static void lower_dataset(const ast_block *b, ir_dataset *ds, diag_ctx *d)
{
    ir_dataset_defaults(ds);
    ds->name = ir_strdup(b->name);
    ds->span = b->span;
    ds->close = b->close;
    const text_arg *seen[32] = {0};
    const text_arg *source = NULL;
    for (int i = 0; i < b->entries.n; i++)
        if (strcmp(b->entries.items[i].key, "source") == 0 && !source)
            source = &b->entries.items[i];
    if (!source) {
        char choices[256];
        ir_enum_choices(&ir_src_table, choices, sizeof choices);
        diag_error(d, b->span, "dataset '%s' has no source; write source = one of: %s", b->name, choices);
        return;
    }
    const text_value *sv = source->value;
    if (sv->kind != TEXT_IDENT && sv->kind != TEXT_CALL && sv->kind != TEXT_STRING) {
        diag_error(d, sv->span, "source takes a format or generator such as idx(\"folder\") or blobs(samples = 500)");
        return;
    }
    int kind = ir_enum_lookup(&ir_src_table, sv->text);
    if (kind < 0) {
        char choices[256];
        ir_enum_choices(&ir_src_table, choices, sizeof choices);
        diag_error(d, sv->span, "unknown data source '%s'; valid choices: %s", sv->text, choices);
        return;
    }
    ds->source = (ir_src)kind;
    if (ds->source == IR_SRC_BLOBS)
        ds->noise = 1.0;   /* a cluster spread of 1, as sklearn's make_blobs */
    ir_span src_span = sv->span;
    src_span.key_off = source->key_span.off;
    ds->attr_span[IR_DATTR_SOURCE] = src_span;
    const ir_attr_desc *source_desc = ir_attr_find(ir_data_attrs, ir_data_attr_count, "source");
    seen[source_desc - ir_data_attrs] = source;
    char what[64];
    snprintf(what, sizeof what, "%s data", sv->text);

    /* Arguments of the source call: a positional path, then named attributes. */
    bool has_path = ds->source == IR_SRC_IDX || ds->source == IR_SRC_CSV;
    int positional = 0;
    for (int i = 0; sv->kind == TEXT_CALL && i < sv->args.n; i++) {
        const text_arg *a = &sv->args.items[i];
        if (!a->key) {
            if (!has_path || positional++ > 0) {
                diag_error(d, a->span, "%s() takes %s", sv->text,
                           has_path ? "one path, then named arguments" : "named arguments only");
                continue;
            }
            const ir_attr_desc *pd = ir_attr_find(ir_data_attrs, ir_data_attr_count, "path");
            seen[pd - ir_data_attrs] = a;
            if (ir_attr_convert(pd, ds, a->value, d))
                ds->attr_span[IR_DATTR_PATH] = a->value->span;
            continue;
        }
        ir_attr_set(ir_data_attrs, ir_data_attr_count, ds, ds->attr_span, seen, kind, false, what, a, d);
    }
    for (int i = 0; i < b->entries.n; i++) {
        const text_arg *a = &b->entries.items[i];
        if (a != source)
            ir_attr_set(ir_data_attrs, ir_data_attr_count, ds, ds->attr_span, seen, kind, false, what, a, d);
    }
    if (has_path && !ds->path)
        diag_error(d, sv->span, "%s data needs a path: source = %s(\"%s\")", sv->text, sv->text,
                   ds->source == IR_SRC_IDX ? "folder" : "file.csv");
    if (ds->test + ds->validation >= 0.95)
        diag_error(d, b->span, "test and validation fractions leave no training data");
    if (ds->standardize && ds->minmax)
        diag_warning(d, ds->attr_span[IR_DATTR_MINMAX], "minmax is undone by standardize, which runs after it");
}

/* ---- models ---- */

static void name_nodes(const ast_block *b, ir_model *m, diag_ctx *d)
{
    /* Labels first, so derived names avoid every label of the model. */
    for (int i = 0; i < m->n_nodes; i++) {
        const ast_layer *l = &b->layers[i];
        if (!l->label)
            continue;
        for (int j = 0; j < i; j++)
            if (b->layers[j].label && strcmp(b->layers[j].label, l->label) == 0) {
                diag_error(d, l->label_span, "layer name '%s' is used twice", l->label);
                diag_note(d, b->layers[j].label_span, "first used here");
                break;
            }
        m->nodes[i].name = ir_strdup(l->label);
    }
    /* An unlabelled layer takes its kind's name if free, else "<previous>.<kind>". */
    for (int i = 0; i < m->n_nodes; i++) {
        ir_node *n = &m->nodes[i];
        if (n->name)
            continue;
        const char *kind = ir_enum_name(&ir_op_table, (int)n->op);
        if (!ir_find_node(m, kind)) {
            n->name = ir_strdup(kind);
            continue;
        }
        char base[600];
        snprintf(base, sizeof base, "%s.%s", i > 0 ? m->nodes[i - 1].name : m->name, kind);
        n->name = ir_unique_name(m, base);
    }
}

static void lower_layer(const ast_layer *l, ir_node *n, diag_ctx *d)
{
    int op = ir_enum_lookup(&ir_op_table, l->kind);
    if (op < 0) {
        char choices[256];
        ir_enum_choices(&ir_op_table, choices, sizeof choices);
        diag_error(d, l->kind_span, "unknown layer '%s'; valid choices: %s", l->kind, choices);
        op = IR_OP_ACTIVATION; /* keep going; the program is rejected anyway */
        ir_node_defaults(n, (ir_op)op);
        n->span = l->span;
        return;
    }
    ir_node_defaults(n, (ir_op)op);
    n->span = l->span;
    for (int k = 0; k < IR_NATTR_COUNT; k++)
        n->attr_span[k].key_off = -1;
    const text_arg *seen[32] = {0};
    int pos = ir_op_positional_attr(n->op);
    const ir_attr_desc *pos_desc = pos >= 0 ? ir_attr_by_id(ir_node_attrs, ir_node_attr_count, pos) : NULL;
    text_arg pos_arg = {0};
    if (l->positional) {
        if (!pos_desc) {
            diag_error(d, l->positional->span, "%s takes no value here; write named attributes after a comma",
                       l->kind);
        } else if (ir_attr_convert(pos_desc, n, l->positional, d)) {
            n->attr_span[pos] = l->positional->span;
            pos_arg = (text_arg){NULL, l->positional->span, l->positional, l->positional->span};
        }
        if (pos_desc)
            seen[pos_desc - ir_node_attrs] = &pos_arg;
    }
    char what[64];
    snprintf(what, sizeof what, "%s layers", l->kind);
    bool stride_given = false;
    for (int i = 0; i < l->attrs.n; i++) {
        const text_arg *a = &l->attrs.items[i];
        stride_given |= strcmp(a->key, "stride") == 0;
        ir_attr_set(ir_node_attrs, ir_node_attr_count, n, n->attr_span, seen, op, false, what, a, d);
    }
    /* Keras pools stride by their window unless told otherwise. */
    if ((n->op == IR_OP_MAXPOOL || n->op == IR_OP_AVGPOOL) && !stride_given)
        n->stride = n->pool;
    bool required = n->op != IR_OP_MAXPOOL && n->op != IR_OP_AVGPOOL;
    if (pos_desc && required && n->attr_span[pos].line == 0 && !seen[pos_desc - ir_node_attrs])
        diag_error(d, l->kind_span, "%s needs its %s: %s", l->kind, pos_desc->name, positional_example(n->op));
}

static void lower_model(const ast_block *b, ir_model *m, diag_ctx *d)
{
    m->name = ir_strdup(b->name);
    m->span = b->span;
    m->close = b->close;
    m->n_nodes = b->n_layers;
    m->nodes = ir_alloc(sizeof *m->nodes * (size_t)(b->n_layers ? b->n_layers : 1));
    int errors = d->errors;
    for (int i = 0; i < b->n_layers; i++)
        lower_layer(&b->layers[i], &m->nodes[i], d);
    name_nodes(b, m, d);
    if (b->n_layers == 0) {
        diag_error(d, b->span, "model '%s' has no layers", b->name);
        return;
    }
    if (d->errors == errors)
        ir_infer_shapes(m, d);
}

/* ---- training ---- */

static void lower_train(const ast_block *b, ir_train *t, diag_ctx *d)
{
    ir_train_defaults(t);
    t->span = b->span;
    t->close = b->close;
    for (int k = 0; k < IR_TATTR_COUNT; k++)
        t->attr_span[k].key_off = -1;
    const text_arg *seen[32] = {0};
    const text_arg *opt = NULL;
    for (int i = 0; i < b->entries.n; i++)
        if (strcmp(b->entries.items[i].key, "optimizer") == 0 && !opt)
            opt = &b->entries.items[i];
    /* The optimizer first: its kind sets the defaults its parameters override. */
    if (opt) {
        const text_value *v = opt->value;
        const ir_attr_desc *od = ir_attr_find(ir_train_attrs, ir_train_attr_count, "optimizer");
        seen[od - ir_train_attrs] = opt;
        if (v->kind != TEXT_IDENT && v->kind != TEXT_CALL && v->kind != TEXT_STRING) {
            diag_error(d, v->span, "optimizer takes a name such as adam or sgd(learning_rate = 0.01)");
        } else {
            int kind = ir_enum_lookup(&ir_opt_table, v->text);
            if (kind < 0) {
                char choices[256];
                ir_enum_choices(&ir_opt_table, choices, sizeof choices);
                diag_error(d, v->span, "unknown optimizer '%s'; valid choices: %s", v->text, choices);
            } else {
                ir_train_optimizer_defaults(t, (ir_opt)kind);
                ir_span s = v->span;
                s.key_off = opt->key_span.off;
                t->attr_span[IR_TATTR_OPTIMIZER] = s;
                for (int i = 0; v->kind == TEXT_CALL && i < v->args.n; i++) {
                    const text_arg *a = &v->args.items[i];
                    if (!a->key && i == 0) {
                        /* sgd(0.01), as Keras's SGD(0.01): the learning rate. */
                        text_arg lr = *a;
                        lr.key = "learning_rate";
                        lr.key_span = a->span;
                        ir_attr_set(ir_train_attrs, ir_train_attr_count, t, t->attr_span, seen, kind,
                                       true, v->text, &lr, d);
                        t->attr_span[IR_TATTR_LEARNING_RATE].key_off = -1;
                        continue;
                    }
                    if (!a->key) {
                        diag_error(d, a->span, "only the first optimizer parameter may be unnamed "
                                   "(the learning rate): %s(0.01, momentum = 0.9)", v->text);
                        continue;
                    }
                    ir_attr_set(ir_train_attrs, ir_train_attr_count, t, t->attr_span, seen, kind, true,
                              v->text, a, d);
                }
            }
        }
    } else {
        diag_error(d, b->span, "train needs an optimizer, such as optimizer = adam(learning_rate = 0.001)");
    }
    for (int i = 0; i < b->entries.n; i++) {
        const text_arg *a = &b->entries.items[i];
        if (a != opt)
            ir_attr_set(ir_train_attrs, ir_train_attr_count, t, t->attr_span, seen, (int)t->optimizer, false,
                      "train", a, d);
    }
    static const char *const required[] = {"model", "data", "loss"};
    for (int i = 0; i < 3; i++) {
        const ir_attr_desc *rd = ir_attr_find(ir_train_attrs, ir_train_attr_count, required[i]);
        if (!seen[rd - ir_train_attrs])
            diag_error(d, b->span, "train needs %s = ...", required[i]);
    }
}

/* ---- user functions ---- */

static void lower_function(const ast_block *b, ir_function *f, diag_ctx *d)
{
    f->name = ir_strdup(b->name);
    f->span = b->span;
    f->close = b->close;
    ir_function_defaults(f);
    for (int k = 0; k < IR_FATTR_COUNT; k++)
        f->attr_span[k].key_off = -1;
    const text_arg *seen[IR_FATTR_COUNT] = {0};
    const text_arg *role = ir_function_role_arg(&b->entries);
    if (role)
        ir_attr_set(ir_func_attrs, ir_func_attr_count, f, f->attr_span, seen, 0, false, "functions", role, d);
    char what[32];
    snprintf(what, sizeof what, "%s functions", ir_enum_name(&ir_fn_role_table, (int)f->role));
    for (int i = 0; i < b->entries.n; i++)
        if (&b->entries.items[i] != role)
            ir_attr_set(ir_func_attrs, ir_func_attr_count, f, f->attr_span, seen, (int)f->role, false, what,
                        &b->entries.items[i], d);
    if (!f->library || !f->symbol)
        diag_error(d, b->span, "function '%s' needs library = \"file.so\" and symbol = \"name\"", b->name);
}

/* Reports a block whose name an earlier block of the same kind already took. */
static bool duplicate_block(const ast_program *ast, int i, diag_ctx *d)
{
    const ast_block *b = &ast->blocks[i];
    for (int j = 0; j < i; j++) {
        const ast_block *o = &ast->blocks[j];
        if (o->kind != b->kind)
            continue;
        if (b->kind == AST_TRAIN) {
            diag_error(d, b->span, "only one train block is allowed");
            diag_note(d, o->span, "the first one is here");
            return true;
        }
        if (strcmp(o->name, b->name) == 0) {
            static const char *const kinds[] = {"dataset", "model", "train", "function"};
            diag_error(d, b->span, "%s '%s' is defined twice", kinds[b->kind], b->name);
            diag_note(d, o->span, "first defined here");
            return true;
        }
    }
    return false;
}

ir_program *lower_program(const ast_program *ast, const char *path, diag_ctx *d)
{
    ir_program *p = ir_program_new(path);
    int errors = d->errors;
    int n_models = 0, n_datasets = 0, n_functions = 0;
    for (int i = 0; i < ast->n_blocks; i++) {
        n_models += ast->blocks[i].kind == AST_MODEL;
        n_datasets += ast->blocks[i].kind == AST_DATASET;
        n_functions += ast->blocks[i].kind == AST_FUNCTION;
    }
    p->models = ir_alloc(sizeof *p->models * (size_t)(n_models ? n_models : 1));
    p->datasets = ir_alloc(sizeof *p->datasets * (size_t)(n_datasets ? n_datasets : 1));
    p->functions = ir_alloc(sizeof *p->functions * (size_t)(n_functions ? n_functions : 1));
    for (int i = 0; i < ast->n_blocks; i++) {
        const ast_block *b = &ast->blocks[i];
        if (duplicate_block(ast, i, d))
            continue;
        switch (b->kind) {
        case AST_DATASET: lower_dataset(b, &p->datasets[p->n_datasets++], d); break;
        case AST_MODEL: lower_model(b, &p->models[p->n_models++], d); break;
        case AST_TRAIN:
            lower_train(b, &p->train, d);
            p->has_train = true;
            break;
        case AST_FUNCTION: lower_function(b, &p->functions[p->n_functions++], d); break;
        }
    }
    ir_bind_functions(p, d);
    if (ast->n_blocks == 0)
        diag_error(d, (ir_span){1, 1, 0, 0, -1},
                   "the file declares nothing; a program has dataset, model and train blocks");
    if (d->errors == errors)
        ir_verify(p, d);
    if (d->errors != errors) {
        ir_program_free(p);
        return NULL;
    }
    return p;
}
