/* rtest.h: fixtures of the repair tests: the data facts the passes read
 * (compiling text: source.h; checks: tests/check.h). */
#ifndef DNNC_RTEST_H
#define DNNC_RTEST_H

#include <stdio.h>

#include "check.h"
#include "ir.h"
#include "rewrite.h"
#include "source.h"

/* Facts for a classification data set of CLASSES classes with raw inputs in [LO, HI]. */
rp_facts rtest_facts(int classes, double lo, double hi);

#endif
