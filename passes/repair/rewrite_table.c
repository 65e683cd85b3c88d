/* rewrite_table.c: the repair passes as rows of the pass table (pass.h).
 *
 * pass_run_kind(PASS_REPAIR, ctx) runs every repair pass on ctx->prog with
 * ctx->data; ctx->state must point to an rp_edits, which receives the
 * verified edits (rewrite.h).  Each row's function returns how many edits
 * its pass proposed.
 */
#include "pass.h"
#include "rewrite.h"

static int run_class(pass_ctx *ctx, repair_class cls)
{
    rp_ctx rc = {ctx->prog, {0}};
    if (ctx->data)
        rp_facts_from_data(ctx->data, &rc.facts);
    rp_edits *out = ctx->state;
    if (!out)
        return -1;
    int before = out->n;
    rp_passes[cls].run(&rc, out);
    return out->n - before;
}

#define RP_X_TABLE(id, name) \
    int rp_table_##name(pass_ctx *ctx) { return run_class(ctx, REPAIR_##id); }
REPAIR_CLASSES(RP_X_TABLE)
