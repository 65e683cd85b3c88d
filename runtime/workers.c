/* workers.c: persistent worker threads with chunk claiming (see workers.h).
 *
 * One 64-bit atomic word holds the current call's generation, its chunk
 * count and the next unclaimed chunk; a thread claims a chunk by
 * compare-and-swap on it, so a claim can only succeed for the call the
 * thread read the function of (the caller cannot post a new call before every
 * chunk of the current one is done).  Workers spin briefly on the word before
 * sleeping on a condition variable, because a training step calls this a
 * dozen times within a millisecond; the caller takes chunks too, then waits
 * for the chunks in flight.  Calls from different threads are serialised.
 */
#include "workers.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define SPINS 20000             /* polls of the state word before sleeping */

typedef void (*chunk_fn)(void *, int);

/* The workers' shared state. */
static struct {
    pthread_mutex_t run_lock;   /* one rt_workers_run at a time */
    pthread_mutex_t lock;       /* guards the condition variables */
    pthread_cond_t wake;        /* a new call was posted */
    pthread_cond_t finished;    /* the last chunk of a call is done */
    int started;                /* workers running */
    _Atomic uint64_t state;     /* generation << 40 | chunks << 20 | next chunk */
    _Atomic int done;           /* chunks of the current call finished */
    _Atomic int threads;        /* threads the current call may use */
    _Atomic(chunk_fn) fn;       /* the current call's function */
    _Atomic(void *) ctx;        /* and its context */
} w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
       PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, NULL, NULL};

#define GEN(s) ((s) >> 40)
#define CHUNKS(s) ((int)(((s) >> 20) & 0xfffff))
#define NEXT(s) ((int)((s) & 0xfffff))

int rt_workers_chunks(int threads, long items)
{
    if (threads <= 1 || items <= 1)
        return 1;
    long c = (long)threads * RT_CHUNKS_PER_THREAD;
    return (int)(c < items ? c : items);
}

/* Claims and runs chunks of generation GEN until none is left. */
static void work(uint64_t gen)
{
    for (;;) {
        uint64_t s = atomic_load(&w.state);
        if (GEN(s) != gen || NEXT(s) >= CHUNKS(s))
            return;
        chunk_fn fn = atomic_load_explicit(&w.fn, memory_order_relaxed);
        void *ctx = atomic_load_explicit(&w.ctx, memory_order_relaxed);
        if (!atomic_compare_exchange_weak(&w.state, &s, s + 1))
            continue;
        fn(ctx, NEXT(s));
        if (atomic_fetch_add(&w.done, 1) + 1 == CHUNKS(s)) {
            pthread_mutex_lock(&w.lock);
            pthread_cond_signal(&w.finished);
            pthread_mutex_unlock(&w.lock);
        }
    }
}

static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg;    /* takes part while id < threads of the call */
    uint64_t seen = 0;
    for (;;) {
        uint64_t gen = GEN(atomic_load(&w.state));
        for (int i = 0; gen == seen && i < SPINS; i++)
            gen = GEN(atomic_load(&w.state));
        if (gen == seen) {
            pthread_mutex_lock(&w.lock);
            while ((gen = GEN(atomic_load(&w.state))) == seen)
                pthread_cond_wait(&w.wake, &w.lock);
            pthread_mutex_unlock(&w.lock);
        }
        seen = gen;
        if (id < atomic_load(&w.threads))
            work(gen);
    }
    return NULL;
}

void rt_workers_run(int threads, int chunks, void (*fn)(void *ctx, int chunk), void *ctx)
{
    if (threads <= 1 || chunks <= 1) {
        for (int k = 0; k < chunks; k++)
            fn(ctx, k);
        return;
    }
    threads = threads < RT_WORKERS_MAX ? threads : RT_WORKERS_MAX;
    chunks = chunks < 0xfffff ? chunks : 0xfffff;
    pthread_mutex_lock(&w.run_lock);
    while (w.started < threads - 1) {
        pthread_t t;
        if (pthread_create(&t, NULL, worker, (void *)(intptr_t)(w.started + 1)) != 0) {
            fputs("dnnc: cannot start a worker thread\n", stderr);
            exit(2);
        }
        pthread_detach(t);
        w.started++;
    }
    /* Post the call: its function, then the state word that opens it. */
    uint64_t gen = GEN(atomic_load(&w.state)) + 1;
    atomic_store_explicit(&w.fn, fn, memory_order_relaxed);
    atomic_store_explicit(&w.ctx, ctx, memory_order_relaxed);
    atomic_store(&w.threads, threads);
    atomic_store(&w.done, 0);
    pthread_mutex_lock(&w.lock);
    atomic_store(&w.state, gen << 40 | (uint64_t)chunks << 20);
    pthread_cond_broadcast(&w.wake);
    pthread_mutex_unlock(&w.lock);
    work(gen);
    for (int i = 0; atomic_load(&w.done) < chunks && i < SPINS; i++)
        ;
    pthread_mutex_lock(&w.lock);
    while (atomic_load(&w.done) < chunks)
        pthread_cond_wait(&w.finished, &w.lock);
    pthread_mutex_unlock(&w.lock);
    pthread_mutex_unlock(&w.run_lock);
}
