/* mem.c: aligned zeroed allocation (see mem.h). */
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *aligned_zeroed(long n, size_t elem)
{
    size_t bytes = (size_t)(n > 0 ? n : 1) * elem;
    bytes = (bytes + 63) & ~(size_t)63;
    void *p = aligned_alloc(64, bytes);
    if (!p) {
        fputs("dnnc: out of memory\n", stderr);
        exit(2);
    }
    memset(p, 0, bytes);
    return p;
}

float *rt_floats(long n)
{
    return aligned_zeroed(n, sizeof(float));
}

int *rt_ints(long n)
{
    return aligned_zeroed(n, sizeof(int));
}

double *rt_doubles(long n)
{
    return aligned_zeroed(n, sizeof(double));
}
