/* idx.c: reads IDX files, plain or gzipped, and the Fashion-MNIST folder layout.
 *
 * zlib's gzopen/gzread read both plain and gzip files, so there is one code
 * path.  Before allocating, the declared extents are checked: against the
 * file size for a plain file, and against the most a gzip file of that size
 * can inflate to (deflate expands at most about 1032:1) for a compressed one;
 * while reading, a short read is a truncated file and extra bytes are an
 * error.  Elements are read in 1 MiB chunks straight into a staging buffer
 * (zlib inflates directly into it) and converted to float in a tight loop,
 * which keeps loading Fashion-MNIST from .gz well under half a second.
 */
#include "idx.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define CHUNK (1u << 20)              /* bytes read per gzread call */
#define GZ_BUFFER (1u << 18)          /* zlib's own input buffer */
#define MAX_ELEMENTS (1L << 30)       /* elements in one file (4 GiB as float) */
#define DEFLATE_MAX_RATIO 1032        /* deflate's largest expansion factor */

/* An open IDX file while it is being read. */
typedef struct idx_file {
    const char *path;   /* for messages */
    gzFile gz;          /* zlib handle (reads plain files too) */
    char *err;          /* where messages go */
    size_t errsize;     /* size of err */
} idx_file;

static int elem_size(int type)
{
    switch (type) {
    case 0x08: case 0x09: return 1;
    case 0x0B: return 2;
    case 0x0C: case 0x0D: return 4;
    case 0x0E: return 8;
    default: return 0;
    }
}

long rt_gzread_full(gzFile gz, const char *path, void *buf, size_t len, char *err,
                    size_t errsize)
{
    size_t got = 0;
    while (got < len) {
        size_t want = len - got < (1u << 30) ? len - got : (1u << 30);
        int n = gzread(gz, (char *)buf + got, (unsigned)want), code = Z_OK;
        /* A gzip stream cut short reads as end of file with Z_BUF_ERROR set. */
        if (n <= 0)
            gzerror(gz, &code);
        if (n < 0 || code != Z_OK) {
            const char *msg = gzerror(gz, &code);
            size_t plen = strlen(path);
            if (msg && strncmp(msg, path, plen) == 0 && strncmp(msg + plen, ": ", 2) == 0)
                msg += plen + 2;   /* zlib puts the path in front */
            snprintf(err, errsize, "%s: corrupt or truncated gzip data (zlib: %s)", path,
                     msg ? msg : "unknown error");
            return -1;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (long)got;
}

static long read_full(idx_file *f, unsigned char *buf, size_t len)
{
    return rt_gzread_full(f->gz, f->path, buf, len, f->err, f->errsize);
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Converts N big-endian elements of TYPE at SRC to float.  Returns the
 * index of the first element that is not finite as a float (only float and
 * double files can hold those), or -1. */
static long convert(int type, const unsigned char *restrict src, float *restrict dst, size_t n)
{
    size_t i = 0;
    switch (type) {
    case 0x08:
        /* Blocks of 16: gcc vectorises a constant trip count at -O2. */
        for (; i + 16 <= n; i += 16)
            for (int u = 0; u < 16; u++)
                dst[i + u] = (float)src[i + u];
        for (; i < n; i++)
            dst[i] = (float)src[i];
        break;
    case 0x09:
        for (; i < n; i++)
            dst[i] = (float)(int8_t)src[i];
        break;
    case 0x0B:
        for (; i < n; i++)
            dst[i] = (float)(int16_t)(uint16_t)(src[2 * i] << 8 | src[2 * i + 1]);
        break;
    case 0x0C:
        for (; i < n; i++)
            dst[i] = (float)(int32_t)be32(src + 4 * i);
        break;
    case 0x0D:
        for (; i < n; i++) {
            uint32_t u = be32(src + 4 * i);
            memcpy(&dst[i], &u, 4);
            if (!isfinite(dst[i]))
                return (long)i;
        }
        break;
    case 0x0E:
        for (; i < n; i++) {
            uint64_t u = (uint64_t)be32(src + 8 * i) << 32 | be32(src + 8 * i + 4);
            double v;
            memcpy(&v, &u, 8);
            if (!isfinite(v) || fabs(v) > (double)FLT_MAX)
                return (long)i;
            dst[i] = (float)v;
        }
        break;
    }
    return -1;
}

/* Reads and checks the magic and extents into M; FILE_SIZE is the file's size
 * on disk.  Returns the number of payload bytes. */
static long read_header(idx_file *f, rt_idx *m, long file_size)
{
    unsigned char head[4 + 4 * RT_IDX_MAX_RANK];
    long n = read_full(f, head, 4);
    if (n < 0)
        return -1;
    if (n < 4) {
        snprintf(f->err, f->errsize, "%s: %s (expected an IDX header: 4 magic bytes, then "
                 "one 4-byte extent per dimension)", f->path,
                 n == 0 ? "empty file" : "file too short");
        return -1;
    }
    if (head[0] != 0 || head[1] != 0 || elem_size(head[2]) == 0) {
        snprintf(f->err, f->errsize, "%s: not an IDX file: magic bytes %02x %02x %02x %02x "
                 "(expected 00 00, then an element type 08, 09, 0b, 0c, 0d or 0e, then "
                 "the rank)", f->path, head[0], head[1], head[2], head[3]);
        return -1;
    }
    m->type = head[2];
    m->rank = head[3];
    if (m->rank < 1 || m->rank > RT_IDX_MAX_RANK) {
        snprintf(f->err, f->errsize, "%s: IDX rank %d is not supported (expected 1 to %d "
                 "dimensions)", f->path, m->rank, RT_IDX_MAX_RANK);
        return -1;
    }
    n = read_full(f, head + 4, 4 * (size_t)m->rank);
    if (n < 0)
        return -1;
    if (n < 4 * m->rank) {
        snprintf(f->err, f->errsize, "%s: truncated IDX header (expected %d extents of 4 "
                 "bytes, found %ld bytes)", f->path, m->rank, n);
        return -1;
    }
    m->count = 1;
    for (int i = 0; i < m->rank; i++) {
        uint32_t d = be32(head + 4 + 4 * i);
        if (d == 0 || d > (uint32_t)INT_MAX) {
            snprintf(f->err, f->errsize, "%s: dimension %d has extent %lu (expected 1 to %d)",
                     f->path, i + 1, (unsigned long)d, INT_MAX);
            return -1;
        }
        m->dim[i] = (int)d;
        if (m->count > MAX_ELEMENTS / (long)d) {
            snprintf(f->err, f->errsize, "%s: the header declares more than %ld elements, "
                     "more than dnnc loads from one file", f->path, MAX_ELEMENTS);
            return -1;
        }
        m->count *= (long)d;
    }
    long header = 4 + 4L * m->rank;
    long payload = m->count * elem_size(m->type);
    if (gzdirect(f->gz)) {
        if (file_size != header + payload) {
            snprintf(f->err, f->errsize, "%s: the header declares %ld bytes of data, the file "
                     "holds %ld (%s)", f->path, payload, file_size - header,
                     file_size < header + payload ? "truncated" : "extra bytes at the end");
            return -1;
        }
    } else if (payload / DEFLATE_MAX_RATIO > file_size) {
        snprintf(f->err, f->errsize, "%s: the header declares %ld bytes of data, more than a "
                 "%ld-byte gzip file can hold (truncated or corrupt)", f->path, payload,
                 file_size);
        return -1;
    }
    return payload;
}

/* Reads PAYLOAD bytes of elements into M->data and checks that nothing follows. */
static bool read_payload(idx_file *f, rt_idx *m, long payload)
{
    int es = elem_size(m->type);
    m->data = malloc(sizeof *m->data * (size_t)m->count);
    unsigned char *chunk = malloc(CHUNK);
    if (!m->data || !chunk) {
        snprintf(f->err, f->errsize, "%s: out of memory for %ld elements", f->path, m->count);
        free(chunk);
        return false;
    }
    long done = 0, bad;
    bool ok = true;
    while (ok && done < payload) {
        size_t want = payload - done < (long)CHUNK ? (size_t)(payload - done) : CHUNK;
        long n = read_full(f, chunk, want);
        if (n < 0) {
            ok = false;
        } else if ((size_t)n < want) {
            snprintf(f->err, f->errsize, "%s: truncated: the header declares %ld bytes of "
                     "data, the file holds %ld", f->path, payload, done + n);
            ok = false;
        } else if ((bad = convert(m->type, chunk, m->data + done / es, want / (size_t)es)) >= 0) {
            snprintf(f->err, f->errsize, "%s: element %ld is not a finite float (expected "
                     "finite numbers)", f->path, done / es + bad);
            ok = false;
        }
        done += (long)want;
    }
    if (ok) {
        long extra = read_full(f, chunk, 1);
        if (extra < 0) {
            ok = false;
        } else if (extra > 0) {
            snprintf(f->err, f->errsize, "%s: extra data after the %ld bytes the header "
                     "declares", f->path, payload);
            ok = false;
        }
    }
    free(chunk);
    return ok;
}

bool rt_idx_read(const char *path, rt_idx *out, char *err, size_t errsize)
{
    memset(out, 0, sizeof *out);
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errsize, "%s: %s", path, strerror(errno));
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errsize, "%s: not a regular file (expected an IDX file)", path);
        return false;
    }
    idx_file f = {path, gzopen(path, "rb"), err, errsize};
    if (!f.gz) {
        snprintf(err, errsize, "%s: %s", path, errno ? strerror(errno) : "cannot open");
        return false;
    }
    gzbuffer(f.gz, GZ_BUFFER);
    long payload = read_header(&f, out, (long)st.st_size);
    bool ok = payload >= 0 && read_payload(&f, out, payload);
    gzclose_r(f.gz);
    if (!ok)
        rt_idx_free(out);
    return ok;
}

void rt_idx_free(rt_idx *m)
{
    free(m->data);
    memset(m, 0, sizeof *m);
}

/* ---- the Fashion-MNIST folder layout ---- */

static const char *const layout_names[4] = {
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
};

#define LAYOUT "train-images-idx3-ubyte, train-labels-idx1-ubyte and optionally " \
    "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each plain or .gz"

/* Finds NAME or NAME.gz in DIR; writes the path into BUF (malloc'd) or NULL. */
static char *find_file(const char *dir, const char *name)
{
    size_t size = strlen(dir) + strlen(name) + 8;
    char *buf = ir_alloc(size);
    struct stat st;
    snprintf(buf, size, "%s/%s", dir, name);
    if (stat(buf, &st) == 0)
        return buf;
    snprintf(buf, size, "%s/%s.gz", dir, name);
    if (stat(buf, &st) == 0)
        return buf;
    free(buf);
    return NULL;
}

/* Reads an images file and its labels file into SPLIT; checks they agree. */
static bool load_pair(const char *img_path, const char *lab_path, rt_split *split,
                      rt_idx *img, int *max_label, char *err, size_t errsize)
{
    rt_idx lab;
    if (!rt_idx_read(lab_path, &lab, err, errsize))
        return false;
    bool ok = false;
    if (lab.rank != 1) {
        snprintf(err, errsize, "%s: labels have rank %d (expected a rank-1 IDX file of "
                 "labels)", lab_path, lab.rank);
    } else if (!rt_idx_read(img_path, img, err, errsize)) {
        /* message already written */
    } else if (img->rank < 2) {
        snprintf(err, errsize, "%s: images have rank 1 (expected a rank 2 to %d IDX file: "
                 "items, then each item's extents)", img_path, RT_IDX_MAX_RANK);
    } else if (img->dim[0] != lab.dim[0]) {
        snprintf(err, errsize, "%s: %d labels for the %d images of %s (expected one label "
                 "per image)", lab_path, lab.dim[0], img->dim[0], img_path);
    } else {
        ok = true;
    }
    int *label = ok ? ir_alloc(sizeof *label * (size_t)lab.dim[0]) : NULL;
    for (int i = 0; ok && i < lab.dim[0]; i++) {
        float v = lab.data[i];
        if (!(v >= 0.0f && v < (float)RT_IDX_MAX_CLASSES) || v != (float)(int)v) {
            snprintf(err, errsize, "%s: label %g of item %d is not a class (expected an "
                     "integer from 0 to %d)", lab_path, (double)v, i, RT_IDX_MAX_CLASSES - 1);
            ok = false;
            break;
        }
        label[i] = (int)v;
        if (label[i] > *max_label)
            *max_label = label[i];
    }
    rt_idx_free(&lab);
    if (!ok) {
        free(label);
        rt_idx_free(img);
        return false;
    }
    *split = (rt_split){img->dim[0], img->data, label, NULL};
    img->data = NULL;   /* now owned by the split */
    return true;
}

static bool same_item_shape(const rt_idx *a, const rt_idx *b)
{
    if (a->rank != b->rank)
        return false;
    for (int i = 1; i < a->rank; i++)
        if (a->dim[i] != b->dim[i])
            return false;
    return true;
}

bool rt_idx_load_dir(const char *dir, rt_data *data, char *err, size_t errsize)
{
    struct stat st;
    const char *problem = NULL;
    if (stat(dir, &st) != 0)
        problem = strerror(errno);
    else if (!S_ISDIR(st.st_mode))
        problem = "not a folder";
    if (problem) {
        snprintf(err, errsize, "%s: %s (idx() expects a folder holding " LAYOUT ")", dir,
                 problem);
        return false;
    }
    char *path[4];
    for (int i = 0; i < 4; i++)
        path[i] = find_file(dir, layout_names[i]);
    bool ok = true;
    for (int i = 0; i < 4 && ok; i++) {
        bool needed = i < 2 || path[2] || path[3];
        if (!path[i] && needed) {
            snprintf(err, errsize, "%s: no %s or %s.gz (expected " LAYOUT ")", dir,
                     layout_names[i], layout_names[i]);
            ok = false;
        }
    }
    rt_idx train_img = {0}, test_img = {0};
    int max_label = 0;
    ok = ok && load_pair(path[0], path[1], &data->train, &train_img, &max_label, err, errsize);
    if (ok && path[2]) {
        ok = load_pair(path[2], path[3], &data->test, &test_img, &max_label, err, errsize);
        if (ok && !same_item_shape(&train_img, &test_img)) {
            snprintf(err, errsize, "%s: images have another shape than those of %s (expected "
                     "the same shape)", path[2], path[0]);
            ok = false;
        }
    }
    if (ok && max_label < 1) {
        snprintf(err, errsize, "%s: every label is 0 (expected at least 2 classes)", path[1]);
        ok = false;
    }
    if (ok) {
        data->shape.rank = train_img.rank - 1;
        data->in_size = 1;
        for (int i = 1; i < train_img.rank; i++) {
            data->shape.dim[i - 1] = train_img.dim[i];
            data->in_size *= train_img.dim[i];
        }
        data->classes = max_label + 1;
        data->target_size = 0;
    }
    for (int i = 0; i < 4; i++)
        free(path[i]);
    return ok;
}
