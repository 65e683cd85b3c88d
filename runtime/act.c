/* act.c: the activations of ir_enums.h (IR_ACTS), forward and backward.
 *
 * Semantics follow tf.keras (TF 2.x): hard_sigmoid is clip(0.2 x + 0.5, 0, 1)
 * (Keras 2; Keras 3 changed it to relu6(x + 3) / 6), gelu is the exact erf
 * form (approximate=False), elu has alpha 1, selu uses Keras's constants and
 * leaky_relu slope 0.2.  Gradients at kinks follow TensorFlow: relu'(0) = 0,
 * hard_sigmoid' is 0.2 strictly inside (-2.5, 2.5).
 */
#include "act.h"

#include <math.h>

static float sigmoidf(float x)
{
    /* Stable for large |x|: never exp of a large positive number. */
    if (x >= 0) {
        float e = expf(-x);
        return 1.0f / (1.0f + e);
    }
    float e = expf(x);
    return e / (1.0f + e);
}

static float softplusf(float x)
{
    /* log(1 + e^x) = max(x, 0) + log1p(e^-|x|) */
    return fmaxf(x, 0.0f) + log1pf(expf(-fabsf(x)));
}

static void softmax_rows(const float *z, float *y, long n, int width)
{
    for (long r = 0; r + width <= n; r += width) {
        const float *zr = z + r;
        float *yr = y + r;
        float mx = zr[0];
        for (int j = 1; j < width; j++)
            mx = fmaxf(mx, zr[j]);
        float sum = 0.0f;
        for (int j = 0; j < width; j++) {
            yr[j] = expf(zr[j] - mx);
            sum += yr[j];
        }
        float inv = 1.0f / sum;
        for (int j = 0; j < width; j++)
            yr[j] *= inv;
    }
}

void rt_act_forward(ir_act a, const float *z, float *y, long n, int width)
{
    const float sa = (float)RT_SELU_ALPHA, ss = (float)RT_SELU_SCALE;
    const float ea = (float)RT_ELU_ALPHA, la = (float)RT_LEAKY_ALPHA;
    switch (a) {
    case IR_ACT_LINEAR:
        if (y != z)
            for (long i = 0; i < n; i++)
                y[i] = z[i];
        break;
    case IR_ACT_RELU:
        for (long i = 0; i < n; i++)
            y[i] = z[i] > 0.0f ? z[i] : 0.0f;
        break;
    case IR_ACT_SIGMOID:
        for (long i = 0; i < n; i++)
            y[i] = sigmoidf(z[i]);
        break;
    case IR_ACT_TANH:
        for (long i = 0; i < n; i++)
            y[i] = tanhf(z[i]);
        break;
    case IR_ACT_SOFTMAX:
        softmax_rows(z, y, n, width);
        break;
    case IR_ACT_SOFTPLUS:
        for (long i = 0; i < n; i++)
            y[i] = softplusf(z[i]);
        break;
    case IR_ACT_SOFTSIGN:
        for (long i = 0; i < n; i++)
            y[i] = z[i] / (1.0f + fabsf(z[i]));
        break;
    case IR_ACT_SELU:
        for (long i = 0; i < n; i++)
            y[i] = z[i] > 0.0f ? ss * z[i] : ss * sa * expm1f(z[i]);
        break;
    case IR_ACT_ELU:
        for (long i = 0; i < n; i++)
            y[i] = z[i] > 0.0f ? z[i] : ea * expm1f(z[i]);
        break;
    case IR_ACT_EXPONENTIAL:
        for (long i = 0; i < n; i++)
            y[i] = expf(z[i]);
        break;
    case IR_ACT_HARD_SIGMOID:
        for (long i = 0; i < n; i++)
            y[i] = fminf(fmaxf(0.2f * z[i] + 0.5f, 0.0f), 1.0f);
        break;
    case IR_ACT_LEAKY_RELU:
        for (long i = 0; i < n; i++)
            y[i] = z[i] > 0.0f ? z[i] : la * z[i];
        break;
    case IR_ACT_GELU:
        for (long i = 0; i < n; i++)
            y[i] = 0.5f * z[i] * (1.0f + erff(z[i] * 0.70710678118654752f));
        break;
    case IR_ACT_SWISH:
        for (long i = 0; i < n; i++)
            y[i] = z[i] * sigmoidf(z[i]);
        break;
    case IR_ACT_COUNT:
        break;
    }
}

void rt_act_backward(ir_act a, const float *z, const float *y, const float *dy,
                     float *dz, long n, int width)
{
    const float sa = (float)RT_SELU_ALPHA, ss = (float)RT_SELU_SCALE;
    const float ea = (float)RT_ELU_ALPHA, la = (float)RT_LEAKY_ALPHA;
    switch (a) {
    case IR_ACT_LINEAR:
        if (dz != dy)
            for (long i = 0; i < n; i++)
                dz[i] = dy[i];
        break;
    case IR_ACT_RELU:
        for (long i = 0; i < n; i++) {
            float g = dy[i];    /* loaded unconditionally, so the loop vectorises */
            dz[i] = z[i] > 0.0f ? g : 0.0f;
        }
        break;
    case IR_ACT_SIGMOID:
        for (long i = 0; i < n; i++)
            dz[i] = dy[i] * y[i] * (1.0f - y[i]);
        break;
    case IR_ACT_TANH:
        for (long i = 0; i < n; i++)
            dz[i] = dy[i] * (1.0f - y[i] * y[i]);
        break;
    case IR_ACT_SOFTMAX:
        /* dz = y * (dy - sum(dy * y)) per row */
        for (long r = 0; r + width <= n; r += width) {
            float dot = 0.0f;
            for (int j = 0; j < width; j++)
                dot += dy[r + j] * y[r + j];
            for (int j = 0; j < width; j++)
                dz[r + j] = y[r + j] * (dy[r + j] - dot);
        }
        break;
    case IR_ACT_SOFTPLUS:
        for (long i = 0; i < n; i++)
            dz[i] = dy[i] * sigmoidf(z[i]);
        break;
    case IR_ACT_SOFTSIGN:
        for (long i = 0; i < n; i++) {
            float d = 1.0f + fabsf(z[i]);
            dz[i] = dy[i] / (d * d);
        }
        break;
    case IR_ACT_SELU:
        for (long i = 0; i < n; i++)
            dz[i] = z[i] > 0.0f ? dy[i] * ss : dy[i] * (y[i] + ss * sa);
        break;
    case IR_ACT_ELU:
        for (long i = 0; i < n; i++)
            dz[i] = z[i] > 0.0f ? dy[i] : dy[i] * (y[i] + ea);
        break;
    case IR_ACT_EXPONENTIAL:
        for (long i = 0; i < n; i++)
            dz[i] = dy[i] * y[i];
        break;
    case IR_ACT_HARD_SIGMOID:
        for (long i = 0; i < n; i++) {
            float g = 0.2f * dy[i];
            dz[i] = (z[i] > -2.5f && z[i] < 2.5f) ? g : 0.0f;
        }
        break;
    case IR_ACT_LEAKY_RELU:
        for (long i = 0; i < n; i++)
            dz[i] = z[i] > 0.0f ? dy[i] : la * dy[i];
        break;
    case IR_ACT_GELU:
        for (long i = 0; i < n; i++) {
            float x = z[i];
            float cdf = 0.5f * (1.0f + erff(x * 0.70710678118654752f));
            float pdf = 0.39894228040143268f * expf(-0.5f * x * x);
            dz[i] = dy[i] * (cdf + x * pdf);
        }
        break;
    case IR_ACT_SWISH:
        for (long i = 0; i < n; i++) {
            float s = sigmoidf(z[i]);
            dz[i] = dy[i] * (s + z[i] * s * (1.0f - s));
        }
        break;
    case IR_ACT_COUNT:
        break;
    }
}

bool rt_act_saturates(ir_act a)
{
    return a == IR_ACT_SIGMOID || a == IR_ACT_TANH || a == IR_ACT_HARD_SIGMOID;
}

double rt_act_saturation_bound(ir_act a)
{
    return a == IR_ACT_HARD_SIGMOID ? RT_HARD_SIGMOID_EDGE : RT_SATURATION;
}
