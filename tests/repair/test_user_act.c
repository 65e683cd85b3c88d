/* test_user_act.c: every rewrite that changes the activation of a layer
 * whose activation is a user function drops the function.
 *
 * A layer can take a user function as activation (`activation = c_tanh`,
 * printed `activation=@c_tanh`); the IR keeps it in ir_node.activation_fn,
 * with activation set to linear.  A rewrite that sets a built-in activation
 * but leaves activation_fn behind has no effect at all, so every producer
 * of rewrites is checked on a program with user-function activations on a
 * hidden layer and on the output: the repair passes (each of their edits),
 * the study's search space (every activation choice of every layer), and
 * the mutation operators that touch activations.  After each rewrite, a
 * layer whose activation a change claims has no function left and the
 * activation the change says; every other layer keeps its function.  The
 * passes must also offer every built-in activation for the user-function
 * layer, linear included (linear is not what the layer has).
 */
#include <stdlib.h>
#include <string.h>

#include "change.h"
#include "mutate.h"
#include "repair.h"
#include "rewrite.h"
#include "rtest.h"
#include "search_space.h"

static const char prog_text[] =
    "function c_tanh {\n"
    "    library = \"libm.so.6\"\n"
    "    symbol  = \"tanh\"\n"
    "    type    = double\n"
    "}\n"
    "dataset d {\n"
    "    source = moons(samples = 200, noise = 0.1)\n"
    "}\n"
    "model m {\n"
    "    input [2]\n"
    "    h1: dense 8, activation = c_tanh\n"
    "    h2: dense 8, activation = c_tanh\n"
    "    out: dense 2, activation = c_tanh\n"
    "}\n"
    "train {\n"
    "    model = m\n"
    "    data = d\n"
    "    loss = categorical_crossentropy\n"
    "    optimizer = adam(learning_rate = 0.001)\n"
    "    epochs = 2\n"
    "}\n";

/* The change of L that sets the activation of layer NODE, or NULL. */
static const rp_change *activation_claim(const rp_changes *l, const char *node)
{
    for (int i = 0; i < l->n; i++)
        if (l->items[i].op == RP_SET && l->items[i].target == SUSPECT_NODE &&
            strcmp(l->items[i].attribute, "activation") == 0 && strcmp(l->items[i].node, node) == 0)
            return &l->items[i];
    return NULL;
}

/* Checks the rewrite L of BASE as the file's comment says; returns how many
 * of its changes set an activation. */
static int check_rewrite(const ir_program *base, const rp_changes *l, const char *who)
{
    ir_program *p = rp_apply_all(base, l, who);
    CHECK(p != NULL, "%s: the rewrite does not apply", who);
    if (!p)
        return 0;
    const ir_model *mo = ir_train_model(base), *mn = ir_train_model(p);
    int claims = 0;
    for (int i = 1; i < mo->n_nodes; i++) {
        const ir_node *a = &mo->nodes[i], *b = ir_find_node(mn, a->name);
        if (!b)
            continue;   /* removed by the rewrite */
        const rp_change *c = activation_claim(l, a->name);
        char now[RP_NAME_MAX + 2];
        rp_activation_name(b, now, sizeof now);
        if (c) {
            claims++;
            CHECK(b->activation_fn == NULL, "%s: %s still calls @%s after %s", who, a->name, b->activation_fn,
                  c->after);
            CHECK(strcmp(now, c->after) == 0, "%s: %s has %s, the change says %s", who, a->name, now, c->after);
            if (a->activation_fn)
                CHECK(c->before[0] == '@', "%s: %s's change says it was %s, not the function", who, a->name,
                      c->before);
        } else if (a->activation_fn) {
            CHECK(b->activation_fn && strcmp(b->activation_fn, a->activation_fn) == 0,
                  "%s: %s lost its function without a change", who, a->name);
        }
    }
    ir_program_free(p);
    return claims;
}

/* The repair passes: every edit, and the offer of linear for h1. */
static void check_passes(const ir_program *base)
{
    rp_ctx ctx = {base, rtest_facts(2, -1, 1)};
    rp_edits edits = {0};
    rp_generate(&ctx, ~0u, &edits);
    int claims = 0;
    bool linear_h1 = false;
    for (int i = 0; i < edits.n; i++) {
        const rp_changes *l = &edits.items[i].changes;
        claims += check_rewrite(base, l, "repair pass");
        const rp_change *c = activation_claim(l, "h1");
        linear_h1 |= c && strcmp(c->after, "linear") == 0;
    }
    CHECK(claims > 0, "no repair pass changed an activation");
    CHECK(linear_h1, "no pass offers linear for h1, whose activation is a user function");
    rp_edits_free(&edits);
}

/* The study's space: each activation choice of each layer, alone. */
static void check_space(const ir_program *base)
{
    rp_session s;
    memset(&s, 0, sizeof s);
    s.prog = base;
    s.facts = rtest_facts(2, -1, 1);
    rt_rng rng;
    rt_rng_stream(&rng, 1, 1);
    sp_space sp;
    sp_build(&s, &rng, &sp);
    int claims = 0, dims = 0;
    for (int d = 0; d < sp.n; d++) {
        if (sp.dims[d].kind != SP_ACT)
            continue;
        dims++;
        CHECK(sp.dims[d].values[sp.dims[d].faulty] == SP_USER_FN,
              "the faulty choice of an activation is not the function");
        for (int k = 0; k < sp.dims[d].n; k++) {
            sp_point pt;
            sp_faulty(&sp, &pt);
            pt.choice[d] = k;
            rp_changes l;
            bool fits = sp_changes(&s, &sp, &pt, &l);
            CHECK(fits, "activation choice %d of dimension %d does not fit the data", k, d);
            if (!fits)
                continue;
            CHECK((k == sp.dims[d].faulty) == (l.n == 0), "choice %d of dimension %d: %d changes", k, d, l.n);
            claims += check_rewrite(base, &l, "search space");
            rp_changes_free(&l);
        }
    }
    CHECK(dims == 3, "%d activation dimensions for 3 layers", dims);
    CHECK(claims >= 3 * 11, "only %d activation changes from the search space", claims);
}

/* The mutation operators that touch activations. */
static void check_mutate(const ir_program *base)
{
    static const char *const ops[][2] = {
        {"change_activation", "layer=h2,to=relu"},
        {"change_activation", "layer=h2,to=linear"},
        {"remove_activation", "layer=h1"},
        {"change_output_activation", "to=softmax"},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        rp_changes l;
        char err[256];
        bool ok = rp_mutate(base, ops[i][0], ops[i][1], &l, err, sizeof err);
        CHECK(ok, "%s %s: %s", ops[i][0], ops[i][1], err);
        if (!ok)
            continue;
        CHECK(check_rewrite(base, &l, ops[i][0]) == 1, "%s %s changes no activation", ops[i][0], ops[i][1]);
        rp_changes_free(&l);
    }
}

int main(void)
{
    ir_program *base = dnnc_compile_text("user_act.dnn", prog_text, true);
    CHECK(base != NULL, "the program does not compile");
    if (!base)
        return check_finish("test_user_act");
    check_passes(base);
    check_space(base);
    check_mutate(base);
    ir_program_free(base);
    return check_finish("test_user_act");
}
