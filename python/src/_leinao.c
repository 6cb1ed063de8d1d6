/* _leinao.c — the CPython extension under the `leinao` package: one type, Handle, whose methods
 * are the functions of the public C API (include/leinao.h) one for one, with NumPy arrays in and
 * out. Pythonic names, defaults and checks live in leinao/__init__.py; this file only converts
 * arguments, releases the GIL while building and running, turns a failed status into the matching
 * leinao exception (with the handle's message and error detail) and stops a run on Ctrl-C. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <leinao.h>

/* ---- Exceptions: one class per status code ------------------------------------------- */

#define N_STATUS 13
static PyObject *exception_types[N_STATUS];

typedef struct exception_spec {
    leinao_status status;
    const char *name;     /* attribute of the module */
    PyObject **builtin;   /* the standard exception it also derives from, or NULL */
    const char *doc;
} exception_spec;

static const exception_spec exception_specs[] = {
    {LEINAO_NOMEM, "OutOfMemoryError", &PyExc_MemoryError, "An allocation failed (NOMEM)."},
    {LEINAO_INVALID, "InvalidArgumentError", &PyExc_ValueError,
     "A value a rule refuses: a parameter, a weight, a delay, a size (INVALID)."},
    {LEINAO_MODEL_FILE, "ModelError", &PyExc_ValueError,
     "An invalid model file; the message names file:line:column, key and rule (MODEL_FILE)."},
    {LEINAO_IO, "FileError", &PyExc_OSError, "A file could not be read or written (IO)."},
    {LEINAO_NOT_FOUND, "NotFoundError", &PyExc_LookupError,
     "An unknown model, parameter, population or file (NOT_FOUND)."},
    {LEINAO_EXISTS, "OutputExistsError", &PyExc_FileExistsError,
     "Results exist in the output folder and overwrite is False (EXISTS)."},
    {LEINAO_INTERRUPTED, "RunInterrupted", NULL,
     "A run stopped before its end (INTERRUPTED). Ctrl-C raises KeyboardInterrupt instead."},
    {LEINAO_STATE, "StateError", &PyExc_RuntimeError,
     "A call not allowed now, e.g. adding a population after the first run (STATE)."},
    {LEINAO_NUMERIC, "NumericError", &PyExc_ArithmeticError,
     "A state variable became NaN or diverged; the message names neuron, time, variable "
     "(NUMERIC)."},
    {LEINAO_UNSUPPORTED, "UnsupportedError", &PyExc_NotImplementedError,
     "Not supported by this build (UNSUPPORTED)."},
    {LEINAO_GUARD, "GuardError", &PyExc_RuntimeError,
     "A rate guard stopped the run (GUARD)."},
};

static PyObject *exception_for(leinao_status st)
{
    if ((int)st > 0 && (int)st < N_STATUS && exception_types[st])
        return exception_types[st];
    return exception_types[LEINAO_ERROR];
}

/* Raises the exception of status `st` with `message`, and the error detail as attributes:
 * status (int), status_name, argument, parameter (None when empty), index (None when -1). */
static PyObject *raise_leinao(leinao_status st, const char *message, const leinao_error_info *info)
{
    PyObject *type = exception_for(st);
    PyObject *exc = PyObject_CallFunction(type, "s", message && message[0] ? message
                                                                            : leinao_strerror(st));
    if (!exc)
        return NULL;
    PyObject *index = info && info->index >= 0 ? PyLong_FromLongLong(info->index) : Py_NewRef(Py_None);
    PyObject *arg = info && info->argument && info->argument[0] ? PyUnicode_FromString(info->argument)
                                                                : Py_NewRef(Py_None);
    PyObject *param = info && info->parameter && info->parameter[0]
                          ? PyUnicode_FromString(info->parameter)
                          : Py_NewRef(Py_None);
    PyObject *code = PyLong_FromLong((long)st);
    PyObject *name = PyUnicode_FromString(leinao_status_name(st));
    int bad = !index || !arg || !param || !code || !name ||
              PyObject_SetAttrString(exc, "status", code) < 0 ||
              PyObject_SetAttrString(exc, "status_name", name) < 0 ||
              PyObject_SetAttrString(exc, "argument", arg) < 0 ||
              PyObject_SetAttrString(exc, "parameter", param) < 0 ||
              PyObject_SetAttrString(exc, "index", index) < 0;
    Py_XDECREF(index);
    Py_XDECREF(arg);
    Py_XDECREF(param);
    Py_XDECREF(code);
    Py_XDECREF(name);
    if (!bad)
        PyErr_SetObject(type, exc);
    Py_DECREF(exc);
    return NULL;
}

/* ---- The handle ---------------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    leinao_sim *sim;
    int busy; /* 1 while a call runs without the GIL: another thread must not enter */
} Handle;

static PyObject *fail(Handle *h, leinao_status st)
{
    leinao_error_info info;
    leinao_error_detail(h->sim, &info);
    return raise_leinao(st, leinao_errmsg(h->sim), &info);
}

static int usable(Handle *h)
{
    if (!h->sim) {
        raise_leinao(LEINAO_STATE, "the simulator is closed", NULL);
        return 0;
    }
    if (h->busy) {
        raise_leinao(LEINAO_STATE, "the simulator is running in another thread", NULL);
        return 0;
    }
    return 1;
}

#define USABLE(h)                                                                            \
    do {                                                                                     \
        if (!usable(h))                                                                      \
            return NULL;                                                                     \
    } while (0)

#define CHECK(h, call)                                                                       \
    do {                                                                                     \
        leinao_status st_ = (call);                                                          \
        if (st_)                                                                             \
            return fail(h, st_);                                                             \
    } while (0)

static PyObject *Handle_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    (void)args;
    (void)kwds;
    Handle *h = (Handle *)type->tp_alloc(type, 0);
    if (!h)
        return NULL;
    if (leinao_open(&h->sim)) {
        Py_DECREF(h);
        return PyErr_NoMemory();
    }
    return (PyObject *)h;
}

static void close_handle(Handle *h)
{
    leinao_sim *sim = h->sim;
    h->sim = NULL;
    if (sim) {
        Py_BEGIN_ALLOW_THREADS
        leinao_close(sim); /* joins the worker threads */
        Py_END_ALLOW_THREADS
    }
}

static void Handle_dealloc(Handle *h)
{
    close_handle(h);
    Py_TYPE(h)->tp_free((PyObject *)h);
}

static PyObject *Handle_close(Handle *h, PyObject *unused)
{
    (void)unused;
    if (h->busy)
        return raise_leinao(LEINAO_STATE, "the simulator is running in another thread", NULL);
    close_handle(h);
    Py_RETURN_NONE;
}

static PyObject *Handle_closed(Handle *h, void *unused)
{
    (void)unused;
    return PyBool_FromLong(h->sim == NULL);
}

/* A 1-D C-contiguous array of `type` from any sequence (safe casts only); NULL with an
 * exception otherwise. */
static PyArrayObject *as_array(PyObject *obj, int type)
{
    return (PyArrayObject *)PyArray_FROMANY(obj, type, 1, 1, NPY_ARRAY_IN_ARRAY);
}

static PyObject *new_array(size_t n, int type, const void *data, size_t elem)
{
    npy_intp dims[1] = {(npy_intp)n};
    PyObject *a = PyArray_SimpleNew(1, dims, type);
    if (a && n)
        memcpy(PyArray_DATA((PyArrayObject *)a), data, n * elem);
    return a;
}

/* ---- Configuration ------------------------------------------------------------------- */

static PyObject *Handle_configure(Handle *h, PyObject *args)
{
    double dt, duration;
    unsigned long long seed;
    int threads;
    if (!PyArg_ParseTuple(args, "ddKi", &dt, &duration, &seed, &threads))
        return NULL;
    USABLE(h);
    CHECK(h, leinao_configure(h->sim, dt, duration, (uint64_t)seed, threads));
    Py_RETURN_NONE;
}

static PyObject *Handle_set_transient(Handle *h, PyObject *args)
{
    double t;
    if (!PyArg_ParseTuple(args, "d", &t))
        return NULL;
    USABLE(h);
    CHECK(h, leinao_set_transient(h->sim, t));
    Py_RETURN_NONE;
}

static PyObject *Handle_set_name(Handle *h, PyObject *args)
{
    const char *name;
    if (!PyArg_ParseTuple(args, "s", &name))
        return NULL;
    USABLE(h);
    CHECK(h, leinao_set_name(h->sim, name));
    Py_RETURN_NONE;
}

static PyObject *Handle_set_rate_guard(Handle *h, PyObject *args)
{
    int pop;
    double lo, hi, window;
    if (!PyArg_ParseTuple(args, "iddd", &pop, &lo, &hi, &window))
        return NULL;
    USABLE(h);
    CHECK(h, leinao_set_rate_guard(h->sim, pop, lo, hi, window));
    Py_RETURN_NONE;
}

static PyObject *Handle_add_population(Handle *h, PyObject *args)
{
    const char *name, *model;
    unsigned long long size;
    int id = -1;
    if (!PyArg_ParseTuple(args, "ssK", &name, &model, &size))
        return NULL;
    USABLE(h);
    CHECK(h, leinao_add_population(h->sim, name, model, (uint64_t)size, &id));
    return PyLong_FromLong(id);
}

static PyObject *Handle_population_count(Handle *h, PyObject *unused)
{
    (void)unused;
    USABLE(h);
    return PyLong_FromLong(leinao_population_count(h->sim));
}

static PyObject *Handle_population_id(Handle *h, PyObject *args)
{
    const char *name;
    if (!PyArg_ParseTuple(args, "s", &name))
        return NULL;
    USABLE(h);
    return PyLong_FromLong(leinao_population_id(h->sim, name));
}

static PyObject *Handle_set_param(Handle *h, PyObject *args)
{
    int pop;
    const char *name;
    double value;
    if (!PyArg_ParseTuple(args, "isd", &pop, &name, &value))
        return NULL;
    USABLE(h);
    CHECK(h, leinao_set_param(h->sim, pop, name, value));
    Py_RETURN_NONE;
}

typedef leinao_status (*values_fn)(leinao_sim *, int, const char *, const double *, size_t);

static PyObject *set_values(Handle *h, PyObject *args, values_fn fn)
{
    int pop;
    const char *name;
    PyObject *obj;
    if (!PyArg_ParseTuple(args, "isO", &pop, &name, &obj))
        return NULL;
    USABLE(h);
    PyArrayObject *a = as_array(obj, NPY_DOUBLE);
    if (!a)
        return NULL;
    leinao_status st = fn(h->sim, pop, name, (const double *)PyArray_DATA(a), (size_t)PyArray_SIZE(a));
    Py_DECREF(a);
    if (st)
        return fail(h, st);
    Py_RETURN_NONE;
}

static PyObject *Handle_set_param_array(Handle *h, PyObject *args)
{
    return set_values(h, args, leinao_set_param_array);
}

static PyObject *Handle_set_param_values(Handle *h, PyObject *args)
{
    return set_values(h, args, leinao_set_param_values);
}

static PyObject *Handle_set_init_values(Handle *h, PyObject *args)
{
    return set_values(h, args, leinao_set_init_values);
}

/* A distribution as the tuple (kind, a, b, low, high). */
static int parse_dist(PyObject *obj, void *out)
{
    leinao_dist *d = out;
    int kind;
    if (!PyArg_ParseTuple(obj, "idddd", &kind, &d->a, &d->b, &d->low, &d->high))
        return 0;
    d->kind = (leinao_dist_kind)kind;
    return 1;
}

static PyObject *Handle_set_init(Handle *h, PyObject *args)
{
    int pop;
    const char *var;
    leinao_dist d;
    if (!PyArg_ParseTuple(args, "isO&", &pop, &var, parse_dist, &d))
        return NULL;
    USABLE(h);
    CHECK(h, leinao_set_init(h->sim, pop, var, &d));
    Py_RETURN_NONE;
}

static PyObject *Handle_check_population(Handle *h, PyObject *args)
{
    int pop;
    if (!PyArg_ParseTuple(args, "i", &pop))
        return NULL;
    USABLE(h);
    CHECK(h, leinao_check_population(h->sim, pop));
    Py_RETURN_NONE;
}

/* ---- Connections --------------------------------------------------------------------- */

static PyObject *Handle_connect(Handle *h, PyObject *args)
{
    int src, tgt, kind, autapses, multapses, id = -1;
    double p;
    unsigned long long n;
    leinao_dist w, d;
    if (!PyArg_ParseTuple(args, "ii(idKpp)O&O&", &src, &tgt, &kind, &p, &n, &autapses,
                          &multapses, parse_dist, &w, parse_dist, &d))
        return NULL;
    USABLE(h);
    leinao_rule rule = leinao_rule_default((leinao_rule_kind)kind);
    rule.kind = (leinao_rule_kind)kind;
    rule.p = p;
    rule.n = (uint64_t)n;
    rule.allow_autapses = autapses;
    rule.allow_multapses = multapses;
    CHECK(h, leinao_connect(h->sim, src, tgt, &rule, &w, &d, &id));
    return PyLong_FromLong(id);
}

static PyObject *Handle_connect_explicit(Handle *h, PyObject *args)
{
    int src, tgt, id = -1;
    PyObject *so, *to, *wo, *dobj;
    if (!PyArg_ParseTuple(args, "iiOOOO", &src, &tgt, &so, &to, &wo, &dobj))
        return NULL;
    USABLE(h);
    PyArrayObject *s = as_array(so, NPY_UINT32), *t = s ? as_array(to, NPY_UINT32) : NULL;
    PyArrayObject *w = t && wo != Py_None ? as_array(wo, NPY_DOUBLE) : NULL;
    PyArrayObject *d = t && (wo == Py_None || w) && dobj != Py_None ? as_array(dobj, NPY_DOUBLE)
                                                                     : NULL;
    PyObject *result = NULL;
    if (!t || (wo != Py_None && !w) || (dobj != Py_None && !d))
        goto done;
    size_t n = (size_t)PyArray_SIZE(s);
    if ((size_t)PyArray_SIZE(t) != n || (w && (size_t)PyArray_SIZE(w) != n) ||
        (d && (size_t)PyArray_SIZE(d) != n)) {
        PyErr_SetString(exception_types[LEINAO_INVALID],
                        "sources, targets, weights and delays must have the same length");
        goto done;
    }
    leinao_status st = leinao_connect_explicit(
        h->sim, src, tgt, n, (const uint32_t *)PyArray_DATA(s), (const uint32_t *)PyArray_DATA(t),
        w ? (const double *)PyArray_DATA(w) : NULL, d ? (const double *)PyArray_DATA(d) : NULL, &id);
    result = st ? fail(h, st) : PyLong_FromLong(id);
done:
    Py_XDECREF(s);
    Py_XDECREF(t);
    Py_XDECREF(w);
    Py_XDECREF(d);
    return result;
}

/* set_connections(proj, weights|None, delays|None): every synapse's value, storage order. */
static PyObject *Handle_set_connections(Handle *h, PyObject *args)
{
    int proj;
    PyObject *wo, *dobj;
    if (!PyArg_ParseTuple(args, "iOO", &proj, &wo, &dobj))
        return NULL;
    USABLE(h);
    PyArrayObject *w = wo != Py_None ? as_array(wo, NPY_DOUBLE) : NULL;
    PyArrayObject *d = (wo == Py_None || w) && dobj != Py_None ? as_array(dobj, NPY_DOUBLE) : NULL;
    PyObject *result = NULL;
    if ((wo != Py_None && !w) || (dobj != Py_None && !d))
        goto done;
    size_t n = w ? (size_t)PyArray_SIZE(w) : d ? (size_t)PyArray_SIZE(d) : 0;
    if (w && d && (size_t)PyArray_SIZE(d) != n) {
        PyErr_SetString(exception_types[LEINAO_INVALID],
                        "weights and delays must have the same length");
        goto done;
    }
    if (!w && !d) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    leinao_status st = leinao_set_connections(h->sim, proj, n,
                                              w ? (const double *)PyArray_DATA(w) : NULL,
                                              d ? (const double *)PyArray_DATA(d) : NULL);
    result = st ? fail(h, st) : Py_NewRef(Py_None);
done:
    Py_XDECREF(w);
    Py_XDECREF(d);
    return result;
}

static PyObject *Handle_reserve_max_delay(Handle *h, PyObject *args)
{
    double ms;
    if (!PyArg_ParseTuple(args, "d", &ms))
        return NULL;
    USABLE(h);
    CHECK(h, leinao_reserve_max_delay(h->sim, ms));
    Py_RETURN_NONE;
}

static PyObject *Handle_set_synapse(Handle *h, PyObject *args)
{
    int proj;
    const char *model;
    if (!PyArg_ParseTuple(args, "is", &proj, &model))
        return NULL;
    USABLE(h);
    CHECK(h, leinao_set_synapse(h->sim, proj, model));
    Py_RETURN_NONE;
}

/* set_synapse_params(proj, names, values): two sequences of equal length. */
static PyObject *Handle_set_synapse_params(Handle *h, PyObject *args)
{
    int proj;
    PyObject *names_obj, *values_obj;
    if (!PyArg_ParseTuple(args, "iOO", &proj, &names_obj, &values_obj))
        return NULL;
    USABLE(h);
    PyObject *names = PySequence_Fast(names_obj, "names must be a sequence");
    if (!names)
        return NULL;
    PyArrayObject *values = as_array(values_obj, NPY_DOUBLE);
    Py_ssize_t n = PySequence_Fast_GET_SIZE(names);
    const char **cnames = values ? PyMem_Calloc(n ? (size_t)n : 1, sizeof *cnames) : NULL;
    PyObject *result = NULL;
    if (!cnames)
        goto done;
    if (PyArray_SIZE(values) != n) {
        PyErr_SetString(PyExc_ValueError, "names and values must have the same length");
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        if (!(cnames[i] = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(names, i))))
            goto done;
    leinao_status st = leinao_set_synapse_params(h->sim, proj, (size_t)n, cnames,
                                                 (const double *)PyArray_DATA(values));
    result = st ? fail(h, st) : Py_NewRef(Py_None);
done:
    PyMem_Free(cnames);
    Py_XDECREF(values);
    Py_DECREF(names);
    return result;
}

/* ---- Recordings ---------------------------------------------------------------------- */

static PyObject *Handle_record_spikes(Handle *h, PyObject *args)
{
    int pop;
    const char *path, *format;
    if (!PyArg_ParseTuple(args, "izs", &pop, &path, &format))
        return NULL;
    USABLE(h);
    CHECK(h, leinao_record_spikes(h->sim, pop, path, format));
    Py_RETURN_NONE;
}

/* record_state(pop, vars, neurons or None, interval, path or None, format) */
static PyObject *Handle_record_state(Handle *h, PyObject *args)
{
    int pop;
    PyObject *vars_obj, *neurons_obj;
    double interval;
    const char *path, *format;
    if (!PyArg_ParseTuple(args, "iOOdzs", &pop, &vars_obj, &neurons_obj, &interval, &path, &format))
        return NULL;
    USABLE(h);
    PyObject *vars = PySequence_Fast(vars_obj, "variables must be a sequence of names");
    if (!vars)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(vars);
    const char **names = PyMem_Calloc(n ? (size_t)n : 1, sizeof *names);
    PyArrayObject *neurons = NULL;
    PyObject *result = NULL;
    if (!names) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        if (!(names[i] = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(vars, i))))
            goto done;
    if (neurons_obj != Py_None && !(neurons = as_array(neurons_obj, NPY_UINT32)))
        goto done;
    leinao_status st = leinao_record_state(
        h->sim, pop, names, (size_t)n, neurons ? (const uint32_t *)PyArray_DATA(neurons) : NULL,
        neurons ? (size_t)PyArray_SIZE(neurons) : 0, interval, path, format);
    result = st ? fail(h, st) : Py_NewRef(Py_None);
done:
    Py_XDECREF(neurons);
    PyMem_Free(names);
    Py_DECREF(vars);
    return result;
}

static PyObject *Handle_recording(Handle *h, PyObject *args)
{
    int i;
    if (!PyArg_ParseTuple(args, "i", &i))
        return NULL;
    USABLE(h);
    const char *type = NULL, *format = NULL;
    const char *path = leinao_recording(h->sim, i, &type, &format);
    if (!path)
        Py_RETURN_NONE;
    return Py_BuildValue("(sss)", path, type, format);
}

/* (times float64 ms, ids uint32), copies: the handle's arrays change at the next run. */
static PyObject *Handle_get_spikes(Handle *h, PyObject *args)
{
    int pop;
    if (!PyArg_ParseTuple(args, "i", &pop))
        return NULL;
    USABLE(h);
    const double *times;
    const uint32_t *ids;
    size_t n;
    CHECK(h, leinao_get_spikes(h->sim, pop, &times, &ids, &n));
    PyObject *t = new_array(n, NPY_DOUBLE, times, sizeof *times);
    PyObject *i = t ? new_array(n, NPY_UINT32, ids, sizeof *ids) : NULL;
    if (!i) {
        Py_XDECREF(t);
        return NULL;
    }
    return Py_BuildValue("(NN)", t, i);
}

/* (times, values[frame, column]) copies. */
static PyObject *Handle_get_state(Handle *h, PyObject *args)
{
    int rec;
    if (!PyArg_ParseTuple(args, "i", &rec))
        return NULL;
    USABLE(h);
    const double *times, *values;
    size_t frames, columns;
    CHECK(h, leinao_get_state(h->sim, rec, &times, &values, &frames, &columns));
    PyObject *t = new_array(frames, NPY_DOUBLE, times, sizeof *times);
    npy_intp dims[2] = {(npy_intp)frames, (npy_intp)columns};
    PyObject *v = t ? PyArray_SimpleNew(2, dims, NPY_DOUBLE) : NULL;
    if (!v) {
        Py_XDECREF(t);
        return NULL;
    }
    if (frames && columns)
        memcpy(PyArray_DATA((PyArrayObject *)v), values, frames * columns * sizeof *values);
    return Py_BuildValue("(NN)", t, v);
}

static PyObject *Handle_set_output_dir(Handle *h, PyObject *args)
{
    const char *dir;
    int overwrite;
    if (!PyArg_ParseTuple(args, "sp", &dir, &overwrite))
        return NULL;
    USABLE(h);
    CHECK(h, leinao_set_output_dir(h->sim, dir, overwrite));
    Py_RETURN_NONE;
}

static PyObject *Handle_load_model(Handle *h, PyObject *args)
{
    const char *path;
    PyObject *over_obj;
    if (!PyArg_ParseTuple(args, "sO", &path, &over_obj))
        return NULL;
    USABLE(h);
    PyObject *over = PySequence_Fast(over_obj, "overrides must be a sequence of strings");
    if (!over)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(over);
    const char **items = PyMem_Calloc(n ? (size_t)n : 1, sizeof *items);
    PyObject *result = NULL;
    if (!items) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        if (!(items[i] = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(over, i))))
            goto done;
    leinao_status st = leinao_load_model(h->sim, path, items, (size_t)n);
    result = st ? fail(h, st) : Py_NewRef(Py_None);
done:
    PyMem_Free(items);
    Py_DECREF(over);
    return result;
}

/* ---- Build and run ------------------------------------------------------------------- */

static PyObject *Handle_estimate(Handle *h, PyObject *unused)
{
    (void)unused;
    USABLE(h);
    leinao_estimate e;
    CHECK(h, leinao_estimate_size(h->sim, &e));
    return Py_BuildValue("{s:K,s:K,s:K,s:K,s:i,s:i,s:d,s:d}", "neurons",
                         (unsigned long long)e.neurons, "devices", (unsigned long long)e.devices,
                         "synapses", (unsigned long long)e.synapses, "bytes",
                         (unsigned long long)e.bytes, "populations", e.populations, "projections",
                         e.projections, "min_delay", e.min_delay, "max_delay", e.max_delay);
}

static PyObject *Handle_build(Handle *h, PyObject *unused)
{
    (void)unused;
    USABLE(h);
    leinao_status st;
    h->busy = 1;
    Py_BEGIN_ALLOW_THREADS
    st = leinao_build(h->sim);
    Py_END_ALLOW_THREADS
    h->busy = 0;
    if (st)
        return fail(h, st);
    Py_RETURN_NONE;
}

/* While running without the GIL, the progress callback takes it back at most every
 * CHECK_INTERVAL wall seconds (and when a Python callback is given) to look for Ctrl-C
 * (PyErr_CheckSignals runs the signal handlers: KeyboardInterrupt is raised there) and to call
 * the callback. A pending exception stops the run at the end of the slice. */
#define CHECK_INTERVAL 0.05

typedef struct run_context {
    PyThreadState *thread;
    PyObject *callback; /* callable(t, duration, wall, spikes) or NULL */
    double last;
} run_context;

static int on_progress(void *user, const leinao_progress *p)
{
    run_context *c = user;
    if (p->wall - c->last < CHECK_INTERVAL && p->t < p->duration)
        return 0;
    c->last = p->wall;
    PyEval_RestoreThread(c->thread);
    int stop = PyErr_CheckSignals() < 0;
    if (!stop && c->callback) {
        PyObject *r = PyObject_CallFunction(c->callback, "dddK", p->t, p->duration, p->wall,
                                            (unsigned long long)p->spikes);
        stop = r == NULL;
        Py_XDECREF(r);
    }
    c->thread = PyEval_SaveThread();
    return stop;
}

static PyObject *run_with(Handle *h, double span, int to_duration, PyObject *callback)
{
    if (callback == Py_None)
        callback = NULL;
    if (callback && !PyCallable_Check(callback)) {
        PyErr_SetString(PyExc_TypeError, "progress must be callable");
        return NULL;
    }
    USABLE(h);
    run_context c = {NULL, callback, 0.0};
    leinao_status st;
    h->busy = 1;
    c.thread = PyEval_SaveThread();
    st = to_duration ? leinao_run(h->sim, on_progress, &c)
                     : leinao_simulate(h->sim, span, on_progress, &c);
    PyEval_RestoreThread(c.thread);
    h->busy = 0;
    if (st == LEINAO_INTERRUPTED && PyErr_Occurred())
        return NULL; /* KeyboardInterrupt or the callback's exception; the run may go on */
    if (st)
        return fail(h, st);
    if (PyErr_CheckSignals() < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *Handle_run(Handle *h, PyObject *args)
{
    PyObject *callback = Py_None;
    if (!PyArg_ParseTuple(args, "|O", &callback))
        return NULL;
    return run_with(h, 0.0, 1, callback);
}

static PyObject *Handle_simulate(Handle *h, PyObject *args)
{
    double span;
    PyObject *callback = Py_None;
    if (!PyArg_ParseTuple(args, "d|O", &span, &callback))
        return NULL;
    return run_with(h, span, 0, callback);
}

static PyObject *Handle_finish(Handle *h, PyObject *unused)
{
    (void)unused;
    USABLE(h);
    leinao_status st;
    h->busy = 1;
    Py_BEGIN_ALLOW_THREADS
    st = leinao_finish(h->sim);
    Py_END_ALLOW_THREADS
    h->busy = 0;
    if (st)
        return fail(h, st);
    Py_RETURN_NONE;
}

/* ---- Results ------------------------------------------------------------------------- */

static PyObject *Handle_population_stats(Handle *h, PyObject *args)
{
    int pop;
    if (!PyArg_ParseTuple(args, "i", &pop))
        return NULL;
    USABLE(h);
    leinao_population_stats s;
    CHECK(h, leinao_get_population_stats(h->sim, pop, &s));
    return Py_BuildValue("{s:s,s:s,s:K,s:O,s:K,s:d,s:d}", "name", s.name, "model", s.model,
                         "size", (unsigned long long)s.size, "is_device",
                         s.is_device ? Py_True : Py_False, "spikes", (unsigned long long)s.spikes,
                         "rate", s.rate, "cv_isi", s.cv_isi);
}

static PyObject *Handle_run_stats(Handle *h, PyObject *unused)
{
    (void)unused;
    USABLE(h);
    leinao_run_stats s;
    CHECK(h, leinao_get_run_stats(h->sim, &s));
    return Py_BuildValue(
        "{s:s,s:K,s:K,s:K,s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:K,s:K,s:i,s:O,s:i}", "name",
        s.name ? s.name : "", "neurons", (unsigned long long)s.neurons, "synapses",
        (unsigned long long)s.synapses, "events", (unsigned long long)s.events, "build_wall",
        s.build_wall, "run_wall", s.run_wall, "update_wall", s.update_wall, "exchange_wall",
        s.exchange_wall, "deliver_wall", s.deliver_wall, "t_simulated", s.t_simulated,
        "real_time_factor", s.real_time_factor, "events_per_second", s.events_per_second,
        "peak_bytes", (unsigned long long)s.peak_bytes, "seed", (unsigned long long)s.seed,
        "threads", s.threads, "interrupted", s.interrupted ? Py_True : Py_False, "populations",
        s.populations);
}

static PyObject *Handle_projection_count(Handle *h, PyObject *unused)
{
    (void)unused;
    USABLE(h);
    return PyLong_FromLong(leinao_projection_count(h->sim));
}

static PyObject *Handle_projection_stats(Handle *h, PyObject *args)
{
    int proj;
    if (!PyArg_ParseTuple(args, "i", &proj))
        return NULL;
    USABLE(h);
    leinao_projection_stats s;
    CHECK(h, leinao_get_projection_stats(h->sim, proj, &s));
    return Py_BuildValue("{s:i,s:i,s:s,s:K,s:d,s:d,s:d,s:d}", "source", s.source, "target",
                         s.target, "synapse_model", s.synapse_model ? s.synapse_model : "",
                         "synapses", (unsigned long long)s.synapses, "weight_mean_initial",
                         s.weight_mean_initial, "weight_mean", s.weight_mean, "weight_min",
                         s.weight_min, "weight_max", s.weight_max);
}

/* get_values(pop, name, size) -> float64 array: a parameter's effective value per element or a
 * state variable's value now (after build). */
static PyObject *Handle_get_values(Handle *h, PyObject *args)
{
    int pop;
    const char *name;
    Py_ssize_t size;
    if (!PyArg_ParseTuple(args, "isn", &pop, &name, &size))
        return NULL;
    USABLE(h);
    if (size < 0) {
        PyErr_SetString(PyExc_ValueError, "size must be >= 0");
        return NULL;
    }
    npy_intp dims[1] = {(npy_intp)size};
    PyObject *a = PyArray_SimpleNew(1, dims, NPY_DOUBLE);
    if (!a)
        return NULL;
    leinao_status st = leinao_get_param_values(h->sim, pop, name,
                                               (double *)PyArray_DATA((PyArrayObject *)a),
                                               (size_t)size);
    if (st) {
        Py_DECREF(a);
        return fail(h, st);
    }
    return a;
}

/* (sources uint32, targets uint32, weights float64, delays float64) in storage order. */
static PyObject *Handle_get_connections(Handle *h, PyObject *args)
{
    int proj;
    if (!PyArg_ParseTuple(args, "i", &proj))
        return NULL;
    USABLE(h);
    size_t n = 0;
    CHECK(h, leinao_get_connections(h->sim, proj, &n, NULL, NULL, NULL, NULL));
    npy_intp dims[1] = {(npy_intp)n};
    PyObject *s = PyArray_SimpleNew(1, dims, NPY_UINT32);
    PyObject *t = PyArray_SimpleNew(1, dims, NPY_UINT32);
    PyObject *w = PyArray_SimpleNew(1, dims, NPY_DOUBLE);
    PyObject *d = PyArray_SimpleNew(1, dims, NPY_DOUBLE);
    if (!s || !t || !w || !d)
        goto error;
    leinao_status st = leinao_get_connections(
        h->sim, proj, &n, PyArray_DATA((PyArrayObject *)s), PyArray_DATA((PyArrayObject *)t),
        PyArray_DATA((PyArrayObject *)w), PyArray_DATA((PyArrayObject *)d));
    if (st) {
        fail(h, st);
        goto error;
    }
    return Py_BuildValue("(NNNN)", s, t, w, d);
error:
    Py_XDECREF(s);
    Py_XDECREF(t);
    Py_XDECREF(w);
    Py_XDECREF(d);
    return NULL;
}

static PyObject *Handle_errmsg(Handle *h, PyObject *unused)
{
    (void)unused;
    USABLE(h);
    return PyUnicode_FromString(leinao_errmsg(h->sim));
}

#define METHOD(name, flags, doc) {#name, (PyCFunction)(void (*)(void))Handle_##name, flags, doc}

static PyMethodDef Handle_methods[] = {
    METHOD(close, METH_NOARGS, "close(): frees the simulation (closes its files)"),
    METHOD(configure, METH_VARARGS, "configure(dt, duration, seed, threads)"),
    METHOD(set_transient, METH_VARARGS, "set_transient(ms)"),
    METHOD(set_name, METH_VARARGS, "set_name(name)"),
    METHOD(set_rate_guard, METH_VARARGS, "set_rate_guard(pop, min_rate, max_rate, window)"),
    METHOD(add_population, METH_VARARGS, "add_population(name, model, size) -> id"),
    METHOD(population_count, METH_NOARGS, "population_count() -> int"),
    METHOD(population_id, METH_VARARGS, "population_id(name) -> id or -1"),
    METHOD(set_param, METH_VARARGS, "set_param(pop, name, value)"),
    METHOD(set_param_array, METH_VARARGS, "set_param_array(pop, name, values)"),
    METHOD(set_param_values, METH_VARARGS, "set_param_values(pop, name, values per neuron)"),
    METHOD(set_init, METH_VARARGS, "set_init(pop, var, (kind, a, b, low, high))"),
    METHOD(set_init_values, METH_VARARGS, "set_init_values(pop, var, values per neuron)"),
    METHOD(check_population, METH_VARARGS, "check_population(pop)"),
    METHOD(connect, METH_VARARGS,
           "connect(src, tgt, (kind, p, n, autapses, multapses), weight dist, delay dist) -> id"),
    METHOD(connect_explicit, METH_VARARGS,
           "connect_explicit(src, tgt, sources, targets, weights|None, delays|None) -> id"),
    METHOD(set_synapse, METH_VARARGS, "set_synapse(proj, model)"),
    METHOD(reserve_max_delay, METH_VARARGS, "reserve_max_delay(ms): before build"),
    METHOD(set_connections, METH_VARARGS,
           "set_connections(proj, weights|None, delays|None): after build, between runs"),
    METHOD(set_synapse_params, METH_VARARGS, "set_synapse_params(proj, names, values)"),
    METHOD(record_spikes, METH_VARARGS, "record_spikes(pop, path|None, format)"),
    METHOD(record_state, METH_VARARGS,
           "record_state(pop, vars, neurons|None, interval, path|None, format)"),
    METHOD(recording, METH_VARARGS, "recording(i) -> (path, type, format) or None"),
    METHOD(get_spikes, METH_VARARGS, "get_spikes(pop) -> (times, ids)"),
    METHOD(get_state, METH_VARARGS, "get_state(recording) -> (times, values[frame, column])"),
    METHOD(set_output_dir, METH_VARARGS, "set_output_dir(dir, overwrite)"),
    METHOD(load_model, METH_VARARGS, "load_model(path, overrides)"),
    METHOD(estimate, METH_NOARGS, "estimate() -> dict"),
    METHOD(build, METH_NOARGS, "build() (GIL released)"),
    METHOD(run, METH_VARARGS, "run([progress]): up to the configured duration (GIL released)"),
    METHOD(simulate, METH_VARARGS, "simulate(span[, progress]) (GIL released)"),
    METHOD(finish, METH_NOARGS, "finish(): closes the outputs, writes summary.json"),
    METHOD(population_stats, METH_VARARGS, "population_stats(pop) -> dict"),
    METHOD(run_stats, METH_NOARGS, "run_stats() -> dict"),
    METHOD(projection_count, METH_NOARGS, "projection_count() -> int"),
    METHOD(projection_stats, METH_VARARGS, "projection_stats(proj) -> dict"),
    METHOD(get_values, METH_VARARGS, "get_values(pop, name, size) -> float64 array (after build)"),
    METHOD(get_connections, METH_VARARGS,
           "get_connections(proj) -> (sources, targets, weights, delays)"),
    METHOD(errmsg, METH_NOARGS, "errmsg() -> the last error message"),
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Handle_getset[] = {
    {"closed", (getter)Handle_closed, NULL, "True once closed", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject HandleType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "leinao._leinao.Handle",
    .tp_basicsize = sizeof(Handle),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A leinao_sim handle; the low-level layer under leinao.Simulator.",
    .tp_new = Handle_new,
    .tp_dealloc = (destructor)Handle_dealloc,
    .tp_methods = Handle_methods,
    .tp_getset = Handle_getset,
};

/* ---- Module functions ---------------------------------------------------------------- */

static PyObject *mod_version(PyObject *m, PyObject *unused)
{
    (void)m;
    (void)unused;
    return PyUnicode_FromString(leinao_version());
}

static PyObject *mod_features(PyObject *m, PyObject *unused)
{
    (void)m;
    (void)unused;
    return PyUnicode_FromString(leinao_features());
}

static PyObject *mod_models(PyObject *m, PyObject *unused)
{
    (void)m;
    (void)unused;
    int n = leinao_model_count();
    PyObject *list = PyList_New(0);
    for (int i = 0; list && i < n; i++) {
        PyObject *s = PyUnicode_FromString(leinao_model_name(i));
        if (!s || PyList_Append(list, s) < 0) {
            Py_XDECREF(s);
            Py_CLEAR(list);
            break;
        }
        Py_DECREF(s);
    }
    return list;
}

static PyObject *mod_model_kind(PyObject *m, PyObject *args)
{
    (void)m;
    const char *name;
    if (!PyArg_ParseTuple(args, "s", &name))
        return NULL;
    const char *kind = leinao_model_kind(name);
    if (!kind)
        Py_RETURN_NONE;
    return PyUnicode_FromString(kind);
}

static PyObject *mod_model_params(PyObject *m, PyObject *args)
{
    (void)m;
    const char *name;
    if (!PyArg_ParseTuple(args, "s", &name))
        return NULL;
    int n = leinao_model_param_count(name);
    if (n < 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "no model named '%s'", name);
        return raise_leinao(LEINAO_NOT_FOUND, msg, NULL);
    }
    PyObject *list = PyList_New(n);
    for (int i = 0; list && i < n; i++) {
        leinao_param_info p;
        leinao_model_param(name, i, &p);
        PyObject *row = Py_BuildValue("{s:s,s:s,s:d,s:s,s:O,s:O,s:s}", "name", p.name, "unit",
                                      p.unit, "default", p.default_value, "rule", p.rule,
                                      "is_state", p.is_state ? Py_True : Py_False, "hidden",
                                      p.hidden ? Py_True : Py_False, "doc", p.doc ? p.doc : "");
        if (!row) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, i, row);
    }
    return list;
}

static PyObject *mod_model_doc(PyObject *m, PyObject *args)
{
    (void)m;
    const char *name;
    if (!PyArg_ParseTuple(args, "s", &name))
        return NULL;
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f)
        return PyErr_NoMemory();
    leinao_status st = leinao_model_doc(name, f);
    fclose(f);
    PyObject *result = NULL;
    if (st) {
        char msg[256];
        snprintf(msg, sizeof msg, "no model named '%s'", name);
        raise_leinao(st, msg, NULL);
    } else {
        result = PyUnicode_FromStringAndSize(text, (Py_ssize_t)size);
    }
    free(text);
    return result;
}

static PyObject *mod_status_name(PyObject *m, PyObject *args)
{
    (void)m;
    int st;
    if (!PyArg_ParseTuple(args, "i", &st))
        return NULL;
    return PyUnicode_FromString(leinao_status_name((leinao_status)st));
}

static PyObject *mod_strerror(PyObject *m, PyObject *args)
{
    (void)m;
    int st;
    if (!PyArg_ParseTuple(args, "i", &st))
        return NULL;
    return PyUnicode_FromString(leinao_strerror((leinao_status)st));
}

/* plot(kind, data_file, out_file, t_from, t_to, populations|None, title|None, width, height,
 * max_neurons): kind "spikes" or "state"; drawn in a child process (isolated) as the CLI does. */
static PyObject *mod_plot(PyObject *m, PyObject *args)
{
    (void)m;
    const char *kind, *data, *out, *pops, *title;
    leinao_plot_options o;
    leinao_plot_options_default(&o);
    unsigned int max_neurons = o.max_neurons;
    if (!PyArg_ParseTuple(args, "sssddzziiI", &kind, &data, &out, &o.t_from, &o.t_to, &pops, &title,
                          &o.width, &o.height, &max_neurons))
        return NULL;
    o.populations = pops;
    o.title = title;
    o.max_neurons = max_neurons;
    o.isolated = 1;
    leinao_sim *sim;
    if (leinao_open(&sim))
        return PyErr_NoMemory();
    int state = !strcmp(kind, "state");
    leinao_status st;
    Py_BEGIN_ALLOW_THREADS
    st = state ? leinao_plot_state(sim, data, out, &o) : leinao_plot_spikes(sim, data, out, &o);
    Py_END_ALLOW_THREADS
    PyObject *result = NULL;
    if (st) {
        leinao_error_info info;
        leinao_error_detail(sim, &info);
        raise_leinao(st, leinao_errmsg(sim), &info);
    } else {
        result = Py_NewRef(Py_None);
    }
    leinao_close(sim);
    return result;
}

static PyMethodDef module_methods[] = {
    {"version", mod_version, METH_NOARGS, "version() -> the C library's version string"},
    {"features", mod_features, METH_NOARGS, "features() -> enabled features"},
    {"models", mod_models, METH_NOARGS, "models() -> names of the built-in models"},
    {"model_kind", mod_model_kind, METH_VARARGS, "model_kind(name) -> 'neuron'|'device'|'synapse'|None"},
    {"model_params", mod_model_params, METH_VARARGS, "model_params(name) -> list of dicts"},
    {"model_doc", mod_model_doc, METH_VARARGS, "model_doc(name) -> Markdown"},
    {"status_name", mod_status_name, METH_VARARGS, "status_name(code) -> 'NOMEM', ..."},
    {"strerror", mod_strerror, METH_VARARGS, "strerror(code) -> 'out of memory', ..."},
    {"plot", mod_plot, METH_VARARGS, "plot(kind, data, out, ...) -> None"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "leinao._leinao",
    .m_doc = "The C layer of leinao: libleinao's public API as a Python type (see leinao).",
    .m_size = -1,
    .m_methods = module_methods,
};

static int add_exceptions(PyObject *m)
{
    PyObject *base = PyErr_NewExceptionWithDoc(
        "leinao.LeinaoError",
        "Base of leinao's exceptions. Attributes: status (the leinao_status number), "
        "status_name, argument (the argument of the C call that failed, or None), parameter "
        "(the model parameter or state variable concerned, or None), index (the element or "
        "neuron concerned, or None).",
        NULL, NULL);
    if (!base || PyModule_AddObjectRef(m, "LeinaoError", base) < 0)
        return -1;
    exception_types[LEINAO_ERROR] = base;
    for (size_t i = 0; i < sizeof exception_specs / sizeof *exception_specs; i++) {
        const exception_spec *e = &exception_specs[i];
        char qualified[64];
        snprintf(qualified, sizeof qualified, "leinao.%s", e->name);
        PyObject *bases = e->builtin ? PyTuple_Pack(2, base, *e->builtin) : PyTuple_Pack(1, base);
        if (!bases)
            return -1;
        PyObject *type = PyErr_NewExceptionWithDoc(qualified, e->doc, bases, NULL);
        Py_DECREF(bases);
        if (!type || PyModule_AddObjectRef(m, e->name, type) < 0)
            return -1;
        exception_types[e->status] = type;
    }
    return 0;
}

PyMODINIT_FUNC PyInit__leinao(void)
{
    import_array();
    if (PyType_Ready(&HandleType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (!m)
        return NULL;
    if (PyModule_AddObjectRef(m, "Handle", (PyObject *)&HandleType) < 0 || add_exceptions(m) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
