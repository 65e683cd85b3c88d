/* diag.c: recording and printing located diagnostics.
 *
 * Source lines are clipped to a window around the column, so a 100 MB line
 * prints a readable excerpt instead of the whole line; control bytes are shown
 * as '?' so binary input cannot garble the terminal.
 */
#include "diag.h"

#include "alloc.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define DIAG_WINDOW 120   /* bytes of a long source line shown around the caret */

void diag_init(diag_ctx *d, const char *file, const char *text, long size)
{
    memset(d, 0, sizeof *d);
    d->file = file;
    d->text = text;
    d->size = size;
    d->max_errors = 50;
}

void diag_free(diag_ctx *d)
{
    for (int i = 0; i < d->n_items; i++)
        free(d->items[i].message);
    free(d->items);
    d->items = NULL;
    d->n_items = d->cap_items = 0;
}

void diag_report(diag_ctx *d, diag_severity sev, source_span span, const char *fmt, ...)
{
    if (sev == DIAG_ERROR && d->errors >= d->max_errors) {
        d->truncated = true;
        d->errors++;
        return;
    }
    /* A note belongs to the message before it: drop it with that message. */
    if (sev == DIAG_NOTE && d->truncated)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = ir_alloc((size_t)(n > 0 ? n : 0) + 1);
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)n + 1, fmt, ap);
    va_end(ap);
    if (d->n_items == d->cap_items) {
        d->cap_items = d->cap_items ? 2 * d->cap_items : 16;
        d->items = ir_realloc(d->items, sizeof *d->items * (size_t)d->cap_items);
    }
    d->items[d->n_items++] = (diag_item){sev, span.line, span.col, span.len > 0 ? span.len : 1, msg};
    if (sev == DIAG_ERROR)
        d->errors++;
    else if (sev == DIAG_WARNING)
        d->warnings++;
}

static const char *severity_name(diag_severity s)
{
    return s == DIAG_ERROR ? "error" : s == DIAG_WARNING ? "warning" : "note";
}

/* Finds the start of line LINE (1-based) in the text; -1 if absent. */
static long line_start(const diag_ctx *d, int line)
{
    if (!d->text || line < 1)
        return -1;
    long off = 0;
    for (int l = 1; l < line; l++) {
        const char *nl = memchr(d->text + off, '\n', (size_t)(d->size - off));
        if (!nl)
            return -1;
        off = nl - d->text + 1;
    }
    return off;
}

void diag_print_source_line(const diag_ctx *d, FILE *out, int line, int col, int len)
{
    long start = line_start(d, line);
    if (start < 0)
        return;
    const char *nl = memchr(d->text + start, '\n', (size_t)(d->size - start));
    long end = nl ? nl - d->text : d->size;
    long line_len = end - start;
    long c = col > 0 ? col - 1 : 0;
    if (c > line_len)
        c = line_len;
    /* Clip to a window around the column. */
    long from = 0, to = line_len;
    if (line_len > DIAG_WINDOW) {
        from = c > DIAG_WINDOW / 2 ? c - DIAG_WINDOW / 2 : 0;
        to = from + DIAG_WINDOW < line_len ? from + DIAG_WINDOW : line_len;
    }
    fprintf(out, "%5d | %s", line, from > 0 ? "..." : "");
    for (long i = from; i < to; i++) {
        unsigned char ch = (unsigned char)d->text[start + i];
        fputc(ch == '\t' || (ch >= 32 && ch < 127) || ch >= 128 ? ch : '?', out);
    }
    fprintf(out, "%s\n      | %s", to < line_len ? "..." : "", from > 0 ? "   " : "");
    for (long i = from; i < c; i++)
        fputc(d->text[start + i] == '\t' ? '\t' : ' ', out);
    fputc('^', out);
    for (long i = 1; i < len && c + i < to; i++)
        fputc('~', out);
    fputc('\n', out);
}

void diag_print(const diag_ctx *d, FILE *out)
{
    for (int i = 0; i < d->n_items; i++) {
        const diag_item *it = &d->items[i];
        if (it->line > 0)
            fprintf(out, "%s:%d:%d: %s: %s\n", d->file, it->line, it->col,
                    severity_name(it->severity), it->message);
        else
            fprintf(out, "%s: %s: %s\n", d->file, severity_name(it->severity), it->message);
        if (it->line > 0)
            diag_print_source_line(d, out, it->line, it->col, it->len);
    }
    if (d->truncated)
        fprintf(out, "%s: error: too many errors (%d); stopped reporting after %d\n",
                d->file, d->errors, d->max_errors);
}

void diag_print_json(const diag_ctx *d, FILE *out)
{
    json_object *arr = json_object_new_array();
    for (int i = 0; i < d->n_items; i++) {
        const diag_item *it = &d->items[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "file", json_object_new_string(d->file));
        json_object_object_add(o, "line", json_object_new_int(it->line));
        json_object_object_add(o, "column", json_object_new_int(it->col));
        json_object_object_add(o, "severity", json_object_new_string(severity_name(it->severity)));
        json_object_object_add(o, "message", json_object_new_string(it->message));
        json_object_array_add(arr, o);
    }
    fprintf(out, "%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(arr);
}
