/* layer_batchnorm.c: batch normalisation over the last axis (Keras
 * BatchNormalization, axis=-1).
 *
 * Training normalises with the batch's mean and biased variance over every
 * axis but the channels, and updates the moving statistics as Keras does:
 * moving = moving * momentum + batch * (1 - momentum).  For image inputs Keras
 * runs TensorFlow's fused kernel, whose batch variance for the moving average
 * carries Bessel's correction (N / (N - 1)); for vectors it does not.  We do the
 * same, so moving statistics match Keras's.  Evaluation uses the moving
 * statistics (Keras's training=False behaviour in evaluate and predict).
 * gamma starts at 1, beta at 0, moving mean at 0, moving variance at 1; none
 * is regularised.
 */
#include "layer.h"

#include <math.h>

static int bn_setup(const rt_net *net, rt_layer *L, rt_param_spec *specs, char *err,
                    size_t errsize)
{
    int c = L->in.c;
    L->out = L->in;
    L->scratch_size = (long)net->max_batch * rt_dims_size(L->in); /* x-hat */
    L->dscratch_size = 3L * c;                          /* mean, 1/stddev, sums */
    specs[0] = (rt_param_spec){"gamma", 1, {c}, true, NULL, 1.0f, NULL};
    specs[1] = (rt_param_spec){"beta", 1, {c}, true, NULL, 0.0f, NULL};
    specs[2] = (rt_param_spec){"moving_mean", 1, {c}, false, NULL, 0.0f, NULL};
    specs[3] = (rt_param_spec){"moving_variance", 1, {c}, false, NULL, 1.0f, NULL};
    return 4;
}

static void bn_forward(rt_net *net, rt_layer *L, int n, bool training)
{
    int c = L->in.c;
    long rows = (long)n * L->in.h * L->in.w;
    const float *gamma = L->pv[RT_GAMMA], *beta = L->pv[RT_BETA];
    float *mm = L->pv[RT_MOVING_MEAN], *mv = L->pv[RT_MOVING_VAR];
    double eps = L->node->epsilon;
    if (!training) {
        double *scale = L->dscratch, *shift = L->dscratch + c;
        for (int k = 0; k < c; k++) {
            scale[k] = gamma[k] / sqrt((double)mv[k] + eps);
            shift[k] = beta[k] - mm[k] * scale[k];
        }
        for (long r = 0; r < rows; r++)
            for (int k = 0; k < c; k++)
                L->z[r * c + k] = (float)(L->x[r * c + k] * scale[k] + shift[k]);
        return;
    }
    double *mean = L->dscratch, *inv = L->dscratch + c;
    for (int k = 0; k < c; k++)
        mean[k] = inv[k] = 0.0;
    for (long r = 0; r < rows; r++)
        for (int k = 0; k < c; k++)
            mean[k] += L->x[r * c + k];
    for (int k = 0; k < c; k++)
        mean[k] /= (double)rows;
    for (long r = 0; r < rows; r++)
        for (int k = 0; k < c; k++) {
            double d = L->x[r * c + k] - mean[k];
            inv[k] += d * d;
        }
    double momentum = L->node->momentum;
    bool bessel = L->in_rank == 3;
    for (int k = 0; k < c; k++) {
        double var = inv[k] / (double)rows;
        double var_moving = bessel && rows > 1 ? var * (double)rows / (double)(rows - 1) : var;
        mm[k] = (float)(mm[k] * momentum + mean[k] * (1.0 - momentum));
        mv[k] = (float)(mv[k] * momentum + var_moving * (1.0 - momentum));
        inv[k] = 1.0 / sqrt(var + eps);
    }
    float *xhat = L->scratch;
    for (long r = 0; r < rows; r++)
        for (int k = 0; k < c; k++) {
            float h = (float)((L->x[r * c + k] - mean[k]) * inv[k]);
            xhat[r * c + k] = h;
            L->z[r * c + k] = gamma[k] * h + beta[k];
        }
}

static void bn_backward(rt_net *net, rt_layer *L, int n)
{
    int c = L->in.c;
    long rows = (long)n * L->in.h * L->in.w;
    float *dgamma = L->pg[RT_GAMMA], *dbeta = L->pg[RT_BETA];
    const float *gamma = L->pv[RT_GAMMA], *xhat = L->scratch;
    const double *inv = L->dscratch + c;
    /* dgamma and dbeta summed in double; the mean's slot is free again. */
    double *sg = L->dscratch, *sb = L->dscratch + 2 * c;
    for (int k = 0; k < c; k++)
        sg[k] = sb[k] = 0.0;
    for (long r = 0; r < rows; r++)
        for (int k = 0; k < c; k++) {
            sg[k] += (double)L->dz[r * c + k] * xhat[r * c + k];
            sb[k] += L->dz[r * c + k];
        }
    for (int k = 0; k < c; k++) {
        dgamma[k] = (float)sg[k];
        dbeta[k] = (float)sb[k];
    }
    if (!L->dx)
        return;
    for (long r = 0; r < rows; r++)
        for (int k = 0; k < c; k++) {
            double g = gamma[k] * inv[k] / (double)rows;
            L->dx[r * c + k] = (float)(g * ((double)rows * L->dz[r * c + k] - sb[k] -
                                            xhat[r * c + k] * sg[k]));
        }
}

const rt_layer_ops rt_layer_batchnorm = {bn_setup, bn_forward, bn_backward};
