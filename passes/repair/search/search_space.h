/* search_space.h: the study's hyperparameter search space (STUDY.md s. 2),
 * shared by the random and bohb strategies.
 *
 * A point is one choice per dimension: loss (13), optimiser (7), learning
 * rate (uniform on [1e-6, 10], linear), batch (16..512), epochs (the study's
 * m^k rule), and per weighted layer its activation (Keras's 11), kernel and
 * bias initialiser (13); per hidden dense layer its units (u/2, u, 2u) and
 * copies (0, 1, 2).  Faulty values missing from a list are added, so the
 * faulty program is a point of the space.
 *
 * Deviations from the study, all documented in doc/REPAIR.md: initialisers
 * take Keras's default parameters; a draw that cannot train on the data
 * (output width, sparse loss on values) is redrawn instead of trained and
 * charged; an optimiser that changes gets Keras's defaults plus the drawn
 * rate (the study sets only the rate and keeps the rest default too).
 */
#ifndef DNNC_SEARCH_SPACE_H
#define DNNC_SEARCH_SPACE_H

#include "repair.h"
#include "rng.h"

#define SP_MAX_DIMS 160
#define SP_MAX_CHOICES 16
/* The activation choice of a layer whose activation is a user function (a
 * value of its own: drawing linear must replace the function). */
#define SP_USER_FN (-1)

/* What one dimension sets. */
typedef enum {
    SP_LOSS, SP_OPTIMIZER, SP_LR, SP_BATCH, SP_EPOCHS,
    SP_ACT, SP_KERNEL_INIT, SP_BIAS_INIT, SP_UNITS, SP_COPIES
} sp_kind;

/* One dimension of the space. */
typedef struct sp_dim {
    sp_kind kind;                /* what it sets */
    int node;                    /* layer index in the faulty model (layer dimensions) */
    int n;                       /* number of choices (0: continuous, SP_LR) */
    int values[SP_MAX_CHOICES];  /* the choices (enum values, sizes, counts) */
    int faulty;                  /* index of the faulty program's choice */
} sp_dim;

/* The space around one faulty program. */
typedef struct sp_space {
    sp_dim dims[SP_MAX_DIMS];    /* its dimensions */
    int n;                       /* how many */
    double lr_faulty;            /* the faulty learning rate */
} sp_space;

/* A point of the space. */
typedef struct sp_point {
    int choice[SP_MAX_DIMS];     /* index into each dimension's values */
    double lr;                   /* the learning rate */
} sp_point;

/* Builds the space around S's faulty program (RNG draws the epoch factor m). */
void sp_build(const rp_session *s, rt_rng *rng, sp_space *sp);
/* The faulty program's point. */
void sp_faulty(const sp_space *sp, sp_point *pt);
/* A uniform draw. */
void sp_draw(const sp_space *sp, rt_rng *rng, sp_point *pt);
/* The changes turning the faulty program into PT; false when the program
 * would not fit the data. */
bool sp_changes(const rp_session *s, const sp_space *sp, const sp_point *pt, rp_changes *out);

#endif
