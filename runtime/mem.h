/* mem.h: aligned, zeroed buffers for the runtime's tensors.
 *
 * Every float buffer of a network comes from here: 64-byte aligned (one cache
 * line, a full AVX-512 vector), zero-filled, freed with free().  Allocation
 * failure exits like ir_alloc.
 */
#ifndef DNNC_RT_MEM_H
#define DNNC_RT_MEM_H

/* N zeroed floats (N may be 0). */
float *rt_floats(long n);
/* N zeroed ints. */
int *rt_ints(long n);
/* N zeroed doubles. */
double *rt_doubles(long n);

#endif
