/* rng.h: the runtime's deterministic pseudo-random numbers.
 *
 * xoshiro256** (Blackman and Vigna) seeded through splitmix64: small, fast,
 * and the same sequence on every platform, so a seed fixes a training run.
 * Independent streams (initialisers, shuffling, dropout) come from
 * rt_rng_stream, which mixes a seed with a stream key; a tensor's initial
 * values depend only on the seed and the tensor's name, so inserting a layer
 * does not change the initial weights of the others.
 */
#ifndef DNNC_RT_RNG_H
#define DNNC_RT_RNG_H

#include <stdint.h>

typedef struct rt_rng {
    uint64_t s[4];  /* xoshiro256** state, never all zero */
} rt_rng;

/* Seeds R from SEED (any value, 0 included). */
void rt_rng_seed(rt_rng *r, uint64_t seed);
/* Seeds R from SEED and a stream key (for example a hash of a name). */
void rt_rng_stream(rt_rng *r, uint64_t seed, uint64_t key);
/* 64-bit FNV-1a hash of a string, for stream keys. */
uint64_t rt_hash_string(const char *s);

/* Next 64 random bits. */
uint64_t rt_rng_u64(rt_rng *r);
/* Uniform in [0, 1) with 53 bits. */
double rt_rng_double(rt_rng *r);
/* Uniform in [0, 1) with 24 bits (every value exactly representable). */
float rt_rng_float(rt_rng *r);
/* OUT[0 .. N-1] = uniform floats in [0, 1) with 24 bits, from four
 * generators seeded by R's next four outputs (a different sequence from N
 * calls of rt_rng_float, and many times faster). */
void rt_rng_floats(rt_rng *r, float *out, long n);
/* OUT[0 .. N-1] from the four xoshiro256** generators whose state words k
 * are LANES[4k .. 4k+3] (one per generator), each 64-bit output giving two
 * 24-bit floats; LANES is not updated (a kernel: rng_kernels.c). */
void rt_rng_lanes_floats(uint64_t *lanes, float *out, long n);
/* Uniform integer in [0, n), n >= 1, without modulo bias. */
uint64_t rt_rng_below(rt_rng *r, uint64_t n);
/* Standard normal (Box-Muller, in double). */
double rt_rng_normal(rt_rng *r);

#endif
