/* chunk.h — the update driver of the kernels that advance chunks of neurons step by step
 * together (one vectorised loop over the chunk per step): written once, inlined into each. */
#ifndef LEINAO_MODELS_CHUNK_H
#define LEINAO_MODELS_CHUNK_H

#include "model.h"

#if defined(__GNUC__)
#define LCHUNK_INLINE __attribute__((always_inline)) inline
#else
#define LCHUNK_INLINE inline
#endif

/* The widest chunk (the driver's spike flags are this long). */
#define LCHUNK_MAX 128

/* A chunk's V_m relative to E_L, for kernels that integrate V - E_L (load), and back (store);
 * restrict parameters: the loops vectorise without checks for overlap. */
static LCHUNK_INLINE void lchunk_relative(int m, double *restrict V, const double *restrict V_m,
                                          double E_L)
{
    for (int j = 0; j < m; j++)
        V[j] = V_m[j] - E_L;
}

static LCHUNK_INLINE void lchunk_absolute(int m, double *restrict V_m, const double *restrict V,
                                          double E_L)
{
    for (int j = 0; j < m; j++)
        V_m[j] = V[j] + E_L;
}

/* One step of the chunk of m neurons from c0 on: `in` is this step's ring slot of buffer 0 at
 * neuron c0 (buffer j is j * slots * n further). Sets spiked[j] non-zero for the neurons that
 * spike, returns non-zero when it stored a NaN or infinite state value. */
typedef uint64_t (*lchunk_step_fn)(void *self, uint32_t c0, int m, double *in, double *spiked);
/* Moves a chunk's state into the kernel's working arrays (before its steps) or back (after). */
typedef void (*lchunk_move_fn)(void *self, uint32_t c0, int m);

/* Advances neurons [begin, end) of block b over steps step0 .. step0 + nsteps - 1, in chunks of
 * `width` (<= LCHUNK_MAX): load, then per step `step` and the emission of its spikes, then the
 * chunk's spikes back into (neuron, step) order, then store. load and store may be NULL. Called
 * with constant functions (always_inline themselves), which GCC inlines into the loop: each
 * kernel compiles to its own loop, as if written out. */
static LCHUNK_INLINE void lchunk_update(lneuron_block *b, uint32_t begin, uint32_t end,
                                        int64_t step0, int nsteps, int width, void *self,
                                        lchunk_move_fn load, lchunk_step_fn step,
                                        lchunk_move_fn store)
{
    const uint32_t n = b->n, slots = b->slots;
    lspike_list *out = b->spikes;
    const uint32_t first_slot = (uint32_t)(step0 % slots);

    for (uint32_t c0 = begin; c0 < end; c0 += (uint32_t)width) {
        const int m = end - c0 < (uint32_t)width ? (int)(end - c0) : width;
        double spiked[LCHUNK_MAX];
        const size_t first_spike = out->count;
        if (load)
            load(self, c0, m);
        uint32_t slot = first_slot;
        for (int k = 0; k < nsteps; k++) {
            if (step(self, c0, m, b->ring + (size_t)slot * n + c0, spiked))
                b->nonfinite = 1;
            lspike_emit_flagged(out, spiked, m, c0, k);
            if (++slot == slots)
                slot = 0;
        }
        if (nsteps > 1)
            lspike_sort(out, first_spike);
        if (store)
            store(self, c0, m);
    }
}

#endif
