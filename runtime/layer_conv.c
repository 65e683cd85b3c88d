/* layer_conv.c: the conv2d layer (Keras Conv2D, channels last).
 *
 * Extents and padding follow TensorFlow (see rt_window_extent).  The kernel is
 * [kh, kw, in_channels, filters] as in Keras.  The arithmetic is in conv.h's
 * kernels; this file chooses one per layer and adds the bias.  A relu
 * activation is applied here (act_fused): in the direct kernels, or in one
 * pass with the bias after im2col.
 */
#include "layer.h"

#include <stdio.h>

#include "conv.h"
#include "workers.h"

/* Most floats of im2col workspace a layer asks for (64 MiB); bigger batches
 * are processed in chunks. */
#define CONV_WORK_CAP (16L << 20)

/* Values of rt_layer.conv_algo. */
enum { CONV_IM2COL, CONV_DIRECT };

static rt_conv_geom geometry(const rt_layer *L, int n)
{
    const ir_node *nd = L->node;
    return (rt_conv_geom){n, L->in.h, L->in.w, L->in.c, L->out.h, L->out.w, L->out.c,
                          nd->kernel.h, nd->kernel.w, nd->stride.h, nd->stride.w,
                          L->pad_top, L->pad_left};
}

static int conv_setup(const rt_net *net, rt_layer *L, rt_param_spec *specs, char *err,
                      size_t errsize)
{
    const ir_node *nd = L->node;
    int oh = rt_window_extent(L->in.h, nd->kernel.h, nd->stride.h, nd->padding, &L->pad_top);
    int ow = rt_window_extent(L->in.w, nd->kernel.w, nd->stride.w, nd->padding, &L->pad_left);
    if (oh <= 0 || ow <= 0) {
        snprintf(err, errsize, "layer %s: a %dx%d kernel does not fit its %dx%d input "
                 "with valid padding", nd->name, nd->kernel.h, nd->kernel.w, L->in.h, L->in.w);
        return -1;
    }
    L->out = (rt_dims){oh, ow, nd->units};
    rt_conv_geom g = geometry(L, net->max_batch);
    L->act_fused = L->act == IR_ACT_RELU;   /* applied with the bias (layer.h) */
    if (rt_conv_direct_fits(&g)) {
        L->conv_algo = CONV_DIRECT;
        L->work_size = rt_conv_direct_work(&g, 1);
        L->work_per_chunk = rt_conv_direct_work(&g, 2) - L->work_size;
    } else {
        L->conv_algo = CONV_IM2COL;
        long per = rt_conv_cols_per_sample(&g);
        long want = per * net->max_batch;
        L->work_size = want < CONV_WORK_CAP ? want : per > CONV_WORK_CAP ? per : CONV_WORK_CAP;
    }
    int k = 0;
    specs[k++] = (rt_param_spec){"kernel", 4, {nd->kernel.h, nd->kernel.w, L->in.c, nd->units},
                                 true, &nd->init, 0,
                                 nd->regularizer.kind != IR_REG_NONE ? &nd->regularizer : NULL};
    if (nd->bias)
        specs[k++] = (rt_param_spec){"bias", 1, {nd->units}, true, &nd->bias_init, 0, NULL};
    return k;
}

static void conv_forward(rt_net *net, rt_layer *L, int n, bool training)
{
    rt_conv_geom g = geometry(L, n);
    if (L->conv_algo == CONV_DIRECT) {
        rt_conv_direct_forward(&g, L->x, L->pv[RT_KERNEL], L->pv[RT_BIAS], L->act_fused,
                               L->z, net->work, net->threads);
        return;
    }
    rt_conv_im2col_forward(&g, L->x, L->pv[RT_KERNEL], L->z, net->work, net->work_size);
    if (L->pv[RT_BIAS] || L->act_fused)
        rt_bias_act(L->z, L->pv[RT_BIAS], L->act_fused, (long)n * L->out.h * L->out.w, L->out.c);
}

static void conv_backward(rt_net *net, rt_layer *L, int n)
{
    rt_conv_geom g = geometry(L, n);
    if (L->conv_algo == CONV_DIRECT) {
        rt_conv_direct_backward(&g, L->x, L->pv[RT_KERNEL], L->act_fused ? L->y : NULL,
                                L->act_fused ? L->dy : L->dz, L->pg[RT_KERNEL], L->pg[RT_BIAS],
                                L->dx, net->work, net->threads);
        return;
    }
    /* With relu fused, dz is dy (net.c), masked here in place. */
    if (L->pg[RT_BIAS] || L->act_fused)
        rt_relu_mask_sum(L->dz, L->act_fused ? L->y : NULL, L->pg[RT_BIAS],
                         (long)n * L->out.h * L->out.w, L->out.c);
    rt_conv_im2col_backward(&g, L->x, L->pv[RT_KERNEL], L->dz, L->pg[RT_KERNEL], L->dx,
                            net->work, net->work_size);
}

const rt_layer_ops rt_layer_conv2d = {conv_setup, conv_forward, conv_backward};
