/* test_csv.c: the CSV loader on small files this test writes itself.
 *
 * Headers, quoted fields, string and numeric labels, the task = auto rule,
 * label columns by name and index, gzipped files; and bad files (wrong column
 * count, text in a feature, empty, unterminated quote, missing label column)
 * that must fail with "path:line:" and what was expected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "data_fixture.h"

/* A CSV dataset reading NAME with the language's defaults (header = true,
 * label = last column, task = auto). */
static ir_dataset csv(const char *name)
{
    ir_dataset d = dt_dataset(IR_SRC_CSV);
    d.path = (char *)name;
    return d;
}

/* Row R of split S, feature J. */
static float x_at(const rt_data *data, const rt_split *s, int r, int j)
{
    return s->x[(size_t)r * (size_t)data->in_size + (size_t)j];
}

/* Quoted fields, string labels, CRLF, a byte-order mark, blank lines, spaces. */
static void test_quoted_string_labels(void)
{
    dt_write_text("flowers.csv",
                  "\xef\xbb\xbf" "\"petal, length\",width,species\r\n"
                  "1.5, 2 ,\"iris \"\"setosa\"\"\"\r\n"
                  "\r\n"
                  "  \"4.25\",-1e1,virginica\r\n"
                  "3,0.5,versicolor\r\n"
                  "2,7,\"multi\nline\"\n"
                  "6,1,virginica");
    ir_dataset d = csv("flowers.csv");
    rt_data *data = dt_load(&d, 1);
    if (!data)
        return;
    CHECK(data->in_size == 2 && data->shape.rank == 1 && data->shape.dim[0] == 2);
    CHECK(data->classes == 4 && data->train.n == 5 && data->target_size == 0);
    /* Sorted byte order: "iris \"setosa\"" < "multi\nline" < versicolor < virginica. */
    CHECK(strcmp(data->class_names[0], "iris \"setosa\"") == 0);
    CHECK(strcmp(data->class_names[1], "multi\nline") == 0);
    CHECK(strcmp(data->class_names[3], "virginica") == 0);
    const rt_split *s = &data->train;   /* no split asked for: file order */
    CHECK(x_at(data, s, 0, 0) == 1.5f && x_at(data, s, 0, 1) == 2.0f && s->label[0] == 0);
    CHECK(x_at(data, s, 1, 0) == 4.25f && x_at(data, s, 1, 1) == -10.0f && s->label[1] == 3);
    CHECK(s->label[2] == 2 && s->label[3] == 1 && s->label[4] == 3);
    CHECK(data->class_counts[3] == 2 && data->class_counts[0] == 1);
    rt_data_free(data);

    /* The same file gzipped. */
    FILE *f = fopen(dt_path("flowers.csv"), "rb");
    char buf[512];
    size_t len = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    dt_write_gz("flowers.csv.gz", buf, len);
    d = csv("flowers.csv.gz");
    data = dt_load(&d, 1);
    if (data)
        CHECK(data->train.n == 5 && data->classes == 4 && data->train.label[1] == 3);
    rt_data_free(data);
}

/* Label column by name, by index, and -1; no header. */
static void test_label_column(void)
{
    dt_write_text("mid.csv", "a,y,b\n1,cat,10\n2,dog,20\n3,cat,30\n4,dog,40\n");
    ir_dataset d = csv("mid.csv");
    d.label = "y";
    rt_data *data = dt_load(&d, 1);
    if (data) {
        CHECK(data->in_size == 2 && data->classes == 2);
        CHECK(x_at(data, &data->train, 3, 0) == 4.0f && x_at(data, &data->train, 3, 1) == 40.0f);
        CHECK(data->train.label[0] == 0 && data->train.label[1] == 1);
    }
    rt_data_free(data);
    d.label = NULL;
    d.label_index = 1;
    data = dt_load(&d, 1);
    if (data)
        CHECK(data->classes == 2 && data->train.label[3] == 1);
    rt_data_free(data);

    /* No header; integer labels sorted by value, not as text (10 after 2). */
    dt_write_text("nohead.csv", "0.5,10\n0.25,2\n1,1\n2,2\n3,10\n4,1\n5,1\n");
    d = csv("nohead.csv");
    d.header = false;
    data = dt_load(&d, 1);
    if (data) {
        CHECK(data->train.n == 7 && data->classes == 3);
        CHECK(data->train.label[0] == 2 && data->train.label[1] == 1 && data->train.label[2] == 0);
        CHECK(strcmp(data->class_names[2], "10") == 0);
    }
    rt_data_free(data);
    d.label_index = 0;   /* the first column as a label: 0.5, 0.25, ... -> regression */
    data = dt_load(&d, 1);
    if (data)
        CHECK(data->classes == 0 && data->target_size == 1 && data->train.target[1] == 0.25f);
    rt_data_free(data);
}

/* task = auto: text -> classes; few integers -> classes; else regression. */
static void test_task_rule(void)
{
    /* 2 distinct integers in 4 rows: classification. */
    dt_write_text("bin.csv", "x,y\n1,0\n2,1\n3,1\n4,0\n");
    ir_dataset d = csv("bin.csv");
    rt_data *data = dt_load(&d, 1);
    if (data)
        CHECK(data->classes == 2 && data->train.label && !data->train.target);
    rt_data_free(data);

    /* Fractional targets: regression, with the targets' range. */
    dt_write_text("reg.csv", "x,y\n1,0.5\n2,1.5\n3,-2.25\n4,3\n");
    d = csv("reg.csv");
    data = dt_load(&d, 1);
    if (data) {
        CHECK(data->classes == 0 && data->target_size == 1 && !data->train.label);
        CHECK(data->target_min == -2.25 && data->target_max == 3.0);
        CHECK(data->class_names == NULL && data->class_counts == NULL);
    }
    rt_data_free(data);

    /* Integers, but as many distinct values as rows: regression. */
    dt_write_text("ints.csv", "x,y\n1,10\n2,20\n3,30\n4,40\n");
    d = csv("ints.csv");
    data = dt_load(&d, 1);
    if (data)
        CHECK(data->classes == 0);
    rt_data_free(data);
    /* ... unless the program says classification. */
    d.task = IR_TASK_CLASSIFICATION;
    data = dt_load(&d, 1);
    if (data)
        CHECK(data->classes == 4 && data->train.label[3] == 3);
    rt_data_free(data);

    /* Mixed text and numbers: classes, sorted as text. */
    dt_write_text("mixed.csv", "x,y\n1,2.5\n2,b\n3,2.5\n4,a\n");
    d = csv("mixed.csv");
    data = dt_load(&d, 1);
    if (data)
        CHECK(data->classes == 3 && strcmp(data->class_names[0], "2.5") == 0 &&
              data->train.label[1] == 2);
    rt_data_free(data);
    d.task = IR_TASK_REGRESSION;
    LOAD_FAILS(&d, "mixed.csv:3:", "expected a number for task = regression", "\"b\"");
}

static void expect_csv_error(const char *name, const char *text, const char *w1, const char *w2)
{
    dt_write_text(name, text);
    ir_dataset d = csv(name);
    LOAD_FAILS(&d, w1, w2);
}

/* Bad files: each error names the file, the line and what was expected. */
static void test_bad_files(void)
{
    expect_csv_error("cols.csv", "a,b,c\n1,2,x\n\n3,4,\"q\nq\"\n5,6\n", "cols.csv:6:",
                     "2 fields (expected 3, as in the header)");
    expect_csv_error("text.csv", "a,b,c\n1,2,x\n1,NA,y\n", "text.csv:3:",
                     "column \"b\": expected a number, found \"NA\"");
    expect_csv_error("nan.csv", "a,b\nnan,x\n", "nan.csv:2:", "expected a number");
    expect_csv_error("huge.csv", "a,b\n1e39,x\n", "huge.csv:2:", "expected a number");
    expect_csv_error("empty.csv", "", "empty.csv: empty file", "a header row");
    expect_csv_error("blank.csv", "\n  \n\r\n", "blank.csv: empty file", "one row per sample");
    expect_csv_error("head.csv", "a,b,c\n", "head.csv: no data rows", "a header row, then");
    expect_csv_error("quote.csv", "a,b\n1,\"open\n2,3\n", "quote.csv:2:",
                     "unterminated quoted field");
    expect_csv_error("after.csv", "a,b\n1,\"x\"y\n", "after.csv:2:", "unexpected 'y'");
    expect_csv_error("one.csv", "a\n1\n2\n", "one.csv:1:", "1 column");
    expect_csv_error("single.csv", "a,b\n1,x\n2,x\n", "single.csv", "only one class");
    dt_write("nul.csv", "a,b\n1,\0x\n", 9);
    ir_dataset d = csv("nul.csv");
    LOAD_FAILS(&d, "nul.csv: NUL byte at offset 6", "text CSV");

    dt_write_text("named.csv", "a,b,c\n1,2,x\n");
    d = csv("named.csv");
    d.label = "species";
    LOAD_FAILS(&d, "named.csv:1:", "no column named \"species\"", "\"a\", \"b\", \"c\"");
    d.header = false;
    LOAD_FAILS(&d, "named.csv", "header = false");
    d.label = NULL;
    d.header = true;
    d.label_index = 3;
    LOAD_FAILS(&d, "named.csv:1:", "label column 3 is out of range", "3 columns");

    d = csv("no-such.csv");
    LOAD_FAILS(&d, "no-such.csv", "No such file");
    d = csv(".");
    LOAD_FAILS(&d, "not a regular file");
    dt_write("cut.csv.gz", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x4b\x4c", 12);
    d = csv("cut.csv.gz");
    LOAD_FAILS(&d, "cut.csv.gz", "truncated gzip");
    d = csv("cols.csv");
    d.path = NULL;
    LOAD_FAILS(&d, "dataset t", "needs a path");
}

/* Paths: relative to the program's folder, or absolute. */
static void test_paths(void)
{
    dt_write_text("abs.csv", "a,b\n1,x\n2,y\n");
    ir_dataset d = csv(dt_path("abs.csv"));
    rt_data *data = dt_load(&d, 1);
    CHECK(data && data->train.n == 2);
    rt_data_free(data);
    char err[256];
    d = csv("abs.csv");
    data = rt_data_load(NULL, &d, 1, -1, err, sizeof err);   /* no program: cwd */
    CHECK(!data && strstr(err, "abs.csv") != NULL);
}

int main(void)
{
    test_quoted_string_labels();
    test_label_column();
    test_task_rule();
    test_bad_files();
    test_paths();
    return dt_finish("test_csv");
}
