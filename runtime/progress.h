/* progress.h: what a training run shows while it runs.
 *
 * On a terminal, a one-line bar on stderr (batches done, running loss,
 * samples/s, ETA) redrawn at most ten times a second; each finished epoch is
 * then written as a plain line to the log stream (which may be stdout or
 * stderr), the bar erased first.  Without a terminal only the epoch lines are
 * written.  No output at all when both are off.
 */
#ifndef DNNC_RT_PROGRESS_H
#define DNNC_RT_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

#include "result.h"

typedef struct rt_progress {
    bool bar;               /* draw the bar (stderr is a terminal and asked for) */
    bool drawn;             /* a bar is on screen now */
    FILE *log;              /* epoch lines go here (NULL = none) */
    int epochs;             /* epochs planned */
    int batches;            /* batches per epoch */
    double epoch_start;     /* time the epoch started (rt_now) */
    double last_draw;       /* time of the last redraw */
    bool classification;    /* metric name: accuracy or mae */
    int n_user;             /* user metrics in the epoch lines (validation only) */
    const char *const *user_names; /* their names */
} rt_progress;

/* Seconds on a monotonic clock. */
double rt_now(void);

/* Sets P up: a bar when WANT_BAR and stderr is a terminal, epoch lines to LOG. */
void rt_progress_init(rt_progress *p, bool want_bar, FILE *log, int epochs, int batches,
                      bool classification);
/* Marks the start of an epoch. */
void rt_progress_epoch_start(rt_progress *p);
/* After batch DONE (1-based) of EPOCH with running LOSS over SAMPLES samples. */
void rt_progress_batch(rt_progress *p, int epoch, int done, double loss, long samples);
/* After EPOCH (0-based), whose metrics are E; HAS_VAL says whether the val_ ones are set. */
void rt_progress_epoch_end(rt_progress *p, int epoch, const rt_epoch *e, bool has_val);

#endif
