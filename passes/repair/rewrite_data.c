/* rewrite_data.c: the preprocessing repair pass.
 *
 * change_preprocessing uses what the loader measured on the raw training
 * inputs (rp_facts): inputs far outside [-1, 1] get a scale that brings them
 * there (1/255 for bytes), standardisation or min-max; features of very
 * different ranges favour standardisation; inputs the program's own scale
 * squeezed to almost nothing get their scale back to 1.
 */
#include <math.h>
#include <stdio.h>

#include "rewrite.h"

void rp_pass_preprocessing(const rp_ctx *ctx, rp_edits *out)
{
    const ir_dataset *d = ir_train_dataset(ctx->prog);
    if (!d)
        return;
    const rp_facts *f = &ctx->facts;
    double raw = fmax(fabs(f->raw_min), fabs(f->raw_max));
    double prep = fmax(fabs(f->prep_min), fabs(f->prep_max));
    bool large = prep > 4;                  /* what the model sees is far from unit scale */
    bool tiny = prep > 0 && prep < 0.02;    /* ... or squeezed to almost nothing */
    bool uneven = f->range_ratio > 50;
    char reason[200];
    if (d->scale == 1 && raw > 1) {
        double s = raw <= 255 && raw > 128 ? 1.0 / 255 : 1.0 / raw;
        snprintf(reason, sizeof reason, "inputs reach %g: scale them by %g", raw, s);
        rp_change c = rp_set_data(ctx->prog, d, IR_DATTR_SCALE, &s, REPAIR_PREPROCESSING, reason);
        rp_emit1(ctx, out, &c, large ? 0.6 : 0.1);
    }
    if (d->scale != 1 && tiny) {
        double s = 1;
        snprintf(reason, sizeof reason, "scale %g squeezes the inputs to %g", d->scale, prep);
        rp_change c = rp_set_data(ctx->prog, d, IR_DATTR_SCALE, &s, REPAIR_PREPROCESSING, reason);
        rp_emit1(ctx, out, &c, 0.5);
    }
    bool yes = true;
    if (!d->standardize) {
        snprintf(reason, sizeof reason, "standardise each feature (inputs span %g..%g)", f->prep_min, f->prep_max);
        rp_change c = rp_set_data(ctx->prog, d, IR_DATTR_STANDARDIZE, &yes, REPAIR_PREPROCESSING, reason);
        rp_emit1(ctx, out, &c, uneven || large ? 0.55 : tiny ? 0.4 : 0.1);
    }
    if (!d->minmax && !d->standardize) {
        snprintf(reason, sizeof reason, "map each feature to [0, 1] (inputs span %g..%g)", f->prep_min, f->prep_max);
        rp_change c = rp_set_data(ctx->prog, d, IR_DATTR_MINMAX, &yes, REPAIR_PREPROCESSING, reason);
        rp_emit1(ctx, out, &c, uneven || large ? 0.4 : 0.08);
    }
}
