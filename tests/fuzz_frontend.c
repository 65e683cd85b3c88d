/* fuzz_frontend.c: the front end survives broken input (run by make check).
 *
 * Takes every example and golden program as a seed and feeds the parser,
 * the lowering and the IR reader thousands of damaged variants: truncated at
 * many points, lines deleted or duplicated, words swapped, random bytes
 * written.  For each variant it checks the contract of the front end:
 *   - it returns, within the time limit, without a sanitizer report;
 *   - a rejected program has at least one located error (line >= 1);
 *   - an accepted program has no errors, and its IR reads back and prints
 *     to the same bytes (the round trip holds for every valid program).
 * Then the extreme inputs: empty, binary garbage, a 100 MB line, deep
 * nesting, enormous numbers.  Deterministic: a fixed-seed generator.
 */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "diag.h"
#include "ir_text.h"
#include "source.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static int cases;   /* inputs run through the front end */

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void report(const char *what, const char *text, long size)
{
    check_record(false, __FILE__, __LINE__, what, " %s on input of %ld bytes (on stderr)", what, size);
    fwrite(text, 1, (size_t)(size > 2000 ? 2000 : size), stderr);
    fputc('\n', stderr);
}

/* Runs one input through the front end and checks the contract. */
static void check(const char *text, long size)
{
    cases++;
    /* The front end expects a NUL-terminated buffer, as the driver gives it. */
    char *buf = malloc((size_t)size + 1);
    memcpy(buf, text, (size_t)size);
    buf[size] = 0;
    diag_ctx d;
    diag_init(&d, "fuzz", buf, size);
    ir_program *p = dnnc_compile("fuzz.dnn", buf, size, &d);
    if (!p) {
        bool located = false;
        for (int i = 0; i < d.n_items; i++)
            located |= d.items[i].severity == DIAG_ERROR && d.items[i].line >= 1;
        if (!located)
            report("rejected without a located error", buf, size);
        /* Printing must not fail either (source-line excerpts of any text). */
        FILE *null = fopen("/dev/null", "w");
        diag_print(&d, null);
        fclose(null);
    } else {
        if (d.errors)
            report("accepted with errors", buf, size);
        char *ir = ir_print_string(p);
        diag_ctx d2;
        diag_init(&d2, "fuzz.ir", ir, (long)strlen(ir));
        ir_program *q = ir_read("fuzz.ir", ir, (long)strlen(ir), &d2);
        if (!q) {
            diag_print(&d2, stderr);
            report("IR of an accepted program does not read back", ir, (long)strlen(ir));
        } else {
            char *again = ir_print_string(q);
            if (strcmp(ir, again) != 0)
                report("IR round trip differs", ir, (long)strlen(ir));
            free(again);
            ir_program_free(q);
        }
        diag_free(&d2);
        free(ir);
        ir_program_free(p);
    }
    diag_free(&d);
    free(buf);
}

static char *read_all(const char *path, long *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)*size + 1);
    if (fread(buf, 1, (size_t)*size, f) != (size_t)*size)
        *size = 0;
    buf[*size] = 0;
    fclose(f);
    return buf;
}

/* Offsets of line starts in TEXT; returns their count. */
static int line_starts(const char *text, long size, long *starts, int max)
{
    int n = 0;
    starts[n++] = 0;
    for (long i = 0; i < size && n < max; i++)
        if (text[i] == '\n')
            starts[n++] = i + 1;
    return n;
}

static void mutate_and_check(const char *text, long size)
{
    char *work = malloc((size_t)size * 2 + 64);
    /* Truncations at up to 80 points. */
    long step = size / 80 + 1;
    for (long cut = 0; cut <= size; cut += step)
        check(text, cut);
    /* Deleted and duplicated lines. */
    long starts[4096];
    int lines = line_starts(text, size, starts, 4096);
    for (int k = 0; k < 60 && lines > 1; k++) {
        int l = (int)(rnd() % (uint64_t)(lines - 1));
        long a = starts[l], b = starts[l + 1];
        long n = 0;
        memcpy(work, text, (size_t)a);
        n = a;
        if (k % 2) { /* duplicate */
            memcpy(work + n, text + a, (size_t)(b - a));
            n += b - a;
            memcpy(work + n, text + a, (size_t)(size - a));
            n += size - a;
        } else { /* delete */
            memcpy(work + n, text + b, (size_t)(size - b));
            n += size - b;
        }
        check(work, n);
    }
    /* Swapped words: exchange two whitespace-separated words. */
    for (int k = 0; k < 60 && size > 0; k++) {
        long i = (long)(rnd() % (uint64_t)size), j = (long)(rnd() % (uint64_t)size);
        if (i > j) { long t = i; i = j; j = t; }
        long wi = i, wj = j;
        while (wi < size && text[wi] != ' ' && text[wi] != '\n') wi++;
        while (wj < size && text[wj] != ' ' && text[wj] != '\n') wj++;
        long li = wi - i, lj = wj - j;
        if (li == 0 || lj == 0 || wi > j)
            continue;
        /* [0,i) word_j [wi,j) word_i [wj,size) */
        long n = 0;
        memcpy(work + n, text, (size_t)i); n += i;
        memcpy(work + n, text + j, (size_t)lj); n += lj;
        memcpy(work + n, text + wi, (size_t)(j - wi)); n += j - wi;
        memcpy(work + n, text + i, (size_t)li); n += li;
        memcpy(work + n, text + wj, (size_t)(size - wj)); n += size - wj;
        check(work, n);
    }
    /* Random bytes: overwrite, insert. */
    static const char interesting[] = "{}()[],:=;#\"\\\n-+*/ 0.e9_az\x01\x7f\xff";
    for (int k = 0; k < 200; k++) {
        memcpy(work, text, (size_t)size);
        long n = size;
        int edits = 1 + (int)(rnd() % 4);
        for (int e = 0; e < edits && n > 0; e++) {
            long at = (long)(rnd() % (uint64_t)n);
            char c = rnd() % 2 ? interesting[rnd() % (sizeof interesting - 1)] : (char)(rnd() & 0xff);
            if (rnd() % 2) {
                work[at] = c;
            } else {
                memmove(work + at + 1, work + at, (size_t)(n - at));
                work[at] = c;
                n++;
            }
        }
        check(work, n);
    }
    free(work);
}

static void seeds_in(const char *dir)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return;
    struct dirent *e;
    char path[8192 + 512];
    while ((e = readdir(dp))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || (strcmp(e->d_name + len - 4, ".dnn") != 0 && strcmp(e->d_name + len - 3, ".ir") != 0))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        long size;
        char *text = read_all(path, &size);
        if (!text)
            continue;
        int before = check_failed;
        mutate_and_check(text, size);
        printf("%s %s\n", check_failed == before ? "ok" : "FAIL", path);
        free(text);
    }
    closedir(dp);
}

static void repeat(char *buf, long n, const char *unit)
{
    size_t u = strlen(unit);
    for (long i = 0; i < n; i++)
        buf[i] = unit[(size_t)i % u];
}

static void extremes(void)
{
    static const char *const small[] = {
        "", "\n", "\x00\x01\x02", "dataset", "model m {", "model m { input [",
        "dataset d { source = blobs(samples = 1e999999) }",
        "model m {\n input [99999999999999999999]\n out: dense 2\n}\n",
        "model m {\n input [4]\n out: dense 2147483648\n}\n",
        "model m {\n input [4096, 4096, 4096]\n flatten\n out: dense 2\n}\n",
        "model m {\n input [2]\n out: dense 2, init = constant(1e308 * 10)\n}\n",
        "dnnc-ir 1\n", "dnnc-ir 2\n", "dnnc-ir 1\nmodel @m {\n", "dnnc-ir 1\nmodel @m {\n  %a = input\n}\n",
        "dnnc-ir 1\nmodel @m {\n  %a = input shape=[2] -> [3]\n  %b = dense %a units=2 -> [2]\n}\n",
        "dnnc-ir 1\ndata @d source=blobs samples=-1\n", "dnnc-ir 1\ntrain model=@x data=@y\n",
        "dnnc-ir 1\nmodel @m {  # 99999999999:1\n}\n",
    };
    for (size_t i = 0; i < sizeof small / sizeof small[0]; i++)
        check(small[i], (long)strlen(small[i]) + (i == 2 ? 3 : 0));
    long big = 100L << 20;   /* a 100 MB line */
    char *buf = malloc((size_t)big + 64);
    repeat(buf, big, "a");
    check(buf, big);
    repeat(buf, big, "x = 1 ");
    check(buf, big);
    repeat(buf, big, "\xff\x00\x80");
    check(buf, big);
    /* Deep nesting, in () and [] and in IR values. */
    long depth = 100000;
    long n = (long)snprintf(buf, 64, "dataset d {\n source = blobs(samples = ");
    repeat(buf + n, depth, "(");
    n += depth;
    check(buf, n);
    n = (long)snprintf(buf, 64, "dnnc-ir 1\ndata @d source=blobs samples=");
    repeat(buf + n, depth, "[");
    n += depth;
    check(buf, n);
    free(buf);
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "FAIL: the front end hung (time limit reached)\n";
    if (write(2, msg, sizeof msg - 1) < 0)
        _exit(3);
    _exit(2);
}

int main(void)
{
    const char *srcdir = getenv("srcdir");
    if (!srcdir)
        srcdir = ".";
    signal(SIGALRM, on_alarm);
    alarm(600);
    char dir[8192];
    static const char *const dirs[] = {"examples", "examples/faults", "examples/extern", "tests/golden/ok",
                                       "tests/golden/errors", "tests/golden/examples"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(dir, sizeof dir, "%s/%s", srcdir, dirs[i]);
        seeds_in(dir);
    }
    extremes();
    printf("%d inputs\n", cases);
    return check_finish("fuzz_frontend");
}
