/* patch.c: the source patcher (patch.h).
 *
 * Each change becomes one or more text edits (offset, length to replace,
 * replacement); edits are sorted and applied from the end of the file back,
 * so earlier offsets stay valid.  Edits at the same offset keep the order of
 * the changes that made them.  Values are spelled from the repaired program
 * (FIXED), so several changes to one place read as their final result.
 */
#include "patch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One text edit. */
typedef struct edit {
    int off, len;   /* bytes of the source replaced */
    char *text;     /* replacement (owned) */
    int seq;        /* order of creation, for edits at the same offset */
} edit;

/* The edits collected so far. */
typedef struct edits {
    edit *items;    /* in creation order until sorted */
    int n, cap;     /* count and capacity */
} edits;

static void add(edits *e, int off, int len, const char *text)
{
    /* Two changes that rewrite the same text (both spelled from the final
     * program) make one edit. */
    for (int i = 0; len > 0 && i < e->n; i++)
        if (e->items[i].off == off && e->items[i].len == len)
            return;
    if (e->n == e->cap) {
        e->cap = e->cap ? 2 * e->cap : 8;
        e->items = ir_realloc(e->items, sizeof *e->items * (size_t)e->cap);
    }
    e->items[e->n] = (edit){off, len, ir_strdup(text), e->n};
    e->n++;
}

static int by_offset_desc(const void *a, const void *b)
{
    const edit *x = a, *y = b;
    if (x->off != y->off)
        return x->off < y->off ? 1 : -1;
    return x->seq < y->seq ? 1 : -1;
}

/* Adds spaces after commas and around '=' outside strings. */
static void spaced(const char *in, char *out, size_t size)
{
    size_t k = 0;
    bool str = false;
    for (const char *s = in; *s && k + 4 < size; s++) {
        if (*s == '"' && (s == in || s[-1] != '\\'))
            str = !str;
        if (!str && *s == '=') {
            out[k++] = ' ';
            out[k++] = '=';
            out[k++] = ' ';
        } else if (!str && *s == ',') {
            out[k++] = ',';
            out[k++] = ' ';
        } else {
            out[k++] = *s;
        }
    }
    out[k] = 0;
}

void rp_source_value(const ir_attr_desc *desc, const void *obj, char *buf, size_t size)
{
    char raw[512];
    ir_attr_format(desc, obj, raw, sizeof raw);
    if (desc->type == IR_T_FNREF || desc->type == IR_T_METRICS) {
        /* The IR's @name of a user function is a bare name in .dnn. */
        size_t k = 0;
        for (const char *s = raw; *s; s++)
            if (*s != '@')
                raw[k++] = *s;
        raw[k] = 0;
    }
    if (desc->type == IR_T_FLOAT) {
        double v = *(const double *)((const char *)obj + desc->offset);
        double inv = v != 0 ? 1 / v : 0;
        /* 1/255 reads better than 0.00392156862745098; 0.001 stays 0.001. */
        if (strlen(raw) > 8 && v > 0 && v < 1 && inv < 1e6 && fabs(inv - round(inv)) < 1e-9 * inv && 1 / round(inv) == v) {
            snprintf(buf, size, "1/%.0f", round(inv));
            return;
        }
    }
    spaced(raw, buf, size);
}

/* Start of the line holding offset OFF, and that line's indentation. */
static int line_start(const char *text, int off)
{
    while (off > 0 && text[off - 1] != '\n')
        off--;
    return off;
}

static void indentation(const char *text, int off, char *buf, size_t size)
{
    int s = line_start(text, off);
    size_t k = 0;
    while ((text[s] == ' ' || text[s] == '\t') && k + 1 < size)
        buf[k++] = text[s++];
    buf[k] = 0;
}

/* Offset of the end of the line holding OFF (its newline, or the text's end). */
static int line_end(const char *text, int off)
{
    while (text[off] && text[off] != '\n')
        off++;
    return off;
}

/* Indentation of a block's entries: that of its first written attribute,
 * else the block header's plus four spaces. */
static void block_indent(const char *text, const ir_span *spans, int n, ir_span header, char *buf, size_t size)
{
    for (int i = 0; i < n; i++)
        if (spans[i].line > 0 && spans[i].line != header.line) {
            int at = spans[i].key_off >= 0 ? spans[i].key_off : spans[i].off;
            indentation(text, at, buf, size);
            return;
        }
    indentation(text, header.off, buf, size);
    snprintf(buf + strlen(buf), size - strlen(buf), "    ");
}

/* "key = value" on a new line before a block's closing brace. */
static void add_block_line(edits *e, const char *text, ir_span close, const char *indent, const char *key,
                           const char *value)
{
    char line[1024];
    int at = line_start(text, close.off);
    bool brace_alone = true;
    for (int i = at; i < close.off; i++)
        brace_alone &= text[i] == ' ' || text[i] == '\t';
    if (brace_alone) {
        snprintf(line, sizeof line, "%s%s = %s\n", indent, key, value);
        add(e, at, 0, line);
    } else {
        /* A block written on one line stays on one line: the entry goes
         * before its brace, after a separator. */
        int k = close.off;
        while (k > 0 && (text[k - 1] == ' ' || text[k - 1] == '\t'))
            k--;
        bool sep = k > 0 && text[k - 1] != '{' && text[k - 1] != ';';
        snprintf(line, sizeof line, "%s %s = %s", sep ? ";" : "", key, value);
        add(e, k, 0, line);
    }
}

/* A layer statement for node N: "label: kind value, key = value, ...",
 * listing the attributes that differ from the kind's defaults. */
static void layer_statement(const ir_node *n, char *buf, size_t size)
{
    ir_node def;
    memset(&def, 0, sizeof def);
    ir_node_defaults(&def, n->op);
    char label[RP_NAME_MAX];
    snprintf(label, sizeof label, "%s", n->name);
    for (char *s = label; *s; s++)
        if (*s == '.')
            *s = '_';
    char v[256], d[256];
    size_t len = (size_t)snprintf(buf, size, "%s: %s", label, ir_enum_name(&ir_op_table, (int)n->op));
    int pos = ir_op_positional_attr(n->op);
    if (pos >= 0) {
        rp_source_value(ir_attr_by_id(ir_node_attrs, ir_node_attr_count, pos), n, v, sizeof v);
        len += (size_t)snprintf(buf + len, len < size ? size - len : 0, " %s", v);
    }
    for (int i = 0; i < ir_node_attr_count && len < size; i++) {
        const ir_attr_desc *a = &ir_node_attrs[i];
        if (a->id == pos || !ir_attr_applies(a, (int)n->op))
            continue;
        ir_attr_format(a, n, v, sizeof v);
        ir_attr_format(a, &def, d, sizeof d);
        if (strcmp(v, d) == 0)
            continue;
        rp_source_value(a, n, v, sizeof v);
        len += (size_t)snprintf(buf + len, size - len, ", %s = %s", a->name, v);
    }
}

/* The original (source) layer an inserted chain hangs from. */
static const ir_node *source_anchor(const ir_model *base, const rp_changes *l, const char *name)
{
    for (int guard = 0; guard <= l->n; guard++) {
        const ir_node *n = ir_find_node(base, name);
        if (n)
            return n;
        const char *next = NULL;
        for (int i = 0; i < l->n; i++)
            if (l->items[i].op == RP_INSERT && strcmp(l->items[i].node, name) == 0)
                next = l->items[i].anchor;
        if (!next)
            return NULL;
        name = next;
    }
    return NULL;
}

static bool patch_node(edits *e, const char *text, const ir_model *base, const ir_model *fixed,
                       const rp_changes *l, const rp_change *c, char *err, size_t errsize)
{
    char v[512], line[1024], indent[128];
    if (c->op == RP_INSERT) {
        const ir_node *anchor = source_anchor(base, l, c->anchor);
        const ir_node *n = ir_find_node(fixed, c->node);
        if (!anchor || !n || anchor->span.line <= 0) {
            snprintf(err, errsize, "no source line for the layer before %s", c->node);
            return false;
        }
        layer_statement(n, v, sizeof v);
        /* On a line of its own after the anchor's line, unless more
         * statements follow the anchor on that line (`input [2]; out: ...`):
         * then in line after it, with a separator. */
        int after = anchor->span.off + anchor->span.len, k = after;
        while (text[k] == ' ' || text[k] == '\t')
            k++;
        if (text[k] == ';')
            k++;
        while (text[k] == ' ' || text[k] == '\t')
            k++;
        if (text[k] == '\n' || text[k] == '\r' || text[k] == '#' || !text[k]) {
            indentation(text, anchor->span.off, indent, sizeof indent);
            snprintf(line, sizeof line, "\n%s%s", indent, v);
            add(e, line_end(text, after), 0, line);
        } else {
            snprintf(line, sizeof line, "; %s", v);
            add(e, after, 0, line);
        }
        return true;
    }
    const ir_node *old = ir_find_node(base, c->node);
    if (!old)
        return true;   /* a layer this list inserted: its statement carries its final attributes */
    if (old->span.line <= 0) {
        snprintf(err, errsize, "layer %s has no place in the source", c->node);
        return false;
    }
    if (c->op == RP_REMOVE) {
        int s = line_start(text, old->span.off), end = line_end(text, old->span.off + old->span.len);
        bool alone = true;
        for (int i = s; i < old->span.off; i++)
            alone &= text[i] == ' ' || text[i] == '\t';
        for (int i = old->span.off + old->span.len; i < end && alone; i++) {
            if (text[i] == '#')
                break;
            alone &= text[i] == ' ' || text[i] == '\t';
        }
        if (alone)
            add(e, s, end - s + (text[end] == '\n'), "");
        else
            add(e, old->span.off, old->span.len + (text[old->span.off + old->span.len] == ';'), "");
        return true;
    }
    const ir_node *n = ir_find_node(fixed, c->node);
    const ir_attr_desc *d = ir_attr_find(ir_node_attrs, ir_node_attr_count, c->attribute);
    if (!n || !d) {
        snprintf(err, errsize, "no attribute %s of layer %s", c->attribute, c->node);
        return false;
    }
    rp_source_value(d, n, v, sizeof v);
    const ir_span *s = &old->attr_span[d->id];
    if (s->line > 0) {
        add(e, s->off, s->len, v);
    } else {
        snprintf(line, sizeof line, ", %s = %s", d->name, v);
        add(e, old->span.off + old->span.len, 0, line);
    }
    return true;
}

char *rp_patch_source(const char *text, const ir_program *base, const ir_program *fixed,
                      const rp_changes *l, char *err, size_t errsize)
{
    edits e = {0};
    bool ok = true, optimizer_done = false;
    const ir_model *bm = ir_train_model(base), *fm = ir_train_model(fixed);
    char v[512], indent[128];
    for (int i = 0; i < l->n && ok; i++) {
        const rp_change *c = &l->items[i];
        if (c->target == SUSPECT_NODE) {
            ok = bm && fm && patch_node(&e, text, bm, fm, l, c, err, errsize);
            continue;
        }
        if (c->target == SUSPECT_TRAIN) {
            const ir_train *bt = &base->train, *ft = &fixed->train;
            const ir_attr_desc *d = ir_attr_find(ir_train_attrs, ir_train_attr_count, c->attribute);
            if (!d || !base->has_train || bt->span.line <= 0) {
                snprintf(err, errsize, "no train attribute %s in the source", c->attribute);
                ok = false;
                break;
            }
            const ir_span *s = &bt->attr_span[d->id];
            bool whole_call = d->id == IR_TATTR_OPTIMIZER || (d->optimizer_param && (s->line <= 0 ||
                              bt->optimizer != ft->optimizer));
            if (whole_call) {
                const ir_span *os = &bt->attr_span[IR_TATTR_OPTIMIZER];
                if (optimizer_done)
                    continue;
                optimizer_done = true;
                rp_format_optimizer(ft, true, v, sizeof v);
                if (os->line <= 0) {
                    snprintf(err, errsize, "the optimizer is not written in the source");
                    ok = false;
                    break;
                }
                add(&e, os->off, os->len, v);
                continue;
            }
            rp_source_value(d, ft, v, sizeof v);
            if (s->line > 0) {
                add(&e, s->off, s->len, v);
            } else {
                block_indent(text, bt->attr_span, IR_TATTR_COUNT, bt->span, indent, sizeof indent);
                add_block_line(&e, text, bt->close, indent, d->name, v);
            }
            continue;
        }
        const ir_dataset *bd = ir_find_dataset(base, c->node), *fd = ir_find_dataset(fixed, c->node);
        const ir_attr_desc *d = ir_attr_find(ir_data_attrs, ir_data_attr_count, c->attribute);
        if (!bd || !fd || !d || bd->span.line <= 0) {
            snprintf(err, errsize, "no dataset attribute %s.%s in the source", c->node, c->attribute);
            ok = false;
            break;
        }
        rp_source_value(d, fd, v, sizeof v);
        const ir_span *s = &bd->attr_span[d->id];
        if (s->line > 0) {
            add(&e, s->off, s->len, v);
        } else {
            block_indent(text, bd->attr_span, IR_DATTR_COUNT, bd->span, indent, sizeof indent);
            add_block_line(&e, text, bd->close, indent, d->name, v);
        }
    }
    char *out = NULL;
    if (ok) {
        if (e.n > 1)   /* qsort of a NULL array, even empty, is undefined */
            qsort(e.items, (size_t)e.n, sizeof *e.items, by_offset_desc);
        size_t len = strlen(text);
        out = ir_strdup(text);
        for (int i = 0; i < e.n; i++) {
            const edit *x = &e.items[i];
            size_t add_len = strlen(x->text);
            char *next = ir_alloc(len - (size_t)x->len + add_len + 1);
            memcpy(next, out, (size_t)x->off);
            memcpy(next + x->off, x->text, add_len);
            memcpy(next + x->off + add_len, out + x->off + x->len, len - (size_t)x->off - (size_t)x->len + 1);
            len = len - (size_t)x->len + add_len;
            free(out);
            out = next;
        }
    }
    for (int i = 0; i < e.n; i++)
        free(e.items[i].text);
    free(e.items);
    return out;
}
