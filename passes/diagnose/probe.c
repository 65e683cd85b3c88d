/* probe.c: causal probing (probe.h): one short training per place the repair
 * passes can edit, ranked by its measured effect against the faulty program
 * at the same fidelity and seeds.
 *
 * The effect of a probe is its score minus the faulty program's with the
 * same seed (a paired comparison: the same initial weights and batch order
 * wherever the edit leaves them alone); the faulty program's spread is the
 * standard deviation of its scores over DX_PROBE_SEEDS seeds, at least
 * DX_PROBE_FLOOR (accuracy) or that share of its error (regression).  A
 * probe counts when its effect exceeds DX_PROBE_Z spreads and is at least
 * DX_PROBE_DOMINATED of the best probe's: a short training from scratch
 * rewards almost any edit that speeds up early learning a little, so an
 * edit far behind the best is a generic speed-up, not the fault; and only
 * the DX_PROBE_KEEP best count.  Explaining away, as for symptoms: when the
 * best probe is at a place a rule or a symptom suspects already, the
 * intervention confirms them, and the other probes only corroborate places
 * suspected already, or add one when their effect rivals the best's
 * (DX_PROBE_RIVAL of it).  Its score is 0.15 + 0.7 x the share of the
 * headroom it recovered (1 - accuracy, or the error) x its effect / the
 * best's, at most 0.85: one short training is evidence, not proof.  A
 * faulty program that diverged scores chance (or an error as wide as the
 * targets' range), a stand-in: its probes' scores are halved.  The
 * thresholds are ours.
 */
#include "probe.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose_int.h"
#include "pool.h"
#include "rewrite.h"
#include "progress.h"

/* Seeds the faulty program trains with at the probing fidelity. */
#define DX_PROBE_SEEDS 2
/* Smallest spread assumed: an accuracy step of 1%, or 2% of the error. */
#define DX_PROBE_FLOOR 0.01
#define DX_PROBE_FLOOR_REL 0.02
/* Spreads a probe's gain must exceed to count. */
#define DX_PROBE_Z 2.0
/* Share of the best probe's effect a probe must reach to count. */
#define DX_PROBE_DOMINATED (1.0 / 3)
/* Share of the best probe's effect that adds an unsuspected place when the
 * best probe confirms a suspected one. */
#define DX_PROBE_RIVAL 0.8
/* Most probes that become findings. */
#define DX_PROBE_KEEP 3
/* Most places probed, whatever the budget. */
#define DX_PROBE_MAX 64

double dx_probe_fraction(const ir_program *p, long n_train)
{
    long b = p->train.batch < n_train ? p->train.batch : n_train;
    long batches = (n_train + b - 1) / (b > 0 ? b : 1) * p->train.epochs;
    return batches >= 90 ? 1.0 / 9 : batches >= 12 ? 1.0 / 3 : 1.0;
}

/* ---- the in-process trainer ---- */

typedef struct local_trainer {
    const ir_program *prog;   /* the faulty program */
    const rt_data *data;      /* its data */
    long seed;                /* seed of probe seed 0 */
    int threads;              /* maths threads */
} local_trainer;

/* Whether EDIT changes the dataset (then its program needs a load of its own). */
static bool edits_data(const rp_changes *edit)
{
    for (int i = 0; i < edit->n; i++)
        if (edit->items[i].target == SUSPECT_DATA)
            return true;
    return false;
}

static bool local_train(void *ctx, const rp_changes *edit, double fraction, int seed_index,
                        double *score)
{
    local_trainer *t = ctx;
    *score = -INFINITY;
    ir_program *owned = edit->n ? rp_apply_all(t->prog, edit, "probe") : NULL;
    const ir_program *p = edit->n ? owned : t->prog;
    if (!p)
        return true;
    rt_data *variant = NULL;
    if (edits_data(edit)) {
        char err[512];
        variant = rt_data_load(p, ir_train_dataset(p), (uint64_t)t->prog->train.seed, -1, err,
                               sizeof err);
        if (!variant) {
            ir_program_free(owned);
            return true;
        }
    }
    const rt_data *d = variant ? variant : t->data;
    rp_job job = {p, d, t->seed + seed_index, fraction, 0, false, d->val.n == 0};
    rp_outcome out;
    rp_train_job(d, &job, t->threads, &out);
    double metric = isfinite(out.val_metric) ? out.val_metric : out.test_metric;
    if (out.ok && !out.diverged && isfinite(metric))
        *score = out.classification ? metric : -metric;
    rt_data_free(variant);
    ir_program_free(owned);
    return true;
}

/* ---- places ---- */

/* One place and the edit probed there. */
typedef struct probe_place {
    const rp_edit *edit;      /* the likeliest edit at the place */
    suspect_target target;    /* where it points */
    char node[RP_NAME_MAX];   /* layer (insert: the layer after which), dataset, or "" */
    char attribute[40];       /* attribute, or "layer" for an insert or a removal */
    double suspicion;         /* best score of a finding there (0: none) */
} probe_place;

/* The place change C (of an edit of P) probes.  Removing a dropout or a
 * pooling layer is the extreme of its rate or its window: their place. */
static void place_of(const ir_program *p, const rp_change *c, probe_place *pl)
{
    pl->target = c->target;
    snprintf(pl->node, sizeof pl->node, "%s", c->op == RP_INSERT ? c->anchor : c->node);
    const char *attr = c->op == RP_SET ? c->attribute : "layer";
    const ir_node *n = c->op == RP_REMOVE ? ir_find_node(ir_train_model(p), c->node) : NULL;
    if (n && n->op == IR_OP_DROPOUT)
        attr = "rate";
    else if (n && (n->op == IR_OP_MAXPOOL || n->op == IR_OP_AVGPOOL))
        attr = "pool";
    snprintf(pl->attribute, sizeof pl->attribute, "%s", attr);
}

/* Whether finding S is at place PL (training and data suspects name the
 * model or the dataset: the attribute says it). */
static bool at_place(const suspect *s, const probe_place *pl)
{
    return s->target == pl->target && strcmp(s->attribute, pl->attribute) == 0 &&
           (pl->target != SUSPECT_NODE || strcmp(s->node, pl->node) == 0);
}

/* Suspected places first (strongest first), then by the edit's prior. */
static int by_promise(const void *pa, const void *pb)
{
    const probe_place *a = pa, *b = pb;
    if (a->suspicion != b->suspicion)
        return a->suspicion > b->suspicion ? -1 : 1;
    if (a->edit->prior != b->edit->prior)
        return a->edit->prior > b->edit->prior ? -1 : 1;
    return a->edit < b->edit ? -1 : a->edit > b->edit;
}

/* The places of EDITS, each with its likeliest edit, into *OUT; returns how many. */
static int gather_places(const ir_program *prog, const rp_edits *edits, const suspect_list *found,
                         probe_place **out)
{
    probe_place *pl = ir_alloc(sizeof *pl * (size_t)(edits->n > 0 ? edits->n : 1));
    int n = 0;
    for (int i = 0; i < edits->n; i++) {
        const rp_edit *e = &edits->items[i];
        if (e->changes.n == 0)
            continue;
        probe_place p;
        memset(&p, 0, sizeof p);
        place_of(prog, &e->changes.items[0], &p);
        p.edit = e;
        int k = 0;
        while (k < n && !(pl[k].target == p.target && strcmp(pl[k].node, p.node) == 0 &&
                          strcmp(pl[k].attribute, p.attribute) == 0))
            k++;
        if (k == n)
            pl[n++] = p;
        else if (e->prior > pl[k].edit->prior)
            pl[k].edit = e;
    }
    for (int k = 0; k < n; k++)
        for (int i = 0; i < found->n; i++)
            if (at_place(&found->items[i], &pl[k]) && found->items[i].score > pl[k].suspicion)
                pl[k].suspicion = found->items[i].score;
    qsort(pl, (size_t)n, sizeof *pl, by_promise);
    *out = pl;
    return n;
}

/* The majority class's share of DATA's training samples. */
static double chance(const rt_data *data)
{
    int most = 0;
    for (int c = 0; c < data->classes; c++)
        most = data->class_counts[c] > most ? data->class_counts[c] : most;
    return data->train.n > 0 ? (double)most / data->train.n : 0.0;
}

/* Estimated multiply-adds of training P (FRACTION of its batches) on DATA. */
static double probe_work(const ir_program *p, const rt_data *data, double fraction)
{
    const ir_model *m = ir_train_model(p);
    if (!m)
        return 0;
    dx_work w;
    dx_work_model(m, &w);
    int n = data->train.n, batch = p->train.batch < n ? p->train.batch : n;
    batch = batch > 0 ? batch : 1;
    long planned = (long)((n + batch - 1) / batch) * p->train.epochs;
    long batches = (long)ceil(fraction * (double)planned);
    return dx_work_spent(&w, n, data->val.n, batch, batches > 0 ? batches : 1);
}

/* The finding of a probe at PL that gained EFFECT over FAULTY (spread SPREAD). */
static void probe_finding(const ir_program *p, const probe_place *pl, double score, double faulty,
                          double spread, double best, double confidence,
                          const dx_probe_summary *sum, bool classification, suspect_list *found)
{
    const rp_change *c = &pl->edit->changes.items[0];
    double effect = score - faulty;
    double headroom = classification ? 1.0 - faulty : fabs(faulty);
    double share = headroom > 0 ? effect / headroom : 1.0;
    double s = confidence * fmin(0.85, 0.15 + 0.7 * fmin(1.0, share) * effect / best);
    char what[400];
    rp_change_describe(c, what, sizeof what);
    suspect *f = dx_find(found, "probe", s, 1u << pl->edit->cls,
                         "changing %s%s%s helps: %s %.4g instead of %.4g after a short training",
                         pl->target == SUSPECT_NODE ? pl->node : suspect_target_name(pl->target),
                         ".", pl->attribute, classification ? "accuracy" : "mae",
                         classification ? score : -score, classification ? faulty : -faulty);
    f->kind = SUSPECT_PROBE;
    f->target = pl->target;
    snprintf(f->node, sizeof f->node, "%s",
             pl->target == SUSPECT_TRAIN ? p->train.model
             : pl->target == SUSPECT_DATA ? (ir_train_dataset(p) ? ir_train_dataset(p)->name : "")
                                          : pl->node);
    snprintf(f->attribute, sizeof f->attribute, "%s", pl->attribute);
    f->line = c->line;
    f->column = c->col;
    dx_evidence(f, "probe: %.150s (%d change%s); effect %+.4g, %.1f x the faulty program's spread "
                "%.3g over %d seeds, at %.3g of the training", what, pl->edit->changes.n,
                pl->edit->changes.n == 1 ? "" : "s", effect, spread > 0 ? effect / spread : 0.0,
                spread, DX_PROBE_SEEDS, sum->fraction);
}

void dx_probe(const ir_program *p, const rt_data *data, const dx_trainer *trainer, long seed,
              int threads, double budget, suspect_list *found, dx_probe_summary *sum)
{
    memset(sum, 0, sizeof *sum);
    if (!(budget > 0) || !data || !ir_train_model(p))
        return;
    double t0 = rt_now();
    local_trainer local = {p, data, seed, threads};
    dx_trainer own = {local_train, &local};
    if (!trainer)
        trainer = &own;
    rp_ctx rc = {p, {0}};
    rp_facts_from_data(data, &rc.facts);
    rp_edits edits = {0};
    rp_generate(&rc, ~0u, &edits);
    probe_place *places;
    int n = gather_places(p, &edits, found, &places);
    sum->ran = true;
    sum->places = n;
    sum->fraction = dx_probe_fraction(p, data->train.n);
    bool classification = data->classes >= 2;
    /* The faulty program at the same fidelity, DX_PROBE_SEEDS seeds, seed 0
     * (the probes' own) last: a trainer that logs its trainings (repair's)
     * then finds seed 0's as the latest. */
    double faulty[DX_PROBE_SEEDS], faulty_work = probe_work(p, data, sum->fraction), mean = 0;
    int ok = 0;
    bool diverged = false;
    rp_changes none = {0};
    for (int k = DX_PROBE_SEEDS - 1; k >= 0; k--) {
        if (sum->work + faulty_work > budget || !trainer->train(trainer->ctx, &none, sum->fraction, k, &faulty[k]))
            break;
        sum->trainings++;
        sum->work += faulty_work;
        /* A program that did not train (diverged) scores what broken
         * weights give: chance, or an error as wide as the targets' range. */
        if (!isfinite(faulty[k])) {
            faulty[k] = classification ? chance(data) : -(data->target_max - data->target_min);
            diverged = true;
        }
        if (!isfinite(faulty[k]))
            break;
        mean += faulty[k];
        ok++;
    }
    if (ok < DX_PROBE_SEEDS) {
        sum->skipped = n;   /* no reference to compare with */
        goto done;
    }
    mean /= ok;
    double var = 0;
    for (int k = 0; k < ok; k++)
        var += (faulty[k] - mean) * (faulty[k] - mean);
    double spread = sqrt(var / (ok - 1));
    spread = fmax(spread, classification ? DX_PROBE_FLOOR : DX_PROBE_FLOOR_REL * fabs(mean));
    sum->faulty_score = mean;
    sum->faulty_spread = spread;
    double *scores = ir_alloc(sizeof *scores * (size_t)(n > 0 ? n : 1)), best = 0;
    for (int i = 0; i < n; i++) {
        scores[i] = -INFINITY;
        ir_program *q = sum->probed < DX_PROBE_MAX ? rp_apply_all(p, &places[i].edit->changes, "probe") : NULL;
        double w = q ? probe_work(q, data, sum->fraction) : 0;
        ir_program_free(q);
        double score;
        if (!q || sum->work + w > budget ||
            !trainer->train(trainer->ctx, &places[i].edit->changes, sum->fraction, 0, &score)) {
            sum->skipped++;
            continue;
        }
        sum->trainings++;
        sum->probed++;
        sum->work += w;
        scores[i] = score;
        if (isfinite(score))
            best = fmax(best, score - faulty[0]);
    }
    /* The DX_PROBE_KEEP best that count, best first (ties: probing order). */
    bool confirmed = false;
    for (int kept = 0; kept < DX_PROBE_KEEP; kept++) {
        int top = -1;
        for (int i = 0; i < n; i++) {
            double effect = scores[i] - faulty[0];
            bool rival = places[i].suspicion > 0 || effect >= DX_PROBE_RIVAL * best;
            if (isfinite(scores[i]) && effect > DX_PROBE_Z * spread &&
                effect >= DX_PROBE_DOMINATED * best && (!confirmed || rival) &&
                (top < 0 || scores[i] > scores[top]))
                top = i;
        }
        if (top < 0)
            break;
        if (kept == 0)
            confirmed = places[top].suspicion > 0;
        probe_finding(p, &places[top], scores[top], faulty[0], spread, best, diverged ? 0.5 : 1.0,
                      sum, classification, found);
        scores[top] = -INFINITY;
        sum->helped++;
    }
    free(scores);
done:
    sum->seconds = rt_now() - t0;
    free(places);
    rp_edits_free(&edits);
}
