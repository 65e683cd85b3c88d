/* blas.h: the runtime's only door to OpenBLAS.
 *
 * Every matrix product of the runtime goes through rt_sgemm, and the BLAS
 * thread count through rt_blas_set_threads, so that exactly one file (blas.c)
 * includes cblas.h.  Matrices are row-major, as everywhere in the runtime.
 */
#ifndef DNNC_RT_BLAS_H
#define DNNC_RT_BLAS_H

#include <stdbool.h>

/* C[m x n] = alpha * op(A) * op(B) + beta * C, row-major; op(X) is X^T when
 * the matching trans flag is set.  lda, ldb, ldc are row strides. */
void rt_sgemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
              const float *a, int lda, const float *b, int ldb, float beta,
              float *c, int ldc);

/* Sets the number of threads OpenBLAS uses (n >= 1). */
void rt_blas_set_threads(int n);

/* The number of threads OpenBLAS currently uses. */
int rt_blas_threads(void);

/* The number of processors OpenBLAS sees (what --threads 0 means). */
int rt_blas_cores(void);

#endif
