/* testutil.c: helpers for the runtime's C tests (see testutil.h). */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

ir_program *tu_program(const char *name)
{
    ir_program *p = ir_program_new("test.dnn");
    p->models = ir_alloc(sizeof *p->models);
    p->n_models = 1;
    p->models[0].name = ir_strdup(name);
    p->has_train = true;
    p->train.model = ir_strdup(name);
    p->train.data = ir_strdup("data");
    return p;
}

ir_model *tu_model(ir_program *p)
{
    return &p->models[0];
}

ir_node *tu_layer(ir_model *m, ir_op op, const char *name)
{
    ir_node n;
    memset(&n, 0, sizeof n);
    ir_node_defaults(&n, op);
    n.name = (char *)name;
    if (op == IR_OP_MAXPOOL || op == IR_OP_AVGPOOL)
        n.stride = n.pool;   /* Keras: strides default to the pool size */
    return ir_model_insert(m, m->n_nodes, &n);
}

ir_node *tu_input(ir_model *m, int d0, int d1, int d2)
{
    ir_node *n = tu_layer(m, IR_OP_INPUT, "input");
    n->shape.rank = d2 ? 3 : d1 ? 2 : 1;
    n->shape.dim[0] = d0;
    n->shape.dim[1] = d1;
    n->shape.dim[2] = d2;
    return n;
}

ir_node *tu_dense(ir_model *m, const char *name, int units, ir_act act)
{
    ir_node *n = tu_layer(m, IR_OP_DENSE, name);
    n->units = units;
    n->activation = act;
    return n;
}

static void split_alloc(rt_split *s, int n, int in_size, int classes, int targets)
{
    s->n = n;
    s->x = calloc((size_t)(n * in_size + 1), sizeof *s->x);
    if (classes)
        s->label = calloc((size_t)n + 1, sizeof *s->label);
    else
        s->target = calloc((size_t)(n * targets + 1), sizeof *s->target);
}

static rt_data *make(int in_size, int classes, int targets, int nt, int nv, int ne)
{
    rt_data *d = calloc(1, sizeof *d);
    d->shape.rank = 1;
    d->shape.dim[0] = in_size;
    d->in_size = in_size;
    d->classes = classes;
    d->target_size = classes ? 0 : targets;
    split_alloc(&d->train, nt, in_size, classes, targets);
    split_alloc(&d->val, nv, in_size, classes, targets);
    split_alloc(&d->test, ne, in_size, classes, targets);
    return d;
}

rt_data *tu_data(int in_size, int classes, int n_train, int n_val, int n_test)
{
    return make(in_size, classes, 0, n_train, n_val, n_test);
}

rt_data *tu_regression_data(int in_size, int targets, int n_train, int n_val, int n_test)
{
    return make(in_size, 0, targets, n_train, n_val, n_test);
}

void tu_data_free(rt_data *d)
{
    rt_split *s[3] = {&d->train, &d->val, &d->test};
    for (int i = 0; i < 3; i++) {
        free(s[i]->x);
        free(s[i]->label);
        free(s[i]->target);
    }
    free(d->class_counts);
    free(d);
}
