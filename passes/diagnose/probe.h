/* probe.h: causal probing, the third stage of the diagnosis.
 *
 * A rule can only name what someone thought of.  Probing tests the program's
 * attributes by intervention: for every place the repair passes (rewrite.h)
 * can edit (each layer attribute, the recipe, the dataset's preprocessing,
 * a layer to insert or remove), the edit its pass rates likeliest is trained
 * once, short (the lowest fidelity the repair's successive halving uses,
 * probe_fraction), and compared with the faulty program trained at the same
 * fidelity with the same seeds.  An edit whose gain exceeds twice the
 * faulty program's own seed-to-seed spread becomes a finding of kind
 * SUSPECT_PROBE at its place, scored by the share of the headroom it
 * recovered; ranking merges it with the rules' and symptoms' findings.
 *
 * Places already suspected are probed first, then the rest by their edit's
 * prior, within a work budget in estimated multiply-adds (dx_options.
 * probe_budget, diagnose_work.c's estimate); what the budget leaves out is
 * counted.  Probing runs only when something is amiss (a finding or a
 * symptom): a program that trains well and breaks no rule has nothing to
 * explain.  Trainings go through a dx_trainer: in-process on the loaded data
 * by default; repair supplies one that trains through its own session, so
 * the probes land in its log and its halving reuses them instead of
 * training them again.
 */
#ifndef DNNC_PROBE_H
#define DNNC_PROBE_H

#include <stdbool.h>

#include "change.h"
#include "data.h"
#include "ir.h"
#include "suspect.h"

/* How probes train: the program changed by EDIT (n = 0: as written) at
 * FRACTION of its training with probe seed SEED_INDEX (0, 1, ...).  Returns
 * false when it may not train it (a budget); otherwise *SCORE gets its
 * score, higher is better (accuracy, or the negated mean absolute error),
 * -INFINITY when it did not train. */
typedef struct dx_trainer {
    bool (*train)(void *ctx, const rp_changes *edit, double fraction, int seed_index,
                  double *score);
    void *ctx;              /* passed to train */
} dx_trainer;

/* What probing did, for the report. */
typedef struct dx_probe_summary {
    bool ran;               /* probing happened */
    double fraction;        /* share of each program's training a probe trained */
    int places;             /* places with an edit */
    int probed;             /* places probed */
    int skipped;            /* places the work budget left out */
    int helped;             /* probes that became findings */
    long trainings;         /* trainings run, the faulty program's included */
    double work;            /* their estimated multiply-adds */
    double seconds;         /* measured wall-clock seconds (not in reports) */
    double faulty_score;    /* the faulty program's mean score at that fraction */
    double faulty_spread;   /* its seed-to-seed standard deviation */
} dx_probe_summary;

/* The lowest fidelity of the repair's halving for P trained on N_TRAIN
 * samples: 1/9 of the training when it has 90 batches or more, 1/3 from 12,
 * else all of it. */
double dx_probe_fraction(const ir_program *p, long n_train);

/* Probes P (trained on DATA) within BUDGET estimated multiply-adds (0: no
 * probing) through TRAINER (NULL: in-process on DATA with seeds from SEED,
 * THREADS maths threads); the places of FOUND (findings so far) first.
 * Appends its findings to FOUND and fills SUMMARY. */
void dx_probe(const ir_program *p, const rt_data *data, const dx_trainer *trainer, long seed,
              int threads, double budget, suspect_list *found, dx_probe_summary *summary);

#endif
