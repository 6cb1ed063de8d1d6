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

/* Time (ms) of spike j of a slice starting at `step`: the end of its emission step. */
static inline double spike_time(const leinao_sim *sim, const lspike_list *sp, int64_t step,
                                size_t j)
{
    return (double)(step + sp->step[j] + 1) * sim->config.dt;
}

/* Adds the slice's spikes of one population to the per-neuron statistics. */
static void count_spikes(leinao_sim *sim, lpopulation *p, int64_t step)
{
    const lspike_list *sp = &p->spikes;
    p->total_spikes += sp->count;
    sim->run.spikes += sp->count;
    for (size_t j = 0; j < sp->count; j++) {
        double t = spike_time(sim, sp, step, j);
        if (t < sim->config.transient)
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
    int recorded = 0; /* by an open sink (with several ranks: only rank 0's are) */
    for (int s = 0; s < sim->out.n_sinks && !recorded; s++)
        for (int k = 0; k < sim->out.sinks[s]->n_pops; k++)
            recorded |= sim->out.sinks[s]->pops[k] == p->id && sim->out.sinks[s]->is_open;
    if (!recorded)
        return LEINAO_OK;
    /* counting sort by step: spikes arrive ordered by neuron, then step */
    uint32_t *start = sim->eng.scratch_count;
    memset(start, 0, ((size_t)n + 1) * sizeof *start);
    for (size_t j = 0; j < sp->count; j++)
        start[sp->step[j] + 1]++;
    for (int k = 0; k < n; k++)
        start[k + 1] += start[k];
    for (size_t j = 0; j < sp->count; j++) {
        uint32_t at = start[sp->step[j]]++;
        sim->eng.scratch_times[at] = spike_time(sim, sp, step, j);
        sim->eng.scratch_ids[at] = sp->index[j];
    }
    for (int s = 0; s < sim->out.n_sinks; s++) {
        lspike_sink *sink = sim->out.sinks[s];
        for (int k = 0; k < sink->n_pops; k++) {
            if (sink->pops[k] != p->id || !sink->is_open)
                continue;
            leinao_status st =
                sink->ops->write(sink, sim, p->id, sim->eng.scratch_times, sim->eng.scratch_ids, sp->count);
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
        leinao_status st = larchive_add(&sim->ctx, p->archive, p->spikes.index[j],
                                        spike_time(sim, &p->spikes, step, j),
                                        sim->net.max_delay * sim->config.dt);
        if (st)
            return st;
    }
    return LEINAO_OK;
}

/* ---- per-spike plastic state, stepped once per spike on one thread ---------------------- */

/* For spike j of the slice from source i, the synapse model's on_pre_spike writes what its
 * deliver reads (STDP's K+ and t_last before the spike, Tsodyks' released fraction) and moves
 * the per-source state on. */
static void prepass(leinao_sim *sim, int k, const lpopulation *src, int64_t step)
{
    lprojection *proj = sim->net.projs[k];
    const lsynapse_model *m = proj->syn;
    double *out = sim->eng.prepass[k];
    const lspike_list *sp = &src->spikes;
    for (size_t j = 0; j < sp->count; j++)
        m->on_pre_spike(proj->syn_params,
                        proj->source_state + (size_t)sp->index[j] * (size_t)m->n_source_state,
                        spike_time(sim, sp, step, j), out + (size_t)m->n_pre * j);
}

/* ---- delivery, on thread t into its own neurons --------------------------------------------- */

/* The rows of a later spike start in memory no cache holds: ask for their lines now, so that
 * their wait overlaps this spike's delivery. */
#define ROW_AHEAD 2
static void prefetch_rows(const leinao_sim *sim, int pop, uint32_t source, int t)
{
    for (int k = 0; k < sim->net.n_projs; k++) {
        if (sim->net.projs[k]->src != pop)
            continue;
        uint64_t b, e;
        lsim_row(sim, k, source, t, &b, &e);
        lproj_prefetch_row(sim->net.projs[k], b, e);
    }
}

/* Every spike of the slice, in canonical order, through the synapse model of each projection
 * from its population to thread t's targets. */
static void deliver_job(void *ctx, int t)
{
    leinao_sim *sim = ctx;
    lthread *th = &sim->eng.thread[t];
    for (int pi = 0; pi < sim->net.n_pops; pi++) {
        const lpopulation *p = sim->net.pops[pi];
        if (p->model->kind != LM_NEURON)
            continue;
        const lspike_list *sp = &p->spikes;
        for (size_t j = 0; j < sp->count; j++) {
            uint64_t emitted = (uint64_t)(sim->eng.slice_step + sp->step[j]);
            if (j + ROW_AHEAD < sp->count)
                prefetch_rows(sim, pi, sp->index[j + ROW_AHEAD], t);
            for (int k = 0; k < sim->net.n_projs; k++) {
                lprojection *proj = sim->net.projs[k];
                if (proj->src != pi)
                    continue;
                uint64_t b, e;
                lsim_row(sim, k, sp->index[j], t, &b, &e);
                th->events += e - b;
                const lsynapse_call call = {proj, &sim->eng.delivery[k].ring,
                                            sim->net.pops[proj->tgt]->archive, sim->config.dt};
                const double *pre =
                    sim->eng.prepass[k] ? sim->eng.prepass[k] + (size_t)proj->syn->n_pre * j : NULL;
                proj->syn->deliver(&call, b, e, emitted, pre);
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
    double *const *state = sim->net.pops[pop]->state;
    for (int r = 0; r < sim->out.n_recorders; r++) {
        lstate_recorder *rec = sim->out.recorders[r];
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
    for (int i = 0; i < sim->out.n_recorders; i++)
        if (sim->out.recorders[i]->pop == pop)
            return 1;
    return 0;
}

/* Finds the first non-finite state of thread t's neurons (models write NaN when they diverge). */
LEINAO_KERNEL static void check_finite(leinao_sim *sim, int pop, int t)
{
    lthread *th = &sim->eng.thread[t];
    const lpopulation *p = sim->net.pops[pop];
    uint32_t lo = lsim_lo(sim, pop, t), hi = lsim_lo(sim, pop, t + 1);
    if (th->fail_pop >= 0)
        return;
    for (int k = 0; k < p->model->n_states; k++) {
        const double *x = p->state[k];
        /* an integer or-reduction that vectorises, then the search only where it found one */
        uint64_t all = 0;
        for (uint32_t i = lo; i < hi; i++)
            all |= lnonfinite_bit(x[i]);
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

/* Sorts a spike list into (neuron, step) order from index `from` on (keys: scratch). */
static void sort_spikes(lspike_list *out, size_t from, uint64_t *keys)
{
    size_t n = out->count - from;
    for (size_t j = 0; j < n; j++)
        keys[j] = (uint64_t)out->index[from + j] << 16 | out->step[from + j];
    qsort(keys, n, sizeof *keys, compare_keys);
    for (size_t j = 0; j < n; j++) {
        out->index[from + j] = (uint32_t)(keys[j] >> 16);
        out->step[from + j] = (uint16_t)(keys[j] & 0xFFFF);
    }
}

/* Advances thread t's neurons of population pi over the part's steps (k0 .. k0 + n - 1 of the
 * slice); its spikes are appended with their steps within the slice. */
static void update_population(leinao_sim *sim, int pi, int t, int64_t step, int k0, int n)
{
    lthread *th = &sim->eng.thread[t];
    lpopulation *p = sim->net.pops[pi];
    lspike_list *out = &th->spikes[pi];
    lneuron_block block = {.model = p->model,   .n = p->size,        .state = p->state,
                           .ring = p->ring,     .slots = p->slots,   .dt = sim->config.dt,
                           .params = p->params, .consts = p->consts, .spikes = out,
                           .current_input = p->current_input};
    uint32_t lo = lsim_lo(sim, pi, t), hi = lsim_lo(sim, pi, t + 1);
    if (k0 == 0)
        out->count = 0;
    size_t from = th->part_from[pi] = out->count;
    if (!is_sampled(sim, pi)) {
        lpop_update(p, &block, lo, hi, step + k0, n);
        for (size_t j = from; k0 && j < out->count; j++)
            out->step[j] = (uint16_t)(out->step[j] + k0);
    } else {
        /* step by step, to sample every step; then back to (neuron, step) order, so that
         * recording never changes how input is summed */
        for (int k = 0; k < n; k++) {
            size_t before = out->count;
            lpop_update(p, &block, lo, hi, step + k0 + k, 1);
            for (size_t j = before; j < out->count; j++)
                out->step[j] = (uint16_t)(k0 + k);
            sample(sim, pi, t, k);
        }
        sort_spikes(out, from, th->keys);
    }
    if (!p->model->reports_nonfinite || block.nonfinite)
        check_finite(sim, pi, t);
}

/* Devices deliver for the whole slice when it starts (as if it were never split, so that ring
 * cells get their additions in the same order); neurons advance over the part. */
static void update_job(void *ctx, int t)
{
    leinao_sim *sim = ctx;
    const int64_t step = sim->eng.slice_step;
    const int k0 = sim->eng.part_k0;
    if (k0 == 0)
        lsim_deliver_devices(sim, step, sim->eng.slice_n, t);
    for (int pi = 0; pi < sim->net.n_pops; pi++)
        if (sim->net.pops[pi]->model->kind == LM_NEURON)
            update_population(sim, pi, t, step, k0, sim->eng.part_n);
}

/* ---- the serial part of a slice --------------------------------------------------------------- */

/* Rank 0's recorders write the samples (with several ranks: those joined from all). */
static leinao_status write_samples(leinao_sim *sim, int64_t step, int n)
{
    for (int r = 0; r < sim->out.n_recorders; r++) {
        lstate_recorder *rec = sim->out.recorders[r];
        size_t cols = rec->n_neurons * (size_t)rec->n_vars;
        const double *frames = rec->joined ? rec->joined : rec->frames;
        for (int k = 0; k < n && rec->is_open; k++) {
            if ((step + k + 1) % rec->interval_steps != 0)
                continue;
            leinao_status st = rec->ops->write(rec, sim, (double)(step + k + 1) * sim->config.dt,
                                               frames + (size_t)k * cols);
            if (st) {
                rec->failed = 1;
                return st;
            }
        }
    }
    return LEINAO_OK;
}

/* The rate guard, checked at the first slice end at or after the end of each window. */
static leinao_status check_guard(leinao_sim *sim, int64_t step_end)
{
    if (!sim->config.guard_min || step_end < sim->run.guard_next)
        return LEINAO_OK;
    double window_ms = (double)sim->config.guard_steps * sim->config.dt;
    for (int i = 0; i < sim->config.guard_pops; i++) {
        const lpopulation *p = sim->net.pops[i];
        if (p->model->kind != LM_NEURON)
            continue;
        double rate = (double)sim->run.guard_spikes[i] / (double)p->size / (window_ms * 1e-3);
        sim->run.guard_spikes[i] = 0;
        if (rate < sim->config.guard_min[i] || rate > sim->config.guard_max[i])
            return lc_error(&sim->ctx, LEINAO_GUARD,
                            "population %s: rate %.4g Hz in (%g, %g] ms is outside the guard "
                            "[%g, %g] Hz; the run stops here",
                            p->name, rate, (double)step_end * sim->config.dt - window_ms,
                            (double)step_end * sim->config.dt, sim->config.guard_min[i], sim->config.guard_max[i]);
    }
    sim->run.guard_next += sim->config.guard_steps;
    return LEINAO_OK;
}

/* After each part of a slice, on one thread: the part's spikes of all threads and ranks, and
 * what can be seen of them (numeric failures, samples, spike statistics, recordings,
 * archives). */
static leinao_status observe(leinao_sim *sim)
{
    const int64_t step = sim->eng.slice_step;
    const int k0 = sim->eng.part_k0, n = sim->eng.part_n;
    leinao_status st = lsim_exchange_spikes(sim, 0, step + k0 + n);
    if (!st) {
        lsim_exchange_samples(sim, step + k0, n);
        st = write_samples(sim, step + k0, n);
    }
    for (int i = 0; i < sim->net.n_pops && !st; i++) {
        lpopulation *p = sim->net.pops[i];
        if (p->model->kind != LM_NEURON)
            continue;
        count_spikes(sim, p, step);
        if (sim->run.guard_spikes && i < sim->config.guard_pops)
            sim->run.guard_spikes[i] += p->spikes.count;
        st = record(sim, p, step, sim->eng.slice_n);
        if (!st && p->archive)
            st = archive_spikes(sim, p, step);
    }
    return st;
}

/* When a slice is complete, on one thread: its spikes in canonical order (re-sorted and
 * exchanged again if the slice was run in parts), and the plastic synapses' per-source state
 * stepped through them. */
static void close_slice(leinao_sim *sim)
{
    if (sim->eng.part_k0 > 0) {
        for (int i = 0; i < sim->net.n_pops; i++)
            if (sim->net.pops[i]->model->kind == LM_NEURON)
                for (int t = 0; t < sim->part.n_threads; t++)
                    sort_spikes(&sim->eng.thread[t].spikes[i], 0, sim->eng.thread[t].keys);
        /* a failure in the slice was reported when its part was observed */
        (void)lsim_exchange_spikes(sim, 1, sim->eng.slice_step + sim->eng.slice_n);
    }
    for (int i = 0; i < sim->net.n_pops; i++) {
        lpopulation *p = sim->net.pops[i];
        if (p->model->kind != LM_NEURON)
            continue;
        for (int k = 0; k < sim->net.n_projs; k++)
            if (sim->net.projs[k]->src == i && sim->eng.prepass[k])
                prepass(sim, k, p, sim->eng.slice_step);
    }
}

/* Runs one part of the slice that contains `step`: up to the slice's end or `target`. Slices
 * lie on a fixed grid of min_delay steps from step 0, whatever the runs' lengths; a slice cut
 * by the end of a run stays open (its spikes are seen but not delivered) and the next run goes
 * on inside it. Every ring cell therefore receives the same additions in the same order as in
 * one run of the total length. */
static leinao_status run_part(leinao_sim *sim, int64_t target)
{
    lengine *e = &sim->eng;
    const int64_t step = sim->run.step;
    e->part_k0 = (int)(step % sim->net.min_delay);
    e->slice_step = step - e->part_k0;
    e->slice_n = sim->net.min_delay;
    int64_t end = e->slice_step + e->slice_n < target ? e->slice_step + e->slice_n : target;
    e->part_n = (int)(end - step);
    double w0 = lc_wall_seconds();
    lpool_run(&e->pool, update_job, sim);
    double w1 = lc_wall_seconds();
    leinao_status st = observe(sim);
    int complete = end == e->slice_step + e->slice_n;
    if (!st && complete)
        close_slice(sim);
    double w2 = lc_wall_seconds();
    if (!st && complete)
        lpool_run(&e->pool, deliver_job, sim);
    double w3 = lc_wall_seconds();
    /* the guard: at slice ends, and at the end of the configured duration; after the slice's
     * delivery, so that a run it stops ends at a whole slice boundary (a checkpoint of it) */
    if (!st && (complete || end == sim->run.n_steps))
        st = check_guard(sim, end);
    sim->run.phase_wall[0] += w1 - w0;
    sim->run.phase_wall[1] += w2 - w1;
    sim->run.phase_wall[2] += w3 - w2;
    sim->run.events = 0;
    for (int t = 0; t < sim->part.n_threads; t++)
        sim->run.events += e->thread[t].events;
    sim->run.step = end;
    sim->run.slice_open = !complete;
    return st;
}

/* Delivers the spikes of a slice left open by the last run (leinao_finish: no run follows, and
 * the statistics and plastic weights then include them, as if the slice had ended). */
void lsim_close_open_slice(leinao_sim *sim)
{
    if (!sim->run.slice_open || sim->run.failed)
        return;
    lengine *e = &sim->eng;
    e->part_k0 = e->part_k0 + e->part_n; /* > 0: the slice was run in parts */
    close_slice(sim);
    lpool_run(&e->pool, deliver_job, sim);
    sim->run.events = 0;
    for (int t = 0; t < sim->part.n_threads; t++)
        sim->run.events += e->thread[t].events;
    sim->run.slice_open = 0;
    lsim_join_stats(sim);
}

static leinao_status advance(leinao_sim *sim, int64_t target, leinao_progress_fn progress,
                             void *user)
{
    if (sim->phase != LSIM_BUILT)
        return lc_error(&sim->ctx, LEINAO_STATE,
                        sim->phase == LSIM_DECLARING ? "leinao_build must come before leinao_run"
                                                     : "the run is finished");
    if (sim->run.failed)
        return lc_error(&sim->ctx, LEINAO_STATE,
                        "the run stopped with an error and cannot go on");
    sim->run.interrupted = 0;
    double t0 = lc_wall_seconds(), wall_before = sim->run.run_wall;
    uint64_t neurons = 0;
    for (int i = 0; i < sim->net.n_pops; i++)
        if (sim->net.pops[i]->model->kind == LM_NEURON)
            neurons += sim->net.pops[i]->size;
    leinao_status st = LEINAO_OK;
    while (sim->run.step < target) {
        st = run_part(sim, target);
        sim->run.run_wall = wall_before + lc_wall_seconds() - t0;
        int stop = 0;
        if (!st && progress) {
            leinao_progress info = {(double)sim->run.step * sim->config.dt,
                                    (double)target * sim->config.dt, lc_wall_seconds() - t0,
                                    sim->run.spikes, neurons};
            stop = progress(user, &info);
        }
        /* the ranks stop together: after the same part, if one failed or was asked to */
        if ((st = lsim_agree(sim, st, &stop))) {
            sim->run.failed = 1;
            break;
        }
        if (stop) {
            sim->run.interrupted = 1;
            st = lc_error(&sim->ctx, LEINAO_INTERRUPTED, "run interrupted at t = %g ms",
                          (double)sim->run.step * sim->config.dt);
            break;
        }
    }
    lsim_join_stats(sim);
    return st;
}

leinao_status leinao_run(leinao_sim *sim, leinao_progress_fn progress, void *user)
{
    return advance(sim, sim->run.n_steps, progress, user);
}

leinao_status leinao_simulate(leinao_sim *sim, double span, leinao_progress_fn progress,
                              void *user)
{
    double steps;
    if (!(span >= 0.0) || !lgrid_steps(span, sim->config.dt, &steps))
        return lc_error(&sim->ctx, LEINAO_INVALID,
                        "the span must be a multiple of dt = %g ms and >= 0, got %g",
                        sim->config.dt, span);
    if ((double)sim->run.step + steps >= 4294967295.0)
        return lc_error(&sim->ctx, LEINAO_INVALID,
                        "a run is limited to 2^32 - 1 steps; t = %g ms plus %g ms is beyond",
                        (double)sim->run.step * sim->config.dt, span);
    return advance(sim, sim->run.step + (int64_t)steps, progress, user);
}

leinao_status leinao_get_population_stats(const leinao_sim *sim, int pop,
                                          leinao_population_stats *out)
{
    if (pop < 0 || pop >= sim->net.n_pops)
        return lc_error_at((lctx *)&sim->ctx, LEINAO_NOT_FOUND, "pop", NULL, pop,
                           "no population with id %d", pop);
    const lpopulation *p = sim->net.pops[pop];
    memset(out, 0, sizeof *out);
    out->name = p->name;
    out->model = p->model->name;
    out->size = p->size;
    out->is_device = p->model->kind != LM_NEURON;
    out->rate = NAN;
    out->cv_isi = NAN;
    if (out->is_device || !p->count)
        return LEINAO_OK;
    double window = ((double)sim->run.step * sim->config.dt - sim->config.transient) * 1e-3;
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
    for (int i = 0; i < sim->net.n_pops; i++)
        if (sim->net.pops[i]->model->kind == LM_NEURON)
            out->neurons += sim->net.pops[i]->size;
    out->synapses = sim->net.synapses;
    out->events = sim->part.comm.size > 1 ? sim->run.events_all : sim->run.events;
    out->build_wall = sim->run.build_wall;
    out->run_wall = sim->run.run_wall;
    out->update_wall = sim->run.phase_wall[0];
    out->exchange_wall = sim->run.phase_wall[1];
    out->deliver_wall = sim->run.phase_wall[2];
    out->t_simulated = (double)sim->run.step * sim->config.dt;
    out->real_time_factor = out->t_simulated > 0 ? sim->run.run_wall / (out->t_simulated * 1e-3) : NAN;
    out->events_per_second = sim->run.run_wall > 0 ? (double)sim->run.events / sim->run.run_wall : NAN;
    out->peak_bytes = sim->ctx.peak_bytes;
    out->seed = sim->config.seed;
    out->threads = sim->config.threads;
    out->interrupted = sim->run.interrupted;
    out->populations = sim->net.n_pops;
    out->name = sim->config.name ? sim->config.name : "";
    out->ranks = sim->part.comm.size;
    out->peak_bytes_rank_max = sim->run.peak_max;
    out->peak_bytes_ranks = sim->run.peak_sum;
    out->peak_rss_rank_max = sim->run.rss_max;
    out->peak_rss_ranks = sim->run.rss_sum;
    out->mpi_wall = sim->run.mpi_wall_max;
    out->mpi_bytes = (double)sim->run.mpi_bytes;
    out->mpi_exchanges = sim->run.exchanges;
    return LEINAO_OK;
}

int leinao_projection_count(const leinao_sim *sim)
{
    return sim->net.n_projs;
}

leinao_status leinao_get_projection_stats(const leinao_sim *sim, int proj,
                                          leinao_projection_stats *out)
{
    if (proj < 0 || proj >= sim->net.n_projs)
        return lc_error_at((lctx *)&sim->ctx, LEINAO_NOT_FOUND, "proj", NULL, proj,
                           "no projection with id %d", proj);
    const lprojection *p = sim->net.projs[proj];
    memset(out, 0, sizeof *out);
    out->source = p->src;
    out->target = p->tgt;
    out->synapse_model = p->syn->name;
    out->synapses = p->n_all;
    out->weight_mean_initial = p->weight_mean_initial;
    out->weight_mean = out->weight_min = out->weight_max = NAN;
    if (p->n_all == 0)
        return LEINAO_OK;
    if (sim->part.comm.size > 1) { /* joined over the ranks by the last run (lsim_join_stats) */
        if (sim->net.weights_now) {
            out->weight_mean = sim->net.weights_now[proj].mean;
            out->weight_min = sim->net.weights_now[proj].min;
            out->weight_max = sim->net.weights_now[proj].max;
        }
        return LEINAO_OK;
    }
    /* summed exactly, as with several ranks */
    lxsum sum;
    lxsum_init(&sum);
    double lo = INFINITY, hi = -INFINITY;
    for (uint64_t j = 0; j < p->n; j++) {
        float w = lproj_weight(p, j);
        lxsum_add(&sum, w);
        lo = w < lo ? w : lo;
        hi = w > hi ? w : hi;
    }
    out->weight_mean = lxsum_value(&sum) / (double)p->n;
    out->weight_min = lo;
    out->weight_max = hi;
    return LEINAO_OK;
}
