/* search_random.c: the study's random search (its baseline).
 *
 * Trial 0 of the study is the faulty configuration; here the faulty
 * program's baseline runs play that part.  Every later trial draws each
 * dimension of the study's space independently and uniformly
 * (search_space.h) and trains the result in full, one seed, until the budget
 * (minus validation's share) is spent.  A draw the budget left cannot pay
 * for (three times the epochs at batch 16 can cost many units) is passed
 * over, as the study loses a trial the budget cuts, and the search goes on
 * with the next draws until MISSES in a row do not fit.
 */
#include "search.h"
#include "search_space.h"

#define MISSES 50

void rp_search_random(rp_session *s)
{
    sp_space sp;
    rt_rng rng;
    rt_rng_stream(&rng, (uint64_t)s->seed, rt_hash_string("random search"));
    sp_build(s, &rng, &sp);
    int w = RP_VIRTUAL_WORKERS;   /* batches do not depend on --jobs */
    s->phase = "random";
    rp_changes batch[64];
    double scores[64];
    int misses = 0;
    while (rp_search_goes_on(s, 1) && misses < MISSES) {
        int n = 0, tries = 0;
        while (n < w && tries++ < 1000 && misses < MISSES) {
            sp_point pt;
            sp_draw(&sp, &rng, &pt);
            if (!sp_changes(s, &sp, &pt, &batch[n]) || batch[n].n == 0)
                continue;
            /* Each draw must fit beside those already taken. */
            if (rp_search_affords(s, batch, n + 1, 1)) {
                n++;
                misses = 0;
            } else {
                rp_changes_free(&batch[n]);
                misses++;
            }
        }
        if (n > 0)
            rp_evaluate(s, batch, n, 1, 0, 1, scores, NULL);
        for (int i = 0; i < n; i++)
            rp_changes_free(&batch[i]);
        if (n == 0)
            break;
    }
}
