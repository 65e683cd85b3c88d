/* test_robust.c: no damaged file crashes the loaders.
 *
 * Valid IDX files (plain and gzipped) and a valid CSV file are cut at every
 * length and have every byte replaced by troublesome values; each load must
 * either succeed or fail with a message naming the file.  Run under the
 * sanitizers, this catches out-of-bounds reads and leaks on every error path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "data_fixture.h"

/* Loads D; true if it succeeded, else checks that the message names WHAT. */
static bool load_or_named_error(const ir_dataset *d, const char *what)
{
    char err[1024] = "";
    rt_data *data = rt_data_load(dt_program(), d, 1, -1.0, err, sizeof err);
    if (data) {
        rt_data_free(data);
        return true;
    }
    if (!CHECK(strstr(err, what) != NULL))
        fprintf(stderr, "  message: %s\n", err);
    return false;
}

/* Reads the file at PATH into a malloc'd buffer. */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = malloc(1 << 16);
    *len = f ? fread(buf, 1, 1 << 16, f) : 0;
    if (f)
        fclose(f);
    return buf;
}

/* An IDX folder of 6 images of 2x2 and their labels; the images file is
 * rewritten by the tests. */
static void write_idx_folder(const char *dir, bool gz)
{
    unsigned char img[4 + 12 + 24] = {0, 0, 8, 3, 0, 0, 0, 6, 0, 0, 0, 2, 0, 0, 0, 2};
    unsigned char lab[4 + 4 + 6] = {0, 0, 8, 1, 0, 0, 0, 6, 0, 1, 2, 0, 1, 2};
    char name[256];
    for (int i = 0; i < 24; i++)
        img[16 + i] = (unsigned char)(i * 10);
    mkdir(dt_path(dir), 0777);
    snprintf(name, sizeof name, "%s/train-labels-idx1-ubyte", dir);
    dt_write(name, lab, sizeof lab);
    snprintf(name, sizeof name, "%s/train-images-idx3-ubyte%s", dir, gz ? ".gz" : "");
    if (gz)
        dt_write_gz(name, img, sizeof img);
    else
        dt_write(name, img, sizeof img);
}

static void damage_idx(bool gz)
{
    const char *dir = gz ? "robust_gz" : "robust_plain";
    char name[256];
    write_idx_folder(dir, gz);
    snprintf(name, sizeof name, "%s/train-images-idx3-ubyte%s", dir, gz ? ".gz" : "");
    size_t len;
    unsigned char *good = slurp(dt_path(name), &len);
    ir_dataset d = dt_dataset(IR_SRC_IDX);
    d.path = (char *)dir;
    CHECK(load_or_named_error(&d, "train-images"));
    int cut_loaded = 0;
    for (size_t cut = 0; cut < len; cut++) {
        dt_write(name, good, cut);
        cut_loaded += load_or_named_error(&d, "train-images");
    }
    CHECK(cut_loaded == 0);   /* every shortened file is an error */
    unsigned char *bad = malloc(len);
    static const unsigned char values[] = {0x00, 0xff, 0x7f, 0x80, 0x01};
    for (size_t i = 0; i < len; i++)
        for (size_t v = 0; v < sizeof values; v++) {
            memcpy(bad, good, len);
            bad[i] = values[v];
            dt_write(name, bad, len);
            load_or_named_error(&d, dir);
        }
    dt_write(name, good, len);
    free(bad);
    free(good);
}

static void damage_csv(void)
{
    static const char good[] =
        "a,\"b\",label\n1,2.5,x\n\"3\",4,\"y, z\"\n5,6e-1,x\n7,8,\"y, z\"\n";
    size_t len = sizeof good - 1;
    ir_dataset d = dt_dataset(IR_SRC_CSV);
    d.path = "robust.csv";
    dt_write("robust.csv", good, len);
    CHECK(load_or_named_error(&d, "robust.csv"));
    for (size_t cut = 0; cut < len; cut++) {
        dt_write("robust.csv", good, cut);
        load_or_named_error(&d, "robust.csv");
    }
    char bad[sizeof good];
    static const char values[] = {',', '"', '\n', '\r', '\0', 'x', ' ', '-'};
    for (size_t i = 0; i < len; i++)
        for (size_t v = 0; v < sizeof values; v++) {
            memcpy(bad, good, len);
            bad[i] = values[v];
            dt_write("robust.csv", bad, len);
            load_or_named_error(&d, "robust.csv");
        }
    /* Many distinct labels with task = classification: too many classes. */
    size_t cap = 16 * 1200;
    char *big = malloc(cap);
    size_t n = (size_t)snprintf(big, cap, "a,label\n");
    for (int i = 0; i < 1001; i++)
        n += (size_t)snprintf(big + n, cap - n, "%d,c%d\n", i, i);
    dt_write("classes.csv", big, n);
    free(big);
    d.path = "classes.csv";
    d.task = IR_TASK_CLASSIFICATION;
    LOAD_FAILS(&d, "classes.csv", "1001 distinct values", "more than the 1000 classes");
}

int main(void)
{
    damage_idx(false);
    damage_idx(true);
    damage_csv();
    return dt_finish("test_robust");
}
