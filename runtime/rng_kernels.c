/* rng_kernels.c: four xoshiro256** generators side by side (rng.h).
 *
 * One vector of four 64-bit lanes per state word; shifts, adds and xors
 * only (the multiplications by 5 and 9 are shifts and adds).  A kernel
 * source (kernels.h): compiled once per kernel set, each external function
 * named through RT_KERNEL.
 */
#include "rng.h"

#include "kernels.h"

/* Four 64-bit lanes, and eight 32-bit ones over the same bits. */
typedef uint64_t u64x4 __attribute__((vector_size(32)));
typedef uint32_t u32x8 __attribute__((vector_size(32)));
typedef int32_t i32x8 __attribute__((vector_size(32)));
typedef float f32x8 __attribute__((vector_size(32)));

#define ROTL4(x, k) (((x) << (k)) | ((x) >> (64 - (k))))

void RT_KERNEL(rt_rng_lanes_floats)(uint64_t *lanes, float *out, long n)
{
    u64x4 s0, s1, s2, s3;
    __builtin_memcpy(&s0, lanes, sizeof s0);
    __builtin_memcpy(&s1, lanes + 4, sizeof s1);
    __builtin_memcpy(&s2, lanes + 8, sizeof s2);
    __builtin_memcpy(&s3, lanes + 12, sizeof s3);
    for (long i = 0; i < n; i += 8) {
        u64x4 a = (s1 << 2) + s1;                   /* s1 * 5 */
        a = ROTL4(a, 7);
        u64x4 res = (a << 3) + a;                   /* * 9 */
        u64x4 t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ROTL4(s3, 45);
        /* Each 32-bit half gives 24 bits, as rt_rng_float does. */
        i32x8 bits = (i32x8)((u32x8)res >> 8);
        f32x8 u = __builtin_convertvector(bits, f32x8) * 0x1.0p-24f;
        if (n - i >= 8) {
            __builtin_memcpy(out + i, &u, sizeof u);
        } else {
            for (long k = 0; k < n - i; k++)
                out[i + k] = u[k];
        }
    }
}
