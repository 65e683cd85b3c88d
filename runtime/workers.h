/* workers.h: the runtime's worker threads.
 *
 * Kernels that OpenBLAS does not run (direct convolutions, pooling, the
 * optimiser, split dense products) cut their work into chunks and run them
 * here: rt_workers_run calls FN(CTX, k) for every chunk k on the calling
 * thread and up to THREADS - 1 persistent workers, and returns when all
 * chunks are done.  Chunks are claimed one at a time, so a worker that the
 * operating system does not schedule (a busy shared machine) delays nothing:
 * the others take its chunks.  What a chunk computes depends only on its
 * index, and sums across chunks are added in chunk order by the callers, so
 * results depend on the chunk count (rt_workers_chunks, a function of the
 * thread count) and not on scheduling.  One thread, or one chunk, runs inline
 * without touching the workers, so single-threaded trainings in several
 * threads of a process do not contend.
 */
#ifndef DNNC_RT_WORKERS_H
#define DNNC_RT_WORKERS_H

#define RT_WORKERS_MAX 64       /* most threads one call may use */
#define RT_CHUNKS_PER_THREAD 4  /* chunks per thread, for balance */

/* Chunks to cut ITEMS independent items into for THREADS threads: 1 for one
 * thread, else RT_CHUNKS_PER_THREAD per thread, never more than ITEMS. */
int rt_workers_chunks(int threads, long items);

/* Runs FN(CTX, 0 .. CHUNKS - 1) on up to THREADS threads (the caller's
 * included); returns when every chunk is done. */
void rt_workers_run(int threads, int chunks, void (*fn)(void *ctx, int chunk), void *ctx);

#endif
