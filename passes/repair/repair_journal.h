/* repair_journal.h: the repair's journal of finished trainings (--journal, --resume).
 *
 * A repair's decisions depend only on the outcomes of its trainings and on
 * the modelled cost of each (repair.h's deterministic clock), never on the
 * wall clock.  So a journal that records every finished training's outcome
 * lets a later run replay the repair from the start: each training the
 * journal holds is answered from it instead of being trained again, the
 * decisions come out the same, and the repair continues where the journal
 * ends, with the same result as an uninterrupted run.
 *
 * The file is JSON Lines (one json-c object per line): a header naming the
 * format, dnnc's version, the kernel set, and hashes of the faulty program
 * and of its loaded data; then one record per finished training (the
 * candidate program's hash, seed, fidelity, whether the test split was
 * evaluated or the symptom monitor ran, every field of the outcome, its
 * modelled cost); and, when the repair completes, an end record.  Doubles
 * are written with 17 significant digits (and non-finite ones as strings),
 * so a replayed outcome is bit for bit the recorded one.
 *
 * Durability: each record is one write(2) on a file opened with O_APPEND,
 * made as the training finishes (not when its batch does), so a crash or
 * kill -9 of dnnc loses only the trainings in flight; the file is
 * fdatasync'ed at most once a second and when it is closed, so an
 * operating-system crash or power loss loses at most about a second of
 * records.  A last line without its newline, or one that does not parse
 * (a record torn by such a crash), is dropped and cut off the file before
 * it is appended to; a bad line before the last one is an error.
 */
#ifndef DNNC_REPAIR_JOURNAL_H
#define DNNC_REPAIR_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data.h"
#include "ir.h"
#include "pool.h"

/* What a journal must match to be resumed: the header's fields. */
typedef struct rp_journal_id {
    uint64_t program;       /* hash of the faulty program's IR text */
    uint64_t data;          /* hash of its loaded data (every split's inputs and labels) */
    const char *source;     /* the program's path, for messages only */
} rp_journal_id;

typedef struct rp_journal rp_journal;

/* Opens the journal at PATH.  With RESUME, reads its records (refusing a
 * journal of another program, data, dnnc version or kernel set) and appends
 * to it; else creates it, refusing an existing journal of an unfinished
 * repair (one of a finished repair is replaced).  NULL with ERR set on
 * failure. */
rp_journal *rp_journal_open(const char *path, bool resume, const rp_journal_id *id, char *err, size_t errsize);

/* The recorded outcome of JOB into OUT; false when the journal has none. */
bool rp_journal_lookup(rp_journal *j, const rp_job *job, rp_outcome *out);

/* Appends JOB's outcome OUT and its modelled COST (model seconds). */
void rp_journal_record(rp_journal *j, const rp_job *job, const rp_outcome *out, double cost);

/* Marks the repair complete (an end record). */
void rp_journal_finish(rp_journal *j);

/* Trainings read from the file, answered from it, and appended to it. */
long rp_journal_loaded(const rp_journal *j);
long rp_journal_replayed(const rp_journal *j);
long rp_journal_appended(const rp_journal *j);
/* The path it was opened at. */
const char *rp_journal_path(const rp_journal *j);

/* Syncs and closes J (NULL: nothing). */
void rp_journal_close(rp_journal *j);

/* Hash of P's IR text. */
uint64_t rp_journal_hash_program(const ir_program *p);
/* Hash of D's splits (inputs, labels, targets). */
uint64_t rp_journal_hash_data(const rt_data *d);

#endif
