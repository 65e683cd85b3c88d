/* mode_train.c: `dnnc --train FILE` and `dnnc --eval FILE`.
 *
 * Loads the dataset of the program's train block, builds the network, then
 * either trains it (--train; --save writes the weights) or loads weights
 * (--load, required by --eval) and only evaluates.  Both finish with the
 * metrics of the test split.  Text output: one line per epoch on stdout (a
 * progress bar on stderr when it is a terminal), then the test metrics.
 * --json: a single JSON object on stdout, made with json-c:
 *   {"model", "dataset", "seed", "threads", "kernels", "load_seconds",
 *    "epochs": [{"epoch", "loss", "accuracy"|"mae", "val_loss",
 *                "val_accuracy"|"val_mae", "val_NAME"..., "seconds"}...],
 *    "test": {"loss", "accuracy"|"mae", "NAME"...} or null without a test split,
 *    "train_samples", "val_samples", "train_seconds", "samples_per_second",
 *    "stopped_early", "diverged"}
 * where each NAME is a user metric (a function of the metric role) of the
 * train block, or its objective.  Non-finite numbers are written as null (JSON has no NaN).  Epoch lines then
 * go to stderr unless --quiet.  Exit status: 0 ok, 1 user error (bad data,
 * mismatched model, bad weights file), 2 internal error.
 */
#include <json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "data.h"
#include "driver.h"
#include "kernels.h"
#include "progress.h"
#include "safetensors.h"
#include "train.h"

/* Prints MSG as dnnc's error; internal errors give status 2, others 1. */
static int fail(const char *file, const char *msg)
{
    bool internal = strncmp(msg, "internal error", 14) == 0;
    fprintf(stderr, "dnnc: error: %s: %s\n", file, msg);
    return internal ? 2 : 1;
}

static json_object *number(double v)
{
    return isfinite(v) ? json_object_new_double(v) : NULL;
}

static void print_json(const ir_program *p, const rt_data *d, const rt_result *res,
                       uint64_t seed, int threads, double load_seconds)
{
    const char *m = res->classification ? "accuracy" : "mae";
    char val_m[16];
    snprintf(val_m, sizeof val_m, "val_%s", m);
    json_object *root = json_object_new_object();
    json_object_object_add(root, "model", json_object_new_string(p->train.model));
    json_object_object_add(root, "dataset", json_object_new_string(p->train.data));
    json_object_object_add(root, "seed", json_object_new_int64((int64_t)seed));
    json_object_object_add(root, "threads", json_object_new_int(threads));
    json_object_object_add(root, "kernels", json_object_new_string(rt_kernels_name()));
    json_object_object_add(root, "load_seconds", number(load_seconds));
    json_object *epochs = json_object_new_array();
    for (int e = 0; e < res->n_epochs; e++) {
        const rt_epoch *ep = &res->epochs[e];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "epoch", json_object_new_int(e + 1));
        json_object_object_add(o, "loss", number(ep->loss));
        json_object_object_add(o, m, number(ep->metric));
        if (res->has_val) {
            json_object_object_add(o, "val_loss", number(ep->val_loss));
            json_object_object_add(o, val_m, number(ep->val_metric));
            for (int k = 0; k < res->n_user; k++) {
                char key[80];
                snprintf(key, sizeof key, "val_%s", res->user_names[k]);
                json_object_object_add(o, key, number(ep->val_user[k]));
            }
        }
        json_object_object_add(o, "seconds", number(ep->seconds));
        json_object_array_add(epochs, o);
    }
    json_object_object_add(root, "epochs", epochs);
    json_object *test = NULL;
    if (res->has_test) {
        test = json_object_new_object();
        json_object_object_add(test, "loss", number(res->test_loss));
        json_object_object_add(test, m, number(res->test_metric));
        for (int k = 0; k < res->n_user; k++)
            json_object_object_add(test, res->user_names[k], number(res->test_user[k]));
        json_object_object_add(test, "samples", json_object_new_int(d->test.n));
    }
    json_object_object_add(root, "test", test);
    json_object_object_add(root, "train_samples", json_object_new_int(d->train.n));
    json_object_object_add(root, "val_samples", json_object_new_int(d->val.n));
    json_object_object_add(root, "train_seconds", number(res->train_seconds));
    json_object_object_add(root, "samples_per_second", number(res->samples_per_second));
    json_object_object_add(root, "stopped_early", json_object_new_boolean(res->stopped_early));
    json_object_object_add(root, "diverged", json_object_new_boolean(res->diverged));
    puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
    json_object_put(root);
}

static void print_text(const rt_data *d, const rt_result *res, bool trained)
{
    const char *m = res->classification ? "accuracy" : "mae";
    if (res->diverged)
        printf("training diverged: the loss became NaN or infinite at batch %ld\n",
               res->n_batches);
    if (res->stopped_early)
        printf("early stopping after epoch %d (best epoch %d)\n", res->n_epochs,
               res->best_epoch + 1);
    if (res->has_test) {
        printf("test: loss %.4f %s %.4f", res->test_loss, m, res->test_metric);
        for (int k = 0; k < res->n_user; k++)
            printf(" %s %.4f", res->user_names[k], res->test_user[k]);
        printf(" (%d samples)\n", d->test.n);
    } else
        printf("test: no test split\n");
    if (trained)
        printf("trained %d epoch%s in %.2f s (%.0f samples/s)\n", res->n_epochs,
               res->n_epochs == 1 ? "" : "s", res->train_seconds, res->samples_per_second);
}

int dnnc_mode_train(const ir_program *p, const dnnc_source *src, const dnnc_options *o)
{
    const char *file = src && src->path ? src->path : p->file;
    bool train = o->mode == DNNC_MODE_TRAIN;
    const ir_dataset *ds = ir_train_dataset(p);
    if (!p->has_train || !ir_train_model(p) || !ds)
        return fail(file, "the program has no train block naming a model and a dataset");
    if (!train && !o->load)
        return fail(file, "--eval needs the weights to evaluate: add --load FILE");

    rt_train_options opts;
    rt_train_options_default(&opts);
    opts.threads = o->threads;
    opts.epochs = o->epochs;
    opts.seed = o->seed;
    opts.progress = !o->quiet;
    opts.log = o->json ? (o->quiet ? NULL : stderr) : stdout;
    int threads = rt_thread_count(o->threads);
    uint64_t seed = rt_effective_seed(p, &opts);

    char err[1024];
    double t0 = rt_now();
    rt_data *d = rt_data_load(p, ds, seed, -1.0, err, sizeof err);
    if (!d)
        return fail(file, err);
    double load_seconds = rt_now() - t0;
    if (!o->json)
        printf("data %s: %d training, %d validation, %d test samples (loaded in %.2f s)\n",
               ds->name, d->train.n, d->val.n, d->test.n, load_seconds);

    int status = 0;
    rt_result res;
    memset(&res, 0, sizeof res);
    rt_net *net = rt_net_for_program(p, d, seed, err, sizeof err);
    if (!net) {
        status = fail(file, err);
        goto out;
    }
    rt_net_set_threads(net, threads);
    if (o->load && rt_safetensors_load(net, o->load, err, sizeof err) < 0) {
        status = fail(file, err);
        goto out;
    }
    if (train && rt_train_net(net, p, d, &opts, &res, err, sizeof err) < 0) {
        status = fail(file, err);
        goto out;
    }
    res.classification = d->classes > 0;
    res.n_user = net->n_metric_fns;
    for (int k = 0; k < net->n_metric_fns; k++)
        res.user_names[k] = net->metric_names[k];
    if (d->test.n > 0) {
        res.has_test = true;
        if (rt_evaluate(net, d, &d->test, &res.test_loss, &res.test_metric, err,
                        sizeof err) < 0) {
            status = fail(file, err);
            goto out;
        }
        for (int k = 0; k < net->n_metric_fns; k++)
            res.test_user[k] = net->metric_values[k];
    }
    if (train && o->save && rt_safetensors_save(net, o->save, err, sizeof err) < 0) {
        status = fail(file, err);
        goto out;
    }
    if (o->json)
        print_json(p, d, &res, seed, threads, load_seconds);
    else
        print_text(d, &res, train);
out:
    rt_result_free(&res);
    rt_net_free(net);
    rt_data_free(d);
    return status;
}
