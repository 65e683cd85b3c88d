/* test_idx.c: the IDX loader on small files this test writes itself.
 *
 * Valid folders (plain and gzipped, several ranks and element types, with and
 * without t10k files) load with the right shapes, values and labels; broken
 * ones (wrong magic, truncated, extra bytes, absurd extents, missing files,
 * mismatched counts, bad labels) fail with a message naming the file.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "idx.h"
#include "data_fixture.h"

/* An IDX file being built in memory. */
typedef struct idx_buf {
    unsigned char *bytes;  /* header then elements */
    size_t len;            /* bytes used */
} idx_buf;

static void put_be(idx_buf *b, uint64_t v, int size)
{
    for (int i = size - 1; i >= 0; i--)
        b->bytes[b->len++] = (unsigned char)(v >> (8 * i));
}

/* An IDX file of TYPE with RANK extents DIM whose element k is VALUE(k). */
static idx_buf make_idx(int type, int rank, const int *dim, double (*value)(long))
{
    int es = type == 0x08 || type == 0x09 ? 1 : type == 0x0B ? 2 : type == 0x0E ? 8 : 4;
    long count = 1;
    for (int i = 0; i < rank; i++)
        count *= dim[i];
    /* 16 spare bytes let a test append garbage. */
    idx_buf b = {malloc(4 + 4 * (size_t)rank + (size_t)count * (size_t)es + 16), 0};
    put_be(&b, (uint64_t)type | 0u, 3);   /* 00 00 type */
    b.bytes[b.len++] = (unsigned char)rank;
    for (int i = 0; i < rank; i++)
        put_be(&b, (uint64_t)dim[i], 4);
    for (long k = 0; k < count; k++) {
        double v = value(k);
        if (type == 0x0D) {
            float f = (float)v;
            uint32_t u;
            memcpy(&u, &f, 4);
            put_be(&b, u, 4);
        } else if (type == 0x0E) {
            uint64_t u;
            memcpy(&u, &v, 8);
            put_be(&b, u, 8);
        } else {
            put_be(&b, (uint64_t)(int64_t)v, es);
        }
    }
    return b;
}

static void write_idx(const char *name, idx_buf b, bool gz)
{
    if (gz)
        dt_write_gz(name, b.bytes, b.len);
    else
        dt_write(name, b.bytes, b.len);
    free(b.bytes);
}

/* Image pixel k of a 3x2 image set: item i's pixels are i, i+1, ..., i+5. */
static double pixel(long k) { return (double)(k / 6 + k % 6); }
/* Label of item i. */
static double label4(long k) { return (double)(k % 4); }
static double zero(long k) { (void)k; return 0.0; }
static double signed_val(long k) { return (double)(k % 2 ? -k : k) * 100.0; }
static double signed_val_small(long k) { return (double)(k % 2 ? -k : k); }
static double real_val(long k) { return (double)k * 0.25 - 1.0; }
static double nan_val(long k) { return k == 3 ? NAN : 1.0; }
static double big_label(long k) { return k == 2 ? 5000.0 : (double)(k % 2); }

static const char *folder(const char *name)
{
    const char *path = dt_path(name);
    mkdir(path, 0777);
    return path;
}

/* Writes a Fashion-MNIST style folder: N train and M test 3x2 images. */
static void write_folder(const char *dir, int n, int m, bool gz)
{
    char name[256];
    const char *ext = gz ? ".gz" : "";
    int img[3] = {n, 3, 2}, lab[1] = {n}, timg[3] = {m, 3, 2}, tlab[1] = {m};
    folder(dir);
    snprintf(name, sizeof name, "%s/train-images-idx3-ubyte%s", dir, ext);
    write_idx(name, make_idx(0x08, 3, img, pixel), gz);
    snprintf(name, sizeof name, "%s/train-labels-idx1-ubyte%s", dir, ext);
    write_idx(name, make_idx(0x08, 1, lab, label4), gz);
    if (m == 0)
        return;
    snprintf(name, sizeof name, "%s/t10k-images-idx3-ubyte%s", dir, ext);
    write_idx(name, make_idx(0x08, 3, timg, pixel), gz);
    snprintf(name, sizeof name, "%s/t10k-labels-idx1-ubyte%s", dir, ext);
    write_idx(name, make_idx(0x08, 1, tlab, label4), gz);
}

/* Checks that every sample of S is an intact item (pixels i..i+5, label
 * i mod 4) and marks it in SEEN. */
static void check_items(const rt_split *s, int *seen, int nseen)
{
    for (int r = 0; r < s->n; r++) {
        const float *x = s->x + 6 * r;
        int item = (int)x[0];
        bool ok = item >= 0 && item < nseen && s->label[r] == item % 4;
        for (int k = 0; ok && k < 6; k++)
            ok = x[k] == (float)(item + k);
        CHECK(ok);
        if (ok)
            seen[item]++;
    }
}

static void test_valid_folder(bool gz)
{
    const char *dir = gz ? "fm_gz" : "fm_plain";
    write_folder(dir, 40, 8, gz);
    ir_dataset d = dt_dataset(IR_SRC_IDX);
    d.path = (char *)dir;    /* relative to the program's folder */
    d.validation = 0.25;
    rt_data *data = dt_load(&d, 5);
    if (!data)
        return;
    CHECK(data->shape.rank == 2 && data->shape.dim[0] == 3 && data->shape.dim[1] == 2);
    CHECK(data->in_size == 6);
    CHECK(data->classes == 4);
    CHECK(data->train.n == 30 && data->val.n == 10 && data->test.n == 8);
    CHECK(data->train.target == NULL && data->target_size == 0);
    int seen[40] = {0}, tseen[8] = {0};
    check_items(&data->train, seen, 40);
    check_items(&data->val, seen, 40);
    check_items(&data->test, tseen, 8);
    bool once = true;
    for (int i = 0; i < 40; i++)
        once &= seen[i] == 1;
    for (int i = 0; i < 8; i++)
        once &= tseen[i] == 1;
    CHECK(once);
    /* 40 items, 10 per class: a stratified quarter holds 2 or 3 of each. */
    int val_counts[4] = {0};
    for (int r = 0; r < data->val.n; r++)
        val_counts[data->val.label[r]]++;
    for (int c = 0; c < 4; c++)
        CHECK(val_counts[c] >= 2 && val_counts[c] <= 3);
    CHECK(data->raw.integer_valued && data->raw.min == 0.0);
    CHECK(strcmp(data->class_names[3], "3") == 0);
    rt_data_free(data);

    /* limit: a stratified subset of the training files; t10k stays whole. */
    d.limit = 12;
    data = dt_load(&d, 5);
    if (data) {
        CHECK(data->train.n == 9 && data->val.n == 3 && data->test.n == 8);
        int seen2[40] = {0}, tseen2[8] = {0};
        check_items(&data->train, seen2, 40);
        check_items(&data->val, seen2, 40);
        check_items(&data->test, tseen2, 8);
        for (int c = 0; c < 4; c++)
            CHECK(data->class_counts[c] >= 2 && data->class_counts[c] <= 3);
    }
    rt_data_free(data);
}

/* Plain and gzip folders give identical datasets. */
static void test_gz_matches_plain(void)
{
    ir_dataset a = dt_dataset(IR_SRC_IDX), b = dt_dataset(IR_SRC_IDX);
    a.path = (char *)dt_path("fm_plain");
    b.path = (char *)dt_path("fm_gz");
    a.validation = b.validation = 0.1;
    a.scale = b.scale = 1.0 / 255;
    rt_data *x = dt_load(&a, 9), *y = dt_load(&b, 9);
    if (x && y) {
        CHECK(x->train.n == y->train.n && x->test.n == y->test.n);
        CHECK(memcmp(x->train.x, y->train.x, sizeof(float) * 6 * (size_t)x->train.n) == 0);
        CHECK(memcmp(x->train.label, y->train.label, sizeof(int) * (size_t)x->train.n) == 0);
        CHECK_NEAR(x->prep.max, x->raw.max / 255, 1e-6);
    }
    rt_data_free(x);
    rt_data_free(y);
}

/* Without t10k files the test split is the `test` fraction. */
static void test_no_t10k(void)
{
    write_folder("fm_notest", 20, 0, false);
    ir_dataset d = dt_dataset(IR_SRC_IDX);
    d.path = (char *)dt_path("fm_notest");
    d.test = 0.25;
    rt_data *data = dt_load(&d, 1);
    if (data)
        CHECK(data->train.n == 15 && data->test.n == 5 && data->val.n == 0);
    rt_data_free(data);
}

/* Writes DIR with the given images file and valid labels for N items. */
static void folder_with_images(const char *dir, idx_buf images, int n)
{
    char name[256];
    int lab[1] = {n};
    folder(dir);
    snprintf(name, sizeof name, "%s/train-images-idx3-ubyte", dir);
    write_idx(name, images, false);
    snprintf(name, sizeof name, "%s/train-labels-idx1-ubyte", dir);
    write_idx(name, make_idx(0x08, 1, lab, label4), false);
}

static rt_data *load_dir(const char *dir)
{
    ir_dataset d = dt_dataset(IR_SRC_IDX);
    d.path = (char *)dt_path(dir);
    return dt_load(&d, 1);
}

/* Other ranks and element types. */
static void test_ranks_and_types(void)
{
    int r4[4] = {8, 2, 2, 3}, r2[2] = {8, 5}, r3[3] = {8, 2, 2};
    folder_with_images("rank4", make_idx(0x08, 4, r4, pixel), 8);
    folder_with_images("rank2", make_idx(0x08, 2, r2, pixel), 8);
    folder_with_images("int16", make_idx(0x0B, 3, r3, signed_val), 8);
    folder_with_images("float", make_idx(0x0D, 3, r3, real_val), 8);
    folder_with_images("double", make_idx(0x0E, 3, r3, real_val), 8);
    folder_with_images("int8", make_idx(0x09, 3, r3, signed_val_small), 8);
    rt_data *data = load_dir("rank4");
    if (data)
        CHECK(data->shape.rank == 3 && data->shape.dim[2] == 3 && data->in_size == 12);
    rt_data_free(data);
    data = load_dir("rank2");
    if (data)
        CHECK(data->shape.rank == 1 && data->shape.dim[0] == 5 && data->in_size == 5);
    rt_data_free(data);
    /* No split was asked for, so samples keep their file order. */
    data = load_dir("int16");
    if (data)
        CHECK(data->train.x[1] == -100.0f && data->train.x[4] == 400.0f);
    rt_data_free(data);
    data = load_dir("float");
    if (data)
        CHECK(data->train.x[0] == -1.0f && data->train.x[5] == 0.25f && !data->raw.integer_valued);
    rt_data_free(data);
    data = load_dir("double");
    if (data)
        CHECK(data->train.x[31] == 6.75f);
    rt_data_free(data);
    data = load_dir("int8");
    if (data)
        CHECK(data->train.x[1] == -1.0f && data->raw.min == -31.0);
    rt_data_free(data);
}

static void expect_dir_error(const char *dir, const char *word1, const char *word2)
{
    ir_dataset d = dt_dataset(IR_SRC_IDX);
    d.path = (char *)dt_path(dir);
    LOAD_FAILS(&d, word1, word2);
}

/* Every kind of broken file: an error naming the file, never a crash. */
static void test_broken_files(void)
{
    int img[3] = {8, 3, 2}, lab[1] = {8}, lab7[1] = {7};
    idx_buf good = make_idx(0x08, 3, img, pixel);

    idx_buf bad = make_idx(0x08, 3, img, pixel);
    bad.bytes[0] = 0x1f;
    folder_with_images("magic", bad, 8);
    expect_dir_error("magic", "magic/train-images-idx3-ubyte", "not an IDX file");

    bad = make_idx(0x08, 3, img, pixel);
    bad.bytes[2] = 0x07;
    folder_with_images("type", bad, 8);
    expect_dir_error("type", "train-images", "element type");

    bad = make_idx(0x08, 3, img, pixel);
    bad.bytes[3] = 5;
    folder_with_images("rank5", bad, 8);
    expect_dir_error("rank5", "train-images", "rank 5");

    bad = make_idx(0x08, 3, img, pixel);
    bad.len -= 10;
    folder_with_images("short", bad, 8);
    expect_dir_error("short", "short/train-images-idx3-ubyte", "truncated");

    bad = make_idx(0x08, 3, img, pixel);
    bad.len = 10;   /* in the middle of the extents */
    folder_with_images("shorthead", bad, 8);
    expect_dir_error("shorthead", "train-images", "truncated IDX header");

    bad = make_idx(0x08, 3, img, pixel);
    bad.len = 0;
    folder_with_images("empty", bad, 8);
    expect_dir_error("empty", "train-images", "empty file");

    bad = make_idx(0x08, 3, img, pixel);
    bad.bytes[bad.len++] = 7;   /* one byte too many */
    folder_with_images("extra", bad, 8);
    expect_dir_error("extra", "train-images", "extra bytes");

    /* Huge declared extents in a tiny file: no allocation, a clear error. */
    int huge[3] = {2000000000, 28, 28}, big[3] = {1000000, 1000, 1};
    idx_buf h = make_idx(0x08, 3, (int[3]){1, 1, 1}, zero);
    h.len = 4;
    put_be(&h, (uint64_t)huge[0], 4);
    put_be(&h, (uint64_t)huge[1], 4);
    put_be(&h, (uint64_t)huge[2], 4);
    folder_with_images("huge", h, 8);
    expect_dir_error("huge", "train-images", "more than");
    h = make_idx(0x08, 3, (int[3]){1, 1, 1}, zero);
    h.len = 4;
    for (int i = 0; i < 3; i++)
        put_be(&h, (uint64_t)big[i], 4);
    folder_with_images("big", h, 8);
    expect_dir_error("big", "train-images", "truncated");
    h = make_idx(0x08, 3, (int[3]){1, 1, 1}, zero);
    h.len = 4;
    for (int i = 0; i < 3; i++)
        put_be(&h, (uint64_t)big[i], 4);
    folder("biggz");
    write_idx("biggz/train-images-idx3-ubyte.gz", h, true);
    write_idx("biggz/train-labels-idx1-ubyte", make_idx(0x08, 1, lab, label4), false);
    expect_dir_error("biggz", "train-images-idx3-ubyte.gz", "gzip file can hold");

    h = make_idx(0x08, 3, (int[3]){1, 1, 1}, zero);
    h.len = 4;
    put_be(&h, 8, 4);
    put_be(&h, 0, 4);
    put_be(&h, 2, 4);
    folder_with_images("zero", h, 8);
    expect_dir_error("zero", "train-images", "extent 0");

    /* A gzip file cut in half, and one with a damaged body. */
    folder("cutgz");
    write_idx("cutgz/train-labels-idx1-ubyte", make_idx(0x08, 1, (int[1]){200}, label4), false);
    idx_buf g = make_idx(0x08, 3, (int[3]){200, 10, 10}, pixel);
    dt_write_gz("cutgz/train-images-idx3-ubyte.gz", g.bytes, g.len);
    free(g.bytes);
    FILE *f = fopen(dt_path("cutgz/train-images-idx3-ubyte.gz"), "rb");
    unsigned char gzbytes[65536];
    size_t gzlen = f ? fread(gzbytes, 1, sizeof gzbytes, f) : 0;
    if (f)
        fclose(f);
    CHECK(gzlen > 100 && gzlen < sizeof gzbytes);
    dt_write("cutgz/train-images-idx3-ubyte.gz", gzbytes, gzlen / 2);
    expect_dir_error("cutgz", "train-images-idx3-ubyte.gz", "truncated");
    dt_write("cutgz/train-images-idx3-ubyte.gz", gzbytes, gzlen - 4);   /* no size trailer */
    expect_dir_error("cutgz", "train-images-idx3-ubyte.gz", "gzip");
    for (size_t i = gzlen / 3; i < gzlen / 3 + 40; i++)
        gzbytes[i] ^= 0x5a;
    dt_write("cutgz/train-images-idx3-ubyte.gz", gzbytes, gzlen);
    expect_dir_error("cutgz", "train-images-idx3-ubyte.gz", "gzip");

    /* Labels that do not fit the images. */
    folder("count");
    write_idx("count/train-images-idx3-ubyte", make_idx(0x08, 3, img, pixel), false);
    write_idx("count/train-labels-idx1-ubyte", make_idx(0x08, 1, lab7, label4), false);
    expect_dir_error("count", "train-labels-idx1-ubyte", "7 labels for the 8 images");

    folder("badlabel");
    write_idx("badlabel/train-images-idx3-ubyte", make_idx(0x08, 3, img, pixel), false);
    write_idx("badlabel/train-labels-idx1-ubyte", make_idx(0x0B, 1, lab, big_label), false);
    expect_dir_error("badlabel", "train-labels-idx1-ubyte", "label 5000 of item 2");

    folder("onelabel");
    write_idx("onelabel/train-images-idx3-ubyte", make_idx(0x08, 3, img, pixel), false);
    write_idx("onelabel/train-labels-idx1-ubyte", make_idx(0x08, 1, lab, zero), false);
    expect_dir_error("onelabel", "train-labels", "at least 2 classes");

    folder("nan");
    write_idx("nan/train-images-idx3-ubyte", make_idx(0x0D, 3, img, nan_val), false);
    write_idx("nan/train-labels-idx1-ubyte", make_idx(0x08, 1, lab, label4), false);
    expect_dir_error("nan", "train-images", "element 3 is not a finite");

    /* Missing or mismatched files. */
    expect_dir_error("no-such-folder", "no-such-folder", "No such file");
    dt_write_text("plainfile", "x");
    expect_dir_error("plainfile", "plainfile", "not a folder");
    folder("nolabels");
    write_idx("nolabels/train-images-idx3-ubyte", good, false);
    expect_dir_error("nolabels", "nolabels", "train-labels-idx1-ubyte");
    write_folder("halftest", 8, 4, false);
    remove(dt_path("halftest/t10k-labels-idx1-ubyte"));
    expect_dir_error("halftest", "halftest", "t10k-labels-idx1-ubyte");
    write_folder("othershape", 8, 0, false);
    write_idx("othershape/t10k-images-idx3-ubyte", make_idx(0x08, 3, (int[3]){4, 2, 3}, pixel),
              false);
    write_idx("othershape/t10k-labels-idx1-ubyte", make_idx(0x08, 1, (int[1]){4}, label4), false);
    expect_dir_error("othershape", "t10k-images-idx3-ubyte", "shape");
    folder("labelrank");
    write_idx("labelrank/train-images-idx3-ubyte", make_idx(0x08, 3, img, pixel), false);
    write_idx("labelrank/train-labels-idx1-ubyte", make_idx(0x08, 2, (int[2]){8, 1}, label4),
              false);
    expect_dir_error("labelrank", "train-labels", "rank-1");
}

/* rt_idx_read on its own: extents and values of a single file. */
static void test_read_one(void)
{
    write_idx("one.idx", make_idx(0x0C, 2, (int[2]){3, 4}, signed_val), false);
    rt_idx m;
    char err[512];
    CHECK(rt_idx_read(dt_path("one.idx"), &m, err, sizeof err));
    CHECK(m.type == 0x0C && m.rank == 2 && m.dim[0] == 3 && m.dim[1] == 4 && m.count == 12);
    CHECK(m.data && m.data[11] == -1100.0f && m.data[10] == 1000.0f);
    rt_idx_free(&m);
    CHECK(!rt_idx_read(dt_path("missing.idx"), &m, err, sizeof err));
    CHECK(strstr(err, "missing.idx") != NULL);
    CHECK(!rt_idx_read(dt_dir(), &m, err, sizeof err));
    CHECK(strstr(err, "not a regular file") != NULL);
}

int main(void)
{
    test_valid_folder(false);
    test_valid_folder(true);
    test_gz_matches_plain();
    test_no_t10k();
    test_ranks_and_types();
    test_broken_files();
    test_read_one();
    return dt_finish("test_idx");
}
