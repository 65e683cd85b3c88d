/* repair_data.c: the data each candidate trains on (repair.h).
 *
 * The faulty program's dataset is loaded once and shared by every training.
 * Preprocessing is applied when a dataset loads, so a candidate that
 * changes its dataset's attributes (scale, minmax, standardize) would train
 * on the faulty program's preprocessing if it shared that load: such a
 * candidate gets a load of its own, made by rt_data_load exactly as
 * `dnnc --train` makes it for the repaired program (same seed, so the same
 * samples in every split, and the same carved validation split).  Each
 * distinct set of attributes is loaded once, in the parent before the pool
 * forks, and charged to the budget's clock.
 */
#include "repair.h"

#include <stdlib.h>
#include <string.h>

#include "progress.h"

/* The train dataset's attributes of P, as the IR prints them. */
static char *data_key(const ir_program *p)
{
    const ir_dataset *d = ir_train_dataset(p);
    size_t cap = 256, len = 0;
    char *key = ir_alloc(cap);
    for (int i = 0; d && i < ir_data_attr_count; i++) {
        const ir_attr_desc *a = &ir_data_attrs[i];
        if (!ir_attr_applies(a, (int)d->source))
            continue;
        char v[512];
        ir_attr_format(a, d, v, sizeof v);
        size_t need = strlen(a->name) + strlen(v) + 3;
        if (len + need >= cap) {
            cap = 2 * (len + need);
            key = ir_realloc(key, cap);
        }
        len += (size_t)snprintf(key + len, cap - len, "%s=%s ", a->name, v);
    }
    return key;
}

/* The variant loaded for KEY, or NULL. */
static rt_data *variant(const rp_session *s, const char *key)
{
    for (int i = 0; i < s->n_variants; i++)
        if (strcmp(s->variants[i].key, key) == 0)
            return s->variants[i].data;
    return NULL;
}

/* Whether P's dataset is the faulty program's, attribute for attribute. */
static bool same_data(const rp_session *s, const char *key)
{
    char *faulty = data_key(s->prog);
    bool same = strcmp(faulty, key) == 0;
    free(faulty);
    return same;
}

bool rp_data_pending(const rp_session *s, const ir_program *p)
{
    char *key = data_key(p);
    bool pending = !same_data(s, key) && !variant(s, key);
    free(key);
    return pending;
}

const rt_data *rp_data_for(rp_session *s, const ir_program *p)
{
    char *key = data_key(p);
    const rt_data *d = same_data(s, key) ? s->data : variant(s, key);
    if (d) {
        free(key);
        return d;
    }
    char err[512];
    double t0 = rt_now();
    rt_data *v = rt_data_load(p, ir_train_dataset(p), (uint64_t)s->prog->train.seed,
                              s->carved_validation ? RP_CARVED_VALIDATION : -1, err, sizeof err);
    if (!v) {
        /* Cannot happen for a dataset the faulty program loaded: only
         * preprocessing differs.  Train on the faulty data rather than fail. */
        fprintf(stderr, "dnnc: repair: cannot load the data of a candidate: %s\n", err);
        free(key);
        return s->data;
    }
    s->variants = ir_realloc(s->variants, sizeof *s->variants * (size_t)(s->n_variants + 1));
    s->variants[s->n_variants++] = (rp_variant){key, v};
    s->clock += rp_cost_load(s->sizes, s->data->in_size);
    if (s->cost_log)
        fprintf(s->cost_log, "# a candidate's data: loaded %ld values in %.6g s\n",
                (long)(s->sizes.train + s->sizes.val + s->sizes.test) * s->data->in_size, rt_now() - t0);
    return v;
}

void rp_data_free_variants(rp_session *s)
{
    for (int i = 0; i < s->n_variants; i++) {
        free(s->variants[i].key);
        rt_data_free(s->variants[i].data);
    }
    free(s->variants);
    s->variants = NULL;
    s->n_variants = 0;
}
