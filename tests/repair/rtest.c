/* rtest.c: helpers for the repair tests (rtest.h). */
#include "rtest.h"

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
