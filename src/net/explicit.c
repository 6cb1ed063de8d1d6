/* explicit.c — a projection from an explicit list of synapses: checked and put in canonical
 * order when declared, turned into rows (CSR by source, sorted by target) when built. */
#include "explicit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DELAY_STEPS 65535

/* A synapse of one source's row while the row is put in target order. */
typedef struct row_key {
    uint32_t target, entry;
    float weight;
    uint32_t at; /* its place in the row as given: ties keep the order given */
} row_key;

static int compare_row_keys(const void *a, const void *b)
{
    const row_key *x = a, *y = b;
    if (x->target != y->target)
        return x->target < y->target ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* Puts each row of e (already grouped by source, in the order given) in target order, ties in
 * the order given; rows already in order (exported circuits, lists by source) are left as they
 * are. */
static leinao_status sort_rows(lctx *ctx, lexplicit *e)
{
    row_key *keys = NULL;
    size_t cap = 0;
    int bits = e->delay_bits;
    for (uint32_t i = 0; i < e->n_src; i++) {
        uint64_t from = e->row[i], len = e->row[i + 1] - from;
        int in_order = 1;
        for (uint64_t j = from + 1; j < from + len && in_order; j++)
            in_order = e->entry[j - 1] >> bits <= e->entry[j] >> bits;
        if (in_order)
            continue;
        if (len > cap) {
            row_key *bigger = lc_realloc(ctx, keys, (size_t)len * sizeof *keys);
            if (!bigger) {
                lc_free(ctx, keys);
                return LEINAO_NOMEM;
            }
            keys = bigger;
            cap = (size_t)len;
        }
        for (uint64_t j = 0; j < len; j++)
            keys[j] = (row_key){e->entry[from + j] >> bits, e->entry[from + j],
                                e->weight ? e->weight[from + j] : 1.0f, (uint32_t)j};
        qsort(keys, (size_t)len, sizeof *keys, compare_row_keys);
        for (uint64_t j = 0; j < len; j++) {
            e->entry[from + j] = keys[j].entry;
            if (e->weight)
                e->weight[from + j] = keys[j].weight;
        }
    }
    lc_free(ctx, keys);
    return LEINAO_OK;
}

void lexplicit_free(lctx *ctx, lexplicit *e)
{
    if (!e)
        return;
    lc_free(ctx, e->row);
    lc_free(ctx, e->entry);
    lc_free(ctx, e->weight);
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
    /* target << bits | delay steps, with bits for the longest delay (as the build chooses) */
    double max_steps = 1;
    for (size_t k = 0; k < n && delays; k++) {
        double steps;
        lgrid_steps(delays[k], dt, &steps);
        max_steps = steps > max_steps ? steps : max_steps;
    }
    if (!delays)
        lgrid_steps(1.0, dt, &max_steps);
    int bits = 1;
    while ((double)(1u << bits) <= max_steps)
        bits++;
    if (n_tgt > 0 && (uint64_t)(n_tgt - 1) >> (32 - bits))
        return lc_error_at(ctx, LEINAO_INVALID, "targets", NULL, -1,
                           "a target population of %u neurons with delays up to %g steps does not "
                           "fit an 8-byte synapse (at most 2^%d neurons)",
                           n_tgt, max_steps, 32 - bits);
    lexplicit *e = lc_calloc(ctx, 1, sizeof *e);
    if (e) {
        e->n = n;
        e->n_src = n_src;
        e->delay_bits = bits;
        e->row = lc_calloc(ctx, (size_t)n_src + 1, sizeof *e->row);
        e->entry = lc_malloc(ctx, (n ? n : 1) * sizeof *e->entry);
        e->weight = weights ? lc_malloc(ctx, (n ? n : 1) * sizeof *e->weight) : NULL;
    }
    if (!e || !e->row || !e->entry || (weights && !e->weight)) {
        lexplicit_free(ctx, e);
        return LEINAO_NOMEM;
    }
    /* canonical order without sort keys: a stable counting sort by source (row[i] runs as the
     * cursor of source i, then is moved back to its start), then each row by target */
    for (size_t k = 0; k < n; k++)
        e->row[sources[k] + 1]++;
    for (uint32_t i = 0; i < n_src; i++)
        e->row[i + 1] += e->row[i];
    double w_lo = INFINITY, w_hi = -INFINITY, d_lo = INFINITY, d_hi = -INFINITY;
    for (size_t k = 0; k < n; k++) {
        uint64_t j = e->row[sources[k]]++;
        double w = weights ? weights[k] : 1.0, d = delays ? delays[k] : 1.0, steps;
        lgrid_steps(d, dt, &steps);
        e->entry[j] = targets[k] << bits | (uint32_t)steps;
        if (weights)
            e->weight[j] = (float)w; /* as the rows store it */
        w_lo = w < w_lo ? w : w_lo;
        w_hi = w > w_hi ? w : w_hi;
        d_lo = d < d_lo ? d : d_lo;
        d_hi = d > d_hi ? d : d_hi;
    }
    for (uint32_t i = n_src; i > 0; i--)
        e->row[i] = e->row[i - 1];
    e->row[0] = 0;
    if (sort_rows(ctx, e)) {
        lexplicit_free(ctx, e);
        return LEINAO_NOMEM;
    }
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
    int bits = e->delay_bits;
    uint32_t mask = (1u << bits) - 1;
    /* keep the synapses to this process's targets, in the list's (source, target) order, in
     * place; the row offsets, entries and weights become the projection's own arrays */
    uint64_t n = 0;
    for (uint32_t i = 0; i < n_src && i < e->n_src; i++) {
        uint64_t from = e->row[i], to = e->row[i + 1];
        e->row[i] = n;
        for (uint64_t j = from; j < to; j++) {
            uint32_t t = e->entry[j] >> bits;
            if (t < tgt_lo || t >= tgt_hi)
                continue;
            e->entry[n] = e->entry[j];
            if (e->weight)
                e->weight[n] = e->weight[j];
            n++;
        }
    }
    e->row[e->n_src] = n;
    p->row = e->row;
    e->row = NULL;
    p->n = n;
    p->min_delay = MAX_DELAY_STEPS;
    p->max_delay = 1;
    for (uint64_t j = 0; j < n; j++) {
        int d = (int)(e->entry[j] & mask);
        p->min_delay = d < p->min_delay ? d : p->min_delay;
        p->max_delay = d > p->max_delay ? d : p->max_delay;
    }
    size_t len = (size_t)(n ? n : 1);
    leinao_status st = LEINAO_OK;
    if (lproj_compact(p, n_tgt)) {
        if (!(p->target16 = lc_malloc(ctx, len * sizeof *p->target16)))
            st = LEINAO_NOMEM;
        for (uint64_t j = 0; !st && j < n; j++)
            p->target16[j] = (uint16_t)(e->entry[j] >> bits);
    } else {
        if (p->delay_bits != bits) /* the build's choice differs: repacked in place */
            for (uint64_t j = 0; j < n; j++)
                e->entry[j] = (e->entry[j] >> bits) << p->delay_bits | (e->entry[j] & mask);
        p->entry = e->entry;
        e->entry = NULL;
    }
    if (!st && !lproj_uniform_weight(p)) {
        if (e->weight) {
            p->weight_of = e->weight;
            e->weight = NULL;
        } else if (!(p->weight_of = lc_malloc(ctx, len * sizeof *p->weight_of))) {
            st = LEINAO_NOMEM;
        } else {
            for (uint64_t j = 0; j < n; j++)
                p->weight_of[j] = 1.0f;
        }
    }
    lc_free(ctx, e->entry);
    lc_free(ctx, e->weight);
    e->entry = NULL;
    e->weight = NULL;
    return st;
}
