/* ir_enums.h: every closed vocabulary of the language, one X-macro list each.
 *
 * Each list expands to an enum (IR_<LIST>_<NAME>) and to the table of its
 * spellings (ir_<list>_names), so the enum and the names the language accepts
 * cannot drift apart.  Order matters only for printing "valid choices" lists.
 */
#ifndef DNNC_IR_ENUMS_H
#define DNNC_IR_ENUMS_H

/* Layer kinds. */
#define IR_OPS(X) \
    X(INPUT, input) X(DENSE, dense) X(CONV2D, conv2d) X(MAXPOOL, maxpool) \
    X(AVGPOOL, avgpool) X(FLATTEN, flatten) X(DROPOUT, dropout) \
    X(BATCHNORM, batchnorm) X(ACTIVATION, activation)

/* Activations: the 11 of Keras, then leaky_relu, gelu and swish. */
#define IR_ACTS(X) \
    X(LINEAR, linear) X(RELU, relu) X(SIGMOID, sigmoid) X(TANH, tanh) \
    X(SOFTMAX, softmax) X(SOFTPLUS, softplus) X(SOFTSIGN, softsign) \
    X(SELU, selu) X(ELU, elu) X(EXPONENTIAL, exponential) \
    X(HARD_SIGMOID, hard_sigmoid) X(LEAKY_RELU, leaky_relu) X(GELU, gelu) \
    X(SWISH, swish)

#define IR_LOSSES(X) \
    X(CATEGORICAL_CROSSENTROPY, categorical_crossentropy) \
    X(SPARSE_CATEGORICAL_CROSSENTROPY, sparse_categorical_crossentropy) \
    X(BINARY_CROSSENTROPY, binary_crossentropy) X(MSE, mse) X(MAE, mae) \
    X(MAPE, mape) X(MSLE, msle) X(HINGE, hinge) X(SQUARED_HINGE, squared_hinge) \
    X(CATEGORICAL_HINGE, categorical_hinge) X(LOGCOSH, logcosh) X(HUBER, huber) \
    X(KL_DIVERGENCE, kl_divergence) X(POISSON, poisson)

#define IR_OPTIMIZERS(X) \
    X(SGD, sgd) X(RMSPROP, rmsprop) X(ADAGRAD, adagrad) X(ADADELTA, adadelta) \
    X(ADAM, adam) X(ADAMAX, adamax) X(NADAM, nadam)

#define IR_INITS(X) \
    X(ZEROS, zeros) X(ONES, ones) X(CONSTANT, constant) \
    X(RANDOM_NORMAL, random_normal) X(RANDOM_UNIFORM, random_uniform) \
    X(TRUNCATED_NORMAL, truncated_normal) X(ORTHOGONAL, orthogonal) \
    X(LECUN_UNIFORM, lecun_uniform) X(LECUN_NORMAL, lecun_normal) \
    X(GLOROT_UNIFORM, glorot_uniform) X(GLOROT_NORMAL, glorot_normal) \
    X(HE_UNIFORM, he_uniform) X(HE_NORMAL, he_normal)

#define IR_REGULARIZERS(X) X(NONE, none) X(L1, l1) X(L2, l2) X(L1_L2, l1_l2)

#define IR_PADDINGS(X) X(VALID, valid) X(SAME, same)

/* Where a dataset's samples come from: files or a built-in generator. */
#define IR_SOURCES(X) \
    X(IDX, idx) X(CSV, csv) X(BLOBS, blobs) X(CIRCLES, circles) \
    X(MOONS, moons) X(SPIRALS, spirals) X(XOR, xor) X(REGRESSION, regression)

/* What the label column holds; auto decides from the data when it loads. */
#define IR_TASKS(X) X(AUTO, auto) X(CLASSIFICATION, classification) X(REGRESSION, regression)

#define IR_METRICS(X) X(ACCURACY, accuracy) X(MAE, mae) X(MSE, mse)

/* The C type of a user function's argument and result (see ir_function). */
#define IR_CTYPES(X) X(FLOAT, float) X(DOUBLE, double)

/* What a user function is for (see ir_function). */
#define IR_FN_ROLES(X) X(ACTIVATION, activation) X(LOSS, loss) X(METRIC, metric)

/* How a user activation is called: per element, or once per tensor. */
#define IR_FN_FORMS(X) X(SCALAR, scalar) X(VECTOR, vector)

/* Repair's objective when the train block names no user metric: validation
 * accuracy for classification, mean absolute error for regression. */
#define IR_OBJECTIVES(X) X(AUTO, auto)

/* Which way a user metric improves. */
#define IR_FN_GOALS(X) X(HIGHER, higher) X(LOWER, lower)

#define IR_X_OP(id, name) IR_OP_##id,
#define IR_X_ACT(id, name) IR_ACT_##id,
#define IR_X_LOSS(id, name) IR_LOSS_##id,
#define IR_X_OPT(id, name) IR_OPT_##id,
#define IR_X_INIT(id, name) IR_INIT_##id,
#define IR_X_REG(id, name) IR_REG_##id,
#define IR_X_PAD(id, name) IR_PAD_##id,
#define IR_X_SRC(id, name) IR_SRC_##id,
#define IR_X_TASK(id, name) IR_TASK_##id,
#define IR_X_METRIC(id, name) IR_METRIC_##id,
#define IR_X_CTYPE(id, name) IR_CTYPE_##id,
#define IR_X_OBJECTIVE(id, name) IR_OBJECTIVE_##id,
#define IR_X_FN_ROLE(id, name) IR_FN_ROLE_##id,
#define IR_X_FN_FORM(id, name) IR_FN_FORM_##id,
#define IR_X_FN_GOAL(id, name) IR_FN_GOAL_##id,

typedef enum { IR_OPS(IR_X_OP) IR_OP_COUNT } ir_op;
typedef enum { IR_ACTS(IR_X_ACT) IR_ACT_COUNT } ir_act;
typedef enum { IR_LOSSES(IR_X_LOSS) IR_LOSS_COUNT } ir_loss;
typedef enum { IR_OPTIMIZERS(IR_X_OPT) IR_OPT_COUNT } ir_opt;
typedef enum { IR_INITS(IR_X_INIT) IR_INIT_COUNT } ir_init;
typedef enum { IR_REGULARIZERS(IR_X_REG) IR_REG_COUNT } ir_reg;
typedef enum { IR_PADDINGS(IR_X_PAD) IR_PAD_COUNT } ir_pad;
typedef enum { IR_SOURCES(IR_X_SRC) IR_SRC_COUNT } ir_src;
typedef enum { IR_TASKS(IR_X_TASK) IR_TASK_COUNT } ir_task;
typedef enum { IR_METRICS(IR_X_METRIC) IR_METRIC_COUNT } ir_metric;
typedef enum { IR_CTYPES(IR_X_CTYPE) IR_CTYPE_COUNT } ir_ctype;
typedef enum { IR_OBJECTIVES(IR_X_OBJECTIVE) IR_OBJECTIVE_COUNT } ir_objective;
typedef enum { IR_FN_ROLES(IR_X_FN_ROLE) IR_FN_ROLE_COUNT } ir_fn_role;
typedef enum { IR_FN_FORMS(IR_X_FN_FORM) IR_FN_FORM_COUNT } ir_fn_form;
typedef enum { IR_FN_GOALS(IR_X_FN_GOAL) IR_FN_GOAL_COUNT } ir_fn_goal;

/* A closed vocabulary: its spellings, indexed by enum value. */
typedef struct ir_enum_table {
    const char *what;          /* noun for messages: "activation", "loss", ... */
    const char *const *names;  /* spelling of each value */
    int count;                 /* number of values */
} ir_enum_table;

extern const ir_enum_table ir_op_table, ir_act_table, ir_loss_table,
    ir_opt_table, ir_init_table, ir_reg_table, ir_pad_table, ir_src_table,
    ir_task_table, ir_metric_table, ir_ctype_table, ir_objective_table, ir_fn_role_table,
    ir_fn_form_table, ir_fn_goal_table;

/* Index of NAME in TABLE, or -1. */
int ir_enum_lookup(const ir_enum_table *table, const char *name);
/* Spelling of VALUE, or "?" when out of range. */
const char *ir_enum_name(const ir_enum_table *table, int value);
/* Writes "a, b, c" (every valid spelling) into BUF. */
void ir_enum_choices(const ir_enum_table *table, char *buf, unsigned long size);

#endif
