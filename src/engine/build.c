/* build.c — turns the declared network into runnable state: checks parameters, generates
 * synapses, sizes the ring buffers from the delays, opens output files; and estimates all of
 * this beforehand for `leinao check`. */
#include <math.h>
#include <string.h>

#include "run_state.h"

static int is_device(const lpopulation *p)
{
    return p->model->kind != LM_NEURON;
}

/* leinao_reserve_max_delay's delay in whole steps (rounded up), at most 65535. */
static int reserved_delay_steps(const leinao_sim *sim)
{
    double steps = ceil(sim->config.reserved_max_delay / sim->config.dt - 1e-9);
    return steps < 0.0 ? 0 : steps > 65535.0 ? 65535 : (int)steps;
}

leinao_status leinao_estimate_size(leinao_sim *sim, leinao_estimate *e)
{
    memset(e, 0, sizeof *e);
    e->populations = sim->net.n_pops;
    e->projections = sim->net.n_projs;
    int lo = 65535, hi = 1;
    /* Projections are built one after the other, before the populations' state. A stored
     * synapse costs 8 B (target and delay 4, weight 4), 4 B where the weights are uniform, 2 B
     * where compact; while a projection is built, its staging copy (10 B per synapse, 6 B
     * without weights) exists beside the synapses built so far and its own storage. The peak
     * is the largest of those moments, or the end, with the populations. */
    double synapses = 0.0, built = 0.0, during = 0.0;
    for (int i = 0; i < sim->net.n_projs; i++) {
        const lprojection *p = sim->net.projs[i];
        const lpopulation *s = sim->net.pops[p->src], *t = sim->net.pops[p->tgt];
        double n = lproj_expected_synapses(p, s->size, t->size, p->src == p->tgt);
        if (!is_device(s)) /* as the run counts them: between neurons */
            synapses += n;
        int uniform = lproj_uniform_weight(p);
        double own = n * (lproj_compact(p, t->size) ? 2.0 : uniform ? 4.0 : 8.0) +
                     (double)s->size * 8.0; /* + row offsets */
        double staging = n * (uniform ? 6.0 : 10.0);
        if (built + staging + own > during)
            during = built + staging + own;
        built += own;
        int a, b;
        lproj_delay_range(p, sim->config.dt, &a, &b);
        if (a < lo)
            lo = a;
        if (b > hi)
            hi = b;
    }
    if (sim->net.n_projs == 0)
        lo = hi = 1;
    if (reserved_delay_steps(sim) > hi)
        hi = reserved_delay_steps(sim);
    uint32_t slots = (uint32_t)(hi + lo);
    double pops = 0.0;
    for (int i = 0; i < sim->net.n_pops; i++) {
        const lpopulation *p = sim->net.pops[i];
        if (is_device(p))
            e->devices += p->size;
        else
            e->neurons += p->size;
        pops += (double)lpop_bytes(p, slots, lo);
    }
    /* the outputs' buffers and the recorders' frames of a slice, opened after all else */
    double outputs = 0.0;
    for (int i = 0; i < sim->out.n_sinks; i++)
        if (sim->out.sinks[i]->ops && sim->out.sinks[i]->ops->memory)
            outputs += (double)sim->out.sinks[i]->ops->memory(sim->out.sinks[i]);
    for (int i = 0; i < sim->out.n_recorders; i++) {
        const lstate_recorder *r = sim->out.recorders[i];
        outputs += (double)r->n_neurons * r->n_vars * lo * sizeof(double);
        if (r->ops && r->ops->memory)
            outputs += (double)r->ops->memory(r);
    }
    e->synapses = (uint64_t)llround(synapses);
    e->bytes = 4096 + (uint64_t)(built + pops > during ? built + pops : during) + (uint64_t)outputs;
    e->min_delay = lo * sim->config.dt;
    e->max_delay = hi * sim->config.dt;
    return LEINAO_OK;
}

static leinao_status fail(leinao_sim *sim, const char *where, leinao_status st)
{
    char detail[sizeof sim->ctx.errmsg];
    memcpy(detail, sim->ctx.errmsg, sizeof detail);
    if (st == LEINAO_NOMEM)
        return lc_error(&sim->ctx, st, "out of memory while building %s", where);
    return lc_error(&sim->ctx, st, "%s: %s", where, detail);
}

static void prepare_delivery(leinao_sim *sim, const lprojection *p, ldelivery *d)
{
    const lpopulation *t = sim->net.pops[p->tgt];
    const int *port = t->model->port_buffer;
    size_t per_buffer = (size_t)t->slots * t->size;
    lring *r = &d->ring;
    r->n = t->size;
    r->slots = t->slots;
    /* beyond a few MiB the cells a row adds to are mostly not in any cache */
    r->prefetch = (double)per_buffer * sizeof(double) * t->model->n_buffers > 4.0 * 1048576;
    r->ex = port[LPORT_EX] >= 0 ? t->ring + per_buffer * (size_t)port[LPORT_EX] : NULL;
    r->in = port[LPORT_IN] >= 0 ? t->ring + per_buffer * (size_t)port[LPORT_IN] : NULL;
    r->current = port[LPORT_CURRENT] >= 0 ? t->ring + per_buffer * (size_t)port[LPORT_CURRENT] : NULL;
    d->view = lproj_view(p);
}

/* Of the rank's neurons lo .. hi - 1 of every population, thread t gets lo + n t / T ..
 * lo + n (t + 1) / T (n = hi - lo), and in every row (sorted by target) the synapses to them:
 * found by binary search. */
static leinao_status partition(leinao_sim *sim)
{
    lctx *ctx = &sim->ctx;
    const int T = sim->part.n_threads;
    const size_t stride = (size_t)T + 1;
    sim->part.range = lc_malloc(ctx, (size_t)sim->net.n_pops * stride * sizeof *sim->part.range);
    sim->eng.thread = lc_calloc(ctx, (size_t)T, sizeof *sim->eng.thread);
    if (!sim->part.range || !sim->eng.thread)
        return LEINAO_NOMEM;
    size_t widest = 1;
    for (int i = 0; i < sim->net.n_pops; i++) {
        uint32_t lo, hi;
        lsim_rank_range(sim, i, &lo, &hi);
        for (int t = 0; t <= T; t++)
            sim->part.range[(size_t)i * stride + (size_t)t] =
                lo + (uint32_t)((uint64_t)(hi - lo) * (uint64_t)t / (uint64_t)T);
        size_t w = (size_t)((hi - lo) / (uint32_t)T + 1) * (size_t)sim->net.min_delay;
        widest = w > widest ? w : widest;
    }
    for (int t = 0; t < T; t++) {
        lthread *th = &sim->eng.thread[t];
        th->fail_pop = -1;
        th->keys = lc_malloc(ctx, widest * sizeof *th->keys);
        th->spikes = lc_calloc(ctx, (size_t)sim->net.n_pops, sizeof *th->spikes);
        th->part_from = lc_calloc(ctx, (size_t)sim->net.n_pops + 1, sizeof *th->part_from);
        if (!th->keys || !th->spikes || !th->part_from)
            return LEINAO_NOMEM;
        for (int i = 0; i < sim->net.n_pops; i++) {
            if (sim->net.pops[i]->model->kind != LM_NEURON)
                continue;
            size_t cap = (size_t)(lsim_lo(sim, i, t + 1) - lsim_lo(sim, i, t)) * (size_t)sim->net.min_delay;
            lspike_list *l = &th->spikes[i];
            l->index = lc_malloc(ctx, (cap ? cap : 1) * sizeof *l->index);
            l->step = lc_malloc(ctx, (cap ? cap : 1) * sizeof *l->step);
            l->cap = cap;
            if (!l->index || !l->step)
                return LEINAO_NOMEM;
        }
    }
    if (T == 1)
        return LEINAO_OK;
    sim->part.split = lc_calloc(ctx, (size_t)sim->net.n_projs + 1, sizeof *sim->part.split);
    if (!sim->part.split)
        return LEINAO_NOMEM;
    for (int k = 0; k < sim->net.n_projs; k++) {
        const lprojection *p = sim->net.projs[k];
        uint32_t n_src = sim->net.pops[p->src]->size;
        uint64_t *split = lc_malloc(ctx, (size_t)n_src * stride * sizeof *split);
        if (!split)
            return LEINAO_NOMEM;
        sim->part.split[k] = split;
        for (uint32_t i = 0; i < n_src; i++) {
            for (int t = 0; t <= T; t++) {
                uint32_t lo = lsim_lo(sim, p->tgt, t);
                uint64_t a = p->row[i], b = p->row[i + 1];
                while (a < b) { /* first synapse whose target is >= lo */
                    uint64_t mid = a + (b - a) / 2;
                    if (lproj_target(p, mid) < lo)
                        a = mid + 1;
                    else
                        b = mid;
                }
                split[(size_t)i * stride + (size_t)t] = t == T ? p->row[i + 1] : a;
            }
        }
    }
    return LEINAO_OK;
}

static void run_on_pool(void *pool, void (*job)(void *arg, int t), void *arg)
{
    lpool_run(pool, job, arg);
}

/* ---- the phases of a build ---------------------------------------------------------------- */

/* What the build-progress callback is told: the phase, and in build_projections the projection
 * being built. */
typedef struct build_state {
    leinao_sim *sim;
    leinao_build_progress p;
    double t0;
} build_state;

static const char *const phase_names[] = {"resolve_populations", "start_threads",
                                          "build_projections",   "build_populations",
                                          "prepare_engine",      "open_outputs"};
#define N_PHASES ((int)(sizeof phase_names / sizeof phase_names[0]))

/* Calls the callback (if any) with the state as it is; non-zero: the build is to stop. */
static int tell(build_state *b)
{
    if (!b->sim->config.build_progress)
        return 0;
    b->p.elapsed = lc_wall_seconds() - b->t0;
    return b->sim->config.build_progress(b->sim->config.build_progress_user, &b->p);
}

static leinao_status interrupted(leinao_sim *sim)
{
    return lc_error(&sim->ctx, LEINAO_INTERRUPTED, "the build was stopped by its progress callback");
}

/* lreport's function for lproj_build: the synapses generated so far of the projection. */
static int tell_generated(void *user, uint64_t generated)
{
    build_state *b = user;
    b->p.synapses = generated;
    return tell(b);
}

static leinao_status resolve_populations(leinao_sim *sim)
{
    char where[160];
    for (int i = 0; i < sim->net.n_pops; i++) {
        lpopulation *p = sim->net.pops[i];
        leinao_status st = lpop_resolve(&sim->ctx, p, sim->config.dt);
        if (st) {
            snprintf(where, sizeof where, "population %s (%s)", p->name, p->model->name);
            return fail(sim, where, st);
        }
    }
    return LEINAO_OK;
}

/* The threads start before the connections: they generate them too. */
static leinao_status start_threads(leinao_sim *sim)
{
    sim->part.n_threads = sim->config.threads;
    sim->eng.workers = lc_calloc(&sim->ctx, (size_t)sim->part.n_threads, sizeof *sim->eng.workers);
    if (!sim->eng.workers)
        return fail(sim, "the engine", LEINAO_NOMEM);
    if (lpool_init(&sim->eng.pool, sim->part.n_threads, sim->eng.workers) != 0)
        return lc_error(&sim->ctx, LEINAO_ERROR, "cannot start %d threads", sim->part.n_threads);
    return LEINAO_OK;
}

/* Generates every projection's synapses; the network's delays follow from them. */
static leinao_status build_projections(leinao_sim *sim, build_state *b)
{
    const lparallel par = {run_on_pool, &sim->eng.pool, sim->part.n_threads};
    const lreport report = {tell_generated, b};
    char where[160];
    sim->net.min_delay = 65535;
    sim->net.max_delay = 1;
    for (int i = 0; i < sim->net.n_projs; i++) {
        lprojection *p = sim->net.projs[i];
        const lpopulation *s = sim->net.pops[p->src], *t = sim->net.pops[p->tgt];
        b->p.projection = i;
        b->p.source = s->name;
        b->p.target = t->name;
        b->p.synapses = 0;
        b->p.expected = (uint64_t)llround(lproj_expected_synapses(p, s->size, t->size,
                                                                  p->src == p->tgt));
        if (tell(b))
            return interrupted(sim);
        uint32_t lo, hi;
        lsim_rank_range(sim, p->tgt, &lo, &hi);
        leinao_status st = lproj_build(&sim->ctx, p, s->size, t->size, lo, hi, p->src == p->tgt,
                                       sim->config.dt, sim->config.seed, &par,
                                       sim->config.build_progress ? &report : NULL);
        if (st == LEINAO_INTERRUPTED)
            return interrupted(sim);
        if (!st && s->model->max_synapses && p->n > s->model->max_synapses)
            st = lc_error(&sim->ctx, LEINAO_INVALID, "a %s projection is limited to %llu synapses",
                          s->model->name, (unsigned long long)s->model->max_synapses);
        if (st) {
            snprintf(where, sizeof where, "projection %d (%s -> %s)", i, s->name, t->name);
            return fail(sim, where, st);
        }
        if ((st = lproj_prepare_plasticity(&sim->ctx, p, s->size))) {
            snprintf(where, sizeof where, "projection %d (%s -> %s, %s)", i, s->name, t->name,
                     p->syn->name);
            return fail(sim, where, st);
        }
        if (!is_device(s))
            sim->net.synapses += p->n;
        if (is_device(s) && s->model->output_port == LPORT_CURRENT && p->n)
            sim->net.pops[p->tgt]->current_input = 1;
        if (p->n && p->min_delay < sim->net.min_delay)
            sim->net.min_delay = p->min_delay;
        if (p->n && p->max_delay > sim->net.max_delay)
            sim->net.max_delay = p->max_delay;
        b->p.synapses = p->n;
        if (tell(b))
            return interrupted(sim);
        b->p.synapses_before += p->n;
    }
    b->p.projection = -1;
    b->p.source = b->p.target = NULL;
    b->p.synapses = b->p.expected = 0;
    int reserved = reserved_delay_steps(sim);
    if (reserved > sim->net.max_delay)
        sim->net.max_delay = reserved;
    return LEINAO_OK; /* the ranks' delays and counts are joined once all have built theirs */
}

/* State, ring buffers and spike lists of every population; spike archives where a synapse
 * model reads postsynaptic spikes (NEST's archiving node). */
static leinao_status build_populations(leinao_sim *sim, size_t *widest_list)
{
    char where[160];
    *widest_list = 1;
    for (int i = 0; i < sim->net.n_pops; i++) {
        lpopulation *p = sim->net.pops[i];
        leinao_status st = lpop_build(&sim->ctx, p, sim->config.dt, sim->net.slots,
                                      sim->net.min_delay, sim->config.seed);
        if (st) {
            snprintf(where, sizeof where, "population %s", p->name);
            return fail(sim, where, st);
        }
        if (!is_device(p) && p->spikes.cap > *widest_list)
            *widest_list = p->spikes.cap;
    }
    for (int i = 0; i < sim->net.n_projs; i++) {
        lprojection *p = sim->net.projs[i];
        lpopulation *t = sim->net.pops[p->tgt];
        if (!p->syn->needs_archive)
            continue;
        leinao_status st;
        if (!t->archive && (st = larchive_create(&sim->ctx, &t->archive, t->size, t->tau_minus)))
            return fail(sim, "the spike archive", st);
        for (uint64_t j = 0; j < p->n; j++)
            t->archive->n_incoming[lproj_target(p, j)]++;
    }
    return LEINAO_OK;
}

/* Delivery views, the thread partition, per-slice scratch and the plastic synapses' per-spike
 * arrays. */
static leinao_status prepare_engine(leinao_sim *sim, size_t widest_list)
{
    lengine *e = &sim->eng;
    e->delivery = lc_calloc(&sim->ctx, (size_t)sim->net.n_projs + 1, sizeof *e->delivery);
    e->scratch_times = lc_malloc(&sim->ctx, widest_list * sizeof(double));
    e->scratch_ids = lc_malloc(&sim->ctx, widest_list * sizeof(uint64_t));
    e->scratch_count = lc_malloc(&sim->ctx, ((size_t)sim->net.min_delay + 1) * sizeof(uint32_t));
    e->prepass = lc_calloc(&sim->ctx, (size_t)sim->net.n_projs + 1, sizeof *e->prepass);
    if (!e->delivery || !e->scratch_times || !e->scratch_ids || !e->scratch_count || !e->prepass)
        return fail(sim, "the engine", LEINAO_NOMEM);
    for (int i = 0; i < sim->net.n_projs; i++)
        prepare_delivery(sim, sim->net.projs[i], &e->delivery[i]);
    leinao_status st = partition(sim);
    if (st)
        return fail(sim, "the thread partition", st);
    if ((st = lsim_prepare_exchange(sim)))
        return fail(sim, "the exchange between MPI ranks", st);
    if (sim->part.comm.size > 1 &&
        !(sim->net.weights_now = lc_calloc(&sim->ctx, (size_t)sim->net.n_projs + 1,
                                           sizeof *sim->net.weights_now)))
        return fail(sim, "the engine", LEINAO_NOMEM);
    for (int i = 0; i < sim->net.n_projs; i++) {
        const lprojection *p = sim->net.projs[i];
        if (p->syn->n_pre == 0)
            continue;
        size_t cap = (size_t)sim->net.pops[p->src]->size * (size_t)sim->net.min_delay *
                     (size_t)p->syn->n_pre;
        if (!(e->prepass[i] = lc_malloc(&sim->ctx, cap * sizeof(double))))
            return fail(sim, "the engine", LEINAO_NOMEM);
    }
    return LEINAO_OK;
}

/* The files are rank 0's: the others keep only their frames of samples. */
static leinao_status open_outputs(leinao_sim *sim)
{
    if (sim->part.comm.rank != 0) {
        for (int i = 0; i < sim->out.n_recorders; i++) {
            lstate_recorder *r = sim->out.recorders[i];
            r->frames = lc_calloc(&sim->ctx,
                                  r->n_neurons * (size_t)r->n_vars * (size_t)sim->net.min_delay,
                                  sizeof(double));
            if (!r->frames)
                return LEINAO_NOMEM;
        }
        return LEINAO_OK;
    }
    if (sim->out.defer_open)
        return LEINAO_OK;
    for (int i = 0; i < sim->out.n_sinks; i++) {
        lspike_sink *s = sim->out.sinks[i];
        char *path = lsim_output_path(sim, s->path);
        if (!path)
            return LEINAO_NOMEM;
        leinao_status st = s->ops->open(s, sim, path);
        lc_free(&sim->ctx, path);
        if (st)
            return st;
        s->is_open = 1;
    }
    for (int i = 0; i < sim->out.n_recorders; i++) {
        lstate_recorder *r = sim->out.recorders[i];
        char *path = lsim_output_path(sim, r->path);
        if (!path)
            return LEINAO_NOMEM;
        r->frames = lc_calloc(&sim->ctx,
                              r->n_neurons * (size_t)r->n_vars * (size_t)sim->net.min_delay,
                              sizeof(double));
        leinao_status st = r->frames ? r->ops->open(r, sim, path) : LEINAO_NOMEM;
        lc_free(&sim->ctx, path);
        if (st)
            return st;
        r->is_open = 1;
    }
    return LEINAO_OK;
}

void lsim_unbuild(leinao_sim *sim)
{
    lctx *ctx = &sim->ctx;
    char message[sizeof ctx->errmsg]; /* closing files may write one: keep the caller's */
    memcpy(message, ctx->errmsg, sizeof message);
    lpool_destroy(&sim->eng.pool);
    lengine *e = &sim->eng;
    for (int t = 0; e->thread && t < sim->part.n_threads; t++) {
        lthread *th = &e->thread[t];
        for (int i = 0; th->spikes && i < sim->net.n_pops; i++) {
            lc_free(ctx, th->spikes[i].index);
            lc_free(ctx, th->spikes[i].step);
        }
        void *blocks[] = {th->spikes, th->keys, th->part_from};
        for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
            lc_free(ctx, blocks[i]);
    }
    for (int k = 0; k < sim->net.n_projs; k++) {
        if (sim->part.split)
            lc_free(ctx, sim->part.split[k]);
        if (sim->part.key_offset)
            lc_free(ctx, sim->part.key_offset[k]);
        if (e->prepass)
            lc_free(ctx, e->prepass[k]);
        lproj_unbuild(ctx, sim->net.projs[k]);
    }
    void *blocks[] = {sim->part.split, sim->part.range, e->prepass, e->thread, e->workers,
                      e->delivery, e->scratch_times, e->scratch_ids, e->scratch_count,
                      e->send, e->recv, e->header, e->counts, sim->net.weights_now,
                      sim->part.key_offset};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        lc_free(ctx, blocks[i]);
    for (int i = 0; i < sim->out.n_sinks; i++) {
        lspike_sink *s = sim->out.sinks[i];
        if (s->ops && s->ops->destroy)
            s->ops->destroy(s, sim); /* closes the file */
        s->is_open = s->failed = 0;
    }
    for (int i = 0; i < sim->out.n_recorders; i++) {
        lstate_recorder *r = sim->out.recorders[i];
        if (r->ops && r->ops->destroy)
            r->ops->destroy(r, sim);
        lc_free(ctx, r->frames);
        lc_free(ctx, r->joined);
        r->frames = r->joined = NULL;
        r->is_open = r->failed = 0;
    }
    for (int i = 0; i < sim->net.n_pops; i++)
        lpop_unbuild(ctx, sim->net.pops[i]);
    sim->net.synapses = 0;
    sim->net.min_delay = sim->net.max_delay = 0;
    sim->net.slots = 0;
    lc_free(ctx, sim->net.identity);
    sim->net.identity = NULL;
    sim->net.n_identity = 0;
    sim->net.weights_now = NULL;
    lcomm comm = sim->part.comm;
    sim->part = (lpartition){0};
    sim->part.comm = comm;
    memset(e, 0, sizeof *e);
    e->pool.n = 1;
    uint64_t *guard_spikes = sim->run.guard_spikes;
    sim->run = (lrun){0};
    sim->run.guard_spikes = guard_spikes;
    for (int i = 0; guard_spikes && i < sim->config.guard_pops; i++)
        guard_spikes[i] = 0;
    sim->run.guard_next = sim->config.guard_steps;
    sim->phase = LSIM_DECLARING;
    memcpy(ctx->errmsg, message, sizeof message);
}

static leinao_status build(leinao_sim *sim, double t0)
{
    size_t widest_list = 1;
    lcomm_init(&sim->part.comm);
    /* before the build consumes the explicit lists */
    sim->net.identity = lsim_identity(sim, &sim->net.n_identity);
    if (!sim->net.identity) /* agreed as phase 0 is by the others */
        return lsim_agree(sim, fail(sim, "the engine", LEINAO_NOMEM), NULL);
    build_state b = {sim, {0}, t0};
    b.p.phases = N_PHASES;
    b.p.projection = -1;
    b.p.projections = sim->net.n_projs;
    double all = 0.0;
    for (int i = 0; i < sim->net.n_projs; i++) {
        const lprojection *p = sim->net.projs[i];
        all += lproj_expected_synapses(p, sim->net.pops[p->src]->size,
                                       sim->net.pops[p->tgt]->size, p->src == p->tgt);
    }
    b.p.expected_all = (uint64_t)llround(all);
    leinao_status st = LEINAO_OK;
    /* every rank ends each phase with the others: a failure or a stop on one is on all */
    for (int phase = 0; phase < N_PHASES && !st; phase++) {
        b.p.phase = phase_names[phase];
        b.p.phase_index = phase;
        b.p.done = 0;
        if (tell(&b))
            st = interrupted(sim);
        switch (st ? -1 : phase) {
        case -1: break;
        case 0: st = resolve_populations(sim); break;
        case 1: st = start_threads(sim); break;
        case 2: st = build_projections(sim, &b); break;
        case 3: st = build_populations(sim, &widest_list); break;
        case 4: st = prepare_engine(sim, widest_list); break;
        default: st = open_outputs(sim); break;
        }
        b.p.done = 1;
        if (!st && tell(&b))
            st = interrupted(sim);
        st = lsim_agree(sim, st, NULL);
        if (!st && phase == 2)
            lsim_join_projections(sim);
    }
    return st;
}

leinao_status leinao_build(leinao_sim *sim)
{
    if (sim->phase != LSIM_DECLARING)
        return lc_error(&sim->ctx, LEINAO_STATE, "the network is already built");
    double t0 = lc_wall_seconds();
    sim->run.n_steps = llround(sim->config.duration / sim->config.dt);
    leinao_status st = build(sim, t0);
    if (st) { /* back to the declared network: the handle may be built again */
        lsim_unbuild(sim);
        return st;
    }
    sim->phase = LSIM_BUILT;
    sim->run.build_wall = lc_wall_seconds() - t0;
    return LEINAO_OK;
}
