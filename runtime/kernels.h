/* kernels.h: the runtime's hand-vectorised kernels, chosen at run time.
 *
 * The kernel sources (RT_KERNEL_SOURCES in runtime/local.mk) are compiled
 * once per kernel set, each time with that set's instruction-set flags and
 * with RT_KERNEL_SET naming the set; RT_KERNEL(name) then gives every
 * external function of the source the set's suffix (rt_bias_act_avx2), so
 * one source yields one object per set.  kernels.c holds one table of
 * function pointers per set, picks the best set the CPU supports once at
 * start-up (or the one DNNC_KERNELS names), and defines each kernel's public
 * name (declared in its subsystem's header: conv.h, layer.h, optim.h, rng.h)
 * as a call through the chosen table.  See doc/PERFORMANCE.md.
 *
 * RT_KERNELS is the one list of dispatched functions: return type (one
 * token), name, parameters, arguments.
 */
#ifndef DNNC_RT_KERNELS_H
#define DNNC_RT_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conv.h"
#include "layer.h"
#include "optim.h"
#include "rng.h"

#define RT_KERNELS(X, SET) \
    X(int, rt_conv_direct_fits, (const rt_conv_geom *g), (g), SET) \
    X(long, rt_conv_direct_work, (const rt_conv_geom *g, int chunks), (g, chunks), SET) \
    X(void, rt_conv_direct_forward, \
      (const rt_conv_geom *g, const float *x, const float *w, const float *b, bool relu, \
       float *z, float *work, int threads), \
      (g, x, w, b, relu, z, work, threads), SET) \
    X(void, rt_conv_direct_backward, \
      (const rt_conv_geom *g, const float *x, const float *w, const float *y, \
       const float *dy, float *dw, float *db, float *dx, float *work, int threads), \
      (g, x, w, y, dy, dw, db, dx, work, threads), SET) \
    X(void, rt_bias_act, (float *y, const float *b, bool relu, long rows, int width), \
      (y, b, relu, rows, width), SET) \
    X(void, rt_relu_mask_sum, (float *dy, const float *y, float *db, long rows, int width), \
      (dy, y, db, rows, width), SET) \
    X(long, rt_maxpool_2x2, (const rt_layer *L, int s, float *z, int *arg), (L, s, z, arg), SET) \
    X(void, rt_dropout_mask, (float *mask, const float *x, float *z, long count, float rate), \
      (mask, x, z, count, rate), SET) \
    X(void, rt_mul_elementwise, (const float *a, const float *b, float *out, long count), \
      (a, b, out, count), SET) \
    X(void, rt_optim_update, \
      (const rt_optim *o, const rt_step_coef *k, float *w, const float *g, float *s1, \
       float *s2, long n), \
      (o, k, w, g, s1, s2, n), SET) \
    X(void, rt_rng_lanes_floats, (uint64_t *lanes, float *out, long n), (lanes, out, n), SET)

/* NAME with SET's suffix: rt_bias_act, avx2 -> rt_bias_act_avx2. */
#define RT_KERNEL_VARIANT(name, set) RT_KERNEL_VARIANT_(name, set)
#define RT_KERNEL_VARIANT_(name, set) name##_##set
/* The prototype of one kernel's variant for SET. */
#define RT_KERNEL_PROTOTYPE(ret, name, params, args, set) ret RT_KERNEL_VARIANT(name, set) params;

#ifdef RT_KERNEL_SET
/* In a kernel source: the name this compilation gives the kernel NAME. */
#define RT_KERNEL(name) RT_KERNEL_VARIANT(name, RT_KERNEL_SET)
RT_KERNELS(RT_KERNEL_PROTOTYPE, RT_KERNEL_SET)
#endif

/* The kernel set in use ("avx512", "avx2" or "baseline"). */
const char *rt_kernels_name(void);
/* The sets this build has and this CPU runs, best first, separated by
 * spaces, into BUF (SIZE bytes). */
void rt_kernels_supported(char *buf, size_t size);
/* Switches to the set NAME; on an unknown name, or a set this CPU cannot
 * run, writes why into ERR and returns -1 (the set in use stays). */
int rt_kernels_use(const char *name, char *err, size_t errsize);

#endif
