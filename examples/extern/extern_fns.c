/* extern_fns.c: C functions for dnnc's `function` blocks, one of each role
 * and form (built as libdnnc_extern.so by `make` and `make check`; the
 * programs beside this file use them, see README.md there).
 *
 *   mish, mish_grad                  scalar activation and its derivative (double)
 *   mish_vector, mish_vector_grad    the same as a vector activation (float)
 *   swish_beta                       scalar activation with a parameter, no derivative
 *   swish_beta_vector(_grad)         the same as a vector activation (double)
 *   huber, huber_grad                loss: Huber with delta 1, mean over the values
 *   f1                               metric: F1 score of the positive class
 *
 * Mish is x tanh(softplus(x)) (Misra, "Mish: A Self Regularized Non-Monotonic
 * Activation Function", BMVC 2020); swish with beta is x sigmoid(beta x)
 * (Ramachandran et al., "Searching for Activation Functions", 2017); the Huber
 * loss is 0.5 e^2 for |e| <= delta, else delta (|e| - 0.5 delta) (Huber,
 * "Robust Estimation of a Location Parameter", 1964).
 */
#include <math.h>
#include <stddef.h>

/* The signatures dnnc calls, as the `function` blocks declare them. */
double mish(double x);
double mish_grad(double x);
void mish_vector(const float *x, float *y, size_t n);
void mish_vector_grad(const float *x, float *d, size_t n);
float swish_beta(float x, float beta);
void swish_beta_vector(const double *x, double *y, size_t n, double beta);
void swish_beta_vector_grad(const double *x, double *d, size_t n, double beta);
float huber(const float *pred, const float *target, size_t n);
void huber_grad(const float *pred, const float *target, size_t n, float *grad);
float f1(const float *pred, const float *target, size_t n);

/* softplus(x) = log(1 + e^x), without overflow for large x. */
static double softplus(double x)
{
    return x > 20 ? x : log1p(exp(x));
}

static double sigmoid(double x)
{
    return 1 / (1 + exp(-x));
}

double mish(double x)
{
    return x * tanh(softplus(x));
}

/* d/dx x tanh(sp(x)) = tanh(sp(x)) + x sigmoid(x) (1 - tanh(sp(x))^2). */
double mish_grad(double x)
{
    double t = tanh(softplus(x));
    return t + x * sigmoid(x) * (1 - t * t);
}

void mish_vector(const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = (float)mish(x[i]);
}

void mish_vector_grad(const float *x, float *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        d[i] = (float)mish_grad(x[i]);
}

float swish_beta(float x, float beta)
{
    return x * (float)sigmoid((double)beta * x);
}

void swish_beta_vector(const double *x, double *y, size_t n, double beta)
{
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] * sigmoid(beta * x[i]);
}

/* d/dx x s(bx) = s(bx) + b x s(bx) (1 - s(bx)). */
void swish_beta_vector_grad(const double *x, double *d, size_t n, double beta)
{
    for (size_t i = 0; i < n; i++) {
        double s = sigmoid(beta * x[i]);
        d[i] = s + beta * x[i] * s * (1 - s);
    }
}

float huber(const float *pred, const float *target, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double e = fabs((double)pred[i] - target[i]);
        sum += e <= 1 ? 0.5 * e * e : e - 0.5;
    }
    return n ? (float)(sum / (double)n) : 0.0f;
}

void huber_grad(const float *pred, const float *target, size_t n, float *grad)
{
    for (size_t i = 0; i < n; i++) {
        double e = (double)pred[i] - target[i];
        grad[i] = (float)((e > 1 ? 1 : e < -1 ? -1 : e) / (double)n);
    }
}

/* Predictions above 0.5 count as positive; targets are 0 or 1.  With no
 * positive prediction and no positive target, F1 is 1 (nothing was missed). */
float f1(const float *pred, const float *target, size_t n)
{
    double tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < n; i++) {
        int p = pred[i] > 0.5f, t = target[i] > 0.5f;
        tp += p && t;
        fp += p && !t;
        fn += !p && t;
    }
    return tp + fp + fn > 0 ? (float)(2 * tp / (2 * tp + fp + fn)) : 1.0f;
}
