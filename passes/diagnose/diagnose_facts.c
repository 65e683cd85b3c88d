/* diagnose_facts.c: what the diagnosis knows about a program's problem and
 * model before any rule runs (diagnose_int.h).
 *
 * With loaded data the task, the classes, the target range and the number of
 * training samples come from the data; without it they come from the
 * dataset's declaration where it says (generators know their classes and
 * samples), and stay unknown otherwise, so rules that need them stay quiet.
 * The initialiser moments follow Keras's definitions of each initialiser.
 */
#include "diagnose_int.h"

#include <math.h>

/* Classes a generator makes, or 0 for regression / -1 when not a generator. */
static int generator_classes(const ir_dataset *d)
{
    switch (d->source) {
    case IR_SRC_BLOBS:
    case IR_SRC_SPIRALS: return d->classes;
    case IR_SRC_CIRCLES:
    case IR_SRC_MOONS:
    case IR_SRC_XOR: return 2;
    case IR_SRC_REGRESSION: return 0;
    case IR_SRC_IDX:
    case IR_SRC_CSV:
    case IR_SRC_COUNT: break;
    }
    return -1;
}

/* Task and sizes from the declaration alone. */
static void facts_from_declaration(dx_facts *f, const ir_dataset *d)
{
    int classes = generator_classes(d);
    if (classes > 0) {
        f->task = DX_TASK_CLASSIFICATION;
        f->classes = classes;
    } else if (classes == 0) {
        f->task = DX_TASK_REGRESSION;
        f->targets = 1;
    } else if (d->task == IR_TASK_REGRESSION) {
        f->task = DX_TASK_REGRESSION;
    } else if (d->task == IR_TASK_CLASSIFICATION) {
        f->task = DX_TASK_CLASSIFICATION;
    }
    if (classes >= 0) {
        double n = d->samples * (1.0 - d->test) * (1.0 - d->validation);
        f->n_train = (int)floor(n + 0.5);
    }
}

static void facts_from_data(dx_facts *f, const rt_data *data)
{
    f->n_train = data->train.n;
    if (data->classes > 0) {
        f->task = DX_TASK_CLASSIFICATION;
        f->classes = data->classes;
        int most = 0;
        for (int c = 0; c < data->classes && data->class_counts; c++)
            most = data->class_counts[c] > most ? data->class_counts[c] : most;
        f->majority = data->train.n > 0 ? (double)most / data->train.n : 0.0;
    } else {
        f->task = DX_TASK_REGRESSION;
        f->targets = data->target_size;
        f->target_min = data->target_min;
        f->target_max = data->target_max;
    }
}

void dx_facts_init(dx_facts *f, const ir_program *p, const rt_data *data)
{
    *f = (dx_facts){0};
    f->prog = p;
    f->data = data;
    f->out = f->out_act_node = -1;
    f->out_act = IR_ACT_LINEAR;
    if (!p->has_train)
        return;
    f->model = ir_train_model(p);
    f->dataset = ir_train_dataset(p);
    if (data)
        facts_from_data(f, data);
    else if (f->dataset)
        facts_from_declaration(f, f->dataset);
    if (f->n_train > 0 && p->train.batch > 0) {
        int batch = p->train.batch < f->n_train ? p->train.batch : f->n_train;
        f->steps = (long)p->train.epochs * ((f->n_train + batch - 1) / batch);
    }
    const ir_model *m = f->model;
    for (int i = 0; m && i < m->n_nodes; i++)
        if (ir_op_has_weights(m->nodes[i].op)) {
            f->n_weight_layers++;
            f->out = i;
        }
    if (f->out >= 0) {
        f->out_units = m->nodes[f->out].units;
        f->out_act = dx_act_after(m, f->out, &f->out_act_node);
        f->out_user_act = m->nodes[f->out_act_node].activation_fn != NULL;
    }
}

bool dx_node_nonlinear(const ir_node *n)
{
    /* A user function (activation_fn) is taken to be non-linear. */
    return ir_op_has_activation(n->op) && (n->activation != IR_ACT_LINEAR || n->activation_fn);
}

ir_act dx_act_after(const ir_model *m, int i, int *at)
{
    *at = i;
    if (dx_node_nonlinear(&m->nodes[i]))
        return m->nodes[i].activation;
    for (int j = i + 1; j < m->n_nodes; j++) {
        const ir_node *n = &m->nodes[j];
        if (ir_op_has_weights(n->op) || n->op == IR_OP_MAXPOOL || n->op == IR_OP_AVGPOOL)
            break;
        if (n->op == IR_OP_ACTIVATION && dx_node_nonlinear(n)) {
            *at = j;
            return n->activation;
        }
    }
    return IR_ACT_LINEAR;
}

bool dx_linear_after(const ir_model *m, int i)
{
    int at;
    return dx_act_after(m, i, &at) == IR_ACT_LINEAR && !m->nodes[at].activation_fn;
}

bool dx_act_saturating(ir_act a)
{
    return a == IR_ACT_SIGMOID || a == IR_ACT_TANH || a == IR_ACT_HARD_SIGMOID ||
           a == IR_ACT_SOFTSIGN;
}

int dx_next_weight_layer(const ir_model *m, int i)
{
    for (int j = i + 1; j < m->n_nodes; j++)
        if (ir_op_has_weights(m->nodes[j].op))
            return j;
    return -1;
}

/* Channels (last axis) of a shape. */
static long last_dim(const ir_shape *s)
{
    return s->rank > 0 ? s->dim[s->rank - 1] : 1;
}

long dx_fan_in(const ir_node *n)
{
    if (n->op == IR_OP_CONV2D)
        return (long)n->kernel.h * n->kernel.w * last_dim(&n->in_shape);
    return ir_shape_size(&n->in_shape);
}

long dx_fan_out(const ir_node *n)
{
    if (n->op == IR_OP_CONV2D)
        return (long)n->kernel.h * n->kernel.w * n->units;
    return n->units;
}

long dx_kernel_size(const ir_node *n)
{
    return dx_fan_in(n) * n->units;   /* dense [in, units]; conv [kh, kw, in, filters] */
}

void dx_init_moments(const ir_initializer *init, long fan_in, long fan_out,
                     double *mean_abs, double *mean_sq)
{
    double fi = fan_in > 0 ? (double)fan_in : 1.0, fo = fan_out > 0 ? (double)fan_out : 1.0;
    double sd = 0.0, limit = 0.0;   /* a normal's sd, or a uniform's limit */
    switch (init->kind) {
    case IR_INIT_ZEROS: *mean_abs = *mean_sq = 0.0; return;
    case IR_INIT_ONES: *mean_abs = *mean_sq = 1.0; return;
    case IR_INIT_CONSTANT:
        *mean_abs = fabs(init->param);
        *mean_sq = init->param * init->param;
        return;
    case IR_INIT_ORTHOGONAL: {
        /* Unit-norm rows or columns: each entry has mean square 1 / max(fan). */
        double ms = init->param * init->param / (fi > fo ? fi : fo);
        *mean_sq = ms;
        *mean_abs = sqrt(ms * 2.0 / M_PI);
        return;
    }
    case IR_INIT_RANDOM_NORMAL:
    case IR_INIT_TRUNCATED_NORMAL: sd = init->param; break;
    case IR_INIT_RANDOM_UNIFORM: limit = init->param; break;
    case IR_INIT_GLOROT_NORMAL: sd = sqrt(2.0 / (fi + fo)); break;
    case IR_INIT_GLOROT_UNIFORM: limit = sqrt(6.0 / (fi + fo)); break;
    case IR_INIT_HE_NORMAL: sd = sqrt(2.0 / fi); break;
    case IR_INIT_HE_UNIFORM: limit = sqrt(6.0 / fi); break;
    case IR_INIT_LECUN_NORMAL: sd = sqrt(1.0 / fi); break;
    case IR_INIT_LECUN_UNIFORM: limit = sqrt(3.0 / fi); break;
    case IR_INIT_COUNT: break;
    }
    if (limit > 0.0) {
        *mean_abs = limit / 2.0;
        *mean_sq = limit * limit / 3.0;
    } else {
        *mean_abs = sd * sqrt(2.0 / M_PI);
        *mean_sq = sd * sd;
    }
}

double dx_chance(const dx_facts *f)
{
    if (f->majority > 0.0)
        return f->majority;
    return f->classes > 0 ? 1.0 / f->classes : 0.0;
}
