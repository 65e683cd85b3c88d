/* generate.h: the built-in datasets of the language, made from a seed.
 *
 * blobs, circles, moons, spirals, xor and regression fill a dataset's
 * training split with every sample they make (data.c then carves the test and
 * validation splits).  The same seed gives the same bytes on every run.  The
 * split shuffle (rt_gen_permutation) draws from another stream of the same
 * seed, so changing a split does not change the samples.  See generate.c for
 * each generator's definition.
 */
#ifndef DNNC_GENERATE_H
#define DNNC_GENERATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data.h"
#include "rng.h"

/* Keys of the independent random streams (rt_rng_stream) drawn from one seed. */
#define RT_GEN_STREAM_DATA rt_hash_string("data.samples")   /* generated samples */
#define RT_GEN_STREAM_SPLIT rt_hash_string("data.split")    /* shuffle before splitting */

/* Makes the samples of generator D->source (D->samples, D->features,
 * D->classes, D->noise, D->factor) into DATA->train and sets DATA->shape,
 * in_size, classes and target_size.  On a bad parameter returns false with a
 * message in ERR. */
bool rt_generate(const ir_dataset *d, uint64_t seed, rt_data *data,
                 char *err, size_t errsize);

/* Writes a seeded uniform random permutation of 0 .. N-1 into PERM. */
void rt_gen_permutation(int *perm, int n, uint64_t seed, uint64_t stream);

#endif
