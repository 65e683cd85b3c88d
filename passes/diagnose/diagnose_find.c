/* diagnose_find.c: creating findings and pointing them at their place in the
 * source (diagnose_int.h).
 *
 * A finding is a suspect before ranking.  Its place is an attribute of a
 * layer, of the train block or of a dataset; its location is where that
 * attribute was written, or, for an attribute left at its default, the
 * statement that would hold it (the layer, the optimizer, the train or
 * dataset block), which is where a patch would add it.
 */
#include "diagnose_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

suspect *dx_find(suspect_list *l, const char *rule, double score, unsigned repairs,
                 const char *fmt, ...)
{
    suspect *s = suspect_list_add(l);
    snprintf(s->rule, sizeof s->rule, "%s", rule);
    s->score = score < 0.0 ? 0.0 : score > 1.0 ? 1.0 : score;
    s->repairs = repairs;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->message, sizeof s->message, fmt, ap);
    va_end(ap);
    return s;
}

void dx_evidence(suspect *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->evidence, sizeof s->evidence, fmt, ap);
    va_end(ap);
}

/* Sets S's location to SPAN, or FALLBACK when SPAN is not from the source. */
static void locate(suspect *s, ir_span span, ir_span fallback)
{
    ir_span use = span.line > 0 ? span : fallback;
    s->line = use.line;
    s->column = use.col;
}

static const char *attr_name(const ir_attr_desc *table, int count, int id)
{
    const ir_attr_desc *d = ir_attr_by_id(table, count, id);
    return d ? d->name : "?";
}

void dx_at_node(suspect *s, const ir_node *n, ir_nattr attr)
{
    s->target = SUSPECT_NODE;
    snprintf(s->node, sizeof s->node, "%s", n->name);
    snprintf(s->attribute, sizeof s->attribute, "%s",
             attr_name(ir_node_attrs, ir_node_attr_count, (int)attr));
    locate(s, n->attr_span[attr], n->span);
}

void dx_at_layer(suspect *s, const ir_node *n)
{
    s->target = SUSPECT_NODE;
    snprintf(s->node, sizeof s->node, "%s", n->name);
    snprintf(s->attribute, sizeof s->attribute, "layer");
    locate(s, n->span, n->span);
}

void dx_at_train(suspect *s, const ir_program *p, ir_tattr attr)
{
    const ir_train *t = &p->train;
    s->target = SUSPECT_TRAIN;
    snprintf(s->node, sizeof s->node, "%s", t->model ? t->model : "train");
    snprintf(s->attribute, sizeof s->attribute, "%s",
             attr_name(ir_train_attrs, ir_train_attr_count, (int)attr));
    const ir_attr_desc *d = ir_attr_by_id(ir_train_attrs, ir_train_attr_count, (int)attr);
    ir_span fallback = d && d->optimizer_param && t->attr_span[IR_TATTR_OPTIMIZER].line > 0
                           ? t->attr_span[IR_TATTR_OPTIMIZER]
                           : t->span;
    locate(s, t->attr_span[attr], fallback);
}

void dx_at_data(suspect *s, const ir_dataset *d, ir_dattr attr)
{
    s->target = SUSPECT_DATA;
    snprintf(s->node, sizeof s->node, "%s", d->name);
    snprintf(s->attribute, sizeof s->attribute, "%s",
             attr_name(ir_data_attrs, ir_data_attr_count, (int)attr));
    locate(s, d->attr_span[attr], d->span);
}
