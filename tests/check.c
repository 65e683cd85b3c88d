/* check.c: the check harness of the C tests (check.h). */
#include "check.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

int check_count, check_failed;

bool check_record(bool ok, const char *file, int line, const char *cond, const char *fmt, ...)
{
    check_count++;
    if (ok)
        return true;
    check_failed++;
    printf("FAIL %s:%d: ", file, line);
    if (fmt[0] && fmt[1]) {
        va_list ap;
        va_start(ap, fmt);
        vprintf(fmt + 1, ap);
        va_end(ap);
    } else {
        fputs(cond, stdout);
    }
    putchar('\n');
    fflush(stdout);
    return false;
}

bool check_near(double a, double b, double tol, const char *file, int line, const char *what_a,
                const char *what_b)
{
    return check_record(fabs(a - b) <= tol, file, line, what_a, " %s = %.9g, %s = %.9g (tolerance %g)",
                        what_a, a, what_b, b, tol);
}

int check_finish(const char *what)
{
    printf("%s: %d checks, %d failed\n", what, check_count, check_failed);
    return check_failed ? 1 : 0;
}
