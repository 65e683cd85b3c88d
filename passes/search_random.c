/* search_random.c: the study's random search (its baseline).
 *
 * Trial 0 of the study is the faulty configuration; here the faulty
 * program's baseline runs play that part.  Every later trial draws each
 * dimension of the study's space independently and uniformly
 * (search_space.h) and trains the result in full, one seed, until the budget
 * (minus validation's share) is spent.
 */
#include "search.h"
#include "search_space.h"

void rp_search_random(rp_session *s)
{
    sp_space sp;
    rt_rng rng;
    rt_rng_stream(&rng, (uint64_t)s->seed, rt_hash_string("random search"));
    sp_build(s, &rng, &sp);
    int w = rp_workers(s);
    s->phase = "random";
    rp_changes batch[64];
    double scores[64];
    while (rp_search_goes_on(s, 1)) {
        int n = 0, tries = 0;
        while (n < w && tries++ < 1000) {
            sp_point pt;
            sp_draw(&sp, &rng, &pt);
            if (sp_changes(s, &sp, &pt, &batch[n]) && batch[n].n > 0)
                n++;
        }
        /* The draws the budget pays for (each draw costs what it trains). */
        int m = n;
        while (m > 0 && !rp_search_affords(s, batch, m, 1))
            m--;
        if (m > 0)
            rp_evaluate(s, batch, m, 1, 0, 1, scores, NULL);
        for (int i = 0; i < n; i++)
            rp_changes_free(&batch[i]);
        if (m == 0)
            break;
    }
}
