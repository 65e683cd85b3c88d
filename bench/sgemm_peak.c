/* sgemm_peak.c: the machine's measured cblas_sgemm speed, for `make bench`.
 *
 * Times square single-precision products through the runtime's rt_sgemm (so
 * through the same OpenBLAS as dnnc) with 1 and 2 threads and prints the best
 * GFLOP/s of each, the ceiling against which dnnc's GFLOP/s are read.
 *
 * usage: sgemm_peak [N]   (default 1024)
 */
#include <stdio.h>
#include <stdlib.h>

#include "blas.h"
#include "mem.h"
#include "progress.h"

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1024;
    if (n < 16 || n > 8192) {
        fprintf(stderr, "sgemm_peak: N must be from 16 to 8192\n");
        return 1;
    }
    float *a = rt_floats((long)n * n), *b = rt_floats((long)n * n), *c = rt_floats((long)n * n);
    for (long i = 0; i < (long)n * n; i++) {
        a[i] = (float)(i % 7) * 0.1f;
        b[i] = (float)(i % 5) * 0.2f;
    }
    for (int threads = 1; threads <= 2; threads++) {
        rt_blas_set_threads(threads);
        rt_sgemm(false, false, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);   /* warm up */
        double best = 1e30;
        for (int rep = 0; rep < 5; rep++) {
            double t0 = rt_now();
            rt_sgemm(false, false, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
            double t = rt_now() - t0;
            best = t < best ? t : best;
        }
        printf("sgemm %dx%dx%d, %d thread%s: %.1f GFLOP/s\n", n, n, n, threads,
               threads > 1 ? "s" : "", 2.0 * n * n * (double)n / best / 1e9);
    }
    free(a);
    free(b);
    free(c);
    return 0;
}
