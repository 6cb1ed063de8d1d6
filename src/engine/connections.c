/* connections.c — reading a built projection's synapses back (NEST's GetConnections). */
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
