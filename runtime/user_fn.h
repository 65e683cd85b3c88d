/* user_fn.h: user-supplied C functions as activations, called through libffi.
 *
 * A program's `function` block names TYPE f(TYPE) in a shared library (and
 * optionally its derivative).  rt_user_fn_open loads it with dlopen, builds a
 * libffi call interface for the declared C type, and the layer that uses it as
 * its activation calls it once per element through that interface.  This is
 * the one place in dnnc where the signature of a call is known only at run
 * time; it is also the one per-element call in the runtime, and its cost is
 * the user's choice (a built-in activation never goes through here).
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
 * message naming the library and symbol in ERR on failure, and without
 * touching the library when loading is not permitted. */
rt_user_fn *rt_user_fn_open(const ir_program *p, const ir_function *f, char *err, size_t errsize);
void rt_user_fn_close(rt_user_fn *u);

/* Y[i] = f(Z[i]) for N elements. */
void rt_user_fn_forward(const rt_user_fn *u, const float *z, float *y, long n);
/* DZ[i] = DY[i] * f'(Z[i]) for N elements (the declared derivative, or central
 * differences).  DZ may equal DY. */
void rt_user_fn_backward(const rt_user_fn *u, const float *z, const float *dy, float *dz, long n);

#endif
