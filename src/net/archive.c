/* archive.c — see archive.h. */
#include "archive.h"

#include <math.h>
#include <string.h>

leinao_status larchive_create(lctx *ctx, larchive **out, uint32_t n, double tau_minus)
{
    larchive *a = lc_calloc(ctx, 1, sizeof *a);
    if (!a)
        return LEINAO_NOMEM;
    a->n = n;
    a->tau_minus = tau_minus;
    a->h = lc_calloc(ctx, n, sizeof *a->h);
    a->Kminus = lc_calloc(ctx, n, sizeof *a->Kminus);
    a->t_last = lc_calloc(ctx, n, sizeof *a->t_last);
    a->n_incoming = lc_calloc(ctx, n, sizeof *a->n_incoming);
    a->dropped_t = lc_malloc(ctx, (n ? n : 1) * sizeof *a->dropped_t);
    a->dropped_K = lc_calloc(ctx, n, sizeof *a->dropped_K);
    *out = a;
    if (!a->h || !a->Kminus || !a->t_last || !a->n_incoming || !a->dropped_t || !a->dropped_K)
        return LEINAO_NOMEM;
    for (uint32_t i = 0; i < n; i++)
        a->dropped_t[i] = -INFINITY;
    return LEINAO_OK;
}

void larchive_free(lctx *ctx, larchive *a)
{
    if (!a)
        return;
    if (a->h)
        for (uint32_t i = 0; i < a->n; i++) {
            lc_free(ctx, a->h[i].t);
            lc_free(ctx, a->h[i].K);
            lc_free(ctx, a->h[i].access);
        }
    lc_free(ctx, a->h);
    lc_free(ctx, a->Kminus);
    lc_free(ctx, a->t_last);
    lc_free(ctx, a->n_incoming);
    lc_free(ctx, a->dropped_t);
    lc_free(ctx, a->dropped_K);
    lc_free(ctx, a);
}

static leinao_status reserve(lctx *ctx, lhistory *h)
{
    if (h->start > 0 && h->start + h->len == h->cap) { /* slide to the front */
        memmove(h->t, h->t + h->start, h->len * sizeof *h->t);
        memmove(h->K, h->K + h->start, h->len * sizeof *h->K);
        memmove(h->access, h->access + h->start, h->len * sizeof *h->access);
        h->start = 0;
    }
    if (h->start + h->len < h->cap)
        return LEINAO_OK;
    uint32_t cap = h->cap ? 2 * h->cap : 8;
    double *t = lc_realloc(ctx, h->t, cap * sizeof *t);
    if (!t)
        return LEINAO_NOMEM;
    h->t = t;
    double *K = lc_realloc(ctx, h->K, cap * sizeof *K);
    if (!K)
        return LEINAO_NOMEM;
    h->K = K;
    uint32_t *acc = lc_realloc(ctx, h->access, cap * sizeof *acc);
    if (!acc)
        return LEINAO_NOMEM;
    h->access = acc;
    h->cap = cap;
    return LEINAO_OK;
}

leinao_status larchive_add(lctx *ctx, larchive *a, uint32_t i, double t, double max_delay)
{
    lhistory *h = &a->h[i];
    /* drop what every incoming synapse has read and is older than the longest delay */
    while (h->len > 0 && h->access[h->start] >= a->n_incoming[i] &&
           t - h->t[h->start] > max_delay + LARCHIVE_EPS) {
        a->dropped_t[i] = h->t[h->start];
        a->dropped_K[i] = h->K[h->start];
        h->start++;
        h->len--;
    }
    if (h->len == 0)
        h->start = 0;
    a->Kminus[i] = a->Kminus[i] * exp((a->t_last[i] - t) / a->tau_minus) + 1.0;
    a->t_last[i] = t;
    leinao_status st = reserve(ctx, h);
    if (st)
        return st;
    uint32_t at = h->start + h->len++;
    h->t[at] = t;
    h->K[at] = a->Kminus[i];
    h->access[at] = 0;
    return LEINAO_OK;
}

/* The latest spike of neuron i strictly before t (within eps): its time and K-; 0 if none. */
static int latest_before(const larchive *a, uint32_t i, double t, double *t_spike, double *K)
{
    const lhistory *h = &a->h[i];
    for (uint32_t k = h->start + h->len; k-- > h->start;) {
        if (t - h->t[k] > LARCHIVE_EPS) {
            *t_spike = h->t[k];
            *K = h->K[k];
            return 1;
        }
    }
    if (t - a->dropped_t[i] > LARCHIVE_EPS) {
        *t_spike = a->dropped_t[i];
        *K = a->dropped_K[i];
        return 1;
    }
    return 0;
}

double larchive_K(const larchive *a, uint32_t i, double t)
{
    double t_spike, K;
    return latest_before(a, i, t, &t_spike, &K) ? K * exp((t_spike - t) / a->tau_minus) : 0.0;
}

double larchive_nearest_K(const larchive *a, uint32_t i, double t)
{
    double t_spike, K;
    return latest_before(a, i, t, &t_spike, &K) ? exp((t_spike - t) / a->tau_minus) : 0.0;
}

void larchive_range(larchive *a, uint32_t i, double t1, double t2, uint32_t *first, uint32_t *last)
{
    lhistory *h = &a->h[i];
    uint32_t k = h->start, end = h->start + h->len;
    while (k < end && h->t[k] - LARCHIVE_EPS <= t1)
        k++;
    *first = k;
    while (k < end && h->t[k] - LARCHIVE_EPS <= t2)
        h->access[k++]++;
    *last = k;
}
