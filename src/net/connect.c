/* connect.c — connection rules (NEST's names and semantics) generating a projection's synapses,
 * then arranging them by source. Rules that pick sources for each target draw from the
 * target's stream; fixed_outdegree draws from the source's stream. */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "../base/rng.h"
#include "synapse_model.h"
#include "explicit.h"
#include "projection.h"

#define MAX_DELAY_STEPS 65535

static const char *rule_name(leinao_rule_kind k)
{
    static const char *names[] = {"all_to_all", "one_to_one", "pairwise_bernoulli",
                                  "fixed_indegree", "fixed_outdegree", "fixed_total_number"};
    return (unsigned)k < 6 ? names[k] : "?";
}

void lproj_delay_range(const lprojection *p, double dt, int *lo, int *hi)
{
    const leinao_dist *d = &p->delay;
    double s, a, b;
    switch (d->kind) {
    case LEINAO_DIST_CONSTANT:
        lgrid_steps(d->a, dt, &s);
        *lo = *hi = (int)(s < 1 ? 1 : s > MAX_DELAY_STEPS ? MAX_DELAY_STEPS : s);
        return;
    case LEINAO_DIST_UNIFORM:
        a = d->a;
        b = d->b;
        break;
    case LEINAO_DIST_NORMAL_CLIPPED:
        a = isfinite(d->low) ? d->low : d->a - 8 * d->b;
        b = isfinite(d->high) ? d->high : d->a + 8 * d->b;
        break;
    default: /* normal, lognormal: bounded by what a draw can reach in practice */
        a = d->kind == LEINAO_DIST_LOGNORMAL ? 0.0 : d->a - 8 * d->b;
        b = d->kind == LEINAO_DIST_LOGNORMAL ? exp(d->a + 8 * d->b) : d->a + 8 * d->b;
        break;
    }
    double slo = nearbyint(a / dt), shi = nearbyint(b / dt);
    *lo = slo < 1 ? 1 : slo > MAX_DELAY_STEPS ? MAX_DELAY_STEPS : (int)slo;
    *hi = shi < 1 ? 1 : shi > MAX_DELAY_STEPS ? MAX_DELAY_STEPS : (int)shi;
}

leinao_status lproj_check(lctx *ctx, const lprojection *p, uint32_t n_src, uint32_t n_tgt,
                          int same, double dt)
{
    const leinao_rule *r = &p->rule;
    uint64_t avail = n_src - (same && !r->allow_autapses ? 1 : 0);
    switch (p->explicit_list ? LEINAO_ALL_TO_ALL : r->kind) {
    case LEINAO_ALL_TO_ALL:
        break;
    case LEINAO_ONE_TO_ONE:
        if (n_src != n_tgt)
            return lc_error_at(ctx, LEINAO_INVALID, "rule", NULL, -1,
                            "one_to_one needs populations of equal size, got %u and %u", n_src,
                            n_tgt);
        break;
    case LEINAO_PAIRWISE_BERNOULLI:
        if (!(r->p >= 0.0 && r->p <= 1.0))
            return lc_error_at(ctx, LEINAO_INVALID, "rule", NULL, -1, "pairwise_bernoulli p must be in [0, 1], got %g",
                            r->p);
        break;
    case LEINAO_FIXED_INDEGREE:
        if (!r->allow_multapses && r->n > avail)
            return lc_error_at(ctx, LEINAO_INVALID, "rule", NULL, -1,
                            "fixed_indegree %llu exceeds the %llu available sources without "
                            "multapses",
                            (unsigned long long)r->n, (unsigned long long)avail);
        if (r->n > 0 && avail == 0)
            return lc_error_at(ctx, LEINAO_INVALID, "rule", NULL, -1, "fixed_indegree: no source available");
        break;
    case LEINAO_FIXED_OUTDEGREE: {
        uint64_t tavail = n_tgt - (same && !r->allow_autapses ? 1 : 0);
        if (!r->allow_multapses && r->n > tavail)
            return lc_error_at(ctx, LEINAO_INVALID, "rule", NULL, -1,
                            "fixed_outdegree %llu exceeds the %llu available targets without "
                            "multapses",
                            (unsigned long long)r->n, (unsigned long long)tavail);
        if (r->n > 0 && tavail == 0)
            return lc_error_at(ctx, LEINAO_INVALID, "rule", NULL, -1, "fixed_outdegree: no target available");
        break;
    }
    case LEINAO_FIXED_TOTAL_NUMBER:
        if (!r->allow_multapses)
            return lc_error_at(ctx, LEINAO_INVALID, "rule", NULL, -1,
                            "fixed_total_number requires allow_multapses: true (as in NEST)");
        if (r->n > 0 && avail == 0)
            return lc_error_at(ctx, LEINAO_INVALID, "rule", NULL, -1, "fixed_total_number: no source available");
        break;
    default:
        return lc_error_at(ctx, LEINAO_INVALID, "rule", NULL, -1, "unknown connection rule %d", (int)r->kind);
    }
    double expected = lproj_expected_synapses(p, n_src, n_tgt, same);
    if (expected > 4.0e9)
        return lc_error_at(ctx, LEINAO_INVALID, "rule", NULL, -1,
                        "%s would create %.3g synapses in one projection (limit 4e9)",
                        rule_name(r->kind), expected);
    if (p->delay.kind == LEINAO_DIST_CONSTANT) {
        double steps, d = p->delay.a;
        if (!isfinite(d) || d < dt * (1 - 1e-9))
            return lc_error_at(ctx, LEINAO_INVALID, "delay", NULL, -1, "delay must be >= dt = %g ms, got %g", dt, d);
        if (!lgrid_steps(d, dt, &steps))
            return lc_error_at(ctx, LEINAO_INVALID, "delay", NULL, -1,
                            "delay must be a multiple of dt = %g ms, got %g (it is never rounded "
                            "silently; use a distribution to draw delays on the grid)",
                            dt, d);
        if (steps > MAX_DELAY_STEPS)
            return lc_error_at(ctx, LEINAO_INVALID, "delay", NULL, -1, "delay must be <= %g ms, got %g",
                            MAX_DELAY_STEPS * dt, d);
    }
    return LEINAO_OK;
}

double lproj_expected_synapses(const lprojection *p, uint32_t n_src, uint32_t n_tgt, int same)
{
    const leinao_rule *r = &p->rule;
    if (p->explicit_list)
        return (double)p->explicit_list->n;
    double pairs = (double)n_src * n_tgt - (same && !r->allow_autapses ? (double)n_tgt : 0.0);
    switch (r->kind) {
    case LEINAO_ALL_TO_ALL:
        return pairs;
    case LEINAO_ONE_TO_ONE:
        return same && !r->allow_autapses ? 0.0 : (double)n_tgt;
    case LEINAO_PAIRWISE_BERNOULLI:
        return pairs * r->p;
    case LEINAO_FIXED_INDEGREE:
        return (double)n_tgt * (double)r->n;
    case LEINAO_FIXED_OUTDEGREE:
        return (double)n_src * (double)r->n;
    case LEINAO_FIXED_TOTAL_NUMBER:
        return (double)r->n;
    }
    return 0.0;
}

/* Synapses under construction, in generation order, grouped by the generating element. */
typedef struct staging {
    uint32_t *other; /* source (per-target rules) or target (fixed_outdegree) */
    float *weight;
    uint16_t *delay;
    uint64_t n, cap;
    uint32_t *mark; /* sampling without replacement: mark[c] == stamp means taken */
    uint32_t stamp;
    int unweighted; /* the projection's weights are uniform: no weight array */
} staging;

static leinao_status stage_reserve(lctx *ctx, staging *s, uint64_t extra)
{
    if (s->n + extra <= s->cap)
        return LEINAO_OK;
    uint64_t cap = s->cap ? s->cap : s->n + extra; /* the first reservation is exact */
    while (cap < s->n + extra)
        cap *= 2;
    uint32_t *o = lc_realloc(ctx, s->other, cap * sizeof *o);
    if (!o)
        return LEINAO_NOMEM;
    s->other = o;
    if (!s->unweighted) {
        float *w = lc_realloc(ctx, s->weight, cap * sizeof *w);
        if (!w)
            return LEINAO_NOMEM;
        s->weight = w;
    }
    uint16_t *d = lc_realloc(ctx, s->delay, cap * sizeof *d);
    if (!d)
        return LEINAO_NOMEM;
    s->delay = d;
    s->cap = cap;
    return LEINAO_OK;
}

static void stage_free(lctx *ctx, staging *s)
{
    lc_free(ctx, s->other);
    lc_free(ctx, s->weight);
    lc_free(ctx, s->delay);
    lc_free(ctx, s->mark);
}

/* Candidate c of n_avail, skipping `self` when autapses are excluded. */
static inline uint32_t skip_self(uint32_t c, int64_t self)
{
    return (self >= 0 && c >= (uint32_t)self) ? c + 1 : c;
}

/* Picks `k` partners of `element` among `n` candidates into s->other[s->n ...]. */
static void pick_partners(const leinao_rule *r, staging *s, lrng *rng, uint32_t n, uint64_t k,
                          int64_t self)
{
    uint32_t avail = n - (self >= 0 ? 1 : 0);
    uint32_t *out = s->other + s->n;
    if (r->allow_multapses) {
        for (uint64_t j = 0; j < k; j++)
            out[j] = skip_self(lrng_below(rng, avail), self);
        return;
    }
    /* Floyd's algorithm: k distinct values of avail with exactly k draws. */
    if (++s->stamp == 0) {
        memset(s->mark, 0, (size_t)n * sizeof *s->mark);
        s->stamp = 1;
    }
    uint64_t j = 0;
    for (uint64_t top = avail - k; top < avail; top++) {
        uint32_t c = lrng_below(rng, (uint32_t)top + 1);
        if (s->mark[c] == s->stamp)
            c = (uint32_t)top;
        s->mark[c] = s->stamp;
        out[j++] = skip_self(c, self);
    }
}

/* Weights and delays of the synapses staged from `first` on, drawn from the same stream. */
static leinao_status draw_weights_delays(lctx *ctx, const lprojection *p, staging *s,
                                         uint64_t first, lrng *rng, double dt)
{
    for (uint64_t j = first; j < s->n && !s->unweighted; j++) {
        double w = lrng_draw(rng, &p->weight);
        if (!isfinite(w))
            return lc_error(ctx, LEINAO_INVALID,
                            "weight: normal_clipped found no value in [%g, %g] after 1e6 draws",
                            p->weight.low, p->weight.high);
        s->weight[j] = (float)w;
    }
    for (uint64_t j = first; j < s->n; j++) {
        double d = lrng_draw(rng, &p->delay);
        if (!isfinite(d))
            return lc_error(ctx, LEINAO_INVALID, "delay: no valid value drawn");
        double steps = nearbyint(d / dt);
        if (steps < 1)
            steps = 1;
        if (steps > MAX_DELAY_STEPS)
            return lc_error(ctx, LEINAO_INVALID, "delay %g ms drawn exceeds %g ms", d,
                            MAX_DELAY_STEPS * dt);
        s->delay[j] = (uint16_t)steps;
    }
    return LEINAO_OK;
}

/* Sources of target t under a per-target rule; `count` is fixed_total_number's share. */
static leinao_status stage_target(lctx *ctx, const lprojection *p, staging *s, uint32_t t,
                                  uint32_t n_src, int same, uint64_t count, double dt,
                                  uint64_t seed)
{
    const leinao_rule *r = &p->rule;
    int64_t self = (same && !r->allow_autapses) ? (int64_t)t : -1;
    uint32_t avail = n_src - (self >= 0 ? 1 : 0);
    lrng rng;
    lrng_open(&rng, seed, LRNG_CONNECT, (uint32_t)p->id, t, 0);
    uint64_t first = s->n;
    leinao_status st;
    switch (r->kind) {
    case LEINAO_ALL_TO_ALL:
        if ((st = stage_reserve(ctx, s, avail)))
            return st;
        for (uint32_t c = 0; c < avail; c++)
            s->other[s->n++] = skip_self(c, self);
        break;
    case LEINAO_ONE_TO_ONE:
        if (self >= 0)
            return LEINAO_OK;
        if ((st = stage_reserve(ctx, s, 1)))
            return st;
        s->other[s->n++] = t;
        break;
    case LEINAO_PAIRWISE_BERNOULLI: {
        if (r->p <= 0.0 || avail == 0)
            return LEINAO_OK;
        if (r->p >= 1.0) {
            if ((st = stage_reserve(ctx, s, avail)))
                return st;
            for (uint32_t c = 0; c < avail; c++)
                s->other[s->n++] = skip_self(c, self);
            break;
        }
        /* geometric skipping: the gap to the next chosen candidate is Geometric(p) */
        double log_q = log1p(-r->p);
        double c = -1.0;
        for (;;) {
            c += 1.0 + floor(log(lrng_uniform_open(&rng)) / log_q);
            if (c >= (double)avail)
                break;
            if ((st = stage_reserve(ctx, s, 1)))
                return st;
            s->other[s->n++] = skip_self((uint32_t)c, self);
        }
        break;
    }
    case LEINAO_FIXED_INDEGREE:
    case LEINAO_FIXED_TOTAL_NUMBER: {
        uint64_t k = r->kind == LEINAO_FIXED_INDEGREE ? r->n : count;
        if ((st = stage_reserve(ctx, s, k)))
            return st;
        pick_partners(r, s, &rng, n_src, k, self);
        s->n += k;
        break;
    }
    default:
        return lc_error(ctx, LEINAO_INVALID, "rule %d is not per target", (int)r->kind);
    }
    return draw_weights_delays(ctx, p, s, first, &rng, dt);
}

/* fixed_total_number: how many synapses each target gets (a multinomial split, drawn from one
 * stream of the projection). */
static leinao_status split_total(lctx *ctx, const lprojection *p, uint32_t n_tgt, uint64_t seed,
                                 uint64_t **out)
{
    uint64_t *count = lc_calloc(ctx, (size_t)n_tgt + 1, sizeof *count);
    if (!count)
        return LEINAO_NOMEM;
    lrng rng;
    lrng_open(&rng, seed, LRNG_CONNECT_TOTAL, (uint32_t)p->id, 0, 0);
    for (uint64_t j = 0; j < p->rule.n; j++)
        count[lrng_below(&rng, n_tgt)]++;
    *out = count;
    return LEINAO_OK;
}

/* Per-target rules on several threads. Part t stages the synapses of targets lo..hi (a
 * contiguous share, in target order, each target from its own stream) with its own allocator
 * context and counts them per source; then the rows by source are laid out (part 0's
 * synapses of a source first, then part 1's: target order, as one thread would give) and
 * every part writes its synapses into its places. */
typedef struct target_part {
    lctx ctx;
    staging s;
    uint32_t lo, hi;
    uint64_t *row;   /* [hi - lo + 1]: the staged synapses of target lo + k begin at row[k] */
    uint64_t *place; /* [n_src]: per source the count, then the next place in the rows */
    int min_delay, max_delay;
    leinao_status st;
} target_part;

typedef struct target_build {
    lprojection *p;
    uint32_t n_src, n_tgt;
    uint32_t tgt_lo, tgt_hi; /* the targets this process builds */
    int same, phase; /* 0: stage and count, 1: place */
    double dt, expected;
    uint64_t seed;
    uint64_t *count; /* fixed_total_number: synapses per target (owned) */
    target_part *part;
    const lreport *report;          /* NULL: none */
    atomic_uint_fast64_t generated; /* synapses staged by all parts, added chunk by chunk */
    atomic_int stop;                /* set when the report asked to stop: every part returns */
} target_build;

/* After a chunk of part q's staging: adds it to the count of all parts; part 0 (on the thread
 * that called lproj_build) reports. Returns LEINAO_INTERRUPTED when the build is to stop. */
static leinao_status part_chunk_done(target_build *b, const target_part *q, uint64_t chunk)
{
    uint64_t all = atomic_fetch_add_explicit(&b->generated, chunk, memory_order_relaxed) + chunk;
    if (q == b->part && b->report && b->report->fn(b->report->user, all))
        atomic_store_explicit(&b->stop, 1, memory_order_relaxed);
    return atomic_load_explicit(&b->stop, memory_order_relaxed) ? LEINAO_INTERRUPTED : LEINAO_OK;
}

static leinao_status stage_part(target_build *b, target_part *q)
{
    const lprojection *p = b->p;
    lctx *ctx = &q->ctx;
    staging *s = &q->s;
    s->unweighted = lproj_uniform_weight(p);
    double share = b->n_tgt ? b->expected * (double)(q->hi - q->lo) / (double)b->n_tgt : 0.0;
    uint64_t want = p->rule.kind == LEINAO_PAIRWISE_BERNOULLI
                        ? (uint64_t)(share + 4 * sqrt(share) + 16)
                        : (uint64_t)share + 16;
    if (b->count) {
        want = 0;
        for (uint32_t t = q->lo; t < q->hi; t++)
            want += b->count[t];
    }
    leinao_status st = stage_reserve(ctx, s, want);
    if (st)
        return st;
    if (!p->rule.allow_multapses && !(s->mark = lc_calloc(ctx, (size_t)b->n_src + 1, sizeof *s->mark)))
        return LEINAO_NOMEM;
    q->row = lc_calloc(ctx, (size_t)(q->hi - q->lo) + 1, sizeof *q->row);
    q->place = lc_calloc(ctx, (size_t)b->n_src + 1, sizeof *q->place);
    if (!q->row || !q->place)
        return LEINAO_NOMEM;
    uint64_t reported = 0; /* of this part's synapses, those counted in b->generated */
    for (uint32_t t = q->lo; t < q->hi; t++) {
        st = stage_target(ctx, p, s, t, b->n_src, b->same, b->count ? b->count[t] : 0, b->dt,
                          b->seed);
        if (st)
            return st;
        q->row[t - q->lo + 1] = s->n;
        if (s->n - reported >= LPROJ_REPORT_CHUNK || t + 1 == q->hi) {
            if ((st = part_chunk_done(b, q, s->n - reported)))
                return st;
            reported = s->n;
        }
    }
    for (uint64_t j = 0; j < s->n; j++)
        q->place[s->other[j]]++;
    return LEINAO_OK;
}

static void place_part(const target_build *b, target_part *q)
{
    lprojection *p = b->p;
    const staging *s = &q->s;
    int lo = MAX_DELAY_STEPS, hi = 1;
    for (uint32_t t = q->lo; t < q->hi; t++) {
        for (uint64_t j = q->row[t - q->lo]; j < q->row[t - q->lo + 1]; j++) {
            uint64_t at = q->place[s->other[j]]++;
            int d = s->delay[j];
            if (p->target16)
                p->target16[at] = (uint16_t)t;
            else
                p->entry[at] = t << p->delay_bits | (uint32_t)d;
            if (!s->unweighted)
                p->weight_of[at] = s->weight[j];
            lo = d < lo ? d : lo;
            hi = d > hi ? d : hi;
        }
    }
    q->min_delay = lo;
    q->max_delay = hi;
}

static void target_job(void *arg, int t)
{
    target_build *b = arg;
    target_part *q = &b->part[t];
    if (b->phase == 0)
        q->st = stage_part(b, q);
    else if (!q->st)
        place_part(b, q);
}

/* One phase of the parts: on par's threads, or on this one when there is a single part. */
static void run_parts(const lparallel *par, int T, target_build *b)
{
    if (T > 1)
        par->run(par->pool, target_job, b);
    else
        target_job(b, 0);
}

/* Before the parts run: fixed_total_number's synapses per target (drawn from the projection's
 * stream) and the parts themselves, one per thread. */
static leinao_status open_parts(lctx *ctx, target_build *b, int T)
{
    leinao_status st = LEINAO_OK;
    if (b->p->rule.kind == LEINAO_FIXED_TOTAL_NUMBER)
        st = split_total(ctx, b->p, b->n_tgt, b->seed, &b->count);
    b->part = st ? NULL : lc_calloc(ctx, (size_t)T, sizeof *b->part);
    if (!st && !b->part)
        st = LEINAO_NOMEM;
    if (st) {
        lc_free(ctx, b->count);
        b->count = NULL;
    }
    return st;
}

/* Part t gets the targets lo .. hi - 1 of an even split of this process's targets, and a
 * context of its own (its allocations are counted apart while the parts run in parallel). */
static void split_targets(const lctx *ctx, target_build *b, int T)
{
    uint64_t n = b->tgt_hi - b->tgt_lo;
    for (int t = 0; t < T; t++) {
        lctx_fork(ctx, &b->part[t].ctx);
        b->part[t].lo = b->tgt_lo + (uint32_t)(n * (uint64_t)t / (uint64_t)T);
        b->part[t].hi = b->tgt_lo + (uint32_t)(n * (uint64_t)(t + 1) / (uint64_t)T);
    }
}

/* The first failure of the staging phase, its message copied from the part's context; an
 * interruption is reported as such, whichever part saw it first. */
static leinao_status staging_status(lctx *ctx, const target_build *b, int T)
{
    for (int t = 0; t < T; t++)
        if (b->part[t].st == LEINAO_INTERRUPTED)
            return lc_error(ctx, LEINAO_INTERRUPTED, "interrupted");
    for (int t = 0; t < T; t++)
        if (b->part[t].st)
            return lc_error(ctx, b->part[t].st, "%s", b->part[t].ctx.errmsg);
    return LEINAO_OK;
}

/* The projection's storage for every staged synapse, and its rows by source: part t's synapses
 * of source i begin after those of parts < t (each part's place[i] becomes where its first one
 * goes). */
static leinao_status allocate_rows(lctx *ctx, target_build *b, int T)
{
    lprojection *p = b->p;
    p->row = lc_calloc(ctx, (size_t)b->n_src + 1, sizeof *p->row);
    uint64_t n = 0;
    for (int t = 0; t < T; t++)
        n += b->part[t].s.n;
    if (lproj_compact(p, b->n_tgt))
        p->target16 = lc_malloc(ctx, (n ? n : 1) * sizeof *p->target16);
    else
        p->entry = lc_malloc(ctx, (n ? n : 1) * sizeof *p->entry);
    if (!lproj_uniform_weight(p))
        p->weight_of = lc_malloc(ctx, (n ? n : 1) * sizeof *p->weight_of);
    if (!p->row || (!p->entry && !p->target16) || (!p->weight_of && !lproj_uniform_weight(p)))
        return LEINAO_NOMEM;
    for (uint32_t i = 0; i < b->n_src; i++) {
        uint64_t at = p->row[i];
        for (int t = 0; t < T; t++) {
            uint64_t c = b->part[t].place[i];
            b->part[t].place[i] = at;
            at += c;
        }
        p->row[i + 1] = at;
    }
    p->n = n;
    return LEINAO_OK;
}

/* The projection's delay range: that of the parts which placed synapses. */
static void join_delay_range(lprojection *p, const target_build *b, int T)
{
    p->min_delay = MAX_DELAY_STEPS;
    p->max_delay = 1;
    for (int t = 0; t < T; t++) {
        if (b->part[t].s.n == 0)
            continue;
        if (b->part[t].min_delay < p->min_delay)
            p->min_delay = b->part[t].min_delay;
        if (b->part[t].max_delay > p->max_delay)
            p->max_delay = b->part[t].max_delay;
    }
}

/* Frees each part's staging through its own context, then joins the accounting (the peak
 * counts the parts' memory together with what ctx held from `base` on). */
static void close_parts(lctx *ctx, target_build *b, int T, uint64_t base)
{
    uint64_t in_use = ctx->bytes_in_use;
    for (int t = 0; t < T; t++)
        in_use += b->part[t].ctx.bytes_in_use;
    if (in_use > ctx->peak_bytes)
        ctx->peak_bytes = in_use;
    for (int t = 0; t < T; t++) {
        target_part *q = &b->part[t];
        stage_free(&q->ctx, &q->s);
        lc_free(&q->ctx, q->row);
        lc_free(&q->ctx, q->place);
    }
    lctx_join(ctx, base, &b->part[0].ctx, sizeof b->part[0], T);
    lc_free(ctx, b->part);
    lc_free(ctx, b->count);
}

/* Rules that pick sources per target: each part stages its targets' synapses and counts them
 * per source, then, once the rows are laid out, places them. */
static leinao_status build_by_target(lctx *ctx, lprojection *p, uint32_t n_src, uint32_t n_tgt,
                                     uint32_t tgt_lo, uint32_t tgt_hi, int same, double dt,
                                     uint64_t seed, const lparallel *par, const lreport *report)
{
    const int T = par && par->run && par->n > 1 ? par->n : 1;
    target_build b = {.p = p, .n_src = n_src, .n_tgt = n_tgt, .tgt_lo = tgt_lo, .tgt_hi = tgt_hi,
                      .same = same, .dt = dt, .seed = seed, .report = report};
    atomic_init(&b.generated, 0);
    atomic_init(&b.stop, 0);
    b.expected = lproj_expected_synapses(p, n_src, n_tgt, same);
    leinao_status st = open_parts(ctx, &b, T);
    if (st)
        return st;
    const uint64_t base = ctx->bytes_in_use;
    split_targets(ctx, &b, T);
    run_parts(par, T, &b); /* phase 0: stage and count */
    st = staging_status(ctx, &b, T);
    if (!st)
        st = allocate_rows(ctx, &b, T);
    if (!st) {
        b.phase = 1;
        run_parts(par, T, &b); /* phase 1: place */
        join_delay_range(p, &b, T);
    }
    close_parts(ctx, &b, T, base);
    return st;
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* fixed_outdegree's synapses, source by source from each source's stream, into s: those to
 * targets tgt_lo .. tgt_hi - 1 (every source draws all its targets, weights and delays, so that
 * each kept synapse is as in the whole projection); p->row gets the rows. */
static leinao_status stage_by_source(lctx *ctx, lprojection *p, staging *s, uint32_t n_src,
                                     uint32_t n_tgt, uint32_t tgt_lo, uint32_t tgt_hi, int same,
                                     double dt, uint64_t seed, const lreport *report)
{
    const leinao_rule *r = &p->rule;
    const int all = tgt_lo == 0 && tgt_hi == n_tgt;
    /* the kept synapses are binomial around the share: room for 4 standard deviations more, so
     * that the staging is not doubled (to the whole projection's size) by a fluctuation */
    double share = n_tgt ? (double)n_src * (double)r->n * (double)(tgt_hi - tgt_lo) / n_tgt : 0.0;
    uint64_t room = all ? (uint64_t)n_src * r->n : (uint64_t)(share + 4.0 * sqrt(share)) + r->n + 16;
    leinao_status st = stage_reserve(ctx, s, room);
    p->row = lc_calloc(ctx, (size_t)n_src + 1, sizeof *p->row);
    if (st || !p->row)
        return LEINAO_NOMEM;
    if (!r->allow_multapses) {
        s->mark = lc_calloc(ctx, (size_t)n_tgt + 1, sizeof *s->mark);
        if (!s->mark)
            return LEINAO_NOMEM;
    }
    uint64_t reported = 0, drawn = 0;
    for (uint32_t src = 0; src < n_src; src++) {
        if (report && drawn - reported >= LPROJ_REPORT_CHUNK) {
            if (report->fn(report->user, drawn))
                return lc_error(ctx, LEINAO_INTERRUPTED, "interrupted");
            reported = drawn;
        }
        int64_t self = (same && !r->allow_autapses) ? (int64_t)src : -1;
        lrng rng;
        lrng_open(&rng, seed, LRNG_CONNECT, (uint32_t)p->id, src, 0);
        uint64_t first = s->n;
        if ((st = stage_reserve(ctx, s, r->n)))
            return st;
        pick_partners(r, s, &rng, n_tgt, r->n, self);
        s->n += r->n;
        drawn += r->n;
        if ((st = draw_weights_delays(ctx, p, s, first, &rng, dt)))
            return st;
        if (!all) {
            uint64_t kept = first;
            for (uint64_t j = first; j < s->n; j++) {
                if (s->other[j] < tgt_lo || s->other[j] >= tgt_hi)
                    continue;
                s->other[kept] = s->other[j];
                if (!s->unweighted)
                    s->weight[kept] = s->weight[j];
                s->delay[kept] = s->delay[j];
                kept++;
            }
            s->n = kept;
        }
        p->row[src + 1] = s->n;
    }
    return LEINAO_OK;
}

/* Sorts each staged row by target (stable: multapses keep their order), as the other rules'
 * rows are, so that each thread's targets form one run of a row. No row is longer than r->n. */
static leinao_status sort_rows_by_target(lctx *ctx, const lprojection *p, staging *s,
                                         uint32_t n_src)
{
    uint64_t longest = p->rule.n;
    uint64_t *keys = lc_malloc(ctx, (longest ? longest : 1) * sizeof *keys);
    float *w_tmp = lc_malloc(ctx, (longest ? longest : 1) * sizeof *w_tmp);
    uint16_t *d_tmp = lc_malloc(ctx, (longest ? longest : 1) * sizeof *d_tmp);
    if (!keys || !w_tmp || !d_tmp) {
        lc_free(ctx, keys);
        lc_free(ctx, w_tmp);
        lc_free(ctx, d_tmp);
        return LEINAO_NOMEM;
    }
    for (uint32_t src = 0; src < n_src; src++) {
        uint64_t b = p->row[src], n = p->row[src + 1] - b;
        for (uint64_t j = 0; j < n; j++)
            keys[j] = (uint64_t)s->other[b + j] << 32 | j;
        qsort(keys, n, sizeof *keys, compare_u64);
        for (uint64_t j = 0; j < n; j++) {
            uint64_t from = b + (keys[j] & 0xFFFFFFFFu);
            if (!s->unweighted)
                w_tmp[j] = s->weight[from];
            d_tmp[j] = s->delay[from];
        }
        for (uint64_t j = 0; j < n; j++) {
            s->other[b + j] = (uint32_t)(keys[j] >> 32);
            if (!s->unweighted)
                s->weight[b + j] = w_tmp[j];
            s->delay[b + j] = d_tmp[j];
        }
    }
    lc_free(ctx, keys);
    lc_free(ctx, w_tmp);
    lc_free(ctx, d_tmp);
    return LEINAO_OK;
}

/* Hands the staging arrays over as the projection's storage, packed in place (or copied into
 * 16-bit targets), with their delay range. */
static leinao_status adopt_staging(lctx *ctx, lprojection *p, staging *s, uint32_t n_tgt)
{
    p->n = s->n;
    p->min_delay = MAX_DELAY_STEPS;
    p->max_delay = 1;
    for (uint64_t j = 0; j < s->n; j++) {
        p->min_delay = s->delay[j] < p->min_delay ? s->delay[j] : p->min_delay;
        p->max_delay = s->delay[j] > p->max_delay ? s->delay[j] : p->max_delay;
    }
    if (lproj_compact(p, n_tgt)) {
        if (!(p->target16 = lc_malloc(ctx, (s->n ? s->n : 1) * sizeof *p->target16)))
            return LEINAO_NOMEM;
        for (uint64_t j = 0; j < s->n; j++)
            p->target16[j] = (uint16_t)s->other[j];
    } else {
        for (uint64_t j = 0; j < s->n; j++)
            s->other[j] = s->other[j] << p->delay_bits | s->delay[j];
        p->entry = s->other;
        s->other = NULL;
    }
    p->weight_of = s->weight; /* NULL where unweighted */
    s->weight = NULL;
    return LEINAO_OK;
}

/* fixed_outdegree: each source draws its targets from its own stream: rows are made directly. */
static leinao_status build_by_source(lctx *ctx, lprojection *p, staging *s, uint32_t n_src,
                                     uint32_t n_tgt, uint32_t tgt_lo, uint32_t tgt_hi, int same,
                                     double dt, uint64_t seed, const lreport *report)
{
    leinao_status st =
        stage_by_source(ctx, p, s, n_src, n_tgt, tgt_lo, tgt_hi, same, dt, seed, report);
    if (!st)
        st = sort_rows_by_target(ctx, p, s, n_src);
    if (!st)
        st = adopt_staging(ctx, p, s, n_tgt);
    return st;
}

/* Bits for the delays this projection can have; the target index gets the rest. */
static leinao_status choose_delay_bits(lctx *ctx, lprojection *p, uint32_t n_tgt, double dt)
{
    int lo, hi;
    lproj_delay_range(p, dt, &lo, &hi);
    int bits = 1;
    while ((1u << bits) <= (unsigned)hi)
        bits++;
    if (n_tgt > 0 && (uint64_t)(n_tgt - 1) >> (32 - bits))
        return lc_error(ctx, LEINAO_INVALID,
                        "a target population of %u neurons with delays up to %d steps does not fit "
                        "an 8-byte synapse (at most 2^%d neurons)",
                        n_tgt, hi, 32 - bits);
    p->delay_bits = bits;
    p->delay_mask = (1u << bits) - 1;
    return LEINAO_OK;
}

leinao_status lproj_build(lctx *ctx, lprojection *p, uint32_t n_src, uint32_t n_tgt,
                          uint32_t tgt_lo, uint32_t tgt_hi, int same, double dt, uint64_t seed,
                          const lparallel *par, const lreport *report)
{
    leinao_status st = choose_delay_bits(ctx, p, n_tgt, dt);
    if (st)
        return st;
    p->weight_uniform = (float)p->weight.a; /* used where lproj_uniform_weight(p) */
    if (p->explicit_list) {
        if ((st = lexplicit_build(ctx, p, n_src, n_tgt, tgt_lo, tgt_hi)))
            return st;
    } else if (p->rule.kind == LEINAO_FIXED_OUTDEGREE) {
        staging s = {0};
        s.unweighted = lproj_uniform_weight(p);
        st = build_by_source(ctx, p, &s, n_src, n_tgt, tgt_lo, tgt_hi, same, dt, seed, report);
        stage_free(ctx, &s);
        if (st)
            return st;
    } else if ((st = build_by_target(ctx, p, n_src, n_tgt, tgt_lo, tgt_hi, same, dt, seed, par,
                                     report))) {
        return st;
    }
    if (p->n == 0)
        lproj_delay_range(p, dt, &p->min_delay, &p->max_delay);
    return LEINAO_OK;
}

leinao_status lproj_set_synapse(lctx *ctx, lprojection *p, const char *model)
{
    const lsynapse_model *m = lsynapse_find(model);
    if (!m) {
        lsuggest sg;
        lsuggest_init(&sg, model);
        for (int i = 0; i < lsynapse_count(); i++)
            lsuggest_offer(&sg, lsynapse_at(i)->name);
        char hint[96];
        return lc_error(ctx, LEINAO_NOT_FOUND, "unknown synapse model '%s'%s", model,
                        lsuggest_hint(&sg, hint, sizeof hint));
    }
    if (m->n_params > LSYN_MAX_PARAMS)
        return lc_error(ctx, LEINAO_UNSUPPORTED, "synapse model %s has more than %d parameters",
                        m->name, LSYN_MAX_PARAMS);
    p->syn = m;
    for (int i = 0; i < m->n_params; i++)
        p->syn_params[i] = m->params[i].def;
    return LEINAO_OK;
}

leinao_status lproj_set_synapse_param(lctx *ctx, lprojection *p, const char *name, double value)
{
    const lsynapse_model *m = p->syn;
    int i = lparam_find(m->params, m->n_params, name);
    if (i < 0) {
        lsuggest sg;
        lsuggest_init(&sg, name);
        for (int k = 0; k < m->n_params; k++)
            lsuggest_offer(&sg, m->params[k].name);
        char hint[96];
        return lc_error(ctx, LEINAO_NOT_FOUND, "%s has no parameter '%s'%s", m->name, name,
                        lsuggest_hint(&sg, hint, sizeof hint));
    }
    leinao_status st = lparam_check(ctx, &m->params[i], value);
    if (!st)
        p->syn_params[i] = value;
    return st;
}

leinao_status lproj_prepare_plasticity(lctx *ctx, lprojection *p, uint32_t n_src)
{
    const lsynapse_model *m = p->syn;
    lxsum_init(&p->weight_sum_initial);
    for (uint64_t j = 0; j < p->n; j++)
        lxsum_add(&p->weight_sum_initial, lproj_weight(p, j));
    p->weight_mean_initial = p->n ? lxsum_value(&p->weight_sum_initial) / (double)p->n : NAN;
    if (m->check) {
        leinao_status st = m->check(ctx, p->syn_params);
        if (st)
            return st;
    }
    if (m->check_weights && p->weight_of) {
        leinao_status st = m->check_weights(ctx, p->syn_params, p->weight_of, p->n);
        if (st)
            return st;
    }
    if (m->n_source_state == 0)
        return LEINAO_OK;
    p->source_state = lc_calloc(ctx, (size_t)n_src * (size_t)m->n_source_state, sizeof(double));
    if (!p->source_state)
        return LEINAO_NOMEM;
    if (m->init_source_state)
        for (uint32_t i = 0; i < n_src; i++)
            m->init_source_state(p->syn_params, p->source_state + (size_t)i * m->n_source_state);
    return LEINAO_OK;
}

void lproj_unbuild(lctx *ctx, lprojection *p)
{
    void *blocks[] = {p->source_state, p->row, p->entry, p->target16, p->weight_of};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        lc_free(ctx, blocks[i]);
    p->source_state = NULL;
    p->weight_of = NULL;
    p->row = NULL;
    p->entry = NULL;
    p->target16 = NULL;
    p->n = 0;
    p->weight_mean_initial = 0.0;
    p->min_delay = p->max_delay = 0;
    p->changed = 0;
}

void lproj_free(lctx *ctx, lprojection *p)
{
    if (!p)
        return;
    lexplicit_free(ctx, p->explicit_list);
    lproj_unbuild(ctx, p);
    lc_free(ctx, p);
}
