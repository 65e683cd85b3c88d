/* conv.h: 2-D convolution kernels (NHWC input, [kh][kw][cin][cout] kernel).
 *
 * layer_conv.c picks one algorithm per layer; each provides forward (z without
 * bias), kernel gradient and input gradient for a batch.  The geometry is
 * TensorFlow's: stride s, implicit zero padding pt/pl before the first
 * row/column (and whatever is needed after).
 */
#ifndef DNNC_RT_CONV_H
#define DNNC_RT_CONV_H

#include <stdbool.h>

/* Shape of one convolution over a batch. */
typedef struct rt_conv_geom {
    int n;              /* samples */
    int ih, iw, ic;     /* input extents */
    int oh, ow, oc;     /* output extents (oc = filters) */
    int kh, kw;         /* kernel extents */
    int sh, sw;         /* strides */
    int pt, pl;         /* padding before (top, left) */
} rt_conv_geom;

/* Floats of one sample's im2col matrix: oh*ow rows of kh*kw*ic. */
long rt_conv_cols_per_sample(const rt_conv_geom *g);

/* im2col + sgemm, over chunks of samples that fit WORK (WORK_SIZE floats, at
 * least one sample's columns).  DW is overwritten; DX (when not NULL) too. */
void rt_conv_im2col_forward(const rt_conv_geom *g, const float *x, const float *w,
                            float *z, float *work, long work_size);
void rt_conv_im2col_backward(const rt_conv_geom *g, const float *x, const float *w,
                             const float *dz, float *dw, float *dx, float *work,
                             long work_size);

/* Direct kernels for few channels (conv_direct.c).  Whether they apply (at
 * most 16 input and 16 output channels), and the workspace floats they need
 * when the batch is cut into CHUNKS (rt_workers_chunks of the thread count). */
int rt_conv_direct_fits(const rt_conv_geom *g);
long rt_conv_direct_work(const rt_conv_geom *g, int chunks);
/* z = conv(x, w) + b (b may be NULL), then relu when RELU; on THREADS
 * threads (workers.h). */
void rt_conv_direct_forward(const rt_conv_geom *g, const float *x, const float *w,
                            const float *b, bool relu, float *z, float *work, int threads);
/* From the output gradient DY (masked by Y > 0 when Y, the relu output, is
 * given): kernel gradient DW, bias gradient DB and input gradient DX (each
 * skipped when NULL). */
void rt_conv_direct_backward(const rt_conv_geom *g, const float *x, const float *w,
                             const float *y, const float *dy, float *dw, float *db, float *dx,
                             float *work, int threads);

#endif
