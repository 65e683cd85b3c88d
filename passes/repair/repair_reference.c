/* repair_reference.c: the --reference program, a known fix of the faulty
 * program that gives improvement rates (repair.h).
 *
 * --reference names a known fix of the faulty program (the study's "fix"
 * column), as a .dnn source or IR.  It must train on the same dataset
 * declaration (its preprocessing may differ) and fit the same data.  Repair
 * trains it R times with the validation seeds, outside the budget: the user
 * does not wait for it in a real repair, it only gives each fix's
 * improvement rate, (fixed - faulty) / (reference - faulty).
 */
#include "repair.h"

#include <stdlib.h>
#include <string.h>

#include "source.h"

/* The file dataset D of P reads, resolved (NULL for generators). */
static char *data_file(const ir_program *p, const ir_dataset *d)
{
    if (!d->path)
        return NULL;
    char joined[4096];
    if (d->path[0] == '/' || !p->dir)
        snprintf(joined, sizeof joined, "%s", d->path);
    else
        snprintf(joined, sizeof joined, "%s/%s", p->dir, d->path);
    char *real = realpath(joined, NULL);
    return real ? real : ir_strdup(joined);
}

/* Whether A (of P) and B (of Q) declare the same samples: the same file or
 * generator and the same attributes, preprocessing aside. */
static bool same_samples(const ir_program *p, const ir_dataset *a, const ir_program *q, const ir_dataset *b)
{
    if (a->source != b->source)
        return false;
    for (int i = 0; i < ir_data_attr_count; i++) {
        const ir_attr_desc *d = &ir_data_attrs[i];
        if (!ir_attr_applies(d, (int)a->source) || d->id == IR_DATTR_PATH || d->id == IR_DATTR_SCALE ||
            d->id == IR_DATTR_MINMAX || d->id == IR_DATTR_STANDARDIZE)
            continue;
        char x[512], y[512];
        ir_attr_format(d, a, x, sizeof x);
        ir_attr_format(d, b, y, sizeof y);
        if (strcmp(x, y) != 0)
            return false;
    }
    char *fa = data_file(p, a), *fb = data_file(q, b);
    bool same = (!fa && !fb) || (fa && fb && strcmp(fa, fb) == 0);
    free(fa);
    free(fb);
    return same;
}

ir_program *rp_load_reference(const rp_session *s, const char *path, char *err, size_t errsize)
{
    long size;
    char *text = dnnc_read_file(path, &size, err, errsize);
    if (!text)
        return NULL;
    ir_program *p = dnnc_compile_text(path, text, true);
    free(text);
    if (!p) {
        snprintf(err, errsize, "the reference program '%s' does not compile", path);
        return NULL;
    }
    const ir_dataset *a = ir_train_dataset(p), *b = ir_train_dataset(s->prog);
    if (!a || !ir_train_model(p) || !same_samples(p, a, s->prog, b) || !rp_fits_data(p, &s->facts)) {
        snprintf(err, errsize, "the reference program '%s' must train on the same data as the faulty program",
                 path);
        ir_program_free(p);
        return NULL;
    }
    return p;
}
