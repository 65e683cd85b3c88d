/* rtest.h: helpers for the repair tests: a check macro that counts failures,
 * and the data facts the passes read (compiling text: source.h). */
#ifndef DNNC_RTEST_H
#define DNNC_RTEST_H

#include <stdio.h>

#include "ir.h"
#include "rewrite.h"
#include "source.h"

extern int rt_failures;     /* checks failed so far */
extern int rt_checks;       /* checks run so far */

#define CHECK(cond, ...)                                               \
    do {                                                               \
        rt_checks++;                                                   \
        if (!(cond)) {                                                 \
            rt_failures++;                                             \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                \
            printf(__VA_ARGS__);                                       \
            printf("\n");                                              \
        }                                                              \
    } while (0)

/* Prints "what: N checks, N failed"; the exit status for main. */
int rtest_finish(const char *what);
/* Facts for a classification data set of CLASSES classes with raw inputs in [LO, HI]. */
rp_facts rtest_facts(int classes, double lo, double hi);

#endif
