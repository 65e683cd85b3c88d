/* ir_read.c: reading the IR's text form back (see ir_print.c for the format).
 *
 * A small line-oriented reader: each line is one statement, split into tokens
 * by a hand-written scanner (the IR is not .dnn, and one line of lookahead is
 * all it needs).  Attribute values become the same written-value trees
 * (base/text_value.h) the .dnn parser builds and go through the same
 * conversion (ir_attr_set, attr_value.h), so the two front ends accept the
 * same values with the same errors, and the IR is read without the .dnn
 * front end.  Shapes are inferred again and must match the ones printed.
 */
#include "ir_text.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "attr_value.h"
#include "ir_verify.h"
#include "text_value.h"

typedef enum { TK_END, TK_IDENT, TK_LOCAL, TK_GLOBAL, TK_NUMBER, TK_STRING, TK_PUNCT, TK_ARROW } tk_kind;

/* One token of the current line. */
typedef struct token {
    tk_kind kind;        /* what it is */
    const char *start;   /* its text in the file */
    int len;             /* its length */
    ir_span span;        /* where it is */
} token;

/* The reader's state: the file, the current line and its tokens. */
typedef struct reader {
    const char *text;    /* whole file */
    long size;           /* its bytes */
    long line_off;       /* offset of the current line */
    long line_end;       /* offset of its newline (or end of text) */
    int line;            /* current line number */
    long pos;            /* scan position in the line */
    token tok;           /* current token */
    const char *comment; /* start of the line's trailing comment, or NULL */
    arena scratch;       /* where the value trees live */
    /* Where each statement is in the IR text.  Errors found after reading
     * (verification, shapes) must point into the IR, not at the source
     * locations its comments name, so these are swapped in for the check. */
    ir_span *data_lines;   /* per dataset */
    ir_span *function_lines; /* per function */
    ir_span *model_lines;  /* per model */
    ir_span **node_lines;  /* per model, per node */
    ir_shape **printed;    /* per model, per node: the shape written after -> */
    ir_span train_line;    /* the train statement */
    ir_span train_refs[2]; /* stand-ins for the model= and data= spans */
    int n_models_read;     /* models opened so far */
    diag_ctx *diag;      /* where errors go */
    bool bad;            /* the current line has had an error */
} reader;

static bool is_name_char(int c)
{
    return isalnum(c) || c == '_' || c == '.';
}

static void next(reader *r)
{
    const char *t = r->text;
    while (r->pos < r->line_end && (t[r->pos] == ' ' || t[r->pos] == '\t' || t[r->pos] == '\r'))
        r->pos++;
    token *k = &r->tok;
    k->start = t + r->pos;
    k->span = (ir_span){r->line, (int)(r->pos - r->line_off) + 1, (int)r->pos, 1, -1};
    if (r->pos >= r->line_end || t[r->pos] == '#') {
        if (r->pos < r->line_end && !r->comment)
            r->comment = t + r->pos;
        k->kind = TK_END;
        k->len = 0;
        return;
    }
    long p = r->pos;
    char c = t[p];
    if (c == '%' || c == '@') {
        p++;
        while (p < r->line_end && is_name_char((unsigned char)t[p]))
            p++;
        k->kind = c == '%' ? TK_LOCAL : TK_GLOBAL;
    } else if (isalpha((unsigned char)c) || c == '_') {
        while (p < r->line_end && (isalnum((unsigned char)t[p]) || t[p] == '_' || t[p] == '-'))
            p++;
        k->kind = TK_IDENT;
    } else if (isdigit((unsigned char)c) || ((c == '-' || c == '.') && p + 1 < r->line_end &&
                                               (isdigit((unsigned char)t[p + 1]) || t[p + 1] == '.'))) {
        p++;
        while (p < r->line_end && (isalnum((unsigned char)t[p]) || t[p] == '.' ||
                                   ((t[p] == '-' || t[p] == '+') && (t[p - 1] == 'e' || t[p - 1] == 'E'))))
            p++;
        k->kind = TK_NUMBER;
    } else if (c == '"') {
        p++;
        while (p < r->line_end && t[p] != '"')
            p += t[p] == '\\' && p + 1 < r->line_end ? 2 : 1;
        if (p < r->line_end)
            p++;
        k->kind = TK_STRING;
    } else if (c == '-' && p + 1 < r->line_end && t[p + 1] == '>') {
        p += 2;
        k->kind = TK_ARROW;
    } else {
        p++;
        k->kind = TK_PUNCT;
    }
    k->len = (int)(p - r->pos);
    k->span.len = k->len;
    r->pos = p;
}

static bool tok_is(const reader *r, const char *s)
{
    return r->tok.len == (int)strlen(s) && memcmp(r->tok.start, s, (size_t)r->tok.len) == 0 &&
           r->tok.kind != TK_STRING;
}

static void error_at_token(reader *r, const char *expected)
{
    if (!r->bad) {
        if (r->tok.kind == TK_END)
            diag_error(r->diag, r->tok.span, "expected %s at the end of the line", expected);
        else
            diag_error(r->diag, r->tok.span, "expected %s, got '%.*s'", expected,
                       r->tok.len > 40 ? 40 : r->tok.len, r->tok.start);
    }
    r->bad = true;
}

static char *tok_name(reader *r)
{
    return arena_strndup(&r->scratch, r->tok.start + 1, (size_t)(r->tok.len - 1));
}

/* ---- values ---- */

static text_value *parse_value(reader *r, int depth);

static bool parse_args(reader *r, text_args *args, char close, int depth)
{
    next(r);
    while (!(r->tok.kind == TK_PUNCT && r->tok.start[0] == close)) {
        text_arg a = {0};
        a.key_span = r->tok.span;
        ir_span start = r->tok.span;
        const char *save = r->tok.start;
        long save_pos = r->pos;
        token save_tok = r->tok;
        if (r->tok.kind == TK_IDENT) {
            next(r);
            if (tok_is(r, "=")) {
                a.key = arena_strndup(&r->scratch, save, (size_t)save_tok.len);
                next(r);
            } else {
                r->pos = save_pos;
                r->tok = save_tok;
            }
        }
        a.value = parse_value(r, depth + 1);
        if (!a.value)
            return false;
        a.span = source_span_join(start, a.value->span);
        text_args_push(&r->scratch, args, a);
        if (tok_is(r, ","))
            next(r);
        else if (!(r->tok.kind == TK_PUNCT && r->tok.start[0] == close)) {
            error_at_token(r, close == ')' ? "',' or ')'" : "',' or ']'");
            return false;
        }
    }
    next(r);
    return true;
}

/* value := number | string | name ['(' args ')'] | '[' values ']'; leaves the next token current. */
static text_value *parse_value(reader *r, int depth)
{
    token t = r->tok;
    if (depth > 32) {
        error_at_token(r, "a shallower value");
        return NULL;
    }
    text_value *v;
    switch (t.kind) {
    case TK_NUMBER: {
        char buf[64];
        int n = t.len < 63 ? t.len : 63;
        memcpy(buf, t.start, (size_t)n);
        buf[n] = 0;
        char *end;
        errno = 0;
        double x = strtod(buf, &end);
        if (*end || errno == ERANGE || t.len > 63) {
            error_at_token(r, "a number");
            return NULL;
        }
        v = text_value_new(&r->scratch, TEXT_NUMBER, t.span);
        v->number = x;
        v->integer = !strpbrk(buf, ".eE");
        next(r);
        return v;
    }
    case TK_STRING: {
        if (t.len < 2 || t.start[t.len - 1] != '"') {
            error_at_token(r, "a closing '\"'");
            return NULL;
        }
        char *s = arena_alloc(&r->scratch, (size_t)t.len);
        int n = 0;
        for (int i = 1; i < t.len - 1; i++) {
            char c = t.start[i];
            if (c == '\\') {
                c = t.start[++i];
                c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
            }
            s[n++] = c;
        }
        v = text_value_new(&r->scratch, TEXT_STRING, t.span);
        v->text = s;
        next(r);
        return v;
    }
    case TK_IDENT:
    case TK_GLOBAL:
        v = text_value_new(&r->scratch, TEXT_IDENT, t.span);
        v->text = t.kind == TK_GLOBAL ? tok_name(r) : arena_strndup(&r->scratch, t.start, (size_t)t.len);
        next(r);
        if (tok_is(r, "(")) {   /* a call: sgd(...), or a user function's @swish_beta(beta=1.5) */
            v->kind = TEXT_CALL;
            if (!parse_args(r, &v->args, ')', depth))
                return NULL;
        }
        return v;
    case TK_PUNCT:
        if (t.start[0] == '[') {
            v = text_value_new(&r->scratch, TEXT_LIST, t.span);
            if (!parse_args(r, &v->args, ']', depth))
                return NULL;
            return v;
        }
        /* fall through */
    default:
        error_at_token(r, "a value");
        return NULL;
    }
}

/* Collects "key=value" attributes up to "->" or the end of the line. */
static bool collect_attrs(reader *r, text_args *out)
{
    *out = (text_args){0};
    while (r->tok.kind != TK_END && r->tok.kind != TK_ARROW) {
        if (r->tok.kind != TK_IDENT) {
            error_at_token(r, "an attribute name");
            return false;
        }
        text_arg a = {0};
        a.key = arena_strndup(&r->scratch, r->tok.start, (size_t)r->tok.len);
        a.key_span = r->tok.span;
        next(r);
        if (!tok_is(r, "=")) {
            error_at_token(r, "'='");
            return false;
        }
        next(r);
        a.value = parse_value(r, 0);
        if (!a.value)
            return false;
        a.span = source_span_join(a.key_span, a.value->span);
        text_args_push(&r->scratch, out, a);
    }
    return true;
}

/* Sets each collected attribute (but SKIP) on OBJ through the shared conversion. */
static void apply_attrs(reader *r, const text_args *args, const text_arg *skip, const ir_attr_desc *table,
                        int count, void *obj, ir_span *spans, int kind, bool optimizer_params,
                        const char *what)
{
    const text_arg *seen[32] = {0};
    int errors = r->diag->errors;
    for (int i = 0; i < args->n; i++)
        if (&args->items[i] != skip)
            ir_attr_set(table, count, obj, spans, seen, kind, optimizer_params, what, &args->items[i],
                           r->diag);
    r->bad |= r->diag->errors != errors;
    /* Attribute spans in IR text point into the IR; the comment gives the source's. */
    for (int i = 0; i < args->n; i++) {
        const ir_attr_desc *desc = ir_attr_find(table, count, args->items[i].key);
        if (desc)
            spans[desc->id] = (ir_span){0, 0, 0, 0, -1};
    }
}

/* ---- locations in the trailing comment ---- */

static bool parse_loc(const char **s, int *line, int *col)
{
    char *end;
    long l = strtol(*s, &end, 10);
    if (end == *s || *end != ':')
        return false;
    const char *c = end + 1;
    long k = strtol(c, &end, 10);
    if (end == c || l < 1 || k < 1 || l > 1 << 30 || k > 1 << 30)
        return false;
    *line = (int)l;
    *col = (int)k;
    *s = end;
    return true;
}

/* Reads "# L:C }@L:C name@L:C ..." into AT, CLOSE and SPANS (looked up in TABLE). */
static void parse_locations(reader *r, ir_span *at, ir_span *close, const ir_attr_desc *table, int count,
                            ir_span *spans)
{
    if (!r->comment)
        return;
    const char *s = r->comment + 1, *end = r->text + r->line_end;
    while (s < end) {
        while (s < end && *s == ' ')
            s++;
        if (s >= end)
            break;
        const char *word = s;
        while (s < end && *s != ' ')
            s++;
        const char *at_sign = memchr(word, '@', (size_t)(s - word));
        int line, col;
        const char *p = at_sign ? at_sign + 1 : word;
        if (!parse_loc(&p, &line, &col) || p != s)
            goto bad;
        ir_span span = {line, col, 0, 0, -1};
        if (!at_sign) {
            if (at)
                *at = span;
            continue;
        }
        if (at_sign - word == 1 && word[0] == '}' && close) {
            *close = span;
            continue;
        }
        char name[64];
        int n = (int)(at_sign - word);
        if (n <= 0 || n >= (int)sizeof name || !table)
            goto bad;
        memcpy(name, word, (size_t)n);
        name[n] = 0;
        const ir_attr_desc *desc = ir_attr_find(table, count, name);
        if (!desc)
            goto bad;
        spans[desc->id] = span;
    }
    return;
bad:
    diag_error(r->diag, (ir_span){r->line, (int)(r->comment - r->text - r->line_off) + 1, 0, 1, -1},
               "malformed location comment");
    r->bad = true;
}

/* ---- statements ---- */

static void read_function(reader *r, ir_program *p)
{
    next(r);
    if (r->tok.kind != TK_GLOBAL || r->tok.len < 2) {
        error_at_token(r, "a function name such as @softclip");
        return;
    }
    p->functions = ir_realloc(p->functions, sizeof *p->functions * (size_t)(p->n_functions + 1));
    ir_function *f = &p->functions[p->n_functions++];
    memset(f, 0, sizeof *f);
    f->name = ir_strdup(tok_name(r));
    ir_function_defaults(f);
    r->function_lines = ir_realloc(r->function_lines, sizeof *r->function_lines * (size_t)p->n_functions);
    r->function_lines[p->n_functions - 1] = r->tok.span;
    next(r);
    text_args args;
    if (!collect_attrs(r, &args))
        return;
    const text_arg *role = ir_function_role_arg(&args);
    if (role) {
        const text_arg *seen[IR_FATTR_COUNT] = {0};
        ir_attr_set(ir_func_attrs, ir_func_attr_count, f, f->attr_span, seen, 0, false, "functions", role,
                       r->diag);
    }
    apply_attrs(r, &args, role, ir_func_attrs, ir_func_attr_count, f, f->attr_span, (int)f->role, false,
                "functions");
    f->span = (ir_span){0, 0, 0, 0, -1};
    parse_locations(r, &f->span, &f->close, ir_func_attrs, ir_func_attr_count, f->attr_span);
    if (!r->bad && (!f->library || !f->symbol)) {
        diag_error(r->diag, r->function_lines[p->n_functions - 1], "function needs library= and symbol=");
        r->bad = true;
    }
}

static void read_data(reader *r, ir_program *p)
{
    next(r);
    if (r->tok.kind != TK_GLOBAL || r->tok.len < 2) {
        error_at_token(r, "a dataset name such as @fashion");
        return;
    }
    p->datasets = ir_realloc(p->datasets, sizeof *p->datasets * (size_t)(p->n_datasets + 1));
    ir_dataset *d = &p->datasets[p->n_datasets++];
    memset(d, 0, sizeof *d);
    ir_dataset_defaults(d);
    d->name = ir_strdup(tok_name(r));
    d->span = r->tok.span;
    r->data_lines = ir_realloc(r->data_lines, sizeof *r->data_lines * (size_t)p->n_datasets);
    r->data_lines[p->n_datasets - 1] = r->tok.span;
    if (ir_find_dataset(p, d->name) != d) {
        diag_error(r->diag, r->tok.span, "dataset '%s' is defined twice", d->name);
        r->bad = true;
    }
    /* The source decides which attributes apply: find it first. */
    next(r);
    text_args args;
    if (!collect_attrs(r, &args))
        return;
    const text_arg *source = NULL;
    for (int i = 0; i < args.n; i++)
        if (strcmp(args.items[i].key, "source") == 0)
            source = &args.items[i];
    int kind = source && source->value->kind == TEXT_IDENT ? ir_enum_lookup(&ir_src_table, source->value->text)
                                                          : -1;
    if (kind < 0) {
        diag_error(r->diag, source ? source->value->span : d->span, "data needs source= one of idx, csv, "
                   "blobs, circles, moons, spirals, xor, regression");
        r->bad = true;
        return;
    }
    d->source = (ir_src)kind;
    char what[64];
    snprintf(what, sizeof what, "%s data", ir_enum_name(&ir_src_table, kind));
    apply_attrs(r, &args, source, ir_data_attrs, ir_data_attr_count, d, d->attr_span, kind, false, what);
    d->span = (ir_span){0, 0, 0, 0, -1};
    parse_locations(r, &d->span, &d->close, ir_data_attrs, ir_data_attr_count, d->attr_span);
}

/* Reads one layer line into *NP and appends it to M (M copies what NP owns). */
static void read_node_into(reader *r, ir_model *m, ir_node *np)
{
    if (r->tok.kind != TK_LOCAL || r->tok.len < 2) {
        error_at_token(r, "a layer such as %fc1 = dense ... or '}'");
        return;
    }
    ir_span name_span = r->tok.span;
    char *name = tok_name(r);
    next(r);
    if (!tok_is(r, "=")) {
        error_at_token(r, "'='");
        return;
    }
    next(r);
    char op_name[32];
    int op = -1;
    if (r->tok.kind == TK_IDENT && r->tok.len < (int)sizeof op_name) {
        memcpy(op_name, r->tok.start, (size_t)r->tok.len);
        op_name[r->tok.len] = 0;
        op = ir_enum_lookup(&ir_op_table, op_name);
    }
    if (op < 0) {
        error_at_token(r, "a layer kind");
        return;
    }
    ir_node_defaults(np, (ir_op)op);
    for (int k = 0; k < IR_NATTR_COUNT; k++)
        np->attr_span[k].key_off = -1;
    next(r);
    if (m->n_nodes > 0) {
        const char *prev = m->nodes[m->n_nodes - 1].name;
        if (r->tok.kind != TK_LOCAL || r->tok.len - 1 != (int)strlen(prev) ||
            memcmp(r->tok.start + 1, prev, strlen(prev)) != 0) {
            char want[300];
            snprintf(want, sizeof want, "the previous layer %%%s as input (models are sequential)", prev);
            error_at_token(r, want);
            return;
        }
        next(r);
    }
    char what[64];
    snprintf(what, sizeof what, "%s layers", op_name);
    text_args args;
    if (!collect_attrs(r, &args))
        return;
    apply_attrs(r, &args, NULL, ir_node_attrs, ir_node_attr_count, np, np->attr_span, op, false, what);
    if (r->bad)
        return;
    if (r->tok.kind != TK_ARROW) {
        error_at_token(r, "'-> [shape]'");
        return;
    }
    next(r);
    text_value *shape = parse_value(r, 0);
    if (!shape)
        return;
    ir_attr_desc shape_desc = *ir_attr_find(ir_node_attrs, ir_node_attr_count, "shape");
    shape_desc.offset = offsetof(ir_node, out_shape);
    if (!ir_attr_convert(&shape_desc, np, shape, r->diag)) {
        r->bad = true;
        return;
    }
    if (r->tok.kind != TK_END) {
        error_at_token(r, "the end of the line");
        return;
    }
    np->span = (ir_span){0, 0, 0, 0, -1};
    parse_locations(r, &np->span, NULL, ir_node_attrs, ir_node_attr_count, np->attr_span);
    np->name = name;
    if (ir_find_node(m, name)) {
        diag_error(r->diag, name_span, "layer name '%s' is used twice", name);
        r->bad = true;
        return;
    }
    ir_shape printed = np->out_shape;
    ir_model_insert(m, m->n_nodes, np);
    int mi = r->n_models_read - 1;
    r->node_lines[mi] = ir_realloc(r->node_lines[mi], sizeof **r->node_lines * (size_t)m->n_nodes);
    r->node_lines[mi][m->n_nodes - 1] = name_span;
    r->printed[mi] = ir_realloc(r->printed[mi], sizeof **r->printed * (size_t)m->n_nodes);
    r->printed[mi][m->n_nodes - 1] = printed;
}

static void read_node(reader *r, ir_model *m)
{
    ir_node node;
    memset(&node, 0, sizeof node);
    read_node_into(r, m, &node);
    free(node.activation_fn);
    ir_fn_args_clear(&node.activation_args);
}

static void read_train(reader *r, ir_program *p)
{
    if (p->has_train) {
        diag_error(r->diag, r->tok.span, "only one train statement is allowed");
        r->bad = true;
        return;
    }
    p->has_train = true;
    ir_train *t = &p->train;
    for (int k = 0; k < IR_TATTR_COUNT; k++)
        t->attr_span[k].key_off = -1;
    t->span = (ir_span){0, 0, 0, 0, -1};
    r->train_line = r->tok.span;
    next(r);
    text_args args;
    if (!collect_attrs(r, &args))
        return;
    apply_attrs(r, &args, NULL, ir_train_attrs, ir_train_attr_count, t, t->attr_span, (int)t->optimizer,
                false, "train");
    parse_locations(r, &t->span, &t->close, ir_train_attrs, ir_train_attr_count, t->attr_span);
}

static void read_optimizer(reader *r, ir_program *p)
{
    ir_train *t = &p->train;
    if (!p->has_train) {
        diag_error(r->diag, r->tok.span, "optimizer must follow a train statement");
        r->bad = true;
        return;
    }
    ir_span at = r->tok.span;
    next(r);
    char name[32];
    int kind = -1;
    if (r->tok.kind == TK_IDENT && r->tok.len < (int)sizeof name) {
        memcpy(name, r->tok.start, (size_t)r->tok.len);
        name[r->tok.len] = 0;
        kind = ir_enum_lookup(&ir_opt_table, name);
    }
    if (kind < 0) {
        error_at_token(r, "an optimizer name");
        return;
    }
    ir_train_optimizer_defaults(t, (ir_opt)kind);
    t->attr_span[IR_TATTR_OPTIMIZER] = (ir_span){0, 0, 0, 0, -1};
    next(r);
    text_args args;
    if (!collect_attrs(r, &args))
        return;
    apply_attrs(r, &args, NULL, ir_train_attrs, ir_train_attr_count, t, t->attr_span, kind, true, name);
    ir_span ignored = at;
    parse_locations(r, &ignored, NULL, ir_train_attrs, ir_train_attr_count, t->attr_span);
}

static void swap_span(ir_span *a, ir_span *b)
{
    ir_span t = *a;
    *a = *b;
    *b = t;
}

/* Exchanges the source spans of P's statements with their IR lines (both ways). */
static void swap_lines(ir_program *p, reader *r)
{
    for (int i = 0; i < p->n_datasets; i++)
        swap_span(&p->datasets[i].span, &r->data_lines[i]);
    for (int i = 0; i < p->n_functions; i++)
        swap_span(&p->functions[i].span, &r->function_lines[i]);
    for (int i = 0; i < p->n_models; i++) {
        swap_span(&p->models[i].span, &r->model_lines[i]);
        for (int j = 0; j < p->models[i].n_nodes; j++)
            swap_span(&p->models[i].nodes[j].span, &r->node_lines[i][j]);
    }
    if (p->has_train) {
        swap_span(&p->train.span, &r->train_line);
        swap_span(&p->train.attr_span[IR_TATTR_MODEL], &r->train_refs[0]);
        swap_span(&p->train.attr_span[IR_TATTR_DATA], &r->train_refs[1]);
    }
}

/* Verifies P with errors at IR lines, and checks the printed shapes. */
static void verify(ir_program *p, reader *r, diag_ctx *d)
{
    swap_lines(p, r);
    if (ir_verify(p, d))
        for (int i = 0; i < p->n_models; i++)
            for (int j = 0; j < p->models[i].n_nodes; j++) {
                const ir_node *n = &p->models[i].nodes[j];
                const ir_shape *a = &r->printed[i][j], *b = &n->out_shape;
                if (a->rank != b->rank || memcmp(a->dim, b->dim, sizeof(int) * (size_t)a->rank) != 0) {
                    char want[64], got[64];
                    ir_shape_format(b, want, sizeof want);
                    ir_shape_format(a, got, sizeof got);
                    diag_error(d, n->span, "layer '%s' is written with shape %s but its shape is %s", n->name,
                               got, want);
                }
            }
    swap_lines(p, r);
}

/* Moves the reader to line LINE starting at OFF. */
static bool next_line(reader *r)
{
    if (r->line > 0)
        r->line_off = r->line_end + 1;
    if (r->line_off >= r->size)
        return false;
    const char *nl = memchr(r->text + r->line_off, '\n', (size_t)(r->size - r->line_off));
    r->line_end = nl ? nl - r->text : r->size;
    r->line++;
    r->pos = r->line_off;
    r->comment = NULL;
    r->bad = false;
    next(r);
    return true;
}

bool ir_text_is_ir(const char *text, long size)
{
    return size >= 8 && memcmp(text, "dnnc-ir ", 8) == 0;
}

ir_program *ir_read(const char *path, const char *text, long size, diag_ctx *d)
{
    reader r = {0};
    r.text = text;
    r.size = size;
    r.diag = d;
    r.line_end = -1;
    int errors = d->errors;
    ir_program *p = ir_program_new(path);
    ir_model *model = NULL;   /* the model whose block is open */
    if (!next_line(&r) || r.line_end - r.line_off != (long)strlen(IR_TEXT_MAGIC) ||
        memcmp(text, IR_TEXT_MAGIC, strlen(IR_TEXT_MAGIC)) != 0) {
        diag_error(d, (ir_span){1, 1, 0, 1, -1}, "not an IR file of a supported version: expected '%s'",
                   IR_TEXT_MAGIC);
        ir_program_free(p);
        return NULL;
    }
    while (next_line(&r) && d->errors < d->max_errors) {
        if (r.tok.kind == TK_END)
            continue;
        if (model) {
            if (tok_is(&r, "}")) {
                next(&r);
                parse_locations(&r, &model->close, NULL, NULL, 0, NULL);
                model = NULL;
            } else {
                read_node(&r, model);
            }
            continue;
        }
        if (tok_is(&r, "source")) {
            next(&r);
            text_value *v = r.tok.kind == TK_STRING ? parse_value(&r, 0) : NULL;
            if (!v) {
                error_at_token(&r, "a quoted file name");
                continue;
            }
            free(p->source_name);
            p->source_name = ir_strdup(v->text);
        } else if (tok_is(&r, "function")) {
            read_function(&r, p);
        } else if (tok_is(&r, "data")) {
            read_data(&r, p);
        } else if (tok_is(&r, "model")) {
            next(&r);
            if (r.tok.kind != TK_GLOBAL || r.tok.len < 2) {
                error_at_token(&r, "a model name such as @mlp");
                continue;
            }
            char *name = tok_name(&r);
            ir_span at = r.tok.span;
            next(&r);
            if (!tok_is(&r, "{")) {
                error_at_token(&r, "'{'");
                continue;
            }
            if (ir_find_model(p, name)) {
                diag_error(d, at, "model '%s' is defined twice", name);
                continue;
            }
            next(&r);
            p->models = ir_realloc(p->models, sizeof *p->models * (size_t)(p->n_models + 1));
            model = &p->models[p->n_models++];
            memset(model, 0, sizeof *model);
            model->name = ir_strdup(name);
            model->span = (ir_span){0, 0, 0, 0, -1};
            parse_locations(&r, &model->span, NULL, NULL, 0, NULL);
            r.n_models_read++;
            r.model_lines = ir_realloc(r.model_lines, sizeof *r.model_lines * (size_t)r.n_models_read);
            r.model_lines[r.n_models_read - 1] = at;
            r.node_lines = ir_realloc(r.node_lines, sizeof *r.node_lines * (size_t)r.n_models_read);
            r.node_lines[r.n_models_read - 1] = NULL;
            r.printed = ir_realloc(r.printed, sizeof *r.printed * (size_t)r.n_models_read);
            r.printed[r.n_models_read - 1] = NULL;
        } else if (tok_is(&r, "train")) {
            read_train(&r, p);
        } else if (tok_is(&r, "optimizer")) {
            read_optimizer(&r, p);
        } else {
            error_at_token(&r, "a statement (source, function, data, model, train, optimizer)");
        }
    }
    if (model)
        diag_error(d, r.model_lines[r.n_models_read - 1], "model '%s' is not closed with '}'", model->name);
    if (d->errors == errors)
        verify(p, &r, d);
    arena_free(&r.scratch);
    for (int i = 0; i < r.n_models_read; i++) {
        free(r.node_lines[i]);
        free(r.printed[i]);
    }
    free(r.node_lines);
    free(r.printed);
    free(r.model_lines);
    free(r.data_lines);
    free(r.function_lines);
    if (d->errors != errors) {
        ir_program_free(p);
        return NULL;
    }
    return p;
}
