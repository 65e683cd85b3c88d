/* not_implemented.c: the modes whose issues have not landed yet.
 * Each says so clearly instead of doing nothing; delete a function here when
 * its real mode file arrives.  (All have arrived: --diagnose, --repair and
 * --mutate have their mode files; this file can go.) */
#include "driver.h"
