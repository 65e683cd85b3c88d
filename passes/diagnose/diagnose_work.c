/* diagnose_work.c: how long the diagnosis's training run is, worked out from
 * the program, not from the clock (diagnose_int.h).
 *
 * The run must train the same batches on every machine and under any load,
 * so its length is a work budget (dx_options.work_budget) counted in
 * estimated multiply-adds, not in seconds.  The estimate comes from the IR
 * and the data's size alone:
 *
 *   - per training sample: 3 x the multiply-adds of the dense and conv2d
 *     layers' products (forward, gradient of the input, gradient of the
 *     kernel), plus DX_ELEM_COST per value each layer outputs (activations,
 *     pooling, batchnorm, dropout; forward and backward), more for a
 *     user-function activation, which libffi calls once per value;
 *   - per batch: DX_PARAM_COST per trainable parameter (the optimiser's
 *     step) and DX_STEP_COST, the fixed cost of a batch;
 *   - per epoch: the forward pass over the validation split, and the
 *     shuffle.
 *
 * The constants are rough, set from timings of the examples and faults (see
 * doc/DIAGNOSIS.md); what matters is that the plan is a pure function of the
 * program and the data's size, so the batches the run trains, and with them
 * everything the diagnosis reports, are too.  A plan never exceeds the
 * program's own training, and keeps at least a minimum number of batches so
 * that the monitor has points to look at even for a huge model.
 */
#include "diagnose_int.h"

#include <math.h>

/* Multiply-adds one output value costs in element-wise work, forward and
 * backward together. */
#define DX_ELEM_COST 6.0
/* ... when the activation is a user function called through libffi. */
#define DX_FFI_ELEM_COST 200.0
/* Multiply-adds per trainable parameter per optimiser step. */
#define DX_PARAM_COST 8.0
/* Fixed multiply-add equivalent of one batch (calls, gathering, the loss). */
#define DX_STEP_COST 1e5
/* Multiply-add equivalent of shuffling one sample's index. */
#define DX_SHUFFLE_COST 2.0

/* Forward multiply-adds of weight layer N's product for one sample. */
static double product_macs(const ir_node *n)
{
    if (n->op == IR_OP_CONV2D)
        return (double)ir_shape_size(&n->out_shape) * (double)dx_fan_in(n);
    return (double)dx_kernel_size(n);
}

/* Trainable parameters of N. */
static double node_params(const ir_node *n)
{
    if (ir_op_has_weights(n->op))
        return (double)dx_kernel_size(n) + (n->bias ? n->units : 0);
    if (n->op == IR_OP_BATCHNORM)
        return 2.0 * (double)(n->out_shape.rank > 0 ? n->out_shape.dim[n->out_shape.rank - 1] : 1);
    return 0.0;
}

void dx_work_model(const ir_model *m, dx_work *w)
{
    *w = (dx_work){0};
    for (int i = 1; m && i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        double elem = (double)ir_shape_size(&n->out_shape) *
                      (n->activation_fn ? DX_FFI_ELEM_COST : DX_ELEM_COST);
        double product = ir_op_has_weights(n->op) ? product_macs(n) : 0.0;
        w->forward += product + elem / 2;
        w->train += 3 * product + elem;
        w->params += node_params(n);
    }
}

/* Estimated work of one batch of B samples. */
static double step_work(const dx_work *w, int b)
{
    return b * w->train + w->params * DX_PARAM_COST + DX_STEP_COST;
}

/* Estimated work an epoch adds besides its batches. */
static double epoch_work(const dx_work *w, int n_train, int n_val)
{
    return n_val * w->forward + n_train * DX_SHUFFLE_COST;
}

double dx_work_spent(const dx_work *w, int n_train, int n_val, int batch, long batches)
{
    if (n_train < 1 || batch < 1)
        return 0.0;
    int nb = (n_train + batch - 1) / batch;
    int last = n_train - (nb - 1) * batch;        /* the last batch of an epoch */
    double step = step_work(w, batch), extra = epoch_work(w, n_train, n_val);
    double epoch = (nb - 1) * step + step_work(w, last) + extra;
    long whole = batches / nb, rest = batches % nb;
    return (double)whole * epoch + (rest > 0 ? (double)rest * step + extra : 0.0);
}

void dx_work_plan(const dx_work *w, int n_train, int n_val, int batch, int epochs,
                  double budget, long min_batches, dx_plan *plan)
{
    long full = n_train > 0 && batch > 0 ? (long)epochs * ((n_train + batch - 1) / batch) : 0;
    *plan = (dx_plan){.batches = full};
    plan->full_work = plan->work = dx_work_spent(w, n_train, n_val, batch, full);
    if (budget <= 0 || plan->full_work <= budget)
        return;
    /* Whole epochs, then as many batches of the next one as the rest affords
     * (the work is monotonic in the batches: bisect). */
    long lo = 0, hi = full;     /* spent(lo) <= budget < spent(hi) */
    while (hi - lo > 1) {
        long mid = lo + (hi - lo) / 2;
        if (dx_work_spent(w, n_train, n_val, batch, mid) <= budget)
            lo = mid;
        else
            hi = mid;
    }
    long batches = lo > min_batches ? lo : min_batches < full ? min_batches : full;
    plan->batches = batches;
    plan->work = dx_work_spent(w, n_train, n_val, batch, batches);
    plan->by_budget = batches < full;
}
