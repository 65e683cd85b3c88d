/* irdiff.c: unified diffs (irdiff.h).
 *
 * Lines are matched by a longest-common-subsequence table after the common
 * prefix and suffix are set aside; what remains between a faulty program and
 * its repair is a few lines, so the table stays small.  (When it would not,
 * above DIFF_TABLE_MAX cells, the middle is shown as all removed and all
 * added: still a correct diff, just not a minimal one.)  Hunks follow GNU
 * diff -u: "@@ -l,n +l,n @@", CONTEXT lines around each change, hunks closer
 * than 2 * CONTEXT lines merged.
 */
#include "irdiff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir_text.h"

#define DIFF_TABLE_MAX 16000000L

/* A text split into lines (pointers into a copy the struct owns). */
typedef struct lines {
    char *buf;      /* the text, newlines replaced by NULs */
    char **line;    /* start of each line */
    int n;          /* number of lines */
} lines;

static lines split(const char *text)
{
    lines l = {0};
    l.buf = ir_strdup(text ? text : "");
    int cap = 16;
    l.line = ir_alloc(sizeof *l.line * (size_t)cap);
    for (char *s = l.buf; *s;) {
        if (l.n == cap) {
            cap *= 2;
            l.line = ir_realloc(l.line, sizeof *l.line * (size_t)cap);
        }
        l.line[l.n++] = s;
        char *nl = strchr(s, '\n');
        if (!nl)
            break;
        *nl = 0;
        s = nl + 1;
    }
    return l;
}

/* One line of the edit script. */
typedef struct op {
    char kind;      /* ' ' kept, '-' removed, '+' added */
    int ai, bi;     /* line index in a (kept/removed) and b (kept/added) */
} op;

/* The edit script turning A into B. */
static op *script(const lines *a, const lines *b, int *n_ops)
{
    int pre = 0, suf = 0;
    while (pre < a->n && pre < b->n && strcmp(a->line[pre], b->line[pre]) == 0)
        pre++;
    while (suf < a->n - pre && suf < b->n - pre &&
           strcmp(a->line[a->n - 1 - suf], b->line[b->n - 1 - suf]) == 0)
        suf++;
    int na = a->n - pre - suf, nb = b->n - pre - suf;
    op *ops = ir_alloc(sizeof *ops * (size_t)(a->n + b->n + 1));
    int k = 0;
    for (int i = 0; i < pre; i++)
        ops[k++] = (op){' ', i, i};
    if ((long)(na + 1) * (nb + 1) <= DIFF_TABLE_MAX) {
        /* len[i][j]: LCS of a[pre+i..] and b[pre+j..]. */
        int *len = ir_alloc(sizeof *len * (size_t)(na + 1) * (size_t)(nb + 1));
#define L(i, j) len[(size_t)(i) * (size_t)(nb + 1) + (size_t)(j)]
        for (int i = na - 1; i >= 0; i--)
            for (int j = nb - 1; j >= 0; j--)
                L(i, j) = strcmp(a->line[pre + i], b->line[pre + j]) == 0 ? L(i + 1, j + 1) + 1
                        : L(i + 1, j) >= L(i, j + 1) ? L(i + 1, j) : L(i, j + 1);
        int i = 0, j = 0;
        while (i < na || j < nb) {
            if (i < na && j < nb && strcmp(a->line[pre + i], b->line[pre + j]) == 0) {
                ops[k++] = (op){' ', pre + i, pre + j};
                i++, j++;
            } else if (j == nb || (i < na && L(i + 1, j) >= L(i, j + 1))) {
                ops[k++] = (op){'-', pre + i, pre + j};
                i++;
            } else {
                ops[k++] = (op){'+', pre + i, pre + j};
                j++;
            }
        }
#undef L
        free(len);
    } else {
        for (int i = 0; i < na; i++)
            ops[k++] = (op){'-', pre + i, pre};
        for (int j = 0; j < nb; j++)
            ops[k++] = (op){'+', pre + na, pre + j};
    }
    for (int i = 0; i < suf; i++)
        ops[k++] = (op){' ', a->n - suf + i, b->n - suf + i};
    *n_ops = k;
    return ops;
}

char *rp_unified_diff(const char *a_text, const char *b_text, const char *name_a, const char *name_b,
                      int context)
{
    lines a = split(a_text), b = split(b_text);
    int n;
    op *ops = script(&a, &b, &n);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    bool header = false;
    for (int i = 0; i < n;) {
        if (ops[i].kind == ' ') {
            i++;
            continue;
        }
        /* A hunk: from CONTEXT lines before this change to CONTEXT lines after
         * the last change that is followed by fewer than 2*CONTEXT kept lines. */
        int start = i - context < 0 ? 0 : i - context;
        while (start < i && ops[start].kind != ' ')
            start++;
        int end = i;
        for (int j = i; j < n; j++) {
            if (ops[j].kind != ' ') {
                end = j;
                continue;
            }
            if (j - end > 2 * context)
                break;
        }
        int stop = end + context + 1 > n ? n : end + context + 1;
        int na = 0, nb = 0;
        for (int j = start; j < stop; j++) {
            na += ops[j].kind != '+';
            nb += ops[j].kind != '-';
        }
        if (!header) {
            fprintf(f, "--- %s\n+++ %s\n", name_a, name_b);
            header = true;
        }
        int la = ops[start].ai + (na ? 1 : 0), lb = ops[start].bi + (nb ? 1 : 0);
        fprintf(f, "@@ -%d,%d +%d,%d @@\n", la, na, lb, nb);
        for (int j = start; j < stop; j++)
            fprintf(f, "%c%s\n", ops[j].kind, ops[j].kind == '+' ? b.line[ops[j].bi] : a.line[ops[j].ai]);
        i = stop;
    }
    fclose(f);
    free(ops);
    free(a.buf);
    free(a.line);
    free(b.buf);
    free(b.line);
    return out;
}

char *rp_ir_text(const ir_program *p)
{
    char *text = ir_print_string(p);
    /* Drop "  # ..." location comments at the end of lines. */
    char *w = text;
    for (char *r = text; *r;) {
        char *nl = strchr(r, '\n');
        size_t n = nl ? (size_t)(nl - r) : strlen(r);
        char *hash = NULL;
        for (char *s = r; s + 2 < r + n; s++)
            if (s[0] == ' ' && s[1] == ' ' && s[2] == '#') {
                hash = s;
                break;
            }
        size_t keep = hash ? (size_t)(hash - r) : n;
        memmove(w, r, keep);
        w += keep;
        if (nl)
            *w++ = '\n';
        r = nl ? nl + 1 : r + n;
    }
    *w = 0;
    return text;
}

char *rp_ir_diff(const ir_program *a, const ir_program *b)
{
    char *ta = rp_ir_text(a), *tb = rp_ir_text(b);
    char na[300], nb[300];
    snprintf(na, sizeof na, "a/%s.ir", a->source_name ? a->source_name : "program");
    snprintf(nb, sizeof nb, "b/%s.ir", b->source_name ? b->source_name : "program");
    char *d = rp_unified_diff(ta, tb, na, nb, 1);
    free(ta);
    free(tb);
    return d;
}
