/* golden_passes.c: the golden output of one repair pass on one program, for
 * tests/repair/golden_passes.sh.
 *
 *   golden_passes FILE PASS
 *
 * Compiles FILE (.dnn or IR text), loads its data, runs the repair pass
 * PASS (a REPAIR_CLASSES name) and prints, for every edit it proposes, in
 * order: the changes (rp_change_describe), the IR diff of the program
 * before and after, and, for a .dnn input, the unified diff of the source
 * the patcher writes (patch.c).  The output is a pure function of FILE and
 * PASS, so the test compares it with an expected file: an IR in, the pass,
 * the IR out and the source diff.  Exit 0, or 1 when FILE does not compile,
 * its data does not load, PASS is unknown, or an edit cannot be patched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "change.h"
#include "irdiff.h"
#include "ir_text.h"
#include "patch.h"
#include "rewrite.h"
#include "source.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: golden_passes FILE PASS\n");
        return 1;
    }
    const char *path = argv[1], *pass = argv[2];
    const rp_pass *rp = NULL;
    for (int c = 0; c < REPAIR_CLASS_COUNT; c++)
        if (strcmp(rp_passes[c].name, pass) == 0)
            rp = &rp_passes[c];
    if (!rp) {
        fprintf(stderr, "golden_passes: unknown pass '%s'\n", pass);
        return 1;
    }
    char err[512];
    long size;
    char *text = dnnc_read_file(path, &size, err, sizeof err);
    if (!text) {
        fprintf(stderr, "golden_passes: %s\n", err);
        return 1;
    }
    ir_program *base = dnnc_compile_text(path, text, true);
    if (!base) {
        free(text);
        return 1;
    }
    rt_data *data = rt_data_load(base, ir_train_dataset(base), 1, -1, err, sizeof err);
    if (!data) {
        fprintf(stderr, "golden_passes: %s\n", err);
        ir_program_free(base);
        free(text);
        return 1;
    }
    bool is_ir = ir_text_is_ir(text, size);
    rp_ctx ctx = {base, {0}};
    rp_facts_from_data(data, &ctx.facts);
    rp_edits edits = {0};
    rp->run(&ctx, &edits);
    int status = 0;
    printf("pass %s on %s: %d edits\n", pass, base->source_name, edits.n);
    for (int i = 0; i < edits.n; i++) {
        const rp_changes *cs = &edits.items[i].changes;
        printf("\n== edit %d (prior %.3g)\n", i + 1, edits.items[i].prior);
        for (int k = 0; k < cs->n; k++) {
            char what[400];
            rp_change_describe(&cs->items[k], what, sizeof what);
            printf("change: %s\n", what);
        }
        ir_program *fixed = rp_apply_all(base, cs, pass);
        if (!fixed) {
            printf("(the changes do not apply)\n");
            status = 1;
            continue;
        }
        char *ir_diff = rp_ir_diff(base, fixed);
        printf("-- IR\n%s", ir_diff);
        free(ir_diff);
        if (!is_ir) {
            char *patched = rp_patch_source(text, base, fixed, cs, err, sizeof err);
            if (patched) {
                char *src_diff = rp_unified_diff(text, patched, "a/source", "b/source", 1);
                printf("-- source\n%s", src_diff);
                free(src_diff);
                free(patched);
            } else {
                printf("-- source: no patch: %s\n", err);
                status = 1;
            }
        }
        ir_program_free(fixed);
    }
    rp_edits_free(&edits);
    rt_data_free(data);
    ir_program_free(base);
    free(text);
    return status;
}
