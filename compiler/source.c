/* source.c: reading and compiling a program's text (source.h). */
#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir_text.h"
#include "lower.h"
#include "parse.h"

char *dnnc_read_file(const char *path, long *size, char *err, size_t errsize)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        snprintf(err, errsize, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = ir_alloc(cap);
    for (;;) {
        if (len + 1 >= cap) {
            if (cap >= (size_t)DNNC_MAX_INPUT) {
                snprintf(err, errsize, "'%s' is larger than %ld bytes", path, DNNC_MAX_INPUT);
                free(buf);
                if (f != stdin)
                    fclose(f);
                return NULL;
            }
            cap *= 2;
            buf = ir_realloc(buf, cap);
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    bool failed = ferror(f);
    if (f != stdin)
        fclose(f);
    if (failed) {
        snprintf(err, errsize, "cannot read '%s'", path);
        free(buf);
        return NULL;
    }
    buf[len] = 0;
    *size = (long)len;
    return buf;
}

ir_program *dnnc_compile(const char *path, const char *text, long size, diag_ctx *d)
{
    if (ir_text_is_ir(text, size))
        return ir_read(path, text, size, d);
    ast_program ast = {0};
    ir_program *p = NULL;
    if (parse_dnn(text, size, &ast, d))
        p = lower_program(&ast, path, d);
    ast_program_free(&ast);
    return p;
}

ir_program *dnnc_compile_text(const char *path, const char *text, bool print_errors)
{
    diag_ctx d;
    long size = (long)strlen(text);
    diag_init(&d, path, text, size);
    ir_program *p = dnnc_compile(path, text, size, &d);
    if (print_errors)
        diag_print(&d, stderr);
    if (p && d.errors > 0) {
        ir_program_free(p);
        p = NULL;
    }
    diag_free(&d);
    return p;
}
