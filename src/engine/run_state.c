/* run_state.c — the run state as named arrays, for checkpoints (see run_state.h): the step
 * reached, guard windows and counts; per population its parameters (they may be changed
 * between runs), state arrays (hidden counters included), ring buffers, spike statistics, spike
 * archive and the spikes of a slice left open; per projection its plastic weights and
 * per-source state. Static connectivity is not here: the build makes it again from the seed
 * (or from the same explicit lists, which the identity covers). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../net/explicit.h"
#include "run_state.h"

size_t lrs_type_size(lrs_type type)
{
    return type == LRS_F32 || type == LRS_U32 ? 4 : 8;
}

static leinao_status grow(lctx *ctx, lrs_list *list)
{
    if (list->n < list->cap)
        return LEINAO_OK;
    size_t cap = list->cap ? 2 * list->cap : 32;
    lrs_array *a = lc_realloc(ctx, list->a, cap * sizeof *a);
    if (!a)
        return LEINAO_NOMEM;
    list->a = a;
    list->cap = cap;
    return LEINAO_OK;
}

leinao_status lrs_adopt(lctx *ctx, lrs_list *list, const char *name, lrs_type type, uint64_t n,
                        void *data)
{
    char *copy = lc_strdup(ctx, name);
    if (!copy || grow(ctx, list)) {
        lc_free(ctx, copy);
        lc_free(ctx, data);
        return LEINAO_NOMEM;
    }
    list->a[list->n++] = (lrs_array){copy, type, n, data, 1};
    return LEINAO_OK;
}

leinao_status lrs_add(lctx *ctx, lrs_list *list, const char *name, lrs_type type, uint64_t n,
                      const void *data, int copy)
{
    if (copy) {
        size_t bytes = (size_t)n * lrs_type_size(type);
        void *mine = lc_malloc(ctx, bytes ? bytes : 1);
        if (!mine)
            return LEINAO_NOMEM;
        if (bytes)
            memcpy(mine, data, bytes);
        return lrs_adopt(ctx, list, name, type, n, mine);
    }
    char *name_copy = lc_strdup(ctx, name);
    if (!name_copy || grow(ctx, list)) {
        lc_free(ctx, name_copy);
        return LEINAO_NOMEM;
    }
    list->a[list->n++] = (lrs_array){name_copy, type, n, (void *)data, 0};
    return LEINAO_OK;
}

const lrs_array *lrs_find(const lrs_list *list, const char *name)
{
    for (size_t i = 0; i < list->n; i++)
        if (!strcmp(list->a[i].name, name))
            return &list->a[i];
    return NULL;
}

void lrs_free(lctx *ctx, lrs_list *list)
{
    for (size_t i = 0; i < list->n; i++) {
        lc_free(ctx, list->a[i].name);
        if (list->a[i].owned)
            lc_free(ctx, list->a[i].data);
    }
    lc_free(ctx, list->a);
    *list = (lrs_list){0};
}

/* ---- identity: FNV-1a over the declared values --------------------------------------------- */

static uint64_t h_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}
/* FNV-1a over 8-byte words (the rest bytewise): for the long arrays of explicit synapse lists,
 * eight times fewer multiplications than h_bytes. */
static uint64_t h_words(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
    }
    return h_bytes(h, b + i, n - i);
}
static uint64_t h_u64(uint64_t h, uint64_t v)
{
    return h_bytes(h, &v, sizeof v);
}
static uint64_t h_f64(uint64_t h, double v)
{
    return h_bytes(h, &v, sizeof v);
}
static uint64_t h_str(uint64_t h, const char *s)
{
    return s ? h_bytes(h, s, strlen(s) + 1) : h_u64(h, 0);
}
static uint64_t h_dist(uint64_t h, const leinao_dist *d)
{
    h = h_u64(h, (uint64_t)d->kind);
    return h_f64(h_f64(h_f64(h_f64(h, d->a), d->b), d->low), d->high);
}

#define FNV0 0xcbf29ce484222325ULL

static uint64_t population_hash(const lpopulation *p)
{
    const lmodel *m = p->model;
    uint64_t h = h_str(h_str(h_u64(FNV0, p->size), p->name), m->name);
    h = h_bytes(h, p->params, (size_t)m->n_params * sizeof *p->params);
    h = h_bytes(h, p->param_given, (size_t)m->n_params);
    /* the list parameters in order: the first one (or an empty list) as when a model had at
     * most one, so that the hashes of those models stay as they were */
    int lists = 0;
    for (int i = 0; i < m->n_params; i++) {
        if (!lparam_is_array(m->params[i].rule))
            continue;
        h = h_bytes(h_u64(h, p->n_arrays[i]), p->arrays[i], p->n_arrays[i] * sizeof(double));
        lists++;
    }
    if (!lists)
        h = h_bytes(h_u64(h, 0), NULL, 0);
    h = h_f64(h, p->tau_minus);
    for (int k = 0; k < m->n_states; k++) {
        h = h_dist(h_u64(h, p->init_given ? p->init_given[k] : 0), &p->init[k]);
        if (p->init_values && p->init_values[k])
            h = h_bytes(h, p->init_values[k], (size_t)p->size * sizeof(double));
    }
    for (int k = 0; p->param_values && k < m->n_params; k++)
        if (p->param_values[k])
            h = h_bytes(h_u64(h, (uint64_t)k), p->param_values[k], (size_t)p->size * sizeof(double));
    return h;
}

static uint64_t projection_hash(const lprojection *p)
{
    uint64_t h = h_u64(h_u64(FNV0, (uint64_t)p->src), (uint64_t)p->tgt);
    h = h_u64(h_f64(h_u64(h, (uint64_t)p->rule.kind), p->rule.p), p->rule.n);
    h = h_u64(h_u64(h, (uint64_t)p->rule.allow_autapses), (uint64_t)p->rule.allow_multapses);
    h = h_dist(h_dist(h, &p->weight), &p->delay);
    h = h_str(h, p->syn->name);
    h = h_bytes(h, p->syn_params, (size_t)p->syn->n_params * sizeof(double));
    const lexplicit *e = p->explicit_list;
    if (e) {
        h = h_u64(h, e->n);
        h = h_words(h, e->row, ((size_t)e->n_src + 1) * sizeof *e->row);
        h = h_words(h_u64(h, (uint64_t)e->delay_bits), e->entry, e->n * sizeof *e->entry);
        if (e->weight)
            h = h_words(h, e->weight, e->n * sizeof *e->weight);
    }
    return h;
}

static uint64_t recordings_hash(const leinao_sim *sim)
{
    uint64_t h = h_u64(FNV0, (uint64_t)sim->out.n_sinks);
    for (int i = 0; i < sim->out.n_sinks; i++) {
        const lspike_sink *s = sim->out.sinks[i];
        h = h_str(h_str(h, s->path), s->format);
        h = h_bytes(h_u64(h, (uint64_t)s->n_pops), s->pops, (size_t)s->n_pops * sizeof *s->pops);
    }
    h = h_u64(h, (uint64_t)sim->out.n_recorders);
    for (int i = 0; i < sim->out.n_recorders; i++) {
        const lstate_recorder *r = sim->out.recorders[i];
        h = h_str(h_str(h_u64(h, (uint64_t)r->pop), r->path), r->format);
        h = h_bytes(h_u64(h, (uint64_t)r->n_vars), r->vars, (size_t)r->n_vars * sizeof *r->vars);
        h = h_bytes(h_u64(h, r->n_neurons), r->neurons, r->n_neurons * sizeof *r->neurons);
        h = h_u64(h, (uint64_t)r->interval_steps);
    }
    return h;
}

uint64_t *lsim_identity(leinao_sim *sim, int *n)
{
    *n = 2 + sim->net.n_pops + sim->net.n_projs;
    uint64_t *id = lc_malloc(&sim->ctx, (size_t)*n * sizeof *id);
    if (!id)
        return NULL;
    const lconfig *c = &sim->config;
    uint64_t h = h_u64(h_f64(h_f64(FNV0, c->dt), c->transient), c->seed);
    h = h_u64(h_u64(h, (uint64_t)sim->net.n_pops), (uint64_t)sim->net.n_projs);
    h = h_u64(h_u64(h, (uint64_t)c->guard_pops), (uint64_t)c->guard_steps);
    for (int i = 0; i < c->guard_pops; i++)
        h = h_f64(h_f64(h, c->guard_min[i]), c->guard_max[i]);
    id[0] = h;
    for (int i = 0; i < sim->net.n_pops; i++)
        id[1 + i] = population_hash(sim->net.pops[i]);
    for (int k = 0; k < sim->net.n_projs; k++)
        id[1 + sim->net.n_pops + k] = projection_hash(sim->net.projs[k]);
    id[*n - 1] = recordings_hash(sim);
    return id;
}

/* ---- export ------------------------------------------------------------------------------------ */

static int is_neuron(const lpopulation *p)
{
    return p->model->kind == LM_NEURON;
}

/* ---- with several MPI ranks: rank 0 writes the arrays of all of them, as one process holds
 * them. Each rank fills only its own elements of a zeroed array, and a bitwise OR of all ranks'
 * arrays onto rank 0 joins them (an allocation failure here, on one rank, would leave the
 * ranks apart: it ends the job). ---------------------------------------------------------------- */

static int several(const leinao_sim *sim)
{
    return sim->part.comm.size > 1;
}

static void *zeroed(leinao_sim *sim, size_t bytes)
{
    void *b = lc_calloc(&sim->ctx, bytes ? bytes : 1, 1);
    if (!b)
        leinao_mpi_abort(3);
    return b;
}

/* Adds `mine` (bytes long, each rank's own elements set, the others zero), joined: rank 0
 * adopts the OR of all ranks' (the others their own, which they do not write). */
static leinao_status add_or(leinao_sim *sim, lrs_list *out, const char *name, lrs_type type,
                            uint64_t n, void *mine)
{
    size_t bytes = (size_t)n * lrs_type_size(type);
    void *all = sim->part.comm.rank == 0 ? zeroed(sim, bytes) : NULL;
    lcomm_reduce_bor(&sim->part.comm, mine, all, bytes);
    if (all) {
        lc_free(&sim->ctx, mine);
        mine = all;
    }
    return lrs_adopt(&sim->ctx, out, name, type, n, mine);
}

/* n values of `type`, value e belonging to neuron e % size of population p: borrowed with one
 * rank; with several, each rank's own neurons' values. */
static leinao_status add_owned(leinao_sim *sim, lrs_list *out, const char *name, lrs_type type,
                               uint64_t n, const void *data, const lpopulation *p)
{
    if (!several(sim))
        return lrs_add(&sim->ctx, out, name, type, n, data, 0);
    size_t es = lrs_type_size(type);
    unsigned char *mine = zeroed(sim, (size_t)n * es);
    uint32_t lo, hi;
    lsim_rank_range(sim, p->id, &lo, &hi);
    for (uint64_t row = 0; p->size && row < n / p->size; row++) {
        size_t at = ((size_t)row * p->size + lo) * es;
        memcpy(mine + at, (const unsigned char *)data + at, (size_t)(hi - lo) * es);
    }
    return add_or(sim, out, name, type, n, mine);
}

/* Every rank's n values (adopted), concatenated in rank order. */
static leinao_status add_joined(leinao_sim *sim, lrs_list *out, const char *name, lrs_type type,
                                uint64_t n, void *data)
{
    if (!several(sim))
        return lrs_adopt(&sim->ctx, out, name, type, n, data);
    lcomm *c = &sim->part.comm;
    uint64_t *counts = zeroed(sim, ((size_t)c->size + 1) * sizeof *counts);
    counts[c->size] = n;
    lcomm_allgather(c, counts + c->size, sizeof *counts, counts);
    uint64_t total = 0, at = 0;
    for (int r = 0; r < c->size; r++) {
        at = r == c->rank ? total : at;
        total += counts[r];
    }
    lc_free(&sim->ctx, counts);
    size_t es = lrs_type_size(type);
    unsigned char *mine = zeroed(sim, (size_t)total * es);
    if (n)
        memcpy(mine + (size_t)at * es, data, (size_t)n * es);
    lc_free(&sim->ctx, data);
    return add_or(sim, out, name, type, total, mine);
}

/* Projection k's weights in the order of the whole projection. */
static leinao_status add_weights(leinao_sim *sim, lrs_list *out, const char *name, int k)
{
    const lprojection *p = sim->net.projs[k];
    if (!several(sim))
        return lrs_add(&sim->ctx, out, name, LRS_F32, p->n, p->weight_of, 0);
    int64_t *off = lsim_row_offsets(sim, k);
    float *mine = zeroed(sim, (size_t)p->n_all * sizeof *mine);
    for (uint32_t i = 0; i < sim->net.pops[p->src]->size; i++)
        for (uint64_t j = p->row[i]; j < p->row[i + 1]; j++)
            mine[(uint64_t)((int64_t)j + off[i])] = p->weight_of[j];
    lc_free(&sim->ctx, off);
    return add_or(sim, out, name, LRS_F32, p->n_all, mine);
}

static size_t ring_values(const leinao_sim *sim, const lpopulation *p)
{
    (void)sim;
    return (size_t)p->model->n_buffers * (size_t)p->slots * (size_t)p->size;
}

static int compare_keys(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The open slice's spikes of population i from every thread, merged in (neuron, step) order:
 * each thread's list holds its own neurons, sorted within each part of the slice. */
static leinao_status export_open_slice(leinao_sim *sim, lrs_list *out, int i, const char *pre)
{
    lctx *ctx = &sim->ctx;
    size_t total = 0;
    for (int t = 0; t < sim->part.n_threads; t++)
        total += sim->eng.thread[t].spikes[i].count;
    uint32_t *neuron = lc_malloc(ctx, (total ? total : 1) * sizeof *neuron);
    uint32_t *step = lc_malloc(ctx, (total ? total : 1) * sizeof *step);
    uint64_t *keys = lc_malloc(ctx, (total ? total : 1) * sizeof *keys);
    if (!neuron || !step || !keys) {
        lc_free(ctx, neuron);
        lc_free(ctx, step);
        lc_free(ctx, keys);
        return LEINAO_NOMEM;
    }
    size_t n = 0;
    for (int t = 0; t < sim->part.n_threads; t++) {
        const lspike_list *l = &sim->eng.thread[t].spikes[i];
        for (size_t j = 0; j < l->count; j++)
            keys[n++] = (uint64_t)l->index[j] << 16 | l->step[j];
    }
    qsort(keys, n, sizeof *keys, compare_keys);
    for (size_t j = 0; j < n; j++) {
        neuron[j] = (uint32_t)(keys[j] >> 16);
        step[j] = (uint32_t)(keys[j] & 0xFFFF);
    }
    lc_free(ctx, keys);
    char name[160];
    /* this rank's neurons: with several ranks, joined in rank order (= neuron order) */
    snprintf(name, sizeof name, "%s/open_slice/neuron", pre);
    leinao_status st = add_joined(sim, out, name, LRS_U32, n, neuron);
    snprintf(name, sizeof name, "%s/open_slice/step", pre);
    if (st) {
        lc_free(ctx, step);
        return st;
    }
    return add_joined(sim, out, name, LRS_U32, n, step);
}

static leinao_status export_archive(leinao_sim *sim, lrs_list *out, const lpopulation *p,
                                    const char *pre)
{
    lctx *ctx = &sim->ctx;
    const larchive *a = p->archive;
    char name[160];
    const char *fields[] = {"Kminus", "t_last", "dropped_t", "dropped_K"};
    const double *values[] = {a->Kminus, a->t_last, a->dropped_t, a->dropped_K};
    leinao_status st = LEINAO_OK;
    for (int f = 0; f < 4 && !st; f++) {
        snprintf(name, sizeof name, "%s/archive/%s", pre, fields[f]);
        st = add_owned(sim, out, name, LRS_F64, a->n, values[f], p);
    }
    /* the histories of this rank's neurons (of every neuron with one rank) */
    uint32_t lo, hi;
    lsim_rank_range(sim, p->id, &lo, &hi);
    uint64_t total = 0;
    for (uint32_t i = lo; i < hi; i++)
        total += a->h[i].len;
    uint32_t *len = lc_malloc(ctx, ((size_t)a->n + 1) * sizeof *len);
    double *t = lc_malloc(ctx, ((size_t)total + 1) * sizeof *t);
    double *K = lc_malloc(ctx, ((size_t)total + 1) * sizeof *K);
    uint32_t *acc = lc_malloc(ctx, ((size_t)total + 1) * sizeof *acc);
    if (st || !len || !t || !K || !acc) {
        lc_free(ctx, len);
        lc_free(ctx, t);
        lc_free(ctx, K);
        lc_free(ctx, acc);
        return st ? st : LEINAO_NOMEM;
    }
    size_t at = 0;
    memset(len, 0, ((size_t)a->n + 1) * sizeof *len);
    for (uint32_t i = lo; i < hi; i++) {
        const lhistory *h = &a->h[i];
        len[i] = h->len;
        if (!h->len)
            continue; /* a neuron that never spiked may have no history arrays (NULL) */
        memcpy(t + at, h->t + h->start, h->len * sizeof *t);
        memcpy(K + at, h->K + h->start, h->len * sizeof *K);
        memcpy(acc + at, h->access + h->start, h->len * sizeof *acc);
        at += h->len;
    }
    snprintf(name, sizeof name, "%s/archive/length", pre);
    st = several(sim) ? add_or(sim, out, name, LRS_U32, a->n, len)
                      : lrs_adopt(ctx, out, name, LRS_U32, a->n, len);
    snprintf(name, sizeof name, "%s/archive/t", pre);
    if (!st)
        st = add_joined(sim, out, name, LRS_F64, total, t);
    else
        lc_free(ctx, t);
    snprintf(name, sizeof name, "%s/archive/K", pre);
    if (!st)
        st = add_joined(sim, out, name, LRS_F64, total, K);
    else
        lc_free(ctx, K);
    snprintf(name, sizeof name, "%s/archive/access", pre);
    if (!st)
        st = add_joined(sim, out, name, LRS_U32, total, acc);
    else
        lc_free(ctx, acc);
    return st;
}

static leinao_status export_population(leinao_sim *sim, lrs_list *out, int i)
{
    lctx *ctx = &sim->ctx;
    const lpopulation *p = sim->net.pops[i];
    const lmodel *m = p->model;
    char pre[64], name[160];
    snprintf(pre, sizeof pre, "population%d", i);
    snprintf(name, sizeof name, "%s/params", pre);
    leinao_status st = lrs_add(ctx, out, name, LRS_F64, (uint64_t)m->n_params, p->params, 0);
    if (st || !is_neuron(p))
        return st;
    for (int k = 0; k < m->n_states && !st; k++) {
        snprintf(name, sizeof name, "%s/state/%s", pre, m->states[k].name);
        st = add_owned(sim, out, name, LRS_F64, p->size, p->state[k], p);
    }
    snprintf(name, sizeof name, "%s/ring", pre);
    if (!st && p->ring)
        st = add_owned(sim, out, name, LRS_F64, ring_values(sim, p), p->ring, p);
    /* the spike statistics below are the same on every rank (all spikes are counted there) */
    const char *u32[] = {"count", "isi_n"};
    const uint32_t *u32v[] = {p->count, p->isi_n};
    for (int f = 0; f < 2 && !st; f++) {
        snprintf(name, sizeof name, "%s/%s", pre, u32[f]);
        st = lrs_add(ctx, out, name, LRS_U32, p->size, u32v[f], 0);
    }
    const char *f64[] = {"last_spike", "isi_sum", "isi_sq"};
    const double *f64v[] = {p->last_spike, p->isi_sum, p->isi_sq};
    for (int f = 0; f < 3 && !st; f++) {
        snprintf(name, sizeof name, "%s/%s", pre, f64[f]);
        st = lrs_add(ctx, out, name, LRS_F64, p->size, f64v[f], 0);
    }
    snprintf(name, sizeof name, "%s/total_spikes", pre);
    if (!st)
        st = lrs_add(ctx, out, name, LRS_U64, 1, &p->total_spikes, 1);
    if (!st && p->archive)
        st = export_archive(sim, out, p, pre);
    if (!st && sim->run.slice_open)
        st = export_open_slice(sim, out, i, pre);
    return st;
}

leinao_status lsim_run_state_export(leinao_sim *sim, lrs_list *out)
{
    lctx *ctx = &sim->ctx;
    const lrun *r = &sim->run;
    int64_t scalars[4] = {r->step, r->slice_open, r->guard_next, sim->net.min_delay};
    uint64_t counts[2] = {r->events, r->spikes};
    lcomm_allreduce_u64(&sim->part.comm, counts, 1, LCOMM_SUM); /* events: of all ranks */
    double walls[4] = {r->run_wall, r->phase_wall[0], r->phase_wall[1], r->phase_wall[2]};
    leinao_status st = lrs_add(ctx, out, "run/scalars", LRS_I64, 4, scalars, 1);
    if (!st)
        st = lrs_add(ctx, out, "run/counts", LRS_U64, 2, counts, 1);
    if (!st)
        st = lrs_add(ctx, out, "run/walls", LRS_F64, 4, walls, 1);
    if (!st && r->guard_spikes && sim->config.guard_pops)
        st = lrs_add(ctx, out, "run/guard_spikes", LRS_U64, (uint64_t)sim->config.guard_pops,
                     r->guard_spikes, 0);
    for (int i = 0; i < sim->net.n_pops && !st; i++)
        st = export_population(sim, out, i);
    char name[160];
    for (int k = 0; k < sim->net.n_projs && !st; k++) {
        const lprojection *p = sim->net.projs[k];
        snprintf(name, sizeof name, "projection%d/synapses", k);
        st = lrs_add(ctx, out, name, LRS_U64, 1, &p->n_all, 1);
        snprintf(name, sizeof name, "projection%d/weight", k);
        if (!st && p->syn->plastic && p->weight_of)
            st = add_weights(sim, out, name, k);
        snprintf(name, sizeof name, "projection%d/source_state", k);
        uint64_t n_state = (uint64_t)sim->net.pops[p->src]->size * (uint64_t)p->syn->n_source_state;
        if (!st && p->source_state && n_state)
            st = lrs_add(ctx, out, name, LRS_F64, n_state, p->source_state, 0);
    }
    return st;
}

/* ---- import ------------------------------------------------------------------------------------ */

typedef struct importer {
    leinao_sim *sim;
    lrs_get_fn get;
    void *user;
    int apply;
} importer;

static leinao_status bad(importer *im, const char *name, const char *what)
{
    return lc_error(&im->sim->ctx, LEINAO_INVALID, "checkpoint: %s: %s", name, what);
}

/* A fixed-size array: exactly n values, copied into dst when applying. */
static leinao_status fixed(importer *im, const char *name, lrs_type type, uint64_t n, void *dst)
{
    uint64_t got = 0;
    const void *data = NULL;
    leinao_status st = im->get(im->user, name, type, n, 1, &got, &data);
    if (st)
        return st;
    if (got != n) {
        char what[96];
        snprintf(what, sizeof what, "%llu values where this model has %llu",
                 (unsigned long long)got, (unsigned long long)n);
        return bad(im, name, what);
    }
    if (im->apply && n)
        memcpy(dst, data, (size_t)n * lrs_type_size(type));
    return LEINAO_OK;
}

/* Projection k's weights, in the order of the whole projection: with several ranks, each takes
 * those of its own synapses. */
static leinao_status import_weights(importer *im, const char *name, int k)
{
    leinao_sim *sim = im->sim;
    lprojection *p = sim->net.projs[k];
    if (!several(sim))
        return fixed(im, name, LRS_F32, p->n, p->weight_of);
    uint64_t got = 0;
    const void *data = NULL;
    leinao_status st = im->get(im->user, name, LRS_F32, p->n_all, 1, &got, &data);
    if (st)
        return st;
    if (got != p->n_all)
        return bad(im, name, "not one weight per synapse");
    if (!im->apply)
        return LEINAO_OK;
    int64_t *off = lsim_row_offsets(sim, k);
    const float *w = data;
    for (uint32_t i = 0; i < sim->net.pops[p->src]->size; i++)
        for (uint64_t j = p->row[i]; j < p->row[i + 1]; j++)
            p->weight_of[j] = w[(uint64_t)((int64_t)j + off[i])];
    lc_free(&sim->ctx, off);
    return LEINAO_OK;
}

static leinao_status import_params(importer *im, lpopulation *p, const char *pre)
{
    leinao_sim *sim = im->sim;
    const lmodel *m = p->model;
    char name[160];
    snprintf(name, sizeof name, "%s/params", pre);
    uint64_t n = 0;
    const void *data = NULL;
    leinao_status st = im->get(im->user, name, LRS_F64, (uint64_t)m->n_params, 1, &n, &data);
    if (st)
        return st;
    if (n != (uint64_t)m->n_params)
        return bad(im, name, "another number of parameters");
    const double *v = data;
    for (int k = 0; k < m->n_params; k++) {
        if (!memcmp(&v[k], &p->params[k], sizeof v[k]))
            continue;
        if (!im->apply) { /* checked by the model's rules when applied */
            if (!isfinite(v[k]) && isfinite(p->params[k]))
                return bad(im, name, "a parameter is not finite");
            continue;
        }
        /* changed between runs (leinao_set_param): the rules and derived values made anew */
        if ((st = lpop_change_param(&sim->ctx, p, m->params[k].name, v[k], sim->config.dt)))
            return st;
    }
    if (im->apply && memcmp(v, p->params, (size_t)m->n_params * sizeof *v))
        return bad(im, name, "parameters changed between runs could not be set again");
    return LEINAO_OK;
}

static leinao_status import_archive(importer *im, larchive *a, const char *pre)
{
    lctx *ctx = &im->sim->ctx;
    char name[160];
    const char *fields[] = {"Kminus", "t_last", "dropped_t", "dropped_K"};
    double *values[] = {a->Kminus, a->t_last, a->dropped_t, a->dropped_K};
    leinao_status st = LEINAO_OK;
    for (int f = 0; f < 4 && !st; f++) {
        snprintf(name, sizeof name, "%s/archive/%s", pre, fields[f]);
        st = fixed(im, name, LRS_F64, a->n, values[f]);
    }
    if (st)
        return st;
    uint64_t n = 0, nt = 0, nK = 0, na = 0;
    const void *len_data = NULL, *t_data = NULL, *K_data = NULL, *a_data = NULL;
    snprintf(name, sizeof name, "%s/archive/length", pre);
    if ((st = im->get(im->user, name, LRS_U32, a->n, 1, &n, &len_data)))
        return st;
    if (n != a->n)
        return bad(im, name, "not one length per neuron");
    const uint32_t *len = len_data;
    uint64_t total = 0;
    for (uint32_t i = 0; i < a->n; i++) {
        if (len[i] > (1u << 30))
            return bad(im, name, "a history is too long");
        total += len[i];
    }
    snprintf(name, sizeof name, "%s/archive/t", pre);
    if ((st = im->get(im->user, name, LRS_F64, total, total > 0, &nt, &t_data)))
        return st;
    snprintf(name, sizeof name, "%s/archive/K", pre);
    if ((st = im->get(im->user, name, LRS_F64, total, total > 0, &nK, &K_data)))
        return st;
    snprintf(name, sizeof name, "%s/archive/access", pre);
    if ((st = im->get(im->user, name, LRS_U32, total, total > 0, &na, &a_data)))
        return st;
    if (nt != total || nK != total || na != total)
        return bad(im, name, "the histories do not add up to their lengths");
    if (!im->apply)
        return LEINAO_OK;
    const double *t = t_data, *K = K_data;
    const uint32_t *acc = a_data;
    size_t at = 0;
    for (uint32_t i = 0; i < a->n; i++) {
        lhistory *h = &a->h[i];
        uint32_t cap = len[i] > 8 ? len[i] : 8;
        if (cap > h->cap) {
            double *nt2 = lc_realloc(ctx, h->t, cap * sizeof *nt2);
            if (!nt2)
                return LEINAO_NOMEM;
            h->t = nt2;
            double *nK2 = lc_realloc(ctx, h->K, cap * sizeof *nK2);
            if (!nK2)
                return LEINAO_NOMEM;
            h->K = nK2;
            uint32_t *na2 = lc_realloc(ctx, h->access, cap * sizeof *na2);
            if (!na2)
                return LEINAO_NOMEM;
            h->access = na2;
            h->cap = cap;
        }
        h->start = 0;
        h->len = len[i];
        if (!len[i])
            continue; /* the checkpoint's arrays are NULL when every history is empty */
        memcpy(h->t, t + at, len[i] * sizeof *t);
        memcpy(h->K, K + at, len[i] * sizeof *K);
        memcpy(h->access, acc + at, len[i] * sizeof *acc);
        at += len[i];
    }
    return LEINAO_OK;
}

/* The open slice's spikes (canonical order), split by the current thread ranges. */
static leinao_status import_open_slice(importer *im, int i, const char *pre, int k0)
{
    leinao_sim *sim = im->sim;
    const lpopulation *p = sim->net.pops[i];
    char name[160], name2[160];
    uint64_t max = (uint64_t)p->size * (uint64_t)k0, n = 0, n2 = 0;
    const void *nd = NULL, *sd = NULL;
    snprintf(name, sizeof name, "%s/open_slice/neuron", pre);
    snprintf(name2, sizeof name2, "%s/open_slice/step", pre);
    leinao_status st = im->get(im->user, name, LRS_U32, max, 0, &n, &nd);
    if (!st)
        st = im->get(im->user, name2, LRS_U32, max, 0, &n2, &sd);
    if (st)
        return st;
    if (n != n2)
        return bad(im, name, "neurons and steps differ in number");
    const uint32_t *neuron = nd, *step = sd;
    for (uint64_t j = 0; j < n; j++) {
        if (neuron[j] >= p->size || step[j] >= (uint32_t)k0)
            return bad(im, name, "a spike outside the population or the slice so far");
        if (j && ((uint64_t)neuron[j] << 16 | step[j]) <= ((uint64_t)neuron[j - 1] << 16 | step[j - 1]))
            return bad(im, name, "spikes not in (neuron, step) order");
    }
    if (!im->apply)
        return LEINAO_OK;
    uint64_t j = 0;
    while (j < n && neuron[j] < lsim_lo(sim, i, 0)) /* another rank's */
        j++;
    for (int t = 0; t < sim->part.n_threads; t++) {
        lspike_list *l = &sim->eng.thread[t].spikes[i];
        uint32_t hi = lsim_lo(sim, i, t + 1);
        l->count = 0;
        for (; j < n && neuron[j] < hi; j++) {
            l->index[l->count] = neuron[j];
            l->step[l->count++] = (uint16_t)step[j];
        }
        sim->eng.thread[t].part_from[i] = l->count;
    }
    return LEINAO_OK;
}

static leinao_status import_population(importer *im, int i, int k0)
{
    leinao_sim *sim = im->sim;
    lpopulation *p = sim->net.pops[i];
    const lmodel *m = p->model;
    char pre[64], name[160];
    snprintf(pre, sizeof pre, "population%d", i);
    leinao_status st = import_params(im, p, pre);
    if (st || !is_neuron(p))
        return st;
    for (int k = 0; k < m->n_states && !st; k++) {
        snprintf(name, sizeof name, "%s/state/%s", pre, m->states[k].name);
        st = fixed(im, name, LRS_F64, p->size, p->state[k]);
    }
    snprintf(name, sizeof name, "%s/ring", pre);
    if (!st && p->ring)
        st = fixed(im, name, LRS_F64, ring_values(sim, p), p->ring);
    const char *u32[] = {"count", "isi_n"};
    uint32_t *u32v[] = {p->count, p->isi_n};
    for (int f = 0; f < 2 && !st; f++) {
        snprintf(name, sizeof name, "%s/%s", pre, u32[f]);
        st = fixed(im, name, LRS_U32, p->size, u32v[f]);
    }
    const char *f64[] = {"last_spike", "isi_sum", "isi_sq"};
    double *f64v[] = {p->last_spike, p->isi_sum, p->isi_sq};
    for (int f = 0; f < 3 && !st; f++) {
        snprintf(name, sizeof name, "%s/%s", pre, f64[f]);
        st = fixed(im, name, LRS_F64, p->size, f64v[f]);
    }
    snprintf(name, sizeof name, "%s/total_spikes", pre);
    if (!st)
        st = fixed(im, name, LRS_U64, 1, &p->total_spikes);
    if (!st && p->archive)
        st = import_archive(im, p->archive, pre);
    if (!st && k0 > 0)
        st = import_open_slice(im, i, pre, k0);
    return st;
}

leinao_status lsim_run_state_import(leinao_sim *sim, lrs_get_fn get, void *user, int apply)
{
    importer im = {sim, get, user, apply};
    lrun *r = &sim->run;
    int64_t scalars[4] = {0};
    uint64_t counts[2] = {0};
    double walls[4] = {0};
    importer peek = {sim, get, user, 1}; /* the scalars are needed to check the rest */
    leinao_status st = fixed(&peek, "run/scalars", LRS_I64, 4, scalars);
    if (!st)
        st = fixed(&peek, "run/counts", LRS_U64, 2, counts);
    if (!st)
        st = fixed(&peek, "run/walls", LRS_F64, 4, walls);
    if (st)
        return st;
    if (scalars[3] != sim->net.min_delay)
        return bad(&im, "run/scalars", "another slice length (the network's delays differ)");
    if (scalars[0] < 0 || scalars[0] >= 4294967295LL)
        return bad(&im, "run/scalars", "the step reached is out of range");
    int k0 = (int)(scalars[0] % sim->net.min_delay);
    if (scalars[1] != (k0 != 0))
        return bad(&im, "run/scalars", "the open slice does not match the step reached");
    if (r->guard_spikes && sim->config.guard_pops)
        st = fixed(&im, "run/guard_spikes", LRS_U64, (uint64_t)sim->config.guard_pops,
                   r->guard_spikes);
    for (int i = 0; i < sim->net.n_pops && !st; i++)
        st = import_population(&im, i, k0);
    char name[160];
    for (int k = 0; k < sim->net.n_projs && !st; k++) {
        lprojection *p = sim->net.projs[k];
        uint64_t n = 0;
        snprintf(name, sizeof name, "projection%d/synapses", k);
        importer check = {sim, get, user, 1};
        st = fixed(&check, name, LRS_U64, 1, &n);
        if (!st && n != p->n_all)
            st = bad(&im, name, "another number of synapses than this model's build made");
        snprintf(name, sizeof name, "projection%d/weight", k);
        if (!st && p->syn->plastic && p->weight_of)
            st = import_weights(&im, name, k);
        snprintf(name, sizeof name, "projection%d/source_state", k);
        uint64_t n_state = (uint64_t)sim->net.pops[p->src]->size * (uint64_t)p->syn->n_source_state;
        if (!st && p->source_state && n_state)
            st = fixed(&im, name, LRS_F64, n_state, p->source_state);
    }
    if (st || !apply)
        return st;
    r->step = scalars[0];
    r->slice_open = (int)scalars[1];
    r->guard_next = scalars[2];
    r->events = counts[0];
    r->spikes = counts[1];
    r->run_wall = walls[0];
    for (int k = 0; k < 3; k++)
        r->phase_wall[k] = walls[1 + k];
    if (sim->part.comm.rank != 0) /* the events of all ranks are rank 0's from here on */
        r->events = 0;
    for (int t = 0; t < sim->part.n_threads; t++)
        sim->eng.thread[t].events = t ? 0 : r->events;
    lengine *e = &sim->eng;
    e->part_k0 = k0; /* as a run that stopped k0 steps into its slice leaves it */
    e->part_n = 0;
    e->slice_step = r->step - k0;
    e->slice_n = sim->net.min_delay;
    return LEINAO_OK;
}
