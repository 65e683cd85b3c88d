/* not_implemented.c: the modes whose issues have not landed yet.
 * Each says so clearly instead of doing nothing; delete a function here when
 * its real mode file arrives. */
#include <stdio.h>

#include "driver.h"

static int not_yet(const char *mode)
{
    fprintf(stderr, "dnnc: error: %s is not implemented yet\n", mode);
    return 2;
}

int dnnc_mode_mutate(const ir_program *p, const dnnc_source *src, const dnnc_options *o)
{
    (void)p, (void)src, (void)o;
    return not_yet("--mutate");
}
