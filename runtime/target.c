/* target.c: label encoding and the accuracy / mae metric (see target.h). */
#include "target.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "loss.h"

int rt_targets_setup(rt_targets *t, const rt_data *d, ir_loss loss, int units,
                     const char *model, char *err, size_t errsize)
{
    memset(t, 0, sizeof *t);
    t->loss = loss;
    t->units = units;
    t->classes = d->classes;
    t->classification = d->classes > 0;
    const char *lname = ir_enum_name(&ir_loss_table, loss);
    const rt_split *splits[3] = {&d->train, &d->val, &d->test};
    for (int k = 0; t->classification && k < 3; k++)
        for (int i = 0; i < splits[k]->n; i++)
            if (splits[k]->label[i] < 0 || splits[k]->label[i] >= d->classes) {
                snprintf(err, errsize, "internal error: label %d of sample %d is not a "
                         "class index below %d", splits[k]->label[i], i, d->classes);
                return -1;
            }
    if (!t->classification) {
        if (d->target_size != units) {
            snprintf(err, errsize, "model %s has %d output unit%s but the data has %d "
                     "regression target%s per sample", model, units, units == 1 ? "" : "s",
                     d->target_size, d->target_size == 1 ? "" : "s");
            return -1;
        }
        if (loss == IR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) {
            snprintf(err, errsize, "loss %s needs class labels, but the data is a "
                     "regression task", lname);
            return -1;
        }
        t->width = units;
        return 0;
    }
    if (loss == IR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) {
        if (units != d->classes) {
            snprintf(err, errsize, "model %s has %d output unit%s but the data has %d "
                     "classes: %s needs one output unit per class", model, units,
                     units == 1 ? "" : "s", d->classes, lname);
            return -1;
        }
        t->sparse = true;
        t->width = 1;
        return 0;
    }
    if (units == 1) {
        if (d->classes != 2) {
            snprintf(err, errsize, "model %s has 1 output unit but the data has %d "
                     "classes: use one output unit per class (with softmax)", model,
                     d->classes);
            return -1;
        }
        t->binary = true;
        t->width = 1;
        return 0;
    }
    if (units != d->classes) {
        snprintf(err, errsize, "model %s has %d output units but the data has %d "
                 "classes: with %s the output needs one unit per class", model, units,
                 d->classes, lname);
        return -1;
    }
    t->width = units;
    return 0;
}

void rt_targets_fill(const rt_targets *t, const rt_data *d, const rt_split *s,
                     const int *idx, int n, float *out)
{
    for (int r = 0; r < n; r++) {
        float *o = out + (long)r * t->width;
        long i = idx ? idx[r] : r;
        if (!t->classification) {
            memcpy(o, s->target + i * t->width, sizeof *o * (size_t)t->width);
        } else if (t->sparse || t->binary) {
            o[0] = (float)s->label[i];
        } else {
            memset(o, 0, sizeof *o * (size_t)t->width);
            o[s->label[i]] = 1.0f;
        }
    }
}

double rt_targets_metric(const rt_targets *t, const rt_data *d, const rt_split *s,
                         const int *idx, int n, const float *output)
{
    double sum = 0.0;
    int k = t->units;
    for (int r = 0; r < n; r++) {
        const float *y = output + (long)r * k;
        long i = idx ? idx[r] : r;
        if (!t->classification) {
            const float *tg = s->target + i * k;
            double e = 0.0;
            for (int j = 0; j < k; j++)
                e += fabs((double)y[j] - tg[j]);
            sum += e / k;
        } else if (k == 1) {
            sum += (y[0] > 0.5f ? 1 : 0) == s->label[i];
        } else {
            int best = 0;
            for (int j = 1; j < k; j++)
                if (y[j] > y[best])
                    best = j;
            sum += best == s->label[i];
        }
    }
    return sum;
}
