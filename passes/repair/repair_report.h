/* repair_report.h: what `dnnc --repair` prints.
 *
 * Text: the baseline, then each fix, best first: metric before and after
 * (mean +- sd over R runs), p, A12, the improvement, the changes with their
 * reasons, a unified IR diff and a unified diff of the .dnn source; then the
 * budget used and the trainings run.  --json: one object with "baseline",
 * "fixes", "budget_used", "trainings" (and a little more), through json-c.
 */
#ifndef DNNC_REPAIR_REPORT_H
#define DNNC_REPAIR_REPORT_H

#include <stdio.h>

#include "repair.h"

/* A fix ready to print: the figures and the two diffs. */
typedef struct rp_report_fix {
    const rp_fix *fix;      /* the validated fix */
    char *ir_diff;          /* unified IR diff (owned) */
    char *source_diff;      /* unified .dnn diff, or the IR diff for IR input (owned) */
    char *patched;          /* the repaired source (owned) */
} rp_report_fix;

void rp_report_text(FILE *out, const rp_session *s, const rp_report_fix *fixes, int n);
void rp_report_json(FILE *out, const rp_session *s, const rp_report_fix *fixes, int n);

#endif
