/* user_fn.c: calling user-supplied C functions through libffi (see user_fn.h).
 * The only file of dnnc that includes ffi.h.
 *
 * Values cross the call in the declared type T (float or double): arrays of
 * float pass as they are when T is float, and through scratch arrays of
 * double (kept by the function, grown as needed) when T is double.
 */
#include "user_fn.h"

#include <dlfcn.h>
#include <ffi.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SCRATCH = 4 }; /* scratch arrays a call needs at most */

struct rt_user_fn {
    void *lib;              /* dlopen handle */
    char name[64];          /* the function's name in the program, for messages */
    void (*fn)(void);       /* the function */
    void (*grad)(void);     /* its derivative or gradient, or NULL (central differences) */
    ir_ctype type;          /* the declared C type T */
    ir_fn_role role;        /* activation, loss or metric */
    ir_fn_form form;        /* activation: scalar or vector */
    int n_params;           /* activation: its parameters (after x, or after x, y, n) */
    ffi_cif cif;            /* the function's call interface, and an activation derivative's */
    ffi_cif grad_cif;       /* a loss gradient's: void g(const T *, const T *, size_t, T *) */
    ffi_type *arg_types[3 + IR_MAX_NAMES]; /* argument types of cif */
    ffi_type *grad_types[4];/* argument types of grad_cif */
    void *scratch[SCRATCH]; /* arrays of T */
    long scratch_cap[SCRATCH]; /* their capacity in elements */
    bool failed;            /* it returned NaN for finite input */
    double failed_at;       /* activation: that input (the first) */
};

static bool load_permitted; /* rt_user_fn_permit's setting */

void rt_user_fn_permit(bool allowed)
{
    load_permitted = allowed;
}

bool rt_user_fn_permitted(void)
{
    return load_permitted;
}

/* ---- values of type T ---- */

static size_t t_size(const rt_user_fn *u)
{
    return u->type == IR_CTYPE_FLOAT ? sizeof(float) : sizeof(double);
}

static double t_get(const rt_user_fn *u, const void *a, long i)
{
    return u->type == IR_CTYPE_FLOAT ? ((const float *)a)[i] : ((const double *)a)[i];
}

static void t_set(const rt_user_fn *u, void *a, long i, double v)
{
    if (u->type == IR_CTYPE_FLOAT)
        ((float *)a)[i] = (float)v;
    else
        ((double *)a)[i] = v;
}

/* Scratch array K of U with room for N values of T. */
static void *scratch(rt_user_fn *u, int k, long n)
{
    if (u->scratch_cap[k] < n) {
        free(u->scratch[k]);
        u->scratch[k] = ir_alloc(t_size(u) * (size_t)(n > 0 ? n : 1));
        u->scratch_cap[k] = n;
    }
    return u->scratch[k];
}

/* SRC as an array of T: itself when T is float, else a converted copy in K. */
static const void *in_array(rt_user_fn *u, int k, const float *src, long n)
{
    if (u->type == IR_CTYPE_FLOAT)
        return src;
    double *a = scratch(u, k, n);
    for (long i = 0; i < n; i++)
        a[i] = src[i];
    return a;
}

/* Where a call writes N values of T meant for DST (see out_done). */
static void *out_array(rt_user_fn *u, int k, float *dst, long n)
{
    return u->type == IR_CTYPE_FLOAT ? (void *)dst : scratch(u, k, n);
}

/* Copies what a call wrote into A (from out_array) to DST. */
static void out_done(const rt_user_fn *u, const void *a, float *dst, long n)
{
    if (u->type != IR_CTYPE_FLOAT)
        for (long i = 0; i < n; i++)
            dst[i] = (float)((const double *)a)[i];
}

/* ---- calls ---- */

/* A parameter value as T, in storage the call can point to. */
typedef union t_value {
    float f;    /* T is float */
    double d;   /* T is double */
} t_value;

static void *t_arg(const rt_user_fn *u, t_value *v, double x)
{
    if (u->type == IR_CTYPE_FLOAT) {
        v->f = (float)x;
        return &v->f;
    }
    v->d = x;
    return &v->d;
}

/* T f(T x, P...) */
static double call_scalar(rt_user_fn *u, void (*f)(void), double x, const double *args)
{
    t_value vals[1 + IR_MAX_NAMES], r;
    void *av[1 + IR_MAX_NAMES];
    av[0] = t_arg(u, &vals[0], x);
    for (int i = 0; i < u->n_params; i++)
        av[1 + i] = t_arg(u, &vals[1 + i], args[i]);
    ffi_call(&u->cif, f, &r, av);
    return u->type == IR_CTYPE_FLOAT ? r.f : r.d;
}

/* void f(const T *x, T *y, size_t n, P...) */
static void call_vector(rt_user_fn *u, void (*f)(void), const void *x, void *y, long n, const double *args)
{
    t_value vals[IR_MAX_NAMES];
    const void *px = x;
    void *py = y;
    size_t sn = (size_t)n;
    void *av[3 + IR_MAX_NAMES] = {&px, &py, &sn};
    for (int i = 0; i < u->n_params; i++)
        av[3 + i] = t_arg(u, &vals[i], args[i]);
    ffi_arg ignored;
    ffi_call(&u->cif, f, &ignored, av);
}

/* T f(const T *pred, const T *target, size_t n) */
static double call_value(rt_user_fn *u, const void *pred, const void *target, long n)
{
    size_t sn = (size_t)n;
    void *av[3] = {&pred, &target, &sn};
    t_value r;
    ffi_call(&u->cif, u->fn, &r, av);
    return u->type == IR_CTYPE_FLOAT ? r.f : r.d;
}

/* void g(const T *pred, const T *target, size_t n, T *grad) */
static void call_gradient(rt_user_fn *u, const void *pred, const void *target, long n, void *grad)
{
    size_t sn = (size_t)n;
    void *av[4] = {&pred, &target, &sn, &grad};
    ffi_arg ignored;
    ffi_call(&u->grad_cif, u->grad, &ignored, av);
}

/* The central-difference step at X: it suits the declared precision. */
static double step(const rt_user_fn *u, double x)
{
    return (u->type == IR_CTYPE_FLOAT ? 1e-2 : 1e-5) * fmax(1.0, fabs(x));
}

/* ---- loading ---- */

static ffi_type *ffi_of(ir_ctype t)
{
    return t == IR_CTYPE_FLOAT ? &ffi_type_float : &ffi_type_double;
}

/* Prepares U's call interfaces for F; false with ERR set when libffi refuses. */
static bool prepare(rt_user_fn *u, const ir_function *f, char *err, size_t errsize)
{
    ffi_type *t = ffi_of(f->type);
    ffi_type *size_type = sizeof(size_t) == 8 ? &ffi_type_uint64 : &ffi_type_uint32;
    ffi_type *ret = t;
    unsigned n = 0;
    if (f->role == IR_FN_ROLE_ACTIVATION && f->form == IR_FN_FORM_SCALAR) {
        u->arg_types[n++] = t;
    } else {
        u->arg_types[n++] = &ffi_type_pointer;
        u->arg_types[n++] = &ffi_type_pointer;
        u->arg_types[n++] = size_type;
        if (f->role == IR_FN_ROLE_ACTIVATION)
            ret = &ffi_type_void;
    }
    if (f->role == IR_FN_ROLE_ACTIVATION)
        for (int i = 0; i < f->params.n; i++)
            u->arg_types[n++] = t;
    bool ok = ffi_prep_cif(&u->cif, FFI_DEFAULT_ABI, n, ret, u->arg_types) == FFI_OK;
    if (ok && f->role == IR_FN_ROLE_LOSS) {
        u->grad_types[0] = u->grad_types[1] = u->grad_types[3] = &ffi_type_pointer;
        u->grad_types[2] = size_type;
        ok = ffi_prep_cif(&u->grad_cif, FFI_DEFAULT_ABI, 4, &ffi_type_void, u->grad_types) == FFI_OK;
    }
    if (!ok)
        snprintf(err, errsize, "function %s: libffi cannot prepare a call of its %s %s form", f->name,
                 ir_enum_name(&ir_ctype_table, (int)f->type), ir_enum_name(&ir_fn_role_table, (int)f->role));
    return ok;
}

/* The address of SYMBOL in LIB, or NULL. */
static void (*lookup(void *lib, const char *symbol))(void)
{
    void *sym = dlsym(lib, symbol);
    void (*fn)(void) = NULL;
    /* POSIX lets a data pointer from dlsym carry a function address. */
    if (sym)
        memcpy(&fn, &sym, sizeof sym);
    return fn;
}

rt_user_fn *rt_user_fn_open(const ir_program *p, const ir_function *f, char *err, size_t errsize)
{
    char path[4096];
    if (strchr(f->library, '/') && f->library[0] != '/')
        snprintf(path, sizeof path, "%s/%s", p->dir, f->library);
    else
        snprintf(path, sizeof path, "%s", f->library);
    if (!load_permitted) {
        snprintf(err, errsize, "function %s: loading library '%s' needs --allow-extern "
                 "(its code would run with your rights)", f->name, path);
        return NULL;
    }
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(err, errsize, "function %s: cannot load library '%s': %s", f->name, path, dlerror());
        return NULL;
    }
    rt_user_fn *u = ir_alloc(sizeof *u);
    memset(u, 0, sizeof *u);
    u->lib = lib;
    snprintf(u->name, sizeof u->name, "%s", f->name);
    u->type = f->type;
    u->role = f->role;
    u->form = f->form;
    u->n_params = f->role == IR_FN_ROLE_ACTIVATION ? f->params.n : 0;
    if (!(u->fn = lookup(lib, f->symbol))) {
        snprintf(err, errsize, "function %s: no symbol '%s' in '%s'", f->name, f->symbol, path);
        rt_user_fn_close(u);
        return NULL;
    }
    if (f->role != IR_FN_ROLE_METRIC && f->gradient && f->gradient[0] &&
        !(u->grad = lookup(lib, f->gradient))) {
        snprintf(err, errsize, "function %s: no %s symbol '%s' in '%s'", f->name,
                 f->role == IR_FN_ROLE_LOSS ? "gradient" : "derivative", f->gradient, path);
        rt_user_fn_close(u);
        return NULL;
    }
    if (!prepare(u, f, err, errsize)) {
        rt_user_fn_close(u);
        return NULL;
    }
    return u;
}

void rt_user_fn_close(rt_user_fn *u)
{
    if (!u)
        return;
    if (u->lib)
        dlclose(u->lib);
    for (int k = 0; k < SCRATCH; k++)
        free(u->scratch[k]);
    free(u);
}

/* Records the first NaN that U returned for finite input (X, or 0 for an
 * array of them). */
static void check_nan(rt_user_fn *u, double result, bool finite_input, double x)
{
    if (isnan(result) && finite_input && !u->failed) {
        u->failed = true;
        u->failed_at = x;
    }
}

/* ---- activations ---- */

void rt_user_fn_forward(rt_user_fn *u, const double *args, const float *z, float *y, long n)
{
    if (u->form == IR_FN_FORM_SCALAR) {
        for (long i = 0; i < n; i++)
            y[i] = (float)call_scalar(u, u->fn, z[i], args);
    } else {
        const void *x = in_array(u, 0, z, n);
        void *out = out_array(u, 1, y, n);
        call_vector(u, u->fn, x, out, n, args);
        out_done(u, out, y, n);
    }
    for (long i = 0; i < n && !u->failed; i++)
        check_nan(u, y[i], isfinite(z[i]), z[i]);
}

/* DZ[i] = DY[i] * f'(Z[i]) for a vector-form activation: one call of the
 * derivative, or two of the function (at Z + h and Z - h). */
static void vector_backward(rt_user_fn *u, const double *args, const float *z, const float *dy, float *dz,
                            long n)
{
    if (u->grad) {
        const void *x = in_array(u, 0, z, n);
        void *d = scratch(u, 1, n);
        call_vector(u, u->grad, x, d, n, args);
        for (long i = 0; i < n; i++)
            dz[i] = (float)(dy[i] * t_get(u, d, i));
        return;
    }
    void *xp = scratch(u, 0, n), *xm = scratch(u, 1, n), *yp = scratch(u, 2, n), *ym = scratch(u, 3, n);
    for (long i = 0; i < n; i++) {
        double h = step(u, z[i]);
        t_set(u, xp, i, z[i] + h);
        t_set(u, xm, i, z[i] - h);
    }
    call_vector(u, u->fn, xp, yp, n, args);
    call_vector(u, u->fn, xm, ym, n, args);
    for (long i = 0; i < n; i++) {
        /* The step actually taken, after rounding to T. */
        double h2 = t_get(u, xp, i) - t_get(u, xm, i);
        dz[i] = (float)(dy[i] * (t_get(u, yp, i) - t_get(u, ym, i)) / h2);
    }
}

void rt_user_fn_backward(rt_user_fn *u, const double *args, const float *z, const float *dy, float *dz,
                         long n)
{
    if (u->form == IR_FN_FORM_VECTOR) {
        vector_backward(u, args, z, dy, dz, n);
    } else {
        for (long i = 0; i < n; i++) {
            double d, x = z[i];
            if (u->grad) {
                d = call_scalar(u, u->grad, x, args);
            } else {
                double h = step(u, x);
                d = (call_scalar(u, u->fn, x + h, args) - call_scalar(u, u->fn, x - h, args)) / (2 * h);
            }
            dz[i] = (float)(dy[i] * d);
        }
    }
    for (long i = 0; i < n && !u->failed; i++)
        check_nan(u, dz[i], isfinite(z[i]) && isfinite(dy[i]), z[i]);
}

/* ---- losses and metrics ---- */

double rt_user_fn_value(rt_user_fn *u, const float *pred, const float *target, long n, float *grad)
{
    const void *tg = in_array(u, 1, target, n);
    /* A copy of the predictions central differences may perturb. */
    void *pr = scratch(u, 0, n);
    for (long i = 0; i < n; i++)
        t_set(u, pr, i, pred[i]);
    double value = call_value(u, pr, tg, n);
    bool finite = true;
    for (long i = 0; i < n && finite; i++)
        finite = isfinite(pred[i]) && isfinite(target[i]);
    check_nan(u, value, finite, 0);
    if (!grad || u->role != IR_FN_ROLE_LOSS)
        return value;
    if (u->grad) {
        void *g = out_array(u, 2, grad, n);
        call_gradient(u, pr, tg, n, g);
        out_done(u, g, grad, n);
        return value;
    }
    for (long i = 0; i < n; i++) {
        double x = pred[i], h = step(u, x);
        t_set(u, pr, i, x + h);
        double up = call_value(u, pr, tg, n), hp = t_get(u, pr, i);
        t_set(u, pr, i, x - h);
        double down = call_value(u, pr, tg, n), hm = t_get(u, pr, i);
        t_set(u, pr, i, x);
        grad[i] = (float)((up - down) / (hp - hm));
    }
    return value;
}

bool rt_user_fn_failed(const rt_user_fn *u, char *err, size_t errsize)
{
    if (!u || !u->failed)
        return false;
    if (u->role == IR_FN_ROLE_ACTIVATION)
        snprintf(err, errsize, "function %s returned NaN for the finite input %.9g", u->name, u->failed_at);
    else
        snprintf(err, errsize, "function %s returned NaN for finite predictions", u->name);
    return true;
}
