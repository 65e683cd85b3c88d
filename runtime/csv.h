/* csv.h: numeric CSV files with one label column.
 *
 * A file holds one sample per row: numeric feature columns and one label
 * column, chosen by name (needs a header row) or by index (0-based, -1 =
 * last).  Fields are separated by commas and may be double-quoted (with ""
 * for a quote inside, and commas or newlines inside quotes); spaces around
 * fields, blank lines, a UTF-8 byte-order mark and CRLF line ends are
 * accepted.  A .gz file is read through zlib.
 *
 * Labels: with task = auto the label column is classification when any label
 * is not a number, or when every label is an integer and there are at most
 * RT_CSV_AUTO_CLASSES distinct values and at most half as many distinct values
 * as rows; otherwise regression.  Classes are numbered in sorted order: by
 * numeric value when every label is a number (so labels 0..k-1 keep their
 * values), else by byte order of the text.  This keeps the numbering the same
 * whatever the order of the rows.
 */
#ifndef DNNC_CSV_H
#define DNNC_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "data.h"

#define RT_CSV_MAX_BYTES (1L << 30)  /* largest file (after gunzip) read */
#define RT_CSV_MAX_CLASSES 1000      /* most classes a label column may hold */
#define RT_CSV_AUTO_CLASSES 50       /* task = auto: most integer classes */

/* Loads the CSV file at PATH as D says (header, label or label_index, task)
 * into DATA->train, and sets shape ([features]), in_size, classes (0 for
 * regression), target_size and class_names.  On failure returns false with
 * "PATH:LINE: what was found and what was expected" in ERR. */
bool rt_csv_load(const char *path, const ir_dataset *d, rt_data *data,
                 char *err, size_t errsize);

#endif
