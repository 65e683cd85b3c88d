/* data_fixture.c: fixtures of the data-loading tests (data_fixture.h). */
#include "data_fixture.h"

#include <ftw.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static char scratch[256];
static ir_program *program;

const char *dt_dir(void)
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

const char *dt_path(const char *name)
{
    static char pool[8][512];
    static int next;
    char *buf = pool[next++ % 8];
    snprintf(buf, sizeof pool[0], "%s/%s", dt_dir(), name);
    return buf;
}

void dt_write(const char *name, const void *bytes, size_t len)
{
    FILE *f = fopen(dt_path(name), "wb");
    if (!f || fwrite(bytes, 1, len, f) != len || fclose(f) != 0) {
        perror(name);
        exit(99);
    }
}

void dt_write_gz(const char *name, const void *bytes, size_t len)
{
    gzFile f = gzopen(dt_path(name), "wb");
    if (!f || (len && gzwrite(f, bytes, (unsigned)len) != (int)len) || gzclose(f) != Z_OK) {
        fprintf(stderr, "%s: cannot write\n", name);
        exit(99);
    }
}

void dt_write_text(const char *name, const char *text)
{
    dt_write(name, text, strlen(text));
}

ir_dataset dt_dataset(ir_src source)
{
    ir_dataset d;
    memset(&d, 0, sizeof d);
    ir_dataset_defaults(&d);
    d.name = "t";
    d.source = source;
    return d;
}

ir_program *dt_program(void)
{
    if (!program) {
        program = ir_program_new(dt_path("program.dnn"));
    }
    return program;
}

rt_data *dt_load(const ir_dataset *d, uint64_t seed)
{
    char err[1024] = "";
    rt_data *data = rt_data_load(dt_program(), d, seed, -1.0, err, sizeof err);
    check_record(data != NULL, __FILE__, __LINE__, "load", " unexpected load error: %s", err);
    return data;
}

void dt_load_fails(const ir_dataset *d, ...)
{
    char err[1024] = "";
    rt_data *data = rt_data_load(dt_program(), d, 1, -1.0, err, sizeof err);
    if (!check_record(data == NULL, __FILE__, __LINE__, "load fails", " load of %s succeeded, expected an error",
                      d->path ? d->path : "?")) {
        rt_data_free(data);
        return;
    }
    va_list ap;
    va_start(ap, d);
    for (const char *word; (word = va_arg(ap, const char *));) {
        check_record(strstr(err, word) != NULL, __FILE__, __LINE__, "error words",
                     " error message lacks \"%s\": %s", word, err);
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

int dt_finish(const char *test)
{
    if (scratch[0] && !getenv("KEEP"))
        nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    ir_program_free(program);
    return check_finish(test);
}
