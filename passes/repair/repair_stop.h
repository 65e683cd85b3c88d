/* repair_stop.h: stopping a repair cleanly on SIGINT or SIGTERM.
 *
 * While a repair runs, SIGINT and SIGTERM only set a flag (the handler is
 * installed with SA_RESETHAND, so a second signal of the same kind kills at
 * once, the journal being safe on disk record by record).  The pool watches
 * the flag: it kills the trainings in flight and abandons the rest of its
 * batch; the repair then starts nothing new, reports what it validated so
 * far, marked as interrupted, closes its journal and exits with 128 plus
 * the signal's number (130 for SIGINT, 143 for SIGTERM), as a shell reports
 * a process the signal killed.
 */
#ifndef DNNC_REPAIR_STOP_H
#define DNNC_REPAIR_STOP_H

#include <signal.h>

/* Installs the handlers (and remembers the ones they replace). */
void rp_stop_install(void);
/* Puts the replaced handlers back. */
void rp_stop_restore(void);
/* The flag: the signal's number once one arrived, else 0. */
extern volatile sig_atomic_t rp_stop_signal;
/* "SIGINT", "SIGTERM" or "signal N" for SIG. */
const char *rp_stop_name(int sig);

#endif
