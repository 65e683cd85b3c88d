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

#if defined(__AVX__)
#include <immintrin.h>
#endif

typedef float v8 __attribute__((vector_size(32)));
typedef float v8u __attribute__((vector_size(32), aligned(4), may_alias));
typedef int v8i __attribute__((vector_size(32)));
typedef int v8iu __attribute__((vector_size(32), aligned(4), may_alias));

/* Unaligned load and store of 8 floats. */
#define load8(p) ((v8)*(const v8u *)(p))
#define store8(p, v) (*(v8u *)(p) = (v))
/* Unaligned load and store of 8 ints. */
#define load8i(p) ((v8i)*(const v8iu *)(p))
#define store8i(p, v) (*(v8iu *)(p) = (v))
/* 8 copies of a float: a broadcast (adding the float to a zero vector, the
 * obvious spelling, costs a scalar add first: x + 0 is not x for x = -0). */
#define splat(x) __extension__({ float s_ = (x); (v8){s_, s_, s_, s_, s_, s_, s_, s_}; })
/* A * B + C per lane, fused (one rounding) where the target has FMA.  The
 * build is ISO C (-std=c11), where GCC does not contract a * b + c into an
 * FMA by itself, and the kernels' inner loops are chains of these. */
#if defined(__FMA__) && defined(__AVX__)
#define fma8(a, b, c) ((v8)_mm256_fmadd_ps((__m256)(a), (__m256)(b), (__m256)(c)))
#else
#define fma8(a, b, c) ((a) * (b) + (c))
#endif
/* Per-lane square root (correctly rounded, as sqrtf); per-lane maximum
 * (as fmaxf: a NaN loses to a number). */
#if defined(__AVX__)
#define sqrt8(a) ((v8)_mm256_sqrt_ps((__m256)(a)))
#else
#define sqrt8(a) __extension__({ v8 a_ = (a); \
                                  for (int l_ = 0; l_ < 8; l_++) { a_[l_] = __builtin_sqrtf(a_[l_]); } \
                                  a_; })
#endif
#define max8(a, b) __extension__({ v8 a_ = (a), b_ = (b); select8((b_ > a_) | (a_ != a_), b_, a_); })
/* Per-lane absolute value (clears the sign bit). */
#define abs8(a) ((v8)((v8i)(a) & 0x7fffffff))
/* Per lane: M (all ones or zeros, from a comparison) ? A : B. */
#define select8(m, a, b) ((v8)(((m) & (v8i)(a)) | (~(m) & (v8i)(b))))

#endif
