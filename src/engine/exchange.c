/* exchange.c — what the ranks of an MPI run share: agreement on failures and stops, the spikes
 * of each slice (gathered from the threads, then from the ranks, in rank order: since rank r
 * owns a contiguous block of every population below rank r + 1's, rank order is neuron order
 * and the lists are in the canonical (neuron, step) order, as with one process), the state
 * samples, and the statistics. With one rank every function here works on this process alone. */
#include <math.h>
#include <string.h>
#include <sys/resource.h>

#include "sim.h"

leinao_status lsim_agree(leinao_sim *sim, leinao_status st, int *stop)
{
    lcomm *c = &sim->part.comm;
    if (c->size == 1)
        return st;
    uint64_t v[2] = {st ? (uint64_t)(c->size - c->rank) : 0, stop && *stop};
    lcomm_allreduce_u64(c, v, 2, LCOMM_MAX);
    if (stop)
        *stop = v[1] != 0;
    if (!v[0])
        return LEINAO_OK;
    int first = c->size - (int)v[0];
    struct {
        int32_t status;
        char message[sizeof sim->ctx.errmsg];
    } m;
    memset(&m, 0, sizeof m);
    if (c->rank == first) {
        m.status = (int32_t)st;
        memcpy(m.message, sim->ctx.errmsg, sizeof m.message);
    }
    lcomm_bcast(c, &m, sizeof m, first);
    if (st) /* this rank failed too: its own message */
        return st;
    m.message[sizeof m.message - 1] = 0;
    return lc_error(&sim->ctx, (leinao_status)m.status, "rank %d: %s", first, m.message);
}

/* The threads' spike lists from index from[t] (their part_from, or 0 for the whole slice),
 * concatenated in thread order: (neuron, step) order. */
static void gather(leinao_sim *sim, lpopulation *p, int whole)
{
    lspike_list *all = &p->spikes;
    all->count = 0;
    for (int t = 0; t < sim->part.n_threads; t++) {
        const lthread *th = &sim->eng.thread[t];
        const lspike_list *part = &th->spikes[p->id];
        size_t from = whole ? 0 : th->part_from[p->id], n = part->count - from;
        memcpy(all->index + all->count, part->index + from, n * sizeof *part->index);
        memcpy(all->step + all->count, part->step + from, n * sizeof *part->step);
        all->count += n;
    }
}

/* A numeric failure: the first in (population, neuron) order. */
typedef struct failure {
    int pop, var;
    uint32_t neuron;
    double value;
} failure;

static failure local_failure(const leinao_sim *sim)
{
    failure f = {-1, 0, 0, 0.0};
    for (int t = 0; t < sim->part.n_threads; t++) {
        const lthread *th = &sim->eng.thread[t];
        if (th->fail_pop < 0)
            continue;
        if (f.pop < 0 || th->fail_pop < f.pop || (th->fail_pop == f.pop && th->fail_neuron < f.neuron))
            f = (failure){th->fail_pop, th->fail_var, th->fail_neuron,
                          sim->net.pops[th->fail_pop]->state[th->fail_var][th->fail_neuron]};
    }
    return f;
}

static leinao_status report_failure(leinao_sim *sim, failure f, int64_t step_end)
{
    if (f.pop < 0)
        return LEINAO_OK;
    const lpopulation *p = sim->net.pops[f.pop];
    return lc_error(&sim->ctx, LEINAO_NUMERIC,
                    "population %s (%s), neuron %u: %s became %g (diverged) in the slice ending "
                    "at t = %g ms; the run stops here",
                    p->name, p->model->name, f.neuron, p->model->states[f.var].name, f.value,
                    (double)step_end * sim->config.dt);
}

/* Per rank and exchange two words: its spike count, with in the top bit whether it found a
 * numeric failure, and where (population << 32 | neuron): the rank of the first one, in that
 * order as with one process, then sends the rest of it. Spikes travel as population << 48 |
 * neuron << 16 | step, in (population, neuron, step) order: rank by rank that is each
 * population's canonical order. */
#define FAILED ((uint64_t)1 << 63)

leinao_status lsim_exchange_spikes(leinao_sim *sim, int whole, int64_t step_end)
{
    lcomm *c = &sim->part.comm;
    lengine *e = &sim->eng;
    const int P = sim->net.n_pops;
    for (int i = 0; i < P; i++)
        if (sim->net.pops[i]->model->kind == LM_NEURON)
            gather(sim, sim->net.pops[i], whole);
    failure f = local_failure(sim);
    if (c->size == 1)
        return report_failure(sim, f, step_end);
    uint64_t n = 0;
    for (int i = 0; i < P; i++) {
        const lspike_list *sp = &sim->net.pops[i]->spikes;
        if (sim->net.pops[i]->model->kind != LM_NEURON)
            continue;
        for (size_t j = 0; j < sp->count; j++)
            e->send[n++] = (uint64_t)i << 48 | (uint64_t)sp->index[j] << 16 | sp->step[j];
    }
    uint64_t mine[2] = {n | (f.pop >= 0 ? FAILED : 0),
                        f.pop >= 0 ? (uint64_t)f.pop << 32 | f.neuron : 0};
    lcomm_allgather(c, mine, sizeof mine, e->header);
    sim->run.exchanges++;
    int first_failed = -1;
    for (int r = 0; r < c->size; r++) {
        const uint64_t *h = e->header + 2 * (size_t)r;
        if ((h[0] & FAILED) && (first_failed < 0 || h[1] < e->header[2 * (size_t)first_failed + 1]))
            first_failed = r;
        e->counts[r] = h[0] & ~FAILED;
    }
    lcomm_allgatherv_u64(c, e->send, e->counts, e->recv);
    for (int i = 0; i < P; i++)
        sim->net.pops[i]->spikes.count = 0;
    uint64_t total = 0;
    for (int r = 0; r < c->size; r++)
        total += e->counts[r];
    for (uint64_t at = 0; at < total; at++) {
        uint64_t key = e->recv[at];
        lspike_list *sp = &sim->net.pops[key >> 48]->spikes;
        sp->index[sp->count] = (uint32_t)(key >> 16);
        sp->step[sp->count] = (uint16_t)(key & 0xFFFF);
        sp->count++;
    }
    if (first_failed < 0)
        return LEINAO_OK;
    uint64_t words[4] = {(uint64_t)f.pop, (uint64_t)f.var, f.neuron, 0};
    memcpy(&words[3], &f.value, sizeof f.value);
    lcomm_bcast(c, words, sizeof words, first_failed);
    f.pop = (int)words[0];
    f.var = (int)words[1];
    f.neuron = (uint32_t)words[2];
    memcpy(&f.value, &words[3], sizeof f.value);
    return report_failure(sim, f, step_end);
}

void lsim_exchange_samples(leinao_sim *sim, int64_t step, int n)
{
    lcomm *c = &sim->part.comm;
    if (c->size == 1)
        return;
    for (int r = 0; r < sim->out.n_recorders; r++) {
        lstate_recorder *rec = sim->out.recorders[r];
        size_t cols = rec->n_neurons * (size_t)rec->n_vars;
        /* each rank wrote its own neurons' columns, the others are zero in its frames */
        for (int k = 0; k < n; k++)
            if ((step + k + 1) % rec->interval_steps == 0)
                lcomm_reduce_bor(c, rec->frames + (size_t)k * cols, rec->joined + (size_t)k * cols,
                                 cols * sizeof(double));
    }
}

/* Sizes the exchange's buffers (after the partition). */
leinao_status lsim_prepare_exchange(leinao_sim *sim)
{
    lcomm *c = &sim->part.comm;
    lengine *e = &sim->eng;
    if (c->size == 1)
        return LEINAO_OK;
    size_t mine = 1, all = 1;
    for (int i = 0; i < sim->net.n_pops; i++) {
        const lpopulation *p = sim->net.pops[i];
        if (p->model->kind != LM_NEURON)
            continue;
        uint32_t lo, hi;
        lsim_rank_range(sim, i, &lo, &hi);
        mine += (size_t)(hi - lo) * (size_t)sim->net.min_delay;
        all += (size_t)p->size * (size_t)sim->net.min_delay;
    }
    if (sim->net.n_pops > 65536) /* a spike carries its population in 16 bits */
        return lc_error(&sim->ctx, LEINAO_UNSUPPORTED,
                        "more than 65536 populations cannot be exchanged between MPI ranks");
    e->send = lc_malloc(&sim->ctx, mine * sizeof *e->send);
    e->recv = lc_malloc(&sim->ctx, all * sizeof *e->recv);
    e->header = lc_calloc(&sim->ctx, 2 * (size_t)c->size, sizeof *e->header);
    e->counts = lc_calloc(&sim->ctx, (size_t)c->size, sizeof *e->counts);
    if (!e->send || !e->recv || !e->header || !e->counts)
        return LEINAO_NOMEM;
    for (int r = 0; r < sim->out.n_recorders; r++) {
        lstate_recorder *rec = sim->out.recorders[r];
        if (c->rank != 0)
            continue;
        rec->joined = lc_calloc(&sim->ctx, rec->n_neurons * (size_t)rec->n_vars *
                                               (size_t)sim->net.min_delay, sizeof(double));
        if (!rec->joined)
            return LEINAO_NOMEM;
    }
    return LEINAO_OK;
}

int64_t *lsim_row_offsets(leinao_sim *sim, int k)
{
    lcomm *c = &sim->part.comm;
    const lprojection *p = sim->net.projs[k];
    const size_t G = sim->net.pops[p->src]->size, R = (size_t)c->size;
    uint64_t *len = lc_malloc(&sim->ctx, (G * (R + 1) + 1) * sizeof *len);
    int64_t *off = lc_malloc(&sim->ctx, (G + 1) * sizeof *off);
    if (!len || !off) /* a failure on one rank would leave the ranks apart: it ends the job */
        leinao_mpi_abort(3);
    for (size_t g = 0; g < G; g++)
        len[R * G + g] = p->row[g + 1] - p->row[g];
    lcomm_allgather(c, len + R * G, G * sizeof *len, len);
    uint64_t before = 0; /* synapses of rows < g, all ranks */
    for (size_t g = 0; g < G; g++) {
        uint64_t first = before;
        for (size_t r = 0; r < R; r++) {
            if ((int)r < c->rank)
                first += len[r * G + g];
            before += len[r * G + g];
        }
        off[g] = (int64_t)first - (int64_t)p->row[g];
    }
    lc_free(&sim->ctx, len);
    return off;
}

/* Devices key their random streams by synapse index in the whole projection. */
static void device_keys(leinao_sim *sim)
{
    lnetwork *net = &sim->net;
    if (!(sim->part.key_offset = lc_calloc(&sim->ctx, (size_t)net->n_projs + 1, sizeof(int64_t *))))
        leinao_mpi_abort(3);
    for (int k = 0; k < net->n_projs; k++)
        if (net->pops[net->projs[k]->src]->model->kind == LM_DEVICE)
            sim->part.key_offset[k] = lsim_row_offsets(sim, k);
}

void lsim_join_projections(leinao_sim *sim)
{
    lcomm *c = &sim->part.comm;
    lnetwork *net = &sim->net;
    const int K = net->n_projs, P = net->n_pops;
    uint64_t delays[2] = {(uint64_t)net->min_delay, (uint64_t)(65535 - net->max_delay)};
    lcomm_allreduce_u64(c, delays, 2, LCOMM_MIN);
    net->min_delay = (int)delays[0];
    net->max_delay = 65535 - (int)delays[1];
    if (net->min_delay > net->max_delay)
        net->min_delay = net->max_delay;
    /* a slice never exceeds 2^16 steps (spike steps within a slice are 16-bit) */
    if (net->min_delay > 65535)
        net->min_delay = 65535;
    net->slots = (uint32_t)(net->max_delay + net->min_delay);
    for (int k = 0; k < K; k++)
        net->projs[k]->n_all = net->projs[k]->n;
    if (c->size == 1)
        return;
    /* counts and flags: a few words per projection and population (a failure to allocate so
     * little would leave the ranks apart: it ends the job) */
    uint64_t *w = lc_malloc(&sim->ctx, (1 + (size_t)K + (size_t)P) * sizeof *w);
    if (!w)
        leinao_mpi_abort(3);
    w[0] = net->synapses;
    for (int k = 0; k < K; k++)
        w[1 + k] = net->projs[k]->n;
    uint64_t *flags = w + 1 + K;
    for (int i = 0; i < P; i++)
        flags[i] = (uint64_t)net->pops[i]->current_input;
    lcomm_allreduce_u64(c, w, 1 + K, LCOMM_SUM);
    lcomm_allreduce_u64(c, flags, P, LCOMM_MAX);
    net->synapses = w[0];
    for (int k = 0; k < K; k++)
        net->projs[k]->n_all = w[1 + k];
    for (int i = 0; i < P; i++)
        net->pops[i]->current_input = (int)flags[i];
    lc_free(&sim->ctx, w);
    device_keys(sim);
    for (int k = 0; k < K; k++) {
        lprojection *p = net->projs[k];
        lcomm_allreduce_xsum(c, &p->weight_sum_initial, 1);
        p->weight_mean_initial = p->n_all ? lxsum_value(&p->weight_sum_initial) / (double)p->n_all : NAN;
    }
}

void lsim_join_stats(leinao_sim *sim)
{
    lcomm *c = &sim->part.comm;
    lrun *run = &sim->run;
    struct rusage usage;
    double rss = getrusage(RUSAGE_SELF, &usage) == 0 ? (double)usage.ru_maxrss * 1024.0 : NAN;
    uint64_t sums[3] = {run->events, sim->ctx.peak_bytes, c->bytes};
    uint64_t peak = sim->ctx.peak_bytes;
    double maxes[2] = {rss, c->wall}, rss_sum = rss;
    run->events_all = sums[0];
    if (c->size > 1) {
        lcomm_allreduce_u64(c, sums, 3, LCOMM_SUM);
        lcomm_allreduce_u64(c, &peak, 1, LCOMM_MAX);
        lcomm_allreduce_f64(c, maxes, 2, LCOMM_MAX);
        lcomm_allreduce_f64(c, &rss_sum, 1, LCOMM_SUM);
        run->events_all = sums[0];
    }
    run->peak_sum = sums[1];
    run->mpi_bytes = sums[2];
    run->peak_max = peak;
    run->rss_max = maxes[0];
    run->mpi_wall_max = maxes[1];
    run->rss_sum = rss_sum;
    if (c->size == 1 || !sim->net.weights_now)
        return;
    for (int k = 0; k < sim->net.n_projs; k++) {
        const lprojection *p = sim->net.projs[k];
        lxsum sum;
        lxsum_init(&sum);
        double range[2] = {INFINITY, INFINITY}; /* min, -max */
        for (uint64_t j = 0; j < p->n; j++) {
            float w = lproj_weight(p, j);
            lxsum_add(&sum, w);
            range[0] = w < range[0] ? w : range[0];
            range[1] = -w < range[1] ? -w : range[1];
        }
        lcomm_allreduce_xsum(c, &sum, 1);
        lcomm_allreduce_f64(c, range, 2, LCOMM_MIN);
        struct lweights_now *now = &sim->net.weights_now[k];
        now->mean = p->n_all ? lxsum_value(&sum) / (double)p->n_all : NAN;
        now->min = p->n_all ? range[0] : NAN;
        now->max = p->n_all ? -range[1] : NAN;
    }
}
