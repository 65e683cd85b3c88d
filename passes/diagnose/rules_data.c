/* rules_data.c: static rules on the inputs as the model will see them (the
 * loaded data's statistics after the program's preprocessing, data.h):
 * values in a raw range such as 0..255 pixels or, the other way, scaled far
 * too small (a scale meant for bytes applied to values 0..16), and, for
 * tabular data (one
 * feature per column, each in its own unit), features whose ranges differ by
 * orders of magnitude.  Both need the data; without it they do not run.
 *
 * The place suspected is the preprocessing a fix would set: `scale` for
 * images (one unit for every pixel), `standardize` for tabular data; for
 * inputs scaled too small, the `scale` that shrank them when the program
 * sets one.  Inputs far below 1 give first-layer weight gradients in
 * proportion (dL/dW = delta x^T), so that layer learns orders of magnitude
 * slower than the others; UMLAUT (Schoop et al., CHI 2021) checks input
 * normalisation, both ways here.
 */
#include "diagnose_int.h"

#include <math.h>

/* Inputs beyond this magnitude are far outside the range networks expect. */
#define DX_RAW_MAGNITUDE 50.0
/* Inputs whose largest magnitude is below this are scaled far too small. */
#define DX_TINY_MAGNITUDE 0.1
/* Largest / smallest per-feature range beyond which features need rescaling. */
#define DX_RANGE_RATIO 100.0

/* Whether samples are tabular (a vector of separately measured features). */
static bool tabular(const dx_facts *f)
{
    return f->data->shape.rank == 1 && f->dataset->source != IR_SRC_IDX;
}

/* Whether the program already normalises each feature. */
static bool per_feature(const ir_dataset *d)
{
    return d->standardize || d->minmax;
}

int dx_rule_unscaled_input(pass_ctx *ctx)
{
    const dx_facts *f = ctx->facts;
    if (!f->dataset)
        return 0;
    const rt_raw_stats *x = &f->data->prep;
    double magnitude = fmax(fabs(x->min), fabs(x->max));
    if (magnitude <= DX_RAW_MAGNITUDE)
        return 0;
    double score = 0.5 + 0.1 * log10(magnitude / DX_RAW_MAGNITUDE);
    if (x->integer_valued)
        score += 0.1;   /* raw counts or pixel levels */
    bool tab = tabular(f);
    suspect *s = dx_find(ctx->found, "unscaled-input", score > 0.85 ? 0.85 : score,
                         DX_R(PREPROCESSING),
                         "inputs reach the model unscaled, in [%g, %g]%s", x->min, x->max,
                         tab ? "" : ": scale them to about [0, 1]");
    dx_at_data(s, f->dataset, tab ? IR_DATTR_STANDARDIZE : IR_DATTR_SCALE);
    dx_evidence(s, "input range [%g, %g], mean %.3g, sd %.3g%s; scale=%g", x->min, x->max,
                x->mean, x->stddev, x->integer_valued ? ", integer-valued" : "",
                f->dataset->scale);
    return 1;
}

int dx_rule_feature_scales(pass_ctx *ctx)
{
    const dx_facts *f = ctx->facts;
    if (!f->dataset || !tabular(f) || per_feature(f->dataset))
        return 0;
    double ratio = f->data->prep.feature_range_ratio;
    if (ratio <= DX_RANGE_RATIO)
        return 0;
    double score = 0.45 + 0.1 * log10(ratio / DX_RANGE_RATIO);
    suspect *s = dx_find(ctx->found, "feature-scales", score > 0.8 ? 0.8 : score,
                         DX_R(PREPROCESSING),
                         "feature ranges differ %.3gx: the widest features swamp the others",
                         ratio);
    dx_at_data(s, f->dataset, IR_DATTR_STANDARDIZE);
    dx_evidence(s, "largest / smallest per-feature range %.3g over %d features, "
                "%d constant; standardize=false", ratio, f->data->in_size,
                f->data->prep.constant_features);
    return 1;
}

int dx_rule_tiny_input(pass_ctx *ctx)
{
    const dx_facts *f = ctx->facts;
    if (!f->dataset)
        return 0;
    const rt_raw_stats *x = &f->data->prep;
    double magnitude = fmax(fabs(x->min), fabs(x->max));
    if (!(magnitude < DX_TINY_MAGNITUDE))
        return 0;
    double score = magnitude > 0 ? 0.45 + 0.15 * log10(DX_TINY_MAGNITUDE / magnitude) : 0.8;
    const ir_dataset *d = f->dataset;
    bool shrunk = d->scale != 1.0 && fabs(d->scale) < 1.0;
    ir_dattr at = shrunk || !tabular(f) ? IR_DATTR_SCALE : IR_DATTR_STANDARDIZE;
    suspect *s = dx_find(ctx->found, "input-too-small", score > 0.8 ? 0.8 : score,
                         DX_R(PREPROCESSING),
                         "inputs reach the model scaled far too small, within [%g, %g]%s",
                         x->min, x->max,
                         shrunk ? ": the scale shrinks them below the range networks expect" : "");
    dx_at_data(s, d, at);
    dx_evidence(s, "input range [%g, %g] after preprocessing (raw [%g, %g]), largest magnitude "
                "%.3g < %g; scale=%g", x->min, x->max, f->data->raw.min, f->data->raw.max,
                magnitude, DX_TINY_MAGNITUDE, d->scale);
    return 1;
}
