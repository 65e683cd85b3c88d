/* ir.c: IR construction, defaults, ownership and lookups.
 *
 * Defaults follow Keras (TF 2.x) so that a .dnn program means what its Keras
 * twin means: glorot_uniform kernels, zero biases, Keras optimiser defaults.
 */
#include "ir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ir_init_param_name(ir_init kind)
{
    switch (kind) {
    case IR_INIT_CONSTANT: return "value";
    case IR_INIT_RANDOM_NORMAL:
    case IR_INIT_TRUNCATED_NORMAL: return "stddev";
    case IR_INIT_RANDOM_UNIFORM: return "limit";
    case IR_INIT_ORTHOGONAL: return "gain";
    default: return NULL;
    }
}

double ir_init_param_default(ir_init kind)
{
    switch (kind) {
    case IR_INIT_CONSTANT: return 0.0;       /* Keras Constant(value=0) */
    case IR_INIT_RANDOM_NORMAL:
    case IR_INIT_TRUNCATED_NORMAL: return 0.05; /* Keras stddev=0.05 */
    case IR_INIT_RANDOM_UNIFORM: return 0.05; /* Keras minval=-0.05, maxval=0.05 */
    case IR_INIT_ORTHOGONAL: return 1.0;     /* Keras gain=1 */
    default: return 0.0;
    }
}

void ir_node_defaults(ir_node *n, ir_op op)
{
    *n = (ir_node){0};   /* no name, no user function, no spans */
    n->op = op;
    n->units = 1;
    n->kernel = (ir_int2){3, 3};
    n->stride = (ir_int2){1, 1};
    n->pool = (ir_int2){2, 2};
    n->padding = IR_PAD_VALID;
    n->activation = IR_ACT_LINEAR;
    n->init = (ir_initializer){IR_INIT_GLOROT_UNIFORM, 0.0};
    n->bias_init = (ir_initializer){IR_INIT_ZEROS, 0.0};
    n->bias = true;
    n->regularizer = (ir_regularizer){IR_REG_NONE, 0.0, 0.0};
    n->rate = 0.5;
    n->momentum = 0.99;  /* Keras BatchNormalization */
    n->epsilon = 0.001;
}

void ir_dataset_defaults(ir_dataset *d)
{
    *d = (ir_dataset){0};
    d->source = IR_SRC_BLOBS;
    d->label_index = -1;
    d->header = true;
    d->samples = 1000;
    d->features = 2;
    d->classes = 2;
    d->noise = 0.1;
    d->factor = 0.5;
    d->scale = 1.0;
    d->task = IR_TASK_AUTO;
}

void ir_train_optimizer_defaults(ir_train *t, ir_opt kind)
{
    /* Keras defaults (tf.keras.optimizers, TF 2.3). */
    t->optimizer = kind;
    t->learning_rate = 0.001;
    t->momentum = 0.0;
    t->nesterov = false;
    t->rho = 0.9;
    t->beta_1 = 0.9;
    t->beta_2 = 0.999;
    t->epsilon = 1e-7;
    t->initial_accumulator_value = 0.1;
    switch (kind) {
    case IR_OPT_SGD: t->learning_rate = 0.01; break;
    case IR_OPT_ADADELTA: t->rho = 0.95; break;
    default: break;
    }
}

void ir_function_defaults(ir_function *f)
{
    f->type = IR_CTYPE_DOUBLE;
    f->role = IR_FN_ROLE_ACTIVATION;
    f->form = IR_FN_FORM_SCALAR;
    f->better = IR_FN_GOAL_HIGHER;
}

void ir_train_defaults(ir_train *t)
{
    *t = (ir_train){0};  /* no clipping, no references, no spans */
    t->loss = IR_LOSS_CATEGORICAL_CROSSENTROPY;
    ir_train_optimizer_defaults(t, IR_OPT_ADAM);
    t->batch = 32;
    t->epochs = 1;
    t->seed = 0;
    t->patience = 0;
    t->metrics = 0;
}

ir_program *ir_program_new(const char *file)
{
    ir_program *p = ir_alloc(sizeof *p);
    p->file = ir_strdup(file ? file : "<stdin>");
    const char *slash = strrchr(p->file, '/');
    if (slash) {
        size_t n = (size_t)(slash - p->file);
        p->dir = ir_alloc(n + 2);
        memcpy(p->dir, p->file, n ? n : 1);
    } else {
        p->dir = ir_strdup(".");
    }
    p->source_name = ir_strdup(slash ? slash + 1 : p->file);
    ir_train_defaults(&p->train);
    return p;
}

void ir_names_clear(ir_names *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->name[i]);
    l->n = 0;
}

static void names_own(ir_names *l)
{
    for (int i = 0; i < l->n; i++)
        l->name[i] = ir_strdup(l->name[i]);
}

void ir_fn_args_clear(ir_fn_args *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->key[i]);
    a->n = 0;
}

static void fn_args_own(ir_fn_args *a)
{
    for (int i = 0; i < a->n; i++)
        a->key[i] = ir_strdup(a->key[i]);
}

static void node_free(ir_node *n)
{
    free(n->name);
    free(n->activation_fn);
    ir_fn_args_clear(&n->activation_args);
}

/* Makes N's strings its own copies (N was copied field by field). */
static void node_own(ir_node *n)
{
    n->name = ir_strdup(n->name);
    n->activation_fn = ir_strdup(n->activation_fn);
    fn_args_own(&n->activation_args);
}

static void function_free(ir_function *f)
{
    free(f->name);
    free(f->library);
    free(f->symbol);
    free(f->gradient);
    ir_names_clear(&f->params);
}

static void model_free(ir_model *m)
{
    for (int i = 0; i < m->n_nodes; i++)
        node_free(&m->nodes[i]);
    free(m->nodes);
    free(m->name);
}

static void dataset_free(ir_dataset *d)
{
    free(d->name);
    free(d->path);
    free(d->label);
}

void ir_program_free(ir_program *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n_models; i++)
        model_free(&p->models[i]);
    for (int i = 0; i < p->n_datasets; i++)
        dataset_free(&p->datasets[i]);
    for (int i = 0; i < p->n_functions; i++)
        function_free(&p->functions[i]);
    free(p->functions);
    free(p->models);
    free(p->datasets);
    free(p->train.model);
    free(p->train.data);
    free(p->train.loss_fn);
    free(p->train.objective_fn);
    ir_names_clear(&p->train.metric_fns);
    free(p->file);
    free(p->dir);
    free(p->source_name);
    free(p);
}

ir_program *ir_program_clone(const ir_program *p)
{
    ir_program *c = ir_alloc(sizeof *c);
    *c = *p;
    c->file = ir_strdup(p->file);
    c->dir = ir_strdup(p->dir);
    c->source_name = ir_strdup(p->source_name);
    c->train.model = ir_strdup(p->train.model);
    c->train.data = ir_strdup(p->train.data);
    c->train.loss_fn = ir_strdup(p->train.loss_fn);
    c->train.objective_fn = ir_strdup(p->train.objective_fn);
    names_own(&c->train.metric_fns);
    c->datasets = ir_alloc(sizeof *c->datasets * (size_t)p->n_datasets);
    for (int i = 0; i < p->n_datasets; i++) {
        ir_dataset *d = &c->datasets[i];
        *d = p->datasets[i];
        d->name = ir_strdup(d->name);
        d->path = ir_strdup(d->path);
        d->label = ir_strdup(d->label);
    }
    c->functions = ir_alloc(sizeof *c->functions * (size_t)p->n_functions);
    for (int i = 0; i < p->n_functions; i++) {
        ir_function *f = &c->functions[i];
        *f = p->functions[i];
        f->name = ir_strdup(f->name);
        f->library = ir_strdup(f->library);
        f->symbol = ir_strdup(f->symbol);
        f->gradient = ir_strdup(f->gradient);
        names_own(&f->params);
    }
    c->models = ir_alloc(sizeof *c->models * (size_t)p->n_models);
    for (int i = 0; i < p->n_models; i++) {
        ir_model *m = &c->models[i];
        *m = p->models[i];
        m->name = ir_strdup(m->name);
        m->nodes = ir_alloc(sizeof *m->nodes * (size_t)m->n_nodes);
        for (int j = 0; j < m->n_nodes; j++) {
            m->nodes[j] = p->models[i].nodes[j];
            node_own(&m->nodes[j]);
        }
    }
    return c;
}

ir_model *ir_find_model(const ir_program *p, const char *name)
{
    for (int i = 0; name && i < p->n_models; i++)
        if (strcmp(p->models[i].name, name) == 0)
            return &p->models[i];
    return NULL;
}

ir_dataset *ir_find_dataset(const ir_program *p, const char *name)
{
    for (int i = 0; name && i < p->n_datasets; i++)
        if (strcmp(p->datasets[i].name, name) == 0)
            return &p->datasets[i];
    return NULL;
}

ir_function *ir_find_function(const ir_program *p, const char *name)
{
    for (int i = 0; name && i < p->n_functions; i++)
        if (strcmp(p->functions[i].name, name) == 0)
            return &p->functions[i];
    return NULL;
}

ir_node *ir_find_node(const ir_model *m, const char *name)
{
    for (int i = 0; i < m->n_nodes; i++)
        if (m->nodes[i].name && strcmp(m->nodes[i].name, name) == 0)
            return &m->nodes[i];
    return NULL;
}

ir_model *ir_train_model(const ir_program *p)
{
    return p->has_train ? ir_find_model(p, p->train.model) : NULL;
}

ir_dataset *ir_train_dataset(const ir_program *p)
{
    return p->has_train ? ir_find_dataset(p, p->train.data) : NULL;
}

ir_node *ir_model_insert(ir_model *m, int at, const ir_node *node)
{
    m->nodes = ir_realloc(m->nodes, sizeof *m->nodes * (size_t)(m->n_nodes + 1));
    memmove(&m->nodes[at + 1], &m->nodes[at], sizeof *m->nodes * (size_t)(m->n_nodes - at));
    m->nodes[at] = *node;
    node_own(&m->nodes[at]);
    m->n_nodes++;
    return &m->nodes[at];
}

void ir_model_remove(ir_model *m, int at)
{
    node_free(&m->nodes[at]);
    memmove(&m->nodes[at], &m->nodes[at + 1], sizeof *m->nodes * (size_t)(m->n_nodes - at - 1));
    m->n_nodes--;
}

char *ir_unique_name(const ir_model *m, const char *base)
{
    size_t n = strlen(base) + 16;
    char *name = ir_alloc(n);
    snprintf(name, n, "%s", base);
    for (int k = 2; ir_find_node(m, name); k++)
        snprintf(name, n, "%s.%d", base, k);
    return name;
}

long ir_shape_size(const ir_shape *s)
{
    long n = 1;
    for (int i = 0; i < s->rank; i++)
        n *= s->dim[i];
    return n;
}

void ir_shape_format(const ir_shape *s, char *buf, size_t size)
{
    size_t len = 0;
    len += (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < s->rank && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%d", i ? ", " : "", s->dim[i]);
    if (len < size)
        snprintf(buf + len, size - len, "]");
}

bool ir_op_has_activation(ir_op op)
{
    return op == IR_OP_DENSE || op == IR_OP_CONV2D || op == IR_OP_ACTIVATION;
}

bool ir_op_has_weights(ir_op op)
{
    return op == IR_OP_DENSE || op == IR_OP_CONV2D;
}

int ir_op_positional_attr(ir_op op)
{
    switch (op) {
    case IR_OP_INPUT: return IR_NATTR_SHAPE;
    case IR_OP_DENSE: return IR_NATTR_UNITS;
    case IR_OP_CONV2D: return IR_NATTR_FILTERS;
    case IR_OP_MAXPOOL:
    case IR_OP_AVGPOOL: return IR_NATTR_POOL;
    case IR_OP_DROPOUT: return IR_NATTR_RATE;
    case IR_OP_ACTIVATION: return IR_NATTR_ACTIVATION;
    case IR_OP_FLATTEN:
    case IR_OP_BATCHNORM: return -1;
    case IR_OP_COUNT: break;   /* not a kind */
    }
    return -1;   /* the switch names every kind, so -Wswitch flags a new one */
}
