/* safetensors.c: safetensors writer and validating reader (see safetensors.h).
 *
 * The JSON header goes through json-c, the project's JSON library.  The
 * header is padded with spaces so the data starts on an 8-byte boundary, as
 * the reference implementation does.  Floats are converted to and from
 * little-endian byte by byte, so the files are the same on any host.
 */
#include "safetensors.h"

#include <errno.h>
#include <json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HEADER (100L << 20)   /* the reference implementation's limit */

static void put_le32(unsigned char *b, float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)(u >> (8 * i));
}

static float get_le32(const unsigned char *b)
{
    uint32_t u = 0;
    for (int i = 0; i < 4; i++)
        u |= (uint32_t)b[i] << (8 * i);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

int rt_safetensors_save(const rt_net *net, const char *path, char *err, size_t errsize)
{
    json_object *root = json_object_new_object();
    json_object *meta = json_object_new_object();
    json_object_object_add(meta, "format", json_object_new_string("dnnc"));
    json_object_object_add(meta, "model", json_object_new_string(net->model->name));
    json_object_object_add(root, "__metadata__", meta);
    long off = 0;
    for (int j = 0; j < net->n_params; j++) {
        const rt_param *p = &net->params[j];
        json_object *t = json_object_new_object();
        json_object *shape = json_object_new_array();
        for (int d = 0; d < p->rank; d++)
            json_object_array_add(shape, json_object_new_int64(p->shape[d]));
        json_object *offs = json_object_new_array();
        json_object_array_add(offs, json_object_new_int64(off));
        json_object_array_add(offs, json_object_new_int64(off + 4 * p->size));
        json_object_object_add(t, "dtype", json_object_new_string("F32"));
        json_object_object_add(t, "shape", shape);
        json_object_object_add(t, "data_offsets", offs);
        json_object_object_add(root, p->name, t);
        off += 4 * p->size;
    }
    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
    size_t len = strlen(text), padded = (len + 7) & ~(size_t)7;
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errsize, "%s: cannot create: %s", path, strerror(errno));
        json_object_put(root);
        return -1;
    }
    unsigned char head[8];
    for (int i = 0; i < 8; i++)
        head[i] = (unsigned char)((uint64_t)padded >> (8 * i));
    bool ok = fwrite(head, 1, 8, f) == 8 && fwrite(text, 1, len, f) == len;
    for (size_t i = len; ok && i < padded; i++)
        ok = fputc(' ', f) != EOF;
    json_object_put(root);
    unsigned char buf[4096];
    for (int j = 0; ok && j < net->n_params; j++) {
        const rt_param *p = &net->params[j];
        for (long i = 0; ok && i < p->size; i += 1024) {
            long m = p->size - i < 1024 ? p->size - i : 1024;
            for (long k = 0; k < m; k++)
                put_le32(buf + 4 * k, p->value[i + k]);
            ok = fwrite(buf, 4, (size_t)m, f) == (size_t)m;
        }
    }
    if (fclose(f) != 0)
        ok = false;
    if (!ok) {
        snprintf(err, errsize, "%s: write failed: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* A non-negative integer from a JSON value, or -1. */
static long long json_count(json_object *v)
{
    if (!v || !json_object_is_type(v, json_type_int))
        return -1;
    int64_t x = json_object_get_int64(v);
    return x < 0 || x > (int64_t)1 << 50 ? -1 : (long long)x;
}

/* Checks the header entry T of tensor P against it; sets *BEGIN. */
static int check_entry(const char *path, const rt_param *p, json_object *t, long long data_size,
                       long long *begin, char *err, size_t errsize)
{
    json_object *dtype, *shape, *offs;
    if (!json_object_is_type(t, json_type_object) ||
        !json_object_object_get_ex(t, "dtype", &dtype) ||
        !json_object_object_get_ex(t, "shape", &shape) ||
        !json_object_object_get_ex(t, "data_offsets", &offs)) {
        snprintf(err, errsize, "%s: tensor %s: expected an object with dtype, shape and "
                 "data_offsets", path, p->name);
        return -1;
    }
    const char *dt = json_object_is_type(dtype, json_type_string) ? json_object_get_string(dtype)
                                                                   : "?";
    if (strcmp(dt, "F32") != 0) {
        snprintf(err, errsize, "%s: tensor %s has dtype %s; dnnc reads F32 only", path,
                 p->name, dt);
        return -1;
    }
    bool same = json_object_is_type(shape, json_type_array) &&
                (int)json_object_array_length(shape) == p->rank;
    for (int d = 0; same && d < p->rank; d++)
        same = json_count(json_object_array_get_idx(shape, (size_t)d)) == p->shape[d];
    if (!same) {
        char want[64] = "[";
        for (int d = 0; d < p->rank; d++)
            snprintf(want + strlen(want), sizeof want - strlen(want), "%s%d", d ? "," : "",
                     p->shape[d]);
        strncat(want, "]", sizeof want - strlen(want) - 1);
        snprintf(err, errsize, "%s: tensor %s has shape %s but the model's is %s", path,
                 p->name, json_object_to_json_string_ext(shape, JSON_C_TO_STRING_PLAIN), want);
        return -1;
    }
    long long b = -1, e = -1;
    if (json_object_is_type(offs, json_type_array) && json_object_array_length(offs) == 2) {
        b = json_count(json_object_array_get_idx(offs, 0));
        e = json_count(json_object_array_get_idx(offs, 1));
    }
    if (b < 0 || e < b || e > data_size || e - b != 4LL * p->size) {
        snprintf(err, errsize, "%s: tensor %s: data_offsets %s do not hold %ld floats within "
                 "the %lld bytes of data", path, p->name,
                 json_object_to_json_string_ext(offs, JSON_C_TO_STRING_PLAIN), p->size,
                 data_size);
        return -1;
    }
    *begin = b;
    return 0;
}

/* Parses and checks the header; fills BEGIN[j] for every parameter. */
static int check_header(const rt_net *net, const char *path, const char *text,
                        long long data_size, long long *begin, char *err, size_t errsize)
{
    enum json_tokener_error jerr;
    json_object *root = json_tokener_parse_verbose(text, &jerr);
    if (!root || !json_object_is_type(root, json_type_object)) {
        snprintf(err, errsize, "%s: the header is not a JSON object (%s)", path,
                 root ? "another JSON value" : json_tokener_error_desc(jerr));
        json_object_put(root);
        return -1;
    }
    int rc = 0;
    json_object_object_foreach(root, key, val) {
        (void)val;
        bool known = strcmp(key, "__metadata__") == 0;
        for (int j = 0; !known && j < net->n_params; j++)
            known = strcmp(net->params[j].name, key) == 0;
        if (!known) {
            snprintf(err, errsize, "%s: tensor %s is not a parameter of model %s", path, key,
                     net->model->name);
            rc = -1;
            break;
        }
    }
    for (int j = 0; rc == 0 && j < net->n_params; j++) {
        json_object *t;
        if (!json_object_object_get_ex(root, net->params[j].name, &t)) {
            snprintf(err, errsize, "%s: tensor %s of model %s is missing", path,
                     net->params[j].name, net->model->name);
            rc = -1;
        } else {
            rc = check_entry(path, &net->params[j], t, data_size, &begin[j], err, errsize);
        }
    }
    json_object_put(root);
    return rc;
}

int rt_safetensors_load(rt_net *net, const char *path, char *err, size_t errsize)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errsize, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    char *text = NULL;
    unsigned char *data = NULL;
    long long *begin = NULL;
    int rc = -1;
    long long size = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    rewind(f);
    unsigned char head[8];
    if (size < 8 || fread(head, 1, 8, f) != 8) {
        snprintf(err, errsize, "%s: not a safetensors file (shorter than its 8-byte header "
                 "length)", path);
        goto out;
    }
    uint64_t n = 0;
    for (int i = 0; i < 8; i++)
        n |= (uint64_t)head[i] << (8 * i);
    if (n < 2 || n > (uint64_t)MAX_HEADER || (long long)n > size - 8) {
        snprintf(err, errsize, "%s: not a safetensors file (header length %llu for a file of "
                 "%lld bytes)", path, (unsigned long long)n, size);
        goto out;
    }
    text = malloc((size_t)n + 1);
    if (!text || fread(text, 1, (size_t)n, f) != (size_t)n) {
        snprintf(err, errsize, "%s: cannot read the header", path);
        goto out;
    }
    text[n] = 0;
    if (strlen(text) != (size_t)n) {
        snprintf(err, errsize, "%s: the header contains a NUL byte", path);
        goto out;
    }
    long long data_size = size - 8 - (long long)n;
    begin = calloc((size_t)net->n_params + 1, sizeof *begin);
    if (check_header(net, path, text, data_size, begin, err, errsize) < 0)
        goto out;
    data = malloc((size_t)data_size + 1);
    if (!data || fread(data, 1, (size_t)data_size, f) != (size_t)data_size) {
        snprintf(err, errsize, "%s: cannot read %lld bytes of tensor data", path, data_size);
        goto out;
    }
    /* Everything checked: now, and only now, change the weights. */
    for (int j = 0; j < net->n_params; j++) {
        rt_param *p = &net->params[j];
        for (long i = 0; i < p->size; i++)
            p->value[i] = get_le32(data + begin[j] + 4 * i);
    }
    rc = 0;
out:
    fclose(f);
    free(text);
    free(data);
    free(begin);
    return rc;
}
