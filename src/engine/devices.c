/* devices.c — output of stimulation devices into their targets' ring buffers, one slice at a
 * time, each thread for its own targets. Every synapse draws from its own random stream and
 * writes only to its target's buffers, so the result does not depend on the partition. */
#include "sim.h"

static inline double *port_of(const ldelivery *d, float w)
{
    return w < 0.0f ? d->ring_in : d->ring_ex;
}

/* Emission steps of the slice [step, step + n) inside the device's activity window. */
static void active_range(const lpopulation *dev, double dt, int64_t step, int n, int64_t *lo,
                         int64_t *hi)
{
    int64_t a = lmodel_first_active_step(dev->params[1], dt);
    int64_t b = lmodel_end_active_step(dev->params[2], dt);
    *lo = step > a ? step : a;
    *hi = step + n < b ? step + n : b;
}

/* Thread t's synapses of a device projection: those of every source element. */
typedef struct span {
    uint64_t begin, end;
} span;

LEINAO_KERNEL static void poisson(leinao_sim *sim, const lprojection *p, const ldelivery *d, int64_t lo,
                    int64_t hi, span s)
{
    const lpoisson *pois = &d->poisson;
    uint32_t key[2] = {(uint32_t)sim->seed, (uint32_t)(sim->seed >> 32)};
    for (uint64_t j = s.begin; j < s.end; j++) {
        const float wf = lproj_weight(p, j);
        double *ring = port_of(d, wf), w = wf;
        uint32_t tgt = lproj_target(p, j), delay = lproj_delay(p, j);
        uint32_t ctr[4] = {0, (uint32_t)j, 0, (LRNG_POISSON << 24) | (uint32_t)p->id};
        uint32_t block[4];
        int64_t have = -1;
        uint32_t slot = (uint32_t)((uint64_t)(lo + delay) % d->slots);
        for (int64_t s = lo; s < hi; s++, slot = slot + 1 == d->slots ? 0 : slot + 1) {
            uint64_t k;
            if (pois->mu < 10.0) {
                /* one Philox block gives the uniforms of four consecutive steps */
                if (s >> 2 != have) {
                    have = s >> 2;
                    ctr[2] = (uint32_t)have;
                    lrng_philox(ctr, key, block);
                }
                k = lpoisson_small_u32(pois, block[s & 3]);
            } else {
                lrng r;
                lrng_open(&r, sim->seed, LRNG_POISSON_LARGE, (uint32_t)p->id, (uint32_t)j,
                          (uint32_t)s);
                k = lpoisson_draw(pois, &r);
            }
            if (k)
                ring[(size_t)slot * d->n + tgt] += w * (double)k;
        }
    }
}

static void dc(const lpopulation *dev, const lprojection *p, const ldelivery *d, int64_t lo,
               int64_t hi, span s)
{
    double amplitude = dev->params[0];
    for (uint64_t j = s.begin; j < s.end; j++) {
        double current = lproj_weight(p, j) * amplitude;
        uint32_t tgt = lproj_target(p, j), delay = lproj_delay(p, j);
        for (int64_t s = lo; s < hi; s++)
            d->ring_current[(size_t)((uint64_t)(s + delay) % d->slots) * d->n + tgt] += current;
    }
}

static void spikes(const lpopulation *dev, const lprojection *p, const ldelivery *d, int64_t lo,
                   int64_t hi, span sp)
{
    for (size_t k = 0; k < dev->n_spike_times; k++) {
        int64_t s = dev->spike_steps[k];
        if (s < lo || s >= hi)
            continue;
        for (uint64_t j = sp.begin; j < sp.end; j++) {
            const float w = lproj_weight(p, j);
            double *ring = port_of(d, w);
            uint32_t tgt = lproj_target(p, j), delay = lproj_delay(p, j);
            ring[(size_t)((uint64_t)(s + delay) % d->slots) * d->n + tgt] += w;
        }
    }
}

void lsim_deliver_devices(leinao_sim *sim, int64_t step, int n, int t)
{
    for (int i = 0; i < sim->n_projs; i++) {
        const lprojection *p = sim->projs[i];
        const lpopulation *dev = sim->pops[p->src];
        if (dev->model->kind == LM_NEURON || p->n == 0)
            continue;
        int64_t lo, hi;
        active_range(dev, sim->dt, step, n, &lo, &hi);
        if (lo >= hi)
            continue;
        for (uint32_t g = 0; g < dev->size; g++) {
            span s;
            lsim_row(sim, i, g, t, &s.begin, &s.end);
            if (dev->model->kind == LM_POISSON_GENERATOR)
                poisson(sim, p, &sim->delivery[i], lo, hi, s);
            else if (dev->model->kind == LM_DC_GENERATOR)
                dc(dev, p, &sim->delivery[i], lo, hi, s);
            else if (dev->model->kind == LM_SPIKE_GENERATOR)
                spikes(dev, p, &sim->delivery[i], lo, hi, s);
        }
    }
}
