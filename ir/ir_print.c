/* ir_print.c: the IR's text form.
 *
 *     dnnc-ir 1
 *     source "fashion_mlp.dnn"
 *     data @fashion minmax=false path="/usr/..." scale=0.0039... source=idx ...  # 1:1 }@5:1 path@2:18
 *     model @mlp {  # 7:1
 *       %fc1 = dense %flatten activation=relu ... units=256 -> [256]  # 10:5 activation@10:30 units@10:15
 *     }  # 13:1
 *     train batch=128 data=@fashion epochs=3 loss=categorical_crossentropy ...  # 15:1 }@23:1 ...
 *     optimizer sgd clipnorm=0 clipvalue=0 learning_rate=0.01 momentum=0.9 nesterov=false  # ...
 *
 * One statement per line, attributes sorted by name, every attribute printed
 * (defaults included), floats in their shortest exact form, source locations
 * in a trailing comment that ir_read.c reads back.  Nothing else: no
 * addresses, no counters, no time, so the same program always prints the same.
 */
#include "ir_text.h"

#include <stdlib.h>
#include <string.h>

#define VALUE_MAX 4096

/* Prints the attributes of TABLE that apply to KIND, sorted (tables are sorted). */
static void print_attrs(FILE *out, const ir_attr_desc *table, int count, const void *obj, int kind,
                        int optimizer_params)
{
    char value[VALUE_MAX];
    for (int i = 0; i < count; i++) {
        const ir_attr_desc *a = &table[i];
        if (!ir_attr_applies(a, kind))
            continue;
        if (optimizer_params >= 0 && a->optimizer_param != (optimizer_params == 1))
            continue;
        if (optimizer_params == 0 && strcmp(a->name, "optimizer") == 0)
            continue;
        ir_attr_format(a, obj, value, sizeof value);
        fprintf(out, " %s=%s%s", a->name, a->type == IR_T_REF ? "@" : "", value);
    }
}

/* Prints "  # L:C }@L:C name@L:C ..." for whatever locations are known. */
static void print_locations(FILE *out, ir_span at, const ir_span *close, const ir_attr_desc *table,
                            int count, const ir_span *spans, int kind, int optimizer_params)
{
    bool any = at.line > 0 || (close && close->line > 0);
    for (int i = 0; spans && i < count && !any; i++)
        any = spans[table[i].id].line > 0;
    if (!any)
        return;
    fputs("  #", out);
    if (at.line > 0)
        fprintf(out, " %d:%d", at.line, at.col);
    if (close && close->line > 0)
        fprintf(out, " }@%d:%d", close->line, close->col);
    for (int i = 0; spans && i < count; i++) {
        const ir_attr_desc *a = &table[i];
        const ir_span *s = &spans[a->id];
        if (s->line <= 0 || !ir_attr_applies(a, kind))
            continue;
        if (optimizer_params >= 0 && a->optimizer_param != (optimizer_params == 1) &&
            !(optimizer_params == 1 && strcmp(a->name, "optimizer") == 0))
            continue;
        if (optimizer_params == 0 && strcmp(a->name, "optimizer") == 0)
            continue;
        fprintf(out, " %s@%d:%d", a->name, s->line, s->col);
    }
}

void ir_print_node(FILE *out, const ir_model *m, int i)
{
    const ir_node *n = &m->nodes[i];
    char shape[128];
    fprintf(out, "  %%%s = %s", n->name, ir_enum_name(&ir_op_table, (int)n->op));
    if (i > 0)
        fprintf(out, " %%%s", m->nodes[i - 1].name);
    print_attrs(out, ir_node_attrs, ir_node_attr_count, n, (int)n->op, -1);
    ir_shape_format(&n->out_shape, shape, sizeof shape);
    /* Shapes print without spaces, like every other value. */
    char *w = shape;
    for (const char *r = shape; *r; r++)
        if (*r != ' ')
            *w++ = *r;
    *w = 0;
    fprintf(out, " -> %s", shape);
    print_locations(out, n->span, NULL, ir_node_attrs, ir_node_attr_count, n->attr_span, (int)n->op, -1);
    fputc('\n', out);
}

void ir_print(FILE *out, const ir_program *p)
{
    char value[VALUE_MAX];
    fputs(IR_TEXT_MAGIC "\n", out);
    ir_attr_desc name_desc = {"source", 0, IR_T_STR, offsetof(ir_program, source_name), NULL, 0, 0, 0, false, 0, 0};
    ir_attr_format(&name_desc, p, value, sizeof value);
    fprintf(out, "source %s\n", value);
    for (int i = 0; i < p->n_functions; i++) {
        const ir_function *f = &p->functions[i];
        fprintf(out, "function @%s", f->name);
        print_attrs(out, ir_func_attrs, ir_func_attr_count, f, (int)f->role, -1);
        print_locations(out, f->span, &f->close, ir_func_attrs, ir_func_attr_count, f->attr_span, (int)f->role,
                        -1);
        fputc('\n', out);
    }
    for (int i = 0; i < p->n_datasets; i++) {
        const ir_dataset *d = &p->datasets[i];
        fprintf(out, "data @%s", d->name);
        print_attrs(out, ir_data_attrs, ir_data_attr_count, d, (int)d->source, -1);
        print_locations(out, d->span, &d->close, ir_data_attrs, ir_data_attr_count, d->attr_span,
                        (int)d->source, -1);
        fputc('\n', out);
    }
    for (int i = 0; i < p->n_models; i++) {
        const ir_model *m = &p->models[i];
        fprintf(out, "model @%s {", m->name);
        print_locations(out, m->span, NULL, NULL, 0, NULL, 0, -1);
        fputc('\n', out);
        for (int j = 0; j < m->n_nodes; j++)
            ir_print_node(out, m, j);
        fputs("}", out);
        print_locations(out, m->close, NULL, NULL, 0, NULL, 0, -1);
        fputc('\n', out);
    }
    if (p->has_train) {
        const ir_train *t = &p->train;
        fputs("train", out);
        print_attrs(out, ir_train_attrs, ir_train_attr_count, t, (int)t->optimizer, 0);
        print_locations(out, t->span, &t->close, ir_train_attrs, ir_train_attr_count, t->attr_span,
                        (int)t->optimizer, 0);
        fprintf(out, "\noptimizer %s", ir_enum_name(&ir_opt_table, (int)t->optimizer));
        print_attrs(out, ir_train_attrs, ir_train_attr_count, t, (int)t->optimizer, 1);
        print_locations(out, (ir_span){0}, NULL, ir_train_attrs, ir_train_attr_count, t->attr_span,
                        (int)t->optimizer, 1);
        fputc('\n', out);
    }
}

char *ir_print_string(const ir_program *p)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        fputs("dnnc: out of memory\n", stderr);
        exit(2);
    }
    ir_print(f, p);
    fclose(f);
    return buf;
}
