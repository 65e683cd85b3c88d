/* mutate.h: mutation operators (dnnc --mutate), DeepCrime-style.
 *
 * A mutation operator injects one kind of fault into a healthy program, as
 * DeepCrime's operators do to Keras models: change an activation (or remove
 * it), the loss, the optimiser, the learning rate, the batch size, the
 * epochs, a kernel or bias initialiser, a layer's units, a dropout rate, add
 * a regulariser, remove a layer, or undo the input scaling; `set` sets any
 * attribute of a layer, the train block or the dataset.  Each operator
 * builds change records (change.h) with the repair passes' constructors, so
 * a mutant is verified like a repair and written through the same source
 * patcher: the mutant is the user's file with one small edit.
 *
 * Parameters come from --mutate-args as key=value pairs: layer=NAME (default:
 * the first hidden layer with weights, or the output for output operators),
 * to=VALUE (the new value), factor=X (learning rate, epochs, units),
 * place=LAYER.ATTRIBUTE | train.ATTRIBUTE | data.ATTRIBUTE (set).
 */
#ifndef DNNC_MUTATE_H
#define DNNC_MUTATE_H

#include <stddef.h>

#include "change.h"
#include "ir.h"

/* Builds the changes of operator OP with ARGS on P into OUT; false with a
 * message in ERR when the operator or an argument is unknown or does not
 * apply. */
bool rp_mutate(const ir_program *p, const char *op, const char *args, rp_changes *out, char *err,
               size_t errsize);

/* "change_activation, remove_activation, ..." */
const char *rp_mutate_operators(void);

#endif
