/* test_minimize.c: delta debugging over a fix's changes, without training.
 *
 * The "training" callback marks which changes a candidate holds; the "keep"
 * callback says whether that candidate is still a fix.  Checked: only the
 * changes the fix needs survive (one, two, or all of them); a layer inserted
 * after another inserted layer is never dropped without it; nothing is
 * dropped when the budget cannot pay for a trial, and a drop it cannot pay
 * for is skipped while cheaper ones are still tried; the number of trials
 * stays within the one-at-a-time bound.
 */
#include <string.h>

#include "minimize.h"
#include "rtest.h"

/* The test's oracle. */
typedef struct oracle {
    const char *needed[4];  /* attributes a fix must keep */
    int n_needed;           /* how many */
    int trials;             /* candidates "trained" */
    bool afford;            /* budget left */
    const char *costly;     /* candidates still holding this change cannot be paid for (NULL: none) */
} oracle;

static bool has(const rp_changes *l, const char *attr)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->items[i].attribute, attr) == 0 || strcmp(l->items[i].node, attr) == 0)
            return true;
    return false;
}

static void fake_train(const rp_changes *l, rp_runs *out, void *ctx)
{
    oracle *o = ctx;
    o->trials++;
    memset(out, 0, sizeof *out);
    bool ok = true;
    for (int i = 0; i < o->n_needed; i++)
        ok &= has(l, o->needed[i]);
    out->n = 1;
    out->val[0] = ok ? 1 : 0;
}

static bool fake_keep(const rp_runs *cand, const rp_runs *cur, void *ctx)
{
    (void)cur, (void)ctx;
    return cand->val[0] > 0.5;
}

static bool fake_afford(const rp_changes *candidate, void *ctx)
{
    const oracle *o = ctx;
    return o->afford && !(o->costly && has(candidate, o->costly));
}

static rp_change set(const char *node, const char *attr)
{
    rp_change c;
    memset(&c, 0, sizeof c);
    c.op = RP_SET;
    c.target = SUSPECT_NODE;
    strcpy(c.node, node);
    strcpy(c.attribute, attr);
    return c;
}

static rp_change insert(const char *node, const char *anchor)
{
    rp_change c = set(node, "layer");
    c.op = RP_INSERT;
    strcpy(c.anchor, anchor);
    return c;
}

static void five(rp_changes *l)
{
    memset(l, 0, sizeof *l);
    const char *attrs[] = {"activation", "init", "units", "rate", "regularizer"};
    for (int i = 0; i < 5; i++) {
        rp_change c = set("fc1", attrs[i]);
        rp_changes_push(l, &c);
    }
}

int main(void)
{
    rp_changes l;
    rp_runs runs = {0};

    five(&l);
    oracle o1 = {{"init"}, 1, 0, true, NULL};
    int dropped = rp_minimize(&l, &runs, fake_train, fake_keep, fake_afford, &o1);
    CHECK(dropped == 4 && l.n == 1 && has(&l, "init"), "one needed change: %d dropped, %d left", dropped, l.n);
    CHECK(o1.trials <= 5 * 5, "%d trials for 5 changes", o1.trials);
    rp_changes_free(&l);

    five(&l);
    oracle o2 = {{"activation", "regularizer"}, 2, 0, true, NULL};
    dropped = rp_minimize(&l, &runs, fake_train, fake_keep, fake_afford, &o2);
    CHECK(l.n == 2 && has(&l, "activation") && has(&l, "regularizer"), "two needed: %d left", l.n);
    rp_changes_free(&l);

    oracle all = {{"activation", "init", "units", "rate"}, 4, 0, true, NULL};
    five(&l);
    dropped = rp_minimize(&l, &runs, fake_train, fake_keep, fake_afford, &all);
    CHECK(dropped == 1 && l.n == 4 && !has(&l, "regularizer"), "four needed: %d dropped", dropped);
    rp_changes_free(&l);

    five(&l);
    oracle broke = {{"init"}, 1, 0, false, NULL};
    dropped = rp_minimize(&l, &runs, fake_train, fake_keep, fake_afford, &broke);
    CHECK(dropped == 0 && l.n == 5 && broke.trials == 0, "no budget: %d dropped, %d trials", dropped, broke.trials);
    rp_changes_free(&l);

    /* Only candidates without the costly change can be paid for: that drop
     * comes first, then the others become affordable. */
    five(&l);
    oracle dear = {{"init"}, 1, 0, true, "units"};
    dropped = rp_minimize(&l, &runs, fake_train, fake_keep, fake_afford, &dear);
    CHECK(dropped == 4 && l.n == 1 && has(&l, "init"), "costly drop: %d dropped, %d left", dropped, l.n);
    CHECK(dear.trials <= 5 * 5, "%d trials for 5 changes", dear.trials);
    rp_changes_free(&l);

    /* Two layers inserted in a chain: the first cannot go while the second stays. */
    memset(&l, 0, sizeof l);
    rp_change a = insert("fc1.dense", "fc1"), b = insert("fc1.dense.dense", "fc1.dense"), c = set("fc2", "init");
    rp_changes_push(&l, &a);
    rp_changes_push(&l, &b);
    rp_changes_push(&l, &c);
    oracle chain = {{"fc1.dense.dense"}, 1, 0, true, NULL};
    dropped = rp_minimize(&l, &runs, fake_train, fake_keep, fake_afford, &chain);
    CHECK(l.n == 2 && has(&l, "fc1.dense") && has(&l, "fc1.dense.dense"), "chain broken: %d left", l.n);
    rp_changes_free(&l);
    return check_finish("test_minimize");
}
