/* change.h: change records, the unit of every repair.
 *
 * A change says what a repair did to one place of a program: set an
 * attribute of a layer, of the train block or of a dataset, insert a layer
 * after another, or remove one.  It carries the value before and after (in
 * IR/.dnn syntax), the source location it touches, the repair class that made
 * it and why.  A repair candidate is a list of changes; applying the list to
 * a clone of the faulty program gives the candidate program.  The same record
 * drives the IR diff, the source patcher (patch.h) and the report.
 */
#ifndef DNNC_CHANGE_H
#define DNNC_CHANGE_H

#include <stdbool.h>

#include "ir.h"
#include "suspect.h"

/* What a change does. */
typedef enum {
    RP_SET,     /* set one attribute to a new value */
    RP_INSERT,  /* insert a layer after another */
    RP_REMOVE   /* remove a layer */
} rp_op;

/* A new attribute value, stored with the attribute's own C type. */
typedef union rp_value {
    int i;                 /* IR_T_INT, IR_T_ENUM */
    double f;              /* IR_T_FLOAT */
    bool b;                /* IR_T_BOOL */
    ir_int2 i2;            /* IR_T_INT2 */
    ir_initializer init;   /* IR_T_INIT */
    ir_regularizer reg;    /* IR_T_REG */
    unsigned set;          /* IR_T_METRICS */
} rp_value;

#define RP_NAME_MAX 128
#define RP_TEXT_MAX 160

typedef struct rp_change {
    rp_op op;                  /* set, insert or remove */
    suspect_target target;     /* a layer, the train block or a dataset */
    repair_class cls;          /* the repair class that made it */
    char node[RP_NAME_MAX];    /* layer (insert: the new layer), dataset name, or "" for train */
    char anchor[RP_NAME_MAX];  /* insert: the layer the new one follows */
    char attribute[40];        /* set: attribute name ("optimizer" resets its parameters);
                                  insert/remove: "layer" */
    rp_value value;            /* set: the new value */
    char function[RP_NAME_MAX];/* set of an activation: the user function it becomes ("" for value's built-in) */
    ir_node layer;             /* insert: the new layer (its name field is unused) */
    char before[RP_TEXT_MAX];  /* old value in IR syntax (insert: "", remove: the layer) */
    char after[RP_TEXT_MAX];   /* new value in IR syntax (remove: "") */
    int line, col;             /* source location it touches (0: none known) */
    char reason[256];          /* why: the suspect or symptom behind it */
} rp_change;

/* An ordered list of changes. */
typedef struct rp_changes {
    rp_change *items;          /* the changes, applied in order */
    int n, cap;                /* count and capacity */
} rp_changes;

void rp_changes_push(rp_changes *l, const rp_change *c);
void rp_changes_free(rp_changes *l);
/* A deep copy of SRC into DST (DST is overwritten, not freed). */
void rp_changes_copy(rp_changes *dst, const rp_changes *src);
/* Appends every change of SRC to DST. */
void rp_changes_append(rp_changes *dst, const rp_changes *src);
/* Whether two changes touch the same attribute or layer position. */
bool rp_change_conflicts(const rp_change *a, const rp_change *b);
/* Number of attributes a list changes (an inserted or removed layer counts 1). */
int rp_changes_count_attrs(const rp_changes *l);

/* ---- building changes against a base program P ---- */

/* Sets attribute ID (ir_nattr) of layer NODE to *VALUE (a pointer to the
 * field's C type).  Fills before/after/location. */
rp_change rp_set_node(const ir_program *p, const ir_node *node, int id, const void *value,
                      repair_class cls, const char *reason);
/* Sets layer NODE's activation to user function FN (declared in P, with no
 * parameters). */
rp_change rp_set_node_function(const ir_program *p, const ir_node *node, const char *fn, repair_class cls,
                               const char *reason);
/* Sets train attribute ID (ir_tattr); for IR_TATTR_OPTIMIZER, VALUE is an int
 * kind and applying it resets the optimiser's parameters to Keras's defaults
 * (clipping kept). */
rp_change rp_set_train(const ir_program *p, int id, const void *value, repair_class cls,
                       const char *reason);
/* Sets dataset attribute ID (ir_dattr) of dataset D. */
rp_change rp_set_data(const ir_program *p, const ir_dataset *d, int id, const void *value,
                      repair_class cls, const char *reason);
/* Inserts LAYER, named NAME, after layer ANCHOR of the train model. */
rp_change rp_insert_after(const ir_program *p, const ir_node *anchor, const char *name,
                          const ir_node *layer, repair_class cls, const char *reason);
/* Removes layer NODE of the train model. */
rp_change rp_remove(const ir_program *p, const ir_node *node, repair_class cls,
                    const char *reason);

/* ---- applying ---- */

/* Applies C to P in place; returns false (and writes ERR) when its target is
 * missing.  Shapes are not re-inferred: rp_apply_all verifies. */
bool rp_apply(ir_program *p, const rp_change *c, char *err, size_t errsize);
/* A verified clone of BASE with every change of L applied, or NULL when a
 * change does not apply or the result fails ir_verify_pass_result (reported
 * under PASS_NAME). */
ir_program *rp_apply_all(const ir_program *base, const rp_changes *l, const char *pass_name);

/* Writes T's optimiser as a call: "adam(learning_rate=0.001)", listing the
 * parameters that differ from the kind's defaults and always learning_rate.
 * SPACED puts " = " and ", " between the parts, as .dnn sources are written. */
void rp_format_optimizer(const ir_train *t, bool spaced, char *buf, size_t size);

/* V times FACTOR, rounded to 12 significant digits: a patch should say
 * 0.045 for 0.45 x 0.1, not the 0.045000000000000005 of binary floating point. */
double rp_scaled(double v, double factor);

/* One line per change: "line 12: fc1.activation: sigmoid -> relu (reason)". */
void rp_change_describe(const rp_change *c, char *buf, size_t size);

#endif
