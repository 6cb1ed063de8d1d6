/* model.h — the model descriptor: name, parameter table, state variables, receptor buffers and
 * the kernels that prepare propagators and update a block of neurons over a slice. */
#ifndef LEINAO_MODELS_MODEL_H
#define LEINAO_MODELS_MODEL_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../base/context.h"
#include "../base/params.h"

/* A neuron model (state per neuron, an update kernel, receives connections) or a device
 * (stimulation: hooks that deliver its output, receives nothing). */
typedef enum lmodel_kind { LM_NEURON = 0, LM_DEVICE } lmodel_kind;

struct ldevice_call;

/* Receptor ports a connection can target; a model maps each to one of its ring buffers. */
enum { LPORT_EX = 0, LPORT_IN = 1, LPORT_CURRENT = 2, LPORT_COUNT = 3 };

/* Spikes emitted during a slice, in (neuron, step) order. */
typedef struct lspike_list {
    uint32_t *index; /* neuron index within its population */
    uint16_t *step;  /* step within the slice */
    size_t count, cap;
} lspike_list;

/* A population's neurons as one update kernel sees them (structure of arrays). */
typedef struct lneuron_block {
    const struct lmodel *model; /* the descriptor whose kernel this block is given to */
    uint32_t n;
    double **state;        /* state[k][i]: state variable k of neuron i (model's order); all
                            * of a neuron's run state, refractory steps left included */
    double *ring;          /* ring[(b * slots + s) * n + i]: buffer b, slot s, neuron i */
    uint32_t slots;        /* ring slots */
    double dt;             /* ms */
    const double *params;  /* model's parameter order */
    const double *consts;  /* from prepare */
    lspike_list *spikes;   /* output */
    int nonfinite;         /* output of a model with reports_nonfinite: a state value was NaN or
                            * infinite at some step (the engine then looks for it) */
    int current_input;     /* 0 where nothing adds to the current buffer (no current
                            * generator targets the population): it stays 0, and a kernel
                            * need neither read nor clear it */
} lneuron_block;

typedef struct lmodel {
    const char *name;
    lmodel_kind kind;
    const char *summary; /* one line */
    const char *doc;     /* Markdown paragraphs: dynamics, integration, semantics, references */
    const lparam_def *params;
    int n_params;
    const lparam_def *states; /* state variables with default initial values */
    int n_states;
    int n_buffers;              /* ring buffers per neuron */
    int port_buffer[LPORT_COUNT]; /* buffer of each port, -1 where the model has none */
    int n_consts;
    /* Rules between parameters (NEST's): writes the message, returns LEINAO_INVALID. */
    leinao_status (*check)(lctx *ctx, const double *params);
    /* Computes consts[n_consts] for step dt. */
    void (*prepare)(const double *params, double dt, double *consts);
    /* Advances neurons [begin, end) over steps step0 .. step0 + nsteps - 1. */
    void (*update)(lneuron_block *block, uint32_t begin, uint32_t end, int64_t step0, int nsteps);
    /* 1: update sets block->nonfinite whenever it stores a NaN or infinite state value, so the
     * engine scans the state only then (else after every slice) */
    int reports_nonfinite;

    /* Devices (kind LM_DEVICE). output_port: LPORT_CURRENT for a current source, LPORT_EX for
     * spikes (the weight's sign then picks the receptor). max_synapses: limit per projection
     * from the device (0: none). */
    int output_port;
    uint64_t max_synapses;
    /* Checks the device's parameters beyond their own rules, with its list parameters
     * (arrays[i] and n_arrays[i] for parameter i of rule LP_ARRAY or LP_ARRAY_ANY, e.g.
     * spike_times; arrays[i] NULL and n_arrays[i] 0 for other parameters and for a list never
     * set), and makes what deliver reads into *data (allocated through ctx; freed with
     * lc_free). An error about one parameter names it (lc_error_at, argument "param", or
     * "values" with the element's index), so that a model file reports it at that key. Called
     * at build and again when a parameter changes between runs. May be NULL. */
    leinao_status (*prepare_device)(lctx *ctx, const double *params,
                                    const double *const *arrays, const size_t *n_arrays,
                                    double dt, void **data);
    /* Delivers one element's output over a slice (device.h). */
    void (*deliver)(const struct ldevice_call *call);
} lmodel;

/* Marks a hot kernel that is compiled twice on x86-64, for AVX2 and for the baseline, the
 * loader picking one (function multiversioning). Both give the same bits: in C11 mode nothing is
 * contracted into FMA and no reduction is reassociated, so only the vector width differs. */
/* ThreadSanitizer's runtime is not ready when the loader runs the clones' resolvers (the
 * program crashes at start), so sanitizer builds get the baseline only. */
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define LEINAO_NO_CLONES
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define LEINAO_NO_CLONES
#endif
#endif
#if defined(__x86_64__) && defined(__has_attribute) && !defined(LEINAO_NO_CLONES)
#if __has_attribute(target_clones)
#define LEINAO_KERNEL __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef LEINAO_KERNEL
#define LEINAO_KERNEL
#endif

/* Appends a spike of neuron i in step k of the slice (capacity is sized at build). */
static inline void lspike_emit(lspike_list *out, uint32_t i, int k)
{
    out->index[out->count] = i;
    out->step[out->count++] = (uint16_t)k;
}

/* 1 if any of x[0 .. m - 1] is not +0.0 (flags of a chunk kernel, mostly all zero): an integer
 * or-reduction that vectorises, instead of a test and branch per neuron. */
static inline int lany(const double *x, int m)
{
    uint64_t any = 0;
    for (int j = 0; j < m; j++) {
        uint64_t u;
        memcpy(&u, &x[j], sizeof u);
        any |= u;
    }
    return any != 0;
}

/* 1 when x is NaN or infinite (all exponent bits set), as an integer: for or-reductions in
 * vectorised loops. */
static inline uint64_t lnonfinite_bit(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return ((~u & UINT64_C(0x7FF0000000000000)) - 1) >> 63;
}

/* Emits step k's spikes of a chunk of m neurons from c0 on, flagged in spiked[] (non-zero). */
static inline void lspike_emit_flagged(lspike_list *out, const double *spiked, int m, uint32_t c0,
                                       int k)
{
    if (lany(spiked, m))
        for (int j = 0; j < m; j++)
            if (spiked[j] != 0.0)
                lspike_emit(out, c0 + (uint32_t)j, k);
}

/* Restores (neuron, step) order to the spikes appended since index `from` by a kernel that
 * advanced several neurons together step by step (they arrive in (step, neuron) order). Stable
 * insertion sort by neuron: a neuron's own spikes keep their step order. */
static inline void lspike_sort(lspike_list *out, size_t from)
{
    for (size_t a = from + 1; a < out->count; a++) {
        uint32_t i = out->index[a];
        uint16_t k = out->step[a];
        size_t b = a;
        for (; b > from && out->index[b - 1] > i; b--) {
            out->index[b] = out->index[b - 1];
            out->step[b] = out->step[b - 1];
        }
        out->index[b] = i;
        out->step[b] = k;
    }
}

/* NEST's rules shared by the integrate-and-fire models. */
static inline leinao_status lmodel_check_reset(lctx *ctx, double V_reset, double V_th)
{
    if (!(V_reset < V_th))
        return lc_error(ctx, LEINAO_INVALID, "V_reset must be < V_th, got V_reset = %g, V_th = %g",
                        V_reset, V_th);
    return LEINAO_OK;
}

static inline leinao_status lmodel_check_floor(lctx *ctx, double V_reset, double V_min)
{
    if (!(V_reset >= V_min))
        return lc_error(ctx, LEINAO_INVALID, "V_reset must be >= V_min, got V_reset = %g, V_min = %g",
                        V_reset, V_min);
    return LEINAO_OK;
}

/* The models: the built-in ones, then those registered, in order of registration. All three
 * are thread-safe. */
const lmodel *lmodel_find(const char *name);
int lmodel_count(void);
const lmodel *lmodel_at(int i);

/* Adds a neuron model or a device to the process-wide list, after the built-in models, so that
 * populations of every handle can use it by name from then on. The descriptor (and its tables
 * and strings) is not copied: it must stay valid as long as any handle may look it up or run it,
 * in practice until the process ends; there is no unregistering. Thread-safe. LEINAO_INVALID
 * (the message in ctx names the model and the rule) when the name is not
 * [A-Za-z_][A-Za-z0-9_]* or is taken, or the descriptor is not a usable neuron model (an update
 * kernel, at least one buffer, ports within them) or device (kind LM_DEVICE: a deliver hook,
 * output_port LPORT_EX or LPORT_CURRENT, no state variables); LEINAO_NOMEM. */
leinao_status lmodel_register(lctx *ctx, const lmodel *model);

/* 1 when `name` can name a model (it is a model key in model files): [A-Za-z_][A-Za-z0-9_]*. */
int lmodel_valid_name(const char *name);

/* Writes a model's Markdown page to `out`. */
void lmodel_write_doc(const lmodel *m, FILE *out);

/* A duration in ms as a whole number of steps (rounded), kept within [0, 2^31 - 1]: refractory
 * periods longer than that last the whole run anyway, and huge values must not overflow. */
static inline double lmodel_steps(double ms, double dt)
{
    double s = nearbyint(ms / dt);
    return s < 0.0 ? 0.0 : s > 2147483647.0 ? 2147483647.0 : s;
}

/* Activity window of generators, NEST's convention: active for the emission steps n with
 * start < (n + 1) dt <= stop, i.e. start/dt <= n < stop/dt on the grid. */
int64_t lmodel_first_active_step(double start, double dt);
int64_t lmodel_end_active_step(double stop, double dt); /* first step no longer active */

#endif
