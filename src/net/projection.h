/* projection.h — the synapses of one projection, stored by source (CSR): per source a row of
 * 8-byte entries, sorted by target: a 32-bit word holding the target index (high bits) and the
 * delay in steps (low `delay_bits` bits, chosen per projection), and a 32-bit float weight.
 * A static projection with a constant weight stores no weights (4 bytes per synapse): every
 * synapse has weight_uniform, and weight_of is NULL. If its delay is constant as well and the
 * target population has at most 65536 neurons, it is compact: a 16-bit target index is all a
 * synapse stores (2 bytes), in target16, and entry is NULL. */
#ifndef LEINAO_NET_PROJECTION_H
#define LEINAO_NET_PROJECTION_H

#include "../base/context.h"
#include "../base/xsum.h"
#include "synapse_model.h"

typedef struct lprojection {
    int id, src, tgt;
    leinao_rule rule;
    leinao_dist weight, delay;
    const lsynapse_model *syn;
    double syn_params[LSYN_MAX_PARAMS];
    /* built */
    double *source_state;       /* [n_src * syn->n_source_state] */
    double weight_mean_initial;  /* of this process's synapses (the engine joins the ranks') */
    lxsum weight_sum_initial;    /* exactly, of this process's synapses */
    uint64_t n;        /* synapses (of this process) */
    uint64_t n_all;    /* synapses of all processes (set by the engine) */
    uint64_t *row;     /* [n_src + 1] offsets */
    uint32_t *entry;   /* [n] target << delay_bits | delay; NULL where compact */
    uint16_t *target16; /* [n] target index, where compact (else NULL) */
    float *weight_of;  /* [n]; NULL where every synapse has weight_uniform */
    float weight_uniform;
    int delay_bits;
    uint32_t delay_mask;
    int min_delay, max_delay; /* steps */
    int changed; /* weights, delays or parameters set after the build (leinao_set_connections,
                    leinao_set_synapse_params): checkpoints cannot hold them */
    struct lexplicit *explicit_list; /* explicit connections (explicit.h), else NULL; p->rule is
                                        then unused */
} lprojection;

static inline uint32_t lproj_target(const lprojection *p, uint64_t j)
{
    return p->target16 ? p->target16[j] : p->entry[j] >> p->delay_bits;
}

/* Steps; a compact projection's one delay is its min_delay (= max_delay). */
static inline uint32_t lproj_delay(const lprojection *p, uint64_t j)
{
    return p->target16 ? (uint32_t)p->min_delay : p->entry[j] & p->delay_mask;
}

static inline float lproj_weight(const lprojection *p, uint64_t j)
{
    return p->weight_of ? p->weight_of[j] : p->weight_uniform;
}

/* Whether the projection stores no weights (static synapses, a constant weight). */
static inline int lproj_uniform_weight(const lprojection *p)
{
    return !p->syn->plastic && p->weight.kind == LEINAO_DIST_CONSTANT;
}

/* Whether it stores only 16-bit targets (also a constant delay, at most 65536 targets). */
static inline int lproj_compact(const lprojection *p, uint32_t n_tgt)
{
    return lproj_uniform_weight(p) && p->delay.kind == LEINAO_DIST_CONSTANT && n_tgt <= 65536;
}

/* The projection's synapse storage as devices read it (models/device.h). */
static inline lsyn_view lproj_view(const lprojection *p)
{
    lsyn_view v = {p->entry,      p->target16,       p->weight_of, p->weight_uniform,
                   p->delay_bits, p->delay_mask,     (uint32_t)p->min_delay, (uint32_t)p->id};
    return v;
}

/* Asks for every line of synapses b .. e - 1 (a row that delivery will read soon). */
static inline void lproj_prefetch_row(const lprojection *p, uint64_t b, uint64_t e)
{
    if (p->target16) {
        for (; b < e; b += 32)
            __builtin_prefetch(p->target16 + b, 0, 3);
        return;
    }
    for (; b < e; b += 16) {
        __builtin_prefetch(p->entry + b, 0, 3);
        if (p->weight_of)
            __builtin_prefetch(p->weight_of + b, 0, 3);
    }
}

/* Runs job(arg, t) for t = 0 .. n - 1 and returns when all are done: in parallel on the
 * caller's threads (the engine passes its pool), or one after the other when run is NULL. */
typedef struct lparallel {
    void (*run)(void *pool, void (*job)(void *arg, int t), void *arg);
    void *pool;
    int n;
} lparallel;

/* Progress of lproj_build: fn(user, generated) is called on the thread that called lproj_build,
 * after each chunk of about LPROJ_REPORT_CHUNK synapses (of part 0's share when the synapses
 * are generated on several threads), with the synapses generated so far by all threads. A
 * non-zero return stops the build: lproj_build returns LEINAO_INTERRUPTED. */
#define LPROJ_REPORT_CHUNK (1u << 20)
typedef struct lreport {
    int (*fn)(void *user, uint64_t generated);
    void *user;
} lreport;

/* Checks a rule and its sizes, and the delay against dt (a constant delay must be a multiple of
 * dt and >= dt). The numbers of the weight and delay distributions are checked before, once, by
 * the API (sim.c's check_dist). */
leinao_status lproj_check(lctx *ctx, const lprojection *p, uint32_t n_src, uint32_t n_tgt,
                          int same_population, double dt);
/* Expected number of synapses (exact for deterministic rules). */
double lproj_expected_synapses(const lprojection *p, uint32_t n_src, uint32_t n_tgt,
                               int same_population);
/* Delay range in steps that the projection can produce. */
void lproj_delay_range(const lprojection *p, double dt, int *min_steps, int *max_steps);
/* Generates the synapses to targets tgt_lo .. tgt_hi - 1 (this process's share; 0 .. n_tgt
 * for all) from keyed random streams (seed, projection id, target or source index): each
 * synapse is the same whatever the threads or the partition, and a row holds the synapses of
 * the whole projection's row to those targets, in the same order. Per-target rules generate
 * and arrange their synapses on par's threads (par may be NULL: one thread). report may be NULL
 * (see lreport). */
leinao_status lproj_build(lctx *ctx, lprojection *p, uint32_t n_src, uint32_t n_tgt,
                          uint32_t tgt_lo, uint32_t tgt_hi, int same_population, double dt,
                          uint64_t seed, const lparallel *par, const lreport *report);
/* Frees what lproj_build and lproj_prepare_plasticity made: the projection is as declared. */
void lproj_unbuild(lctx *ctx, lprojection *p);
void lproj_free(lctx *ctx, lprojection *p);
/* Sets the synapse model (with its default parameters) / one of its parameters. */
leinao_status lproj_set_synapse(lctx *ctx, lprojection *p, const char *model);
leinao_status lproj_set_synapse_param(lctx *ctx, lprojection *p, const char *name, double value);
/* After lproj_build: the synapse model's rules, its per-source state, the initial mean weight. */
leinao_status lproj_prepare_plasticity(lctx *ctx, lprojection *p, uint32_t n_src);

#endif
