/* sim.c — the handle's life cycle and the declaration calls of the public API. */
#include "sim.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../models/model.h"

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
    sim->config.dt = 0.1;
    sim->config.duration = 1000.0;
    sim->config.seed = 12345;
    sim->config.threads = 1;
    sim->eng.pool.n = 1;
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
                      sim->net.projs,        sim->config.name,      sim->config.out_dir};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        lc_free(ctx, blocks[i]);
    lctx copy = *ctx;
    lc_free(&copy, sim);
}

const char *leinao_errmsg(const leinao_sim *sim)
{
    return sim ? sim->ctx.errmsg : "no handle";
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
        return lc_error(&sim->ctx, LEINAO_INVALID, "dt must be > 0, got %g", dt);
    if (!(duration >= 0.0) || !isfinite(duration))
        return lc_error(&sim->ctx, LEINAO_INVALID, "duration must be >= 0, got %g", duration);
    double steps;
    if (!lgrid_steps(duration, dt, &steps))
        return lc_error(&sim->ctx, LEINAO_INVALID,
                        "duration must be a multiple of dt = %g, got %g", dt, duration);
    if (steps >= 4294967295.0)
        return lc_error(&sim->ctx, LEINAO_INVALID,
                        "duration / dt must be < 2^32 steps, got %.0f", steps);
    if (threads < 1 || threads > 1024)
        return lc_error(&sim->ctx, LEINAO_INVALID, "threads must be in 1..1024, got %d", threads);
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
        return lc_error(&sim->ctx, LEINAO_INVALID, "transient must be >= 0, got %g", transient);
    sim->config.transient = transient;
    return LEINAO_OK;
}

leinao_status leinao_set_name(leinao_sim *sim, const char *name)
{
    char *copy = lc_strdup(&sim->ctx, name);
    if (!copy)
        return LEINAO_NOMEM;
    lc_free(&sim->ctx, sim->config.name);
    sim->config.name = copy;
    return LEINAO_OK;
}

leinao_status leinao_set_rate_guard(leinao_sim *sim, int pop, double min_rate, double max_rate,
                                    double window)
{
    leinao_status st = declaring(sim);
    if (st)
        return st;
    if (pop < -1 || pop >= sim->net.n_pops)
        return lc_error(&sim->ctx, LEINAO_NOT_FOUND, "no population with id %d", pop);
    if (!(min_rate >= 0.0) || !(max_rate >= min_rate))
        return lc_error(&sim->ctx, LEINAO_INVALID,
                        "a rate guard needs 0 <= min <= max, got min = %g, max = %g", min_rate,
                        max_rate);
    double steps;
    if (!(window > 0.0) || !lgrid_steps(window, sim->config.dt, &steps) || !(steps < 4294967295.0))
        return lc_error(&sim->ctx, LEINAO_INVALID,
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
        return lc_error(&sim->ctx, LEINAO_INVALID,
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
    for (int i = 0; i < sim->net.n_pops; i++)
        if (strcmp(sim->net.pops[i]->name, name) == 0)
            return i;
    return -1;
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
        return lc_error(&sim->ctx, LEINAO_INVALID,
                        "population name '%s' must match [A-Za-z_][A-Za-z0-9_]* (64 chars max)",
                        name ? name : "");
    if (leinao_population_id(sim, name) >= 0)
        return lc_error(&sim->ctx, LEINAO_INVALID, "population '%s' already exists", name);
    const lmodel *m = lmodel_find(model);
    if (!m) {
        lsuggest sg;
        lsuggest_init(&sg, model);
        for (int i = 0; i < lmodel_count(); i++)
            lsuggest_offer(&sg, lmodel_at(i)->name);
        const char *best = lsuggest_best(&sg);
        if (best)
            return lc_error(&sim->ctx, LEINAO_NOT_FOUND, "unknown model '%s' (did you mean '%s'?)",
                            model, best);
        return lc_error(&sim->ctx, LEINAO_NOT_FOUND, "unknown model '%s'", model);
    }
    if (size == 0 || size > 0xFFFFFFFEu)
        return lc_error(&sim->ctx, LEINAO_INVALID, "size must be > 0 and < 2^32, got %llu",
                        (unsigned long long)size);
    if (sim->net.n_pops >= 0xFFFF)
        return lc_error(&sim->ctx, LEINAO_INVALID, "too many populations");
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

static leinao_status get_pop(leinao_sim *sim, int pop, lpopulation **out)
{
    *out = NULL;
    if (pop < 0 || pop >= sim->net.n_pops)
        return lc_error(&sim->ctx, LEINAO_NOT_FOUND, "no population with id %d", pop);
    *out = sim->net.pops[pop];
    return declaring(sim);
}

leinao_status leinao_set_param(leinao_sim *sim, int pop, const char *param, double value)
{
    if (sim->phase == LSIM_BUILT && pop >= 0 && pop < sim->net.n_pops)
        return lpop_change_param(&sim->ctx, sim->net.pops[pop], param, value, sim->config.dt);
    lpopulation *p;
    leinao_status st = get_pop(sim, pop, &p);
    return st ? st : lpop_set_param(&sim->ctx, p, param, value);
}

leinao_status leinao_set_param_array(leinao_sim *sim, int pop, const char *param,
                                     const double *values, size_t n)
{
    lpopulation *p;
    leinao_status st = get_pop(sim, pop, &p);
    return st ? st : lpop_set_array(&sim->ctx, p, param, values, n);
}

static leinao_status check_dist(lctx *ctx, const char *what, const leinao_dist *d)
{
    switch (d->kind) {
    case LEINAO_DIST_CONSTANT:
        if (!isfinite(d->a))
            return lc_error(ctx, LEINAO_INVALID, "%s must be finite, got %g", what, d->a);
        return LEINAO_OK;
    case LEINAO_DIST_UNIFORM:
        if (!isfinite(d->a) || !isfinite(d->b) || !(d->a <= d->b))
            return lc_error(ctx, LEINAO_INVALID, "%s: uniform needs finite low <= high, got %g, %g",
                            what, d->a, d->b);
        return LEINAO_OK;
    case LEINAO_DIST_NORMAL:
    case LEINAO_DIST_NORMAL_CLIPPED:
    case LEINAO_DIST_LOGNORMAL:
        if (!isfinite(d->a) || !isfinite(d->b) || !(d->b >= 0.0))
            return lc_error(ctx, LEINAO_INVALID, "%s: needs a finite mean and std >= 0, got %g, %g",
                            what, d->a, d->b);
        if (d->kind == LEINAO_DIST_NORMAL_CLIPPED && !(d->low <= d->high))
            return lc_error(ctx, LEINAO_INVALID, "%s: normal_clipped needs low <= high, got %g, %g",
                            what, d->low, d->high);
        return LEINAO_OK;
    }
    return lc_error(ctx, LEINAO_INVALID, "%s: unknown distribution %d", what, (int)d->kind);
}

leinao_status leinao_set_init(leinao_sim *sim, int pop, const char *var, const leinao_dist *value)
{
    lpopulation *p;
    leinao_status st = get_pop(sim, pop, &p);
    if (!st)
        st = check_dist(&sim->ctx, var, value);
    return st ? st : lpop_set_init(&sim->ctx, p, var, value);
}

leinao_rule leinao_rule_default(leinao_rule_kind kind)
{
    leinao_rule r = {kind, 0.0, 0, 1, 1};
    return r;
}

leinao_status leinao_connect(leinao_sim *sim, int src, int tgt, const leinao_rule *rule,
                             const leinao_dist *weight, const leinao_dist *delay, int *id)
{
    lpopulation *ps, *pt;
    leinao_status st = get_pop(sim, src, &ps);
    if (!st)
        st = get_pop(sim, tgt, &pt);
    if (st)
        return st;
    if (pt->model->kind != LM_NEURON)
        return lc_error(&sim->ctx, LEINAO_INVALID,
                        "target population '%s' is a %s: devices cannot receive connections",
                        pt->name, pt->model->name);
    if ((st = check_dist(&sim->ctx, "weight", weight)) || (st = check_dist(&sim->ctx, "delay", delay)))
        return st;
    if (sim->net.n_projs >= 0xFFFFFF)
        return lc_error(&sim->ctx, LEINAO_INVALID, "too many projections");
    lprojection *p = lc_calloc(&sim->ctx, 1, sizeof *p);
    if (!p)
        return LEINAO_NOMEM;
    p->id = sim->net.n_projs;
    p->src = src;
    p->tgt = tgt;
    p->rule = *rule;
    p->weight = *weight;
    p->delay = *delay;
    lproj_set_synapse(&sim->ctx, p, "static_synapse");
    st = lproj_check(&sim->ctx, p, ps->size, pt->size, src == tgt, sim->config.dt);
    if (!st && ps->model->kind == LM_DEVICE && ps->model->output_port == LPORT_CURRENT &&
        pt->model->port_buffer[LPORT_CURRENT] < 0)
        st = lc_error(&sim->ctx, LEINAO_INVALID, "%s has no current input for a %s",
                      pt->model->name, ps->model->name);
    lprojection **projs = st ? NULL : grow(&sim->ctx, sim->net.projs, sim->net.n_projs, sizeof *projs);
    if (!projs) {
        lc_free(&sim->ctx, p);
        return st ? st : LEINAO_NOMEM;
    }
    sim->net.projs = projs;
    projs[sim->net.n_projs] = p;
    if (id)
        *id = sim->net.n_projs;
    sim->net.n_projs++;
    return LEINAO_OK;
}

static leinao_status get_proj(leinao_sim *sim, int proj, lprojection **out)
{
    *out = NULL;
    if (proj < 0 || proj >= sim->net.n_projs)
        return lc_error(&sim->ctx, LEINAO_NOT_FOUND, "no projection with id %d", proj);
    *out = sim->net.projs[proj];
    return declaring(sim);
}

leinao_status leinao_set_synapse(leinao_sim *sim, int proj, const char *model)
{
    lprojection *p;
    leinao_status st = get_proj(sim, proj, &p);
    if (st || (st = lproj_set_synapse(&sim->ctx, p, model)))
        return st;
    if (p->syn->plastic && sim->net.pops[p->src]->model->kind != LM_NEURON)
        return lc_error(&sim->ctx, LEINAO_INVALID,
                        "%s needs neurons as source, not a %s (relay it through a parrot_neuron)",
                        model, sim->net.pops[p->src]->model->name);
    return LEINAO_OK;
}

leinao_status leinao_set_synapse_param(leinao_sim *sim, int proj, const char *name, double value)
{
    lprojection *p;
    leinao_status st = get_proj(sim, proj, &p);
    return st ? st : lproj_set_synapse_param(&sim->ctx, p, name, value);
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
