/* user_fn.c: calling user-supplied C functions through libffi (see user_fn.h).
 * The only file of dnnc that includes ffi.h. */
#include "user_fn.h"

#include <dlfcn.h>
#include <ffi.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rt_user_fn {
    void *lib;          /* dlopen handle */
    void (*fn)(void);   /* the function */
    void (*grad)(void); /* its derivative, or NULL (central differences) */
    ir_ctype type;      /* C type of argument and result */
    ffi_cif cif;        /* call interface: TYPE (TYPE) */
    ffi_type *arg_types[1]; /* the one argument's type, as the cif needs it */
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

/* Calls F (of U's signature) at X. */
static double call(const rt_user_fn *u, void (*f)(void), double x)
{
    if (u->type == IR_CTYPE_FLOAT) {
        float a = (float)x, r = 0;
        void *args[1] = {&a};
        ffi_call((ffi_cif *)&u->cif, f, &r, args);
        return r;
    }
    double a = x, r = 0;
    void *args[1] = {&a};
    ffi_call((ffi_cif *)&u->cif, f, &r, args);
    return r;
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
    rt_user_fn *u = calloc(1, sizeof *u);
    if (!u) {
        dlclose(lib);
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    u->lib = lib;
    u->type = f->type;
    /* POSIX lets a data pointer from dlsym carry a function address. */
    void *sym = dlsym(lib, f->symbol);
    if (!sym) {
        snprintf(err, errsize, "function %s: no symbol '%s' in '%s'", f->name, f->symbol, path);
        rt_user_fn_close(u);
        return NULL;
    }
    memcpy(&u->fn, &sym, sizeof sym);
    if (f->gradient && f->gradient[0]) {
        sym = dlsym(lib, f->gradient);
        if (!sym) {
            snprintf(err, errsize, "function %s: no gradient symbol '%s' in '%s'", f->name, f->gradient, path);
            rt_user_fn_close(u);
            return NULL;
        }
        memcpy(&u->grad, &sym, sizeof sym);
    }
    ffi_type *t = f->type == IR_CTYPE_FLOAT ? &ffi_type_float : &ffi_type_double;
    u->arg_types[0] = t;
    if (ffi_prep_cif(&u->cif, FFI_DEFAULT_ABI, 1, t, u->arg_types) != FFI_OK) {
        snprintf(err, errsize, "function %s: libffi cannot call a %s(%s)", f->name,
                 ir_enum_name(&ir_ctype_table, (int)f->type), ir_enum_name(&ir_ctype_table, (int)f->type));
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
    free(u);
}

void rt_user_fn_forward(const rt_user_fn *u, const float *z, float *y, long n)
{
    for (long i = 0; i < n; i++)
        y[i] = (float)call(u, u->fn, z[i]);
}

void rt_user_fn_backward(const rt_user_fn *u, const float *z, const float *dy, float *dz, long n)
{
    for (long i = 0; i < n; i++) {
        double d;
        if (u->grad) {
            d = call(u, u->grad, z[i]);
        } else {
            /* Central differences; the step suits the declared precision. */
            double x = z[i];
            double h = (u->type == IR_CTYPE_FLOAT ? 1e-2 : 1e-5) * fmax(1.0, fabs(x));
            d = (call(u, u->fn, x + h) - call(u, u->fn, x - h)) / (2 * h);
        }
        dz[i] = (float)(dy[i] * d);
    }
}
