/*
 * leinao_nir.h — the NIR runtime of leinao: runs a NIR graph (Neuromorphic Intermediate
 * Representation, Pedersen et al. 2024) exported by snnTorch, Norse, Sinabs, Spyx, SpikingJelly,
 * Rockpool or Lava, time step by time step, over a batch of samples, in float32.
 *
 * Conventions (as in leinao.h): every name starts with `leinao_nir`; one opaque handle,
 * `leinao_nir`, is passed first; functions return a `leinao_status` (LEINAO_OK is 0) and leave
 * the detail of a failure in leinao_nir_errmsg(g). Strings passed in are copied; pointers handed
 * out belong to the handle. A handle is not thread-safe; distinct handles are independent.
 * Time: dt in seconds (every real NIR file gives tau in seconds). Arrays: row-major float32,
 * batch first, then the node's shape (NIR shapes exclude batch and time).
 *
 * What a NIR file leaves unsaid (dt, the meaning of r, reset, integration, spike amplitude,
 * which edge of a cycle is delayed) is set by leinao_nir_options: presets give each framework's
 * choices (docs/nir.md); no preset means NIR's own definitions.
 */
#ifndef LEINAO_NIR_H
#define LEINAO_NIR_H

#include <stddef.h>
#include <stdint.h>

#include "leinao.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#pragma GCC visibility push(default)
#endif

typedef struct leinao_nir leinao_nir;

/* Integration of the leaky neurons: forward Euler, a = 1 - dt/tau (snnTorch, Norse, Spyx,
 * SpikingJelly, Lava), or exponential, a = exp(-dt/tau) (Sinabs, Rockpool, NIR's exact solution). */
typedef enum leinao_nir_integration {
    LEINAO_NIR_EULER = 0,
    LEINAO_NIR_EXACT = 1
} leinao_nir_integration;

/* After a spike: v <- v_reset from the file (0 when absent; NIR >= 1.0.6), v <- 0, or
 * v <- v - v_threshold (NIR <= 1.0.5, Sinabs, Spyx). */
typedef enum leinao_nir_reset_rule {
    LEINAO_NIR_RESET_VALUE = 0,
    LEINAO_NIR_RESET_ZERO = 1,
    LEINAO_NIR_RESET_SUBTRACT = 2
} leinao_nir_reset_rule;

/* What gain the input current gets (the meaning of r and w_in):
 * NIR: dv = dt/tau * (R I) (Euler) or (1 - a) R I (exact), and w_in dt/tau_syn for CubaLIF's
 *      synapse; IF and I: dv = dt R I. (NIR, Norse's CubaLIF, Spyx, SpikingJelly.)
 * R_IGNORED: as NIR with r = 1 (Norse's LI, LIF and IF; CubaLIF keeps r and w_in).
 * UNIT: the input is added as it is, dv = I (snnTorch, Sinabs: r = tau/dt is implied). */
typedef enum leinao_nir_gain {
    LEINAO_NIR_GAIN_NIR = 0,
    LEINAO_NIR_GAIN_R_IGNORED = 1,
    LEINAO_NIR_GAIN_UNIT = 2
} leinao_nir_gain;

/* Which edge of a cycle reads the previous step's output (zero at t = 0):
 * TRAVERSAL: the edge that closes the cycle in a depth-first walk from the Input nodes in edge
 *   order, as NIRTorch and Norse execute (in the Braille graph: the recurrent Affine's output,
 *   so its bias is absent at t = 0);
 * NEURON_OUTPUT: the edges leaving a stateful node (neuron, Delay) inside the cycle, as
 *   snnTorch's RSynaptic (the recurrent Affine computes W s[t-1] + b, bias present at t = 0). */
typedef enum leinao_nir_cycle_delay {
    LEINAO_NIR_DELAY_TRAVERSAL = 0,
    LEINAO_NIR_DELAY_NEURON_OUTPUT = 1
} leinao_nir_cycle_delay;

/* The discretisation choices. Fill with leinao_nir_options_preset, then override fields. */
typedef struct leinao_nir_options {
    char preset[16];         /* "" (NIR's specification) or a preset name; informational */
    double dt;               /* time step in s (> 0); 0 = not set (leinao_nir_prepare refuses) */
    int integration;         /* leinao_nir_integration */
    int reset;               /* leinao_nir_reset_rule */
    int gain;                /* leinao_nir_gain */
    int threshold_rescale;   /* 1: LIF/IF thresholds (and v_reset) x 1/(dt/tau R) when the gain
                                is UNIT and R != tau/dt (snnTorch's hack_w_scale), so the
                                spikes stay those of the NIR equations */
    int spike_at_equal;      /* 1: spike when v >= v_threshold (Sinabs); 0: v > v_threshold */
    int multi_spike;         /* 1: floor(v / v_threshold) spikes per step, each subtracted
                                (Sinabs MultiSpike, Rockpool); 0: at most one */
    int if_min_clamp;        /* 1: IF membrane clamped at >= -v_threshold (Sinabs min_v_mem) */
    int spike_from_previous; /* 1: the spike of step t is decided on v[t-1] and its reset
                                applied in step t (Spyx) */
    int reset_pre;           /* 1: snnTorch's rule: a membrane still above threshold from the
                                previous step is reset again at the start of the step */
    int input_delay;         /* steps by which the graph input is delayed (Lava: 1), >= 0 */
    int cycle_delay;         /* leinao_nir_cycle_delay */
    double spike_amplitude;  /* value of one output spike: 1 (every framework), or 1/dt for
                                NIR's Dirac reading */
} leinao_nir_options;

/* Number of presets, and the name of preset i (0 <= i < count; NULL outside): "snntorch",
 * "norse", "sinabs", "spyx", "spikingjelly", "rockpool", "lava". Static strings. */
int leinao_nir_preset_count(void);
const char *leinao_nir_preset_name(int i);
/* Fills *options with the choices of `preset` (NULL or "" or "nir": NIR's specification, dt not
 * set). Returns LEINAO_NOT_FOUND for an unknown name (options untouched). Each preset's dt is
 * the framework's importer default (snnTorch 1e-4, Norse 1e-3, Spyx 1, Sinabs 1 = tau in
 * steps, SpikingJelly 1e-4, Rockpool 0 = derived from the graph, Lava 1e-4). */
leinao_status leinao_nir_options_preset(leinao_nir_options *options, const char *preset);

/* Reads the NIR file at `path` (HDF5). On return *out holds a handle whenever memory allowed,
 * also on failure, so that leinao_nir_errmsg(*out) gives the detail (file, node, dataset, the
 * rule broken); free it with leinao_nir_free in every case. Returns LEINAO_NOT_FOUND (no such
 * file or not HDF5), LEINAO_INVALID (an HDF5 signature but the file cannot be opened, e.g.
 * truncated), LEINAO_MODEL_FILE (layout or content of the graph: unknown node type,
 * missing parameter, edge naming a missing node, shapes that do not chain, a nested graph
 * without the Input or Output an edge needs, nesting deeper than 16 or a cycle of groups),
 * LEINAO_UNSUPPORTED (edges as index pairs, NIR before 0.1), LEINAO_NOMEM. Nested NIRGraph
 * nodes are flattened: node B of subgraph G is the node "G.B"; the subgraph's own Input and
 * Output nodes are removed, their inputs wired to their outputs (docs/nir.md). libhdf5 may crash on a corrupt file: programs reading
 * untrusted files run this in a child process. */
leinao_status leinao_nir_load(leinao_nir **out, const char *path);
/* Frees the handle and everything it owns. NULL is a no-op. */
void leinao_nir_free(leinao_nir *g);
/* Detail of the last failure ("" if none). Owned by the handle. */
const char *leinao_nir_errmsg(const leinao_nir *g);

/* Chooses the discretisation and the batch size (>= 1), orders the graph (cycles broken by
 * options->cycle_delay), derives the propagators and allocates the state, zeroed. May be called
 * again (state reset). `options` is copied. Returns LEINAO_INVALID (dt <= 0 or not set, batch <
 * 1, a field out of range; a Delay that is not a multiple of dt), LEINAO_STATE (graph not
 * loaded), LEINAO_NOMEM. When the preset's dt is 0 (Rockpool) dt = min(tau / (1 + r)). */
leinao_status leinao_nir_prepare(leinao_nir *g, const leinao_nir_options *options, int batch);
/* The options in use (after leinao_nir_prepare: dt resolved). NULL before. */
const leinao_nir_options *leinao_nir_options_used(const leinao_nir *g);
/* Zeroes every state (membranes, synaptic currents, delay lines, previous outputs) and the
 * step counter. LEINAO_STATE before leinao_nir_prepare. */
leinao_status leinao_nir_reset(leinao_nir *g);
/* Advances one time step. `input` holds batch x input size floats (the Input node's shape;
 * graphs with several Input nodes take them one after the other in node order); `count` must
 * equal that number. The caller keeps `input`. LEINAO_INVALID (count), LEINAO_STATE. */
leinao_status leinao_nir_step(leinao_nir *g, const float *input, size_t count);
/* Spike input from a SONATA spike file (HDF5: /spikes/<population>/timestamps in ms and
 * node_ids, as any SONATA writer, leinao's included, writes them), as the dense input that
 * leinao_nir_step takes for a batch of 1: node id j drives input element j (the Input nodes'
 * elements one after the other), and a spike at t ms falls into step floor(t / dt) with dt
 * the prepared one (a time within 1e-9 of a step boundary counts as on it: 0.3 ms at dt
 * 0.1 ms is step 3). Each value is the number of spikes of its node in its step (as Tonic's
 * ToFrame bins events). */
typedef struct leinao_nir_spike_input {
    const float *data;    /* steps x input size floats, owned by the handle: valid until the
                             next leinao_nir_sonata_input or leinao_nir_free */
    int64_t steps;
    size_t spikes;        /* spikes placed */
    size_t dropped;       /* spikes at or after `steps` (when steps was given) */
    char population[128]; /* the population read */
} leinao_nir_spike_input;
/* Reads `path` into *out. `population`: NULL or "" takes the file's only population. `steps`:
 * > 0 the number of steps (later spikes are dropped and counted), 0 up to the last spike's
 * step. Call after leinao_nir_prepare (dt). Returns LEINAO_NOT_FOUND (no file; no such
 * population, the message lists them), LEINAO_INVALID (not a spike file, several populations
 * and none named, a node id beyond the input size, a negative time, no spikes and no steps,
 * more than 2^28 values), LEINAO_STATE (not prepared), LEINAO_NOMEM. */
leinao_status leinao_nir_sonata_input(leinao_nir *g, const char *path, const char *population,
                                      int64_t steps, leinao_nir_spike_input *out);

/* Steps done since prepare or reset. */
int64_t leinao_nir_steps(const leinao_nir *g);

/* ---- Introspection: nodes are numbered 0..count-1 in the file's (name) order. */
int leinao_nir_node_count(const leinao_nir *g);
/* Name and NIR type ("LIF", "Affine", ...) of node i; NULL when out of range. */
const char *leinao_nir_node_name(const leinao_nir *g, int node);
const char *leinao_nir_node_type(const leinao_nir *g, int node);
/* Index of the node called `name`, or -1. */
int leinao_nir_find_node(const leinao_nir *g, const char *name);
/* Output shape of node i (without batch and time): its rank is returned (-1 when out of range)
 * and up to max_dims dimensions are written to dims. */
int leinao_nir_node_shape(const leinao_nir *g, int node, int64_t *dims, int max_dims);
/* Total input size per sample (all Input nodes) and the index of the (first) Output node (-1
 * when the graph has none). */
size_t leinao_nir_input_size(const leinao_nir *g);
int leinao_nir_output_node(const leinao_nir *g);
/* Parameter p of node i (0 <= p < count): its name, its values (converted to double, as many as
 * *count) and the file's element type ("float32", "float64", "int64"). Returns the name or NULL
 * when out of range. Pointers belong to the handle. */
int leinao_nir_param_count(const leinao_nir *g, int node);
const char *leinao_nir_param(const leinao_nir *g, int node, int p, const double **values,
                             size_t *count, const char **file_type);
/* Edge e (0 <= e < count): source and target node indices; returns 1 when the edge reads the
 * previous step's output (a delayed edge of a cycle, known after leinao_nir_prepare), 0 when it
 * does not, -1 when e is out of range. */
int leinao_nir_edge_count(const leinao_nir *g);
int leinao_nir_edge(const leinao_nir *g, int e, int *source, int *target);
/* Nodes in the order one step evaluates them (after leinao_nir_prepare): order[k] for k <
 * node count. NULL before. */
const int *leinao_nir_order(const leinao_nir *g);

/* Output of node i at the last step: *data points to batch x size floats, owned by the handle,
 * valid until the next step, prepare or free. LEINAO_NOT_FOUND (node), LEINAO_STATE. */
leinao_status leinao_nir_output(const leinao_nir *g, int node, const float **data, size_t *count);
/* A state variable of a neuron node at the last step ("v" membrane after reset; "i" synaptic
 * current of CubaLIF/CubaLI): batch x size floats, as leinao_nir_output. LEINAO_NOT_FOUND when
 * the node has no such variable. */
leinao_status leinao_nir_state(const leinao_nir *g, int node, const char *var, const float **data,
                               size_t *count);

#if defined(__GNUC__) || defined(__clang__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif
