/* simd.h: 8-float vectors for the runtime's hand-vectorised kernels.
 *
 * GCC vector extensions (also understood by clang): one AVX register on x86
 * with AVX2, two SSE registers without; any target compiles them.  Loads and
 * stores are unaligned and may alias float arrays.  The helpers are macros so
 * that no function passes vectors by value (which would tie the ABI to the
 * target's vector support).
 */
#ifndef DNNC_RT_SIMD_H
#define DNNC_RT_SIMD_H

typedef float v8 __attribute__((vector_size(32)));
typedef float v8u __attribute__((vector_size(32), aligned(4), may_alias));
typedef int v8i __attribute__((vector_size(32)));
typedef int v8iu __attribute__((vector_size(32), aligned(4), may_alias));

/* Unaligned load and store of 8 floats. */
#define load8(p) ((v8)*(const v8u *)(p))
#define store8(p, v) (*(v8u *)(p) = (v))
/* Unaligned store of 8 ints. */
#define store8i(p, v) (*(v8iu *)(p) = (v))
/* 8 copies of a float. */
#define splat(x) ((v8){0} + (x))
/* Per lane: M (all ones or zeros, from a comparison) ? A : B. */
#define select8(m, a, b) ((v8)(((m) & (v8i)(a)) | (~(m) & (v8i)(b))))

#endif
