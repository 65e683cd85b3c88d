/* mode_train.c: placeholder for --train and --eval until the runtime lands
 * (the runtime engineer replaces this file). */
#include <stdio.h>

#include "driver.h"

int dnnc_mode_train(const ir_program *p, const dnnc_source *src, const dnnc_options *o)
{
    (void)p, (void)src;
    fprintf(stderr, "dnnc: error: %s is not implemented yet\n", o->mode == DNNC_MODE_EVAL ? "--eval" : "--train");
    return 2;
}
