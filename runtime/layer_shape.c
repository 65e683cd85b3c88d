/* layer_shape.c: layers that only pass data through: input, flatten, and the
 * standalone activation layer.
 *
 * They own no parameters.  net.c aliases their buffers where it can (flatten's
 * output is its input: NHWC is already flat), so forward and backward copy
 * only when the buffers differ (for example the last layer, whose output
 * gradient lives in net->out_grad).
 */
#include "layer.h"

#include <string.h>

static void copy_if_distinct(float *dst, const float *src, long n)
{
    if (dst && src && dst != src)
        memcpy(dst, src, sizeof *dst * (size_t)n);
}

static int input_setup(const rt_net *net, rt_layer *L, rt_param_spec *specs, char *err,
                       size_t errsize)
{
    L->out = rt_dims_of_shape(&L->node->shape);
    return 0;
}

static void nothing_forward(rt_net *net, rt_layer *L, int n, bool training)
{
}

static void nothing_backward(rt_net *net, rt_layer *L, int n)
{
}

const rt_layer_ops rt_layer_input = {input_setup, nothing_forward, nothing_backward};

static int flatten_setup(const rt_net *net, rt_layer *L, rt_param_spec *specs, char *err,
                         size_t errsize)
{
    L->out = (rt_dims){1, 1, (int)rt_dims_size(L->in)};
    return 0;
}

static void pass_forward(rt_net *net, rt_layer *L, int n, bool training)
{
    copy_if_distinct(L->z, L->x, n * L->in_size);
}

static void pass_backward(rt_net *net, rt_layer *L, int n)
{
    copy_if_distinct(L->dx, L->dz, n * L->in_size);
}

const rt_layer_ops rt_layer_flatten = {flatten_setup, pass_forward, pass_backward};

static int activation_setup(const rt_net *net, rt_layer *L, rt_param_spec *specs,
                            char *err, size_t errsize)
{
    L->out = L->in;
    return 0;
}

const rt_layer_ops rt_layer_activation = {activation_setup, pass_forward, pass_backward};
