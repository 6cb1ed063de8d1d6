/* sim.c — the handle's life cycle and the declaration calls of the public API. */
#include "sim.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../models/model.h"
#include "../net/explicit.h"

const char *leinao_version(void)
{
    return LEINAO_VERSION_STRING;
}

leinao_status leinao_open_with_allocator(leinao_sim **out, leinao_alloc_fn alloc, void *user)
{
    lctx ctx;
    lctx_init(&ctx, alloc, user);
    *out = NULL;
    leinao_sim *sim = lc_calloc(&ctx, 1, sizeof *sim);
    if (!sim)
        return LEINAO_NOMEM;
    sim->ctx = ctx;
    sim->config.dt = LEINAO_DEFAULT_DT;
    sim->config.duration = LEINAO_DEFAULT_DURATION;
    sim->config.seed = LEINAO_DEFAULT_SEED;
    sim->config.threads = 1;
    sim->eng.pool.n = 1;
    lcomm_init(&sim->part.comm);
    *out = sim;
    return LEINAO_OK;
}

leinao_status leinao_open(leinao_sim **out)
{
    return leinao_open_with_allocator(out, NULL, NULL);
}

void leinao_close(leinao_sim *sim)
{
    if (!sim)
        return;
    lctx *ctx = &sim->ctx;
    lsim_unbuild(sim);
    for (int i = 0; i < sim->out.n_sinks; i++) {
        lspike_sink *s = sim->out.sinks[i];
        void *parts[] = {s->path, s->format, s->pops, s};
        for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++)
            lc_free(ctx, parts[k]);
    }
    for (int i = 0; i < sim->out.n_recorders; i++) {
        lstate_recorder *r = sim->out.recorders[i];
        void *parts[] = {r->vars, r->neurons, r->path, r->format, r};
        for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++)
            lc_free(ctx, parts[k]);
    }
    for (int i = 0; i < sim->net.n_pops; i++)
        lpop_destroy(ctx, sim->net.pops[i]);
    for (int i = 0; i < sim->net.n_projs; i++)
        lproj_free(ctx, sim->net.projs[i]);
    void *blocks[] = {sim->config.guard_min, sim->config.guard_max, sim->run.guard_spikes,
                      sim->out.sinks,        sim->out.recorders,    sim->net.pops,
                      sim->net.projs,        sim->config.name,      sim->config.out_dir,
                      sim->config.checkpoint_note};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        lc_free(ctx, blocks[i]);
    lctx copy = *ctx;
    lc_free(&copy, sim);
}

const char *leinao_errmsg(const leinao_sim *sim)
{
    return sim ? sim->ctx.errmsg : "no handle";
}

void leinao_error_detail(const leinao_sim *sim, leinao_error_info *out)
{
    const lctx *ctx = &sim->ctx;
    out->status = ctx->err_status;
    out->argument = ctx->err_argument ? ctx->err_argument : "";
    out->parameter = ctx->err_parameter;
    out->index = ctx->err_index;
}

leinao_status leinao_report_error(leinao_sim *sim, leinao_status status, const char *message)
{
    return lc_error(&sim->ctx, status, "%s", message ? message : "");
}

leinao_alloc_fn leinao_allocator(const leinao_sim *sim, void **user)
{
    if (user)
        *user = sim->ctx.alloc_user;
    return sim->ctx.alloc;
}

/* Names the argument of a failure reported by a lower layer, unless it named one itself. */
static leinao_status blame(lctx *ctx, leinao_status st, const char *argument,
                           const char *parameter, int64_t index)
{
    if (st && st != LEINAO_NOMEM && !ctx->err_argument)
        lc_error_detail(ctx, argument, parameter, index);
    return st;
}

static leinao_status declaring(leinao_sim *sim)
{
    if (sim->phase != LSIM_DECLARING)
        return lc_error(&sim->ctx, LEINAO_STATE, "the network is already built");
    return LEINAO_OK;
}

leinao_status leinao_configure(leinao_sim *sim, double dt, double duration, uint64_t seed,
                               int threads)
{
    leinao_status st = declaring(sim);
    if (st)
        return st;
    if (!(dt > 0.0) || !isfinite(dt))
        return lc_error_at(&sim->ctx, LEINAO_INVALID, "dt", NULL, -1, "dt must be > 0, got %g", dt);
    if (!(duration >= 0.0) || !isfinite(duration))
        return lc_error_at(&sim->ctx, LEINAO_INVALID, "duration", NULL, -1,
                           "duration must be >= 0, got %g", duration);
    double steps;
    if (!lgrid_steps(duration, dt, &steps))
        return lc_error_at(&sim->ctx, LEINAO_INVALID, "duration", NULL, -1,
                           "duration must be a multiple of dt = %g, got %g", dt, duration);
    if (steps >= 4294967295.0)
        return lc_error_at(&sim->ctx, LEINAO_INVALID, "duration", NULL, -1,
                           "duration / dt must be < 2^32 steps, got %.0f", steps);
    if (threads < 0 || threads > LEINAO_MAX_THREADS)
        return lc_error_at(&sim->ctx, LEINAO_INVALID, "threads", NULL, -1,
                           "threads must be in 1..%d (or 0: one per core), got %d",
                           LEINAO_MAX_THREADS, threads);
    if (threads == 0) { /* the one place the number of cores is read; results never depend on it */
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cores < 1 ? 1 : cores > LEINAO_MAX_THREADS ? LEINAO_MAX_THREADS : (int)cores;
    }
    sim->config.dt = dt;
    sim->config.duration = duration;
    sim->config.seed = seed;
    sim->config.threads = threads;
    sim->config.configured = 1;
    return LEINAO_OK;
}

leinao_status leinao_set_transient(leinao_sim *sim, double transient)
{
    if (!(transient >= 0.0) || !isfinite(transient))
        return lc_error_at(&sim->ctx, LEINAO_INVALID, "transient", NULL, -1,
                           "transient must be >= 0, got %g", transient);
    sim->config.transient = transient;
    return LEINAO_OK;
}

double leinao_get_transient(const leinao_sim *sim)
{
    return sim->config.transient;
}

leinao_status leinao_reserve_max_delay(leinao_sim *sim, double ms)
{
    leinao_status st = declaring(sim);
    if (st)
        return st;
    if (!(ms >= 0.0) || !isfinite(ms))
        return lc_error_at(&sim->ctx, LEINAO_INVALID, "ms", NULL, -1,
                           "the reserved maximum delay must be finite and >= 0, got %g", ms);
    sim->config.reserved_max_delay = ms;
    return LEINAO_OK;
}

leinao_status leinao_set_name(leinao_sim *sim, const char *name)
{
    if (!name)
        return lc_error_at(&sim->ctx, LEINAO_INVALID, "name", NULL, -1, "the name must not be NULL");
    char *copy = lc_strdup(&sim->ctx, name);
    if (!copy)
        return LEINAO_NOMEM;
    lc_free(&sim->ctx, sim->config.name);
    sim->config.name = copy;
    return LEINAO_OK;
}

leinao_status leinao_set_build_progress(leinao_sim *sim, leinao_build_progress_fn progress,
                                        void *user)
{
    if (sim->phase != LSIM_DECLARING)
        return lc_error(&sim->ctx, LEINAO_STATE, "the network is already built");
    sim->config.build_progress = progress;
    sim->config.build_progress_user = user;
    return LEINAO_OK;
}

leinao_status leinao_set_rate_guard(leinao_sim *sim, int pop, double min_rate, double max_rate,
                                    double window)
{
    leinao_status st = declaring(sim);
    if (st)
        return st;
    if (pop < -1 || pop >= sim->net.n_pops)
        return lc_error_at(&sim->ctx, LEINAO_NOT_FOUND, "pop", NULL, pop,
                           "no population with id %d", pop);
    if (!(min_rate >= 0.0) || !(max_rate >= min_rate))
        return lc_error_at(&sim->ctx, LEINAO_INVALID, !(min_rate >= 0.0) ? "min_rate" : "max_rate",
                           NULL, -1, "a rate guard needs 0 <= min <= max, got min = %g, max = %g",
                           min_rate, max_rate);
    double steps;
    if (!(window > 0.0) || !lgrid_steps(window, sim->config.dt, &steps) || !(steps < 4294967295.0))
        return lc_error_at(&sim->ctx, LEINAO_INVALID, "window", NULL, -1,
                           "the guard window must be a positive multiple of dt = %g ms, got %g",
                           sim->config.dt, window);
    size_t n = (size_t)sim->net.n_pops;
    if (!sim->config.guard_min) {
        sim->config.guard_min = lc_malloc(&sim->ctx, (n + 1) * sizeof(double));
        sim->config.guard_max = lc_malloc(&sim->ctx, (n + 1) * sizeof(double));
        sim->run.guard_spikes = lc_calloc(&sim->ctx, n + 1, sizeof(uint64_t));
        if (!sim->config.guard_min || !sim->config.guard_max || !sim->run.guard_spikes)
            return LEINAO_NOMEM;
        for (size_t i = 0; i < n; i++) {
            sim->config.guard_min[i] = 0.0;
            sim->config.guard_max[i] = INFINITY;
        }
        sim->config.guard_pops = (int)n;
    }
    if (pop >= sim->config.guard_pops)
        return lc_error_at(&sim->ctx, LEINAO_INVALID, "pop", NULL, pop,
                        "set rate guards after declaring every population they concern");
    for (int i = 0; i < sim->config.guard_pops; i++) {
        if (pop >= 0 && i != pop)
            continue;
        sim->config.guard_min[i] = min_rate;
        sim->config.guard_max[i] = max_rate;
    }
    sim->config.guard_steps = (int64_t)steps;
    sim->run.guard_next = sim->config.guard_steps;
    return LEINAO_OK;
}

static int valid_identifier(const char *s)
{
    if (!s || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    for (const char *c = s; *c; c++)
        if (!(isalnum((unsigned char)*c) || *c == '_'))
            return 0;
    return strlen(s) <= 64;
}

int leinao_population_id(const leinao_sim *sim, const char *name)
{
    for (int i = 0; name && i < sim->net.n_pops; i++)
        if (strcmp(sim->net.pops[i]->name, name) == 0)
            return i;
    return -1;
}

int leinao_population_count(const leinao_sim *sim)
{
    return sim->net.n_pops;
}

static void *grow(lctx *ctx, void *array, int count, size_t item)
{
    /* arrays of handles grow by one; counts are small (populations, projections) */
    return lc_realloc(ctx, array, ((size_t)count + 1) * item);
}

leinao_status leinao_add_population(leinao_sim *sim, const char *name, const char *model,
                                    uint64_t size, int *id)
{
    leinao_status st = declaring(sim);
    if (st)
        return st;
    if (!valid_identifier(name))
        return lc_error_at(&sim->ctx, LEINAO_INVALID, "name", NULL, -1,
                           "population name '%s' must match [A-Za-z_][A-Za-z0-9_]* (64 chars max)",
                           name ? name : "");
    if (leinao_population_id(sim, name) >= 0)
        return lc_error_at(&sim->ctx, LEINAO_INVALID, "name", NULL, -1,
                           "population '%s' already exists", name);
    const lmodel *m = model ? lmodel_find(model) : NULL;
    if (!m) {
        lsuggest sg;
        lsuggest_init(&sg, model ? model : "");
        for (int i = 0; i < lmodel_count(); i++)
            lsuggest_offer(&sg, lmodel_at(i)->name);
        const char *best = lsuggest_best(&sg);
        if (best)
            return lc_error_at(&sim->ctx, LEINAO_NOT_FOUND, "model", NULL, -1,
                               "unknown model '%s' (did you mean '%s'?)", model, best);
        return lc_error_at(&sim->ctx, LEINAO_NOT_FOUND, "model", NULL, -1, "unknown model '%s'",
                           model ? model : "(null)");
    }
    if (size == 0 || size > 0xFFFFFFFEu)
        return lc_error_at(&sim->ctx, LEINAO_INVALID, "size", NULL, -1,
                           "size must be > 0 and < 2^32, got %llu", (unsigned long long)size);
    if (sim->net.n_pops >= 0xFFFF)
        return lc_error_at(&sim->ctx, LEINAO_INVALID, "name", NULL, -1, "too many populations");
    lpopulation **pops = grow(&sim->ctx, sim->net.pops, sim->net.n_pops, sizeof *pops);
    if (!pops)
        return LEINAO_NOMEM;
    sim->net.pops = pops;
    st = lpop_create(&sim->ctx, &pops[sim->net.n_pops], sim->net.n_pops, name, m, (uint32_t)size);
    if (st)
        return st;
    if (id)
        *id = sim->net.n_pops;
    sim->net.n_pops++;
    return LEINAO_OK;
}

/* Population `pop` (argument `argument` of the call) while declaring. */
static leinao_status get_pop_as(leinao_sim *sim, int pop, const char *argument, lpopulation **out)
{
    *out = NULL;
    if (pop < 0 || pop >= sim->net.n_pops)
        return lc_error_at(&sim->ctx, LEINAO_NOT_FOUND, argument, NULL, pop,
                           "no population with id %d", pop);
    *out = sim->net.pops[pop];
    return declaring(sim);
}

static leinao_status get_pop(leinao_sim *sim, int pop, lpopulation **out)
{
    return get_pop_as(sim, pop, "pop", out);
}

/* The name argument of a call that names a parameter or variable: NULL is refused. */
static leinao_status need_name(lctx *ctx, const char *name, const char *argument)
{
    if (!name)
        return lc_error_at(ctx, LEINAO_INVALID, argument, NULL, -1, "%s must not be NULL", argument);
    return LEINAO_OK;
}

leinao_status leinao_set_param(leinao_sim *sim, int pop, const char *param, double value)
{
    lpopulation *p;
    leinao_status st;
    if (sim->phase == LSIM_BUILT && pop >= 0 && pop < sim->net.n_pops) { /* between runs */
        if ((st = need_name(&sim->ctx, param, "param")))
            return st;
        st = lpop_change_param(&sim->ctx, sim->net.pops[pop], param, value, sim->config.dt);
        return blame(&sim->ctx, st, st == LEINAO_NOT_FOUND ? "param" : "value", param, -1);
    }
    st = get_pop(sim, pop, &p);
    if (st || (st = need_name(&sim->ctx, param, "param")))
        return st;
    st = lpop_set_param(&sim->ctx, p, param, value);
    return blame(&sim->ctx, st, st == LEINAO_NOT_FOUND ? "param" : "value", param, -1);
}

leinao_status leinao_set_param_array(leinao_sim *sim, int pop, const char *param,
                                     const double *values, size_t n)
{
    lpopulation *p;
    leinao_status st = get_pop(sim, pop, &p);
    if (st || (st = need_name(&sim->ctx, param, "param")))
        return st;
    if (n && !values)
        return lc_error_at(&sim->ctx, LEINAO_INVALID, "values", param, -1,
                           "values must not be NULL for n = %zu", n);
    st = lpop_set_array(&sim->ctx, p, param, values, n);
    return blame(&sim->ctx, st, "param", param, -1);
}

leinao_status leinao_set_param_values(leinao_sim *sim, int pop, const char *param,
                                      const double *values, size_t n)
{
    lpopulation *p;
    leinao_status st = get_pop(sim, pop, &p);
    if (st || (st = need_name(&sim->ctx, param, "param")))
        return st;
    return lpop_set_param_values(&sim->ctx, p, param, values, n);
}

leinao_status leinao_set_init_values(leinao_sim *sim, int pop, const char *var,
                                     const double *values, size_t n)
{
    lpopulation *p;
    leinao_status st = get_pop(sim, pop, &p);
    if (st || (st = need_name(&sim->ctx, var, "var")))
        return st;
    return lpop_set_init_values(&sim->ctx, p, var, values, n);
}

leinao_status leinao_check_population(leinao_sim *sim, int pop)
{
    lpopulation *p;
    leinao_status st = get_pop(sim, pop, &p);
    return st ? st : blame(&sim->ctx, lpop_resolve(&sim->ctx, p, sim->config.dt), "", NULL, -1);
}

/* The one check of a distribution's numbers, for every caller (the model-file loader only
 * parses their shape and reports this check's failures at the distribution's node):
 * `argument` names the call's argument, `what` how the message names it, `parameter` the state
 * variable concerned (NULL: none). */
static leinao_status check_dist(lctx *ctx, const char *argument, const char *what,
                                const char *parameter, const leinao_dist *d)
{
#define BAD_DIST(...) lc_error_at(ctx, LEINAO_INVALID, argument, parameter, -1, __VA_ARGS__)
    if (!d)
        return BAD_DIST("%s must not be NULL", what);
    const int lognormal = d->kind == LEINAO_DIST_LOGNORMAL;
    const char *mean = lognormal ? "mu" : "mean", *spread = lognormal ? "sigma" : "std";
    switch (d->kind) {
    case LEINAO_DIST_CONSTANT:
        if (!isfinite(d->a))
            return BAD_DIST("%s must be finite, got %g", what, d->a);
        return LEINAO_OK;
    case LEINAO_DIST_UNIFORM:
        if (!isfinite(d->a) || !isfinite(d->b))
            return BAD_DIST("%s: uniform needs finite low and high, got low = %g, high = %g",
                            what, d->a, d->b);
        if (!(d->a <= d->b))
            return BAD_DIST("%s: uniform needs low <= high, got low = %g, high = %g", what, d->a,
                            d->b);
        return LEINAO_OK;
    case LEINAO_DIST_NORMAL:
    case LEINAO_DIST_NORMAL_CLIPPED:
    case LEINAO_DIST_LOGNORMAL:
        if (!isfinite(d->a))
            return BAD_DIST("%s: %s must be finite, got %g", what, mean, d->a);
        if (!isfinite(d->b))
            return BAD_DIST("%s: %s must be finite, got %g", what, spread, d->b);
        if (!(d->b >= 0.0))
            return BAD_DIST("%s: %s must be >= 0, got %g", what, spread, d->b);
        if (d->kind == LEINAO_DIST_NORMAL_CLIPPED && !(d->low <= d->high))
            return BAD_DIST("%s: normal_clipped needs low <= high, got low = %g, high = %g", what,
                            d->low, d->high);
        return LEINAO_OK;
    }
    return BAD_DIST("%s: unknown distribution %d", what, (int)d->kind);
#undef BAD_DIST
}

leinao_status leinao_set_init(leinao_sim *sim, int pop, const char *var, const leinao_dist *value)
{
    lpopulation *p;
    leinao_status st = get_pop(sim, pop, &p);
    if (st || (st = need_name(&sim->ctx, var, "var")))
        return st;
    if ((st = check_dist(&sim->ctx, "value", var, var, value)))
        return st;
    return blame(&sim->ctx, lpop_set_init(&sim->ctx, p, var, value), "var", var, -1);
}

leinao_rule leinao_rule_default(leinao_rule_kind kind)
{
    leinao_rule r = {kind, 0.0, 0, 1, 1};
    return r;
}

/* Source and target of a new projection: both declared, the target made of neurons. */
static leinao_status get_ends(leinao_sim *sim, int src, int tgt, lpopulation **ps,
                              lpopulation **pt)
{
    leinao_status st = get_pop_as(sim, src, "source", ps);
    if (!st)
        st = get_pop_as(sim, tgt, "target", pt);
    if (st)
        return st;
    if ((*pt)->model->kind != LM_NEURON)
        return lc_error_at(&sim->ctx, LEINAO_INVALID, "target", NULL, -1,
                           "target population '%s' is a %s: devices cannot receive connections",
                           (*pt)->name, (*pt)->model->name);
    if (sim->net.n_projs >= 0xFFFFFF)
        return lc_error_at(&sim->ctx, LEINAO_INVALID, "", NULL, -1, "too many projections");
    return LEINAO_OK;
}

/* Checks a new projection p (rule, delays, what its ends accept) and adds it, or frees it. */
static leinao_status add_projection(leinao_sim *sim, lprojection *p, int *id)
{
    const lpopulation *ps = sim->net.pops[p->src], *pt = sim->net.pops[p->tgt];
    lproj_set_synapse(&sim->ctx, p, "static_synapse");
    leinao_status st = lproj_check(&sim->ctx, p, ps->size, pt->size, p->src == p->tgt, sim->config.dt);
    if (!st && ps->model->kind == LM_DEVICE && ps->model->output_port == LPORT_CURRENT &&
        pt->model->port_buffer[LPORT_CURRENT] < 0)
        st = lc_error_at(&sim->ctx, LEINAO_INVALID, "target", NULL, -1,
                         "%s has no current input for a %s", pt->model->name, ps->model->name);
    lprojection **projs = st ? NULL : grow(&sim->ctx, sim->net.projs, sim->net.n_projs, sizeof *projs);
    if (!projs) {
        lproj_free(&sim->ctx, p);
        return st ? st : LEINAO_NOMEM;
    }
    sim->net.projs = projs;
    projs[sim->net.n_projs] = p;
    if (id)
        *id = sim->net.n_projs;
    sim->net.n_projs++;
    return LEINAO_OK;
}

leinao_status leinao_connect(leinao_sim *sim, int src, int tgt, const leinao_rule *rule,
                             const leinao_dist *weight, const leinao_dist *delay, int *id)
{
    lpopulation *ps, *pt;
    leinao_status st = get_ends(sim, src, tgt, &ps, &pt);
    if (st)
        return st;
    if (!rule)
        return lc_error_at(&sim->ctx, LEINAO_INVALID, "rule", NULL, -1, "rule must not be NULL");
    if ((st = check_dist(&sim->ctx, "weight", "weight", NULL, weight)) ||
        (st = check_dist(&sim->ctx, "delay", "delay", NULL, delay)))
        return st;
    lprojection *p = lc_calloc(&sim->ctx, 1, sizeof *p);
    if (!p)
        return LEINAO_NOMEM;
    p->id = sim->net.n_projs;
    p->src = src;
    p->tgt = tgt;
    p->rule = *rule;
    p->weight = *weight;
    p->delay = *delay;
    return add_projection(sim, p, id);
}

leinao_status leinao_connect_explicit(leinao_sim *sim, int src, int tgt, size_t n,
                                      const uint32_t *sources, const uint32_t *targets,
                                      const double *weights, const double *delays, int *id)
{
    lpopulation *ps, *pt;
    leinao_status st = get_ends(sim, src, tgt, &ps, &pt);
    if (st)
        return st;
    if (n && (!sources || !targets))
        return lc_error_at(&sim->ctx, LEINAO_INVALID, !sources ? "sources" : "targets", NULL, -1,
                           "sources and targets must not be NULL for n = %zu", n);
    lprojection *p = lc_calloc(&sim->ctx, 1, sizeof *p);
    if (!p)
        return LEINAO_NOMEM;
    p->id = sim->net.n_projs;
    p->src = src;
    p->tgt = tgt;
    p->rule = leinao_rule_default(LEINAO_ALL_TO_ALL); /* unused: the list is the rule */
    st = lexplicit_create(&sim->ctx, p, n, sources, targets, weights, delays, ps->size, pt->size,
                          sim->config.dt);
    if (st) {
        lproj_free(&sim->ctx, p);
        return st;
    }
    return add_projection(sim, p, id);
}

static leinao_status get_proj(leinao_sim *sim, int proj, lprojection **out)
{
    *out = NULL;
    if (proj < 0 || proj >= sim->net.n_projs)
        return lc_error_at(&sim->ctx, LEINAO_NOT_FOUND, "proj", NULL, proj,
                           "no projection with id %d", proj);
    *out = sim->net.projs[proj];
    return declaring(sim);
}

/* A projection whose synapse parameters may be set: before the build, or between runs. */
static leinao_status get_proj_params(leinao_sim *sim, int proj, lprojection **out)
{
    if (sim->phase == LSIM_DECLARING)
        return get_proj(sim, proj, out);
    *out = NULL;
    if (proj < 0 || proj >= sim->net.n_projs)
        return lc_error_at(&sim->ctx, LEINAO_NOT_FOUND, "proj", NULL, proj,
                           "no projection with id %d", proj);
    if (sim->phase != LSIM_BUILT)
        return lc_error(&sim->ctx, LEINAO_STATE, "the simulation is finished");
    *out = sim->net.projs[proj];
    return LEINAO_OK;
}

leinao_status leinao_set_synapse(leinao_sim *sim, int proj, const char *model)
{
    lprojection *p;
    leinao_status st = get_proj(sim, proj, &p);
    if (st || (st = need_name(&sim->ctx, model, "model")))
        return st;
    const lsynapse_model *m = lsynapse_find(model);
    if (m && m->plastic && sim->net.pops[p->src]->model->kind != LM_NEURON)
        return lc_error_at(&sim->ctx, LEINAO_INVALID, "model", NULL, -1,
                           "%s needs neurons as source, not a %s (relay it through a parrot_neuron)",
                           model, sim->net.pops[p->src]->model->name);
    return blame(&sim->ctx, lproj_set_synapse(&sim->ctx, p, model), "model", NULL, -1);
}

leinao_status leinao_set_synapse_param(leinao_sim *sim, int proj, const char *name, double value)
{
    if (sim->phase == LSIM_BUILT) /* between runs: with the rules between parameters */
        return leinao_set_synapse_params(sim, proj, 1, &name, &value);
    lprojection *p;
    leinao_status st = get_proj(sim, proj, &p);
    if (st || (st = need_name(&sim->ctx, name, "name")))
        return st;
    st = lproj_set_synapse_param(&sim->ctx, p, name, value);
    return blame(&sim->ctx, st, st == LEINAO_NOT_FOUND ? "name" : "value", name, -1);
}

leinao_status leinao_set_synapse_params(leinao_sim *sim, int proj, size_t n,
                                        const char *const *names, const double *values)
{
    lprojection *p;
    leinao_status st = get_proj_params(sim, proj, &p);
    if (st)
        return st;
    if (n && (!names || !values))
        return lc_error_at(&sim->ctx, LEINAO_INVALID, !names ? "names" : "values", NULL, -1,
                           "names and values must not be NULL for n = %zu", n);
    double saved[sizeof p->syn_params / sizeof p->syn_params[0]];
    memcpy(saved, p->syn_params, sizeof saved);
    for (size_t k = 0; k < n && !st; k++) {
        if ((st = need_name(&sim->ctx, names[k], "names")))
            break;
        st = lproj_set_synapse_param(&sim->ctx, p, names[k], values[k]);
        blame(&sim->ctx, st, st == LEINAO_NOT_FOUND ? "names" : "values", names[k], (int64_t)k);
    }
    if (!st && p->syn->check)
        st = blame(&sim->ctx, p->syn->check(&sim->ctx, p->syn_params), "values", NULL, -1);
    int built = sim->phase == LSIM_BUILT;
    if (!st && built && p->syn->check_weights && p->weight_of) /* e.g. stdp_synapse's Wmax */
        st = blame(&sim->ctx, p->syn->check_weights(&sim->ctx, p->syn_params, p->weight_of, p->n),
                   "values", NULL, -1);
    if (st)
        memcpy(p->syn_params, saved, sizeof saved);
    else if (built && n)
        p->changed = 1;
    return st;
}

leinao_status leinao_get_synapse_param(const leinao_sim *sim, int proj, const char *name,
                                       double *value)
{
    lctx *ctx = (lctx *)&sim->ctx;
    if (proj < 0 || proj >= sim->net.n_projs)
        return lc_error_at(ctx, LEINAO_NOT_FOUND, "proj", NULL, proj, "no projection with id %d",
                           proj);
    if (!name || !value)
        return lc_error_at(ctx, LEINAO_INVALID, !name ? "name" : "value", NULL, -1,
                           "name and value must not be NULL");
    const lprojection *p = sim->net.projs[proj];
    int i = lparam_find(p->syn->params, p->syn->n_params, name);
    if (i < 0)
        return lc_error_at(ctx, LEINAO_NOT_FOUND, "name", name, -1, "%s has no parameter '%s'",
                           p->syn->name, name);
    *value = p->syn_params[i];
    return LEINAO_OK;
}

char *lsim_output_path(leinao_sim *sim, const char *path)
{
    if (!sim->config.out_dir || path[0] == '/')
        return lc_strdup(&sim->ctx, path);
    size_t a = strlen(sim->config.out_dir), b = strlen(path);
    char *full = lc_malloc(&sim->ctx, a + b + 2);
    if (full) {
        memcpy(full, sim->config.out_dir, a);
        full[a] = '/';
        memcpy(full + a + 1, path, b + 1);
    }
    return full;
}

leinao_status lsim_add_sink(leinao_sim *sim, lspike_sink *sink)
{
    lspike_sink **sinks = grow(&sim->ctx, sim->out.sinks, sim->out.n_sinks, sizeof *sinks);
    if (!sinks)
        return LEINAO_NOMEM;
    sim->out.sinks = sinks;
    sinks[sim->out.n_sinks++] = sink;
    return LEINAO_OK;
}

leinao_status lsim_add_recorder(leinao_sim *sim, lstate_recorder *rec)
{
    lstate_recorder **recs = grow(&sim->ctx, sim->out.recorders, sim->out.n_recorders, sizeof *recs);
    if (!recs)
        return LEINAO_NOMEM;
    sim->out.recorders = recs;
    recs[sim->out.n_recorders++] = rec;
    return LEINAO_OK;
}

lspike_sink *lsim_find_sink(leinao_sim *sim, const char *path)
{
    for (int i = 0; i < sim->out.n_sinks; i++)
        if (strcmp(sim->out.sinks[i]->path, path) == 0)
            return sim->out.sinks[i];
    return NULL;
}

leinao_status lsim_close_sinks(leinao_sim *sim)
{
    leinao_status first = LEINAO_OK;
    for (int i = 0; i < sim->out.n_sinks; i++) {
        lspike_sink *s = sim->out.sinks[i];
        if (s->is_open) {
            s->is_open = 0;
            leinao_status st = s->ops->close(s, sim);
            if (st && !first)
                first = st;
        }
    }
    for (int i = 0; i < sim->out.n_recorders; i++) {
        lstate_recorder *r = sim->out.recorders[i];
        if (r->is_open) {
            r->is_open = 0;
            leinao_status st = r->ops->close(r, sim);
            if (st && !first)
                first = st;
        }
    }
    return first;
}

int leinao_model_count(void)
{
    return lmodel_count() + lsynapse_count();
}

const char *leinao_model_name(int i)
{
    const lmodel *m = lmodel_at(i);
    const lsynapse_model *s = lsynapse_at(i - lmodel_count());
    return m ? m->name : s ? s->name : NULL;
}

const char *leinao_model_kind(const char *model)
{
    const lmodel *m = model ? lmodel_find(model) : NULL;
    if (m)
        return m->kind == LM_NEURON ? "neuron" : "device";
    return model && lsynapse_find(model) ? "synapse" : NULL;
}

int leinao_model_param_count(const char *model)
{
    const lmodel *m = model ? lmodel_find(model) : NULL;
    const lsynapse_model *s = model ? lsynapse_find(model) : NULL;
    return m ? m->n_params + m->n_states : s ? s->n_params : -1;
}

leinao_status leinao_model_param(const char *model, int i, leinao_param_info *out)
{
    const lmodel *m = model ? lmodel_find(model) : NULL;
    const lsynapse_model *s = model ? lsynapse_find(model) : NULL;
    const lparam_def *def = NULL;
    int is_state = 0;
    if (m && i >= 0 && i < m->n_params)
        def = &m->params[i];
    else if (m && i >= m->n_params && i < m->n_params + m->n_states) {
        def = &m->states[i - m->n_params];
        is_state = 1;
    } else if (s && i >= 0 && i < s->n_params)
        def = &s->params[i];
    if (!def)
        return LEINAO_NOT_FOUND;
    out->name = def->name;
    out->unit = def->unit ? def->unit : "";
    out->default_value = def->def;
    out->rule = lparam_rule_text(def->rule);
    out->is_state = is_state;
    out->hidden = (def->flags & LP_HIDDEN) != 0;
    out->doc = def->doc ? def->doc : "";
    return LEINAO_OK;
}

leinao_status leinao_model_doc(const char *model, void *out)
{
    const lmodel *m = lmodel_find(model);
    const lsynapse_model *s = lsynapse_find(model);
    if (m)
        lmodel_write_doc(m, (FILE *)out);
    else if (s)
        lsynapse_write_doc(s, (FILE *)out);
    else
        return LEINAO_NOT_FOUND;
    return LEINAO_OK;
}
