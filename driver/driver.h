/* driver.h: the command-line options every mode of dnnc shares, and the modes.
 *
 * driver/driver.c parses the command line into a dnnc_options, reads the
 * program (a .dnn source or an IR file) and calls one mode function.  Each mode
 * lives in its own file here in driver/ (mode_train.c, mode_diagnose.c,
 * mode_repair.c, mode_mutate.c), the only layer that sees the command line,
 * and returns the exit status: 0 ok, 1 user error, 2 internal error.
 */
#ifndef DNNC_DRIVER_H
#define DNNC_DRIVER_H

#define DNNC_STR_(x) #x
#define DNNC_STR(x) DNNC_STR_(x)   /* a macro's value as a string literal */

#include <stdbool.h>

#include "ir.h"

typedef enum {
    DNNC_MODE_CHECK, DNNC_MODE_EMIT_IR, DNNC_MODE_TRAIN, DNNC_MODE_EVAL,
    DNNC_MODE_DIAGNOSE, DNNC_MODE_REPAIR, DNNC_MODE_MUTATE
} dnnc_mode;

typedef struct dnnc_options {
    dnnc_mode mode;          /* what to do */
    const char *input;       /* program file (.dnn or IR) */
    const char *output;      /* -o: where the mode writes its main output, or NULL */
    bool json;               /* --json: machine-readable result on stdout */
    bool quiet;              /* --quiet: no progress display */
    int threads;             /* --threads N (0 = all cores) */
    int jobs;                /* --jobs N (repair): trainings at once (0 = the cores --threads gives) */
    int epochs;              /* --epochs N override (-1 = the program's) */
    long seed;               /* --seed N override (-1 = the program's) */
    const char *save;        /* --save FILE: trained weights (safetensors) */
    const char *load;        /* --load FILE: weights to evaluate */
    bool static_only;        /* --static: diagnosis without training */
    bool allow_extern;       /* --allow-extern or DNNC_ALLOW_EXTERN=1: load the libraries of function blocks */
    const char *strategy;    /* --strategy NAME (repair) */
    const char *budget;      /* --budget 20x | 300s (repair) */
    const char *probe_budget;/* --probe-budget N (diagnose): the probes' work in multiply-adds (0: none) */
    int trials;              /* --trials N (repair, 0 = by budget) */
    int runs;                /* --runs R (repair validation, default 5, at most DNNC_MAX_RUNS) */
    int fixes;               /* --fixes K (repair, default 3) */
    const char *reference;   /* --reference FILE (repair): a known fix of the program, for improvement rates */
    const char *journal;     /* --journal FILE (repair): record finished trainings (default: -o's path + .journal) */
    const char *resume;      /* --resume FILE (repair): replay a journal's trainings and continue it */
    const char *mutate_op;   /* --mutate OP */
    const char *mutate_args; /* --mutate-args, operator parameters */
} dnnc_options;

/* The source text of the program being compiled (for patches and carets). */
typedef struct dnnc_source {
    const char *path;        /* as given on the command line */
    const char *text;        /* whole file, NUL-terminated */
    long size;               /* bytes */
    bool is_ir;              /* the file is IR text, not .dnn */
} dnnc_source;

/* Modes beyond check/emit-ir; each returns the exit status. */
int dnnc_mode_train(const ir_program *p, const dnnc_source *src, const dnnc_options *o);
int dnnc_mode_diagnose(const ir_program *p, const dnnc_source *src, const dnnc_options *o);
int dnnc_mode_repair(const ir_program *p, const dnnc_source *src, const dnnc_options *o);
int dnnc_mode_mutate(const ir_program *p, const dnnc_source *src, const dnnc_options *o);

#endif
