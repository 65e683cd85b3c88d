/* testutil.h: fixtures of the runtime's C tests: IR models built by hand
 * (the runtime tests do not depend on the front end) and in-memory datasets.
 * Checks are tests/check.h's; a test's main returns check_finish().
 */
#ifndef DNNC_TESTUTIL_H
#define DNNC_TESTUTIL_H

#include <stdbool.h>
#include <stdio.h>

#include "check.h"
#include "data.h"
#include "ir.h"

/* A program with one model named NAME and a train block that uses it and a
 * dataset named "data" (recipe: Keras defaults). */
ir_program *tu_program(const char *name);
/* The program's model. */
ir_model *tu_model(ir_program *p);
/* Appends a layer with Keras defaults (named NAME) and returns it. */
ir_node *tu_layer(ir_model *m, ir_op op, const char *name);
/* Appends the input layer of the given shape (rank 1 to 3; unused dims 0). */
ir_node *tu_input(ir_model *m, int d0, int d1, int d2);
/* Appends a dense layer. */
ir_node *tu_dense(ir_model *m, const char *name, int units, ir_act act);

/* An in-memory classification dataset of the given sizes (zeroed); free with
 * tu_data_free. */
rt_data *tu_data(int in_size, int classes, int n_train, int n_val, int n_test);
/* Likewise for regression with TARGETS values per sample. */
rt_data *tu_regression_data(int in_size, int targets, int n_train, int n_val, int n_test);
void tu_data_free(rt_data *d);

#endif
