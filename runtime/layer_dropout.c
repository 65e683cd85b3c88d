/* layer_dropout.c: dropout (Keras Dropout, inverted scaling).
 *
 * In training each value is kept with probability 1 - rate and scaled by
 * 1 / (1 - rate), so evaluation is the identity (as Keras).  A rate of 1 drops
 * everything.  The mask comes from net->dropout_rng, which the seed fixes,
 * through rt_rng_floats; mask and product are computed 8 values at a time.
 */
#include "layer.h"

#include <string.h>

#include "simd.h"

static int dropout_setup(const rt_net *net, rt_layer *L, rt_param_spec *specs, char *err,
                         size_t errsize)
{
    L->out = L->in;
    L->scratch_size = (long)net->max_batch * rt_dims_size(L->in);
    return 0;
}

static void dropout_forward(rt_net *net, rt_layer *L, int n, bool training)
{
    long count = n * L->in_size;
    if (!training) {
        if (L->z != L->x)
            memcpy(L->z, L->x, sizeof *L->z * (size_t)count);
        return;
    }
    float rate = (float)L->node->rate;
    float keep = rate < 1.0f ? 1.0f / (1.0f - rate) : 0.0f;
    float *mask = L->scratch;
    rt_rng_floats(&net->dropout_rng, mask, count);
    const v8 r8 = splat(rate), k8 = splat(keep), zero = splat(0.0f);
    long i = 0;
    for (; i + 8 <= count; i += 8) {
        v8 m = select8(load8(mask + i) >= r8, k8, zero);
        store8(mask + i, m);
        store8(L->z + i, load8(L->x + i) * m);
    }
    for (; i < count; i++) {
        mask[i] = mask[i] >= rate ? keep : 0.0f;
        L->z[i] = L->x[i] * mask[i];
    }
}

static void dropout_backward(rt_net *net, rt_layer *L, int n)
{
    if (!L->dx)
        return;
    long count = n * L->in_size;
    long i = 0;
    for (; i + 8 <= count; i += 8)
        store8(L->dx + i, load8(L->dz + i) * load8(L->scratch + i));
    for (; i < count; i++)
        L->dx[i] = L->dz[i] * L->scratch[i];
}

const rt_layer_ops rt_layer_dropout = {dropout_setup, dropout_forward, dropout_backward};
