/* pool.c: persistent worker threads for rt_pool_run (see pool.h).
 *
 * Workers are started on first use and wait on a condition variable for a new
 * generation of work; the caller runs task 0 itself, then waits until the
 * workers have finished theirs.  Workers spin briefly before sleeping, because
 * a training step calls the pool several times within a millisecond.  Calls
 * from different threads are serialised.
 */
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

/* The pool's state, shared by the workers. */
static struct {
    pthread_mutex_t run_lock;   /* one rt_pool_run at a time */
    pthread_mutex_t lock;       /* guards the fields below */
    pthread_cond_t wake;        /* a new generation was posted */
    pthread_cond_t done;        /* the last worker finished */
    int started;                /* workers running */
    _Atomic long generation;    /* bumped for each call */
    _Atomic int pending;        /* workers still busy with this generation */
    int tasks;                  /* tasks of the current call */
    void (*fn)(void *, int);    /* its function */
    void *ctx;                  /* and context */
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
          PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, NULL, NULL};

#define SPINS 20000

static void *worker(void *arg)
{
    int id = (int)(long)arg;    /* runs task id when id < tasks */
    long seen = 0;
    for (;;) {
        long gen = atomic_load(&pool.generation);
        for (int i = 0; gen == seen && i < SPINS; i++)
            gen = atomic_load(&pool.generation);
        if (gen == seen) {
            pthread_mutex_lock(&pool.lock);
            while ((gen = atomic_load(&pool.generation)) == seen)
                pthread_cond_wait(&pool.wake, &pool.lock);
            pthread_mutex_unlock(&pool.lock);
        }
        seen = gen;
        if (id < pool.tasks)
            pool.fn(pool.ctx, id);
        if (atomic_fetch_sub(&pool.pending, 1) == 1) {
            pthread_mutex_lock(&pool.lock);
            pthread_cond_signal(&pool.done);
            pthread_mutex_unlock(&pool.lock);
        }
    }
    return NULL;
}

void rt_pool_run(int tasks, void (*fn)(void *ctx, int task), void *ctx)
{
    if (tasks <= 1) {
        fn(ctx, 0);
        return;
    }
    if (tasks > RT_POOL_MAX)
        tasks = RT_POOL_MAX;
    pthread_mutex_lock(&pool.run_lock);
    while (pool.started < tasks - 1) {
        pthread_t t;
        if (pthread_create(&t, NULL, worker, (void *)(long)(pool.started + 1)) != 0) {
            fputs("dnnc: cannot start a worker thread\n", stderr);
            exit(2);
        }
        pthread_detach(t);
        pool.started++;
    }
    pthread_mutex_lock(&pool.lock);
    pool.tasks = tasks;
    pool.fn = fn;
    pool.ctx = ctx;
    atomic_store(&pool.pending, pool.started);
    atomic_fetch_add(&pool.generation, 1);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    fn(ctx, 0);
    for (int i = 0; atomic_load(&pool.pending) > 0 && i < SPINS; i++)
        ;
    pthread_mutex_lock(&pool.lock);
    while (atomic_load(&pool.pending) > 0)
        pthread_cond_wait(&pool.done, &pool.lock);
    pthread_mutex_unlock(&pool.lock);
    pthread_mutex_unlock(&pool.run_lock);
}
