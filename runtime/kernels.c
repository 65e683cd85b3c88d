/* kernels.c: which kernel set runs, chosen once at start-up (kernels.h).
 *
 * One table of function pointers per kernel set this build compiled, best
 * first: on x86-64, avx512 (x86-64-v4: AVX-512 F, VL, BW, DQ, CD), avx2
 * (x86-64-v3: AVX2, FMA, BMI2, F16C) and baseline (the build's own CFLAGS);
 * elsewhere baseline only.  Before main, a constructor takes the best set the
 * CPU supports (GCC's __builtin_cpu_supports, which also checks that the OS
 * saves the vector registers), or the set the environment variable
 * DNNC_KERNELS names; an unknown name or a set this CPU cannot run is an
 * error that stops the program, never a silent fallback.  Each kernel's
 * public name calls through the chosen table.
 */
#include "kernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

/* Kernel sets this build has, best first: S(name, whether the CPU runs it). */
#if DNNC_X86_KERNEL_SETS
#define RT_KERNEL_SETS(S) \
    S(avx512, __builtin_cpu_supports("x86-64-v4")) \
    S(avx2, __builtin_cpu_supports("x86-64-v3")) \
    S(baseline, 1)
#else
#define RT_KERNEL_SETS(S) S(baseline, 1)
#endif

#define RT_KERNEL_SET_PROTOTYPES(set, runs) RT_KERNELS(RT_KERNEL_PROTOTYPE, set)
RT_KERNEL_SETS(RT_KERNEL_SET_PROTOTYPES)

/* One kernel set: its name and its variant of every kernel. */
typedef struct rt_kernel_table {
    const char *name;       /* as DNNC_KERNELS and --version spell it */
#define RT_KERNEL_FIELD(ret, name, params, args, set) ret(*name) params;
    RT_KERNELS(RT_KERNEL_FIELD, _)   /* one pointer per kernel */
#undef RT_KERNEL_FIELD
} rt_kernel_table;

#define RT_KERNEL_ENTRY(ret, name, params, args, set) RT_KERNEL_VARIANT(name, set),
#define RT_KERNEL_SET_TABLE(set, runs) {#set, RT_KERNELS(RT_KERNEL_ENTRY, set)},
static const rt_kernel_table tables[] = {RT_KERNEL_SETS(RT_KERNEL_SET_TABLE)};
enum { N_SETS = sizeof tables / sizeof tables[0] };

/* The set in use: baseline until the constructor has chosen. */
static const rt_kernel_table *active = &tables[N_SETS - 1];

/* Whether this CPU runs set I of tables. */
static bool runs(int i)
{
    int set = 0;
#define RT_KERNEL_SET_RUNS(name, test) if (i == set++) return (test) != 0;
    RT_KERNEL_SETS(RT_KERNEL_SET_RUNS)
#undef RT_KERNEL_SET_RUNS
    return false;
}

const char *rt_kernels_name(void)
{
    return active->name;
}

void rt_kernels_supported(char *buf, size_t size)
{
    size_t len = 0;
    if (size)
        buf[0] = '\0';
    for (int i = 0; i < N_SETS; i++)
        if (runs(i) && len < size) {
            int n = snprintf(buf + len, size - len, "%s%s", len ? " " : "", tables[i].name);
            len += n > 0 ? (size_t)n : 0;
        }
}

int rt_kernels_use(const char *name, char *err, size_t errsize)
{
    for (int i = 0; i < N_SETS; i++) {
        if (strcmp(name, tables[i].name) != 0)
            continue;
        if (!runs(i)) {
            char have[128];
            rt_kernels_supported(have, sizeof have);
            snprintf(err, errsize, "kernel set '%s' needs instructions this CPU lacks "
                     "(it runs: %s)", name, have);
            return -1;
        }
        active = &tables[i];
        return 0;
    }
    char known[128];
    size_t len = 0;
    known[0] = '\0';
    for (int i = 0; i < N_SETS && len < sizeof known; i++) {
        int n = snprintf(known + len, sizeof known - len, "%s%s", i ? " " : "", tables[i].name);
        len += n > 0 ? (size_t)n : 0;
    }
    snprintf(err, errsize, "unknown kernel set '%s' (this build has: %s)", name, known);
    return -1;
}

/* Before main: the best set this CPU runs, or the one DNNC_KERNELS names
 * (empty counts as unset). */
__attribute__((constructor)) static void choose_kernels(void)
{
#if DNNC_X86_KERNEL_SETS
    __builtin_cpu_init();
#endif
    for (int i = 0; i < N_SETS; i++)
        if (runs(i)) {
            active = &tables[i];
            break;
        }
    const char *want = getenv("DNNC_KERNELS");
    char err[256];
    if (want && *want && rt_kernels_use(want, err, sizeof err) != 0) {
        fprintf(stderr, "dnnc: error: DNNC_KERNELS: %s\n", err);
        exit(1);
    }
}

/* The public name of every kernel: a call through the chosen table. */
#define RT_KERNEL_RETURN_void
#define RT_KERNEL_RETURN_int return
#define RT_KERNEL_RETURN_long return
#define RT_KERNEL_DISPATCH(ret, name, params, args, set) \
    ret name params { RT_KERNEL_RETURN_##ret active->name args; }
RT_KERNELS(RT_KERNEL_DISPATCH, _)
