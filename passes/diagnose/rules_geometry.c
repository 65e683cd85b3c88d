/* rules_geometry.c: the static rule on feature-map geometry (`feature-map`).
 *
 * Convolutions without padding, strides and pooling windows shrink the
 * spatial size of the feature maps layer by layer (out = floor((in - k) / s)
 * + 1 for valid padding, ceil(in / s) for same).  Shape inference rejects a
 * window larger than its input; what it accepts may still leave the
 * classifier nothing to work with:
 *
 *   - a collapse: a map of 1x1 (or one smaller than the window of the next
 *     convolution, which then sees mostly padding) before the classifier, so
 *     the spatial layout of the input is gone before any layer could use it;
 *   - skipped inputs: a stride larger than its window, so some rows or
 *     columns of every map are never read by any unit.
 *
 * The suspects are the layers that did the shrinking, each at the attribute
 * that shrank the map (a pooling window or stride, a convolution's stride or
 * kernel), the one that shrank it most first, each scored by its share of
 * the shrinkage.  The evidence gives every spatial layer's size and the
 * receptive field of the last one (how much of the input one of its units
 * sees).  Neuralint (Nikanjam et al., TOSEM 2021) checks convolution and
 * pooling geometry on the graph of a Keras model; the collapse and
 * skipped-input conditions here are stated from the shape arithmetic above.
 * A receptive field smaller than the input is not flagged: a dense layer
 * after flatten combines every position.
 */
#include "diagnose_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Score of the layer that shrank a collapsing map most, and of one that
 * looks like deliberate global pooling (a pooling window exactly the size of
 * a map of at least DX_GLOBAL_POOL_SIDE, over at least DX_GLOBAL_POOL_CHANNELS
 * channels). */
#define DX_COLLAPSE_SCORE 0.7
#define DX_GLOBAL_POOL_SCORE 0.35
#define DX_GLOBAL_POOL_SIDE 4
#define DX_GLOBAL_POOL_CHANNELS 16
/* Score of a stride that skips inputs. */
#define DX_SKIP_SCORE 0.5
/* Smallest share of the shrinkage that makes a layer a suspect too. */
#define DX_SHRINK_SHARE 0.25

static bool spatial(const ir_node *n)
{
    return (n->op == IR_OP_CONV2D || n->op == IR_OP_MAXPOOL || n->op == IR_OP_AVGPOOL) &&
           n->in_shape.rank == 3 && n->out_shape.rank == 3;
}

static ir_int2 window_of(const ir_node *n)
{
    return n->op == IR_OP_CONV2D ? n->kernel : n->pool;
}

/* The attribute of spatial layer N that shrinks its map: a stride written
 * apart from its window, else the window (a pool's size, a convolution's
 * stride when above 1, else its kernel). */
static ir_nattr shrinking_attr(const ir_node *n)
{
    if (n->op == IR_OP_CONV2D)
        return n->stride.h > 1 || n->stride.w > 1 ? IR_NATTR_STRIDE : IR_NATTR_KERNEL;
    bool stride_apart = n->attr_span[IR_NATTR_STRIDE].line > 0 &&
                        (n->stride.h != n->pool.h || n->stride.w != n->pool.w);
    return stride_apart ? IR_NATTR_STRIDE : IR_NATTR_POOL;
}

static const char *attr_name(ir_nattr a)
{
    return a == IR_NATTR_STRIDE ? "stride" : a == IR_NATTR_KERNEL ? "kernel" : "pool";
}

/* log of the area a spatial layer shrinks its map by (0 when it does not). */
static double shrink_of(const ir_node *n)
{
    double in = (double)n->in_shape.dim[0] * n->in_shape.dim[1];
    double out = (double)n->out_shape.dim[0] * n->out_shape.dim[1];
    return out > 0 && in > out ? log(in / out) : 0.0;
}

/* Whether spatial layer N's window is larger than its input map (same
 * padding lets a convolution through: it then sees mostly padding). */
static bool window_exceeds_input(const ir_node *n)
{
    ir_int2 k = window_of(n);
    return n->in_shape.dim[0] < k.h || n->in_shape.dim[1] < k.w;
}

/* Where the map collapses: the first spatial layer whose output is 1x1 from
 * a larger input, or that feeds a convolution a map smaller than its window;
 * -1 if none. */
static int collapse_point(const ir_model *m, int *next_conv)
{
    *next_conv = -1;
    int last = -1;
    for (int i = 0; i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        if (!spatial(n))
            continue;
        if (n->op == IR_OP_CONV2D && last >= 0 && window_exceeds_input(n)) {
            *next_conv = i;
            return last;
        }
        if (n->out_shape.dim[0] * n->out_shape.dim[1] == 1 &&
            n->in_shape.dim[0] * n->in_shape.dim[1] > 1)
            return i;
        if (shrink_of(n) > 0)
            last = i;
    }
    return -1;
}

/* The receptive field (rows, columns of the input) of one unit of spatial
 * layer UPTO, through every spatial layer before it. */
static ir_int2 receptive_field(const ir_model *m, int upto)
{
    ir_int2 rf = {1, 1}, jump = {1, 1};
    for (int i = 0; i <= upto; i++) {
        const ir_node *n = &m->nodes[i];
        if (!spatial(n))
            continue;
        ir_int2 k = window_of(n);
        rf.h += (k.h - 1) * jump.h;
        rf.w += (k.w - 1) * jump.w;
        jump.h *= n->stride.h;
        jump.w *= n->stride.w;
    }
    return rf;
}

/* Writes the map sizes of the spatial layers up to UPTO into BUF. */
static void describe_maps(const ir_model *m, int upto, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = 0;
    for (int i = 0; i <= upto && len + 1 < size; i++) {
        const ir_node *n = &m->nodes[i];
        if (!spatial(n))
            continue;
        ir_int2 k = window_of(n);
        int w = snprintf(buf + len, size - len, "%s%s %dx%d -> %dx%d (window %dx%d, stride %dx%d)",
                         len ? ", " : "", n->name, n->in_shape.dim[0], n->in_shape.dim[1],
                         n->out_shape.dim[0], n->out_shape.dim[1], k.h, k.w, n->stride.h,
                         n->stride.w);
        if (w < 0)
            break;
        len += (size_t)w < size - len ? (size_t)w : size - len - 1;
    }
}

/* Whether spatial layer N looks like deliberate global pooling. */
static bool global_pooling(const ir_node *n)
{
    return n->op != IR_OP_CONV2D && n->pool.h == n->in_shape.dim[0] &&
           n->pool.w == n->in_shape.dim[1] && n->in_shape.dim[0] >= DX_GLOBAL_POOL_SIDE &&
           n->in_shape.dim[1] >= DX_GLOBAL_POOL_SIDE &&
           n->in_shape.dim[2] >= DX_GLOBAL_POOL_CHANNELS;
}

static int report_collapse(pass_ctx *ctx, const ir_model *m, int at, int next_conv)
{
    double total = 0.0, most = 0.0;
    for (int i = 0; i <= at; i++)
        if (spatial(&m->nodes[i])) {
            double s = shrink_of(&m->nodes[i]);
            total += s;
            most = s > most ? s : most;
        }
    if (!(total > 0))
        return 0;
    const ir_node *c = &m->nodes[at];
    double top = global_pooling(c) ? DX_GLOBAL_POOL_SCORE : DX_COLLAPSE_SCORE;
    ir_int2 rf = receptive_field(m, at);
    const ir_shape *in = &m->nodes[0].out_shape;
    char maps[200];
    describe_maps(m, at, maps, sizeof maps);
    int found = 0;
    for (int i = 0; i <= at; i++) {
        const ir_node *n = &m->nodes[i];
        double s = spatial(n) ? shrink_of(n) : 0.0;
        if (!(s > 0) || s < DX_SHRINK_SHARE * total)
            continue;
        /* The largest shrinker gets the full score, the others their share of it. */
        double score = top * (s >= most ? 1.0 : s / most);
        ir_nattr a = shrinking_attr(n);
        suspect *f;
        if (next_conv >= 0)
            f = dx_find(ctx->found, "feature-map", score, DX_R(GEOMETRY),
                        "%s's %s shrinks the feature map to %dx%d, smaller than %s's %dx%d "
                        "kernel", n->name, attr_name(a), c->out_shape.dim[0],
                        c->out_shape.dim[1], m->nodes[next_conv].name,
                        m->nodes[next_conv].kernel.h, m->nodes[next_conv].kernel.w);
        else
            f = dx_find(ctx->found, "feature-map", score, DX_R(GEOMETRY),
                        "%s's %s helps shrink the feature map to 1x1 before the classifier: "
                        "the input's spatial layout is gone", n->name, attr_name(a));
        dx_at_node(f, n, a);
        dx_evidence(f, "input %dx%d; %.150s; receptive field %dx%d; this layer's share of the "
                    "shrinkage %.0f%%", in->rank >= 2 ? in->dim[0] : 0,
                    in->rank >= 2 ? in->dim[1] : 0, maps, rf.h, rf.w, 100.0 * s / total);
        found++;
    }
    return found;
}

int dx_rule_feature_map(pass_ctx *ctx)
{
    const ir_model *m = ctx->facts->model;
    if (!m)
        return 0;
    int found = 0, next_conv;
    int at = collapse_point(m, &next_conv);
    if (at >= 0)
        found += report_collapse(ctx, m, at, next_conv);
    for (int i = 0; i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        ir_int2 k = spatial(n) ? window_of(n) : (ir_int2){0, 0};
        if (!spatial(n) || (n->stride.h <= k.h && n->stride.w <= k.w))
            continue;
        suspect *f = dx_find(ctx->found, "feature-map", DX_SKIP_SCORE, DX_R(GEOMETRY),
                             "%s's stride %dx%d is larger than its %dx%d window: some rows or "
                             "columns of its input are never read", n->name, n->stride.h,
                             n->stride.w, k.h, k.w);
        dx_at_node(f, n, IR_NATTR_STRIDE);
        dx_evidence(f, "%s %dx%d -> %dx%d; window %dx%d, stride %dx%d", n->name,
                    n->in_shape.dim[0], n->in_shape.dim[1], n->out_shape.dim[0],
                    n->out_shape.dim[1], k.h, k.w, n->stride.h, n->stride.w);
        found++;
    }
    return found;
}
