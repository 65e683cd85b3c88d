/* repair_stop.c: the SIGINT/SIGTERM flag of a running repair (repair_stop.h). */
#include "repair_stop.h"

#include <stdio.h>
#include <string.h>

volatile sig_atomic_t rp_stop_signal;

static struct sigaction old_int, old_term;   /* the handlers replaced */

static void on_signal(int sig)
{
    rp_stop_signal = sig;
}

void rp_stop_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a blocking wait returns early with EINTR. */
    sa.sa_flags = SA_RESETHAND;
    rp_stop_signal = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
}

void rp_stop_restore(void)
{
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
}

const char *rp_stop_name(int sig)
{
    static char other[32];
    if (sig == SIGINT)
        return "SIGINT";
    if (sig == SIGTERM)
        return "SIGTERM";
    snprintf(other, sizeof other, "signal %d", sig);
    return other;
}
