/* rtest.c: helpers for the repair tests (rtest.h). */
#include "rtest.h"

#include <string.h>

#include "diag.h"
#include "lower.h"
#include "parse.h"

int rt_failures, rt_checks;

int rtest_finish(const char *what)
{
    printf("%s: %d checks, %d failed\n", what, rt_checks, rt_failures);
    return rt_failures ? 1 : 0;
}

ir_program *rtest_compile(const char *path, const char *text)
{
    diag_ctx d;
    long size = (long)strlen(text);
    diag_init(&d, path, text, size);
    ast_program ast = {0};
    ir_program *p = NULL;
    if (parse_dnn(text, size, &ast, &d))
        p = lower_program(&ast, path, &d);
    ast_program_free(&ast);
    if (d.errors)
        diag_print(&d, stdout);
    diag_free(&d);
    return p;
}

rp_facts rtest_facts(int classes, double lo, double hi)
{
    rp_facts f = {0};
    f.classes = classes;
    f.target_size = classes ? 0 : 1;
    f.train_n = 1000;
    f.raw_min = f.prep_min = lo;
    f.raw_max = f.prep_max = hi;
    f.range_ratio = 1;
    return f;
}
