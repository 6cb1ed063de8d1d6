/* explicit.c — a projection from an explicit list of synapses: checked and put in canonical
 * order when declared, turned into rows (CSR by source, sorted by target) when built. */
#include "explicit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DELAY_STEPS 65535

typedef struct order_key {
    uint32_t source, target;
    uint64_t k;
} order_key;

static int compare_keys(const void *a, const void *b)
{
    const order_key *x = a, *y = b;
    if (x->source != y->source)
        return x->source < y->source ? -1 : 1;
    if (x->target != y->target)
        return x->target < y->target ? -1 : 1;
    return x->k < y->k ? -1 : x->k > y->k;
}

void lexplicit_free(lctx *ctx, lexplicit *e)
{
    if (!e)
        return;
    lc_free(ctx, e->source);
    lc_free(ctx, e->target);
    lc_free(ctx, e->weight);
    lc_free(ctx, e->delay);
    lc_free(ctx, e);
}

static leinao_status check(lctx *ctx, size_t n, const uint32_t *sources, const uint32_t *targets,
                           const double *weights, const double *delays, uint32_t n_src,
                           uint32_t n_tgt, double dt)
{
    for (size_t k = 0; k < n; k++) {
        if (sources[k] >= n_src)
            return lc_error_at(ctx, LEINAO_INVALID, "sources", NULL, (int64_t)k,
                               "sources[%zu] = %u is not in the source population of size %u", k,
                               sources[k], n_src);
        if (targets[k] >= n_tgt)
            return lc_error_at(ctx, LEINAO_INVALID, "targets", NULL, (int64_t)k,
                               "targets[%zu] = %u is not in the target population of size %u", k,
                               targets[k], n_tgt);
        if (weights && !isfinite(weights[k]))
            return lc_error_at(ctx, LEINAO_INVALID, "weights", NULL, (int64_t)k,
                               "weights[%zu] must be finite, got %g", k, weights[k]);
        if (!delays)
            continue;
        double steps, d = delays[k];
        if (!isfinite(d) || d < dt * (1 - 1e-9))
            return lc_error_at(ctx, LEINAO_INVALID, "delays", NULL, (int64_t)k,
                               "delays[%zu] must be >= dt = %g ms, got %g", k, dt, d);
        if (!lgrid_steps(d, dt, &steps))
            return lc_error_at(ctx, LEINAO_INVALID, "delays", NULL, (int64_t)k,
                               "delays[%zu] must be a multiple of dt = %g ms, got %g (it is never "
                               "rounded silently)",
                               k, dt, d);
        if (steps > MAX_DELAY_STEPS)
            return lc_error_at(ctx, LEINAO_INVALID, "delays", NULL, (int64_t)k,
                               "delays[%zu] must be <= %g ms, got %g", k, MAX_DELAY_STEPS * dt, d);
    }
    return LEINAO_OK;
}

leinao_status lexplicit_create(lctx *ctx, lprojection *p, size_t n, const uint32_t *sources,
                               const uint32_t *targets, const double *weights,
                               const double *delays, uint32_t n_src, uint32_t n_tgt, double dt)
{
    leinao_status st = check(ctx, n, sources, targets, weights, delays, n_src, n_tgt, dt);
    if (st)
        return st;
    double one_ms_steps;
    if (!delays && (!lgrid_steps(1.0, dt, &one_ms_steps) || one_ms_steps < 1))
        return lc_error_at(ctx, LEINAO_INVALID, "delays", NULL, -1,
                           "the default delay of 1 ms is not a multiple of dt = %g ms", dt);
    lexplicit *e = lc_calloc(ctx, 1, sizeof *e);
    order_key *keys = lc_malloc(ctx, (n ? n : 1) * sizeof *keys);
    if (e) {
        e->n = n;
        e->source = lc_malloc(ctx, (n ? n : 1) * sizeof *e->source);
        e->target = lc_malloc(ctx, (n ? n : 1) * sizeof *e->target);
        e->delay = lc_malloc(ctx, (n ? n : 1) * sizeof *e->delay);
        e->weight = weights ? lc_malloc(ctx, (n ? n : 1) * sizeof *e->weight) : NULL;
    }
    if (!e || !keys || !e->source || !e->target || !e->delay || (weights && !e->weight)) {
        lexplicit_free(ctx, e);
        lc_free(ctx, keys);
        return LEINAO_NOMEM;
    }
    for (size_t k = 0; k < n; k++)
        keys[k] = (order_key){sources[k], targets[k], k};
    qsort(keys, n, sizeof *keys, compare_keys);
    double w_lo = INFINITY, w_hi = -INFINITY, d_lo = INFINITY, d_hi = -INFINITY;
    for (size_t j = 0; j < n; j++) {
        size_t k = (size_t)keys[j].k;
        e->source[j] = keys[j].source;
        e->target[j] = keys[j].target;
        double w = weights ? weights[k] : 1.0, d = delays ? delays[k] : 1.0, steps;
        lgrid_steps(d, dt, &steps);
        if (weights)
            e->weight[j] = w;
        e->delay[j] = (uint16_t)steps;
        w_lo = fmin(w_lo, w);
        w_hi = fmax(w_hi, w);
        d_lo = fmin(d_lo, d);
        d_hi = fmax(d_hi, d);
    }
    lc_free(ctx, keys);
    if (n == 0)
        w_lo = w_hi = d_lo = d_hi = 1.0;
    /* the range of the list, so that storage (uniform weights, compact targets) and the delay
     * range are chosen as for drawn connections */
    p->weight = (leinao_dist){w_lo == w_hi ? LEINAO_DIST_CONSTANT : LEINAO_DIST_UNIFORM, w_lo, w_hi,
                              -INFINITY, INFINITY};
    p->delay = (leinao_dist){d_lo == d_hi ? LEINAO_DIST_CONSTANT : LEINAO_DIST_UNIFORM, d_lo, d_hi,
                             -INFINITY, INFINITY};
    p->explicit_list = e;
    return LEINAO_OK;
}

leinao_status lexplicit_build(lctx *ctx, lprojection *p, uint32_t n_src, uint32_t n_tgt,
                               uint32_t tgt_lo, uint32_t tgt_hi)
{
    lexplicit *e = p->explicit_list;
    /* keep the synapses to this process's targets, in the list's (source, target) order */
    uint64_t n = 0;
    for (uint64_t j = 0; j < e->n; j++) {
        if (e->target[j] < tgt_lo || e->target[j] >= tgt_hi)
            continue;
        e->source[n] = e->source[j];
        e->target[n] = e->target[j];
        e->delay[n] = e->delay[j];
        if (e->weight)
            e->weight[n] = e->weight[j];
        n++;
    }
    p->row = lc_calloc(ctx, (size_t)n_src + 1, sizeof *p->row);
    if (!p->row)
        return LEINAO_NOMEM;
    for (uint64_t j = 0; j < n; j++)
        p->row[e->source[j] + 1]++;
    for (uint32_t i = 0; i < n_src; i++)
        p->row[i + 1] += p->row[i];
    p->n = n;
    p->min_delay = MAX_DELAY_STEPS;
    p->max_delay = 1;
    for (uint64_t j = 0; j < n; j++) {
        p->min_delay = e->delay[j] < p->min_delay ? e->delay[j] : p->min_delay;
        p->max_delay = e->delay[j] > p->max_delay ? e->delay[j] : p->max_delay;
    }
    size_t len = (size_t)(n ? n : 1);
    if (lproj_compact(p, n_tgt)) {
        if (!(p->target16 = lc_malloc(ctx, len * sizeof *p->target16)))
            return LEINAO_NOMEM;
        for (uint64_t j = 0; j < n; j++)
            p->target16[j] = (uint16_t)e->target[j];
    } else {
        if (!(p->entry = lc_malloc(ctx, len * sizeof *p->entry)))
            return LEINAO_NOMEM;
        for (uint64_t j = 0; j < n; j++)
            p->entry[j] = e->target[j] << p->delay_bits | e->delay[j];
    }
    if (!lproj_uniform_weight(p)) {
        if (!(p->weight_of = lc_malloc(ctx, len * sizeof *p->weight_of)))
            return LEINAO_NOMEM;
        for (uint64_t j = 0; j < n; j++)
            p->weight_of[j] = e->weight ? (float)e->weight[j] : 1.0f;
    }
    lc_free(ctx, e->source);
    lc_free(ctx, e->target);
    lc_free(ctx, e->weight);
    lc_free(ctx, e->delay);
    e->source = e->target = NULL;
    e->weight = NULL;
    e->delay = NULL;
    return LEINAO_OK;
}
