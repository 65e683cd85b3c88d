/* layer_dropout.c: dropout (Keras Dropout, inverted scaling).
 *
 * In training each value is kept with probability 1 - rate and scaled by
 * 1 / (1 - rate), so evaluation is the identity (as Keras).  A rate of 1 drops
 * everything.  The mask comes from net->dropout_rng, which the seed fixes,
 * through rt_rng_floats; mask and product are kernels (layer_kernels.c).
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
    float *mask = L->scratch;
    rt_rng_floats(&net->dropout_rng, mask, count);
    rt_dropout_mask(mask, L->x, L->z, count, (float)L->node->rate);
}

static void dropout_backward(rt_net *net, rt_layer *L, int n)
{
    if (!L->dx)
        return;
    rt_mul_elementwise(L->dz, L->scratch, L->dx, n * L->in_size);
}

const rt_layer_ops rt_layer_dropout = {dropout_setup, dropout_forward, dropout_backward};
