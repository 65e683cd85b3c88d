/* diag.h: located diagnostics in GNU style.
 *
 *     model.dnn:14:17: error: unknown activation 'relux'
 *        14 |     fc1: dense 256, activation = relux
 *           |                                  ^~~~~
 *
 * Every phase reports into one diag_ctx; nothing is printed until the phase
 * ends, so all errors of a phase are reported, in source order of reporting,
 * and --json can turn the same list into objects.
 */
#ifndef DNNC_DIAG_H
#define DNNC_DIAG_H

#include <stdbool.h>
#include <stdio.h>

#include "span.h"

typedef enum { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } diag_severity;

/* One reported message. */
typedef struct diag_item {
    diag_severity severity;  /* error, warning or note */
    int line, col;           /* 1-based; line 0 = no location */
    int len;                 /* bytes to underline (>= 1) */
    char *message;           /* the text, without location or severity */
} diag_item;

/* The messages of one file. */
typedef struct diag_ctx {
    const char *file;        /* file name printed in front of each message */
    const char *text;        /* its contents, for source lines under messages */
    long size;               /* bytes of text */
    diag_item *items;        /* messages in report order */
    int n_items, cap_items;  /* count and capacity */
    int errors, warnings;    /* counts by severity */
    int max_errors;          /* stop recording after this many errors */
    bool truncated;          /* some errors were dropped past max_errors */
} diag_ctx;

void diag_init(diag_ctx *d, const char *file, const char *text, long size);
void diag_free(diag_ctx *d);

/* Reports a message at SPAN (line 0: the file as a whole). */
void diag_report(diag_ctx *d, diag_severity sev, source_span span, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define diag_error(d, ...) diag_report((d), DIAG_ERROR, __VA_ARGS__)
#define diag_warning(d, ...) diag_report((d), DIAG_WARNING, __VA_ARGS__)
#define diag_note(d, ...) diag_report((d), DIAG_NOTE, __VA_ARGS__)

/* Prints every message with its source line and caret. */
void diag_print(const diag_ctx *d, FILE *out);
/* Prints the list as a JSON array of {file, line, column, severity, message}. */
void diag_print_json(const diag_ctx *d, FILE *out);
/* Writes the source line LINE of D's text, clipped around COL, and a caret. */
void diag_print_source_line(const diag_ctx *d, FILE *out, int line, int col, int len);

#endif
