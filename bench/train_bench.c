/* train_bench.c: trainings per second of small programs, in process.
 *
 * Repair trains hundreds of small candidate programs, one per core and each
 * on one thread (passes/repair/pool.c), so what a training costs besides its maths
 * (building the network, allocating, per-batch and per-epoch overheads,
 * evaluation passes) is the speed of a repair.  This benchmark loads each
 * program given and its dataset once, then runs rt_train on one thread with
 * seeds 1, 2, ... for at least MIN_SECONDS (and at least MIN_RUNS times), and
 * prints trainings per second.  It also splits one training's time into
 * building and freeing the network, training (rt_train_net, validation
 * passes included) and the final test evaluation, and prints the steps per
 * second of the training loop, so fixed costs show beside the maths.
 *
 * usage: train_bench [-t SECONDS] FILE.dnn...   (make bench-train runs it on
 * a few of examples/faults/)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "ir.h"
#include "progress.h"
#include "source.h"
#include "train.h"

#define MIN_RUNS 5

/* Reads and compiles PATH as dnnc does (compiler/source.c); NULL (after
 * printing why) on failure. */
static ir_program *load_program(const char *path)
{
    char err[512];
    long size;
    char *text = dnnc_read_file(path, &size, err, sizeof err);
    if (!text) {
        fprintf(stderr, "train_bench: %s\n", err);
        return NULL;
    }
    ir_program *p = dnnc_compile_text(path, text, true);
    free(text);
    return p;
}

/* Seconds of each part of one training (rt_train's steps, timed apart). */
typedef struct parts {
    double build;       /* rt_net_for_program + rt_net_free */
    double train;       /* rt_train_net */
    double test;        /* rt_evaluate on the test split */
    long steps;         /* batches trained */
} parts;

static int one_training(const ir_program *p, const rt_data *d, long seed, parts *t)
{
    rt_train_options o;
    rt_train_options_default(&o);
    o.threads = 1;
    o.seed = seed;
    char err[512];
    rt_result res;
    double t0 = rt_now();
    rt_net *net = rt_net_for_program(p, d, (uint64_t)seed, err, sizeof err);
    double t1 = rt_now();
    int rc = net ? rt_train_net(net, p, d, &o, &res, err, sizeof err) : -1;
    double t2 = rt_now();
    double loss, metric;
    if (rc == 0 && d->test.n > 0)
        rc = rt_evaluate(net, d, &d->test, &loss, &metric, err, sizeof err);
    double t3 = rt_now();
    rt_net_free(net);
    double t4 = rt_now();
    if (rc != 0) {
        fprintf(stderr, "train_bench: %s: %s\n", p->file, err);
        return -1;
    }
    t->build = (t1 - t0) + (t4 - t3);
    t->train = t2 - t1;
    t->test = t3 - t2;
    t->steps = res.n_batches;
    rt_result_free(&res);
    return 0;
}

int main(int argc, char **argv)
{
    double min_seconds = 2.0;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "-t") == 0) {
        min_seconds = atof(argv[2]);
        first = 3;
    }
    if (first >= argc) {
        fputs("usage: train_bench [-t SECONDS] FILE.dnn...\n", stderr);
        return 1;
    }
    rt_set_threads(1);
    printf("trainings on one thread, each program for at least %.1f s (best part times)\n",
           min_seconds);
    printf("%-28s %10s %9s %9s %9s %9s %10s\n", "program", "trainings/s", "ms each",
           "build ms", "train ms", "test ms", "steps/s");
    int status = 0;
    for (int i = first; i < argc; i++) {
        ir_program *p = load_program(argv[i]);
        char err[512];
        rt_data *d = p ? rt_data_load(p, ir_train_dataset(p), (uint64_t)p->train.seed, -1.0,
                                      err, sizeof err) : NULL;
        if (!d) {
            if (p)
                fprintf(stderr, "train_bench: %s: %s\n", argv[i], err);
            ir_program_free(p);
            status = 1;
            continue;
        }
        parts best = {1e30, 1e30, 1e30, 0}, t;
        int runs = 0;
        double t0 = rt_now();
        while (runs < MIN_RUNS || rt_now() - t0 < min_seconds) {
            if (one_training(p, d, 1 + runs, &t) < 0) {
                status = 1;
                break;
            }
            best.build = t.build < best.build ? t.build : best.build;
            best.train = t.train < best.train ? t.train : best.train;
            best.test = t.test < best.test ? t.test : best.test;
            best.steps = t.steps;
            runs++;
        }
        double wall = rt_now() - t0;
        const char *name = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
        printf("%-28s %10.1f %9.3f %9.3f %9.3f %9.3f %10.0f\n", name, runs / wall,
               wall / runs * 1e3, best.build * 1e3, best.train * 1e3, best.test * 1e3,
               best.train > 0 ? best.steps / best.train : 0.0);
        rt_data_free(d);
        ir_program_free(p);
    }
    return status;
}
