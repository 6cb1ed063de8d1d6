/* synapse_model.h — the synapse model descriptor: name, parameter table and the hooks that are
 * its behaviour. The engine calls the hooks and knows no model: on_pre_spike steps the state
 * that depends only on the presynaptic train (kept once per source neuron of a projection) at
 * each presynaptic spike, on one thread, in canonical order; deliver then transmits the spike
 * through a row's synapses on the thread that owns their targets, reading what on_pre_spike
 * handed over. Models live one per file (static_synapse.c, stdp_synapse.c, tsodyks_synapse.c);
 * adding one is adding its file and its line in synapse_model.c's list, or registering its
 * descriptor at run time (lsynapse_register). */
#ifndef LEINAO_NET_SYNAPSE_MODEL_H
#define LEINAO_NET_SYNAPSE_MODEL_H

#include <stdio.h>

#include "../base/params.h"
#include "../models/device.h"

struct lprojection;
struct larchive;

/* What deliver works on: the projection, its targets' ring buffers and, for models that read
 * postsynaptic spikes, the targets' spike archive. */
typedef struct lsynapse_call {
    struct lprojection *proj;
    const lring *ring;
    struct larchive *archive;
    double dt;
} lsynapse_call;

typedef struct lsynapse_model {
    const char *name;
    const char *summary, *doc;
    const lparam_def *params;
    int n_params;
    /* 1: weights change while running (stored per synapse, never shared), and the sources must
     * be neurons; 0: static, a projection with one weight stores none */
    int plastic;
    /* 1: the target neurons keep their spike history and trace K- (NEST's archiving node) */
    int needs_archive;
    int n_source_state; /* doubles of state per source neuron */
    int n_pre;          /* doubles per presynaptic spike from on_pre_spike to deliver */
    /* Rules between parameters. */
    leinao_status (*check)(lctx *ctx, const double *params);
    /* Rules on the initial weights of a built projection (n synapses). */
    leinao_status (*check_weights)(lctx *ctx, const double *params, const float *weight,
                                   uint64_t n);
    /* Initial per-source state (n_source_state doubles); NULL: zeros. */
    void (*init_source_state)(const double *params, double *state);
    /* A presynaptic spike at t (ms): writes n_pre doubles for deliver, moves the source's
     * state on. NULL where n_pre is 0. */
    void (*on_pre_spike)(const double *params, double *source_state, double t, double *pre);
    /* Transmits a spike emitted in step `emitted` through synapses begin .. end - 1 of its
     * source's row (all targets owned by the calling thread). */
    void (*deliver)(const lsynapse_call *call, uint64_t begin, uint64_t end, uint64_t emitted,
                    const double *pre);
} lsynapse_model;

#define LSYN_MAX_PARAMS 16 /* parameters of a synapse model at most */

/* The synapse models: the built-in ones, then those registered, in order of registration. All
 * three are thread-safe. */
const lsynapse_model *lsynapse_find(const char *name);
int lsynapse_count(void);
const lsynapse_model *lsynapse_at(int i);

/* Adds a synapse model to the process-wide list, after the built-in ones, so that projections of
 * every handle can use it by name (leinao_set_synapse, `synapse: {model: ...}` in model files)
 * from then on. As lmodel_register: the descriptor is not copied and must stay valid until the
 * process ends; there is no unregistering. Thread-safe. LEINAO_INVALID (the message in ctx names
 * the model and the rule) when the name is not [A-Za-z_][A-Za-z0-9_]* or is taken by any model,
 * when there is no deliver hook, more than LSYN_MAX_PARAMS parameters or an n_pre without an
 * on_pre_spike hook; LEINAO_NOMEM. */
leinao_status lsynapse_register(lctx *ctx, const lsynapse_model *m);
void lsynapse_write_doc(const lsynapse_model *m, FILE *out);

/* Parameter indices of the models whose rules tests call directly. */
enum { STDP_tau_plus, STDP_lambda, STDP_alpha, STDP_mu_plus, STDP_mu_minus, STDP_Wmax, STDP_N };
enum { TSO_U, TSO_tau_psc, TSO_tau_fac, TSO_tau_rec, TSO_x, TSO_y, TSO_u, TSO_N };
/* Per-source state */
enum { STDP_S_Kplus, STDP_S_t_last, STDP_S_N };
enum { TSO_S_x, TSO_S_y, TSO_S_u, TSO_S_t_last, TSO_S_N };

/* NEST's stdp_synapse weight rules, on w / Wmax. */
double lstdp_facilitate(const double *p, double w, double kplus);
double lstdp_depress(const double *p, double w, double kminus);
/* Tsodyks-Markram: advances per-source state s to a spike at t, returns the fraction delta_y
 * released (the weight is multiplied by it). */
double ltsodyks_spike(const double *p, double *s, double t);

#endif
