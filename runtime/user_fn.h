/* user_fn.h: user-supplied C functions as activations, losses and metrics,
 * called through libffi.
 *
 * A program's `function` block names a C function in a shared library, its
 * role, its form and its C type (ir.h, ir_function, lists the signatures).
 * rt_user_fn_open loads it with dlopen and prepares its libffi call interface
 * once (ffi_prep_cif); every call reuses it.  A scalar activation is called
 * once per element, a vector one once per tensor, a loss or a metric once per
 * batch or split.  This is the one place in dnnc where the signature of a call
 * is known only at run time, and user_fn.c is the only file that includes
 * ffi.h.  Without a declared derivative (activation) or gradient (loss),
 * central differences stand in, with a step that suits the declared type.
 *
 * A function that returns NaN for finite input is recorded (the first such
 * input), so the training that called it can stop with an error naming the
 * function rather than a bare "diverged".
 */
#ifndef DNNC_RT_USER_FN_H
#define DNNC_RT_USER_FN_H

#include <stdbool.h>
#include <stddef.h>

#include "ir.h"

typedef struct rt_user_fn rt_user_fn;

/* Whether this process may load the libraries programs name.  Off until the
 * driver turns it on (--allow-extern): a library's constructors run with the
 * user's rights as soon as it is loaded, so a program received from someone
 * else must not load one silently.  Forked workers inherit the setting. */
void rt_user_fn_permit(bool allowed);
bool rt_user_fn_permitted(void);

/* Loads function F of program P (library paths containing '/' are relative
 * to P's folder; bare names go to the dynamic linker's search).  NULL with a
 * message naming the function, library and symbol in ERR on failure, and
 * without touching the library when loading is not permitted. */
rt_user_fn *rt_user_fn_open(const ir_program *p, const ir_function *f, char *err, size_t errsize);
void rt_user_fn_close(rt_user_fn *u);

/* Activation: Y[i] = f(Z[i], ARGS...) for N elements (ARGS: one value per
 * declared parameter, in their order). */
void rt_user_fn_forward(rt_user_fn *u, const double *args, const float *z, float *y, long n);
/* DZ[i] = DY[i] * f'(Z[i]) for N elements (the declared derivative, or central
 * differences).  DZ may equal DY. */
void rt_user_fn_backward(rt_user_fn *u, const double *args, const float *z, const float *dy, float *dz,
                         long n);

/* Loss or metric: the function's value on N predictions and targets.  A loss
 * writes d(value)/d(PRED) into GRAD when it is not NULL (its gradient
 * function, or central differences). */
double rt_user_fn_value(rt_user_fn *u, const float *pred, const float *target, long n, float *grad);

/* Whether U returned NaN for finite input since it was opened; then ERR says
 * which function, and where. */
bool rt_user_fn_failed(const rt_user_fn *u, char *err, size_t errsize);

#endif
