/* blas.c: thin wrappers over OpenBLAS's cblas interface.
 *
 * The only file of dnnc that includes cblas.h (see blas.h).  Keeping the
 * dependency behind four functions lets the rest of the runtime stay free of
 * CBLAS enums and lets a benchmark count every GEMM in one place if needed.
 */
#include "blas.h"

#include <cblas.h>

void rt_sgemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
              const float *a, int lda, const float *b, int ldb, float beta,
              float *c, int ldc)
{
    if (m <= 0 || n <= 0)
        return;
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b,
                ldb, beta, c, ldc);
}

void rt_blas_set_threads(int n)
{
    openblas_set_num_threads(n < 1 ? 1 : n);
}

int rt_blas_threads(void)
{
    return openblas_get_num_threads();
}

int rt_blas_cores(void)
{
    return openblas_get_num_procs();
}
