/* repair_suspects.h: the suspect ranking repair starts from.
 *
 * Repair consumes diagnosis's ranked suspect list (suspect.h), from
 * dx_diagnose (diagnose.h) in-process.  When that fails or finds nothing,
 * this stand-in ranks suspects with a handful of static rules over the IR and
 * the loaded data's statistics, plus what the faulty program's own baseline
 * trainings showed (divergence, no learning).  It fills the same contract.
 */
#ifndef DNNC_REPAIR_SUSPECTS_H
#define DNNC_REPAIR_SUSPECTS_H

#include "rewrite.h"
#include "suspect.h"

/* What the baseline trainings of the faulty program showed. */
typedef struct rp_baseline_signs {
    bool diverged;          /* some run's loss became NaN or infinite */
    bool no_learning;       /* the metric stayed at chance (or the loss did not fall) */
    bool failed;            /* the program did not train at all (data mismatch) */
} rp_baseline_signs;

/* Appends ranked suspects for P (data FACTS, baseline SIGNS) to OUT. */
void rp_rank_suspects(const ir_program *p, const rp_facts *facts, const rp_baseline_signs *signs,
                      suspect_list *out);

/* Adds one suspect (ranks are assigned by rp_rank_suspects). */
void rp_suspect_add(suspect_list *l, suspect_target target, const char *node, const char *attribute,
                    int line, int col, const char *rule, double score, unsigned repairs,
                    const char *message);

#endif
