/* test_safetensors.c: safetensors round trip and malformed files.
 *
 * A network with dense, conv2d and batchnorm tensors is saved, a differently
 * initialised twin loads the file and must then hold identical weights; the
 * file's header must be what PyTorch expects (8-byte aligned data, F32,
 * Keras shapes).  Then every kind of damage (truncations, bad lengths, bad
 * JSON, wrong dtype, shape, offsets, missing and unknown tensors) must give a
 * message naming the file and leave the weights untouched.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "net.h"
#include "safetensors.h"
#include "testutil.h"

static char path[256];

static ir_program *program(void)
{
    ir_program *p = tu_program("cnn");
    ir_model *m = tu_model(p);
    tu_input(m, 6, 6, 1);
    ir_node *c = tu_layer(m, IR_OP_CONV2D, "c1");
    c->units = 3;
    tu_layer(m, IR_OP_BATCHNORM, "bn");
    tu_layer(m, IR_OP_FLATTEN, "flat");
    tu_dense(m, "fc1", 4, IR_ACT_RELU);
    tu_dense(m, "out", 2, IR_ACT_SOFTMAX)->bias = false;
    return p;
}

static rt_net *net_with_seed(ir_program *p, uint64_t seed)
{
    char err[200];
    rt_net *net = rt_net_new(tu_model(p), IR_LOSS_CATEGORICAL_CROSSENTROPY, 4, seed, false,
                             err, sizeof err);
    CHECK(net != NULL, "%s", err);
    return net;
}

/* Writes LEN bytes of BYTES to the scratch file. */
static void write_file(const void *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    fwrite(bytes, 1, len, f);
    fclose(f);
}

/* A file with header TEXT followed by DATA_LEN zero bytes. */
static void write_with_header(const char *text, size_t data_len)
{
    size_t n = strlen(text);
    unsigned char *b = calloc(8 + n + data_len + 1, 1);
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(b + 8, text, n);
    write_file(b, 8 + n + data_len);
    free(b);
}

static unsigned char *slurp(const char *file, long *len)
{
    FILE *f = fopen(file, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *len = ftell(f);
    rewind(f);
    unsigned char *b = malloc((size_t)*len + 1);
    *len = (long)fread(b, 1, (size_t)*len, f);
    b[*len] = 0;
    fclose(f);
    return b;
}

/* Loading the scratch file into NET must fail with NEEDLE in the message and
 * leave the weights as they were. */
static void expect_bad(rt_net *net, const char *needle, const char *what)
{
    float *before = malloc(sizeof *before * (size_t)net->n_values);
    memcpy(before, net->values, sizeof *before * (size_t)net->n_values);
    char err[300] = "";
    int rc = rt_safetensors_load(net, path, err, sizeof err);
    bool same = memcmp(before, net->values, sizeof *before * (size_t)net->n_values) == 0;
    CHECK(rc < 0 && strstr(err, needle) && strstr(err, path) && same,
             "%s: rc %d, weights %s, message '%s'", what, rc, same ? "kept" : "changed", err);
    printf("%s %s: %s\n", rc < 0 && same ? "ok  " : "FAIL", what, err);
    free(before);
}

static void check_round_trip(ir_program *p)
{
    rt_net *a = net_with_seed(p, 1), *b = net_with_seed(p, 2);
    if (!a || !b)
        return;
    for (long i = 0; i < a->n_values; i++)   /* moving statistics too */
        a->values[i] += 0.001f * (float)i;
    char err[300];
    CHECK(rt_safetensors_save(a, path, err, sizeof err) == 0, "save: %s", err);
    CHECK(memcmp(a->values, b->values, sizeof(float) * (size_t)a->n_values) != 0,
             "two seeds give different weights");
    CHECK(rt_safetensors_load(b, path, err, sizeof err) == 0, "load: %s", err);
    CHECK(memcmp(a->values, b->values, sizeof(float) * (size_t)a->n_values) == 0,
             "loaded weights differ from saved ones");
    printf("ok   round trip of %d tensors (%ld floats)\n", a->n_params, a->n_values);

    long len = 0;
    unsigned char *raw = slurp(path, &len);
    uint64_t n = 0;
    for (int i = 0; raw && i < 8; i++)
        n |= (uint64_t)raw[i] << (8 * i);
    CHECK(raw && n % 8 == 0 && (long)(8 + n + 4 * a->n_values) == len,
             "layout: header %llu, file %ld bytes", (unsigned long long)n, len);
    const char *h = raw ? (const char *)raw + 8 : "";
    CHECK(strstr(h, "\"c1.kernel\":{\"dtype\":\"F32\",\"shape\":[3,3,1,3]") &&
                 strstr(h, "\"bn.moving_variance\"") && strstr(h, "\"fc1.kernel\"") &&
                 strstr(h, "\"shape\":[48,4]") && !strstr(h, "out.bias"),
             "header names and shapes: %.200s", h);
    printf("ok   header: 8-byte aligned, F32, Keras shapes, names layer.what\n");

    /* Damage it in every way. */
    unsigned char *bad = malloc((size_t)len + 64);
    remove(path);
    expect_bad(b, "cannot open", "missing file");
    write_file(raw, 0);
    expect_bad(b, "not a safetensors file", "empty file");
    write_file(raw, 5);
    expect_bad(b, "not a safetensors file", "5-byte file");
    memcpy(bad, raw, (size_t)len);
    bad[7] = 0x40;
    write_file(bad, (size_t)len);
    expect_bad(b, "header length", "huge header length");
    write_file(raw, (size_t)(8 + n - 10));
    expect_bad(b, "header length", "truncated header");
    write_file(raw, (size_t)len - 4);
    expect_bad(b, "data_offsets", "truncated data");
    memcpy(bad, raw, (size_t)len);
    bad[8] = '[';
    write_file(bad, (size_t)len);
    expect_bad(b, "not a JSON object", "broken JSON");
    write_with_header("[1, 2]", 0);
    expect_bad(b, "not a JSON object", "JSON array");
    memcpy(bad, raw, (size_t)len);
    bad[20] = 0;
    write_file(bad, (size_t)len);
    expect_bad(b, "NUL", "NUL in header");
    free(bad);
    free(raw);

    char text[2048];
    /* A valid header for everything, with one entry replaced. */
    const char *entries[] = {
        "\"c1.kernel\":{\"dtype\":\"F16\",\"shape\":[3,3,1,3],\"data_offsets\":[0,108]}",
        "\"c1.kernel\":{\"dtype\":\"F32\",\"shape\":[3,3,3,1],\"data_offsets\":[0,108]}",
        "\"c1.kernel\":{\"dtype\":\"F32\",\"shape\":[3,3,1,3],\"data_offsets\":[0,100]}",
        "\"c1.kernel\":{\"dtype\":\"F32\",\"shape\":[3,3,1,3],\"data_offsets\":[99999,100107]}",
        "\"c1.kernel\":{\"dtype\":\"F32\",\"shape\":[3,3,1,3],\"data_offsets\":[-4,104]}",
        "\"c1.kernel\":{\"dtype\":\"F32\",\"shape\":\"x\",\"data_offsets\":[0,108]}",
        "\"c1.kernel\":{\"dtype\":\"F32\",\"shape\":[3,3,1,3]}",
        "\"c1.kernel\":{\"dtype\":\"F32\",\"shape\":[3,3,1,3],\"data_offsets\":[0,108]},"
        "\"c2.kernel\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}",
        "\"c1.kernelx\":{\"dtype\":\"F32\",\"shape\":[3,3,1,3],\"data_offsets\":[0,108]}",
    };
    const char *needles[] = {"dtype F16", "shape [3,3,3,1]", "data_offsets", "data_offsets",
                             "data_offsets", "shape \"x\"", "expected an object",
                             "c2.kernel is not a parameter", "c1.kernelx is not a parameter"};
    const char *whats[] = {"F16 tensor", "wrong shape", "offsets too short",
                           "offsets beyond the data", "negative offset", "shape not a list",
                           "no data_offsets", "unknown tensor", "misspelt tensor"};
    for (size_t k = 0; k < sizeof entries / sizeof entries[0]; k++) {
        size_t off = 108;
        int len2 = snprintf(text, sizeof text, "{%s", entries[k]);
        for (int j = 0; j < b->n_params; j++) {
            const rt_param *q = &b->params[j];
            if (!strcmp(q->name, "c1.kernel"))
                continue;
            len2 += snprintf(text + len2, sizeof text - (size_t)len2,
                             ",\"%s\":{\"dtype\":\"F32\",\"shape\":[", q->name);
            for (int d = 0; d < q->rank; d++)
                len2 += snprintf(text + len2, sizeof text - (size_t)len2, "%s%d", d ? "," : "",
                                 q->shape[d]);
            len2 += snprintf(text + len2, sizeof text - (size_t)len2,
                             "],\"data_offsets\":[%zu,%zu]}", off, off + 4 * (size_t)q->size);
            off += 4 * (size_t)q->size;
        }
        snprintf(text + len2, sizeof text - (size_t)len2, "}");
        write_with_header(text, off);
        expect_bad(b, needles[k], whats[k]);
    }
    /* The same construction without damage loads: the checks above are not vacuous. */
    write_with_header("{}", 0);
    expect_bad(b, "missing", "no tensors at all");
    rt_net_free(a);
    rt_net_free(b);
}

int main(void)
{
    snprintf(path, sizeof path, "test_safetensors.%ld.tmp", (long)getpid());
    ir_program *p = program();
    remove(path);
    check_round_trip(p);
    remove(path);
    ir_program_free(p);
    return check_finish("test_safetensors");
}
