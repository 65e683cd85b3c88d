/* patch.h: applying repairs to the user's own .dnn source.
 *
 * The IR keeps the byte span of every statement and attribute value, so a
 * change becomes a small text edit that leaves the rest of the file alone
 * (formatting, alignment, comments):
 *   - a value written in the source is replaced in place (positional ones too:
 *     "dense 8" -> "dense 16");
 *   - a layer attribute not written gets ", key = value" at the end of the
 *     layer's statement;
 *   - a train or dataset attribute not written gets "key = value" on a new
 *     line before the block's closing brace, indented like the block's entries;
 *   - an optimiser whose kind changes, or that gains a parameter, has its
 *     whole call rewritten ("sgd(learning_rate = 3)" -> "adam(learning_rate = 0.001)");
 *   - an inserted layer goes on a new line after its predecessor, with the
 *     same indentation and a label derived from its IR name ("fc1_bn:",
 *     since .dnn names have no dots);
 *   - a removed layer's line is deleted.
 */
#ifndef DNNC_PATCH_H
#define DNNC_PATCH_H

#include <stddef.h>

#include "change.h"
#include "ir.h"

/* Applies CHANGES (made against BASE, which was compiled from TEXT, giving
 * FIXED) to TEXT.  Returns the patched text (caller frees), or NULL with a
 * message in ERR when a change has no place in the source. */
char *rp_patch_source(const char *text, const ir_program *base, const ir_program *fixed,
                      const rp_changes *changes, char *err, size_t errsize);

/* Writes the value of DESC in OBJ as it reads best in a .dnn source: IR
 * syntax with spaces after commas and around '=', and 1/N for reciprocals of
 * whole numbers. */
void rp_source_value(const ir_attr_desc *desc, const void *obj, char *buf, size_t size);

#endif
