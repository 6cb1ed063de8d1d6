/* memory_sink.c — recordings in memory: a spike sink and a state recorder (the loop hands them
 * each slice's spikes and frames as it hands them to files) whose arrays leinao_get_spikes and
 * leinao_get_state give out. */
#include <string.h>

#include "memory_sink.h"

typedef struct memory_spikes {
    double *times;
    uint32_t *ids;
    size_t n, cap;
} memory_spikes;

static leinao_status spikes_open(lspike_sink *sink, leinao_sim *sim, const char *path)
{
    (void)path;
    sink->impl = lc_calloc(&sim->ctx, 1, sizeof(memory_spikes));
    return sink->impl ? LEINAO_OK : LEINAO_NOMEM;
}

/* Room for `extra` more items in arrays of `cap` (doubling); 0 on success. */
static int reserve(lctx *ctx, void **a, size_t size_a, void **b, size_t size_b, size_t n,
                   size_t extra, size_t *cap)
{
    if (n + extra <= *cap)
        return 0;
    size_t want = *cap ? *cap : 1024;
    while (want < n + extra)
        want *= 2;
    void *na = lc_realloc(ctx, *a, want * size_a);
    if (!na)
        return 1;
    *a = na;
    void *nb = lc_realloc(ctx, *b, want * size_b);
    if (!nb)
        return 1;
    *b = nb;
    *cap = want;
    return 0;
}

static leinao_status spikes_write(lspike_sink *sink, leinao_sim *sim, int pop, const double *times,
                                  const uint64_t *node_ids, size_t n)
{
    (void)pop;
    memory_spikes *m = sink->impl;
    if (reserve(&sim->ctx, (void **)&m->times, sizeof *m->times, (void **)&m->ids, sizeof *m->ids,
                m->n, n, &m->cap))
        return lc_error(&sim->ctx, LEINAO_NOMEM, "out of memory recording spikes in memory");
    memcpy(m->times + m->n, times, n * sizeof *times);
    for (size_t j = 0; j < n; j++)
        m->ids[m->n + j] = (uint32_t)node_ids[j];
    m->n += n;
    return LEINAO_OK;
}

static leinao_status spikes_close(lspike_sink *sink, leinao_sim *sim)
{
    (void)sink;
    (void)sim;
    return LEINAO_OK; /* the spikes stay readable until the handle is closed */
}

static void spikes_destroy(lspike_sink *sink, leinao_sim *sim)
{
    memory_spikes *m = sink->impl;
    if (!m)
        return;
    lc_free(&sim->ctx, m->times);
    lc_free(&sim->ctx, m->ids);
    lc_free(&sim->ctx, m);
    sink->impl = NULL;
}

const lsink_ops lsink_memory_ops = {spikes_open, spikes_write, spikes_close, spikes_destroy,
                                    NULL,        NULL,         NULL};

typedef struct memory_frames {
    double *times, *values;
    size_t n, cap, columns;
} memory_frames;

static leinao_status frames_open(lstate_recorder *rec, leinao_sim *sim, const char *path)
{
    (void)path;
    memory_frames *m = lc_calloc(&sim->ctx, 1, sizeof *m);
    if (!m)
        return LEINAO_NOMEM;
    m->columns = rec->n_neurons * (size_t)rec->n_vars;
    rec->impl = m;
    return LEINAO_OK;
}

static leinao_status frames_write(lstate_recorder *rec, leinao_sim *sim, double t,
                                  const double *values)
{
    memory_frames *m = rec->impl;
    size_t cap = m->cap;
    /* values grow by whole frames: reserve frames, then size the value array to match */
    if (m->n + 1 > m->cap) {
        size_t want = cap ? cap * 2 : 64;
        double *times = lc_realloc(&sim->ctx, m->times, want * sizeof *times);
        if (!times)
            return lc_error(&sim->ctx, LEINAO_NOMEM, "out of memory recording state in memory");
        m->times = times;
        double *v = lc_realloc(&sim->ctx, m->values, want * (m->columns ? m->columns : 1) * sizeof *v);
        if (!v)
            return lc_error(&sim->ctx, LEINAO_NOMEM, "out of memory recording state in memory");
        m->values = v;
        m->cap = want;
    }
    m->times[m->n] = t;
    memcpy(m->values + m->n * m->columns, values, m->columns * sizeof *values);
    m->n++;
    return LEINAO_OK;
}

static leinao_status frames_close(lstate_recorder *rec, leinao_sim *sim)
{
    (void)rec;
    (void)sim;
    return LEINAO_OK;
}

static void frames_destroy(lstate_recorder *rec, leinao_sim *sim)
{
    memory_frames *m = rec->impl;
    if (!m)
        return;
    lc_free(&sim->ctx, m->times);
    lc_free(&sim->ctx, m->values);
    lc_free(&sim->ctx, m);
    rec->impl = NULL;
}

const lstate_ops lstate_memory_ops = {frames_open, frames_write, frames_close, frames_destroy,
                                      NULL,        NULL,         NULL};

leinao_status leinao_get_spikes(const leinao_sim *sim, int pop, const double **times,
                                const uint32_t **ids, size_t *n)
{
    for (int i = 0; pop >= 0 && i < sim->out.n_sinks; i++) {
        const lspike_sink *s = sim->out.sinks[i];
        if (s->ops != &lsink_memory_ops || s->pops[0] != pop)
            continue;
        const memory_spikes *m = s->impl;
        *times = m ? m->times : NULL;
        *ids = m ? m->ids : NULL;
        *n = m ? m->n : 0;
        return LEINAO_OK;
    }
    return lc_error_at((lctx *)&sim->ctx, LEINAO_NOT_FOUND, "pop", NULL, pop,
                       "population %d is not recorded in memory", pop);
}

leinao_status leinao_get_state(const leinao_sim *sim, int recording, const double **times,
                               const double **values, size_t *n_frames, size_t *n_columns)
{
    if (recording < 0 || recording >= sim->out.n_recorders ||
        sim->out.recorders[recording]->ops != &lstate_memory_ops)
        return lc_error_at((lctx *)&sim->ctx, LEINAO_NOT_FOUND, "recording", NULL, recording,
                           "state recording %d is not recorded in memory", recording);
    const lstate_recorder *r = sim->out.recorders[recording];
    const memory_frames *m = r->impl;
    *times = m ? m->times : NULL;
    *values = m ? m->values : NULL;
    *n_frames = m ? m->n : 0;
    *n_columns = r->n_neurons * (size_t)r->n_vars;
    return LEINAO_OK;
}
