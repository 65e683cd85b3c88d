/* loss.c: every loss of ir_enums.h (IR_LOSSES), following tf.keras.losses.
 *
 * Per-row reductions are those of Keras: the cross-entropies, categorical
 * hinge and KL divergence sum over the last axis, the others (mse, mae, mape,
 * msle, binary cross-entropy, hinge, squared hinge, logcosh, huber, poisson)
 * average over it.  Epsilons and clipping are Keras's (epsilon 1e-7): the
 * gradient of a clipped value is zero outside the clip range, as TensorFlow's
 * clip_by_value gradient.  hinge and squared_hinge map 0/1 targets to -1/+1
 * when every target of the batch is 0 or 1 (Keras's _maybe_convert_labels).
 * huber uses delta = 1.  Row losses are accumulated in double.
 *
 * Each loss is one row function (row_NAME) giving a row's value and, when
 * asked, its gradient; loss_rows, built from IR_LOSSES, indexes them by loss.
 */
#include "loss.h"

#include <math.h>

#define EPS RT_KERAS_EPSILON

bool rt_loss_fused(ir_loss l, ir_act a)
{
    if (a == IR_ACT_SOFTMAX)
        return l == IR_LOSS_CATEGORICAL_CROSSENTROPY ||
               l == IR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY;
    if (a == IR_ACT_SIGMOID)
        return l == IR_LOSS_BINARY_CROSSENTROPY;
    return false;
}

int rt_loss_target_width(ir_loss l, int k)
{
    return l == IR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY ? 1 : k;
}

static double clampd(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static double inside(double x, double lo, double hi)
{
    return x >= lo && x <= hi ? 1.0 : 0.0;
}

static double signd(double x)
{
    return (x > 0) - (x < 0);
}

/* Softmax cross-entropy from logits Z against weights Y (one-hot or soft). */
static double xent_logits(const float *z, const float *y, int k, float *g, double scale)
{
    double mx = z[0], sum = 0.0, ysum = 0.0, dot = 0.0;
    for (int j = 1; j < k; j++)
        mx = fmax(mx, z[j]);
    for (int j = 0; j < k; j++) {
        sum += exp(z[j] - mx);
        ysum += y[j];
        dot += y[j] * (z[j] - mx);
    }
    double lse = log(sum);
    if (g)
        for (int j = 0; j < k; j++)
            g[j] = (float)(scale * (exp(z[j] - mx - lse) * ysum - y[j]));
    return lse * ysum - dot;
}

/* Keras categorical_crossentropy on probabilities: normalise, clip, -sum y log. */
static double xent_probs(const float *p, const float *y, int k, float *g, double scale)
{
    double s = 0.0, loss = 0.0, gp = 0.0;
    for (int j = 0; j < k; j++)
        s += p[j];
    for (int j = 0; j < k; j++) {
        double q = p[j] / s;
        loss -= y[j] * log(clampd(q, EPS, 1 - EPS));
        double dq = -y[j] / q * inside(q, EPS, 1 - EPS);
        if (g)
            g[j] = (float)dq;
        gp += dq * p[j];
    }
    /* through q = p / s: dp_i = dq_i / s - sum_j dq_j p_j / s^2 */
    if (g)
        for (int j = 0; j < k; j++)
            g[j] = (float)(scale * (g[j] / s - gp / (s * s)));
    return loss;
}

/* Keras sparse_categorical_crossentropy on probabilities: clip, then
 * softmax cross-entropy of log(p), that is -log(q_c / sum q). */
static double sparse_probs(const float *p, int c, int k, float *g, double scale)
{
    double sq = 0.0;
    for (int j = 0; j < k; j++)
        sq += clampd(p[j], EPS, 1 - EPS);
    double qc = clampd(p[c], EPS, 1 - EPS);
    if (g)
        for (int j = 0; j < k; j++) {
            double q = clampd(p[j], EPS, 1 - EPS);
            double dq = 1.0 / sq - (j == c ? 1.0 / q : 0.0);
            g[j] = (float)(scale * dq * inside(p[j], EPS, 1 - EPS));
        }
    return log(sq) - log(qc);
}

static bool labels_binary(const float *t, long n)
{
    for (long i = 0; i < n; i++)
        if (t[i] != 0.0f && t[i] != 1.0f)
            return false;
    return true;
}

/* What one row's loss function reads: the row's outputs and targets, where
 * its gradient goes, and the batch's settings. */
typedef struct loss_row {
    bool fused;          /* the output activation is folded in: p holds logits */
    bool convert;        /* hinge: 0/1 targets are mapped to -1/+1 */
    const float *p;      /* the row's k outputs */
    const float *y;      /* its targets (rt_loss_target_width values) */
    int k;               /* outputs per row */
    float *g;            /* where the row's gradient of the batch mean goes (NULL: none) */
    double rs, es;       /* 1/n (batch mean) and 1/(n k) (batch and last-axis mean) */
} loss_row;

/* A loss on one row: its value, and its gradient into in->g when set. */
typedef double (*loss_row_fn)(const loss_row *in);

/* categorical_crossentropy: value and gradient of one row. */
static double row_categorical_crossentropy(const loss_row *in)
{
    const float *p = in->p, *y = in->y;
    int k = in->k;
    float *g = in->g;
    double rs = in->rs;
    bool fused = in->fused;
    double row = 0.0;
    row = fused ? xent_logits(p, y, k, g, rs) : xent_probs(p, y, k, g, rs);
    return row;
}

/* sparse_categorical_crossentropy: value and gradient of one row. */
static double row_sparse_categorical_crossentropy(const loss_row *in)
{
    const float *p = in->p, *y = in->y;
    int k = in->k;
    float *g = in->g;
    double rs = in->rs;
    bool fused = in->fused;
    double row = 0.0;
    int c = (int)y[0];
    if (fused) {
        double mx = p[0], sum = 0.0;
        for (int j = 1; j < k; j++)
            mx = fmax(mx, p[j]);
        for (int j = 0; j < k; j++)
            sum += exp(p[j] - mx);
        double lse = log(sum) + mx;
        row = lse - p[c];
        if (g)
            for (int j = 0; j < k; j++)
                g[j] = (float)(rs * (exp(p[j] - lse) - (j == c)));
    } else {
        row = sparse_probs(p, c, k, g, rs);
    }
    return row;
}

/* binary_crossentropy: value and gradient of one row. */
static double row_binary_crossentropy(const loss_row *in)
{
    const float *p = in->p, *y = in->y;
    int k = in->k;
    float *g = in->g;
    double es = in->es;
    bool fused = in->fused;
    double row = 0.0;
    for (int j = 0; j < k; j++) {
        double t = y[j], v = p[j];
        if (fused) {
            /* sigmoid_cross_entropy_with_logits */
            row += fmax(v, 0) - v * t + log1p(exp(-fabs(v)));
            if (g) {
                double s = v >= 0 ? 1 / (1 + exp(-v)) : exp(v) / (1 + exp(v));
                g[j] = (float)(es * (s - t));
            }
        } else {
            double q = clampd(v, EPS, 1 - EPS);
            row -= t * log(q + EPS) + (1 - t) * log(1 - q + EPS);
            if (g)
                g[j] = (float)(es * inside(v, EPS, 1 - EPS) *
                               (-t / (q + EPS) + (1 - t) / (1 - q + EPS)));
        }
    }
    row /= k;
    return row;
}

/* mse: value and gradient of one row. */
static double row_mse(const loss_row *in)
{
    const float *p = in->p, *y = in->y;
    int k = in->k;
    float *g = in->g;
    double es = in->es;
    double row = 0.0;
    for (int j = 0; j < k; j++) {
        double d = (double)p[j] - y[j];
        row += d * d;
        if (g)
            g[j] = (float)(es * 2 * d);
    }
    row /= k;
    return row;
}

/* mae: value and gradient of one row. */
static double row_mae(const loss_row *in)
{
    const float *p = in->p, *y = in->y;
    int k = in->k;
    float *g = in->g;
    double es = in->es;
    double row = 0.0;
    for (int j = 0; j < k; j++) {
        double d = (double)p[j] - y[j];
        row += fabs(d);
        if (g)
            g[j] = (float)(es * signd(d));
    }
    row /= k;
    return row;
}

/* mape: value and gradient of one row. */
static double row_mape(const loss_row *in)
{
    const float *p = in->p, *y = in->y;
    int k = in->k;
    float *g = in->g;
    double es = in->es;
    double row = 0.0;
    for (int j = 0; j < k; j++) {
        double d = (double)p[j] - y[j], den = fmax(fabs(y[j]), EPS);
        row += 100.0 * fabs(d) / den;
        if (g)
            g[j] = (float)(es * 100.0 * signd(d) / den);
    }
    row /= k;
    return row;
}

/* msle: value and gradient of one row. */
static double row_msle(const loss_row *in)
{
    const float *p = in->p, *y = in->y;
    int k = in->k;
    float *g = in->g;
    double es = in->es;
    double row = 0.0;
    for (int j = 0; j < k; j++) {
        double a = log(fmax(p[j], EPS) + 1), b = log(fmax(y[j], EPS) + 1);
        row += (a - b) * (a - b);
        if (g)
            g[j] = (float)(es * 2 * (a - b) * (p[j] >= EPS) / (fmax(p[j], EPS) + 1));
    }
    row /= k;
    return row;
}

/* hinge (SQ false) or squared_hinge (SQ true): value and gradient of one row. */
static double hinge_row(const loss_row *in, bool sq)
{
    const float *p = in->p, *y = in->y;
    int k = in->k;
    float *g = in->g;
    double es = in->es;
    bool convert = in->convert;
    double row = 0.0;
    for (int j = 0; j < k; j++) {
        double t = convert ? 2.0 * y[j] - 1.0 : y[j];
        double m = fmax(1.0 - t * p[j], 0.0);
        row += sq ? m * m : m;
        if (g)
            g[j] = (float)(es * (m > 0 ? -t * (sq ? 2 * m : 1.0) : 0.0));
    }
    row /= k;
    return row;
}

static double row_hinge(const loss_row *in)
{
    return hinge_row(in, false);
}

static double row_squared_hinge(const loss_row *in)
{
    return hinge_row(in, true);
}

/* categorical_hinge: value and gradient of one row. */
static double row_categorical_hinge(const loss_row *in)
{
    const float *p = in->p, *y = in->y;
    int k = in->k;
    float *g = in->g;
    double rs = in->rs;
    double row = 0.0;
    double pos = 0.0, neg = -INFINITY;
    int arg = 0;
    for (int j = 0; j < k; j++) {
        pos += (double)y[j] * p[j];
        double v = (1.0 - y[j]) * p[j];
        if (v > neg) {
            neg = v;
            arg = j;
        }
    }
    row = fmax(neg - pos + 1.0, 0.0);
    if (g)
        for (int j = 0; j < k; j++)
            g[j] = row > 0 ? (float)(rs * (-y[j] + (j == arg ? 1.0 - y[j] : 0.0))) : 0.0f;
    return row;
}

/* logcosh: value and gradient of one row. */
static double row_logcosh(const loss_row *in)
{
    const float *p = in->p, *y = in->y;
    int k = in->k;
    float *g = in->g;
    double es = in->es;
    double row = 0.0;
    for (int j = 0; j < k; j++) {
        double d = (double)p[j] - y[j];
        /* x + softplus(-2x) - log 2, stable for large |x| */
        double sp = fmax(-2 * d, 0) + log1p(exp(-fabs(2 * d)));
        row += d + sp - 0.69314718055994531;
        if (g)
            g[j] = (float)(es * tanh(d));
    }
    row /= k;
    return row;
}

/* huber: value and gradient of one row. */
static double row_huber(const loss_row *in)
{
    const float *p = in->p, *y = in->y;
    int k = in->k;
    float *g = in->g;
    double es = in->es;
    double row = 0.0;
    for (int j = 0; j < k; j++) {
        double d = (double)p[j] - y[j], a = fabs(d);
        row += a <= 1.0 ? 0.5 * d * d : a - 0.5;
        if (g)
            g[j] = (float)(es * (a <= 1.0 ? d : signd(d)));
    }
    row /= k;
    return row;
}

/* kl_divergence: value and gradient of one row. */
static double row_kl_divergence(const loss_row *in)
{
    const float *p = in->p, *y = in->y;
    int k = in->k;
    float *g = in->g;
    double rs = in->rs;
    double row = 0.0;
    for (int j = 0; j < k; j++) {
        double t = clampd(y[j], EPS, 1), q = clampd(p[j], EPS, 1);
        row += t * log(t / q);
        if (g)
            g[j] = (float)(rs * -t / q * inside(p[j], EPS, 1));
    }
    return row;
}

/* poisson: value and gradient of one row. */
static double row_poisson(const loss_row *in)
{
    const float *p = in->p, *y = in->y;
    int k = in->k;
    float *g = in->g;
    double es = in->es;
    double row = 0.0;
    for (int j = 0; j < k; j++) {
        row += p[j] - y[j] * log((double)p[j] + EPS);
        if (g)
            g[j] = (float)(es * (1.0 - y[j] / ((double)p[j] + EPS)));
    }
    row /= k;
    return row;
}

/* Every loss's row function, indexed by the loss: the table is built from
 * IR_LOSSES, so a loss without its row_NAME function does not compile. */
#define LOSS_X_ROW(id, name) [IR_LOSS_##id] = row_##name,
static const loss_row_fn loss_rows[IR_LOSS_COUNT] = {IR_LOSSES(LOSS_X_ROW)};

double rt_loss(ir_loss l, bool fused, const float *out, const float *target,
               int n, int k, float *grad)
{
    double total = 0.0;
    loss_row a = {fused, false, NULL, NULL, k, NULL, 1.0 / n, 1.0 / (n * (double)k)};
    a.convert = (l == IR_LOSS_HINGE || l == IR_LOSS_SQUARED_HINGE) && labels_binary(target, (long)n * k);
    loss_row_fn row = (int)l >= 0 && l < IR_LOSS_COUNT ? loss_rows[l] : NULL;
    for (int r = 0; row && r < n; r++) {
        a.p = out + (long)r * k;
        a.g = grad ? grad + (long)r * k : 0;
        a.y = target + (long)r * rt_loss_target_width(l, k);
        total += row(&a);
    }
    return total * a.rs;
}
