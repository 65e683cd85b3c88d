/* pool.h: the runtime's worker threads.
 *
 * Kernels that OpenBLAS does not run (direct convolutions) split a batch into
 * tasks and run them here: rt_pool_run calls FN(CTX, t) for every task t, the
 * first on the calling thread and the others on persistent workers, and
 * returns when all are done.  One task runs inline without touching the pool,
 * so single-threaded trainings in several threads of a process do not
 * contend.  Which task does what is fixed by the caller, so results depend on
 * the task count but not on scheduling.
 */
#ifndef DNNC_RT_POOL_H
#define DNNC_RT_POOL_H

#define RT_POOL_MAX 64      /* most tasks one call may have */

/* Runs FN(CTX, 0 .. TASKS - 1) in parallel; TASKS from 1 to RT_POOL_MAX. */
void rt_pool_run(int tasks, void (*fn)(void *ctx, int task), void *ctx);

#endif
