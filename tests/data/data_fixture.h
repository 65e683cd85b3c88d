/* data_fixture.h: fixtures of the data-loading tests: a scratch folder the
 * tests write their files into (removed at exit), writers for plain and
 * gzipped files, and a shortcut to load a dataset expecting either success
 * or an error message containing given words.  Checks are tests/check.h's.
 */
#ifndef DNNC_DATA_FIXTURE_H
#define DNNC_DATA_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "check.h"
#include "data.h"

/* Creates the scratch folder; the path of NAME inside it (a static buffer of
 * a small rotating pool, valid for a few calls). */
const char *dt_dir(void);
const char *dt_path(const char *name);

/* Writes LEN bytes to NAME in the scratch folder, plain or gzipped. */
void dt_write(const char *name, const void *bytes, size_t len);
void dt_write_gz(const char *name, const void *bytes, size_t len);
void dt_write_text(const char *name, const char *text);

/* A dataset of SOURCE with the language's defaults, named "t". */
ir_dataset dt_dataset(ir_src source);

/* A program whose folder is the scratch folder (for relative paths). */
ir_program *dt_program(void);

/* Loads D expecting success; records a failure (with the message) if not. */
rt_data *dt_load(const ir_dataset *d, uint64_t seed);
/* Loads D expecting failure with a message that contains each of the
 * NULL-terminated words; records a failure otherwise. */
void dt_load_fails(const ir_dataset *d, ...);
#define LOAD_FAILS(d, ...) dt_load_fails((d), __VA_ARGS__, (const char *)NULL)

/* Removes the scratch folder, then check_finish(TEST): the exit status. */
int dt_finish(const char *test);

#endif
