/* testutil.c: helpers shared by the data-loading tests (see testutil.h). */
#include "testutil.h"

#include <ftw.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static int failures, checks;
static char scratch[256];
static ir_program *program;

bool tu_check(bool ok, const char *file, int line, const char *what)
{
    checks++;
    if (!ok) {
        failures++;
        fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
    }
    return ok;
}

bool tu_check_near(double a, double b, double tol, const char *file, int line,
                   const char *what_a, const char *what_b)
{
    checks++;
    if (fabs(a - b) <= tol)
        return true;
    failures++;
    fprintf(stderr, "%s:%d: check failed: %s = %.9g, %s = %.9g (tolerance %g)\n", file, line,
            what_a, a, what_b, b, tol);
    return false;
}

const char *tu_dir(void)
{
    if (!scratch[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(scratch, sizeof scratch, "%s/dnnc-data-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(scratch)) {
            perror("mkdtemp");
            exit(99);
        }
    }
    return scratch;
}

const char *tu_path(const char *name)
{
    static char pool[8][512];
    static int next;
    char *buf = pool[next++ % 8];
    snprintf(buf, sizeof pool[0], "%s/%s", tu_dir(), name);
    return buf;
}

void tu_write(const char *name, const void *bytes, size_t len)
{
    FILE *f = fopen(tu_path(name), "wb");
    if (!f || fwrite(bytes, 1, len, f) != len || fclose(f) != 0) {
        perror(name);
        exit(99);
    }
}

void tu_write_gz(const char *name, const void *bytes, size_t len)
{
    gzFile f = gzopen(tu_path(name), "wb");
    if (!f || (len && gzwrite(f, bytes, (unsigned)len) != (int)len) || gzclose(f) != Z_OK) {
        fprintf(stderr, "%s: cannot write\n", name);
        exit(99);
    }
}

void tu_write_text(const char *name, const char *text)
{
    tu_write(name, text, strlen(text));
}

ir_dataset tu_dataset(ir_src source)
{
    ir_dataset d;
    memset(&d, 0, sizeof d);
    ir_dataset_defaults(&d);
    d.name = "t";
    d.source = source;
    return d;
}

ir_program *tu_program(void)
{
    if (!program) {
        program = ir_program_new(tu_path("program.dnn"));
    }
    return program;
}

rt_data *tu_load(const ir_dataset *d, uint64_t seed)
{
    char err[1024] = "";
    rt_data *data = rt_data_load(tu_program(), d, seed, -1.0, err, sizeof err);
    checks++;
    if (!data) {
        failures++;
        fprintf(stderr, "unexpected load error: %s\n", err);
    }
    return data;
}

void tu_load_fails(const ir_dataset *d, ...)
{
    char err[1024] = "";
    rt_data *data = rt_data_load(tu_program(), d, 1, -1.0, err, sizeof err);
    checks++;
    if (data) {
        failures++;
        fprintf(stderr, "load of %s succeeded, expected an error\n", d->path ? d->path : "?");
        rt_data_free(data);
        return;
    }
    va_list ap;
    va_start(ap, d);
    for (const char *word; (word = va_arg(ap, const char *));) {
        if (!strstr(err, word)) {
            failures++;
            fprintf(stderr, "error message lacks \"%s\": %s\n", word, err);
        }
    }
    va_end(ap);
    printf("expected error: %s\n", err);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int tu_finish(const char *test)
{
    if (scratch[0] && !getenv("KEEP"))
        nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    ir_program_free(program);
    printf("%s: %d checks, %d failed\n", test, checks, failures);
    return failures ? 1 : 0;
}
