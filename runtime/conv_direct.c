/* conv_direct.c: direct convolution kernels for small channel counts.
 *
 * When a convolution has few channels (LeNet's 1 -> 6 -> 16), im2col + GEMM is
 * slow: the GEMMs are skinny and im2col copies 1-channel pixels one float at
 * a time.  These kernels instead vectorise over output channels (8 floats,
 * padded: 6 channels use one vector, 16 use two) and keep a block of pixels'
 * (or kernel rows') accumulators in registers:
 *   forward  z[pix][:]   = sum_{ky,kx,c} x[pix + (ky,kx)][c] * W[ky][kx][c][:]
 *   kernel   dW[ky][kx][c][:] = sum_pix x[pix + (ky,kx)][c] * dz[pix][:]
 *   input    dx[pix + (ky,kx)][:] += sum_o dz[pix][o] * W[ky][kx][:][o]
 * The input is copied into a zero-padded buffer first (same padding), so the
 * inner loops have no bounds tests; the input gradient is scattered into a
 * padded buffer and cropped.  Weights are repacked with channels padded to a
 * multiple of 8 once per call.  Work is cut into chunks of samples for the
 * worker threads (workers.h); each chunk sums its own kernel gradient and the
 * partial sums are added in chunk order, so results are deterministic for a
 * given thread count.
 * Vectors are simd.h's 8-float GCC vector extensions.  A kernel source
 * (kernels.h): compiled once per kernel set, each external function named
 * through RT_KERNEL.
 */
#include "conv.h"

#include <stdbool.h>
#include <string.h>

#include "kernels.h"
#include "simd.h"
#include "workers.h"

#define INLINE static inline __attribute__((always_inline))

/* Vector registers the target has (AVX-512 adds 16 more, usable by 8-float
 * vectors too): the kernel-gradient blocks keep that many accumulators. */
#if defined(__AVX512VL__)
#define VREGS 32
#else
#define VREGS 16
#endif
#define WROWS (VREGS - 4)       /* kernel rows per block, one output vector */
#define FACC (VREGS - 8)        /* forward accumulators per block (pixels x vectors) */
#define FPIX (FACC < 12 ? FACC : 12) /* most pixels in a forward block */
#define RPIX (VREGS > 16 ? 12 : 8) /* most pixels in an input-gradient run */

static int round8(int n)
{
    return (n + 7) & ~7;
}

int RT_KERNEL(rt_conv_direct_fits)(const rt_conv_geom *g)
{
    return g->oc <= 16 && g->ic <= 16;
}

/* Extents of the padded input of one sample. */
static int padded_h(const rt_conv_geom *g)
{
    int need = (g->oh - 1) * g->sh + g->kh;
    return need > g->ih + g->pt ? need : g->ih + g->pt;
}

static int padded_w(const rt_conv_geom *g)
{
    int need = (g->ow - 1) * g->sw + g->kw;
    return need > g->iw + g->pl ? need : g->iw + g->pl;
}

/* Floats of scratch one chunk needs, and the shared floats. */
static long thread_floats(const rt_conv_geom *g)
{
    long ph = padded_h(g), pw = padded_w(g);
    long k = (long)g->kh * g->kw * g->ic;
    return ph * pw * (g->ic + round8(g->ic)) + (k + 1) * round8(g->oc) + 64;
}

static long shared_floats(const rt_conv_geom *g)
{
    long k = (long)g->kh * g->kw * g->ic;
    return k * round8(g->oc) + (long)g->kh * g->kw * g->oc * round8(g->ic) + round8(g->oc) +
           (long)g->n * g->oh * g->ow * round8(g->oc) + 64;
}

long RT_KERNEL(rt_conv_direct_work)(const rt_conv_geom *g, int chunks)
{
    return shared_floats(g) + chunks * thread_floats(g);
}

/* The workspace, cut into its parts. */
typedef struct direct_ws {
    float *wp;      /* kernel [kh*kw*ic][ocp] */
    float *wt;      /* kernel transposed [kh*kw][oc][icp] */
    float *bias;    /* bias [ocp] (zeros without one) */
    float *dzp;     /* output gradient [n*oh*ow][ocp] */
    float *thread;  /* per-chunk scratch, thread_floats each */
} direct_ws;

static direct_ws cut(const rt_conv_geom *g, float *work)
{
    long k = (long)g->kh * g->kw * g->ic;
    direct_ws w;
    w.wp = work;
    w.wt = w.wp + k * round8(g->oc);
    w.bias = w.wt + (long)g->kh * g->kw * g->oc * round8(g->ic);
    w.dzp = w.bias + round8(g->oc);
    w.thread = w.dzp + (long)g->n * g->oh * g->ow * round8(g->oc);
    /* keep per-chunk blocks 64-byte aligned */
    w.thread += (16 - ((w.thread - work) & 15)) & 15;
    return w;
}

/* Copies sample X into the zero-padded buffer XP. */
static void pad_copy(const rt_conv_geom *g, const float *x, float *xp)
{
    int ph = padded_h(g), pw = padded_w(g), ic = g->ic;
    memset(xp, 0, sizeof *xp * (size_t)(ph * pw * ic));
    for (int y = 0; y < g->ih; y++)
        memcpy(xp + ((long)(y + g->pt) * pw + g->pl) * ic, x + (long)y * g->iw * ic,
               sizeof *xp * (size_t)(g->iw * ic));
}

/* Sample X as the kernels read it: X itself when no padding is needed, else
 * copied into the zero-padded buffer XP. */
static const float *pad_input(const rt_conv_geom *g, const float *x, float *xp)
{
    if (padded_h(g) == g->ih && padded_w(g) == g->iw)
        return x;
    pad_copy(g, x, xp);
    return xp;
}

/* ---- forward ---- */

/* P output pixels of one row starting at X (the input under the first
 * pixel's window), OCV vectors of output channels each. */
INLINE void fwd_block(const float *x, long xstep, long xrow, const float *wp, int kh,
                      int kwic, const float *bias, bool relu, float *z, int oc, int P, int OCV)
{
    v8 acc[FACC];   /* P * OCV of them */
    if (P * OCV > FACC)
        return;     /* never called so: keeps the unused instantiations in bounds */
#pragma GCC unroll 24
    for (int i = 0; i < P * OCV; i++)
        acc[i] = load8(bias + (i % OCV) * 8);
    for (int ky = 0; ky < kh; ky++) {
        const float *xr = x + ky * xrow;
        const float *wr = wp + (long)ky * kwic * OCV * 8;
        for (int j = 0; j < kwic; j++) {
            v8 w0 = load8(wr + j * OCV * 8);
            v8 w1 = OCV > 1 ? load8(wr + j * OCV * 8 + 8) : w0;
#pragma GCC unroll 12
            for (int p = 0; p < P; p++) {
                v8 xv = splat(xr[p * xstep + j]);
                acc[p * OCV] = fma8(xv, w0, acc[p * OCV]);
                if (OCV > 1)
                    acc[p * OCV + 1] = fma8(xv, w1, acc[p * OCV + 1]);
            }
        }
    }
    if (relu)
#pragma GCC unroll 24
        for (int i = 0; i < P * OCV; i++)
            acc[i] = (v8)((v8i)acc[i] & (acc[i] > splat(0.0f)));
    if (oc == OCV * 8) {
#pragma GCC unroll 12
        for (int p = 0; p < P; p++)
            for (int v = 0; v < OCV; v++)
                store8(z + (long)p * oc + v * 8, acc[p * OCV + v]);
        return;
    }
    /* Fewer channels than lanes: a full store spills into the following
     * pixels, written afterwards, so it is used while it stays inside this
     * block's outputs; the others are stored lane by lane. */
    for (int p = 0; p < P; p++) {
        if ((long)p * oc + OCV * 8 <= (long)P * oc) {
            for (int v = 0; v < OCV; v++)
                store8(z + (long)p * oc + v * 8, acc[p * OCV + v]);
            continue;
        }
        float lanes[16];
        for (int v = 0; v < OCV; v++)
            store8(lanes + v * 8, acc[p * OCV + v]);
        for (int c = 0; c < oc; c++)
            z[(long)p * oc + c] = lanes[c];
    }
}

/* fwd_block with P a constant from 1 to FPIX (P * OCV <= FACC). */
INLINE void fwd_pixels(const float *x, long xstep, long xrow, const float *wp, int kh,
                       int kwic, const float *bias, bool relu, float *z, int oc, int P, int OCV)
{
    switch (P) {
#define PIX(k) case k: fwd_block(x, xstep, xrow, wp, kh, kwic, bias, relu, z, oc, k, OCV); break;
        PIX(1) PIX(2) PIX(3) PIX(4) PIX(5) PIX(6) PIX(7) PIX(8)
#if FPIX > 8
        PIX(9) PIX(10) PIX(11) PIX(12)
#endif
#undef PIX
    }
}

INLINE void fwd_sample(const rt_conv_geom *g, const float *xp, const float *wp,
                       const float *bias, bool relu, float *z, int OCV)
{
    const int pmax = FACC / OCV < FPIX ? FACC / OCV : FPIX;
    int pw = padded_w(g), ic = g->ic, kwic = g->kw * ic;
    long xstep = (long)g->sw * ic, xrow = (long)pw * ic;
    /* Each row in blocks of near-equal size: 14 pixels are 7 + 7, not 8 + 6 x 1. */
    int blocks = (g->ow + pmax - 1) / pmax;
    for (int oy = 0; oy < g->oh; oy++) {
        const float *xr = xp + (long)oy * g->sh * xrow;
        float *zr = z + (long)oy * g->ow * g->oc;
        for (int b = 0, ox = 0; b < blocks; b++) {
            int next = g->ow * (b + 1) / blocks;
            fwd_pixels(xr + ox * xstep, xstep, xrow, wp, g->kh, kwic, bias, relu,
                       zr + (long)ox * g->oc, g->oc, next - ox, OCV);
            ox = next;
        }
    }
}

/* T[p][o] = T[o][p]: an 8 x 8 transpose in three rounds of two-vector
 * shuffles (unpack, pairs, halves), as the AVX idiom. */
#define SHUF(a, b, ...) __builtin_shuffle(a, b, (v8i){__VA_ARGS__})
INLINE void transpose8(v8 *t)
{
    v8 u[8], s[8];
#pragma GCC unroll 4
    for (int i = 0; i < 8; i += 2) {
        u[i] = SHUF(t[i], t[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
        u[i + 1] = SHUF(t[i], t[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
    }
#pragma GCC unroll 2
    for (int i = 0; i < 8; i += 4) {
        s[i] = SHUF(u[i], u[i + 2], 0, 1, 8, 9, 4, 5, 12, 13);
        s[i + 1] = SHUF(u[i], u[i + 2], 2, 3, 10, 11, 6, 7, 14, 15);
        s[i + 2] = SHUF(u[i + 1], u[i + 3], 0, 1, 8, 9, 4, 5, 12, 13);
        s[i + 3] = SHUF(u[i + 1], u[i + 3], 2, 3, 10, 11, 6, 7, 14, 15);
    }
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) {
        t[i] = SHUF(s[i], s[i + 4], 0, 1, 2, 3, 8, 9, 10, 11);
        t[i + 4] = SHUF(s[i], s[i + 4], 4, 5, 6, 7, 12, 13, 14, 15);
    }
}
#undef SHUF

/* One input channel, stride 1 (a grayscale first layer): vectorised over 8
 * output pixels instead of over channels, so all 8 lanes do useful work
 * whatever the channel count; each weight is broadcast once per (ky, kx, o)
 * and serves R output rows.  Tiles that would overhang the right or bottom
 * edge are moved back to end at it (recomputing a few outputs), so every
 * tile is full.  The input is the zero-padded copy, read up to 8 floats past
 * its rows (inside the scratch block). */
INLINE void plane_tile(const float *xp, long pw, const float *w, const float *bias, bool relu,
                       int kh, int kw, float *z, long zrow, int room, int R, int OC)
{
    v8 acc[4][8];
#pragma GCC unroll 4
    for (int r = 0; r < R; r++)
#pragma GCC unroll 8
        for (int o = 0; o < OC; o++)
            acc[r][o] = splat(bias[o]);
    for (int ky = 0; ky < kh; ky++)
        for (int kx = 0; kx < kw; kx++) {
            v8 xv[4];
#pragma GCC unroll 4
            for (int r = 0; r < R; r++)
                xv[r] = load8(xp + (r + ky) * pw + kx);
            const float *wk = w + (ky * kw + kx) * OC;
#pragma GCC unroll 8
            for (int o = 0; o < OC; o++) {
                v8 wv = splat(wk[o]);
#pragma GCC unroll 4
                for (int r = 0; r < R; r++)
                    acc[r][o] = fma8(xv[r], wv, acc[r][o]);
            }
        }
#pragma GCC unroll 4
    for (int r = 0; r < R; r++) {
        v8 t[8];
#pragma GCC unroll 8
        for (int o = 0; o < 8; o++)
            t[o] = o >= OC ? splat(0.0f) : !relu ? acc[r][o]
                   : (v8)((v8i)acc[r][o] & (acc[r][o] > splat(0.0f)));
        transpose8(t);
        /* Pixel p's OC channels start at p * OC.  A full store spills into
         * the following pixels of the row, written afterwards (by this tile
         * or the next), so it is used while it stays inside the row (ROOM
         * pixels from the tile's first); the others are stored lane by lane. */
        float *zr = z + r * zrow;
#pragma GCC unroll 8
        for (int p = 0; p < 8; p++) {
            if (p * OC + 8 <= room * OC) {
                store8(zr + p * OC, t[p]);
                continue;
            }
#pragma GCC unroll 8
            for (int o = 0; o < OC; o++)
                zr[p * OC + o] = t[p][o];
        }
    }
}

INLINE void plane_sample(const rt_conv_geom *g, const float *xp, const float *w,
                         const float *bias, bool relu, float *z, int OC)
{
    const int rmax = (VREGS - 8) / OC;     /* rows whose accumulators fit */
    const int R = rmax < 1 ? 1 : rmax > 4 ? 4 : rmax;
    long pw = padded_w(g), zrow = (long)g->ow * OC;
    for (int oy = 0; oy < g->oh; oy += R) {
        int y = oy + R <= g->oh ? oy : g->oh - R;
        for (int ox = 0; ox < g->ow; ox += 8) {
            int x = ox + 8 <= g->ow ? ox : g->ow - 8;
            if (R <= g->oh)
                plane_tile(xp + y * pw + x, pw, w, bias, relu, g->kh, g->kw,
                           z + y * zrow + (long)x * OC, zrow, g->ow - x, R, OC);
            else
                for (int r = 0; r < g->oh; r++)
                    plane_tile(xp + (long)r * pw + x, pw, w, bias, relu, g->kh, g->kw,
                               z + r * zrow + (long)x * OC, zrow, g->ow - x, 1, OC);
        }
    }
}

/* Whether plane_sample handles G. */
static bool plane_fits(const rt_conv_geom *g)
{
    return g->ic == 1 && g->sh == 1 && g->sw == 1 && g->oc <= 8 && g->ow >= 8;
}

/* Arguments of a batch-parallel kernel call. */
typedef struct direct_job {
    const rt_conv_geom *g;  /* geometry of the whole batch */
    const float *x;         /* input batch */
    const float *w;         /* kernel, Keras layout */
    const float *dy;        /* output gradient batch (backward) */
    const float *y;         /* relu output, masking dy (backward), or NULL */
    bool relu;              /* apply relu to the output (forward) */
    float *z;               /* output batch (forward) */
    float *dx;              /* input gradient batch, or NULL */
    direct_ws ws;           /* workspace parts */
    int chunks;             /* chunks the batch is cut into */
} direct_job;

static void samples_of(const direct_job *j, int chunk, int *s0, int *s1)
{
    int n = j->g->n, t = j->chunks;
    *s0 = (int)((long)n * chunk / t);
    *s1 = (int)((long)n * (chunk + 1) / t);
}

/* One sample through plane_sample or fwd_sample, with the constants
 * instantiated; kept out of line so that each kernel gets the registers to
 * itself. */
static __attribute__((noinline)) void fwd_one(const rt_conv_geom *g, const float *xs,
                                              const direct_job *j, float *z)
{
    if (plane_fits(g)) {
        switch (g->oc) {
#define PLANE(k) case k: plane_sample(g, xs, j->w, j->ws.bias, j->relu, z, k); break;
            PLANE(1) PLANE(2) PLANE(3) PLANE(4) PLANE(5) PLANE(6) PLANE(7) PLANE(8)
#undef PLANE
        }
    } else if (g->oc <= 8) {
        fwd_sample(g, xs, j->ws.wp, j->ws.bias, j->relu, z, 1);
    } else {
        fwd_sample(g, xs, j->ws.wp, j->ws.bias, j->relu, z, 2);
    }
}

static void fwd_task(void *ctx, int task)
{
    const direct_job *j = ctx;
    const rt_conv_geom *g = j->g;
    float *xp = j->ws.thread + task * thread_floats(g);
    long in = (long)g->ih * g->iw * g->ic, out = (long)g->oh * g->ow * g->oc;
    int s0, s1;
    samples_of(j, task, &s0, &s1);
    for (int s = s0; s < s1; s++) {
        const float *xs = xp;
        if (plane_fits(g))      /* reads past its rows: always the padded copy */
            pad_copy(g, j->x + s * in, xp);
        else
            xs = pad_input(g, j->x + s * in, xp);
        fwd_one(g, xs, j, j->z + s * out);
    }
}

/* Kernel [kh*kw*ic][oc] to [kh*kw*ic][ocp], bias to [ocp]. */
static void pack_kernel(const rt_conv_geom *g, const float *w, const float *b, direct_ws *ws)
{
    int ocp = round8(g->oc);
    long k = (long)g->kh * g->kw * g->ic;
    memset(ws->wp, 0, sizeof *ws->wp * (size_t)(k * ocp));
    for (long r = 0; r < k; r++)
        memcpy(ws->wp + r * ocp, w + r * g->oc, sizeof *w * (size_t)g->oc);
    memset(ws->bias, 0, sizeof *ws->bias * (size_t)ocp);
    if (b)
        memcpy(ws->bias, b, sizeof *b * (size_t)g->oc);
}

void RT_KERNEL(rt_conv_direct_forward)(const rt_conv_geom *g, const float *x, const float *w,
                                       const float *b, bool relu, float *z, float *work,
                                       int threads)
{
    direct_job j = {g, x, w, NULL, NULL, relu, z, NULL, cut(g, work),
                    rt_workers_chunks(threads, g->n)};
    pack_kernel(g, w, b, &j.ws);
    rt_workers_run(threads, j.chunks, fwd_task, &j);
}

/* ---- backward ---- */

/* Kernel rows R0 .. R0 + R - 1 (flattened (ky, kx, c)), summed over the
 * pixels of one sample into DWP. */
INLINE void wgrad_block(const rt_conv_geom *g, const float *xp, const float *dzp, long r0,
                        float *dwp, int R, int OCV)
{
    int pw = padded_w(g), ic = g->ic, ocp = OCV * 8, kwic = g->kw * ic;
    v8 acc[2 * WROWS];      /* R * OCV of them; R <= WROWS / 2 when OCV is 2 */
    if (R * OCV > WROWS)
        return;     /* never called so: keeps the unused instantiations in bounds */
#pragma GCC unroll 32
    for (int i = 0; i < R * OCV; i++)
        acc[i] = splat(0.0f);
    long o[WROWS];  /* each row's offset from a pixel's window origin */
#pragma GCC unroll 28
    for (int r = 0; r < R; r++)
        o[r] = (r0 + r) / kwic * pw * ic + (r0 + r) % kwic;
    for (int oy = 0; oy < g->oh; oy++) {
        const float *xr = xp + (long)oy * g->sh * pw * ic;
        const float *dr = dzp + (long)oy * g->ow * ocp;
        for (int ox = 0; ox < g->ow; ox++) {
            const float *xo = xr + (long)ox * g->sw * ic;
            v8 d0 = load8(dr + (long)ox * ocp);
            v8 d1 = OCV > 1 ? load8(dr + (long)ox * ocp + 8) : d0;
#pragma GCC unroll 28
            for (int r = 0; r < R; r++) {
                v8 xv = splat(xo[o[r]]);
                acc[r * OCV] = fma8(xv, d0, acc[r * OCV]);
                if (OCV > 1)
                    acc[r * OCV + 1] = fma8(xv, d1, acc[r * OCV + 1]);
            }
        }
    }
#pragma GCC unroll 32
    for (int r = 0; r < R; r++)
        for (int v = 0; v < OCV; v++)
            store8(dwp + (long)r * ocp + v * 8,
                   load8(dwp + (long)r * ocp + v * 8) + acc[r * OCV + v]);
}

/* Calls wgrad_block with R a constant from 1 to WROWS (keeps the
 * accumulators in registers). */
INLINE void wgrad_rows(const rt_conv_geom *g, const float *xp, const float *dzp, long r0,
                       float *dwp, int R, int OCV)
{
    switch (R) {
#define ROWS(k) case k: wgrad_block(g, xp, dzp, r0, dwp, k, OCV); break;
        ROWS(1) ROWS(2) ROWS(3) ROWS(4) ROWS(5) ROWS(6)
        ROWS(7) ROWS(8) ROWS(9) ROWS(10) ROWS(11) ROWS(12)
#if WROWS > 12
        ROWS(13) ROWS(14) ROWS(15) ROWS(16) ROWS(17) ROWS(18) ROWS(19) ROWS(20)
        ROWS(21) ROWS(22) ROWS(23) ROWS(24) ROWS(25) ROWS(26) ROWS(27) ROWS(28)
#endif
#undef ROWS
    }
}

/* Stride 1, at most 8 output channels, a kernel width KW and IC input
 * channels known at compile time: the kernel gradient of KB kernel rows (in
 * KB * KW * IC accumulators) over a row of pixels, in runs of P.  Each input
 * value under a run is broadcast once and serves every (pixel, kx) pair that
 * reads it, instead of once per pair: a broadcast (and an offset) per
 * multiply-add made the generic block wait on loads.  XR holds the KB input
 * rows under the run's first pixel. */
INLINE void wgrad_run(const float *const *xr, const float *dr, v8 *acc, int P, int KB, int KW,
                      int IC)
{
    v8 d[8];
#pragma GCC unroll 8
    for (int p = 0; p < P; p++)
        d[p] = load8(dr + p * 8);
#pragma GCC unroll 5
    for (int kb = 0; kb < KB; kb++)
#pragma GCC unroll 8
        for (int cx = 0; cx < P + KW - 1; cx++)
#pragma GCC unroll 8
            for (int c = 0; c < IC; c++) {
                v8 xb = splat(xr[kb][cx * IC + c]);
#pragma GCC unroll 5
                for (int kx = 0; kx < KW; kx++)
                    if (cx - kx >= 0 && cx - kx < P) {
                        int a = (kb * KW + kx) * IC + c;
                        acc[a] = fma8(xb, d[cx - kx], acc[a]);
                    }
            }
}

/* The kernel gradient of one sample with wgrad_run, KB kernel rows at a
 * time (the whole kernel for one channel, one row otherwise). */
INLINE void wgrad_runs(const rt_conv_geom *g, const float *xp, const float *dzp, float *dwp,
                       int KB, int KW, int IC)
{
    enum { P = 4 };         /* pixels per run (5 or 6 spill registers) */
    long xrow = (long)padded_w(g) * IC;
    for (int ky0 = 0; ky0 < g->kh; ky0 += KB) {
        v8 acc[25];         /* KB * KW * IC of them */
        if (KB * KW * IC > 25)
            return;         /* never called so: keeps the unused instantiations in bounds */
#pragma GCC unroll 25
        for (int i = 0; i < KB * KW * IC; i++)
            acc[i] = splat(0.0f);
        for (int oy = 0; oy < g->oh; oy++) {
            const float *dr = dzp + (long)oy * g->ow * 8;
            const float *xr[5];
#pragma GCC unroll 5
            for (int kb = 0; kb < KB; kb++)
                xr[kb] = xp + (oy + ky0 + kb) * xrow;
            int ox = 0;
            for (; ox + P <= g->ow; ox += P) {
                wgrad_run(xr, dr + ox * 8, acc, P, KB, KW, IC);
#pragma GCC unroll 5
                for (int kb = 0; kb < KB; kb++)
                    xr[kb] += P * IC;
            }
            for (; ox < g->ow; ox++) {
                wgrad_run(xr, dr + ox * 8, acc, 1, KB, KW, IC);
#pragma GCC unroll 5
                for (int kb = 0; kb < KB; kb++)
                    xr[kb] += IC;
            }
        }
        float *dst = dwp + (long)ky0 * KW * IC * 8;
#pragma GCC unroll 25
        for (int i = 0; i < KB * KW * IC; i++)
            store8(dst + i * 8, load8(dst + i * 8) + acc[i]);
    }
}

/* The kernel gradient of one sample with wgrad_runs when G suits it (32
 * vector registers, stride 1, at most 8 filters, the kernel shapes
 * instantiated here); false otherwise. */
static bool wgrad_by_runs(const rt_conv_geom *g, const float *xp, const float *dzp, float *dwp)
{
    if (VREGS <= 16 || g->sh != 1 || g->sw != 1 || g->oc > 8)
        return false;
    if (g->ic == 1 && g->kh == 5 && g->kw == 5)
        wgrad_runs(g, xp, dzp, dwp, 5, 5, 1);
    else if (g->ic == 1 && g->kh == 3 && g->kw == 3)
        wgrad_runs(g, xp, dzp, dwp, 3, 3, 1);
    else if (g->kw == 3 && g->ic >= 2 && g->ic <= 8)
        switch (g->ic) {
#define IC3(k) case k: wgrad_runs(g, xp, dzp, dwp, 1, 3, k); break;
            IC3(2) IC3(3) IC3(4) IC3(5) IC3(6) IC3(7) IC3(8)
#undef IC3
        }
    else if (g->kw == 5 && g->ic >= 2 && g->ic <= 5)
        switch (g->ic) {
#define IC5(k) case k: wgrad_runs(g, xp, dzp, dwp, 1, 5, k); break;
            IC5(2) IC5(3) IC5(4) IC5(5)
#undef IC5
        }
    else
        return false;
    return true;
}

INLINE void wgrad_sample(const rt_conv_geom *g, const float *xp, const float *dzp,
                         float *dwp, int OCV)
{
    const int rmax = OCV == 1 ? WROWS : WROWS / 2;   /* accumulators in registers */
    long k = (long)g->kh * g->kw * g->ic;
    if (OCV == 1 && wgrad_by_runs(g, xp, dzp, dwp))
        return;
    long blocks = (k + rmax - 1) / rmax;
    /* Blocks of near-equal size: 25 rows in blocks of 12 are 9 + 8 + 8, not
     * 12 + 12 + 1. */
    for (long b = 0, r = 0; b < blocks; b++) {
        long next = k * (b + 1) / blocks;
        wgrad_rows(g, xp, dzp, r, dwp + r * OCV * 8, (int)(next - r), OCV);
        r = next;
    }
}

/* P pixels' input gradients, scattered into the padded DXP (icp channels). */
INLINE void dgrad_block(const rt_conv_geom *g, const float *dzp, const float *wt, float *dxp,
                        int P, int ICV)
{
    int pw = padded_w(g), icp = ICV * 8, ocp = round8(g->oc), oc = g->oc;
    if (P * ICV > 16)
        return;     /* never called so: keeps the unused instantiations in bounds */
    for (int ky = 0; ky < g->kh; ky++)
        for (int kx = 0; kx < g->kw; kx++) {
            const float *wk = wt + (long)(ky * g->kw + kx) * oc * icp;
            v8 acc[16];
#pragma GCC unroll 16
            for (int i = 0; i < P * ICV; i++)
                acc[i] = splat(0.0f);
            for (int o = 0; o < oc; o++) {
                v8 w0 = load8(wk + (long)o * icp);
                v8 w1 = ICV > 1 ? load8(wk + (long)o * icp + 8) : w0;
#pragma GCC unroll 8
                for (int p = 0; p < P; p++) {
                    v8 d = splat(dzp[(long)p * ocp + o]);
                    acc[p * ICV] = fma8(d, w0, acc[p * ICV]);
                    if (ICV > 1)
                        acc[p * ICV + 1] = fma8(d, w1, acc[p * ICV + 1]);
                }
            }
            float *dst = dxp + ((long)ky * pw + kx) * icp;
#pragma GCC unroll 8
            for (int p = 0; p < P; p++)
                for (int v = 0; v < ICV; v++) {
                    float *q = dst + (long)p * g->sw * icp + v * 8;
                    store8(q, load8(q) + acc[p * ICV + v]);
                }
        }
}

/* dgrad_block with P a constant from 1 to 8 (for ICV 2, at most 4). */
INLINE void dgrad_pixels(const rt_conv_geom *g, const float *dzp, const float *wt, float *dxp,
                         int P, int ICV)
{
    switch (P) {
#define PIX(k) case k: dgrad_block(g, dzp, wt, dxp, k, ICV); break;
        PIX(1) PIX(2) PIX(3) PIX(4) PIX(5) PIX(6) PIX(7) PIX(8)
#undef PIX
    }
}

/* Stride 1 along the width, kernel width KW: the P pixels' contributions land
 * on P + KW - 1 consecutive input positions of each kernel row, summed in
 * registers and added to DXP once per row (the scatter instead adds P * KW
 * times, each add waiting for the store of the previous one). */
INLINE void dgrad_run(const rt_conv_geom *g, const float *dzp, const float *wt, float *dxp,
                      int P, int KW, int ICV)
{
    enum { DMAX = RPIX + 4 };
    const int D = P + KW - 1;
    int pw = padded_w(g), icp = ICV * 8, ocp = round8(g->oc), oc = g->oc;
    if (D * ICV > DMAX)
        return;     /* never called so: keeps the unused instantiations in bounds */
    for (int ky = 0; ky < g->kh; ky++) {
        const float *wk = wt + (long)ky * KW * oc * icp;
        v8 acc[DMAX];
#pragma GCC unroll 16
        for (int i = 0; i < D * ICV; i++)
            acc[i] = splat(0.0f);
        for (int o = 0; o < oc; o++) {
            v8 d[RPIX];
#pragma GCC unroll 12
            for (int p = 0; p < P; p++)
                d[p] = splat(dzp[(long)p * ocp + o]);
#pragma GCC unroll 8
            for (int kx = 0; kx < KW; kx++) {
                const float *w = wk + ((long)kx * oc + o) * icp;
                v8 w0 = load8(w), w1 = ICV > 1 ? load8(w + 8) : w0;
#pragma GCC unroll 12
                for (int p = 0; p < P; p++) {
                    acc[(p + kx) * ICV] = fma8(d[p], w0, acc[(p + kx) * ICV]);
                    if (ICV > 1)
                        acc[(p + kx) * ICV + 1] = fma8(d[p], w1, acc[(p + kx) * ICV + 1]);
                }
            }
        }
        float *dst = dxp + (long)ky * pw * icp;
#pragma GCC unroll 16
        for (int i = 0; i < D * ICV; i++)
            store8(dst + (long)i * 8, load8(dst + (long)i * 8) + acc[i]);
    }
}

/* dgrad_run with P a constant: up to RPIX for ICV 1, 4 for ICV 2 (KW <= 5). */
INLINE void dgrad_runs(const rt_conv_geom *g, const float *dzp, const float *wt, float *dxp,
                       int P, int KW, int ICV)
{
    switch (P) {
#define PIX(k) case k: dgrad_run(g, dzp, wt, dxp, k, KW, ICV); break;
        PIX(1) PIX(2) PIX(3) PIX(4) PIX(5) PIX(6) PIX(7) PIX(8)
#if RPIX > 8
        PIX(9) PIX(10) PIX(11) PIX(12)
#endif
#undef PIX
    }
}

/* Whether dgrad_run handles this geometry (and with how many pixels). */
static int run_pixels(const rt_conv_geom *g)
{
    if (g->sw != 1 || (g->kw != 3 && g->kw != 5))
        return 0;
    return g->ic <= 8 ? RPIX : g->ic <= 16 && g->kw == 3 ? 4 : 0;
}

INLINE void dgrad_sample(const rt_conv_geom *g, const float *dzp, const float *wt, float *dxp,
                         int ICV)
{
    int run = run_pixels(g);
    const int pmax = run ? run : ICV == 1 ? 8 : 4;  /* 8 accumulators or more */
    int pw = padded_w(g), icp = ICV * 8, ocp = round8(g->oc);
    int blocks = (g->ow + pmax - 1) / pmax;
    for (int oy = 0; oy < g->oh; oy++) {
        const float *dr = dzp + (long)oy * g->ow * ocp;
        float *xr = dxp + (long)oy * g->sh * pw * icp;
        for (int b = 0, ox = 0; b < blocks; b++) {
            int next = g->ow * (b + 1) / blocks;
            const float *d = dr + (long)ox * ocp;
            float *x = xr + (long)ox * g->sw * icp;
            if (run && g->kw == 5)
                dgrad_runs(g, d, wt, x, next - ox, 5, ICV);
            else if (run)
                dgrad_runs(g, d, wt, x, next - ox, 3, ICV);
            else
                dgrad_pixels(g, d, wt, x, next - ox, ICV);
            ox = next;
        }
    }
}

/* DZP[q][0:ocp] = DY[q][0:oc] (times Y > 0 when Y is given), padding lanes
 * zero, for the PIX pixels of one sample; adds them to the bias sums DBP.
 * Full 8-lane loads read into the following pixels, so the pixels whose
 * loads would leave the sample are done lane by lane. */
static void repack_dy(const rt_conv_geom *g, const float *dy, const float *y, long pix,
                      float *dzp, float *dbp)
{
    int oc = g->oc, ocp = round8(oc);
    long vec = pix * oc >= ocp ? (pix * oc - ocp) / oc + 1 : 0;   /* safe pixels */
    v8i keep[2];
    for (int v = 0; v < 2; v++)
        for (int c = 0; c < 8; c++)
            keep[v][c] = v * 8 + c < oc ? -1 : 0;
    v8 sum0 = load8(dbp), sum1 = ocp > 8 ? load8(dbp + 8) : splat(0.0f);
    v8i keep0 = keep[0], keep1 = keep[1];
    if (ocp == 8)
        for (long q = 0; q < vec; q++) {
            v8i m = keep0;
            if (y)
                m &= load8(y + q * oc) > splat(0.0f);
            v8 d = (v8)((v8i)load8(dy + q * oc) & m);
            store8(dzp + q * 8, d);
            sum0 += d;
        }
    else
        for (long q = 0; q < vec; q++) {
            v8i m0 = keep0, m1 = keep1;
            if (y) {
                m0 &= load8(y + q * oc) > splat(0.0f);
                m1 &= load8(y + q * oc + 8) > splat(0.0f);
            }
            v8 d0 = (v8)((v8i)load8(dy + q * oc) & m0);
            v8 d1 = (v8)((v8i)load8(dy + q * oc + 8) & m1);
            store8(dzp + q * 16, d0);
            store8(dzp + q * 16 + 8, d1);
            sum0 += d0;
            sum1 += d1;
        }
    store8(dbp, sum0);
    if (ocp > 8)
        store8(dbp + 8, sum1);
    for (long q = vec; q < pix; q++)
        for (int c = 0; c < ocp; c++) {
            float v = c < oc ? dy[q * oc + c] : 0.0f;
            v = c < oc && y && !(y[q * oc + c] > 0.0f) ? 0.0f : v;
            dzp[q * ocp + c] = v;
            dbp[c] += v;
        }
}

static void bwd_task(void *ctx, int task)
{
    const direct_job *j = ctx;
    const rt_conv_geom *g = j->g;
    int ph = padded_h(g), pw = padded_w(g), ic = g->ic, icp = round8(ic), ocp = round8(g->oc);
    long k = (long)g->kh * g->kw * ic;
    float *xp = j->ws.thread + task * thread_floats(g);
    float *dxp = xp + (long)ph * pw * ic;
    float *dwp = dxp + (long)ph * pw * icp;
    float *dbp = dwp + k * ocp;
    long in = (long)g->ih * g->iw * ic, pix = (long)g->oh * g->ow;
    memset(dwp, 0, sizeof *dwp * (size_t)((k + 1) * ocp));
    int s0, s1;
    samples_of(j, task, &s0, &s1);
    for (int s = s0; s < s1; s++) {
        float *dzp = j->ws.dzp + s * pix * ocp;
        const float *dy = j->dy + s * pix * g->oc;
        const float *y = j->y ? j->y + s * pix * g->oc : NULL;
        repack_dy(g, dy, y, pix, dzp, dbp);
        const float *xs = pad_input(g, j->x + s * in, xp);
        if (ocp == 8)
            wgrad_sample(g, xs, dzp, dwp, 1);
        else
            wgrad_sample(g, xs, dzp, dwp, 2);
        if (!j->dx)
            continue;
        float *dx = j->dx + s * in;
        memset(dxp, 0, sizeof *dxp * (size_t)((long)ph * pw * icp));
        if (icp == 8)
            dgrad_sample(g, dzp, j->ws.wt, dxp, 1);
        else
            dgrad_sample(g, dzp, j->ws.wt, dxp, 2);
        for (int iy = 0; iy < g->ih; iy++)
            for (int ix = 0; ix < g->iw; ix++) {
                const float *from = dxp + ((long)(iy + g->pt) * pw + ix + g->pl) * icp;
                float *to = dx + ((long)iy * g->iw + ix) * ic;
                for (int c = 0; c < ic; c++)
                    to[c] = from[c];
            }
    }
}

void RT_KERNEL(rt_conv_direct_backward)(const rt_conv_geom *g, const float *x, const float *w,
                                        const float *y, const float *dy, float *dw, float *db,
                                        float *dx, float *work, int threads)
{
    direct_job j = {g, x, w, dy, y, false, NULL, dx, cut(g, work),
                    rt_workers_chunks(threads, g->n)};
    int ic = g->ic, icp = round8(ic), ocp = round8(g->oc);
    long kk = (long)g->kh * g->kw, k = kk * ic;
    if (dx) {   /* wt[ky][kx][o][c] = W[ky][kx][c][o], channels padded */
        memset(j.ws.wt, 0, sizeof *j.ws.wt * (size_t)(kk * g->oc * icp));
        for (long q = 0; q < kk; q++)
            for (int c = 0; c < ic; c++)
                for (int o = 0; o < g->oc; o++)
                    j.ws.wt[(q * g->oc + o) * icp + c] = w[(q * ic + c) * g->oc + o];
    }
    rt_workers_run(threads, j.chunks, bwd_task, &j);
    /* Sum the chunks' kernel and bias gradients in chunk order (deterministic). */
    for (long r = 0; r < k + (db != NULL); r++)
        for (int o = 0; o < g->oc; o++) {
            float s = 0.0f;
            for (int t = 0; t < j.chunks; t++) {
                const float *dwp = j.ws.thread + t * thread_floats(g) +
                                   (long)padded_h(g) * padded_w(g) * (ic + icp);
                s += dwp[r * ocp + o];
            }
            (r < k ? dw + r * g->oc : db)[o] = s;
        }
}
