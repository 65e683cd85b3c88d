/* repair_journal.c: the journal of finished trainings (repair_journal.h).
 *
 * Records are keyed by what determines a training's outcome: the candidate
 * program (a 64-bit FNV-1a hash of its IR text, and the text's length), the
 * seed, the fidelity, and whether the test split is evaluated and the
 * symptom monitor runs.  The data is the same for every record of a journal
 * (the header's hash); a candidate that loads data of its own loads it from
 * its own IR's dataset attributes, which its hash covers.  Lookups scan the
 * records loaded from the file, newest last, through a small open-addressing
 * table of their keys.
 */
#include "repair_journal.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "ir_text.h"
#include "kernels.h"
#include "progress.h"

#define JOURNAL_FORMAT 1     /* the header's "dnnc_journal" */
#define SYNC_EVERY 1.0       /* seconds between fdatasync calls at most */

/* What identifies one training. */
typedef struct jkey {
    uint64_t program;       /* hash of the candidate's IR text */
    long length;            /* the text's length (a second check on the hash) */
    long seed;              /* training seed */
    double fraction;        /* fidelity: share of the full training */
    bool test;              /* the test split was evaluated */
    bool monitor;           /* the symptom monitor ran */
} jkey;

/* One recorded training. */
typedef struct jrecord {
    jkey key;               /* what was trained */
    rp_outcome out;         /* what it gave */
} jrecord;

struct rp_journal {
    char *path;             /* where it is */
    int fd;                 /* open for appending */
    jrecord *records;       /* loaded from the file, in order */
    long n, cap;            /* their count and capacity */
    long *table;            /* open addressing: record index + 1, 0 empty */
    long table_size;        /* a power of two, at least twice n */
    long replayed;          /* lookups answered */
    long appended;          /* records written by this run */
    double last_sync;       /* rt_now() of the last fdatasync */
    bool dirty;             /* written since the last sync */
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

#define FNV_BASIS 14695981039346656037ULL

uint64_t rp_journal_hash_program(const ir_program *p)
{
    char *text = ir_print_string(p);
    uint64_t h = fnv(FNV_BASIS, text, strlen(text));
    free(text);
    return h;
}

/* Word-at-a-time over the big arrays (FNV-style mixing of 64-bit words):
 * a dataset of tens of megabytes hashes in milliseconds. */
static uint64_t mix_words(uint64_t h, const void *p, size_t bytes)
{
    const unsigned char *b = p;
    size_t i = 0;
    for (; i + 8 <= bytes; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        h = (h ^ w) * 1099511628211ULL;
        h ^= h >> 29;
    }
    return fnv(h, b + i, bytes - i);
}

static uint64_t hash_split(uint64_t h, const rt_split *s, const rt_data *d)
{
    h = fnv(h, &s->n, sizeof s->n);
    if (s->x)
        h = mix_words(h, s->x, sizeof *s->x * (size_t)s->n * (size_t)d->in_size);
    if (s->label)
        h = mix_words(h, s->label, sizeof *s->label * (size_t)s->n);
    if (s->target)
        h = mix_words(h, s->target, sizeof *s->target * (size_t)s->n * (size_t)d->target_size);
    return h;
}

uint64_t rp_journal_hash_data(const rt_data *d)
{
    uint64_t h = FNV_BASIS;
    h = fnv(h, &d->in_size, sizeof d->in_size);
    h = fnv(h, &d->classes, sizeof d->classes);
    h = hash_split(h, &d->train, d);
    h = hash_split(h, &d->val, d);
    return hash_split(h, &d->test, d);
}

static jkey key_of(const rp_job *job)
{
    char *text = ir_print_string(job->prog);
    size_t len = strlen(text);
    jkey k = {fnv(FNV_BASIS, text, len), (long)len, job->seed, job->fraction, job->test, job->monitor};
    free(text);
    return k;
}

static bool same_key(const jkey *a, const jkey *b)
{
    return a->program == b->program && a->length == b->length && a->seed == b->seed && a->fraction == b->fraction &&
           a->test == b->test && a->monitor == b->monitor;
}

static uint64_t key_hash(const jkey *k)
{
    uint64_t h = fnv(FNV_BASIS, &k->program, sizeof k->program);
    h = fnv(h, &k->seed, sizeof k->seed);
    h = fnv(h, &k->fraction, sizeof k->fraction);
    unsigned char flags = (unsigned char)(k->test | k->monitor << 1);
    return fnv(h, &flags, 1);
}

static void table_insert(rp_journal *j, long index)
{
    long mask = j->table_size - 1;
    for (long at = (long)(key_hash(&j->records[index].key) & (uint64_t)mask);; at = (at + 1) & mask)
        if (!j->table[at]) {
            j->table[at] = index + 1;
            return;
        } else if (same_key(&j->records[j->table[at] - 1].key, &j->records[index].key)) {
            return;   /* the first record of a key answers for it */
        }
}

static void add_record(rp_journal *j, const jrecord *r)
{
    if (j->n == j->cap) {
        j->cap = j->cap ? 2 * j->cap : 256;
        j->records = ir_realloc(j->records, sizeof *j->records * (size_t)j->cap);
    }
    j->records[j->n++] = *r;
    if (2 * j->n > j->table_size) {
        j->table_size = j->table_size ? 2 * j->table_size : 1024;
        free(j->table);
        j->table = ir_alloc(sizeof *j->table * (size_t)j->table_size);
        memset(j->table, 0, sizeof *j->table * (size_t)j->table_size);
        for (long i = 0; i < j->n; i++)
            table_insert(j, i);
    } else {
        table_insert(j, j->n - 1);
    }
}

/* ---- numbers, exactly ---- */

static json_object *exact(double v)
{
    if (isnan(v))
        return json_object_new_string("nan");
    if (isinf(v))
        return json_object_new_string(v > 0 ? "inf" : "-inf");
    char text[40];
    snprintf(text, sizeof text, "%.17g", v);
    return json_object_new_double_s(v, text);
}

static bool read_exact(json_object *o, double *v)
{
    if (o && json_object_is_type(o, json_type_string)) {
        const char *s = json_object_get_string(o);
        if (!strcmp(s, "nan"))
            *v = NAN;
        else if (!strcmp(s, "inf"))
            *v = INFINITY;
        else if (!strcmp(s, "-inf"))
            *v = -INFINITY;
        else
            return false;
        return true;
    }
    if (!o || !(json_object_is_type(o, json_type_double) || json_object_is_type(o, json_type_int)))
        return false;
    *v = json_object_get_double(o);
    return true;
}

static json_object *hex64(uint64_t v)
{
    char text[24];
    snprintf(text, sizeof text, "%016llx", (unsigned long long)v);
    return json_object_new_string(text);
}

static bool read_hex64(json_object *o, uint64_t *v)
{
    if (!o || !json_object_is_type(o, json_type_string))
        return false;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(json_object_get_string(o), &end, 16);
    if (errno || *end || end == json_object_get_string(o))
        return false;
    *v = x;
    return true;
}

static bool read_long(json_object *o, long *v)
{
    if (!o || !json_object_is_type(o, json_type_int))
        return false;
    *v = (long)json_object_get_int64(o);
    return true;
}

static bool read_bool(json_object *o, bool *v)
{
    if (!o || !json_object_is_type(o, json_type_boolean))
        return false;
    *v = json_object_get_boolean(o);
    return true;
}

static json_object *field(json_object *o, const char *name)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, name, &v) ? v : NULL;
}

/* ---- records ---- */

/* The outcome's fields, as an X-macro: (kind, name). */
#define OUTCOME_FIELDS(B, D, L, I) \
    B(ok) B(diverged) B(classification) B(user_objective) B(higher_better) \
    D(val_metric) D(val_loss) D(test_metric) D(test_loss) D(seconds) \
    I(epochs) L(batches) L(samples) L(planned) I(symptoms)

static char *record_line(const jkey *k, const rp_outcome *o, double cost)
{
    json_object *r = json_object_new_object();
    json_object_object_add(r, "candidate", hex64(k->program));
    json_object_object_add(r, "ir_length", json_object_new_int64(k->length));
    json_object_object_add(r, "seed", json_object_new_int64(k->seed));
    json_object_object_add(r, "fidelity", exact(k->fraction));
    json_object_object_add(r, "test", json_object_new_boolean(k->test));
    json_object_object_add(r, "monitor", json_object_new_boolean(k->monitor));
#define PUT_B(name) json_object_object_add(r, #name, json_object_new_boolean(o->name));
#define PUT_D(name) json_object_object_add(r, #name, exact(o->name));
#define PUT_L(name) json_object_object_add(r, #name, json_object_new_int64(o->name));
    OUTCOME_FIELDS(PUT_B, PUT_D, PUT_L, PUT_L)
    json_object_object_add(r, "error", json_object_new_string(o->err));
    json_object_object_add(r, "cost", exact(cost));
    const char *text = json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    size_t len = strlen(text);
    char *line = ir_alloc(len + 2);
    memcpy(line, text, len);
    line[len] = '\n';
    line[len + 1] = 0;
    json_object_put(r);
    return line;
}

static bool parse_record(json_object *r, jrecord *out)
{
    memset(out, 0, sizeof *out);
    rp_outcome *o = &out->out;
    jkey *k = &out->key;
    long symptoms = 0, epochs = 0;
    if (!read_hex64(field(r, "candidate"), &k->program) || !read_long(field(r, "ir_length"), &k->length) ||
        !read_long(field(r, "seed"), &k->seed) || !read_exact(field(r, "fidelity"), &k->fraction) ||
        !read_bool(field(r, "test"), &k->test) || !read_bool(field(r, "monitor"), &k->monitor))
        return false;
#define GET_B(name) if (!read_bool(field(r, #name), &o->name)) return false;
#define GET_D(name) if (!read_exact(field(r, #name), &o->name)) return false;
#define GET_L(name) if (!read_long(field(r, #name), &o->name)) return false;
#define GET_I(name) if (!read_long(field(r, #name), &name)) return false;
    OUTCOME_FIELDS(GET_B, GET_D, GET_L, GET_I)
    o->epochs = (int)epochs;
    o->symptoms = (unsigned)symptoms;
    json_object *e = field(r, "error");
    if (!e || !json_object_is_type(e, json_type_string))
        return false;
    snprintf(o->err, sizeof o->err, "%s", json_object_get_string(e));
    return true;
}

static char *header_line(const rp_journal_id *id)
{
    json_object *h = json_object_new_object();
    json_object_object_add(h, "dnnc_journal", json_object_new_int(JOURNAL_FORMAT));
    json_object_object_add(h, "version", json_object_new_string(PACKAGE_VERSION));
    json_object_object_add(h, "kernels", json_object_new_string(rt_kernels_name()));
    json_object_object_add(h, "program", hex64(id->program));
    json_object_object_add(h, "data", hex64(id->data));
    json_object_object_add(h, "source", json_object_new_string(id->source ? id->source : ""));
    const char *text = json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    char *line = ir_alloc(strlen(text) + 2);
    sprintf(line, "%s\n", text);
    json_object_put(h);
    return line;
}

/* Checks the header H against ID; false with ERR saying what differs. */
static bool header_matches(const char *path, json_object *h, const rp_journal_id *id, char *err, size_t errsize)
{
    long format = 0;
    uint64_t program = 0, data = 0;
    json_object *version = field(h, "version"), *kernels = field(h, "kernels"), *source = field(h, "source");
    if (!read_long(field(h, "dnnc_journal"), &format) || !version || !kernels ||
        !read_hex64(field(h, "program"), &program) || !read_hex64(field(h, "data"), &data)) {
        snprintf(err, errsize, "%s:1:1: error: not a dnnc repair journal (its first line is no journal header)",
                 path);
        return false;
    }
    const char *from = source ? json_object_get_string(source) : "?";
    if (format != JOURNAL_FORMAT || strcmp(json_object_get_string(version), PACKAGE_VERSION)) {
        snprintf(err, errsize, "%s:1:1: error: the journal was written by dnnc %s (format %ld); this is dnnc %s "
                 "(format %d): its trainings may not train alike here; start a new journal",
                 path, json_object_get_string(version), format, PACKAGE_VERSION, JOURNAL_FORMAT);
        return false;
    }
    if (strcmp(json_object_get_string(kernels), rt_kernels_name())) {
        snprintf(err, errsize, "%s:1:1: error: the journal's trainings ran with the %s kernels, this run uses %s "
                 "(DNNC_KERNELS=%s resumes it)",
                 path, json_object_get_string(kernels), rt_kernels_name(), json_object_get_string(kernels));
        return false;
    }
    if (program != id->program) {
        snprintf(err, errsize, "%s:1:1: error: the journal is of another program (%s, not %s as it is now)", path,
                 from, id->source ? id->source : "?");
        return false;
    }
    if (data != id->data) {
        snprintf(err, errsize, "%s:1:1: error: the journal is of the same program on other data: its dataset "
                 "loads differently now", path);
        return false;
    }
    return true;
}

/* Reads the journal at PATH into J: header, records, end mark.  Sets
 * *GOOD_END to the offset after the last whole line kept.  Returns false
 * with ERR on a journal that cannot be used. */
static bool load(rp_journal *j, FILE *f, const rp_journal_id *id, bool *finished, off_t *good_end, char *err,
                 size_t errsize)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    off_t offset = 0;
    bool ok = true;
    *finished = false;
    *good_end = 0;
    while (ok && (len = getline(&line, &cap, f)) > 0) {
        lineno++;
        bool whole = line[len - 1] == '\n';
        enum json_tokener_error jerr;
        json_object *o = json_tokener_parse_verbose(line, &jerr);
        int c = getc(f);
        bool last = c == EOF;
        if (!last)
            ungetc(c, f);
        if (!whole || !o || !json_object_is_type(o, json_type_object)) {
            json_object_put(o);
            if (last && lineno > 1) {
                fprintf(stderr, "dnnc: repair: %s:%ld: a torn last record (%s) was dropped\n", j->path, lineno,
                        whole ? "does not parse" : "no newline");
                break;
            }
            snprintf(err, errsize, "%s:%ld:1: error: %s", j->path, lineno,
                     lineno == 1 ? "not a dnnc repair journal (its first line is no journal header)"
                                 : "corrupt journal record (not a JSON object)");
            ok = false;
            break;
        }
        if (lineno == 1) {
            ok = header_matches(j->path, o, id, err, errsize);
        } else if (field(o, "end")) {
            *finished = true;
        } else {
            jrecord r;
            if (parse_record(o, &r)) {
                add_record(j, &r);
            } else {
                snprintf(err, errsize, "%s:%ld:1: error: corrupt journal record (a field is missing or mistyped)",
                         j->path, lineno);
                ok = false;
            }
        }
        json_object_put(o);
        offset += len;
        *good_end = offset;
    }
    free(line);
    if (ok && lineno == 0) {
        snprintf(err, errsize, "%s:1:1: error: the journal is empty", j->path);
        ok = false;
    }
    return ok;
}

static bool write_all(int fd, const char *text)
{
    size_t len = strlen(text), done = 0;
    while (done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        done += (size_t)w;
    }
    return true;
}

rp_journal *rp_journal_open(const char *path, bool resume, const rp_journal_id *id, char *err, size_t errsize)
{
    rp_journal *j = ir_alloc(sizeof *j);
    memset(j, 0, sizeof *j);
    j->path = ir_strdup(path);
    j->fd = -1;
    j->last_sync = rt_now();
    FILE *f = fopen(path, "r");
    if (!f && (resume || errno != ENOENT)) {
        snprintf(err, errsize, "cannot read the journal '%s': %s", path, strerror(errno));
        rp_journal_close(j);
        return NULL;
    }
    bool fresh = true;
    if (f) {
        bool finished = false;
        off_t good_end = 0;
        bool ok = load(j, f, id, &finished, &good_end, err, errsize);
        fclose(f);
        if (!resume && ok && !finished) {
            snprintf(err, errsize, "the journal '%s' is of a repair that did not finish: continue it with "
                     "--resume %s, or remove it", path, path);
            ok = false;
        } else if (!resume && !ok) {
            char why[400];
            snprintf(why, sizeof why, "%s", err);
            snprintf(err, errsize, "'%s' exists and is not the journal of a finished repair of this program (%s); "
                     "remove it or choose another --journal", path, why);
        }
        if (!ok) {
            rp_journal_close(j);
            return NULL;
        }
        if (resume) {
            fresh = false;
            /* A torn last record is cut off before anything is appended. */
            if (truncate(path, good_end) < 0) {
                snprintf(err, errsize, "cannot write the journal '%s': %s", path, strerror(errno));
                rp_journal_close(j);
                return NULL;
            }
        } else {
            j->n = 0;   /* a finished repair's journal is replaced */
            free(j->table);
            j->table = NULL;
            j->table_size = 0;
        }
    }
    j->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | (fresh ? O_TRUNC : 0) | O_CLOEXEC, 0644);
    if (j->fd < 0) {
        snprintf(err, errsize, "cannot write the journal '%s': %s", path, strerror(errno));
        rp_journal_close(j);
        return NULL;
    }
    if (fresh) {
        char *h = header_line(id);
        bool ok = write_all(j->fd, h);
        free(h);
        if (!ok || fdatasync(j->fd) < 0) {
            snprintf(err, errsize, "cannot write the journal '%s': %s", path, strerror(errno));
            rp_journal_close(j);
            return NULL;
        }
    }
    return j;
}

bool rp_journal_lookup(rp_journal *j, const rp_job *job, rp_outcome *out)
{
    if (!j || j->n == 0)
        return false;
    jkey k = key_of(job);
    long mask = j->table_size - 1;
    for (long at = (long)(key_hash(&k) & (uint64_t)mask); j->table[at]; at = (at + 1) & mask)
        if (same_key(&j->records[j->table[at] - 1].key, &k)) {
            *out = j->records[j->table[at] - 1].out;
            j->replayed++;
            return true;
        }
    return false;
}

static void sync_if_due(rp_journal *j, bool now)
{
    if (!j->dirty)
        return;
    double t = rt_now();
    if (now || t - j->last_sync >= SYNC_EVERY) {
        fdatasync(j->fd);
        j->last_sync = t;
        j->dirty = false;
    }
}

void rp_journal_record(rp_journal *j, const rp_job *job, const rp_outcome *out, double cost)
{
    if (!j || j->fd < 0)
        return;
    jkey k = key_of(job);
    char *line = record_line(&k, out, cost);
    if (!write_all(j->fd, line)) {
        fprintf(stderr, "dnnc: repair: cannot write the journal '%s' (%s): journalling stops\n", j->path,
                strerror(errno));
        close(j->fd);
        j->fd = -1;
    } else {
        j->appended++;
        j->dirty = true;
        sync_if_due(j, false);
    }
    free(line);
}

void rp_journal_finish(rp_journal *j)
{
    if (!j || j->fd < 0)
        return;
    if (write_all(j->fd, "{\"end\":true}\n"))
        j->dirty = true;
}

long rp_journal_loaded(const rp_journal *j)
{
    return j ? j->n : 0;
}

long rp_journal_replayed(const rp_journal *j)
{
    return j ? j->replayed : 0;
}

long rp_journal_appended(const rp_journal *j)
{
    return j ? j->appended : 0;
}

const char *rp_journal_path(const rp_journal *j)
{
    return j ? j->path : NULL;
}

void rp_journal_close(rp_journal *j)
{
    if (!j)
        return;
    if (j->fd >= 0) {
        sync_if_due(j, true);
        close(j->fd);
    }
    free(j->records);
    free(j->table);
    free(j->path);
    free(j);
}
