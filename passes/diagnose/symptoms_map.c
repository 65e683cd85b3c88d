/* symptoms_map.c: from training symptoms to the places in the program that
 * cause them, through a table of the published symptom-to-fault mappings.
 *
 * Each row says: symptom S implicates place P with weight W (the share of
 * the symptom's strength the place gets as a score).  The rows follow:
 *   [AT] AutoTrainer (Zhang et al., ICSE 2021), the fix sequences of each
 *        symptom: vanishing: selu, relu, batchnorm; exploding: selu, relu,
 *        gradient clipping, tanh, batchnorm; dying ReLU: selu, batchnorm,
 *        initialiser, leaky ReLU; oscillating: adam, learning rate, batch
 *        size, momentum, initialiser; slow convergence: optimiser, learning
 *        rate, initialiser.
 *   [DD] DeepDiagnosis (Wardat et al., ICSE 2022), whose decision tree maps
 *        numerical errors, exploding / vanishing gradients, dead nodes,
 *        saturated activations, loss not decreasing, accuracy not increasing
 *        and unchanged weights to the learning rate, the activation, the
 *        initialisation, the loss or the data normalisation.
 *   [DC] TheDeepChecker (Ben Braiek and Khomh, TOSEM 2023): an update /
 *        parameter ratio far from ~1e-3 points at the learning rate.
 *   [us] still learning (our symptom): more epochs, or a larger rate when
 *        the trend says many more epochs would be needed.
 *   [us] a train/evaluation gap: the layers that compute differently in
 *        the two modes, batchnorm's moving statistics (momentum, epsilon),
 *        the batch whose statistics they average, and dropout right before
 *        batchnorm (the variance shift of Li et al., CVPR 2019); clipping
 *        active or shrinking the gradients: the clipping bound.
 * The weights are ours: a place the symptom names directly (the layer where
 * it shows) weighs more than one it only makes likely.
 *
 * Outcome symptoms (loss not decreasing, accuracy not increasing or at
 * chance, slow convergence, still learning, every kernel standing still) say
 * that something is wrong, not what.  When a strong static finding already
 * explains a poor outcome they only corroborate places already suspected;
 * otherwise they add their places.  Likewise a symptom of one layer only
 * corroborates when a strong static finding names that layer already.
 *
 * Causes before symptoms (ours): a layer that saturates or whose units die
 * shows the fault; it need not be it.  When a static rule found an upstream
 * cause of what the layer shows (saturation: unscaled inputs, a learning
 * rate above its optimiser's default; dying units: a negative constant bias,
 * such a rate), the symptom implicates the cause too (DX_CAUSE_WEIGHT), the
 * layer's activation gets half its weight, and it names the cause in
 * caused_by, so that ranking keeps it below the cause (rank.c); the
 * evidence of both says why.
 */
#include "diagnose_int.h"

#include <stdio.h>
#include <string.h>

/* The places a symptom can implicate. */
typedef enum {
    AT_LAYER_ACT,        /* the activation of the layer where it shows */
    AT_LAYER_INIT,       /* the kernel initialiser of that layer (or the weight layer before) */
    AT_LAYER_BIAS_INIT,  /* the bias initialiser of that weight layer, if a negative constant */
    AT_FEEDING_ACT,      /* the activation of the weight layer before it, if sigmoid-like in (0, 1) */
    AT_SATURATING_ACTS,  /* every hidden layer with a sigmoid-like activation */
    AT_OUTPUT_ACT,       /* the output activation */
    AT_NO_HIDDEN,        /* where a hidden layer would go, in a model that has none */
    AT_LEARNING_RATE,    /* train: learning_rate (it and what follows: the train block) */
    AT_OPTIMIZER,        /* train: optimizer */
    AT_SLOW_OPTIMIZER,   /* train: optimizer, if one of the slow ones (slow_optimizer) */
    AT_BATCH,            /* train: batch */
    AT_EPOCHS,           /* train: epochs */
    AT_LOSS,             /* train: loss */
    AT_CLIP_BOUND,       /* train: clipnorm when set, else clipvalue */
    AT_BN_MOMENTUM,      /* every batchnorm layer's momentum */
    AT_BN_EPSILON,       /* every batchnorm layer's epsilon */
    AT_DROPOUT_BEFORE_BN /* the rate of every dropout layer right before a batchnorm */
} place;

/* The weight of a symptom's upstream cause, and the share of its weight the
 * layer's activation keeps when there is one. */
#define DX_CAUSE_WEIGHT 0.8
#define DX_SYMPTOM_OF 0.5

/* Still learning: the weights of the epochs and the learning rate, and the
 * training length (in multiples of the run) up to which more epochs are the
 * likelier fix. */
#define DX_STILL_EPOCHS 0.6
#define DX_STILL_RATE 0.35
#define DX_MORE_EPOCHS 2.0

/* One published mapping. */
typedef struct mapping {
    dx_symptom_id symptom;   /* the symptom */
    place at;                /* the place it implicates */
    double weight;           /* share of the symptom's strength given to the place */
    unsigned repairs;        /* repair classes that address it */
    bool corroborates;       /* only raises the place when a static rule suspects it */
} mapping;

#define R(c) DX_R(c)
static const mapping mappings[] = {
    /* [DD] numerical errors; [AT] exploding fixes include clipping.  Ours: a
     * loss and an output that the static rules found mismatched with the
     * labels (a squared error on raw outputs for classes) are how a large
     * step grows without bound; cross-entropy on probabilities has bounded
     * gradients.  They are raised, not added: the rule must have seen them. */
    {DX_SYM_NAN_LOSS, AT_LEARNING_RATE, 0.7, R(LEARNING_RATE) | R(OPTIMIZER) | R(CLIPPING),
     false},
    {DX_SYM_NAN_LOSS, AT_LAYER_ACT, 0.4, R(ACTIVATION), false},
    {DX_SYM_NAN_LOSS, AT_LAYER_INIT, 0.3, R(INIT), false},
    {DX_SYM_NAN_LOSS, AT_LOSS, 0.3, R(LOSS), true},
    {DX_SYM_NAN_LOSS, AT_OUTPUT_ACT, 0.3, R(OUTPUT_ACTIVATION), true},
    /* [AT] exploding: selu, relu, clipping, tanh, batchnorm; [DD] learning rate. */
    {DX_SYM_EXPLODING_GRADIENT, AT_LEARNING_RATE, 0.6, R(LEARNING_RATE) | R(CLIPPING), false},
    {DX_SYM_EXPLODING_GRADIENT, AT_LAYER_INIT, 0.3, R(INIT) | R(BATCHNORM), false},
    /* [AT] vanishing: selu, relu, batchnorm; [DD] activation, initialisation. */
    {DX_SYM_VANISHING_GRADIENT, AT_SATURATING_ACTS, 0.6, R(ACTIVATION) | R(BATCHNORM), false},
    {DX_SYM_VANISHING_GRADIENT, AT_LAYER_INIT, 0.3, R(INIT), false},
    {DX_SYM_VANISHING_GRADIENT, AT_LEARNING_RATE, 0.25, R(LEARNING_RATE), false},
    /* [AT] dying ReLU: selu, batchnorm, initialiser, leaky; [DD] dead node. */
    {DX_SYM_DYING_RELU, AT_LAYER_ACT, 0.6, R(ACTIVATION) | R(BATCHNORM), false},
    {DX_SYM_DYING_RELU, AT_LAYER_INIT, 0.5, R(INIT), false},
    /* Ours: a negative constant bias holds pre-activations below 0. */
    {DX_SYM_DYING_RELU, AT_LAYER_BIAS_INIT, 0.5, R(INIT), false},
    {DX_SYM_DYING_RELU, AT_LEARNING_RATE, 0.3, R(LEARNING_RATE), false},
    /* Ours: inputs that are all positive around a common mean (a sigmoid or
     * hard_sigmoid layer's outputs, in (0, 1) and never centred: LeCun et
     * al., "Efficient BackProp", 1998) give each unit a pre-activation
     * dominated by mean x the sum of its weights, of one sign per unit: the
     * units whose weights sum below 0 start dead and stay so.  AutoTrainer's
     * batchnorm fix re-centres them; so does a centred activation upstream. */
    {DX_SYM_DYING_RELU, AT_FEEDING_ACT, 0.55, R(ACTIVATION), false},
    /* [DD] saturated activation: activation, initialisation, learning rate. */
    {DX_SYM_SATURATED, AT_LAYER_ACT, 0.6, R(ACTIVATION) | R(BATCHNORM), false},
    {DX_SYM_SATURATED, AT_LAYER_INIT, 0.35, R(INIT), false},
    {DX_SYM_SATURATED, AT_LEARNING_RATE, 0.2, R(LEARNING_RATE), false},
    /* [DD] loss not decreasing: learning rate, loss, activation, optimiser. */
    {DX_SYM_LOSS_FLAT, AT_LEARNING_RATE, 0.5, R(LEARNING_RATE), false},
    {DX_SYM_LOSS_FLAT, AT_OUTPUT_ACT, 0.3, R(OUTPUT_ACTIVATION), false},
    {DX_SYM_LOSS_FLAT, AT_LOSS, 0.3, R(LOSS), false},
    {DX_SYM_LOSS_FLAT, AT_OPTIMIZER, 0.25, R(OPTIMIZER), false},
    /* [DD] accuracy not increasing: learning rate, loss, output activation. */
    {DX_SYM_ACCURACY_FLAT, AT_LEARNING_RATE, 0.4, R(LEARNING_RATE), false},
    {DX_SYM_ACCURACY_FLAT, AT_LOSS, 0.3, R(LOSS), false},
    {DX_SYM_ACCURACY_FLAT, AT_OUTPUT_ACT, 0.3, R(OUTPUT_ACTIVATION), false},
    /* Accuracy at chance: as accuracy not increasing, more strongly. */
    {DX_SYM_AT_CHANCE, AT_LEARNING_RATE, 0.4, R(LEARNING_RATE), false},
    {DX_SYM_AT_CHANCE, AT_OUTPUT_ACT, 0.35, R(OUTPUT_ACTIVATION), false},
    {DX_SYM_AT_CHANCE, AT_LOSS, 0.3, R(LOSS), false},
    /* [AT] oscillating: adam, learning rate, batch size, momentum, initialiser. */
    {DX_SYM_OSCILLATION, AT_LEARNING_RATE, 0.55, R(LEARNING_RATE) | R(OPTIMIZER), false},
    {DX_SYM_OSCILLATION, AT_BATCH, 0.35, R(BATCH), false},
    {DX_SYM_OSCILLATION, AT_OPTIMIZER, 0.3, R(OPTIMIZER), false},
    /* [AT] slow convergence: optimiser, learning rate, initialiser. */
    {DX_SYM_SLOW_CONVERGENCE, AT_LEARNING_RATE, 0.5, R(LEARNING_RATE), false},
    {DX_SYM_SLOW_CONVERGENCE, AT_OPTIMIZER, 0.4, R(OPTIMIZER), false},
    {DX_SYM_SLOW_CONVERGENCE, AT_EPOCHS, 0.3, R(EPOCHS), false},
    /* [DD] unchanged weights: learning rate, initialisation; [DC] update ratio. */
    {DX_SYM_WEIGHTS_UNCHANGED, AT_LAYER_INIT, 0.5, R(INIT), false},
    {DX_SYM_WEIGHTS_UNCHANGED, AT_LEARNING_RATE, 0.5, R(LEARNING_RATE), false},
    /* [DC] updates too large for the parameters. */
    {DX_SYM_WEIGHTS_TOO_FAST, AT_LEARNING_RATE, 0.7, R(LEARNING_RATE) | R(CLIPPING), false},
    /* [us] still learning when the run ended (weights: mapped_weight). */
    {DX_SYM_STILL_LEARNING, AT_EPOCHS, DX_STILL_EPOCHS, R(EPOCHS), false},
    {DX_SYM_STILL_LEARNING, AT_LEARNING_RATE, DX_STILL_RATE, R(LEARNING_RATE), false},
    /* [AT] slow convergence's first fix, the optimiser, when it is one of the
     * slow ones: plain SGD without momentum, Adagrad's shrinking steps,
     * Adadelta (steps set by its own running ratio, not the rate). */
    {DX_SYM_STILL_LEARNING, AT_SLOW_OPTIMIZER, 0.3, R(OPTIMIZER), false},
    /* [us] a settled run that fits its own training data poorly: a model
     * without any hidden layer is a linear classifier, which no training
     * recipe makes fit classes that are not linearly separable; otherwise
     * the steps may be too large to settle lower. */
    {DX_SYM_PLATEAU, AT_NO_HIDDEN, 0.7, R(ADD_LAYER), false},
    {DX_SYM_PLATEAU, AT_LEARNING_RATE, 0.3, R(LEARNING_RATE), false},
    /* [us] a model that scores well in training mode and badly in
     * evaluation mode on the same samples: what differs between the modes. */
    {DX_SYM_MODE_GAP, AT_BN_MOMENTUM, 0.7, R(BATCHNORM), false},
    {DX_SYM_MODE_GAP, AT_BN_EPSILON, 0.3, R(BATCHNORM), false},
    {DX_SYM_MODE_GAP, AT_DROPOUT_BEFORE_BN, 0.4, R(DROPOUT), false},
    {DX_SYM_MODE_GAP, AT_BATCH, 0.25, R(BATCH), false},
    /* [us] clipping that is always on, or shrinks the steps by orders of
     * magnitude: its bound. */
    {DX_SYM_CLIPPING_ACTIVE, AT_CLIP_BOUND, 0.8, R(CLIPPING), false},
    {DX_SYM_CLIPPING_SHRINKS, AT_CLIP_BOUND, 0.95, R(CLIPPING), false},
};
#undef R

/* The weight of mapping MP for symptom SYM.  A run still learning points at
 * the epochs when a little more training would do; when its trend needs
 * more than DX_MORE_EPOCHS times the training, more epochs multiply the cost
 * and steps that go further are the likelier fix: the epochs' weight falls
 * by DX_MORE_EPOCHS / extent, and the learning rate's rises by as much of
 * the difference (ours). */
static double mapped_weight(const dx_symptom *sym, const mapping *mp)
{
    if (sym->id != DX_SYM_STILL_LEARNING || !(sym->extent > DX_MORE_EPOCHS))
        return mp->weight;
    double share = DX_MORE_EPOCHS / sym->extent;
    if (mp->at == AT_EPOCHS)
        return DX_STILL_EPOCHS * share;
    if (mp->at == AT_LEARNING_RATE)
        return DX_STILL_RATE + (DX_STILL_EPOCHS - DX_STILL_RATE) * (1.0 - share);
    return mp->weight;
}

/* What each symptom means, for the finding's message. */
static const char *describe(dx_symptom_id id)
{
    switch (id) {
    case DX_SYM_NAN_LOSS: return "the loss became NaN or infinite while training";
    case DX_SYM_EXPLODING_GRADIENT: return "gradients explode towards the input";
    case DX_SYM_VANISHING_GRADIENT: return "gradients vanish towards the input";
    case DX_SYM_DYING_RELU: return "the ReLU units of this layer died";
    case DX_SYM_SATURATED: return "this layer's activations saturate";
    case DX_SYM_LOSS_FLAT: return "the training loss does not decrease";
    case DX_SYM_ACCURACY_FLAT: return "the training accuracy does not increase";
    case DX_SYM_AT_CHANCE: return "the training accuracy stays at chance";
    case DX_SYM_OSCILLATION: return "the training accuracy oscillates";
    case DX_SYM_SLOW_CONVERGENCE: return "training converges too slowly";
    case DX_SYM_WEIGHTS_UNCHANGED: return "the kernels do not change";
    case DX_SYM_WEIGHTS_TOO_FAST: return "weights change too fast for their size";
    case DX_SYM_STILL_LEARNING: return "training stopped while the loss was still falling";
    case DX_SYM_PLATEAU: return "training settled without fitting the training data";
    case DX_SYM_MODE_GAP: return "the model scores far worse in evaluation mode than in training mode";
    case DX_SYM_CLIPPING_ACTIVE: return "gradient clipping is active at most points";
    case DX_SYM_CLIPPING_SHRINKS: return "gradient clipping shrinks the gradients by orders of magnitude";
    case DX_SYM_COUNT: break;
    }
    return "?";
}

static bool outcome_symptom(const dx_symptom *s)
{
    switch (s->id) {
    case DX_SYM_LOSS_FLAT:
    case DX_SYM_ACCURACY_FLAT:
    case DX_SYM_AT_CHANCE:
    case DX_SYM_SLOW_CONVERGENCE:
    case DX_SYM_STILL_LEARNING:
    case DX_SYM_PLATEAU: return true;
    case DX_SYM_WEIGHTS_UNCHANGED: return s->layer < 0;
    default: return false;
    }
}

/* Whether a strong static finding names node NAME already. */
static bool node_explained(const suspect_list *found, const char *name)
{
    for (int i = 0; i < found->n; i++) {
        const suspect *o = &found->items[i];
        if (o->kind == SUSPECT_RULE && o->target == SUSPECT_NODE && o->score >= DX_EXPLAINS &&
            strcmp(o->node, name) == 0)
            return true;
    }
    return false;
}

/* Whether a strong static finding names a node of LAYER's block: its weight
 * layer and what follows it up to the next weight layer (its activation,
 * dropout, batchnorm and pooling layers). */
static bool layer_explained(const suspect_list *found, const ir_model *m, int layer)
{
    int j = layer;
    while (j > 0 && !ir_op_has_weights(m->nodes[j].op))
        j--;
    for (; j < m->n_nodes; j++) {
        if (j > layer && ir_op_has_weights(m->nodes[j].op))
            break;
        if (node_explained(found, m->nodes[j].name))
            return true;
    }
    return false;
}

static bool same_place(const suspect *a, const suspect *b)
{
    return a->target == b->target && strcmp(a->node, b->node) == 0 &&
           strcmp(a->attribute, b->attribute) == 0;
}

/* Whether FOUND has a finding at S's place (a strong static one if STRONG). */
static bool suspected(const suspect_list *found, const suspect *s, bool strong)
{
    for (int i = 0; i < found->n; i++) {
        const suspect *o = &found->items[i];
        if (same_place(o, s) && (!strong || (o->kind == SUSPECT_RULE && o->score >= DX_EXPLAINS)))
            return true;
    }
    return false;
}

/* The weight layer at or before node I of M (-1 if none). */
static int weight_layer_at(const ir_model *m, int i)
{
    for (int j = i; j >= 0; j--)
        if (ir_op_has_weights(m->nodes[j].op))
            return j;
    return -1;
}

/* Whether a numerical blow-up (NaN loss, exploding gradients) can come from
 * the place NODE's activation or initialiser: only exponential activations
 * overflow from moderate inputs, and only initialisers of a fixed scale
 * (not scaled to the layer's fans) can start too large. */
static bool can_blow_up(const ir_node *n, place at)
{
    if (at == AT_LAYER_ACT)
        return ir_op_has_activation(n->op) && n->activation == IR_ACT_EXPONENTIAL;
    switch (n->init.kind) {
    case IR_INIT_ONES:
    case IR_INIT_CONSTANT:
    case IR_INIT_RANDOM_NORMAL:
    case IR_INIT_RANDOM_UNIFORM:
    case IR_INIT_TRUNCATED_NORMAL: return true;
    default: return false;
    }
}

/* Whether a static rule put a finding at S's place. */
static bool static_at(const suspect_list *found, const suspect *s)
{
    for (int i = 0; i < found->n; i++)
        if (found->items[i].kind == SUSPECT_RULE && same_place(&found->items[i], s))
            return true;
    return false;
}

/* Whether the optimiser of P is one of the slow ones: SGD without momentum,
 * Adagrad or Adadelta (the adaptive-moment optimisers and momentum SGD are
 * what AutoTrainer's slow-convergence fix switches to). */
static bool slow_optimizer(const ir_program *p)
{
    const ir_train *t = &p->train;
    return (t->optimizer == IR_OPT_SGD && t->momentum == 0.0) || t->optimizer == IR_OPT_ADAGRAD ||
           t->optimizer == IR_OPT_ADADELTA;
}

/* The node holding the activation of the weight layer that feeds weight layer
 * W, when that activation outputs values in (0, 1) around a common mean
 * (sigmoid, hard_sigmoid); -1 otherwise. */
static int feeding_sigmoid(const ir_model *m, int w)
{
    int prev = w > 0 ? weight_layer_at(m, w - 1) : -1, at;
    if (prev < 0)
        return -1;
    ir_act a = dx_act_after(m, prev, &at);
    return (a == IR_ACT_SIGMOID || a == IR_ACT_HARD_SIGMOID) && !m->nodes[at].activation_fn ? at : -1;
}

/* Whether weight layer N's biases start at a negative constant. */
static bool negative_bias(const ir_node *n)
{
    return n->bias && n->bias_init.kind == IR_INIT_CONSTANT && n->bias_init.param < 0;
}

/* Whether P's learning rate is above its optimiser's Keras default. */
static bool rate_above_default(const ir_program *p)
{
    ir_train def;
    ir_train_optimizer_defaults(&def, p->train.optimizer);
    return p->train.learning_rate > def.learning_rate;
}

/* What a static finding O says about why symptom SYM shows, when it is an
 * upstream cause of it; NULL when it is not. */
static const char *cause_reason(const dx_symptom *sym, const suspect *o, const dx_facts *f)
{
    const ir_model *m = f->model;
    if (o->kind != SUSPECT_RULE)
        return NULL;
    if (strcmp(o->rule, "learning-rate") == 0 && o->target == SUSPECT_TRAIN &&
        strcmp(o->attribute, "learning_rate") == 0 && rate_above_default(f->prog))
        return sym->id == DX_SYM_SATURATED
                   ? "steps far too large grow the weights until the pre-activations saturate"
                   : "steps far too large push the units' pre-activations below 0 for good";
    if (sym->id == DX_SYM_SATURATED && strcmp(o->rule, "unscaled-input") == 0)
        return "inputs far outside [-1, 1] drive the pre-activations into the flat tails";
    if (sym->id == DX_SYM_DYING_RELU && strcmp(o->rule, "bias-init") == 0 && sym->layer >= 0) {
        int w = weight_layer_at(m, sym->layer);
        if (w >= 0 && o->target == SUSPECT_NODE && strcmp(o->node, m->nodes[w].name) == 0)
            return "the negative bias holds the pre-activations below 0";
    }
    return NULL;
}

/* The static findings of FOUND that are upstream causes of SYM, into
 * CAUSES[0..CAP-1] (strongest first); returns how many. */
static int upstream_causes(const dx_symptom *sym, const dx_facts *f, const suspect_list *found,
                           const suspect **causes, int cap)
{
    int n = 0;
    if (sym->id != DX_SYM_SATURATED && sym->id != DX_SYM_DYING_RELU)
        return 0;
    for (int i = 0; i < found->n && n < cap; i++)
        if (cause_reason(sym, &found->items[i], f)) {
            int k = n++;
            while (k > 0 && causes[k - 1]->score < found->items[i].score) {
                causes[k] = causes[k - 1];
                k--;
            }
            causes[k] = &found->items[i];
        }
    return n;
}

/* Appends to OUT the finding of symptom SYM at cause C: it rests on the
 * symptom and on the rule that found C. */
static void cause_finding(const dx_symptom *sym, const suspect *c, const dx_facts *f,
                          suspect_list *out)
{
    const char *layer = sym->layer >= 0 ? f->model->nodes[sym->layer].name : "the network";
    suspect *s = dx_find(out, dx_symptom_names[sym->id], sym->strength * DX_CAUSE_WEIGHT,
                         c->repairs, "%s causes what %s shows: %s", c->attribute, layer,
                         describe(sym->id));
    s->kind = SUSPECT_SYMPTOM;
    s->target = c->target;
    snprintf(s->node, sizeof s->node, "%s", c->node);
    snprintf(s->attribute, sizeof s->attribute, "%s", c->attribute);
    s->line = c->line;
    s->column = c->column;
    dx_evidence(s, "%s at %s (%s), upstream of the layer: %s", dx_symptom_names[sym->id], layer,
                sym->evidence, cause_reason(sym, c, f));
}

/* Appends to OUT the findings of symptom SYM at place MP (several for
 * AT_SATURATING_ACTS, none when the place does not exist, or when MP only
 * corroborates and no static finding of FOUND is there). */
static void place_findings(const dx_symptom *sym, const mapping *mp, const dx_facts *f,
                           const suspect_list *found, const suspect *cause, suspect_list *out)
{
    const ir_model *m = f->model;
    int nodes[64], n_nodes = 0, at;
    switch (mp->at) {
    case AT_LAYER_ACT:
        if (sym->layer >= 0)
            nodes[n_nodes++] = sym->layer;
        break;
    case AT_LAYER_INIT:
    case AT_LAYER_BIAS_INIT: {
        int w = sym->layer >= 0 ? weight_layer_at(m, sym->layer) : -1;
        if (w >= 0 && (mp->at == AT_LAYER_INIT || negative_bias(&m->nodes[w])))
            nodes[n_nodes++] = w;
        break;
    }
    case AT_SATURATING_ACTS:
        for (int i = 0; i < m->n_nodes && n_nodes < 64; i++)
            if (ir_op_has_weights(m->nodes[i].op) && i != f->out &&
                dx_act_saturating(dx_act_after(m, i, &at)))
                nodes[n_nodes++] = at;
        break;
    case AT_FEEDING_ACT: {
        int w = sym->layer >= 0 ? weight_layer_at(m, sym->layer) : -1;
        int a = w >= 0 ? feeding_sigmoid(m, w) : -1;
        if (a >= 0)
            nodes[n_nodes++] = a;
        break;
    }
    case AT_OUTPUT_ACT:
        if (f->out_act_node >= 0)
            nodes[n_nodes++] = f->out_act_node;
        break;
    case AT_NO_HIDDEN:
        /* The node the output layer reads, after which repair inserts. */
        if (f->n_weight_layers == 1 && f->out > 0)
            nodes[n_nodes++] = f->out - 1;
        break;
    case AT_BN_MOMENTUM:
    case AT_BN_EPSILON:
    case AT_DROPOUT_BEFORE_BN:
        for (int i = 0; i < m->n_nodes && n_nodes < 64; i++) {
            bool bn = m->nodes[i].op == IR_OP_BATCHNORM;
            if (mp->at == AT_DROPOUT_BEFORE_BN ? m->nodes[i].op == IR_OP_DROPOUT &&
                                                     i + 1 < m->n_nodes &&
                                                     m->nodes[i + 1].op == IR_OP_BATCHNORM
                                               : bn)
                nodes[n_nodes++] = i;
        }
        break;
    default: break;
    }
    static const ir_tattr train_attr[] = {
        [AT_LEARNING_RATE] = IR_TATTR_LEARNING_RATE, [AT_OPTIMIZER] = IR_TATTR_OPTIMIZER,
        [AT_SLOW_OPTIMIZER] = IR_TATTR_OPTIMIZER,
        [AT_BATCH] = IR_TATTR_BATCH, [AT_EPOCHS] = IR_TATTR_EPOCHS, [AT_LOSS] = IR_TATTR_LOSS,
        [AT_CLIP_BOUND] = IR_TATTR_CLIPNORM,
    };
    bool train = mp->at >= AT_LEARNING_RATE && mp->at <= AT_CLIP_BOUND;
    ir_tattr tattr = mp->at == AT_CLIP_BOUND && !(f->prog->train.clipnorm > 0)
                         ? IR_TATTR_CLIPVALUE
                         : train_attr[train ? mp->at : AT_LEARNING_RATE];
    if (mp->at == AT_SLOW_OPTIMIZER && !slow_optimizer(f->prog))
        return;
    bool blow_up = sym->id == DX_SYM_NAN_LOSS || sym->id == DX_SYM_EXPLODING_GRADIENT;
    for (int k = 0; k < (train ? 1 : n_nodes); k++) {
        if (blow_up && !train && !can_blow_up(&m->nodes[nodes[k]], mp->at))
            continue;
        bool symptom_of = cause && mp->at == AT_LAYER_ACT;
        suspect *s = dx_find(out, dx_symptom_names[sym->id],
                             sym->strength * mapped_weight(sym, mp) * (symptom_of ? DX_SYMPTOM_OF : 1.0),
                             mp->repairs, "%s", describe(sym->id));
        s->kind = SUSPECT_SYMPTOM;
        dx_evidence(s, "%s", sym->evidence);
        if (symptom_of) {
            suspect_place(cause, s->caused_by, sizeof s->caused_by);
            dx_evidence(s, "%s; a symptom of %s (%s): %s", sym->evidence, s->caused_by, cause->rule,
                        cause_reason(sym, cause, f));
        }
        if (train)
            dx_at_train(s, f->prog, tattr);
        else if (mp->at == AT_NO_HIDDEN)
            dx_at_layer(s, &m->nodes[nodes[k]]);
        else
            dx_at_node(s, &m->nodes[nodes[k]],
                       mp->at == AT_LAYER_INIT          ? IR_NATTR_INIT
                       : mp->at == AT_LAYER_BIAS_INIT   ? IR_NATTR_BIAS_INIT
                       : mp->at == AT_BN_MOMENTUM       ? IR_NATTR_MOMENTUM
                       : mp->at == AT_BN_EPSILON        ? IR_NATTR_EPSILON
                       : mp->at == AT_DROPOUT_BEFORE_BN ? IR_NATTR_RATE
                                                        : IR_NATTR_ACTIVATION);
        if (mp->corroborates && !static_at(found, s))
            out->n--;
    }
}

void dx_map_symptoms(const dx_symptom_list *syms, const dx_facts *f, bool explained,
                     suspect_list *found)
{
    if (!f->model)
        return;
    for (int i = 0; i < syms->n; i++) {
        const dx_symptom *sym = &syms->items[i];
        suspect_list cands = {0};
        const suspect *causes[8];
        int n_causes = upstream_causes(sym, f, found, causes, 8);
        for (size_t k = 0; k < sizeof mappings / sizeof mappings[0]; k++)
            if (mappings[k].symptom == sym->id)
                place_findings(sym, &mappings[k], f, found, n_causes ? causes[0] : NULL, &cands);
        for (int k = 0; k < n_causes; k++)
            cause_finding(sym, causes[k], f, &cands);
        /* Explaining away: a symptom one of whose places is strongly suspected
         * already is put down to that place and adds no new ones. */
        bool only = (explained && outcome_symptom(sym)) ||
                    (sym->layer >= 0 && layer_explained(found, f->model, sym->layer));
        for (int k = 0; k < cands.n && !only; k++)
            only = suspected(found, &cands.items[k], true);
        for (int k = 0; k < cands.n; k++) {
            suspect c = cands.items[k];
            /* A layer explained away still records that it is a symptom of
             * its cause (score 0: it adds no suspect), so that what else
             * points at it (a probe) ranks below the cause too. */
            if (only && !suspected(found, &c, false)) {
                if (!c.caused_by[0])
                    continue;
                c.score = 0;
            }
            *suspect_list_add(found) = c;
        }
        suspect_list_free(&cands);
    }
}
