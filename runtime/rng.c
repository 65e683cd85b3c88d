/* rng.c: xoshiro256** with splitmix64 seeding (see rng.h).
 *
 * Written from the published algorithm descriptions; both are public domain
 * reference designs of a few lines.  Normals use the Box-Muller transform
 * without caching the second value, so a stream's state after k calls does not
 * depend on the parity of earlier calls.  rt_rng_floats runs four xoshiro256**
 * generators side by side in one vector of 64-bit lanes (a kernel,
 * rng_kernels.c), so that a dropout mask costs a fraction of a nanosecond
 * per value instead of a function call and a generator step.
 */
#include "rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void rt_rng_seed(rt_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
        r->s[0] = 1;
}

void rt_rng_stream(rt_rng *r, uint64_t seed, uint64_t key)
{
    uint64_t x = key;
    rt_rng_seed(r, seed ^ splitmix64(&x));
}

uint64_t rt_hash_string(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ull;
    }
    return h;
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t rt_rng_u64(rt_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rt_rng_double(rt_rng *r)
{
    return (double)(rt_rng_u64(r) >> 11) * 0x1.0p-53;
}

float rt_rng_float(rt_rng *r)
{
    return (float)(rt_rng_u64(r) >> 40) * 0x1.0p-24f;
}

uint64_t rt_rng_below(rt_rng *r, uint64_t n)
{
    /* Rejection of the top partial block, [UINT64_MAX - UINT64_MAX % n,
     * UINT64_MAX]: uniform for every n.  That block lies within the top n
     * values, so its bound (a second division) is only worked out for x
     * there, almost never. */
    uint64_t x = rt_rng_u64(r);
    while (x > UINT64_MAX - n && x >= UINT64_MAX - UINT64_MAX % n)
        x = rt_rng_u64(r);
    return x % n;
}

double rt_rng_normal(rt_rng *r)
{
    double u1 = 1.0 - rt_rng_double(r); /* (0, 1]: log stays finite */
    double u2 = rt_rng_double(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

void rt_rng_floats(rt_rng *r, float *out, long n)
{
    /* Each lane seeded from one output of R through splitmix64. */
    uint64_t lanes[16];
    for (int l = 0; l < 4; l++) {
        uint64_t x = rt_rng_u64(r);
        lanes[l] = splitmix64(&x);
        lanes[4 + l] = splitmix64(&x);
        lanes[8 + l] = splitmix64(&x);
        lanes[12 + l] = splitmix64(&x) | 1;     /* never an all-zero state */
    }
    rt_rng_lanes_floats(lanes, out, n);
}
