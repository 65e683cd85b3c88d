/* csv.c: reads a numeric CSV file with one label column (see csv.h).
 *
 * The whole file is read into memory (through zlib, so .csv.gz works too)
 * and split into fields in place: unquoting only ever shortens a field, so
 * each field is rewritten where it lies and NUL-terminated.  Rows are parsed
 * one at a time; feature values go straight into a growing float array and
 * label fields are kept as pointers into the buffer until the task and the
 * class numbering are decided, after the last row.
 */
#include "csv.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "idx.h"

/* The file being parsed and the fields of its current row. */
typedef struct csv_reader {
    const char *path;   /* for messages */
    char *buf;          /* whole file, NUL-terminated */
    char *p, *end;      /* cursor, end of the text */
    int line;           /* line of the cursor (1-based) */
    int row_line;       /* line where the current row starts */
    char **field;       /* fields of the current row, NUL-terminated */
    int nfield;         /* number of fields in the current row */
    int capfield;       /* allocated entries of field */
    char *err;          /* where messages go */
    size_t errsize;     /* size of err */
} csv_reader;

/* One label as read: its text and, when it is a number, its value. */
typedef struct csv_label {
    const char *text;   /* field text (points into the buffer) */
    double value;       /* numeric value when numeric */
    bool numeric;       /* the text is a finite number */
} csv_label;

__attribute__((format(printf, 3, 4)))
static bool fail(csv_reader *r, int line, const char *fmt, ...)
{
    int n = line > 0 ? snprintf(r->err, r->errsize, "%s:%d: ", r->path, line)
                     : snprintf(r->err, r->errsize, "%s: ", r->path);
    if (n < 0 || (size_t)n >= r->errsize)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err + n, r->errsize - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

/* Reads PATH whole (gunzipping if needed) into R->buf. */
static bool read_file(csv_reader *r)
{
    struct stat st;
    if (stat(r->path, &st) != 0)
        return fail(r, 0, "%s", strerror(errno));
    if (!S_ISREG(st.st_mode))
        return fail(r, 0, "not a regular file (expected a CSV file)");
    if (st.st_size > RT_CSV_MAX_BYTES)
        return fail(r, 0, "larger than %ld bytes, the most dnnc reads from a CSV file",
                    RT_CSV_MAX_BYTES);
    gzFile gz = gzopen(r->path, "rb");
    if (!gz)
        return fail(r, 0, "%s", errno ? strerror(errno) : "cannot open");
    gzbuffer(gz, 1u << 17);
    /* Room for the whole file plus one byte, so a plain file needs no regrowth. */
    size_t cap = (size_t)st.st_size + 2;
    size_t len = 0;
    char *buf = ir_alloc(cap);
    bool ok = true;
    for (;;) {
        if (len + 1 >= cap) {
            if (cap > (size_t)RT_CSV_MAX_BYTES) {
                ok = fail(r, 0, "larger than %ld bytes, the most dnnc reads from a CSV file",
                          RT_CSV_MAX_BYTES);
                break;
            }
            cap *= 2;
            buf = ir_realloc(buf, cap);
        }
        long n = rt_gzread_full(gz, r->path, buf + len, cap - 1 - len, r->err, r->errsize);
        if (n < 0)
            ok = false;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    gzclose_r(gz);
    if (ok) {
        const char *nul = memchr(buf, 0, len);
        if (nul)
            ok = fail(r, 0, "NUL byte at offset %ld (expected a text CSV file)", (long)(nul - buf));
    }
    if (!ok) {
        free(buf);
        return false;
    }
    buf[len] = 0;
    r->buf = buf;
    r->p = buf;
    r->end = buf + len;
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        r->p += 3;   /* UTF-8 byte-order mark */
    r->line = 1;
    return true;
}

static void add_field(csv_reader *r, char *s)
{
    if (r->nfield == r->capfield) {
        r->capfield = r->capfield ? 2 * r->capfield : 16;
        r->field = ir_realloc(r->field, sizeof *r->field * (size_t)r->capfield);
    }
    r->field[r->nfield++] = s;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Parses a quoted field starting at the quote under the cursor; leaves the
 * cursor after the closing quote.  Returns the field or NULL on error. */
static char *quoted_field(csv_reader *r)
{
    int open_line = r->line;
    char *out = r->p, *start = r->p;
    r->p++;
    for (;;) {
        if (r->p == r->end) {
            fail(r, open_line, "unterminated quoted field (expected a closing \")");
            return NULL;
        }
        char c = *r->p;
        if (c == '"') {
            if (r->p + 1 < r->end && r->p[1] == '"') {
                *out++ = '"';
                r->p += 2;
                continue;
            }
            r->p++;
            break;
        }
        if (c == '\n')
            r->line++;
        *out++ = c;
        r->p++;
    }
    *out = 0;   /* out is at least two bytes behind the cursor */
    return start;
}

/* Parses the next non-blank row into R->field.  Returns 1, 0 at the end of
 * the file, -1 on error. */
static int next_row(csv_reader *r)
{
    for (;;) {
        if (r->p >= r->end)
            return 0;
        r->nfield = 0;
        r->row_line = r->line;
        bool quoted_any = false;
        for (;;) {
            while (r->p < r->end && is_blank(*r->p))
                r->p++;
            char *s, *fend = NULL;
            if (r->p < r->end && *r->p == '"') {
                quoted_any = true;
                if (!(s = quoted_field(r)))
                    return -1;
                while (r->p < r->end && is_blank(*r->p))
                    r->p++;
                if (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r') {
                    fail(r, r->line, "unexpected '%c' after a closing quote (expected a comma "
                         "or the end of the line)", *r->p);
                    return -1;
                }
            } else {
                s = r->p;
                while (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r')
                    r->p++;
                fend = r->p;
                while (fend > s && is_blank(fend[-1]))
                    fend--;
            }
            char delim = r->p < r->end ? *r->p : 0;
            if (fend)
                *fend = 0;   /* may overwrite the delimiter, saved above */
            add_field(r, s);
            if (delim == ',') {
                r->p++;
                continue;
            }
            if (delim == '\r')
                r->p++;
            if (delim == '\r' && r->p < r->end && *r->p == '\n')
                r->p++;
            else if (delim == '\n')
                r->p++;
            if (delim)
                r->line++;
            break;
        }
        if (r->nfield == 1 && !quoted_any && r->field[0][0] == 0)
            continue;   /* blank line */
        return 1;
    }
}

/* Parses S as a finite float value. */
static bool parse_number(const char *s, double *v)
{
    if (!*s)
        return false;
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return *end == 0 && isfinite(*v) && fabs(*v) <= (double)FLT_MAX;
}

/* Names column I in messages: its header name, else its index. */
static void column_name(char **names, int i, char *buf, size_t size)
{
    if (names)
        snprintf(buf, size, "column \"%.40s\"", names[i]);
    else
        snprintf(buf, size, "column %d (counting from 0)", i);
}

/* Finds the label column from D; -1 after an error. */
static int label_column(csv_reader *r, const ir_dataset *d, char **names, int ncols)
{
    if (d->label) {
        if (!names) {
            fail(r, 0, "label = \"%s\" names a column, but header = false (expected a "
                 "column index, or a header row)", d->label);
            return -1;
        }
        for (int i = 0; i < ncols; i++)
            if (strcmp(names[i], d->label) == 0)
                return i;
        char list[256];
        size_t len = 0;
        list[0] = 0;
        for (int i = 0; i < ncols && len < sizeof list; i++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s\"%s\"", i ? ", " : "",
                                    names[i]);
        fail(r, r->row_line, "no column named \"%s\" (the header has %s)", d->label, list);
        return -1;
    }
    int i = d->label_index == -1 ? ncols - 1 : d->label_index;
    if (i < 0 || i >= ncols) {
        fail(r, r->row_line, "label column %d is out of range (the file has %d columns: "
             "expected 0 to %d, or -1 for the last)", d->label_index, ncols, ncols - 1);
        return -1;
    }
    return i;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Numbers the classes of LAB[0..N-1] in sorted order into LABEL; sets the
 * class names.  Returns the number of classes, or -1 after an error. */
static int number_classes(csv_reader *r, const char *colname, const csv_label *lab, int n,
                          bool numeric, int *label, char ***names)
{
    int k = 0;
    if (numeric) {
        double *v = ir_alloc(sizeof *v * (size_t)n);
        for (int i = 0; i < n; i++)
            v[i] = lab[i].value;
        qsort(v, (size_t)n, sizeof *v, cmp_double);
        for (int i = 0; i < n; i++)
            if (k == 0 || v[i] != v[k - 1])
                v[k++] = v[i];
        for (int i = 0; i < n; i++)
            label[i] = (int)((double *)bsearch(&lab[i].value, v, (size_t)k, sizeof *v,
                                               cmp_double) - v);
        if (k >= 2 && k <= RT_CSV_MAX_CLASSES) {
            *names = ir_alloc(sizeof **names * (size_t)k);
            for (int c = 0; c < k; c++) {
                char buf[64];
                ir_format_double(v[c], buf, sizeof buf);
                (*names)[c] = ir_strdup(buf);
            }
        }
        free(v);
    } else {
        const char **s = ir_alloc(sizeof *s * (size_t)n);
        for (int i = 0; i < n; i++)
            s[i] = lab[i].text;
        qsort(s, (size_t)n, sizeof *s, cmp_str);
        for (int i = 0; i < n; i++)
            if (k == 0 || strcmp(s[i], s[k - 1]) != 0)
                s[k++] = s[i];
        for (int i = 0; i < n; i++)
            label[i] = (int)((const char **)bsearch(&lab[i].text, s, (size_t)k, sizeof *s,
                                                    cmp_str) - s);
        if (k >= 2 && k <= RT_CSV_MAX_CLASSES) {
            *names = ir_alloc(sizeof **names * (size_t)k);
            for (int c = 0; c < k; c++)
                (*names)[c] = ir_strdup(s[c]);
        }
        free(s);
    }
    if (k < 2)
        fail(r, 0, "the label %s holds only one class, \"%.40s\" (classification needs at "
             "least 2)", colname, lab[0].text);
    else if (k > RT_CSV_MAX_CLASSES)
        fail(r, 0, "the label %s holds %d distinct values, more than the %d classes dnnc "
             "supports (for numeric targets, set task = regression)", colname, k,
             RT_CSV_MAX_CLASSES);
    return k >= 2 && k <= RT_CSV_MAX_CLASSES ? k : -1;
}

/* Whether task = auto makes these labels classes (see csv.h). */
static bool auto_is_classification(const csv_label *lab, int n)
{
    for (int i = 0; i < n; i++)
        if (!lab[i].numeric)
            return true;
    for (int i = 0; i < n; i++)
        if (lab[i].value != floor(lab[i].value))
            return false;
    double *v = ir_alloc(sizeof *v * (size_t)n);
    for (int i = 0; i < n; i++)
        v[i] = lab[i].value;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (i == 0 || v[i] != v[i - 1])
            k++;
    free(v);
    return k <= RT_CSV_AUTO_CLASSES && 2 * k <= n;
}

/* Growing arrays of the rows read so far. */
typedef struct csv_rows {
    float *x;           /* features, row-major */
    csv_label *lab;     /* one label per row */
    int n, cap;         /* rows stored, rows allocated */
} csv_rows;

/* Parses every data row after the header (or from the first row). */
static bool read_rows(csv_reader *r, const ir_dataset *d, char **names, int ncols,
                      int lcol, csv_rows *rows)
{
    int width = ncols - 1;
    char col[80];
    for (int more = r->nfield > 0; more;) {
        if (r->nfield != ncols)
            return fail(r, r->row_line, "%d fields (expected %d, as in %s)", r->nfield, ncols,
                        names ? "the header" : "the first row");
        if (rows->n == rows->cap) {
            if (rows->n == 0x3fffffff)
                return fail(r, r->row_line, "too many rows");
            rows->cap = rows->cap ? 2 * rows->cap : 256;
            rows->x = ir_realloc(rows->x, sizeof *rows->x * (size_t)rows->cap * (size_t)width);
            rows->lab = ir_realloc(rows->lab, sizeof *rows->lab * (size_t)rows->cap);
        }
        float *x = rows->x + (size_t)rows->n * (size_t)width;
        for (int j = 0, k = 0; j < ncols; j++) {
            double v;
            if (j == lcol)
                continue;
            if (!parse_number(r->field[j], &v)) {
                column_name(names, j, col, sizeof col);
                return fail(r, r->row_line, "%s: expected a number, found \"%.40s\" (only "
                            "the label column may hold text)", col, r->field[j]);
            }
            x[k++] = (float)v;
        }
        csv_label *l = &rows->lab[rows->n];
        l->text = r->field[lcol];
        l->numeric = parse_number(l->text, &l->value);
        if (!l->numeric && d->task == IR_TASK_REGRESSION) {
            column_name(names, lcol, col, sizeof col);
            return fail(r, r->row_line, "label %s: expected a number for task = regression, "
                        "found \"%.40s\"", col, l->text);
        }
        rows->n++;
        int got = next_row(r);
        if (got < 0)
            return false;
        more = got > 0;
    }
    if (rows->n == 0)
        return fail(r, 0, "no data rows (expected %sone row per sample)",
                    names ? "a header row, then " : "");
    return true;
}

bool rt_csv_load(const char *path, const ir_dataset *d, rt_data *data, char *err, size_t errsize)
{
    csv_reader r = {0};
    r.path = path;
    r.err = err;
    r.errsize = errsize;
    if (!read_file(&r))
        return false;
    csv_rows rows = {0};
    char **names = NULL;
    int *label = NULL;
    bool ok = false;
    int got = next_row(&r);
    if (got == 0)
        fail(&r, 0, "empty file (expected %sone row per sample)",
             d->header ? "a header row, then " : "");
    if (got <= 0)
        goto done;
    int ncols = r.nfield;
    if (ncols < 2) {
        fail(&r, r.row_line, "1 column (expected at least one feature column and a label "
             "column, separated by commas)");
        goto done;
    }
    if (d->header) {
        names = ir_alloc(sizeof *names * (size_t)ncols);
        memcpy(names, r.field, sizeof *names * (size_t)ncols);
    }
    int lcol = label_column(&r, d, names, ncols);
    if (lcol < 0)
        goto done;
    if (d->header && (got = next_row(&r)) < 0)
        goto done;
    if (d->header && got == 0)
        r.nfield = 0;
    if (!read_rows(&r, d, names, ncols, lcol, &rows))
        goto done;

    bool classify = d->task == IR_TASK_CLASSIFICATION ||
                    (d->task == IR_TASK_AUTO && auto_is_classification(rows.lab, rows.n));
    float *target = NULL;
    int classes = 0;
    if (classify) {
        bool numeric = true;
        for (int i = 0; i < rows.n; i++)
            numeric &= rows.lab[i].numeric;
        char col[80];
        column_name(names, lcol, col, sizeof col);
        label = ir_alloc(sizeof *label * (size_t)rows.n);
        classes = number_classes(&r, col, rows.lab, rows.n, numeric, label, &data->class_names);
        if (classes < 0)
            goto done;
    } else {
        target = ir_alloc(sizeof *target * (size_t)rows.n);
        for (int i = 0; i < rows.n; i++)
            target[i] = (float)rows.lab[i].value;
    }
    data->shape = (ir_shape){1, {ncols - 1, 0, 0}};
    data->in_size = ncols - 1;
    data->classes = classes;
    data->target_size = classify ? 0 : 1;
    data->train = (rt_split){rows.n, rows.x, label, target};
    rows.x = NULL;
    label = NULL;
    ok = true;
done:
    free(label);
    free(rows.x);
    free(rows.lab);
    free(names);
    free(r.field);
    free(r.buf);
    return ok;
}
