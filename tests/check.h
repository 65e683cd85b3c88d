/* check.h: the one check harness of dnnc's C tests.
 *
 * A check records its outcome and the test goes on, so one run lists every
 * failure; a failed check prints "FAIL file:line: " and its message (or, with
 * none, the condition's text).  A test's main returns check_finish(), which
 * prints "WHAT: N checks, N failed" and gives the exit status.  Fixtures of
 * each area (hand-built IR and in-memory data, scratch files, data facts)
 * live beside their tests and report through these.
 */
#ifndef DNNC_CHECK_H
#define DNNC_CHECK_H

#include <stdbool.h>

extern int check_count;    /* checks run so far */
extern int check_failed;   /* checks failed so far */

/* Records one check at FILE:LINE; on failure prints the message FMT (after
 * its first character, a space the CHECK macro puts there) or, when that is
 * empty, COND.  Returns OK. */
bool check_record(bool ok, const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Records whether |A - B| <= TOL, printing both values on failure. */
bool check_near(double a, double b, double tol, const char *file, int line, const char *what_a,
                const char *what_b);

/* CHECK(cond) or CHECK(cond, "format", ...): the message is optional. */
#define CHECK(cond, ...) check_record((cond) != 0, __FILE__, __LINE__, #cond, " " __VA_ARGS__)
#define CHECK_NEAR(a, b, tol) \
    check_near((double)(a), (double)(b), (double)(tol), __FILE__, __LINE__, #a, #b)

/* Prints "WHAT: N checks, N failed"; the exit status for main (1 on a failure). */
int check_finish(const char *what);

#endif
