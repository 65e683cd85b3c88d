/* ir.h: the intermediate representation every pass and the runtime work on.
 *
 * A program is a set of datasets, a set of sequential models and one training
 * recipe.  Everything is explicit: lowering fills every attribute (defaults
 * included) and infers every shape, so a pass or the runtime never has to guess.
 * Each attribute is described once in a table (ir_attr_desc) that the printer,
 * the reader, the lowering, the differ and the source patcher all share; adding
 * an attribute means one field and one table row.
 *
 * Every node and attribute keeps the source span it came from, so a rewrite can
 * become a patch to the user's own .dnn file.
 */
#ifndef DNNC_IR_H
#define DNNC_IR_H

#include <stdbool.h>
#include <stddef.h>

#include "alloc.h"
#include "ir_enums.h"
#include "span.h"

#define IR_MAX_RANK 3

/* Where a node, attribute or block was written (base/span.h). */
typedef source_span ir_span;

/* A tensor shape without the batch dimension. */
typedef struct ir_shape {
    int rank;                  /* 1 (vector) to IR_MAX_RANK ([h, w, c]) */
    int dim[IR_MAX_RANK];      /* extent of each axis */
} ir_shape;

/* A pair of extents (kernel, stride, pool): [height, width]. */
typedef struct ir_int2 {
    int h, w;
} ir_int2;

/* A weight initialiser and its one parameter (stddev, limit, value, gain). */
typedef struct ir_initializer {
    ir_init kind;   /* which initialiser */
    double param;   /* meaning depends on kind; ir_init_param_name() names it */
} ir_initializer;

/* A weight regulariser: penalty l1*sum|w| + l2*sum w^2. */
typedef struct ir_regularizer {
    ir_reg kind;    /* none, l1, l2, l1_l2 */
    double l1, l2;  /* factors (Keras default 0.01) */
} ir_regularizer;

/* At most this many parameters per user function, user metrics per train
 * block. */
#define IR_MAX_NAMES 8

/* A short list of names (a function's parameters, the user metrics). */
typedef struct ir_names {
    int n;                      /* how many */
    char *name[IR_MAX_NAMES];   /* each, owned */
} ir_names;

/* The arguments written where a user function is used, swish_beta(beta = 1.5):
 * once the program is checked, one per declared parameter, in their order. */
typedef struct ir_fn_args {
    int n;                      /* how many */
    char *key[IR_MAX_NAMES];    /* the parameter each sets (NULL: positional, before checking) */
    double value[IR_MAX_NAMES]; /* its value */
} ir_fn_args;

/* Attribute identifiers of a layer node, one per ir_node attribute field. */
#define IR_NODE_ATTRS(X) \
    X(ACTIVATION) X(BIAS) X(BIAS_INIT) X(EPSILON) X(FILTERS) X(INIT) \
    X(KERNEL) X(MOMENTUM) X(PADDING) X(POOL) X(RATE) X(REGULARIZER) \
    X(SHAPE) X(STRIDE) X(UNITS)
#define IR_X_NATTR(id) IR_NATTR_##id,
typedef enum { IR_NODE_ATTRS(IR_X_NATTR) IR_NATTR_COUNT } ir_nattr;

/* One layer of a sequential model. */
typedef struct ir_node {
    char *name;                 /* stable name ("fc1", "flatten", "fc1.bn") */
    ir_op op;                   /* layer kind */
    ir_span span;               /* whole statement in the source */
    ir_span attr_span[IR_NATTR_COUNT]; /* where each attribute was written */
    ir_shape in_shape;          /* inferred input shape (input: its own shape) */
    ir_shape out_shape;         /* inferred output shape */
    /* attributes (which apply to which op: see ir_node_attrs) */
    ir_shape shape;             /* input: shape of one sample */
    int units;                  /* dense: units; conv2d: filters */
    ir_int2 kernel;             /* conv2d: kernel size */
    ir_int2 stride;             /* conv2d, pools: stride */
    ir_int2 pool;               /* pools: window size */
    ir_pad padding;             /* conv2d, pools: valid or same */
    ir_act activation;          /* dense, conv2d, activation layer */
    char *activation_fn;        /* a user function as activation (then activation is linear), or NULL */
    ir_fn_args activation_args; /* the arguments of activation_fn's parameters */
    ir_initializer init;        /* dense, conv2d: kernel initialiser */
    ir_initializer bias_init;   /* dense, conv2d: bias initialiser */
    bool bias;                  /* dense, conv2d: has a bias */
    ir_regularizer regularizer; /* dense, conv2d: kernel regulariser */
    double rate;                /* dropout: fraction dropped */
    double momentum;            /* batchnorm: running-statistics momentum */
    double epsilon;             /* batchnorm: variance epsilon */
} ir_node;

/* A sequential model: nodes[0] is its input layer. */
typedef struct ir_model {
    char *name;         /* model name */
    ir_span span;       /* the "model NAME {" header */
    ir_span close;      /* the closing brace */
    ir_node *nodes;     /* layers in order */
    int n_nodes;        /* number of layers */
} ir_model;

#define IR_DATA_ATTRS(X) \
    X(CLASSES) X(FACTOR) X(FEATURES) X(HEADER) X(LABEL) X(LIMIT) X(MINMAX) X(NOISE) \
    X(PATH) X(SAMPLES) X(SCALE) X(SOURCE) X(SPREAD) X(STANDARDIZE) X(TASK) \
    X(TEST) X(VALIDATION)
#define IR_X_DATTR(id) IR_DATTR_##id,
typedef enum { IR_DATA_ATTRS(IR_X_DATTR) IR_DATTR_COUNT } ir_dattr;

/* A dataset: where samples come from and how they are preprocessed. */
typedef struct ir_dataset {
    char *name;                 /* dataset name */
    ir_span span;               /* the "dataset NAME {" header */
    ir_span close;              /* the closing brace */
    ir_span attr_span[IR_DATTR_COUNT]; /* where each attribute was written */
    ir_src source;              /* file format or generator */
    char *path;                 /* idx: folder; csv: file (as written) */
    char *label;                /* csv: label column name, or NULL for label_index */
    int label_index;            /* csv: label column when label is NULL; -1 = last */
    bool header;                /* csv: first row names the columns */
    int samples;                /* generators: number of samples */
    int limit;                  /* idx, csv: use at most this many training samples (0 = all) */
    int features;               /* blobs, xor, regression: input width */
    int classes;                /* blobs, spirals: number of classes */
    double noise;               /* generators: noise (blobs: cluster spread) */
    double factor;              /* circles: inner/outer radius ratio */
    double scale;               /* multiply inputs by this (1 = off) */
    bool standardize;           /* zero mean, unit variance per feature */
    bool minmax;                /* map each feature to [0, 1] */
    ir_task task;               /* what the labels are */
    double test;                /* fraction held out for testing */
    double validation;          /* fraction of training data held out */
} ir_dataset;

#define IR_TRAIN_ATTRS(X) \
    X(BATCH) X(BETA_1) X(BETA_2) X(CLIPNORM) X(CLIPVALUE) X(DATA) X(EPOCHS) \
    X(EPSILON) X(INITIAL_ACCUMULATOR_VALUE) X(LEARNING_RATE) X(LOSS) \
    X(METRICS) X(MODEL) X(MOMENTUM) X(NESTEROV) X(OBJECTIVE) X(OPTIMIZER) X(PATIENCE) \
    X(RHO) X(SEED)
#define IR_X_TATTR(id) IR_TATTR_##id,
typedef enum { IR_TRAIN_ATTRS(IR_X_TATTR) IR_TATTR_COUNT } ir_tattr;

/* The training recipe, optimiser included. */
typedef struct ir_train {
    ir_span span;               /* the "train {" header */
    ir_span close;              /* the closing brace */
    ir_span attr_span[IR_TATTR_COUNT]; /* where each attribute was written */
    char *model;                /* name of the model to train */
    char *data;                 /* name of the dataset to train on */
    ir_loss loss;               /* loss function (mse, unused, when loss_fn is set) */
    char *loss_fn;              /* a user function as the loss, or NULL */
    ir_opt optimizer;           /* optimiser kind */
    double learning_rate;       /* all optimisers */
    double momentum;            /* sgd, rmsprop */
    bool nesterov;              /* sgd */
    double rho;                 /* rmsprop, adadelta */
    double beta_1, beta_2;      /* adam, adamax, nadam */
    double epsilon;             /* all but sgd */
    double initial_accumulator_value; /* adagrad */
    double clipnorm;            /* clip each gradient's norm (0 = off) */
    double clipvalue;           /* clip each gradient element (0 = off) */
    int batch;                  /* mini-batch size */
    int epochs;                 /* passes over the training data */
    int seed;                   /* seeds initialisers, shuffling, dropout, data */
    int patience;               /* early stopping patience in epochs (0 = off) */
    unsigned metrics;           /* bit set of ir_metric */
    ir_names metric_fns;        /* user functions among the metrics */
    int objective;              /* repair's objective: auto (see ir_objective_table) ... */
    char *objective_fn;         /* ... or this user metric, when not NULL */
} ir_train;

#define IR_FUNC_ATTRS(X) \
    X(BETTER) X(FORM) X(GRADIENT) X(LIBRARY) X(PARAMS) X(ROLE) X(SYMBOL) X(TYPE)
#define IR_X_FATTR(id) IR_FATTR_##id,
typedef enum { IR_FUNC_ATTRS(IR_X_FATTR) IR_FATTR_COUNT } ir_fattr;

/* A user-supplied C function from a shared library, called through libffi,
 * in one of three roles (T is the declared type, P the parameters):
 *   activation, scalar form: T f(T x, T p1, ...), derivative T df(T x, P...);
 *   activation, vector form: void f(const T *x, T *y, size_t n, P...), its
 *     derivative writes dy/dx elementwise: void df(const T *x, T *d, size_t n, P...);
 *   loss:   T f(const T *pred, const T *target, size_t n), gradient
 *           void g(const T *pred, const T *target, size_t n, T *grad);
 *   metric: T f(const T *pred, const T *target, size_t n).
 * Without a derivative or gradient, central differences stand in. */
typedef struct ir_function {
    char *name;                 /* function name in the program */
    ir_span span;               /* the "function NAME {" header */
    ir_span close;              /* the closing brace */
    ir_span attr_span[IR_FATTR_COUNT]; /* where each attribute was written */
    char *library;              /* shared library path (relative to the program's folder) */
    char *symbol;               /* the function's symbol */
    char *gradient;             /* its derivative's symbol, or NULL */
    ir_ctype type;              /* C type of argument and result */
    ir_fn_role role;            /* activation, loss or metric */
    ir_fn_form form;            /* activation: scalar or vector */
    ir_names params;            /* activation: the names of its parameters, in call order */
    ir_fn_goal better;          /* metric: which way it improves */
} ir_function;

/* A whole program. */
typedef struct ir_program {
    char *file;                 /* file it was read from, for messages */
    char *dir;                  /* that file's folder: base of relative paths */
    char *source_name;          /* basename of the .dnn file the IR came from */
    ir_dataset *datasets;       /* every dataset declared */
    int n_datasets;
    ir_model *models;           /* every model declared */
    int n_models;
    ir_function *functions;     /* every user function declared */
    int n_functions;
    ir_train train;             /* the training recipe (when has_train) */
    bool has_train;             /* a train block was given */
} ir_program;

/* ---- attribute descriptions, shared by printer, reader, lowering, diff ---- */

typedef enum {
    IR_T_INT,    /* int */
    IR_T_FLOAT,  /* double */
    IR_T_BOOL,   /* bool */
    IR_T_ENUM,   /* int-sized enum, spelled through .table */
    IR_T_STR,    /* char *, may be NULL */
    IR_T_INT2,   /* ir_int2, written 5 or [5, 3] */
    IR_T_SHAPE,  /* ir_shape, written [28, 28] */
    IR_T_INIT,   /* ir_initializer, written glorot_uniform or random_normal(stddev=1) */
    IR_T_REG,    /* ir_regularizer, written none, l2(0.01), l1_l2(l1=0.01, l2=0.01) */
    IR_T_METRICS,/* unsigned bit set of ir_metric, and user metrics (ir_names at
                  * .fn_offset), written [accuracy, @f1] */
    IR_T_LABEL,  /* dataset label column: name string or index */
    IR_T_REF,    /* char * name of a model or dataset, written @name in the IR */
    IR_T_FNREF,  /* a built-in (int, through .table) or a user function (@name, char * at
                  * .fn_offset), with arguments (ir_fn_args at .args_offset) if that is set */
    IR_T_NAMES   /* ir_names, written [a, b] */
} ir_type;

typedef struct ir_attr_desc {
    const char *name;           /* spelling in .dnn and IR */
    int id;                     /* ir_nattr / ir_dattr / ir_tattr */
    ir_type type;               /* value type */
    size_t offset;              /* of the field in its struct */
    const ir_enum_table *table; /* IR_T_ENUM: vocabulary */
    unsigned applies;           /* bit set of ops / sources / optimisers it applies to */
    double min, max;            /* valid range for numbers (inclusive) */
    bool optimizer_param;       /* train: written inside optimizer = name(...) */
    size_t fn_offset;           /* IR_T_FNREF, IR_T_METRICS: the user functions' field */
    size_t args_offset;         /* IR_T_FNREF: the arguments' field (0: uses take none) */
} ir_attr_desc;

/* The attribute tables, sorted by name. */
extern const ir_attr_desc ir_node_attrs[];
extern const int ir_node_attr_count;
extern const ir_attr_desc ir_data_attrs[];
extern const int ir_data_attr_count;
extern const ir_attr_desc ir_train_attrs[];
extern const int ir_train_attr_count;
extern const ir_attr_desc ir_func_attrs[];
extern const int ir_func_attr_count;

/* Whether DESC applies to a node of kind OP / a dataset of source SRC / an optimiser. */
bool ir_attr_applies(const ir_attr_desc *desc, int kind);
/* The description of attribute NAME in TABLE, or NULL. */
const ir_attr_desc *ir_attr_find(const ir_attr_desc *table, int count, const char *name);
/* The description with identifier ID in TABLE. */
const ir_attr_desc *ir_attr_by_id(const ir_attr_desc *table, int count, int id);
/* Writes the value of DESC in OBJ in IR/.dnn syntax into BUF. */
void ir_attr_format(const ir_attr_desc *desc, const void *obj, char *buf, size_t size);
/* Writes a double so that strtod reads back the same value, shortest form. */
void ir_format_double(double v, char *buf, size_t size);
/* The name of the parameter of initialiser KIND ("stddev"), or NULL if none. */
const char *ir_init_param_name(ir_init kind);
/* The default parameter of initialiser KIND (Keras: stddev 0.05, ...). */
double ir_init_param_default(ir_init kind);

/* ---- construction and ownership ---- */

/* Every field cleared, then the defaults, as Keras has them. */
void ir_node_defaults(ir_node *n, ir_op op);
void ir_dataset_defaults(ir_dataset *d);
void ir_train_defaults(ir_train *t);
/* A function's defaults: double, an activation, scalar, higher is better. */
void ir_function_defaults(ir_function *f);
/* Optimiser parameters as Keras defaults them for KIND (learning_rate included). */
void ir_train_optimizer_defaults(ir_train *t, ir_opt kind);

/* Frees the strings of a names list / of arguments and empties it. */
void ir_names_clear(ir_names *l);
void ir_fn_args_clear(ir_fn_args *a);

ir_program *ir_program_new(const char *file);
void ir_program_free(ir_program *p);
/* Deep copy: passes rewrite copies, never the original. */
ir_program *ir_program_clone(const ir_program *p);

/* Lookups by name; NULL when absent. */
ir_model *ir_find_model(const ir_program *p, const char *name);
ir_dataset *ir_find_dataset(const ir_program *p, const char *name);
ir_function *ir_find_function(const ir_program *p, const char *name);
ir_node *ir_find_node(const ir_model *m, const char *name);
/* The model and dataset the train block names (NULL without one). */
ir_model *ir_train_model(const ir_program *p);
ir_dataset *ir_train_dataset(const ir_program *p);

/* Inserts a copy of NODE at position AT of M (names must stay unique: see ir_unique_name). */
ir_node *ir_model_insert(ir_model *m, int at, const ir_node *node);
/* Removes the node at position AT. */
void ir_model_remove(ir_model *m, int at);
/* A name not yet used in M: BASE, else BASE.2, BASE.3, ...; caller frees. */
char *ir_unique_name(const ir_model *m, const char *base);

/* ---- shapes and checking ---- */

/* Number of elements of a shape. */
long ir_shape_size(const ir_shape *s);
/* Writes "[28, 28]" into BUF. */
void ir_shape_format(const ir_shape *s, char *buf, size_t size);
/* Whether a node's activation is part of it (dense, conv2d, activation). */
bool ir_op_has_activation(ir_op op);
/* Whether a node carries trainable weights with initialisers (dense, conv2d). */
bool ir_op_has_weights(ir_op op);
/* The attribute a layer statement's positional value sets (dense 128: units),
 * or -1 when the kind takes none. */
int ir_op_positional_attr(ir_op op);

#endif
