/* sim.h — the simulation handle: configuration, populations, projections, output sinks, the
 * state of the loop and the run statistics. The io layer and the public API functions in this
 * layer see it; the CLI never does. */
#ifndef LEINAO_ENGINE_SIM_H
#define LEINAO_ENGINE_SIM_H

#include "../base/context.h"
#include "../base/rng.h"
#include "../net/population.h"
#include "../net/projection.h"
#include "comm.h"
#include "pool.h"

struct lspike_sink;
struct lrs_list;

/* What an output file implementation provides (io layer). */
typedef struct lsink_ops {
    leinao_status (*open)(struct lspike_sink *sink, leinao_sim *sim, const char *path);
    /* spikes of population `pop` in time order */
    leinao_status (*write)(struct lspike_sink *sink, leinao_sim *sim, int pop,
                           const double *times, const uint64_t *node_ids, size_t n);
    leinao_status (*close)(struct lspike_sink *sink, leinao_sim *sim);
    void (*destroy)(struct lspike_sink *sink, leinao_sim *sim);
    /* Optional, for checkpoints: adds the file's position (what has been written and what is
     * buffered) to `list` under names beginning with `prefix`; and reopens the file at that
     * position instead of open (check = 1: only checks that it can, changing nothing). A sink
     * without them starts empty after a checkpoint is read. */
    leinao_status (*save)(struct lspike_sink *sink, leinao_sim *sim, struct lrs_list *list,
                          const char *prefix);
    leinao_status (*resume)(struct lspike_sink *sink, leinao_sim *sim, const char *path,
                            const struct lrs_list *list, const char *prefix, int check);
    /* Optional: the bytes the open file will hold in memory (for leinao_estimate_size). */
    uint64_t (*memory)(const struct lspike_sink *sink);
} lsink_ops;

typedef struct lspike_sink {
    char *path, *format;
    int *pops;
    int n_pops;
    int is_open, failed;
    void *impl;
    const lsink_ops *ops;
} lspike_sink;

struct lstate_recorder;

/* What a state report implementation provides (io layer). */
typedef struct lstate_ops {
    leinao_status (*open)(struct lstate_recorder *rec, leinao_sim *sim, const char *path);
    /* one frame: values[neuron * n_vars + var] at time t (ms) */
    leinao_status (*write)(struct lstate_recorder *rec, leinao_sim *sim, double t,
                           const double *values);
    leinao_status (*close)(struct lstate_recorder *rec, leinao_sim *sim);
    void (*destroy)(struct lstate_recorder *rec, leinao_sim *sim);
    /* Optional, for checkpoints: as lsink_ops' save and resume. */
    leinao_status (*save)(struct lstate_recorder *rec, leinao_sim *sim, struct lrs_list *list,
                          const char *prefix);
    leinao_status (*resume)(struct lstate_recorder *rec, leinao_sim *sim, const char *path,
                            const struct lrs_list *list, const char *prefix, int check);
    /* Optional: as lsink_ops' memory. */
    uint64_t (*memory)(const struct lstate_recorder *rec);
} lstate_ops;

/* Samples state variables of some neurons of one population every `interval_steps` steps. */
typedef struct lstate_recorder {
    int pop;
    int *vars, n_vars;
    uint32_t *neurons;
    size_t n_neurons;
    int interval_steps;
    char *path, *format;
    double *frames; /* [min_delay][n_neurons * n_vars]: the slice's samples, filled in parallel */
    double *joined; /* with several ranks, on rank 0: the samples of all ranks (else NULL) */
    int is_open, failed;
    void *impl;
    const lstate_ops *ops;
} lstate_recorder;

enum lsim_phase { LSIM_DECLARING = 0, LSIM_BUILT, LSIM_FINISHED };

/* One thread's share of the work: in every population the neurons range[pop][t] ..
 * range[pop][t + 1], their spikes, and what went wrong first. */
typedef struct lthread {
    lspike_list *spikes; /* per population */
    size_t *part_from;   /* per population: where the current part's spikes begin */
    uint64_t *keys;      /* scratch to restore (neuron, step) order after step-wise updates */
    uint64_t events;
    int fail_pop, fail_var;
    uint32_t fail_neuron;
} lthread;

/* Where a projection's synapses deliver (the target's ring buffers) and its storage as device
 * hooks read it. */
typedef struct ldelivery {
    lring ring;
    lsyn_view view;
} ldelivery;

/* The handle's state, grouped by lifetime. */

/* Configuration: what the model file or the caller set; lives as long as the handle. */
typedef struct lconfig {
    double dt, duration, transient; /* ms */
    double reserved_max_delay;      /* ms the ring buffers hold at least (0: none) */
    uint64_t seed;
    int threads;
    char *name;
    char *out_dir;
    int configured;
    /* rate guards: per population [min, max] Hz over windows of guard_steps */
    double *guard_min, *guard_max;
    int guard_pops; /* populations the arrays cover (later ones are unguarded) */
    int64_t guard_steps;
    double checkpoint_every; /* ms between checkpoints, 0: none (leinao_set_checkpoint_every) */
    char *checkpoint_note; /* the caller's text stored in checkpoints (leinao_set_checkpoint_note) */
    leinao_build_progress_fn build_progress; /* NULL: none */
    void *build_progress_user;
} lconfig;

/* Network: the populations and projections as declared and, once built, their synapses and
 * the delays they span. */
typedef struct lnetwork {
    lpopulation **pops;
    int n_pops;
    lprojection **projs;
    int n_projs;
    uint64_t synapses;        /* between neurons */
    int min_delay, max_delay; /* steps */
    uint32_t slots;           /* ring-buffer slots: max_delay + min_delay */
    uint64_t *identity;       /* hashes of the declared network when built (run_state.h) */
    int n_identity;
    /* with several ranks: each projection's weights over all of them (lsim_join_stats) */
    struct lweights_now {
        double mean, min, max;
    } *weights_now;
} lnetwork;

/* Partition: which process (MPI rank) and which of its threads own which neurons and
 * synapses. Rank r of R owns neurons size * r / R .. size * (r + 1) / R of every population
 * (lsim_rank_range) and only the synapses to them; within a rank, thread t owns neurons
 * range[pop * (T + 1) + t] .. [.. + t + 1]; rows are sorted by target, so its synapses of source
 * i in projection k are split[k][i * (T + 1) + t] .. [.. + t + 1] (split is NULL with one
 * thread). Every array indexed by neuron spans the whole population on every rank. */
typedef struct lpartition {
    int n_threads;
    uint32_t *range;
    uint64_t **split;
    lcomm comm;
    /* with several ranks, per device projection (else NULL): for each source element, what
     * turns this rank's synapse index into the whole projection's (ldevice_call.key_offset) */
    int64_t **key_offset;
} lpartition;

/* Run state: what changes while running, beside the populations' state arrays, ring buffers,
 * spike statistics and archives and the projections' plastic weights and per-source state
 * (together: what a checkpoint holds). */
typedef struct lrun {
    int64_t step, n_steps; /* reached; of the configured duration */
    int slice_open;        /* the slice containing `step` was cut by the end of a run */
    uint64_t *guard_spikes; /* per population, in the current guard window */
    int64_t guard_next;
    uint64_t events, spikes; /* events: of this rank's synapses; spikes: of all */
    int interrupted, failed;
    /* over all ranks, as of the last lsim_join_stats (with one rank: this process's) */
    uint64_t events_all, peak_max, peak_sum, mpi_bytes, exchanges;
    double rss_max, rss_sum, mpi_wall_max;
    double build_wall, run_wall; /* seconds */
    double phase_wall[3];        /* seconds in the slices' update, serial and delivery phases */
} lrun;

/* The engine's working memory: threads, delivery views and per-slice scratch, remade by each
 * build; nothing in it outlives a slice. */
typedef struct lengine {
    lpool pool;
    lpool_worker *workers;
    lthread *thread;
    ldelivery *delivery; /* per projection */
    double **prepass;    /* per plastic projection: per spike of the slice, from on_pre_spike */
    double *scratch_times;
    uint64_t *scratch_ids;
    uint32_t *scratch_count;
    uint64_t *send, *recv; /* the spike exchange between ranks (exchange.c) */
    uint64_t *header;      /* [2 ranks]: each rank's count and first numeric failure */
    uint64_t *counts;      /* [ranks]: spikes sent by each */
    int64_t slice_step; /* the current slice: steps slice_step .. + slice_n - 1 */
    int slice_n;
    int part_k0, part_n; /* the part being run: steps part_k0 .. + part_n - 1 of the slice */
} lengine;

/* Outputs: declared recordings, with their files' state once built. */
typedef struct loutputs {
    lspike_sink **sinks;
    int n_sinks;
    lstate_recorder **recorders;
    int n_recorders;
    int defer_open; /* the build leaves the files closed: a checkpoint reopens them */
} loutputs;

struct leinao_sim {
    lctx ctx;
    enum lsim_phase phase;
    lconfig config;
    lnetwork net;
    lpartition part;
    lrun run;
    lengine eng;
    loutputs out;
};

/* Joins the output directory and a relative path (absolute paths are kept); caller frees. */
char *lsim_output_path(leinao_sim *sim, const char *path);
/* Adds a sink (ownership passes to the handle). */
leinao_status lsim_add_sink(leinao_sim *sim, lspike_sink *sink);
/* Finds the sink writing `path`, or NULL. */
lspike_sink *lsim_find_sink(leinao_sim *sim, const char *path);
/* Adds a state recorder (ownership passes to the handle). */
leinao_status lsim_add_recorder(leinao_sim *sim, lstate_recorder *rec);
/* Closes every open sink and state recorder; returns the first error. */
leinao_status lsim_close_sinks(leinao_sim *sim);

/* Delivers the output of devices for the steps of the slice [step, step + n) into the ring
 * buffers of thread t's neurons. */
void lsim_deliver_devices(leinao_sim *sim, int64_t step, int n, int t);

/* Frees everything leinao_build made (threads, synapses, state, buffers, open files) and
 * returns the handle to its declared network: after a failed build, and in leinao_close. The
 * last error message is kept. */
void lsim_unbuild(leinao_sim *sim);

/* Delivers a slice that the last run left open (leinao_finish). */
void lsim_close_open_slice(leinao_sim *sim);

/* Thread t's synapses in row i of projection k. */
static inline void lsim_row(const leinao_sim *sim, int k, uint32_t i, int t, uint64_t *begin,
                            uint64_t *end)
{
    if (!sim->part.split) {
        *begin = sim->net.projs[k]->row[i];
        *end = sim->net.projs[k]->row[i + 1];
        return;
    }
    const uint64_t *s = sim->part.split[k] + (size_t)i * (size_t)(sim->part.n_threads + 1);
    *begin = s[t];
    *end = s[t + 1];
}

/* The neurons of population `pop` that this process owns: lo .. hi - 1. */
static inline void lsim_rank_range(const leinao_sim *sim, int pop, uint32_t *lo, uint32_t *hi)
{
    uint64_t n = sim->net.pops[pop]->size, r = (uint64_t)sim->part.comm.rank,
             R = (uint64_t)sim->part.comm.size;
    *lo = (uint32_t)(n * r / R);
    *hi = (uint32_t)(n * (r + 1) / R);
}

/* ---- between ranks (exchange.c); every call is collective ---- */

/* Whether all ranks succeeded: the first failing rank's status, its message copied to the
 * others (prefixed with its rank there), else LEINAO_OK. *stop (may be NULL): set on all ranks
 * if it was set on any. */
leinao_status lsim_agree(leinao_sim *sim, leinao_status st, int *stop);
/* The slice part's spikes of every rank, in rank order, into each population's spike list (the
 * threads' lists gathered first: from their part_from, or all of them when `whole`); numeric
 * failures of all ranks, the first one in (population, neuron) order reported. */
leinao_status lsim_exchange_spikes(leinao_sim *sim, int whole, int64_t step_end);
/* The state recorders' samples of the part's n steps from `step` on, from all ranks into rank
 * 0's `joined` frames. */
void lsim_exchange_samples(leinao_sim *sim, int64_t step, int n);
/* Sizes the exchange's buffers (after the partition; nothing with one rank). */
leinao_status lsim_prepare_exchange(leinao_sim *sim);
/* After the projections are built: the network's delays, synapse counts, initial mean weights
 * and flags over all ranks. */
void lsim_join_projections(leinao_sim *sim);
/* For each row i of projection k, what turns the index of this rank's synapse j of the row
 * into its index in the whole projection (the rows of all ranks, in rank order within each
 * row): j + offset[i]. Caller frees. */
int64_t *lsim_row_offsets(leinao_sim *sim, int k);
/* The run statistics over all ranks: events; and for leinao_get_projection_stats, each
 * projection's weights (exactly summed). */
void lsim_join_stats(leinao_sim *sim);

static inline uint32_t lsim_lo(const leinao_sim *sim, int pop, int t)
{
    return sim->part.range[(size_t)pop * (size_t)(sim->part.n_threads + 1) + (size_t)t];
}

#endif
