/* layer_dropout.c: dropout (Keras Dropout, inverted scaling).
 *
 * In training each value is kept with probability 1 - rate and scaled by
 * 1 / (1 - rate), so evaluation is the identity (as Keras).  A rate of 1 drops
 * everything.  The mask comes from net->dropout_rng, which the seed fixes.
 */
#include "layer.h"

#include <string.h>

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
    for (long i = 0; i < count; i++)
        mask[i] = rt_rng_float(&net->dropout_rng) >= rate ? keep : 0.0f;
    for (long i = 0; i < count; i++)
        L->z[i] = L->x[i] * mask[i];
}

static void dropout_backward(rt_net *net, rt_layer *L, int n)
{
    if (!L->dx)
        return;
    long count = n * L->in_size;
    for (long i = 0; i < count; i++)
        L->dx[i] = L->dz[i] * L->scratch[i];
}

const rt_layer_ops rt_layer_dropout = {dropout_setup, dropout_forward, dropout_backward};
