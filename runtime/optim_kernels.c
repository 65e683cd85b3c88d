/* optim_kernels.c: the elementwise update rules of the optimisers (optim.h).
 *
 * The formulas and their sources are in optim.c's opening comment; here each
 * rule runs on simd.h's 8-float vectors.  A kernel source (kernels.h):
 * compiled once per kernel set, each external function named through
 * RT_KERNEL.
 */
#include "optim.h"

#include <string.h>

#include "kernels.h"
#include "simd.h"

/* One rule on 8 weights W with gradients G and slots S1, S2, as vectors
 * (GCC does not vectorise these loops at -O2 by itself, and sqrtf's errno
 * would stop it anyway).  The arithmetic is the formulas' above, operation
 * for operation, so results equal a scalar loop's. */
static inline __attribute__((always_inline)) void update8(const rt_optim *o, const rt_step_coef *k,
                                                          float *w, const float *g, float *s1,
                                                          float *s2)
{
    const v8 lr = splat(k->lr), eps = splat((float)o->epsilon), one = splat(1.0f);
    const v8 mom = splat((float)o->momentum), rho = splat((float)o->rho);
    const v8 b1 = splat((float)o->beta_1), b2 = splat((float)o->beta_2);
    const bool uses_s2 = o->kind == IR_OPT_ADADELTA || o->kind == IR_OPT_ADAM ||
                         o->kind == IR_OPT_ADAMAX || o->kind == IR_OPT_NADAM ||
                         (o->kind == IR_OPT_RMSPROP && (float)o->momentum != 0.0f);
    const bool uses_s1 = uses_s2 || o->kind == IR_OPT_RMSPROP || o->kind == IR_OPT_ADAGRAD ||
                         (o->kind == IR_OPT_SGD && (float)o->momentum != 0.0f);
    /* Slots are read and written only by the rules that have them: the step
     * is bound by memory traffic on large layers. */
    v8 W = load8(w), G = load8(g), A = uses_s1 ? load8(s1) : W, B = uses_s2 ? load8(s2) : W;
    switch (o->kind) {
    case IR_OPT_SGD:
        if ((float)o->momentum == 0.0f) {
            W -= lr * G;
        } else {
            A = mom * A - lr * G;
            W += o->nesterov ? mom * A - lr * G : A;
        }
        break;
    case IR_OPT_RMSPROP:
        A = rho * A + (one - rho) * G * G;
        if ((float)o->momentum == 0.0f) {
            W -= lr * G / (sqrt8(A) + eps);
        } else {
            B = mom * B + lr * G / (sqrt8(A) + eps);
            W -= B;
        }
        break;
    case IR_OPT_ADAGRAD:
        A += G * G;
        W -= lr * G / (sqrt8(A) + eps);
        break;
    case IR_OPT_ADADELTA: {
        A = rho * A + (one - rho) * G * G;
        v8 u = sqrt8(B + eps) / sqrt8(A + eps) * G;
        B = rho * B + (one - rho) * u * u;
        W -= lr * u;
        break;
    }
    case IR_OPT_ADAM:
        A = b1 * A + (one - b1) * G;
        B = b2 * B + (one - b2) * G * G;
        W -= lr * A / (sqrt8(B) + eps);
        break;
    case IR_OPT_ADAMAX:
        A = b1 * A + (one - b1) * G;
        B = max8(b2 * B, abs8(G));
        W -= lr * A / (B + eps);
        break;
    case IR_OPT_NADAM: {
        A = b1 * A + (one - b1) * G;
        B = b2 * B + (one - b2) * G * G;
        v8 mbar = splat(k->a) * G + splat(k->b) * A;
        W -= lr * mbar / (sqrt8(B * splat(k->c)) + eps);
        break;
    }
    case IR_OPT_COUNT:
        break;
    }
    store8(w, W);
    if (uses_s1)
        store8(s1, A);
    if (uses_s2)
        store8(s2, B);
}

/* Updates N weights W from gradients G with slots S1, S2: 8 at a time, the
 * last few through a padded copy. */
void RT_KERNEL(rt_optim_update)(const rt_optim *o, const rt_step_coef *k, float *w,
                                const float *g, float *s1, float *s2, long n)
{
    long i = 0;
    for (; i + 8 <= n; i += 8)
        update8(o, k, w + i, g + i, s1 + i, s2 + i);
    if (i == n)
        return;
    float t[4][8] = {{0}};
    size_t rest = sizeof(float) * (size_t)(n - i);
    memcpy(t[0], w + i, rest);
    memcpy(t[1], g + i, rest);
    memcpy(t[2], s1 + i, rest);
    memcpy(t[3], s2 + i, rest);
    update8(o, k, t[0], t[1], t[2], t[3]);
    memcpy(w + i, t[0], rest);
    memcpy(s1 + i, t[2], rest);
    memcpy(s2 + i, t[3], rest);
}
