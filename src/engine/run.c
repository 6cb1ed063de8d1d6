/* run.c — the simulation loop: slices of min_delay steps. In each slice, in parallel, every
 * thread lets devices deliver to its neurons and advances them; then, on one thread, the
 * slice's spikes are gathered in canonical order (population, neuron, emission step), counted,
 * recorded and archived, and plastic synapses' per-source state is stepped; then, in parallel,
 * every thread delivers all spikes, in that order, to its own neurons' ring buffers. Every ring
 * slot therefore receives the same additions in the same order for any number of threads, and
 * results are bitwise identical. Also the run statistics. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define EXPONENT_BITS UINT64_C(0x7FF0000000000000)

/* Adds the slice's spikes of one population to the per-neuron statistics. */
static void count_spikes(leinao_sim *sim, lpopulation *p, int64_t step)
{
    const lspike_list *sp = &p->spikes;
    p->total_spikes += sp->count;
    sim->spikes += sp->count;
    for (size_t j = 0; j < sp->count; j++) {
        double t = (double)(step + sp->step[j] + 1) * sim->dt;
        if (t < sim->transient)
            continue;
        uint32_t i = sp->index[j];
        if (p->count[i] > 0) {
            double isi = t - p->last_spike[i];
            p->isi_n[i]++;
            p->isi_sum[i] += isi;
            p->isi_sq[i] += isi * isi;
        }
        p->count[i]++;
        p->last_spike[i] = t;
    }
}

/* Hands the slice's spikes of one population, sorted by time, to the sinks recording it. */
static leinao_status record(leinao_sim *sim, const lpopulation *p, int64_t step, int n)
{
    const lspike_list *sp = &p->spikes;
    if (sp->count == 0)
        return LEINAO_OK;
    int recorded = 0;
    for (int s = 0; s < sim->n_sinks && !recorded; s++)
        for (int k = 0; k < sim->sinks[s]->n_pops; k++)
            recorded |= sim->sinks[s]->pops[k] == p->id;
    if (!recorded)
        return LEINAO_OK;
    /* counting sort by step: spikes arrive ordered by neuron, then step */
    uint32_t *start = sim->scratch_count;
    memset(start, 0, ((size_t)n + 1) * sizeof *start);
    for (size_t j = 0; j < sp->count; j++)
        start[sp->step[j] + 1]++;
    for (int k = 0; k < n; k++)
        start[k + 1] += start[k];
    for (size_t j = 0; j < sp->count; j++) {
        uint32_t at = start[sp->step[j]]++;
        sim->scratch_times[at] = (double)(step + sp->step[j] + 1) * sim->dt;
        sim->scratch_ids[at] = sp->index[j];
    }
    for (int s = 0; s < sim->n_sinks; s++) {
        lspike_sink *sink = sim->sinks[s];
        for (int k = 0; k < sink->n_pops; k++) {
            if (sink->pops[k] != p->id || !sink->is_open)
                continue;
            leinao_status st =
                sink->ops->write(sink, sim, p->id, sim->scratch_times, sim->scratch_ids, sp->count);
            if (st) {
                sink->failed = 1;
                return st;
            }
        }
    }
    return LEINAO_OK;
}


/* Adds the slice's spikes of a population to its neurons' spike archive (stdp targets). */
static leinao_status archive_spikes(leinao_sim *sim, lpopulation *p, int64_t step)
{
    for (size_t j = 0; j < p->spikes.count; j++) {
        double t = (double)(step + p->spikes.step[j] + 1) * sim->dt;
        leinao_status st = larchive_add(&sim->ctx, p->archive, p->spikes.index[j], t,
                                        sim->max_delay * sim->dt);
        if (st)
            return st;
    }
    return LEINAO_OK;
}

/* ---- per-spike plastic state, stepped once per spike on one thread ---------------------- */

/* For spike j of the slice from source i: STDP's (K+, t_last) before it, or Tsodyks' released
 * fraction; the per-source state moves on. */
static void prepass(leinao_sim *sim, int k, const lpopulation *src, int64_t step)
{
    lprojection *proj = sim->projs[k];
    double *out = sim->prepass[k];
    const lspike_list *sp = &src->spikes;
    for (size_t j = 0; j < sp->count; j++) {
        uint32_t i = sp->index[j];
        double t = (double)(step + sp->step[j] + 1) * sim->dt;
        if (proj->syn->kind == LSYN_STDP) {
            double *state = proj->source_state + (size_t)i * STDP_S_N;
            out[2 * j] = state[STDP_S_Kplus];
            out[2 * j + 1] = state[STDP_S_t_last];
            state[STDP_S_Kplus] = state[STDP_S_Kplus] *
                                      exp((state[STDP_S_t_last] - t) / proj->syn_params[STDP_tau_plus]) +
                                  1.0;
            state[STDP_S_t_last] = t;
        } else {
            out[j] = ltsodyks_spike(proj->syn_params, proj->source_state + (size_t)i * TSO_S_N, t);
        }
    }
}

/* ---- delivery, on thread t into its own neurons --------------------------------------------- */

static inline void add(const ldelivery *d, uint64_t emitted, uint32_t delay, uint32_t target,
                       double w)
{
    uint32_t slot = (uint32_t)(emitted % d->slots) + delay;
    if (slot >= d->slots)
        slot -= d->slots;
    double *ring = w < 0.0 ? d->ring_in : d->ring_ex;
    ring[(size_t)slot * d->n + target] += w;
}

/* Static synapses b .. e - 1 of a row, with their weights, or all of weight w_uniform where
 * weight is NULL (the projection stores none: the ring is then the same for the whole row).
 * The ring-buffer cells they add to are scattered over far more memory than the caches hold,
 * so each add would wait for memory in turn; asking for the cell PREFETCH synapses ahead lets
 * those waits overlap. Inlined at each call, so that each case gets its own loop. */
#define PREFETCH 32
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void deliver_static(const ldelivery *d, uint64_t emitted, const uint32_t *entry,
                                  const float *weight, double w_uniform, int bits,
                                  uint32_t mask, uint64_t b, uint64_t e)
{
    const uint32_t slots = d->slots, first = (uint32_t)(emitted % slots);
    const size_t n = d->n;
    for (; b < e; b++) {
        if (d->prefetch && b + PREFETCH < e) {
            uint32_t x = entry[b + PREFETCH], slot = first + (x & mask);
            slot -= slot >= slots ? slots : 0;
            double *ring = (weight ? weight[b + PREFETCH] : w_uniform) < 0.0 ? d->ring_in
                                                                              : d->ring_ex;
            __builtin_prefetch(ring + (size_t)slot * n + (x >> bits), 1, 3);
        }
        uint32_t x = entry[b], slot = first + (x & mask);
        slot -= slot >= slots ? slots : 0;
        double w = weight ? (double)weight[b] : w_uniform;
        double *ring = w < 0.0 ? d->ring_in : d->ring_ex;
        ring[(size_t)slot * n + (x >> bits)] += w;
    }
}

/* The same for a compact projection (one weight, one delay, 16-bit targets): all of a row's
 * synapses add w to one slot of one ring. */
static void deliver_compact(const ldelivery *d, uint64_t emitted, uint32_t delay,
                            const uint16_t *target, double w, uint64_t b, uint64_t e)
{
    uint32_t slot = (uint32_t)(emitted % d->slots) + delay;
    slot -= slot >= d->slots ? d->slots : 0;
    double *ring = (w < 0.0 ? d->ring_in : d->ring_ex) + (size_t)slot * d->n;
    if (d->prefetch)
        for (; b + PREFETCH < e; b++) {
            __builtin_prefetch(ring + target[b + PREFETCH], 1, 3);
            ring[target[b]] += w;
        }
    for (; b < e; b++)
        ring[target[b]] += w;
}

/* stdp_synapse: NEST's rule on each synapse (weights change), then delivery. */
static void deliver_stdp(leinao_sim *sim, int k, const ldelivery *d, uint64_t b, uint64_t e,
                         uint64_t emitted, const double *pre)
{
    lprojection *proj = sim->projs[k];
    const double *p = proj->syn_params, dt = sim->dt, t = (double)(emitted + 1) * dt;
    const double Kplus = pre[0], t_last = pre[1];
    const int nearest = proj->syn->pairing == LSTDP_NEAREST_SYMMETRIC;
    const double K_pre = nearest ? 1.0 : Kplus;
    larchive *a = sim->pops[proj->tgt]->archive;
    for (; b < e; b++) {
        uint32_t tgt = lproj_target(proj, b);
        double delay = lproj_delay(proj, b) * dt, w = proj->weight_of[b];
        uint32_t first, last;
        larchive_range(a, tgt, t_last - delay, t - delay, &first, &last);
        for (uint32_t h = first; h < last; h++)
            w = lstdp_facilitate(p, w, K_pre * exp((t_last - (a->h[tgt].t[h] + delay)) / p[STDP_tau_plus]));
        w = lstdp_depress(p, w, nearest ? larchive_nearest_K(a, tgt, t - delay)
                                        : larchive_K(a, tgt, t - delay));
        proj->weight_of[b] = (float)w;
        add(d, emitted, lproj_delay(proj, b), tgt, (double)proj->weight_of[b]);
    }
}

#define ROW_AHEAD 2
static void deliver_job(void *ctx, int t)
{
    leinao_sim *sim = ctx;
    lthread *th = &sim->thread[t];
    for (int pi = 0; pi < sim->n_pops; pi++) {
        const lpopulation *p = sim->pops[pi];
        if (p->model->kind != LM_NEURON)
            continue;
        const lspike_list *sp = &p->spikes;
        for (size_t j = 0; j < sp->count; j++) {
            uint32_t i = sp->index[j];
            uint64_t emitted = (uint64_t)(sim->slice_step + sp->step[j]);
            /* the rows of a later spike start in memory no cache holds: ask for their first
             * lines now, so that their wait overlaps this spike's delivery */
            if (j + ROW_AHEAD < sp->count) {
                uint32_t ahead = sp->index[j + ROW_AHEAD];
                for (int k = 0; k < sim->n_projs; k++) {
                    const lprojection *proj = sim->projs[k];
                    if (proj->src != pi)
                        continue;
                    uint64_t b, e;
                    lsim_row(sim, k, ahead, t, &b, &e);
                    if (proj->target16) {
                        for (; b < e; b += 32)
                            __builtin_prefetch(proj->target16 + b, 0, 3);
                        continue;
                    }
                    for (; b < e; b += 16) {
                        __builtin_prefetch(proj->entry + b, 0, 3);
                        if (proj->weight_of)
                            __builtin_prefetch(proj->weight_of + b, 0, 3);
                    }
                }
            }
            for (int k = 0; k < sim->n_projs; k++) {
                const lprojection *proj = sim->projs[k];
                if (proj->src != pi)
                    continue;
                const ldelivery *d = &sim->delivery[k];
                uint64_t b, e;
                lsim_row(sim, k, i, t, &b, &e);
                th->events += e - b;
                switch (proj->syn->kind) {
                case LSYN_STATIC: {
                    if (proj->target16) {
                        deliver_compact(d, emitted, (uint32_t)proj->min_delay, proj->target16,
                                        (double)proj->weight_uniform, b, e);
                        break;
                    }
                    const uint32_t *entry = proj->entry;
                    const float *weight = proj->weight_of;
                    const int bits = proj->delay_bits;
                    const uint32_t mask = proj->delay_mask;
                    if (weight)
                        deliver_static(d, emitted, entry, weight, 0.0, bits, mask, b, e);
                    else
                        deliver_static(d, emitted, entry, NULL, (double)proj->weight_uniform,
                                       bits, mask, b, e);
                    break;
                }
                case LSYN_STDP:
                    deliver_stdp(sim, k, d, b, e, emitted, sim->prepass[k] + 2 * j);
                    break;
                case LSYN_TSODYKS: {
                    double released = sim->prepass[k][j];
                    for (; b < e; b++)
                        add(d, emitted, lproj_delay(proj, b), lproj_target(proj, b),
                            (double)proj->weight_of[b] * released);
                    break;
                }
                }
            }
        }
    }
}

/* ---- update, on thread t for its neurons ------------------------------------------------------ */

static int compare_keys(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Thread t's samples after step k of the slice, for the recorders of population pop. */
static void sample(leinao_sim *sim, int pop, int t, int k)
{
    uint32_t lo = lsim_lo(sim, pop, t), hi = lsim_lo(sim, pop, t + 1);
    double *const *state = sim->pops[pop]->state;
    for (int r = 0; r < sim->n_recorders; r++) {
        lstate_recorder *rec = sim->recorders[r];
        if (rec->pop != pop)
            continue;
        size_t cols = rec->n_neurons * (size_t)rec->n_vars;
        double *frame = rec->frames + (size_t)k * cols;
        for (size_t j = 0; j < rec->n_neurons; j++) {
            uint32_t i = rec->neurons[j];
            if (i < lo || i >= hi)
                continue;
            for (int v = 0; v < rec->n_vars; v++)
                frame[j * (size_t)rec->n_vars + (size_t)v] = state[rec->vars[v]][i];
        }
    }
}

static int is_sampled(const leinao_sim *sim, int pop)
{
    for (int i = 0; i < sim->n_recorders; i++)
        if (sim->recorders[i]->pop == pop)
            return 1;
    return 0;
}

/* Finds the first non-finite state of thread t's neurons (models write NaN when they diverge). */
LEINAO_KERNEL static void check_finite(leinao_sim *sim, int pop, int t)
{
    lthread *th = &sim->thread[t];
    const lpopulation *p = sim->pops[pop];
    uint32_t lo = lsim_lo(sim, pop, t), hi = lsim_lo(sim, pop, t + 1);
    if (th->fail_pop >= 0)
        return;
    for (int k = 0; k < p->model->n_states; k++) {
        const double *x = p->state[k];
        /* NaN and inf have all exponent bits set: an integer and-reduction that vectorises */
        uint64_t all = 0;
        for (uint32_t i = lo; i < hi; i++) {
            uint64_t u;
            memcpy(&u, &x[i], sizeof u);
            all |= ((~u & EXPONENT_BITS) - 1) >> 63; /* 1 when no exponent bit is clear */
        }
        if (!all)
            continue;
        for (uint32_t i = lo; i < hi; i++) {
            if (!isfinite(x[i]) && (th->fail_pop < 0 || i < th->fail_neuron)) {
                th->fail_pop = pop;
                th->fail_var = k;
                th->fail_neuron = i;
            }
        }
    }
}

static void update_job(void *ctx, int t)
{
    leinao_sim *sim = ctx;
    lthread *th = &sim->thread[t];
    const int64_t step = sim->slice_step;
    const int n = sim->slice_n;
    lsim_deliver_devices(sim, step, n, t);
    for (int pi = 0; pi < sim->n_pops; pi++) {
        lpopulation *p = sim->pops[pi];
        if (p->model->kind != LM_NEURON)
            continue;
        lspike_list *out = &th->spikes[pi];
        lneuron_block block = {p->size,  p->state,  p->refractory, p->ring, p->slots, sim->dt,
                               p->params, p->consts, out,         0,       p->current_input};
        uint32_t lo = lsim_lo(sim, pi, t), hi = lsim_lo(sim, pi, t + 1);
        out->count = 0;
        if (!is_sampled(sim, pi)) {
            lpop_update(p, &block, lo, hi, step, n);
        } else {
            /* step by step, to sample every step; then back to (neuron, step) order, so that
             * recording never changes how input is summed */
            for (int k = 0; k < n; k++) {
                size_t before = out->count;
                lpop_update(p, &block, lo, hi, step + k, 1);
                for (size_t j = before; j < out->count; j++)
                    out->step[j] = (uint16_t)k;
                sample(sim, pi, t, k);
            }
            for (size_t j = 0; j < out->count; j++)
                th->keys[j] = (uint64_t)out->index[j] << 16 | out->step[j];
            qsort(th->keys, out->count, sizeof *th->keys, compare_keys);
            for (size_t j = 0; j < out->count; j++) {
                out->index[j] = (uint32_t)(th->keys[j] >> 16);
                out->step[j] = (uint16_t)(th->keys[j] & 0xFFFF);
            }
        }
        if (!p->model->reports_nonfinite || block.nonfinite)
            check_finite(sim, pi, t);
    }
}

/* ---- the serial part of a slice --------------------------------------------------------------- */

/* The threads' spike lists, concatenated in thread order: (neuron, step) order. */
static void gather(leinao_sim *sim, lpopulation *p)
{
    lspike_list *all = &p->spikes;
    all->count = 0;
    for (int t = 0; t < sim->n_threads; t++) {
        const lspike_list *part = &sim->thread[t].spikes[p->id];
        memcpy(all->index + all->count, part->index, part->count * sizeof *part->index);
        memcpy(all->step + all->count, part->step, part->count * sizeof *part->step);
        all->count += part->count;
    }
}

static leinao_status write_samples(leinao_sim *sim, int64_t step, int n)
{
    for (int r = 0; r < sim->n_recorders; r++) {
        lstate_recorder *rec = sim->recorders[r];
        size_t cols = rec->n_neurons * (size_t)rec->n_vars;
        for (int k = 0; k < n && rec->is_open; k++) {
            if ((step + k + 1) % rec->interval_steps != 0)
                continue;
            leinao_status st = rec->ops->write(rec, sim, (double)(step + k + 1) * sim->dt,
                                               rec->frames + (size_t)k * cols);
            if (st) {
                rec->failed = 1;
                return st;
            }
        }
    }
    return LEINAO_OK;
}

static leinao_status numeric_failure(leinao_sim *sim, int64_t step_end)
{
    int best = -1;
    for (int t = 0; t < sim->n_threads; t++) {
        const lthread *th = &sim->thread[t];
        if (th->fail_pop < 0)
            continue;
        if (best < 0 || th->fail_pop < sim->thread[best].fail_pop ||
            (th->fail_pop == sim->thread[best].fail_pop &&
             th->fail_neuron < sim->thread[best].fail_neuron))
            best = t;
    }
    if (best < 0)
        return LEINAO_OK;
    const lthread *th = &sim->thread[best];
    const lpopulation *p = sim->pops[th->fail_pop];
    return lc_error(&sim->ctx, LEINAO_NUMERIC,
                    "population %s (%s), neuron %u: %s became %g (diverged) in the slice ending "
                    "at t = %g ms; the run stops here",
                    p->name, p->model->name, th->fail_neuron, p->model->states[th->fail_var].name,
                    p->state[th->fail_var][th->fail_neuron], (double)step_end * sim->dt);
}

/* The rate guard, checked at the first slice end at or after the end of each window. */
static leinao_status check_guard(leinao_sim *sim, int64_t step_end)
{
    if (!sim->guard_min || step_end < sim->guard_next)
        return LEINAO_OK;
    double window_ms = (double)sim->guard_steps * sim->dt;
    for (int i = 0; i < sim->guard_pops; i++) {
        const lpopulation *p = sim->pops[i];
        if (p->model->kind != LM_NEURON)
            continue;
        double rate = (double)sim->guard_spikes[i] / (double)p->size / (window_ms * 1e-3);
        sim->guard_spikes[i] = 0;
        if (rate < sim->guard_min[i] || rate > sim->guard_max[i])
            return lc_error(&sim->ctx, LEINAO_GUARD,
                            "population %s: rate %.4g Hz in (%g, %g] ms is outside the guard "
                            "[%g, %g] Hz; the run stops here",
                            p->name, rate, (double)step_end * sim->dt - window_ms,
                            (double)step_end * sim->dt, sim->guard_min[i], sim->guard_max[i]);
    }
    sim->guard_next += sim->guard_steps;
    return LEINAO_OK;
}

static leinao_status serial_phase(leinao_sim *sim, int64_t step, int n)
{
    leinao_status st = numeric_failure(sim, step + n);
    if (!st)
        st = write_samples(sim, step, n);
    for (int i = 0; i < sim->n_pops && !st; i++) {
        lpopulation *p = sim->pops[i];
        if (p->model->kind != LM_NEURON)
            continue;
        gather(sim, p);
        count_spikes(sim, p, step);
        if (sim->guard_spikes && i < sim->guard_pops)
            sim->guard_spikes[i] += p->spikes.count;
        st = record(sim, p, step, n);
        if (!st && p->archive)
            st = archive_spikes(sim, p, step);
        for (int k = 0; k < sim->n_projs && !st; k++)
            if (sim->projs[k]->src == i && sim->prepass[k])
                prepass(sim, k, p, step);
    }
    return st ? st : check_guard(sim, step + n);
}

leinao_status leinao_run(leinao_sim *sim, leinao_progress_fn progress, void *user)
{
    if (sim->phase != LSIM_BUILT)
        return lc_error(&sim->ctx, LEINAO_STATE,
                        sim->phase == LSIM_DECLARING ? "leinao_build must come before leinao_run"
                                                     : "the run is finished");
    double t0 = lc_wall_seconds(), wall_before = sim->run_wall;
    uint64_t neurons = 0;
    for (int i = 0; i < sim->n_pops; i++)
        if (sim->pops[i]->model->kind == LM_NEURON)
            neurons += sim->pops[i]->size;
    while (sim->step < sim->n_steps) {
        int64_t step = sim->step;
        int n = (int)(sim->n_steps - step < sim->min_delay ? sim->n_steps - step : sim->min_delay);
        sim->slice_step = step;
        sim->slice_n = n;
        double w0 = lc_wall_seconds();
        lpool_run(&sim->pool, update_job, sim);
        double w1 = lc_wall_seconds();
        leinao_status st = serial_phase(sim, step, n);
        double w2 = lc_wall_seconds();
        if (!st)
            lpool_run(&sim->pool, deliver_job, sim);
        double w3 = lc_wall_seconds();
        sim->phase_wall[0] += w1 - w0;
        sim->phase_wall[1] += w2 - w1;
        sim->phase_wall[2] += w3 - w2;
        sim->events = 0;
        for (int t = 0; t < sim->n_threads; t++)
            sim->events += sim->thread[t].events;
        sim->step = step + n;
        sim->run_wall = wall_before + lc_wall_seconds() - t0;
        if (st) {
            sim->failed = 1;
            return st;
        }
        if (progress) {
            leinao_progress info = {(double)sim->step * sim->dt, sim->duration,
                                    lc_wall_seconds() - t0, sim->spikes, neurons};
            if (progress(user, &info)) {
                sim->interrupted = 1;
                return lc_error(&sim->ctx, LEINAO_INTERRUPTED, "run interrupted at t = %g ms",
                                (double)sim->step * sim->dt);
            }
        }
    }
    return LEINAO_OK;
}

leinao_status leinao_get_population_stats(const leinao_sim *sim, int pop,
                                          leinao_population_stats *out)
{
    if (pop < 0 || pop >= sim->n_pops)
        return lc_error_at((lctx *)&sim->ctx, LEINAO_NOT_FOUND, "pop", NULL, pop,
                           "no population with id %d", pop);
    const lpopulation *p = sim->pops[pop];
    memset(out, 0, sizeof *out);
    out->name = p->name;
    out->model = p->model->name;
    out->size = p->size;
    out->is_device = p->model->kind != LM_NEURON;
    out->rate = NAN;
    out->cv_isi = NAN;
    if (out->is_device || !p->count)
        return LEINAO_OK;
    double window = ((double)sim->step * sim->dt - sim->transient) * 1e-3;
    double cv_sum = 0.0;
    uint64_t cv_n = 0;
    for (uint32_t i = 0; i < p->size; i++) {
        out->spikes += p->count[i];
        if (p->isi_n[i] >= 2) {
            double mean = p->isi_sum[i] / p->isi_n[i];
            double var = p->isi_sq[i] / p->isi_n[i] - mean * mean;
            cv_sum += sqrt(var > 0.0 ? var : 0.0) / mean;
            cv_n++;
        }
    }
    out->rate = window > 0.0 ? (double)out->spikes / (double)p->size / window : NAN;
    out->cv_isi = cv_n ? cv_sum / (double)cv_n : NAN;
    return LEINAO_OK;
}

leinao_status leinao_get_run_stats(const leinao_sim *sim, leinao_run_stats *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < sim->n_pops; i++)
        if (sim->pops[i]->model->kind == LM_NEURON)
            out->neurons += sim->pops[i]->size;
    out->synapses = sim->synapses;
    out->events = sim->events;
    out->build_wall = sim->build_wall;
    out->run_wall = sim->run_wall;
    out->update_wall = sim->phase_wall[0];
    out->exchange_wall = sim->phase_wall[1];
    out->deliver_wall = sim->phase_wall[2];
    out->t_simulated = (double)sim->step * sim->dt;
    out->real_time_factor = out->t_simulated > 0 ? sim->run_wall / (out->t_simulated * 1e-3) : NAN;
    out->events_per_second = sim->run_wall > 0 ? (double)sim->events / sim->run_wall : NAN;
    out->peak_bytes = sim->ctx.peak_bytes;
    out->seed = sim->seed;
    out->threads = sim->threads;
    out->interrupted = sim->interrupted;
    out->populations = sim->n_pops;
    out->name = sim->name ? sim->name : "";
    return LEINAO_OK;
}

int leinao_projection_count(const leinao_sim *sim)
{
    return sim->n_projs;
}

leinao_status leinao_get_projection_stats(const leinao_sim *sim, int proj,
                                          leinao_projection_stats *out)
{
    if (proj < 0 || proj >= sim->n_projs)
        return lc_error_at((lctx *)&sim->ctx, LEINAO_NOT_FOUND, "proj", NULL, proj,
                           "no projection with id %d", proj);
    const lprojection *p = sim->projs[proj];
    memset(out, 0, sizeof *out);
    out->source = p->src;
    out->target = p->tgt;
    out->synapse_model = p->syn->name;
    out->synapses = p->n;
    out->weight_mean_initial = p->weight_mean_initial;
    out->weight_mean = out->weight_min = out->weight_max = NAN;
    if (p->n == 0)
        return LEINAO_OK;
    double sum = 0.0, lo = INFINITY, hi = -INFINITY;
    for (uint64_t j = 0; j < p->n; j++) {
        double w = lproj_weight(p, j);
        sum += w;
        lo = w < lo ? w : lo;
        hi = w > hi ? w : hi;
    }
    out->weight_mean = sum / (double)p->n;
    out->weight_min = lo;
    out->weight_max = hi;
    return LEINAO_OK;
}
