/* rank.c: one ranked suspect list out of every finding (diagnose_int.h).
 *
 * Findings at the same place (target, node, attribute) merge into one
 * suspect: the strongest finding gives its rule, message and evidence, the
 * others are listed in `also`, the repair classes are united, and the scores
 * of different rules combine as independent pieces of evidence (noisy-or:
 * 1 - prod(1 - s)), so a place that several rules or symptoms point at rises
 * above one that a single rule points at.  Two findings of the same rule at
 * one place are one piece of evidence seen twice (the training-budget rule
 * blames the epochs for too few steps and for steps too small, both from the
 * same step count): only the stronger counts.  A suspect that is a symptom of
 * another (caused_by, symptoms_map.c) and would rank above it is put just
 * below it, and its evidence says so: causes rank above their symptoms.
 * Suspects below the minimum score are dropped; the rest are ordered by
 * score, then by source position, then by name, so the order is
 * deterministic.
 */
#include "diagnose_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A symptom ranked below its cause keeps this share of the cause's score. */
#define DX_BELOW_CAUSE 0.98

static bool same_place(const suspect *a, const suspect *b)
{
    return a->target == b->target && strcmp(a->node, b->node) == 0 &&
           strcmp(a->attribute, b->attribute) == 0;
}

/* Strongest first; rules before symptoms before probes on a tie. */
static int by_strength(const void *pa, const void *pb)
{
    const suspect *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->kind != b->kind)
        return (int)a->kind - (int)b->kind;
    return strcmp(a->rule, b->rule);
}

/* Ranking order: score, then source position, then place. */
static int by_rank(const void *pa, const void *pb)
{
    const suspect *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->column != b->column)
        return a->column < b->column ? -1 : 1;
    int c = strcmp(a->node, b->node);
    return c ? c : strcmp(a->attribute, b->attribute);
}

/* Adds RULE to S's `also` unless it is S's own rule or already there. */
static void note_rule(suspect *s, const char *rule)
{
    if (strcmp(s->rule, rule) == 0)
        return;
    size_t len = strlen(rule), have = strlen(s->also);
    for (const char *p = s->also; (p = strstr(p, rule)) != NULL; p += len)
        if ((p == s->also || p[-1] == ',') && (p[len] == ',' || p[len] == 0))
            return;
    if (have + len + 2 > sizeof s->also)
        return;   /* full: the strongest are already listed */
    if (have)
        strcat(s->also, ",");
    strcat(s->also, rule);
}

/* Whether a finding of the group headed by I, before J, has J's rule. */
static bool rule_before(const suspect_list *l, int i, int j)
{
    for (int k = i; k < j; k++)
        if (same_place(&l->items[k], &l->items[j]) &&
            strcmp(l->items[k].rule, l->items[j].rule) == 0)
            return true;
    return false;
}

/* Puts every merged suspect of L[0..N-1] that is a symptom of another one
 * present (caused_by) below it.  One pass in score order settles chains
 * (a cause is settled before its symptoms when it scores higher). */
static void below_causes(suspect *items, int n)
{
    qsort(items, (size_t)n, sizeof *items, by_strength);
    for (int i = 0; i < n; i++) {
        suspect *e = &items[i];
        if (!e->caused_by[0])
            continue;
        for (int j = 0; j < n; j++) {
            char place[176];
            suspect_place(&items[j], place, sizeof place);
            if (j == i || strcmp(place, e->caused_by) != 0 || e->score < items[j].score)
                continue;
            e->score = DX_BELOW_CAUSE * items[j].score;
            size_t len = strlen(e->evidence);
            snprintf(e->evidence + len, sizeof e->evidence - len, "; ranked below its cause %s",
                     place);
            break;
        }
    }
}

void dx_rank(suspect_list *l, double min_score)
{
    if (l->n == 0)
        return;
    /* Strongest findings first, so each group's head is its strongest. */
    qsort(l->items, (size_t)l->n, sizeof *l->items, by_strength);
    int kept = 0;
    bool *merged = ir_alloc(sizeof *merged * (size_t)(l->n > 0 ? l->n : 1));
    for (int i = 0; i < l->n; i++) {
        if (merged[i])
            continue;
        suspect head = l->items[i];
        head.kinds = 1u << head.kind;
        double miss = 1.0 - head.score;
        for (int j = i + 1; j < l->n; j++) {
            const suspect *o = &l->items[j];
            if (merged[j] || !same_place(&head, o))
                continue;
            merged[j] = true;
            if (!rule_before(l, i, j))   /* the same rule's stronger finding counted */
                miss *= 1.0 - o->score;
            head.repairs |= o->repairs;
            head.kinds |= 1u << o->kind;
            if (!head.caused_by[0])
                memcpy(head.caused_by, o->caused_by, sizeof head.caused_by);
            note_rule(&head, o->rule);
        }
        head.score = 1.0 - miss;
        l->items[kept++] = head;
    }
    free(merged);
    below_causes(l->items, kept);
    l->n = 0;
    for (int i = 0; i < kept; i++)
        if (l->items[i].score >= min_score)
            l->items[l->n++] = l->items[i];
    qsort(l->items, (size_t)l->n, sizeof *l->items, by_rank);
    for (int i = 0; i < l->n; i++)
        l->items[i].rank = i + 1;
}
