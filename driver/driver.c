/* driver.c: the dnnc command line.
 *
 * Parses options, reads the program (a .dnn source or IR text, told apart by
 * the IR's first line), compiles it to checked IR, prints diagnostics and
 * hands the IR to the chosen mode.  Exit status: 0 ok, 1 user error (bad
 * input), 2 internal error.
 */
#include "driver.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "diag.h"
#include "ir_text.h"
#include "kernels.h"
#include "mutate.h"
#include "repair.h"
#include "search.h"
#include "source.h"
#include "user_fn.h"

static const char usage_text[] =
    "usage: dnnc MODE [options] FILE\n"
    "\n"
    "FILE is a .dnn program or an IR file (first line 'dnnc-ir 1'); '-' reads stdin.\n"
    "\n"
    "Modes:\n"
    "  --check            report diagnostics only (exit 0 clean, 1 on errors)\n"
    "  --emit-ir          print the checked IR\n"
    "  --train            train the program, print per-epoch and test metrics\n"
    "  --eval             evaluate weights given by --load on the test split\n"
    "  --diagnose         static and dynamic fault localisation, ranked suspects\n"
    "  --repair           localise, search, validate and report fixes\n"
    "  --mutate OP        write a faulty variant made by mutation operator OP\n"
    "\n"
    "Options:\n"
    "  -o OUT             write the mode's main output to OUT\n"
    "  --json             machine-readable result on stdout\n"
    "  --quiet            no progress display\n"
    "  --threads N        threads to use (default: all cores)\n"
    "  --jobs N           (repair) trainings at once, each single-threaded\n"
    "                     (default: one per core, or per --threads thread)\n"
    "  --epochs N         override the program's epochs\n"
    "  --seed N           override the program's seed\n"
    "  --save FILE        (train) write trained weights as safetensors\n"
    "  --load FILE        (eval) read weights from a safetensors file\n"
    "  --static           (diagnose) static rules only, no training\n"
    "  --allow-extern     load the shared libraries the program's function blocks\n"
    "                     name (their code runs with your rights; also\n"
    "                     DNNC_ALLOW_EXTERN=1); without it such a program is refused\n"
    "  --strategy NAME    (repair) one of the strategies below (default: the first)\n"
    "  --budget B         (repair) 20x (times the training time) or 300s;\n"
    "                     (diagnose) the training run's work in multiply-adds, e.g. 5e9\n"
    "  --probe-budget N   (diagnose) the probes' work in multiply-adds (default 2e11;\n"
    "                     0: no probing)\n"
    "  --trials N         (repair) stop after N candidate trainings\n"
    "  --runs R           (repair) trainings per validated fix (default 5)\n"
    "  --fixes K          (repair) fixes to report (default 3)\n"
    "  --reference FILE   (repair) a known fix: report each fix's improvement rate\n"
    "  --journal FILE     (repair) record every finished training in FILE\n"
    "                     (default: OUT.journal beside -o OUT)\n"
    "  --resume FILE      (repair) continue the repair FILE journals, replaying\n"
    "                     its trainings instead of training them again\n"
    "  --mutate-args A    (mutate) operator parameters, key=value[,key=value]\n"
    "  --help             this text\n"
    "  --version          the version\n";

/* Prints "TITLE: a, b, c" wrapped to 79 columns, continued lines indented. */
static void print_list(const char *title, const char *list)
{
    int col = printf("\n%s:", title) - 1;
    for (const char *s = list; *s;) {
        size_t n = strcspn(s, ",");
        if (col + 1 + (int)n + 1 > 79) {
            printf("\n ");
            col = 1;
        }
        col += printf(" %.*s%s", (int)n, s, s[n] ? "," : "");
        s += n;
        while (*s == ',' || *s == ' ')
            s++;
    }
    putchar('\n');
}

/* --help: the options, then the registries' names (search.h, mutate.c), so
 * the text cannot drift from the tables. */
static void print_usage(void)
{
    fputs(usage_text, stdout);
    print_list("Strategies (--strategy)", rp_strategy_names());
    print_list("Mutation operators (--mutate)", rp_mutate_operators());
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("dnnc: error: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'dnnc --help'.\n", stderr);
    return 1;
}

/* Parses a non-negative integer option value. */
static bool parse_count(const char *s, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < 0 || v > max)
        return false;
    *out = v;
    return true;
}

static bool set_mode(dnnc_options *o, dnnc_mode mode, bool *mode_set)
{
    if (*mode_set && o->mode != mode)
        return false;
    o->mode = mode;
    *mode_set = true;
    return true;
}

/* Fills O from the command line; returns -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, dnnc_options *o)
{
    bool mode_set = false;
    static const struct { const char *flag; dnnc_mode mode; } modes[] = {
        {"--check", DNNC_MODE_CHECK}, {"--emit-ir", DNNC_MODE_EMIT_IR}, {"--train", DNNC_MODE_TRAIN},
        {"--eval", DNNC_MODE_EVAL}, {"--diagnose", DNNC_MODE_DIAGNOSE}, {"--repair", DNNC_MODE_REPAIR},
    };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        bool matched = false;
        for (size_t k = 0; k < sizeof modes / sizeof modes[0]; k++)
            if (strcmp(a, modes[k].flag) == 0) {
                if (!set_mode(o, modes[k].mode, &mode_set))
                    return usage_error("choose one mode; '%s' conflicts with an earlier one", a);
                matched = true;
            }
        if (matched)
            continue;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_usage();
            return 0;
        }
        if (strcmp(a, "--version") == 0) {
            char sets[128];
            rt_kernels_supported(sets, sizeof sets);
            printf("dnnc %s\nkernels: %s (this CPU runs: %s; DNNC_KERNELS chooses)\n",
                   PACKAGE_VERSION, rt_kernels_name(), sets);
            return 0;
        }
        if (strcmp(a, "--json") == 0) {
            o->json = true;
            continue;
        }
        if (strcmp(a, "--quiet") == 0) {
            o->quiet = true;
            continue;
        }
        if (strcmp(a, "--static") == 0) {
            o->static_only = true;
            continue;
        }
        if (strcmp(a, "--allow-extern") == 0) {
            o->allow_extern = true;
            continue;
        }
        if (strcmp(a, "-") == 0 || a[0] != '-') {
            if (o->input)
                return usage_error("only one input file is accepted; '%s' is extra", a);
            o->input = a;
            continue;
        }
        /* Options with a value. */
        if (!next)
            return usage_error("option '%s' needs a value", a);
        long v;
        i++;
        if (strcmp(a, "-o") == 0) {
            o->output = next;
        } else if (strcmp(a, "--mutate") == 0) {
            if (!set_mode(o, DNNC_MODE_MUTATE, &mode_set))
                return usage_error("choose one mode; '%s' conflicts with an earlier one", a);
            o->mutate_op = next;
        } else if (strcmp(a, "--mutate-args") == 0) {
            o->mutate_args = next;
        } else if (strcmp(a, "--save") == 0) {
            o->save = next;
        } else if (strcmp(a, "--load") == 0) {
            o->load = next;
        } else if (strcmp(a, "--strategy") == 0) {
            o->strategy = next;
        } else if (strcmp(a, "--budget") == 0) {
            o->budget = next;
        } else if (strcmp(a, "--probe-budget") == 0) {
            o->probe_budget = next;
        } else if (strcmp(a, "--reference") == 0) {
            o->reference = next;
        } else if (strcmp(a, "--journal") == 0) {
            o->journal = next;
        } else if (strcmp(a, "--resume") == 0) {
            o->resume = next;
        } else if (strcmp(a, "--threads") == 0) {
            if (!parse_count(next, 1024, &v))
                return usage_error("--threads takes a number from 0 to 1024, got '%s'", next);
            o->threads = (int)v;
        } else if (strcmp(a, "--jobs") == 0) {
            if (!parse_count(next, 1024, &v) || v < 1)
                return usage_error("--jobs takes a number from 1 to 1024, got '%s'", next);
            o->jobs = (int)v;
        } else if (strcmp(a, "--epochs") == 0) {
            if (!parse_count(next, 1000000, &v) || v < 1)
                return usage_error("--epochs takes a number from 1 to 1000000, got '%s'", next);
            o->epochs = (int)v;
        } else if (strcmp(a, "--seed") == 0) {
            if (!parse_count(next, 2147483647L, &v))
                return usage_error("--seed takes a number from 0 to 2147483647, got '%s'", next);
            o->seed = v;
        } else if (strcmp(a, "--trials") == 0) {
            if (!parse_count(next, 1000000, &v) || v < 1)
                return usage_error("--trials takes a positive number, got '%s'", next);
            o->trials = (int)v;
        } else if (strcmp(a, "--runs") == 0) {
            if (!parse_count(next, RP_MAX_RUNS, &v) || v < 2)
                return usage_error("--runs takes a number from 2 to " DNNC_STR(RP_MAX_RUNS) ", got '%s'", next);
            o->runs = (int)v;
        } else if (strcmp(a, "--fixes") == 0) {
            if (!parse_count(next, 1000, &v) || v < 1)
                return usage_error("--fixes takes a number from 1 to 1000, got '%s'", next);
            o->fixes = (int)v;
        } else {
            return usage_error("unknown option '%s'", a);
        }
    }
    if (!mode_set)
        return usage_error("%s", "no mode given (--check, --emit-ir, --train, --diagnose, --repair, ...)");
    if (!o->input)
        return usage_error("%s", "no input file given");
    const char *env = getenv("DNNC_ALLOW_EXTERN");
    if (env && *env) {
        if (strcmp(env, "1") != 0 && strcmp(env, "0") != 0)
            return usage_error("DNNC_ALLOW_EXTERN is 1 (allow) or 0 (refuse), got '%s'", env);
        o->allow_extern |= strcmp(env, "1") == 0;
    }
    return -1;
}

/* Whether mode O runs the program, and so would load its functions'
 * libraries (--check, --emit-ir, --mutate and a static diagnosis never do). */
static bool mode_runs_program(const dnnc_options *o)
{
    switch (o->mode) {
    case DNNC_MODE_TRAIN:
    case DNNC_MODE_EVAL:
    case DNNC_MODE_REPAIR:
        return true;
    case DNNC_MODE_DIAGNOSE:
        return !o->static_only;
    case DNNC_MODE_CHECK:
    case DNNC_MODE_EMIT_IR:
    case DNNC_MODE_MUTATE:
        return false;
    }
    return true;
}

/* Refuses, at each function block, a program whose libraries mode O would
 * load without --allow-extern: a model file must never run code silently.
 * Returns the number of blocks refused. */
static int refuse_extern(const ir_program *p, const dnnc_options *o, diag_ctx *d)
{
    if (o->allow_extern || !mode_runs_program(o))
        return 0;
    for (int i = 0; i < p->n_functions; i++)
        diag_error(d, p->functions[i].span,
                   "function '%s' would load library '%s'; refused without --allow-extern",
                   p->functions[i].name, p->functions[i].library);
    if (p->n_functions > 0)
        diag_note(d, p->functions[0].span,
                  "a library's code runs with your rights as soon as it is loaded; if you trust it, "
                  "pass --allow-extern (or set DNNC_ALLOW_EXTERN=1)");
    return p->n_functions;
}

/* Warns once at each activation or loss function without a declared
 * derivative or gradient, when mode O runs the program (repair may try any
 * declared activation): central differences stand in for it. */
static void warn_central_differences(const ir_program *p, const dnnc_options *o, diag_ctx *d)
{
    if (!mode_runs_program(o))
        return;
    for (int i = 0; i < p->n_functions; i++) {
        const ir_function *f = &p->functions[i];
        if (f->role == IR_FN_ROLE_METRIC || (f->gradient && f->gradient[0]))
            continue;
        diag_warning(d, f->span,
                     "function '%s' declares no %s (gradient = \"symbol\"); dnnc takes it by central "
                     "differences, two calls of '%s' per value", f->name,
                     f->role == IR_FN_ROLE_LOSS ? "gradient" : "derivative", f->symbol);
    }
}

static int emit_ir(const ir_program *p, const dnnc_options *o)
{
    FILE *out = o->output ? fopen(o->output, "w") : stdout;
    if (!out) {
        fprintf(stderr, "dnnc: error: cannot write '%s': %s\n", o->output, strerror(errno));
        return 1;
    }
    if (o->json) {
        /* {"ir": "<the IR text>"}: the text itself, for tools that want one JSON document. */
        char *text = ir_print_string(p);
        json_object *obj = json_object_new_object();
        json_object_object_add(obj, "ir", json_object_new_string(text));
        fprintf(out, "%s\n", json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(obj);
        free(text);
    } else {
        ir_print(out, p);
    }
    if (out != stdout && fclose(out) != 0) {
        fprintf(stderr, "dnnc: error: cannot write '%s'\n", o->output);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    dnnc_options o = {0};
    o.epochs = -1;
    o.seed = -1;
    o.runs = 5;
    o.fixes = 3;
    int status = parse_args(argc, argv, &o);
    if (status >= 0)
        return status;

    dnnc_source src = {o.input, NULL, 0, false};
    char err[1200];
    char *text = dnnc_read_file(o.input, &src.size, err, sizeof err);
    if (!text) {
        fprintf(stderr, "dnnc: error: %s\n", err);
        return 1;
    }
    src.text = text;
    src.is_ir = ir_text_is_ir(text, src.size);

    diag_ctx d;
    diag_init(&d, strcmp(o.input, "-") == 0 ? "<stdin>" : o.input, text, src.size);
    ir_program *p = dnnc_compile(src.path, text, src.size, &d);
    if (p && refuse_extern(p, &o, &d) > 0) {
        ir_program_free(p);
        p = NULL;
    }
    if (p)
        warn_central_differences(p, &o, &d);
    rt_user_fn_permit(o.allow_extern);
    bool json_check = o.json && o.mode == DNNC_MODE_CHECK;
    if (json_check)
        diag_print_json(&d, stdout);
    else
        diag_print(&d, stderr);
    diag_free(&d);

    if (!p) {
        free(text);
        return 1;
    }
    switch (o.mode) {
    case DNNC_MODE_CHECK: status = 0; break;
    case DNNC_MODE_EMIT_IR: status = emit_ir(p, &o); break;
    case DNNC_MODE_TRAIN:
    case DNNC_MODE_EVAL: status = dnnc_mode_train(p, &src, &o); break;
    case DNNC_MODE_DIAGNOSE: status = dnnc_mode_diagnose(p, &src, &o); break;
    case DNNC_MODE_REPAIR: status = dnnc_mode_repair(p, &src, &o); break;
    case DNNC_MODE_MUTATE: status = dnnc_mode_mutate(p, &src, &o); break;
    }
    ir_program_free(p);
    free(text);
    return status;
}
