/* rewrite_passes.h: the repair pass functions, for the table in rewrite.c.
 * Each appends its verified edits to OUT (see rewrite.h). */
#ifndef DNNC_REWRITE_PASSES_H
#define DNNC_REWRITE_PASSES_H

#include "rewrite.h"

/* rewrite_act.c */
void rp_pass_activation(const rp_ctx *ctx, rp_edits *out);
void rp_pass_output_activation(const rp_ctx *ctx, rp_edits *out);
void rp_pass_loss(const rp_ctx *ctx, rp_edits *out);
/* rewrite_recipe.c */
void rp_pass_optimizer(const rp_ctx *ctx, rp_edits *out);
void rp_pass_learning_rate(const rp_ctx *ctx, rp_edits *out);
void rp_pass_batch(const rp_ctx *ctx, rp_edits *out);
void rp_pass_epochs(const rp_ctx *ctx, rp_edits *out);
void rp_pass_clipping(const rp_ctx *ctx, rp_edits *out);
/* rewrite_arch.c */
void rp_pass_units(const rp_ctx *ctx, rp_edits *out);
void rp_pass_output_units(const rp_ctx *ctx, rp_edits *out);
void rp_pass_add_layer(const rp_ctx *ctx, rp_edits *out);
void rp_pass_remove_layer(const rp_ctx *ctx, rp_edits *out);
void rp_pass_batchnorm(const rp_ctx *ctx, rp_edits *out);
void rp_pass_dropout(const rp_ctx *ctx, rp_edits *out);
/* rewrite_weights.c */
void rp_pass_init(const rp_ctx *ctx, rp_edits *out);
void rp_pass_regularizer(const rp_ctx *ctx, rp_edits *out);
/* rewrite_data.c */
void rp_pass_preprocessing(const rp_ctx *ctx, rp_edits *out);

#endif
