/* connections.c — a built projection's synapses read back (NEST's GetConnections) and changed
 * between runs (NEST's SetStatus on connections). */
#include <math.h>

#include "sim.h"

leinao_status leinao_get_connections(const leinao_sim *sim, int proj, size_t *n, uint32_t *sources,
                                     uint32_t *targets, double *weights, double *delays)
{
    lctx *ctx = (lctx *)&sim->ctx; /* a failure's message is the one thing a query changes */
    if (proj < 0 || proj >= sim->net.n_projs)
        return lc_error_at(ctx, LEINAO_NOT_FOUND, "proj", NULL, proj, "no projection with id %d",
                           proj);
    if (sim->phase == LSIM_DECLARING)
        return lc_error_at(ctx, LEINAO_STATE, "proj", NULL, proj,
                           "connections exist after leinao_build");
    if (!n)
        return lc_error_at(ctx, LEINAO_INVALID, "n", NULL, -1, "n must not be NULL");
    const lprojection *p = sim->net.projs[proj];
    size_t room = *n;
    *n = (size_t)p->n;
    if (!sources && !targets && !weights && !delays)
        return LEINAO_OK;
    if (room < p->n)
        return lc_error_at(ctx, LEINAO_INVALID, "n", NULL, -1,
                           "projection %d has %llu synapses, the arrays hold %zu", proj,
                           (unsigned long long)p->n, room);
    uint32_t n_src = sim->net.pops[p->src]->size;
    for (uint32_t i = 0; i < n_src; i++) {
        for (uint64_t j = p->row[i]; j < p->row[i + 1]; j++) {
            if (sources)
                sources[j] = i;
            if (targets)
                targets[j] = lproj_target(p, j);
            if (weights)
                weights[j] = lproj_weight(p, j);
            if (delays)
                delays[j] = lproj_delay(p, j) * sim->config.dt;
        }
    }
    return LEINAO_OK;
}

/* Whether projection p's storage holds a weight per synapse and a target-and-delay word per
 * synapse able to hold delays up to max_steps; if not, makes it so (the values kept). Nothing
 * changes on failure. */
static leinao_status make_room(lctx *ctx, lprojection *p, uint32_t n_tgt, int want_weights,
                               uint32_t max_steps)
{
    int bits = p->delay_bits > 0 ? p->delay_bits : 1;
    while ((1u << bits) <= max_steps)
        bits++;
    int reencode = p->target16 || !p->entry || bits != p->delay_bits;
    if (reencode && n_tgt > 0 && (uint64_t)(n_tgt - 1) >> (32 - bits))
        return lc_error_at(ctx, LEINAO_UNSUPPORTED, "delays", NULL, -1,
                           "a target population of %u neurons with delays up to %u steps does "
                           "not fit an 8-byte synapse (at most 2^%d neurons)",
                           n_tgt, max_steps, 32 - bits);
    size_t len = p->n ? (size_t)p->n : 1;
    float *w = NULL;
    uint32_t *entry = NULL;
    if (want_weights && !p->weight_of && !(w = lc_malloc(ctx, len * sizeof *w)))
        return LEINAO_NOMEM;
    if (reencode && !(entry = lc_malloc(ctx, len * sizeof *entry))) {
        lc_free(ctx, w);
        return LEINAO_NOMEM;
    }
    if (w) {
        for (uint64_t j = 0; j < p->n; j++)
            w[j] = p->weight_uniform;
        p->weight_of = w;
    }
    if (entry) {
        for (uint64_t j = 0; j < p->n; j++)
            entry[j] = lproj_target(p, j) << bits | lproj_delay(p, j);
        lc_free(ctx, p->entry);
        lc_free(ctx, p->target16);
        p->entry = entry;
        p->target16 = NULL;
        p->delay_bits = bits;
        p->delay_mask = (1u << bits) - 1;
    }
    return LEINAO_OK;
}

leinao_status leinao_set_connections(leinao_sim *sim, int proj, size_t n, const double *weights,
                                     const double *delays)
{
    lctx *ctx = &sim->ctx;
    if (proj < 0 || proj >= sim->net.n_projs)
        return lc_error_at(ctx, LEINAO_NOT_FOUND, "proj", NULL, proj, "no projection with id %d",
                           proj);
    if (sim->phase != LSIM_BUILT)
        return lc_error_at(ctx, LEINAO_STATE, "proj", NULL, proj,
                           sim->phase == LSIM_DECLARING
                               ? "connections exist after leinao_build"
                               : "the simulation is finished");
    lprojection *p = sim->net.projs[proj];
    if (n != p->n)
        return lc_error_at(ctx, LEINAO_INVALID, "n", NULL, -1,
                           "projection %d has %llu synapses, got %zu values", proj,
                           (unsigned long long)p->n, n);
    const double dt = sim->config.dt;
    uint32_t max_steps = 0, min_steps = UINT32_MAX;
    for (size_t k = 0; k < n; k++) {
        if (weights && !isfinite(weights[k]))
            return lc_error_at(ctx, LEINAO_INVALID, "weights", NULL, (int64_t)k,
                               "weights[%zu] must be finite, got %g", k, weights[k]);
        if (!delays)
            continue;
        double steps;
        if (!lgrid_steps(delays[k], dt, &steps))
            return lc_error_at(ctx, LEINAO_INVALID, "delays", NULL, (int64_t)k,
                               "delays[%zu] must be a multiple of dt = %g ms, got %g (it is never "
                               "rounded silently)",
                               k, dt, delays[k]);
        /* the built network's slices and ring buffers are sized by its delays' range */
        if (steps < sim->net.min_delay || steps > sim->net.max_delay)
            return lc_error_at(ctx, LEINAO_INVALID, "delays", NULL, (int64_t)k,
                               "delays[%zu] must lie within the delays the network was built with, "
                               "%g to %g ms, got %g",
                               k, sim->net.min_delay * dt, sim->net.max_delay * dt, delays[k]);
        max_steps = (uint32_t)steps > max_steps ? (uint32_t)steps : max_steps;
        min_steps = (uint32_t)steps < min_steps ? (uint32_t)steps : min_steps;
    }
    if (!weights && !delays)
        return LEINAO_OK;
    if (weights && p->syn->check_weights) {
        float *check = lc_malloc(ctx, (n ? n : 1) * sizeof *check);
        if (!check)
            return LEINAO_NOMEM;
        for (size_t k = 0; k < n; k++)
            check[k] = (float)weights[k];
        leinao_status st = p->syn->check_weights(ctx, p->syn_params, check, n);
        lc_free(ctx, check);
        if (st) {
            if (st != LEINAO_NOMEM)
                lc_error_detail(ctx, "weights", NULL, -1);
            return st;
        }
    }
    uint32_t keep_max = (uint32_t)p->max_delay;
    leinao_status st = make_room(ctx, p, sim->net.pops[p->tgt]->size, weights != NULL,
                                 delays ? max_steps : keep_max);
    if (st)
        return st;
    for (size_t k = 0; k < n; k++) {
        if (weights)
            p->weight_of[k] = (float)weights[k];
        if (delays)
            p->entry[k] = (p->entry[k] & ~p->delay_mask) | (uint32_t)nearbyint(delays[k] / dt);
    }
    if (delays && n) {
        p->min_delay = (int)min_steps;
        p->max_delay = (int)max_steps;
    }
    p->changed = 1;
    if (sim->eng.delivery)
        sim->eng.delivery[proj].view = lproj_view(p);
    return LEINAO_OK;
}
