/* progress.c: the progress bar and the per-epoch lines (see progress.h). */
#define _POSIX_C_SOURCE 200809L
#include "progress.h"

#include <time.h>
#include <unistd.h>

double rt_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void rt_progress_init(rt_progress *p, bool want_bar, FILE *log, int epochs, int batches,
                      bool classification)
{
    *p = (rt_progress){0};
    p->bar = want_bar && isatty(fileno(stderr));
    p->log = log;
    p->epochs = epochs;
    p->batches = batches;
    p->classification = classification;
}

void rt_progress_epoch_start(rt_progress *p)
{
    p->epoch_start = rt_now();
    p->last_draw = 0.0;
}

static void erase(rt_progress *p)
{
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->drawn = false;
    }
}

void rt_progress_batch(rt_progress *p, int epoch, int done, double loss, long samples)
{
    if (!p->bar)
        return;
    double now = rt_now();
    if (done < p->batches && now - p->last_draw < 0.1)
        return;
    p->last_draw = now;
    double el = now - p->epoch_start;
    double rate = el > 0 ? (double)samples / el : 0.0;
    double eta = done > 0 ? el * (p->batches - done) / done : 0.0;
    int width = 24, fill = p->batches > 0 ? width * done / p->batches : width;
    char bar[32];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '=' : i == fill ? '>' : ' ';
    bar[width] = 0;
    fprintf(stderr, "\r\033[Kepoch %d/%d [%s] %d/%d loss %.4f %.0f samples/s ETA %.0fs",
            epoch + 1, p->epochs, bar, done, p->batches, loss, rate, eta);
    fflush(stderr);
    p->drawn = true;
}

void rt_progress_epoch_end(rt_progress *p, int epoch, const rt_epoch *e, bool has_val)
{
    erase(p);
    if (!p->log)
        return;
    const char *m = p->classification ? "accuracy" : "mae";
    fprintf(p->log, "epoch %d/%d: loss %.4f %s %.4f", epoch + 1, p->epochs, e->loss, m,
            e->metric);
    if (has_val) {
        fprintf(p->log, " val_loss %.4f val_%s %.4f", e->val_loss, m, e->val_metric);
        for (int k = 0; k < p->n_user; k++)
            fprintf(p->log, " val_%s %.4f", p->user_names[k], e->val_user[k]);
    }
    fprintf(p->log, " (%.2f s)\n", e->seconds);
    fflush(p->log);
}
