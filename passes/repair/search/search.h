/* search.h: the search strategies of --strategy.
 *
 * Every strategy searches over the same repair passes (rewrite.h) and the
 * same budget (repair.h): it trains candidates through rp_evaluate, which
 * logs them, and stops when rp_search_may_train says the rest of the budget
 * is kept for validation.  The common phases afterwards validate the best
 * full-length candidates of the log, so strategies differ only in what they
 * train and when:
 *   guided       dnnc's own (default): suspects first, successive halving
 *                over short trainings, singles before pairs, promising
 *                rewrites combined, exploration while budget remains;
 *   random       the study's baseline: uniform draws from its search space;
 *   bohb         Hyperband over training length with TPE sampling of the
 *                same space;
 *   autotrainer  AutoTrainer's symptom-driven fix sequences.
 */
#ifndef DNNC_SEARCH_H
#define DNNC_SEARCH_H

#include "repair.h"

typedef void (*rp_strategy_fn)(rp_session *s);

/* Every strategy, the default first: X(name, function, file).  The one
 * registry of strategies: the table rp_strategy_find searches, the names
 * --help and the errors list, and the functions' declarations come from it. */
#define RP_STRATEGIES(X) \
    X(guided, rp_search_guided, search_guided.c) \
    X(random, rp_search_random, search_random.c) \
    X(bohb, rp_search_bohb, search_bohb.c) \
    X(autotrainer, rp_search_autotrainer, search_autotrainer.c)

#define RP_X_STRATEGY_DECLARE(name, fn, file) void fn(rp_session *s);
RP_STRATEGIES(RP_X_STRATEGY_DECLARE)

/* A search strategy: one row of RP_STRATEGIES. */
typedef struct rp_strategy {
    const char *name;       /* as --strategy spells it */
    rp_strategy_fn run;     /* searches, logging every candidate in s */
} rp_strategy;

/* The strategy called NAME (NULL: unknown; a NULL NAME is the default). */
const rp_strategy *rp_strategy_find(const char *name);
/* The registry's names, "guided, random, bohb, autotrainer". */
const char *rp_strategy_names(void);

/* ---- shared by strategies ---- */

/* Successive halving: trains CANDS at fractions F0, 3*F0, ... up to 1 (one
 * seed each), keeping the best third at each rung; with REFERENCE the
 * faulty program trains alongside and only candidates not clearly worse
 * (by more than its own seed-to-seed spread, rp_baseline_noise) go on.
 * Returns how many reached full training (their scores are in the log).
 * A rung the budget (less the search's reserve) cannot pay for in full
 * trains the best of its candidates that it can; none: the halving stops. */
int rp_halving(rp_session *s, rp_changes *cands, int n, double f0, bool reference);
/* The first rung's fraction for the faulty program: 1/9 when its training has
 * enough batches, else 1/3 or 1. */
double rp_first_fraction(const rp_session *s);

#endif
