/* run.c — the simulation loop: slices of min_delay steps; in each slice devices deliver, every
 * neuron advances independently, then the slice's spikes are counted, recorded and delivered
 * in canonical order (source population, neuron, emission step). Also the run statistics. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

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

/* stdp_synapse: the weights of source i's synapses are updated by NEST's rule, then the spike
 * is delivered with them. */
static void deliver_stdp(leinao_sim *sim, lprojection *proj, const ldelivery *d, uint32_t i,
                         uint64_t emitted)
{
    const double *p = proj->syn_params, dt = sim->dt, t = (double)(emitted + 1) * dt;
    double *state = proj->source_state + (size_t)i * STDP_S_N;
    const double Kplus = state[STDP_S_Kplus], t_last = state[STDP_S_t_last];
    larchive *a = sim->pops[proj->tgt]->archive;
    const int nearest = proj->syn->pairing == LSTDP_NEAREST_SYMMETRIC;
    const double K_pre = nearest ? 1.0 : Kplus;
    for (uint64_t e = proj->row[i]; e < proj->row[i + 1]; e++) {
        uint32_t tgt = proj->target[e];
        double delay = proj->delay_of[e] * dt, w = proj->weight_of[e];
        uint32_t first, last;
        larchive_range(a, tgt, t_last - delay, t - delay, &first, &last);
        for (uint32_t k = first; k < last; k++)
            w = lstdp_facilitate(p, w, K_pre * exp((t_last - (a->h[tgt].t[k] + delay)) / p[STDP_tau_plus]));
        w = lstdp_depress(p, w, nearest ? larchive_nearest_K(a, tgt, t - delay)
                                        : larchive_K(a, tgt, t - delay));
        proj->weight_of[e] = (float)w;
        uint32_t slot = (uint32_t)((emitted + proj->delay_of[e]) % d->slots);
        double *ring = proj->weight_of[e] < 0.0f ? d->ring_in : d->ring_ex;
        ring[(size_t)slot * d->n + tgt] += (double)proj->weight_of[e];
    }
    state[STDP_S_Kplus] = Kplus * exp((t_last - t) / p[STDP_tau_plus]) + 1.0;
    state[STDP_S_t_last] = t;
}

/* tsodyks_synapse: one release fraction per presynaptic spike scales every weight. */
static void deliver_tsodyks(leinao_sim *sim, lprojection *proj, const ldelivery *d, uint32_t i,
                            uint64_t emitted)
{
    double t = (double)(emitted + 1) * sim->dt;
    double released = ltsodyks_spike(proj->syn_params, proj->source_state + (size_t)i * TSO_S_N, t);
    for (uint64_t e = proj->row[i]; e < proj->row[i + 1]; e++) {
        float w = proj->weight_of[e];
        uint32_t slot = (uint32_t)((emitted + proj->delay_of[e]) % d->slots);
        double *ring = w < 0.0f ? d->ring_in : d->ring_ex;
        ring[(size_t)slot * d->n + proj->target[e]] += (double)w * released;
    }
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

/* Delivers the slice's spikes of one source population through its projections. */
static void deliver(leinao_sim *sim, const lpopulation *p, int64_t step)
{
    const lspike_list *sp = &p->spikes;
    for (size_t j = 0; j < sp->count; j++) {
        uint32_t i = sp->index[j];
        uint64_t emitted = (uint64_t)(step + sp->step[j]);
        for (int k = 0; k < sim->n_projs; k++) {
            lprojection *proj = sim->projs[k];
            if (proj->src != p->id)
                continue;
            const ldelivery *d = &sim->delivery[k];
            uint64_t begin = proj->row[i], end = proj->row[i + 1];
            if (proj->syn->kind != LSYN_STATIC) {
                sim->events += end - begin;
                if (proj->syn->kind == LSYN_STDP)
                    deliver_stdp(sim, proj, d, i, emitted);
                else
                    deliver_tsodyks(sim, proj, d, i, emitted);
                continue;
            }
            uint32_t base = (uint32_t)(emitted % d->slots), slots = d->slots, n = d->n;
            sim->events += end - begin;
            for (uint64_t e = begin; e < end; e++) {
                float w = proj->weight_of[e];
                uint32_t slot = base + proj->delay_of[e];
                if (slot >= slots)
                    slot -= slots;
                double *ring = w < 0.0f ? d->ring_in : d->ring_ex;
                ring[(size_t)slot * n + proj->target[e]] += (double)w;
            }
        }
    }
}

/* A state that is NaN or infinite (models write NaN when they diverge) stops the run. */
static leinao_status check_finite(leinao_sim *sim, const lpopulation *p, int64_t step_end)
{
    const lmodel *m = p->model;
    for (int k = 0; k < m->n_states; k++) {
        const double *x = p->state[k];
        double sum = 0.0;
        for (uint32_t i = 0; i < p->size; i++)
            sum += x[i] * 0.0; /* NaN or inf anywhere makes the sum NaN */
        if (sum == 0.0)
            continue;
        for (uint32_t i = 0; i < p->size; i++)
            if (!isfinite(x[i]))
                return lc_error(&sim->ctx, LEINAO_NUMERIC,
                                "population %s (%s), neuron %u: %s became %g (diverged) in the "
                                "slice ending at t = %g ms; the run stops here",
                                p->name, m->name, i, m->states[k].name, x[i],
                                (double)step_end * sim->dt);
    }
    return LEINAO_OK;
}

static int compare_spike_keys(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Samples the recorders of population `pop` that are due after step `step`. */
static leinao_status sample(leinao_sim *sim, int pop, int64_t step)
{
    for (int i = 0; i < sim->n_recorders; i++) {
        lstate_recorder *r = sim->recorders[i];
        if (r->pop != pop || !r->is_open || (step + 1) % r->interval_steps != 0)
            continue;
        double *const *state = sim->pops[pop]->state;
        for (size_t j = 0; j < r->n_neurons; j++)
            for (int v = 0; v < r->n_vars; v++)
                r->frame[j * (size_t)r->n_vars + (size_t)v] = state[r->vars[v]][r->neurons[j]];
        leinao_status st = r->ops->write(r, sim, (double)(step + 1) * sim->dt, r->frame);
        if (st) {
            r->failed = 1;
            return st;
        }
    }
    return LEINAO_OK;
}

static int is_sampled(const leinao_sim *sim, int pop)
{
    for (int i = 0; i < sim->n_recorders; i++)
        if (sim->recorders[i]->pop == pop)
            return 1;
    return 0;
}

/* Advances one population over the slice. A population whose state is recorded goes step by
 * step, and its spikes are put back in (neuron, step) order, so recording never changes how
 * input is summed. */
static leinao_status update_population(leinao_sim *sim, lpopulation *p, int64_t step, int n)
{
    lneuron_block block = {p->size,  p->state,  p->refractory, p->ring,   p->slots,
                           sim->dt,  p->params, p->consts,     &p->spikes};
    p->spikes.count = 0;
    if (!is_sampled(sim, p->id)) {
        p->model->update(&block, 0, p->size, step, n);
        return LEINAO_OK;
    }
    for (int k = 0; k < n; k++) {
        size_t before = p->spikes.count;
        p->model->update(&block, 0, p->size, step + k, 1);
        for (size_t j = before; j < p->spikes.count; j++)
            p->spikes.step[j] = (uint16_t)k;
        leinao_status st = sample(sim, p->id, step + k);
        if (st)
            return st;
    }
    size_t count = p->spikes.count;
    if (count > 1) {
        uint64_t *keys = lc_malloc(&sim->ctx, count * sizeof *keys);
        if (!keys)
            return LEINAO_NOMEM;
        for (size_t j = 0; j < count; j++)
            keys[j] = (uint64_t)p->spikes.index[j] << 16 | p->spikes.step[j];
        qsort(keys, count, sizeof *keys, compare_spike_keys);
        for (size_t j = 0; j < count; j++) {
            p->spikes.index[j] = (uint32_t)(keys[j] >> 16);
            p->spikes.step[j] = (uint16_t)(keys[j] & 0xFFFF);
        }
        lc_free(&sim->ctx, keys);
    }
    return LEINAO_OK;
}

leinao_status leinao_run(leinao_sim *sim, leinao_progress_fn progress, void *user)
{
    if (sim->phase != LSIM_BUILT)
        return lc_error(&sim->ctx, LEINAO_STATE,
                        sim->phase == LSIM_DECLARING ? "leinao_build must come before leinao_run"
                                                     : "the run is finished");
    double t0 = lc_wall_seconds(), wall_before = sim->run_wall;
    leinao_status st = LEINAO_OK;
    while (sim->step < sim->n_steps) {
        int64_t step = sim->step;
        int n = (int)(sim->n_steps - step < sim->min_delay ? sim->n_steps - step : sim->min_delay);
        lsim_deliver_devices(sim, step, n);
        for (int i = 0; i < sim->n_pops; i++) {
            lpopulation *p = sim->pops[i];
            if (p->model->kind != LM_NEURON)
                continue;
            leinao_status up = update_population(sim, p, step, n);
            if (!st)
                st = up ? up : check_finite(sim, p, step + n);
        }
        for (int i = 0; i < sim->n_pops && !st; i++) {
            lpopulation *p = sim->pops[i];
            if (p->model->kind != LM_NEURON)
                continue;
            count_spikes(sim, p, step);
            st = record(sim, p, step, n);
            if (!st && p->archive)
                st = archive_spikes(sim, p, step);
            deliver(sim, p, step);
        }
        sim->step = step + n;
        sim->run_wall = wall_before + lc_wall_seconds() - t0;
        if (st) {
            sim->failed = 1;
            return st;
        }
        if (progress) {
            uint64_t neurons = 0;
            for (int i = 0; i < sim->n_pops; i++)
                if (sim->pops[i]->model->kind == LM_NEURON)
                    neurons += sim->pops[i]->size;
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
        return LEINAO_NOT_FOUND;
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
        return LEINAO_NOT_FOUND;
    const lprojection *p = sim->projs[proj];
    memset(out, 0, sizeof *out);
    out->source = p->src;
    out->target = p->tgt;
    out->synapse_model = p->syn->name;
    out->synapses = p->n;
    out->weight_mean_initial = p->weight_mean_initial;
    out->weight_mean = out->weight_min = out->weight_max = NAN;
    if (!p->weight_of || p->n == 0)
        return LEINAO_OK;
    double sum = 0.0, lo = INFINITY, hi = -INFINITY;
    for (uint64_t j = 0; j < p->n; j++) {
        double w = p->weight_of[j];
        sum += w;
        lo = w < lo ? w : lo;
        hi = w > hi ? w : hi;
    }
    out->weight_mean = sum / (double)p->n;
    out->weight_min = lo;
    out->weight_max = hi;
    return LEINAO_OK;
}
