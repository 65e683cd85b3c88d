/* idx.h: IDX files (the MNIST / Fashion-MNIST format), plain or gzipped.
 *
 * An IDX file is a 4-byte magic (0, 0, element type, rank), one big-endian
 * 32-bit extent per dimension, then the elements in row-major order.
 * rt_idx_read reads one such file; rt_idx_load_dir reads the four files of the
 * Fashion-MNIST layout under one folder into a dataset's train and test
 * splits.  Every declared size is checked against the file before anything is
 * allocated, so a broken or hostile file gives an error, never a crash.
 */
#ifndef DNNC_IDX_H
#define DNNC_IDX_H

#include <stdbool.h>
#include <stddef.h>

#include <zlib.h>

#include "data.h"

#define RT_IDX_MAX_RANK 4        /* items plus up to [h, w, c] */
#define RT_IDX_MAX_CLASSES 1000  /* labels must be integers below this */

/* One IDX file in memory. */
typedef struct rt_idx {
    int type;                   /* element type: 0x08 ubyte, 0x09 byte, 0x0B
                                   int16, 0x0C int32, 0x0D float, 0x0E double */
    int rank;                   /* number of dimensions, the items' included */
    int dim[RT_IDX_MAX_RANK];   /* extents; dim[0] is the number of items */
    long count;                 /* number of elements (product of dim) */
    float *data;                /* every element converted to float */
} rt_idx;

/* Reads the IDX file at PATH (plain or gzip) into *OUT.  On failure returns
 * false with "PATH: what was wrong and what was expected" in ERR. */
bool rt_idx_read(const char *path, rt_idx *out, char *err, size_t errsize);
void rt_idx_free(rt_idx *m);

/* Loads folder DIR holding train-images-idx3-ubyte, train-labels-idx1-ubyte
 * and optionally t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each plain
 * or with .gz): the train files into DATA->train, the t10k files (when both
 * exist) into DATA->test.  Sets shape (the images' item shape), in_size and
 * classes (largest label + 1). */
bool rt_idx_load_dir(const char *dir, rt_data *data, char *err, size_t errsize);

/* Reads up to LEN bytes from GZ (opened from PATH) into BUF, as many calls
 * as it takes.  Returns the count read (short only at the end of the file),
 * or -1 when the data is corrupt or a gzip stream is cut short, with
 * "PATH: ..." in ERR.  Shared with the CSV reader. */
long rt_gzread_full(gzFile gz, const char *path, void *buf, size_t len, char *err,
                    size_t errsize);

#endif
