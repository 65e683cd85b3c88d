/* minimize.h: the smallest patch.
 *
 * A validated fix with several changes is minimised by delta debugging (the
 * one-change-at-a-time form of ddmin): each change in turn is dropped, the
 * rest is trained R times, and the drop is kept when the smaller fix is
 * still significantly better than the faulty program (one-sided
 * Mann-Whitney p < 0.05, positive mean gain, validation split) and not
 * significantly worse than the fix it came from.  After a kept drop the
 * scan starts again; it ends when no single change can go; a drop the
 * budget cannot pay R runs for is not tried.  A change that another depends on
 * (a layer inserted after an inserted layer) is never dropped alone.
 */
#ifndef DNNC_MINIMIZE_H
#define DNNC_MINIMIZE_H

#include <stdbool.h>

#include "repair.h"

/* Decides whether the candidate runs are still an acceptable fix. */
typedef bool (*rp_keep_fn)(const rp_runs *candidate, const rp_runs *current, void *ctx);
/* Trains a change list R times. */
typedef void (*rp_train_fn)(const rp_changes *changes, rp_runs *out, void *ctx);
/* Whether R runs of CANDIDATE fit the budget. */
typedef bool (*rp_afford_fn)(const rp_changes *candidate, void *ctx);

/* Minimises *CHANGES (whose runs are *RUNS) in place; returns the number of
 * changes dropped.  The callbacks make it testable without training. */
int rp_minimize(rp_changes *changes, rp_runs *runs, rp_train_fn train, rp_keep_fn keep, rp_afford_fn afford,
                void *ctx);

/* The session's callbacks: trains with rp_run_seeds, keeps by the rule above,
 * affords while the budget lasts. */
int rp_minimize_fix(rp_session *s, rp_fix *fix);

#endif
