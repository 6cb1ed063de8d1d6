/* synapse_model.h — synapse models: static_synapse, stdp_synapse (NEST's pair-based,
 * all-to-all STDP) and tsodyks_synapse (Tsodyks-Markram short-term plasticity). Each has a
 * parameter table; their state that depends only on the presynaptic spike train (STDP's K+,
 * Tsodyks' x, y, u) is kept once per source neuron, the weight in the synapse entry, and the
 * postsynaptic trace with the target neuron (its spike archive). stdp_nn_symm_synapse is the
 * same rule with symmetric nearest-neighbour pairing. */
#ifndef LEINAO_NET_SYNAPSE_MODEL_H
#define LEINAO_NET_SYNAPSE_MODEL_H

#include <stdio.h>

#include "../base/params.h"

typedef enum lsynapse_kind { LSYN_STATIC = 0, LSYN_STDP, LSYN_TSODYKS } lsynapse_kind;

/* Spike pairing of an STDP model: every pre with every post, or nearest neighbours only. */
typedef enum lstdp_pairing { LSTDP_ALL_TO_ALL = 0, LSTDP_NEAREST_SYMMETRIC } lstdp_pairing;

typedef struct lsynapse_model {
    const char *name;
    lsynapse_kind kind;
    const char *summary, *doc;
    const lparam_def *params;
    int n_params;
    int n_source_state; /* doubles of state per source neuron */
    lstdp_pairing pairing;
    /* rules between parameters */
    leinao_status (*check)(lctx *ctx, const double *params);
} lsynapse_model;

const lsynapse_model *lsynapse_find(const char *name);
int lsynapse_count(void);
const lsynapse_model *lsynapse_at(int i);
void lsynapse_write_doc(const lsynapse_model *m, FILE *out);

/* Parameter indices */
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
