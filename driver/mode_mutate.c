/* mode_mutate.c: `dnnc --mutate OP [--mutate-args k=v,...] FILE [-o OUT]`.
 *
 * Writes a faulty variant of the program made by one mutation operator
 * (mutate.h): the user's source with one small edit (through the source
 * patcher), or the mutated IR for IR input, to OUT or stdout.  The change is
 * described on stderr; --json prints the operator, the changes and both
 * diffs instead, and then needs -o for the mutant itself.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "irdiff.h"
#include "ir_text.h"
#include "mutate.h"
#include "patch.h"

int dnnc_mode_mutate(const ir_program *p, const dnnc_source *src, const dnnc_options *o)
{
    char err[512];
    rp_changes cs;
    if (!rp_mutate(p, o->mutate_op, o->mutate_args, &cs, err, sizeof err)) {
        fprintf(stderr, "dnnc: error: %s\n", err);
        return 1;
    }
    ir_program *q = rp_apply_all(p, &cs, o->mutate_op);
    if (!q) {
        rp_changes_free(&cs);
        return 2;
    }
    char *text = src->is_ir ? ir_print_string(q) : rp_patch_source(src->text, p, q, &cs, err, sizeof err);
    int status = 0;
    if (!text) {
        fprintf(stderr, "dnnc: internal error: %s\n", err);
        status = 2;
    }
    char a[300], b[300];
    snprintf(a, sizeof a, "a/%s", p->source_name);
    snprintf(b, sizeof b, "b/%s", p->source_name);
    char *ir_diff = rp_ir_diff(p, q);
    char *src_diff = text && !src->is_ir ? rp_unified_diff(src->text, text, a, b, 3) : ir_strdup(ir_diff);
    if (text && o->output) {
        FILE *f = fopen(o->output, "w");
        if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
            fprintf(stderr, "dnnc: error: cannot write '%s': %s\n", o->output, strerror(errno));
            status = 1;
        }
    } else if (text && !o->json) {
        fputs(text, stdout);
    }
    if (o->json) {
        json_object *root = json_object_new_object();
        json_object_object_add(root, "operator", json_object_new_string(o->mutate_op));
        json_object *arr = json_object_new_array();
        for (int i = 0; i < cs.n; i++) {
            const rp_change *c = &cs.items[i];
            json_object *co = json_object_new_object();
            json_object_object_add(co, "line", json_object_new_int(c->line));
            json_object_object_add(co, "node", json_object_new_string(c->target == SUSPECT_TRAIN ? "train" : c->node));
            json_object_object_add(co, "attribute", json_object_new_string(c->attribute));
            json_object_object_add(co, "before", json_object_new_string(c->before));
            json_object_object_add(co, "after", json_object_new_string(c->after));
            json_object_array_add(arr, co);
        }
        json_object_object_add(root, "changes", arr);
        json_object_object_add(root, "ir_diff", json_object_new_string(ir_diff));
        json_object_object_add(root, "source_diff", json_object_new_string(src_diff));
        if (o->output)
            json_object_object_add(root, "output", json_object_new_string(o->output));
        printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(root);
    } else if (!o->quiet) {
        for (int i = 0; i < cs.n; i++) {
            char line[700];
            rp_change_describe(&cs.items[i], line, sizeof line);
            fprintf(stderr, "dnnc: mutate: %s\n", line);
        }
    }
    free(ir_diff);
    free(src_diff);
    free(text);
    ir_program_free(q);
    rp_changes_free(&cs);
    return status;
}
