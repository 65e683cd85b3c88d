/* pass.c: the pass table built from the PASSES list, and the function that
 * runs the passes of one kind in order (see pass.h). */
#include "pass.h"

#include <string.h>

#define PASS_X_ROW(name, kind, flags, fn, summary) {name, kind, flags, fn, summary},
const pass_info pass_table[] = {PASSES(PASS_X_ROW)};
const int pass_count = (int)(sizeof pass_table / sizeof pass_table[0]);

const pass_info *pass_find(const char *name)
{
    for (int i = 0; i < pass_count; i++)
        if (strcmp(pass_table[i].name, name) == 0)
            return &pass_table[i];
    return NULL;
}

int pass_run_kind(pass_kind kind, pass_ctx *ctx)
{
    int total = 0;
    bool failed = false;
    for (int i = 0; i < pass_count; i++) {
        const pass_info *ps = &pass_table[i];
        if (ps->kind != kind || ((ps->flags & PASS_NEEDS_DATA) && !ctx->data))
            continue;
        int r = ps->run(ctx);
        if (r < 0)
            failed = true;
        else
            total += r;
    }
    return failed ? -1 : total;
}
