/* search_guided.c: dnnc's own search strategy (the default).
 *
 * 1. Every repair pass proposes its single edits.  Each edit's priority is
 *    its pass's prior, raised by the suspects that point at its place or ask
 *    for its repair class (the diagnosis ranking decides what comes first),
 *    and lowered by its extra training cost (more epochs, smaller batches).
 * 2. Rounds: the next singles by priority are screened by successive halving
 *    (short trainings first, the faulty program alongside as reference);
 *    the survivors are trained in full.
 * 3. After each round, pairs of the best singles so far are screened the
 *    same way, and the best full-length candidate is extended greedily with
 *    each other single that helped on its own (promising rewrites combined):
 *    in full training, or at the longest training a single got when the
 *    halving passed it on past the first rung but not to the end.
 * 4. Rounds go on, through the rest of the singles and then larger
 *    combinations, while the budget (minus what validation needs) remains.
 *
 * Diagnosis often finds several faults in one program (the study's D4: no
 * activation, a regression loss on class labels, a learning rate of 3 and
 * wide initialisers), and then no single edit helps on its own: every
 * short training still diverges or stays at chance, and the pairs and
 * extensions of step 3, built from singles that helped, never form.  So the
 * first round also screens sweeps: one candidate that applies, for every
 * suspect, the best single edit aimed at it (and one with the second best),
 * all at once.  Minimisation later drops the edits the fix does not need.
 */
#include "search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rewrite.h"

/* A single edit with its priority. */
typedef struct scored_edit {
    rp_changes changes;     /* the edit, reasons annotated with its suspect */
    double priority;        /* order of trial */
    int order;              /* the order the passes proposed it in (breaks ties) */
    double full;            /* validation score of its full training (RP_WORST: none yet) */
} scored_edit;

static int by_priority(const void *a, const void *b)
{
    const scored_edit *p = a, *q = b;
    if (p->priority != q->priority)
        return p->priority < q->priority ? 1 : -1;
    return p->order - q->order;
}

/* Training cost of L relative to the faulty program's (at least 1), a load
 * of its own data included. */
static double cost_of(const rp_session *s, const rp_changes *l)
{
    return fmax(1, rp_plan_cost(s, l, 1, 1, 1) / rp_plan_cost(s, &(rp_changes){0}, 1, 1, 1));
}

/* The best full-length score the log holds for L (RP_WORST: none). */
static double full_score(const rp_session *s, const rp_changes *l)
{
    const rp_trial *t = rp_log_find(s, l, 1);
    return t ? t->score : RP_WORST;
}

static bool compatible(const rp_changes *a, const rp_changes *b)
{
    for (int i = 0; i < a->n; i++)
        for (int j = 0; j < b->n; j++)
            if (rp_change_conflicts(&a->items[i], &b->items[j]))
                return false;
    return true;
}

/* Appends the union of A and B to OUT when they are compatible and new. */
static bool combine(const rp_session *s, const rp_changes *a, const rp_changes *b, rp_changes *out)
{
    if (!compatible(a, b))
        return false;
    rp_changes_copy(out, a);
    rp_changes_append(out, b);
    if (rp_log_find(s, out, 1)) {
        rp_changes_free(out);
        return false;
    }
    ir_program *p = rp_apply_all(s->prog, out, "combine");
    bool ok = p && rp_fits_data(p, &s->facts);
    ir_program_free(p);
    if (!ok)
        rp_changes_free(out);
    return ok;
}

/* Suspects scoring below this are left out of a sweep. */
#define SWEEP_MIN_SCORE 0.3

/* Whether L is aimed at suspect SP: one of its changes is of a repair
 * class the suspect asks for, at the place it points at. */
static bool aims_at(const suspect *sp, const rp_changes *l)
{
    for (int i = 0; i < l->n; i++)
        if ((sp->repairs & (1u << l->items[i].cls)) && rp_suspect_points_at(sp, &l->items[i]))
            return true;
    return false;
}

/* A sweep (see above) into OUT: for each suspect, the NTH single of E[0..N-1]
 * (ranked by priority) aimed at it and compatible with the edits taken so
 * far; a suspect an earlier edit already covers is skipped.  False unless
 * it combines two edits or more into a program that fits the data. */
static bool sweep(const rp_session *s, const scored_edit *e, int n, int nth, rp_changes *out)
{
    memset(out, 0, sizeof *out);
    int edits = 0;
    for (int k = 0; k < s->suspects.n; k++) {
        const suspect *sp = &s->suspects.items[k];
        if (sp->score < SWEEP_MIN_SCORE || aims_at(sp, out))
            continue;
        for (int i = 0, seen = 0; i < n; i++) {
            if (!aims_at(sp, &e[i].changes) || !compatible(out, &e[i].changes) || seen++ < nth)
                continue;
            rp_changes_append(out, &e[i].changes);
            edits++;
            break;
        }
    }
    ir_program *p = edits >= 2 ? rp_apply_all(s->prog, out, "sweep") : NULL;
    bool ok = p && rp_fits_data(p, &s->facts);
    ir_program_free(p);
    if (!ok)
        rp_changes_free(out);
    return ok;
}

/* The faulty program's trial at exactly FRACTION (NULL: none). */
static const rp_trial *faulty_at(const rp_session *s, double fraction)
{
    for (int i = s->n_log - 1; i >= 0; i--)
        if (s->log[i].changes.n == 0 && fabs(s->log[i].fraction - fraction) < 1e-9)
            return &s->log[i];
    return NULL;
}

/* Whether single L, which the halving passed on past the first rung but did
 * not carry to full training, beat the faulty program at the longest
 * training it had.  A rung passes on a third of its candidates, so near ties
 * are cut, and short trainings understate an edit whose effect grows with
 * training (a penalty that holds the weights back the more the longer it
 * acts): such a single may still help the best candidate. */
static bool helped_short(const rp_session *s, const rp_changes *l, double f0)
{
    const rp_trial *t = NULL;
    for (int i = 0; i < s->n_log; i++)
        if (s->log[i].fraction < 1 && s->log[i].fraction > 1.5 * f0 &&
            rp_changes_same(&s->log[i].changes, l) && (!t || s->log[i].fraction > t->fraction))
            t = &s->log[i];
    const rp_trial *ref = t ? faulty_at(s, t->fraction) : NULL;
    return ref && t->score > ref->score;
}

static int by_full(const void *a, const void *b)
{
    double x = (*(scored_edit *const *)a)->full, y = (*(scored_edit *const *)b)->full;
    return x < y ? 1 : x > y ? -1 : 0;
}

void rp_search_guided(rp_session *s)
{
    rp_ctx ctx = {s->prog, s->facts};
    rp_edits edits = {0};
    rp_generate(&ctx, ~0u, &edits);
    scored_edit *e = ir_alloc(sizeof *e * (size_t)(edits.n + 1));
    for (int i = 0; i < edits.n; i++) {
        rp_changes *l = &edits.items[i].changes;
        double boost = 1;
        for (int k = 0; k < l->n; k++) {
            rp_change *c = &l->items[k];
            double b = rp_suspect_boost(s, c, edits.items[i].cls, c->reason, sizeof c->reason);
            boost = b > boost ? b : boost;
        }
        e[i].changes = *l;
        memset(l, 0, sizeof *l);
        e[i].priority = edits.items[i].prior * boost / sqrt(cost_of(s, &e[i].changes));
        e[i].order = i;
        e[i].full = RP_WORST;
    }
    int n = edits.n;
    rp_edits_free(&edits);
    qsort(e, (size_t)n, sizeof *e, by_priority);

    double f0 = rp_first_fraction(s);
    int w = RP_VIRTUAL_WORKERS;   /* batches do not depend on --jobs */
    int group = 6 * w > 24 ? 24 : 6 * w < 9 ? 9 : 6 * w;
    rp_changes *batch = ir_alloc(sizeof *batch * (size_t)(group + 2));
    scored_edit **best = ir_alloc(sizeof *best * (size_t)(n + 1));
    rp_changes sweeps[2];
    int ns = 0;
    for (int nth = 0; nth < 2; nth++) {
        if (sweep(s, e, n, nth, &sweeps[ns]) && (ns == 0 || !rp_changes_same(&sweeps[0], &sweeps[ns])))
            ns++;
        else
            rp_changes_free(&sweeps[ns]);
    }
    s->phase = "search";
    int next = 0, round = 0;
    while (rp_search_goes_on(s, f0)) {
        /* Singles, by priority; the sweeps with the first of them. */
        int m = 0;
        long before = s->pool.trainings;
        for (; next < n && m < group; next++)
            batch[m++] = e[next].changes;
        for (int k = 0; round == 0 && k < ns; k++)
            batch[m++] = sweeps[k];
        if (m > 0)
            rp_halving(s, batch, m, f0, true);
        for (int i = 0; i < next; i++)
            e[i].full = full_score(s, &e[i].changes);
        /* The singles that helped in full, best first. */
        int nb = 0;
        double base = s->baseline.n ? s->baseline.val[0] : RP_WORST;
        for (int i = 0; i < s->baseline.n; i++)
            base = fmax(base, s->baseline.val[i]);
        for (int i = 0; i < next; i++)
            if (e[i].full > RP_WORST)
                best[nb++] = &e[i];
        qsort(best, (size_t)nb, sizeof *best, by_full);
        /* Pairs of the best singles, and the best candidate extended greedily. */
        int top = nb < 4 ? nb : 4, pm = 0;
        rp_changes pairs[16];
        for (int i = 0; i < top && pm < 6; i++)
            for (int j = i + 1; j < top && pm < 6; j++)
                if (combine(s, &best[i]->changes, &best[j]->changes, &pairs[pm]))
                    pm++;
        int best_log = -1;
        for (int i = 0; i < s->n_log; i++)
            if (s->log[i].fraction >= 1 && s->log[i].changes.n >= 1 &&
                (best_log < 0 || s->log[i].score > s->log[best_log].score))
                best_log = i;
        if (best_log >= 0) {
            rp_changes cur;
            rp_changes_copy(&cur, &s->log[best_log].changes);
            for (int i = 0; i < nb && pm < 12; i++)
                if (best[i]->full > base && combine(s, &cur, &best[i]->changes, &pairs[pm]))
                    pm++;
            for (int i = 0; i < next && pm < 12; i++)
                if (e[i].full <= RP_WORST && helped_short(s, &e[i].changes, f0) &&
                    combine(s, &cur, &e[i].changes, &pairs[pm]))
                    pm++;
            rp_changes_free(&cur);
        }
        if (pm > 0)
            rp_halving(s, pairs, pm, f0 * 3 < 1 ? f0 * 3 : 1, true);
        for (int i = 0; i < pm; i++)
            rp_changes_free(&pairs[i]);
        round++;
        if ((next >= n && pm == 0) || s->pool.trainings == before)
            break;   /* nothing new to try, or nothing fits the budget any more */
    }
    for (int i = 0; i < n; i++)
        rp_changes_free(&e[i].changes);
    for (int k = 0; k < ns; k++)
        rp_changes_free(&sweeps[k]);
    free(e);
    free(batch);
    free(best);
    (void)round;
}
