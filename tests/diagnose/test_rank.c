/* test_rank.c: the ranking (rank.c), the suspect list (suspect.c) and the
 * pass table (pass.c).
 *
 * Findings at one place merge into one suspect whose score combines those
 * of different rules (noisy-or; a rule's weaker finding at the same place
 * adds nothing), whose rule is the strongest's and whose `also` lists the
 * others; weak suspects are dropped; ties are broken by source position;
 * a symptom ranks below the cause it names.
 * The pass table has unique names that pass_find finds, and every repair
 * class has a name.  Exits non-zero on any failure.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "diagnose_int.h"
#include "pass.h"


static suspect *finding(suspect_list *l, const char *rule, const char *node, const char *attr,
                        double score, int line, unsigned repairs)
{
    suspect *s = dx_find(l, rule, score, repairs, "%s", rule);
    s->target = SUSPECT_NODE;
    snprintf(s->node, sizeof s->node, "%s", node);
    snprintf(s->attribute, sizeof s->attribute, "%s", attr);
    s->line = line;
    s->column = 1;
    return s;
}

static void test_merge(void)
{
    suspect_list l = {0};
    finding(&l, "weak-rule", "fc2", "init", 0.10, 9, DX_R(INIT));
    finding(&l, "second", "fc1", "activation", 0.50, 4, DX_R(BATCHNORM))->kind = SUSPECT_SYMPTOM;
    finding(&l, "other", "out", "units", 0.70, 7, DX_R(OUTPUT_UNITS));
    finding(&l, "first", "fc1", "activation", 0.60, 4, DX_R(ACTIVATION));
    finding(&l, "second", "fc1", "activation", 0.20, 4, DX_R(ACTIVATION))->kind = SUSPECT_SYMPTOM;
    finding(&l, "third", "fc1", "activation", 0.20, 4, DX_R(ACTIVATION));
    dx_rank(&l, 0.15);
    CHECK(l.n == 2, "merged to two suspects, the weak one dropped");
    const suspect *a = &l.items[0], *b = &l.items[1];
    CHECK(strcmp(a->node, "fc1") == 0 && a->rank == 1, "the corroborated place ranks first");
    CHECK(fabs(a->score - (1 - 0.4 * 0.5 * 0.8)) < 1e-12,
          "scores of different rules combine as noisy-or, a rule's weaker finding adds nothing");
    CHECK(strcmp(a->rule, "first") == 0 && a->kind == SUSPECT_RULE &&
              a->kinds == ((1u << SUSPECT_RULE) | (1u << SUSPECT_SYMPTOM)), "the strongest finding gives the rule");
    CHECK(strcmp(a->also, "second,third") == 0, "the others are listed once in also");
    CHECK(a->repairs == (DX_R(ACTIVATION) | DX_R(BATCHNORM)), "repair classes are united");
    CHECK(strcmp(b->node, "out") == 0 && b->rank == 2 && b->score == 0.7, "then the next place");
    suspect_list_free(&l);
    CHECK(l.n == 0 && l.items == NULL, "suspect_list_free empties the list");
}

static void test_order(void)
{
    suspect_list l = {0};
    finding(&l, "r", "late", "init", 0.5, 20, 0);
    finding(&l, "r", "early", "init", 0.5, 3, 0);
    dx_rank(&l, 0.15);
    CHECK(l.n == 2 && strcmp(l.items[0].node, "early") == 0, "equal scores: source order");
    suspect_list_free(&l);
}

/* A symptom that names its cause ranks below it, however strong it is, and
 * says so; one whose cause is absent keeps its score. */
static void test_causes(void)
{
    suspect_list l = {0};
    suspect *c = finding(&l, "unscaled-input", "data", "scale", 0.5, 2, 0);
    c->target = SUSPECT_DATA;
    suspect *e = finding(&l, "saturated-activation", "h1", "activation", 0.8, 5, 0);
    e->kind = SUSPECT_SYMPTOM;
    snprintf(e->caused_by, sizeof e->caused_by, "data.scale");
    suspect *o = finding(&l, "saturated-activation", "h2", "activation", 0.6, 6, 0);
    o->kind = SUSPECT_SYMPTOM;
    snprintf(o->caused_by, sizeof o->caused_by, "train.learning_rate");
    dx_rank(&l, 0.15);
    CHECK(l.n == 3 && strcmp(l.items[0].node, "h2") == 0 && l.items[0].score == 0.6,
          "a symptom whose cause is not suspected keeps its score");
    CHECK(strcmp(l.items[1].attribute, "scale") == 0 && strcmp(l.items[2].node, "h1") == 0 &&
              l.items[2].score < l.items[1].score,
          "a symptom ranks below its cause");
    CHECK(strstr(l.items[2].evidence, "ranked below its cause data.scale") != NULL,
          "and its evidence says why");
    char place[64];
    suspect_place(&l.items[1], place, sizeof place);
    CHECK(strcmp(place, "data.scale") == 0, "suspect_place writes target.attribute");
    suspect_list_free(&l);
}

static void test_table(void)
{
    bool unique = true;
    int analyses = 0;
    for (int i = 0; i < pass_count; i++) {
        for (int j = i + 1; j < pass_count; j++)
            unique &= strcmp(pass_table[i].name, pass_table[j].name) != 0;
        analyses += pass_table[i].kind == PASS_ANALYSIS;
    }
    CHECK(unique, "pass names are unique");
    CHECK(analyses >= 17, "every static rule is an analysis pass");
    CHECK(pass_find("output-activation") && pass_find("output-activation")->run ==
                                                dx_rule_output_activation,
          "pass_find finds a pass by name");
    CHECK(pass_find("no-such-pass") == NULL, "pass_find: NULL for an unknown name");
    bool named = true;
    for (int c = 0; c < REPAIR_CLASS_COUNT; c++)
        named &= repair_class_names[c] != NULL && repair_class_names[c][0] != 0;
    CHECK(named && strcmp(repair_class_names[REPAIR_LEARNING_RATE], "change_learning_rate") == 0,
          "every repair class has its name");
}

int main(void)
{
    test_merge();
    test_order();
    test_causes();
    test_table();
    return check_finish("test_rank");
}
