/* testutil.h: helpers shared by the data-loading tests.
 *
 * Checks that count failures instead of stopping at the first, a scratch
 * folder the tests write their files into (removed at exit), writers for
 * plain and gzipped files, and a shortcut to load a dataset expecting either
 * success or an error message containing given words.
 */
#ifndef DNNC_TESTUTIL_H
#define DNNC_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "data.h"

/* Records a failed check (with its location) unless COND holds. */
#define CHECK(cond) tu_check((cond) != 0, __FILE__, __LINE__, #cond)
/* Checks that |A - B| <= TOL. */
#define CHECK_NEAR(a, b, tol) tu_check_near((double)(a), (double)(b), (double)(tol), \
                                            __FILE__, __LINE__, #a, #b)

bool tu_check(bool ok, const char *file, int line, const char *what);
bool tu_check_near(double a, double b, double tol, const char *file, int line,
                   const char *what_a, const char *what_b);

/* Creates the scratch folder; the path of NAME inside it (a static buffer of
 * a small rotating pool, valid for a few calls). */
const char *tu_dir(void);
const char *tu_path(const char *name);

/* Writes LEN bytes to NAME in the scratch folder, plain or gzipped. */
void tu_write(const char *name, const void *bytes, size_t len);
void tu_write_gz(const char *name, const void *bytes, size_t len);
void tu_write_text(const char *name, const char *text);

/* A dataset of SOURCE with the language's defaults, named "t". */
ir_dataset tu_dataset(ir_src source);

/* A program whose folder is the scratch folder (for relative paths). */
ir_program *tu_program(void);

/* Loads D expecting success; records a failure (with the message) if not. */
rt_data *tu_load(const ir_dataset *d, uint64_t seed);
/* Loads D expecting failure with a message that contains each of the
 * NULL-terminated words; records a failure otherwise. */
void tu_load_fails(const ir_dataset *d, ...);
#define LOAD_FAILS(d, ...) tu_load_fails((d), __VA_ARGS__, (const char *)NULL)

/* Prints the summary, removes the scratch folder; the exit status. */
int tu_finish(const char *test);

#endif
