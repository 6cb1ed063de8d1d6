/* preset.c — the discretisation choices of each framework as data (docs/nir.md):
 * one row per preset; "nir" (no preset) is NIR's own definition: the exact solution of the ODEs
 * with the input held over the step, reset to v_reset, r as written, dt given by the user. */
#include "nir.h"

#include <stdio.h>
#include <string.h>

typedef struct preset_row {
    const char *name;
    leinao_nir_options o;
} preset_row;

#define ROW(n, dt, integ, reset, gain, rescale, ge, multi, clamp, prev, pre, lag, cyc)         \
    {n, {n, dt, integ, reset, gain, rescale, ge, multi, clamp, prev, pre, lag, cyc, 1.0}}

static const preset_row presets[] = {
    /* snnTorch: beta = 1 - dt/tau, input added as is (r = tau/dt implied, the threshold
     * rescaled otherwise), importer's reset_mechanism 'zero' with its pre-reset rule, RSynaptic
     * recurrence (bias present at t = 0) */
    ROW("snntorch", 1e-4, LEINAO_NIR_EULER, LEINAO_NIR_RESET_ZERO, LEINAO_NIR_GAIN_UNIT, 1, 0, 0, 0, 0, 1, 0,
        LEINAO_NIR_DELAY_NEURON_OUTPUT),
    /* Norse: from_nir(dt=0.001), Euler, reset_value (v_reset, absent = 0), r ignored for
     * LI/LIF/IF, edge-order execution (recurrent Affine's output delayed) */
    ROW("norse", 1e-3, LEINAO_NIR_EULER, LEINAO_NIR_RESET_VALUE, LEINAO_NIR_GAIN_R_IGNORED, 0, 0, 0, 0, 0, 0, 0,
        LEINAO_NIR_DELAY_TRAVERSAL),
    /* Sinabs: tau in steps (dt = 1), alpha = exp(-1/tau), input not normalised, MembraneSubtract,
     * MultiSpike (v >= threshold), IF clamped at -threshold (min_v_mem) */
    ROW("sinabs", 1.0, LEINAO_NIR_EXACT, LEINAO_NIR_RESET_SUBTRACT, LEINAO_NIR_GAIN_UNIT, 0, 1, 1, 1, 0, 0, 0,
        LEINAO_NIR_DELAY_TRAVERSAL),
    /* Spyx: dt = 1 by default, beta = 1 - dt/tau, input x dt/tau r, spike decided on the
     * previous membrane and subtracted in the step */
    ROW("spyx", 1.0, LEINAO_NIR_EULER, LEINAO_NIR_RESET_SUBTRACT, LEINAO_NIR_GAIN_NIR, 0, 0, 0, 0, 1, 0, 0,
        LEINAO_NIR_DELAY_TRAVERSAL),
    /* SpikingJelly: dt = 1e-4, Euler (decay_input), hard reset at v_reset, IF with r = 1/dt */
    ROW("spikingjelly", 1e-4, LEINAO_NIR_EULER, LEINAO_NIR_RESET_VALUE, LEINAO_NIR_GAIN_NIR, 0, 0, 0, 0, 0, 0, 0,
        LEINAO_NIR_DELAY_TRAVERSAL),
    /* Rockpool: dt recovered from the graph (min tau / (1 + r)), exponential decay, subtract,
     * several spikes per step */
    ROW("rockpool", 0.0, LEINAO_NIR_EXACT, LEINAO_NIR_RESET_SUBTRACT, LEINAO_NIR_GAIN_NIR, 0, 0, 1, 0, 0, 0, 0,
        LEINAO_NIR_DELAY_TRAVERSAL),
    /* Lava (CPU, floating point): Euler, reset to zero, every input one step late */
    ROW("lava", 1e-4, LEINAO_NIR_EULER, LEINAO_NIR_RESET_ZERO, LEINAO_NIR_GAIN_NIR, 0, 0, 0, 0, 0, 0, 1,
        LEINAO_NIR_DELAY_TRAVERSAL),
};

#define PRESET_COUNT ((int)(sizeof presets / sizeof presets[0]))

int leinao_nir_preset_count(void)
{
    return PRESET_COUNT;
}

const char *leinao_nir_preset_name(int i)
{
    return i >= 0 && i < PRESET_COUNT ? presets[i].name : NULL;
}

leinao_status leinao_nir_options_preset(leinao_nir_options *options, const char *preset)
{
    if (!options)
        return LEINAO_INVALID;
    if (!preset || !preset[0] || !strcmp(preset, "nir")) {
        static const leinao_nir_options spec = {"", 0.0, LEINAO_NIR_EXACT, LEINAO_NIR_RESET_VALUE,
                                                LEINAO_NIR_GAIN_NIR, 0, 0, 0, 0, 0, 0, 0,
                                                LEINAO_NIR_DELAY_TRAVERSAL, 1.0};
        *options = spec;
        return LEINAO_OK;
    }
    for (int i = 0; i < PRESET_COUNT; i++)
        if (!strcmp(preset, presets[i].name)) {
            *options = presets[i].o;
            return LEINAO_OK;
        }
    return LEINAO_NOT_FOUND;
}
