/* model_file.c — reads a model file (YAML or JSON) into a simulation handle. Every value is
 * checked where it stands, and every error names file:line:column, the key, the value and the
 * rule it broke; unknown keys get the nearest valid key as a suggestion. A client of the public
 * API like any program: a failed call is mapped to its YAML node through leinao_error_detail
 * (which argument, parameter, element), never through the message text. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leinao.h"
#include "../base/params.h"
#include "yaml_tree.h"

typedef struct loader {
    leinao_sim *sim;
    lctx *ctx;     /* the loader's own allocations (the YAML tree), through the handle's allocator */
    char key[256]; /* dotted path of the node being read */
} loader;

/* Leaves a message formatted like printf on the handle and returns `status`. */
static leinao_status report(loader *L, leinao_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static leinao_status report(loader *L, leinao_status status, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return leinao_report_error(L->sim, status, msg);
}

/* An allocation of the loader's own failed. */
static leinao_status nomem(loader *L)
{
    return leinao_report_error(L->sim, LEINAO_NOMEM, "out of memory");
}

static leinao_status vfail(loader *L, const ynode *n, int line, int col, const char *fmt, va_list ap)
{
    char msg[700];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (n && line > 0)
        return report(L, LEINAO_MODEL_FILE, "%s:%d:%d: %s: %s", n->origin, line, col, L->key, msg);
    if (n)
        return report(L, LEINAO_MODEL_FILE, "--set %s: %s: %s", n->origin, L->key, msg);
    return report(L, LEINAO_MODEL_FILE, "%s: %s", L->key, msg);
}

static leinao_status fail(loader *L, const ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static leinao_status fail(loader *L, const ynode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    leinao_status st = vfail(L, n, n ? n->line : 0, n ? n->col : 0, fmt, ap);
    va_end(ap);
    return st;
}

/* Wraps the message of a failed API call with the node's location. */
static leinao_status api_fail(loader *L, const ynode *n, leinao_status st)
{
    if (st == LEINAO_NOMEM)
        return st;
    char detail[1024];
    snprintf(detail, sizeof detail, "%s", leinao_errmsg(L->sim));
    fail(L, n, "%s", detail);
    return st == LEINAO_NOT_FOUND || st == LEINAO_INVALID ? LEINAO_MODEL_FILE : st;
}

/* Which argument of the failed call the handle blames ("" if none). */
static leinao_error_info blamed(const loader *L)
{
    leinao_error_info e;
    leinao_error_detail(L->sim, &e);
    return e;
}

static int blames(const leinao_error_info *e, const char *argument)
{
    return !strcmp(e->argument, argument);
}

/* Item `index` of a list node (the element the API blamed), else the node itself. */
static ynode *item_or_node(ynode *n, int64_t index)
{
    return n && n->type == YN_SEQ && index >= 0 && (size_t)index < n->n ? n->items[index] : n;
}

/* Key path handling: push appends ".name" (or "[i]"), pop restores. */
static size_t push(loader *L, const char *name)
{
    size_t len = strlen(L->key);
    snprintf(L->key + len, sizeof L->key - len, "%s%s", len ? "." : "", name);
    return len;
}

static size_t push_index(loader *L, size_t i)
{
    size_t len = strlen(L->key);
    snprintf(L->key + len, sizeof L->key - len, ".%zu", i);
    return len;
}

static void pop(loader *L, size_t len)
{
    L->key[len] = 0;
}

static const char *nearest(const char *key, const char *const *allowed)
{
    lsuggest sg;
    lsuggest_init(&sg, key);
    for (int i = 0; allowed[i]; i++)
        lsuggest_offer(&sg, allowed[i]);
    return lsuggest_best(&sg);
}

/* Fails on the first key of `map` not in `allowed` (NULL-terminated). */
static leinao_status check_keys(loader *L, const ynode *map, const char *const *allowed)
{
    for (size_t i = 0; i < map->n; i++) {
        int ok = 0;
        for (int k = 0; allowed[k] && !ok; k++)
            ok = strcmp(map->keys[i], allowed[k]) == 0;
        if (ok)
            continue;
        const char *best = nearest(map->keys[i], allowed);
        char list[400] = "";
        for (int k = 0; allowed[k]; k++) {
            size_t len = strlen(list);
            snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "", allowed[k]);
        }
        const ynode *where = map->items[i];
        int line = map->key_line[i] ? map->key_line[i] : where->line;
        int col = map->key_line[i] ? map->key_col[i] : where->col;
        char msg[600];
        if (best)
            snprintf(msg, sizeof msg, "unknown key '%s' (did you mean '%s'?)", map->keys[i], best);
        else
            snprintf(msg, sizeof msg, "unknown key '%s' (valid keys: %s)", map->keys[i], list);
        if (line > 0)
            return report(L, LEINAO_MODEL_FILE, "%s:%d:%d: %s: %s", where->origin, line, col,
                          L->key[0] ? L->key : "(top level)", msg);
        return report(L, LEINAO_MODEL_FILE, "--set %s: %s: %s", where->origin,
                      L->key[0] ? L->key : "(top level)", msg);
    }
    return LEINAO_OK;
}

static leinao_status want(loader *L, const ynode *n, ynode_type type)
{
    if (n->type == type)
        return LEINAO_OK;
    const char *expected = type == YN_MAP ? "a mapping" : type == YN_SEQ ? "a list" : "a scalar";
    return fail(L, n, "must be %s, got %s", expected, ytree_type_name(n));
}

static int parse_double(const char *s, double *out)
{
    if (!strcmp(s, ".inf") || !strcmp(s, "inf") || !strcmp(s, ".Inf") || !strcmp(s, "+inf")) {
        *out = INFINITY;
        return 1;
    }
    if (!strcmp(s, "-.inf") || !strcmp(s, "-inf") || !strcmp(s, "-.Inf")) {
        *out = -INFINITY;
        return 1;
    }
    if (!*s || isspace((unsigned char)*s))
        return 0;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno == ERANGE || isnan(v) || isinf(v))
        return 0;
    *out = v;
    return 1;
}

static leinao_status as_number(loader *L, const ynode *n, double *out)
{
    if (n->type != YN_SCALAR)
        return fail(L, n, "must be a number, got %s", ytree_type_name(n));
    if (!n->plain || !parse_double(n->text, out))
        return fail(L, n, "must be a number, got '%s'", n->text);
    return LEINAO_OK;
}

static leinao_status as_count(loader *L, const ynode *n, uint64_t min, uint64_t *out)
{
    double v = 0.0;
    leinao_status st = as_number(L, n, &v);
    if (st)
        return st;
    if (v != floor(v) || v < 0 || v > 9.0e18)
        return fail(L, n, "must be a whole number, got %s", n->text);
    if (v < (double)min)
        return fail(L, n, "must be >= %llu, got %s", (unsigned long long)min, n->text);
    *out = (uint64_t)v;
    return LEINAO_OK;
}

static leinao_status as_bool(loader *L, const ynode *n, int *out)
{
    if (n->type == YN_SCALAR && n->plain) {
        if (!strcmp(n->text, "true") || !strcmp(n->text, "True") || !strcmp(n->text, "yes")) {
            *out = 1;
            return LEINAO_OK;
        }
        if (!strcmp(n->text, "false") || !strcmp(n->text, "False") || !strcmp(n->text, "no")) {
            *out = 0;
            return LEINAO_OK;
        }
    }
    return fail(L, n, "must be true or false, got %s",
                n->type == YN_SCALAR ? n->text : ytree_type_name(n));
}

static leinao_status as_string(loader *L, const ynode *n, const char **out)
{
    if (n->type != YN_SCALAR)
        return fail(L, n, "must be a name, got %s", ytree_type_name(n));
    *out = n->text;
    return LEINAO_OK;
}

/* A number, or {uniform: {low, high}}, {normal: {mean, std}},
 * {normal_clipped: {mean, std, low?, high?}}, {lognormal: {mu, sigma}}: the shape only. The
 * rules on the numbers (low <= high, std >= 0, ...) are the API's, which the caller reports at
 * dist_node. */
static leinao_status as_dist(loader *L, ynode *n, leinao_dist *d)
{
    static const char *const kinds[] = {"uniform", "normal", "normal_clipped", "lognormal", NULL};
    *d = (leinao_dist){LEINAO_DIST_CONSTANT, 0.0, 0.0, -INFINITY, INFINITY};
    if (n->type == YN_SCALAR)
        return as_number(L, n, &d->a);
    if (n->type != YN_MAP || n->n != 1)
        return fail(L, n, "must be a number or a distribution with one key (uniform, normal, "
                          "normal_clipped, lognormal)");
    leinao_status st = check_keys(L, n, kinds);
    if (st)
        return st;
    const char *kind = n->keys[0];
    ynode *spec = n->items[0];
    n->used[0] = 1;
    size_t mark = push(L, kind);
    if ((st = want(L, spec, YN_MAP))) {
        pop(L, mark);
        return st;
    }
    static const char *const uniform_keys[] = {"low", "high", NULL};
    static const char *const normal_keys[] = {"mean", "std", NULL};
    static const char *const clipped_keys[] = {"mean", "std", "low", "high", NULL};
    static const char *const lognormal_keys[] = {"mu", "sigma", NULL};
    const char *const *keys;
    int required;
    if (!strcmp(kind, "uniform")) {
        d->kind = LEINAO_DIST_UNIFORM;
        keys = uniform_keys;
        required = 2;
    } else if (!strcmp(kind, "normal")) {
        d->kind = LEINAO_DIST_NORMAL;
        keys = normal_keys;
        required = 2;
    } else if (!strcmp(kind, "normal_clipped")) {
        d->kind = LEINAO_DIST_NORMAL_CLIPPED;
        keys = clipped_keys;
        required = 2;
    } else {
        d->kind = LEINAO_DIST_LOGNORMAL;
        keys = lognormal_keys;
        required = 2;
    }
    st = check_keys(L, spec, keys);
    double *slots[4] = {&d->a, &d->b, &d->low, &d->high};
    if (d->kind == LEINAO_DIST_UNIFORM) {
        slots[0] = &d->a;
        slots[1] = &d->b;
    }
    for (int k = 0; !st && keys[k]; k++) {
        ynode *v = ytree_get(spec, keys[k]);
        size_t m2 = push(L, keys[k]);
        if (!v && k < required)
            st = fail(L, spec, "missing key '%s'", keys[k]);
        else if (v)
            st = as_number(L, v, slots[k]);
        pop(L, m2);
    }
    pop(L, mark);
    return st;
}

/* Where a failure of the distribution read from `n` is reported: at its parameters, its kind
 * pushed onto the key path (*mark: what to pop), or at the number itself. */
static ynode *dist_node(loader *L, ynode *n, size_t *mark)
{
    *mark = strlen(L->key);
    if (n && n->type == YN_MAP && n->n == 1) {
        push(L, n->keys[0]);
        return n->items[0];
    }
    return n;
}

static leinao_status load_simulation(loader *L, ynode *root)
{
    static const char *const keys[] = {"dt", "duration", "seed", "threads", "checkpoint_every",
                                       NULL};
    ynode *s = ytree_get(root, "simulation");
    double dt = LEINAO_DEFAULT_DT, duration = LEINAO_DEFAULT_DURATION;
    /* threads 0: one per core (results never depend on it) */
    uint64_t seed = LEINAO_DEFAULT_SEED, threads = 0;
    double checkpoint_every = 0.0;
    ynode *every = NULL;
    leinao_status st = LEINAO_OK;
    size_t mark = push(L, "simulation");
    if (s && !(st = want(L, s, YN_MAP)) && !(st = check_keys(L, s, keys))) {
        ynode *v;
        size_t m2;
#define FIELD(name, expr)                 \
    if ((v = ytree_get(s, name)) && !st) { \
        m2 = push(L, name);               \
        st = expr;                        \
        pop(L, m2);                       \
    }
        FIELD("dt", as_number(L, v, &dt));
        FIELD("duration", as_number(L, v, &duration));
        FIELD("seed", as_count(L, v, 0, &seed));
        FIELD("threads", as_count(L, v, 1, &threads));
        FIELD("checkpoint_every", as_number(L, (every = v), &checkpoint_every));
#undef FIELD
    }
    if (!st && threads > LEINAO_MAX_THREADS)
        threads = (uint64_t)LEINAO_MAX_THREADS + 1; /* refused by leinao_configure */
    if (!st && (st = leinao_configure(L->sim, dt, duration, seed, (int)threads))) {
        leinao_error_info e = blamed(L);
        ynode *at = s && e.argument[0] ? ytree_get(s, e.argument) : NULL;
        if (st == LEINAO_STATE)
            st = report(L, st, "a model file must be loaded into a fresh handle");
        else
            st = api_fail(L, at ? at : s ? s : root, st);
    }
    if (!st && every) {
        size_t m3 = push(L, "checkpoint_every");
        if ((st = leinao_set_checkpoint_every(L->sim, checkpoint_every)))
            st = api_fail(L, every, st);
        pop(L, m3);
    }
    pop(L, mark);
    return st;
}

static leinao_status load_analysis(loader *L, ynode *root)
{
    static const char *const keys[] = {"transient", NULL};
    ynode *a = ytree_get(root, "analysis");
    if (!a)
        return LEINAO_OK;
    size_t mark = push(L, "analysis");
    leinao_status st = want(L, a, YN_MAP);
    if (!st)
        st = check_keys(L, a, keys);
    ynode *t = st ? NULL : ytree_get(a, "transient");
    if (t) {
        double v;
        size_t m2 = push(L, "transient");
        st = as_number(L, t, &v);
        if (!st && (st = leinao_set_transient(L->sim, v)))
            st = api_fail(L, t, st);
        pop(L, m2);
    }
    pop(L, mark);
    return st;
}

/* guards: {rate: {min: 0, max: 500, window: 100}} for every population of neurons */
static leinao_status load_guards(loader *L, ynode *root)
{
    static const char *const keys[] = {"rate", NULL};
    static const char *const rate_keys[] = {"min", "max", "window", NULL};
    ynode *g = ytree_get(root, "guards");
    if (!g)
        return LEINAO_OK;
    size_t mark = push(L, "guards");
    leinao_status st = want(L, g, YN_MAP);
    if (!st)
        st = check_keys(L, g, keys);
    ynode *rate = st ? NULL : ytree_get(g, "rate");
    if (rate) {
        size_t m2 = push(L, "rate");
        double values[3] = {0.0, INFINITY, 100.0};
        if (!(st = want(L, rate, YN_MAP)) && !(st = check_keys(L, rate, rate_keys))) {
            for (int k = 0; k < 3 && !st; k++) {
                ynode *v = ytree_get(rate, rate_keys[k]);
                size_t m3 = push(L, rate_keys[k]);
                if (v)
                    st = as_number(L, v, &values[k]);
                pop(L, m3);
            }
        }
        if (!st && (st = leinao_set_rate_guard(L->sim, -1, values[0], values[1], values[2])))
            st = api_fail(L, rate, st);
        pop(L, m2);
    }
    pop(L, mark);
    return st;
}

static leinao_status load_params(loader *L, int id, ynode *params)
{
    leinao_status st = want(L, params, YN_MAP);
    for (size_t i = 0; !st && i < params->n; i++) {
        params->used[i] = 1;
        ynode *v = params->items[i];
        size_t mark = push(L, params->keys[i]);
        if (v->type == YN_SEQ) {
            double *values = lc_malloc(L->ctx, (v->n ? v->n : 1) * sizeof(double));
            if (!values)
                st = nomem(L);
            for (size_t k = 0; !st && k < v->n; k++) {
                size_t m2 = push_index(L, k);
                st = as_number(L, v->items[k], &values[k]);
                pop(L, m2);
            }
            if (!st && (st = leinao_set_param_array(L->sim, id, params->keys[i], values, v->n))) {
                leinao_error_info e = blamed(L);
                ynode *at = blames(&e, "values") ? item_or_node(v, e.index) : v;
                size_t m2 = at != v ? push_index(L, (size_t)e.index) : strlen(L->key);
                st = api_fail(L, at, st);
                pop(L, m2);
            }
            lc_free(L->ctx, values);
        } else {
            double value;
            st = as_number(L, v, &value);
            if (!st && (st = leinao_set_param(L->sim, id, params->keys[i], value)))
                st = api_fail(L, v, st);
        }
        pop(L, mark);
    }
    return st;
}

static leinao_status load_init(loader *L, int id, ynode *init)
{
    leinao_status st = want(L, init, YN_MAP);
    for (size_t i = 0; !st && i < init->n; i++) {
        init->used[i] = 1;
        ynode *v = init->items[i];
        size_t mark = push(L, init->keys[i]);
        leinao_dist d;
        st = as_dist(L, v, &d);
        if (!st && (st = leinao_set_init(L->sim, id, init->keys[i], &d))) {
            leinao_error_info e = blamed(L);
            size_t m2 = strlen(L->key);
            st = api_fail(L, blames(&e, "value") ? dist_node(L, v, &m2) : v, st);
            pop(L, m2);
        }
        pop(L, mark);
    }
    return st;
}

static leinao_status load_population(loader *L, const char *name, ynode *p)
{
    static const char *const keys[] = {"model", "size", "params", "init", NULL};
    leinao_status st = want(L, p, YN_MAP);
    if (!st)
        st = check_keys(L, p, keys);
    if (st)
        return st;
    ynode *model = ytree_get(p, "model"), *size = ytree_get(p, "size");
    if (!model)
        return fail(L, p, "missing key 'model' (e.g. model: iaf_psc_delta)");
    const char *model_name = "";
    uint64_t n = 1;
    size_t mark = push(L, "model");
    st = as_string(L, model, &model_name);
    pop(L, mark);
    if (!st && size) {
        double v = 0.0;
        mark = push(L, "size");
        st = as_number(L, size, &v);
        if (!st && !(v > 0.0))
            st = fail(L, size, "size must be > 0, got %s", size->text);
        if (!st)
            st = as_count(L, size, 1, &n);
        pop(L, mark);
    }
    int id = -1;
    if (!st && (st = leinao_add_population(L->sim, name, model_name, n, &id))) {
        leinao_error_info e = blamed(L);
        const char *key = blames(&e, "model") ? "model" : blames(&e, "size") ? "size" : NULL;
        mark = key ? push(L, key) : strlen(L->key);
        st = api_fail(L, blames(&e, "model") ? model : blames(&e, "size") && size ? size : p, st);
        pop(L, mark);
    }
    ynode *v;
    if (!st && (v = ytree_get(p, "params"))) {
        mark = push(L, "params");
        st = load_params(L, id, v);
        pop(L, mark);
    }
    if (!st && (v = ytree_get(p, "init"))) {
        mark = push(L, "init");
        st = load_init(L, id, v);
        pop(L, mark);
    }
    /* rules between parameters, reported at the population, or at the parameter (or list
     * element) a device's rule names */
    if (!st && (st = leinao_check_population(L->sim, id))) {
        leinao_error_info e = blamed(L);
        ynode *params = ytree_get(p, "params");
        ynode *at = (blames(&e, "param") || blames(&e, "values")) && params && *e.parameter
                        ? ytree_get(params, e.parameter)
                        : NULL;
        if (at) {
            mark = push(L, "params");
            push(L, e.parameter);
            ynode *item = blames(&e, "values") ? item_or_node(at, e.index) : at;
            if (item != at)
                push_index(L, (size_t)e.index);
            st = api_fail(L, item, st);
            pop(L, mark);
        } else {
            st = api_fail(L, p, st);
        }
    }
    return st;
}

static leinao_status load_populations(loader *L, ynode *root)
{
    ynode *pops = ytree_get(root, "populations");
    size_t mark = push(L, "populations");
    leinao_status st = LEINAO_OK;
    if (!pops)
        st = fail(L, root, "missing key 'populations'");
    else if (!(st = want(L, pops, YN_MAP)) && pops->n == 0)
        st = fail(L, pops, "must define at least one population");
    for (size_t i = 0; !st && i < pops->n; i++) {
        pops->used[i] = 1;
        size_t m2 = push(L, pops->keys[i]);
        st = load_population(L, pops->keys[i], pops->items[i]);
        pop(L, m2);
    }
    pop(L, mark);
    return st;
}

static leinao_status population_ref(loader *L, ynode *n, int *id)
{
    const char *name = "";
    leinao_status st = as_string(L, n, &name);
    if (st)
        return st;
    *id = leinao_population_id(L->sim, name);
    if (*id >= 0)
        return LEINAO_OK;
    lsuggest sg;
    lsuggest_init(&sg, name);
    leinao_population_stats info;
    for (int i = 0; i < leinao_population_count(L->sim); i++)
        if (!leinao_get_population_stats(L->sim, i, &info))
            lsuggest_offer(&sg, info.name);
    const char *best = lsuggest_best(&sg);
    if (best)
        return fail(L, n, "unknown population '%s' (did you mean '%s'?)", name, best);
    return fail(L, n, "unknown population '%s'", name);
}

static leinao_status load_rule(loader *L, ynode *n, leinao_rule *r)
{
    static const char *const names[] = {"all_to_all",      "one_to_one",
                                        "pairwise_bernoulli", "fixed_indegree",
                                        "fixed_outdegree", "fixed_total_number",
                                        "allow_autapses",  "allow_multapses",
                                        NULL};
    *r = leinao_rule_default(LEINAO_ALL_TO_ALL);
    if (n->type == YN_SCALAR) {
        for (int k = 0; k < 6; k++) {
            if (!strcmp(n->text, names[k])) {
                if (k >= 2)
                    return fail(L, n, "%s needs a value, e.g. {%s: %s}", names[k], names[k],
                                k == 2 ? "0.1" : "100");
                r->kind = (leinao_rule_kind)k;
                return LEINAO_OK;
            }
        }
        const char *best = nearest(n->text, names);
        if (best)
            return fail(L, n, "unknown rule '%s' (did you mean '%s'?)", n->text, best);
        return fail(L, n, "unknown rule '%s'", n->text);
    }
    leinao_status st = want(L, n, YN_MAP);
    if (!st)
        st = check_keys(L, n, names);
    int found = -1;
    for (size_t i = 0; !st && i < n->n; i++) {
        int k = 0;
        while (strcmp(n->keys[i], names[k]))
            k++;
        n->used[i] = 1;
        ynode *v = n->items[i];
        size_t mark = push(L, n->keys[i]);
        if (k == 6 || k == 7) {
            st = as_bool(L, v, k == 6 ? &r->allow_autapses : &r->allow_multapses);
        } else if (found >= 0) {
            st = fail(L, v, "a rule has one kind, got both %s and %s", names[found], names[k]);
        } else {
            found = k;
            r->kind = (leinao_rule_kind)k;
            if (k == 2) {
                st = as_number(L, v, &r->p);
                if (!st && !(r->p >= 0.0 && r->p <= 1.0))
                    st = fail(L, v, "p must be in [0, 1], got %g", r->p);
            } else if (k >= 3) {
                st = as_count(L, v, 0, &r->n);
            }
        }
        pop(L, mark);
    }
    if (!st && found < 0)
        st = fail(L, n, "missing the rule kind (all_to_all, one_to_one, pairwise_bernoulli, "
                        "fixed_indegree, fixed_outdegree, fixed_total_number)");
    return st;
}

/* The synapse model named at `node`: a known synapse model, else an error with a suggestion. */
static leinao_status synapse_model(loader *L, ynode *node, const char **out)
{
    leinao_status st = as_string(L, node, out);
    if (st)
        return st;
    const char *kind = leinao_model_kind(*out);
    if (kind && !strcmp(kind, "synapse"))
        return LEINAO_OK;
    lsuggest sg;
    lsuggest_init(&sg, *out);
    for (int i = 0; i < leinao_model_count(); i++) {
        const char *name = leinao_model_name(i);
        if (!strcmp(leinao_model_kind(name), "synapse"))
            lsuggest_offer(&sg, name);
    }
    char hint[96];
    return fail(L, node, "unknown synapse model '%s'%s", *out, lsuggest_hint(&sg, hint, sizeof hint));
}

/* The synapse model's parameters given in `syn`, in the model's order, set at once (the rules
 * between them are checked with them). */
static leinao_status load_synapse_params(loader *L, int id, const char *model, ynode *syn)
{
    const char *names[16];
    double values[16];
    ynode *nodes[16];
    size_t n = 0;
    leinao_status st = LEINAO_OK;
    int count = leinao_model_param_count(model);
    size_t mark = push(L, "synapse");
    for (int i = 0; !st && i < count && n < 16; i++) {
        leinao_param_info info;
        if (leinao_model_param(model, i, &info) || !(nodes[n] = ytree_get(syn, info.name)))
            continue;
        size_t m2 = push(L, info.name);
        st = as_number(L, nodes[n], &values[n]);
        pop(L, m2);
        names[n++] = info.name;
    }
    if (!st && (st = leinao_set_synapse_params(L->sim, id, n, names, values))) {
        /* one value's own rule: at that value; a rule between values: at the synapse */
        leinao_error_info e = blamed(L);
        int one = e.index >= 0 && (size_t)e.index < n;
        size_t m2 = one ? push(L, names[e.index]) : strlen(L->key);
        st = api_fail(L, one ? nodes[e.index] : syn, st);
        pop(L, m2);
    }
    pop(L, mark);
    return st;
}

/* A projection as read from the file, with the node each part came from (for errors). */
typedef struct projection_in {
    ynode *node, *src, *tgt, *rule, *syn; /* syn may be NULL */
    ynode *model, *weight, *delay;        /* where each was given; the projection if not */
    int source, target;
    leinao_rule r;
    leinao_dist w, d;
    const char *syn_model;
} projection_in;

/* The projection's keys, its source and target populations and its rule. */
static leinao_status load_ends(loader *L, projection_in *in)
{
    static const char *const keys[] = {"source", "target", "rule", "synapse", NULL};
    ynode *p = in->node;
    leinao_status st = want(L, p, YN_MAP);
    if (!st)
        st = check_keys(L, p, keys);
    if (st)
        return st;
    in->src = ytree_get(p, "source");
    in->tgt = ytree_get(p, "target");
    in->rule = ytree_get(p, "rule");
    in->syn = ytree_get(p, "synapse");
    if (!in->src || !in->tgt || !in->rule)
        return fail(L, p, "missing key '%s'", !in->src ? "source" : !in->tgt ? "target" : "rule");
    size_t mark = push(L, "source");
    st = population_ref(L, in->src, &in->source);
    pop(L, mark);
    mark = push(L, "target");
    if (!st)
        st = population_ref(L, in->tgt, &in->target);
    pop(L, mark);
    mark = push(L, "rule");
    if (!st)
        st = load_rule(L, in->rule, &in->r);
    pop(L, mark);
    return st;
}

/* synapse: {model, weight, delay, the model's parameters}: the model, the keys it allows, the
 * weight and the delay (the parameters are set once the projection exists). */
static leinao_status load_synapse_keys(loader *L, projection_in *in)
{
    const char *syn_keys[16] = {"model", "weight", "delay", NULL};
    ynode *syn = in->syn, *v;
    size_t mark = push(L, "synapse");
    leinao_status st = want(L, syn, YN_MAP);
    if (!st && (in->model = ytree_get(syn, "model"))) {
        size_t m2 = push(L, "model");
        st = synapse_model(L, in->model, &in->syn_model);
        pop(L, m2);
    }
    int count = st ? 0 : leinao_model_param_count(in->syn_model);
    for (int i = 0; i < count && i < 12; i++) {
        leinao_param_info info;
        if (!leinao_model_param(in->syn_model, i, &info))
            syn_keys[3 + i] = info.name;
    }
    if (!st)
        st = check_keys(L, syn, syn_keys);
    if (!st && (v = ytree_get(syn, "weight"))) {
        size_t m2 = push(L, "weight");
        st = as_dist(L, v, &in->w);
        in->weight = v;
        pop(L, m2);
    }
    if (!st && (v = ytree_get(syn, "delay"))) {
        size_t m2 = push(L, "delay");
        st = as_dist(L, v, &in->d);
        in->delay = v;
        pop(L, m2);
    }
    pop(L, mark);
    return st;
}

/* leinao_connect; a failure is reported at the part of the projection the API blames. */
static leinao_status connect_projection(loader *L, const projection_in *in, int *id)
{
    leinao_status st = leinao_connect(L->sim, in->source, in->target, &in->r, &in->w, &in->d, id);
    if (!st)
        return st;
    leinao_error_info e = blamed(L);
    const char *key = blames(&e, "delay")    ? "synapse.delay"
                      : blames(&e, "weight") ? "synapse.weight"
                      : blames(&e, "target") ? "target"
                      : blames(&e, "source") ? "source"
                                             : "rule";
    size_t mark = push(L, key), m2 = strlen(L->key);
    ynode *at = blames(&e, "delay")    ? dist_node(L, in->delay, &m2)
                : blames(&e, "weight") ? dist_node(L, in->weight, &m2)
                : blames(&e, "target") ? in->tgt
                : blames(&e, "source") ? in->src
                                       : in->rule;
    st = api_fail(L, at, st);
    pop(L, m2);
    pop(L, mark);
    return st;
}

/* A synapse model other than static_synapse, then the parameters given for it. */
static leinao_status set_synapse_model(loader *L, const projection_in *in, int id)
{
    size_t mark = push(L, "synapse.model");
    leinao_status st = leinao_set_synapse(L->sim, id, in->syn_model);
    if (st)
        st = api_fail(L, in->model, st);
    pop(L, mark);
    if (!st)
        st = load_synapse_params(L, id, in->syn_model, in->syn);
    return st;
}

static leinao_status load_projection(loader *L, ynode *p)
{
    /* NEST's defaults for a static synapse: weight 1, delay 1 ms */
    projection_in in = {.node = p, .weight = p, .delay = p, .syn_model = "static_synapse"};
    in.w = in.d = (leinao_dist){LEINAO_DIST_CONSTANT, 1.0, 0, -INFINITY, INFINITY};
    leinao_status st = load_ends(L, &in);
    if (!st && in.syn)
        st = load_synapse_keys(L, &in);
    int id = -1;
    if (!st)
        st = connect_projection(L, &in, &id);
    if (!st && strcmp(in.syn_model, "static_synapse"))
        st = set_synapse_model(L, &in, id);
    return st;
}

/* Reads the list under `key` (absent: nothing to do), one item at a time. */
static leinao_status load_list(loader *L, ynode *root, const char *key,
                               leinao_status (*load_item)(loader *, ynode *))
{
    ynode *list = ytree_get(root, key);
    if (!list)
        return LEINAO_OK;
    size_t mark = push(L, key);
    leinao_status st = want(L, list, YN_SEQ);
    for (size_t i = 0; !st && i < list->n; i++) {
        size_t m2 = push_index(L, i);
        st = load_item(L, list->items[i]);
        pop(L, m2);
    }
    pop(L, mark);
    return st;
}

static const char *format_of(const char *file)
{
    size_t n = strlen(file);
    return n >= 4 && !strcmp(file + n - 4, ".csv") ? "csv" : "sonata";
}

/* A list of names (or one name) into names[]; at most `max`. */
static leinao_status name_list(loader *L, ynode *n, const char **names, size_t max, size_t *count)
{
    if (n->type == YN_MAP)
        return fail(L, n, "must be a name or a list of names");
    *count = n->type == YN_SEQ ? n->n : 1;
    if (*count == 0)
        return fail(L, n, "must name at least one");
    if (*count > max)
        return fail(L, n, "at most %zu names", max);
    for (size_t i = 0; i < *count; i++) {
        leinao_status st = as_string(L, n->type == YN_SEQ ? n->items[i] : n, &names[i]);
        if (st)
            return st;
    }
    return LEINAO_OK;
}

/* {type: state, population, variables, neurons?, interval?, file, format?} */
static leinao_status load_state_recording(loader *L, ynode *r, const char *file_name,
                                          const char *format_name)
{
    static const char *const keys[] = {"type", "population", "variables", "neurons", "interval",
                                       "file", "format", NULL};
    leinao_status st = check_keys(L, r, keys);
    ynode *pop_node = ytree_get(r, "population"), *vars = ytree_get(r, "variables");
    ynode *neurons = ytree_get(r, "neurons"), *interval = ytree_get(r, "interval");
    if (!st && (!pop_node || !vars))
        st = fail(L, r, "missing key '%s'", !pop_node ? "population" : "variables");
    int id = -1;
    size_t mark = push(L, "population");
    if (!st)
        st = population_ref(L, pop_node, &id);
    pop(L, mark);
    const char *names[64];
    size_t n_vars = 0;
    mark = push(L, "variables");
    if (!st)
        st = name_list(L, vars, names, 64, &n_vars);
    pop(L, mark);
    double every = 1.0; /* NEST's multimeter default */
    mark = push(L, "interval");
    if (!st && interval)
        st = as_number(L, interval, &every);
    pop(L, mark);
    uint32_t *ids = NULL;
    size_t n_ids = 0;
    mark = push(L, "neurons");
    if (!st && neurons) {
        if (neurons->type != YN_SEQ)
            st = fail(L, neurons, "must be a list of neuron indices, e.g. [0, 5, 9]");
        else if (!(ids = lc_malloc(L->ctx, (neurons->n ? neurons->n : 1) * sizeof *ids)))
            st = nomem(L);
        leinao_population_stats info;
        leinao_get_population_stats(L->sim, id, &info);
        for (size_t i = 0; !st && i < neurons->n; i++) {
            uint64_t v;
            size_t m2 = push_index(L, i);
            st = as_count(L, neurons->items[i], 0, &v);
            if (!st && v > UINT32_MAX) /* beyond any population; smaller ones the API checks */
                st = fail(L, neurons->items[i], "neuron %llu is not in population '%s' of size %llu",
                          (unsigned long long)v, info.name, (unsigned long long)info.size);
            ids[i] = (uint32_t)v;
            pop(L, m2);
        }
        n_ids = neurons->n;
        if (!st && n_ids == 0)
            st = fail(L, neurons, "must name at least one neuron (leave the key out for all)");
    }
    pop(L, mark);
    if (!st && (st = leinao_record_state(L->sim, id, names, n_vars, ids, n_ids, every, file_name,
                                         format_name))) {
        leinao_error_info e = blamed(L);
        if (blames(&e, "neurons") && neurons && e.index >= 0) {
            mark = push(L, "neurons");
            size_t m2 = push_index(L, (size_t)e.index);
            st = api_fail(L, item_or_node(neurons, e.index), st);
            pop(L, m2);
        } else {
            ynode *at = blames(&e, "interval") && interval ? interval
                        : blames(&e, "variables")          ? vars
                                                           : r;
            mark = push(L, at == interval ? "interval" : at == vars ? "variables" : "file");
            st = api_fail(L, at, st);
        }
        pop(L, mark);
    }
    lc_free(L->ctx, ids);
    return st;
}

static leinao_status load_recording(loader *L, ynode *r)
{
    static const char *const keys[] = {"type", "populations", "file", "format", NULL};
    leinao_status st = want(L, r, YN_MAP);
    if (st)
        return st;
    ynode *type = ytree_get(r, "type"), *file = ytree_get(r, "file");
    ynode *format = ytree_get(r, "format");
    if (!type || !file)
        return fail(L, r, "missing key '%s'", !type ? "type" : "file");
    const char *type_name = "", *file_name = "", *format_name = NULL;
    size_t mark = push(L, "type");
    st = as_string(L, type, &type_name);
    if (!st && strcmp(type_name, "spikes") && strcmp(type_name, "state"))
        st = fail(L, type, "unknown recording type '%s' (spikes or state)", type_name);
    pop(L, mark);
    mark = push(L, "file");
    if (!st)
        st = as_string(L, file, &file_name);
    if (!st && !file_name[0])
        st = fail(L, file, "must not be empty");
    pop(L, mark);
    mark = push(L, "format");
    if (!st && format) {
        st = as_string(L, format, &format_name);
        if (!st && strcmp(format_name, "sonata") && strcmp(format_name, "csv"))
            st = fail(L, format, "format must be sonata or csv, got '%s'", format_name);
    }
    pop(L, mark);
    if (st)
        return st;
    if (!format_name)
        format_name = format_of(file_name);
    if (!strcmp(type_name, "state"))
        return load_state_recording(L, r, file_name, format_name);
    if ((st = check_keys(L, r, keys)))
        return st;
    ynode *pops = ytree_get(r, "populations");
    if (!pops)
        return fail(L, r, "missing key 'populations'");
    const char *names[256];
    size_t count = 0;
    mark = push(L, "populations");
    st = name_list(L, pops, names, 256, &count);
    for (size_t i = 0; !st && i < count; i++) {
        ynode *name = pops->type == YN_SEQ ? pops->items[i] : pops;
        int id;
        st = population_ref(L, name, &id);
        if (!st && (st = leinao_record_spikes(L->sim, id, file_name, format_name)))
            st = api_fail(L, name, st);
    }
    pop(L, mark);
    return st;
}

leinao_status leinao_load_model(leinao_sim *sim, const char *path, const char *const *overrides,
                                size_t n_overrides)
{
    static const char *const keys[] = {"name",        "simulation", "analysis", "populations",
                                       "projections", "recordings", "guards",   NULL};
    if (leinao_population_count(sim) > 0)
        return leinao_report_error(sim, LEINAO_STATE,
                                   "a model file must be loaded into a fresh handle");
    /* the loader's own allocations go through the handle's allocator, counted apart */
    lctx own;
    void *user;
    leinao_alloc_fn alloc = leinao_allocator(sim, &user);
    lctx_init(&own, alloc, user);
    loader L = {sim, &own, ""};
    ynode *root;
    leinao_status st = ytree_load(L.ctx, path, &root);
    if (st)
        return leinao_report_error(sim, st, own.errmsg);
    for (size_t i = 0; !st && i < n_overrides; i++)
        if ((st = ytree_override(L.ctx, root, overrides[i], overrides[i])))
            leinao_report_error(sim, st, own.errmsg);
    if (!st)
        st = check_keys(&L, root, keys);
    ynode *name = st ? NULL : ytree_get(root, "name");
    if (name) {
        const char *text = "";
        size_t mark = push(&L, "name");
        st = as_string(&L, name, &text);
        if (!st)
            st = leinao_set_name(sim, text);
        pop(&L, mark);
    }
    if (!st)
        st = load_simulation(&L, root);
    if (!st)
        st = load_analysis(&L, root);
    if (!st)
        st = load_populations(&L, root);
    if (!st)
        st = load_list(&L, root, "projections", load_projection);
    if (!st)
        st = load_list(&L, root, "recordings", load_recording);
    if (!st)
        st = load_guards(&L, root);
    ytree_free(L.ctx, root);
    return st;
}
