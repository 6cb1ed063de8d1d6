/*
 * leinao.h — the one public header of leinao (类脑), a spiking neural network simulator.
 *
 * This file is the reference manual of the C API. Conventions, true for every function:
 *  - Every public name starts with `leinao_`. One opaque handle, `leinao_sim`, is passed first.
 *  - Functions return a `leinao_status`; LEINAO_OK is 0. On any other status,
 *    `leinao_errmsg(sim)` gives the detail (which key, which value, which rule broke).
 *    A failed call leaves the handle consistent: it may be closed or used further.
 *  - Units follow NEST: time in ms, potentials in mV, currents in pA, capacitance in pF,
 *    conductance in nS, rates in Hz.
 *  - Strings passed in are copied; the caller keeps ownership. Strings and pointers handed out
 *    belong to the handle and stay valid until the handle is closed (unless noted).
 *  - A handle is not thread-safe: one thread at a time may call into it. Distinct handles are
 *    independent.
 *  - Every non-OK status returned by a function that takes a handle also leaves a message in
 *    leinao_errmsg(sim) and the failure as data in leinao_error_detail(sim, ...): which
 *    argument of the call failed (its name in this header, e.g. "delay"), which model parameter
 *    or state variable, and which element. Each function lists the statuses it returns;
 *    LEINAO_NOMEM ("out of memory") may come from any function that allocates.
 */
#ifndef LEINAO_H
#define LEINAO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every function declared here is exported by the shared library, which is compiled with
 * -fvisibility=hidden: everything else in it stays internal. */
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC visibility push(default)
#endif

#define LEINAO_VERSION_MAJOR 0
#define LEINAO_VERSION_MINOR 1
#define LEINAO_VERSION_PATCH 0
#define LEINAO_VERSION_STRING "0.1.0"

/* Status codes: stable numbers that never change meaning. One list generates the enum, the
 * names and the messages. */
#define LEINAO_STATUS_LIST(X)                                                     \
    X(OK, 0, "ok")                                                                \
    X(ERROR, 1, "error")                                                          \
    X(NOMEM, 2, "out of memory")                                                  \
    X(INVALID, 3, "invalid argument")                                             \
    X(MODEL_FILE, 4, "invalid model file")                                        \
    X(IO, 5, "input/output error")                                                \
    X(NOT_FOUND, 6, "not found")                                                  \
    X(EXISTS, 7, "output exists")                                                 \
    X(INTERRUPTED, 8, "interrupted")                                              \
    X(STATE, 9, "call not allowed in this state")                                 \
    X(NUMERIC, 10, "numerical failure")                                           \
    X(UNSUPPORTED, 11, "not supported")                                          \
    X(GUARD, 12, "run stopped by a guard")

typedef enum leinao_status {
#define LEINAO_STATUS_ENUM_(name, num, text) LEINAO_##name = num,
    LEINAO_STATUS_LIST(LEINAO_STATUS_ENUM_)
#undef LEINAO_STATUS_ENUM_
} leinao_status;

/* Defaults and limits of the simulation settings, the one place they are written. */
#define LEINAO_DEFAULT_DT 0.1          /* ms */
#define LEINAO_DEFAULT_DURATION 1000.0 /* ms */
#define LEINAO_DEFAULT_SEED 12345
#define LEINAO_MAX_THREADS 1024

/* Text of a status code ("out of memory"); never NULL. */
const char *leinao_strerror(leinao_status status);
/* Name of a status code ("NOMEM"); never NULL. */
const char *leinao_status_name(leinao_status status);

/* Version string "MAJOR.MINOR.PATCH" and a space-separated list of enabled features
 * (e.g. "yaml hdf5"). Static strings. */
const char *leinao_version(void);
const char *leinao_features(void);

/* MPI (when leinao was built with it; "mpi" is then among leinao_features). A program started by
 * mpirun (or another MPI launcher) calls leinao_mpi_init first: it starts MPI, and every handle
 * built afterwards is one rank's share of the simulation. Each rank declares the same network
 * and makes the same calls (leinao_build, leinao_run or leinao_simulate, leinao_finish) in the
 * same order; rank r owns neurons size * r / R .. size * (r + 1) / R of every population and
 * the synapses to them. Spikes, state reports and statistics are those of one process, bit for
 * bit; output files are written by rank 0. Started any other way, or without MPI, it does
 * nothing: one process. Returns the number of ranks (-1: MPI failed to start). */
int leinao_mpi_init(int *argc, char ***argv);
/* Ends MPI if leinao_mpi_init started it. */
void leinao_mpi_finalize(void);
/* Ends every rank of the job with `code` (nothing without MPI). */
void leinao_mpi_abort(int code);
/* This process's rank and the number of ranks (0 and 1 without MPI). */
int leinao_mpi_rank(void);
int leinao_mpi_size(void);

/* ---- Handle --------------------------------------------------------------------------- */

typedef struct leinao_sim leinao_sim;

/* Pluggable allocator (Lua's shape): ptr == NULL allocates, new_size == 0 frees (return value
 * ignored), otherwise reallocates. Returning NULL for a non-zero size means out of memory.
 * old_size is the size of the block being resized or freed (0 for a new block). It must be
 * thread-safe, as malloc is: leinao_build generates connections on all the handle's threads. */
typedef void *(*leinao_alloc_fn)(void *user, void *ptr, size_t old_size, size_t new_size);

/* Creates a simulation handle with the default allocator (malloc/realloc/free).
 * On success *out owns a new handle; close it with leinao_close. Returns LEINAO_NOMEM. */
leinao_status leinao_open(leinao_sim **out);
/* As leinao_open, with every allocation of this handle going through alloc(user, ...). */
leinao_status leinao_open_with_allocator(leinao_sim **out, leinao_alloc_fn alloc, void *user);
/* Frees the handle and everything it owns; closes output files. NULL is a no-op. */
void leinao_close(leinao_sim *sim);
/* Detail of the last failed call on this handle ("" if none). Owned by the handle. */
const char *leinao_errmsg(const leinao_sim *sim);

/* The last failure as data, for programs that map it to their own input (the model-file loader
 * maps it to a line and column). Strings belong to the handle and stay valid until the next
 * failing call. */
typedef struct leinao_error_info {
    leinao_status status;  /* of the last failed call (LEINAO_OK if none) */
    const char *argument;  /* name of the argument that failed ("dt", "size", "param", "values",
                              "var", "rule", "weight", "delay", "source", "target", "synapse",
                              "interval", "variables", "neurons", "path", "format", "pop",
                              "proj", ...); "" when the call as a whole failed (a rule between
                              several arguments, a build step, an output file) */
    const char *parameter; /* model parameter or state variable concerned; "" if none */
    int64_t index;         /* element of an array argument (or neuron) concerned; -1 if none */
} leinao_error_info;

/* Fills *out with the last failure of `sim` (status LEINAO_OK and empty fields if none). */
void leinao_error_detail(const leinao_sim *sim, leinao_error_info *out);

/* Leaves a failure of a program built on this API (a loader, a binding) on the handle, as if a
 * call had failed: leinao_errmsg(sim) then returns `message` (copied, truncated to 1023 bytes)
 * and leinao_error_detail gives `status` with no argument. Returns `status`. */
leinao_status leinao_report_error(leinao_sim *sim, leinao_status status, const char *message);

/* The allocator of the handle and its user pointer (leinao_open's default allocator when none
 * was given), so that a program built on the API can allocate through it too. */
leinao_alloc_fn leinao_allocator(const leinao_sim *sim, void **user);

/* ---- Configuration (before leinao_build) ---------------------------------------------- */

/* dt: integration step in ms (> 0), duration: model time to simulate in ms (a multiple of dt),
 * seed: master seed of every random stream, threads: worker threads (1 to LEINAO_MAX_THREADS,
 * or 0 for the number of online cores; results are bitwise identical for any number). Without
 * this call a handle has LEINAO_DEFAULT_DT, LEINAO_DEFAULT_DURATION, LEINAO_DEFAULT_SEED and one
 * thread. Returns LEINAO_INVALID on a bad value (argument "dt", "duration" or "threads"),
 * LEINAO_STATE after leinao_build. */
leinao_status leinao_configure(leinao_sim *sim, double dt, double duration, uint64_t seed, int threads);
/* Spikes before `transient` ms are left out of the rates and CV of ISI in the summary.
 * LEINAO_INVALID (argument "transient") unless finite and >= 0. */
leinao_status leinao_set_transient(leinao_sim *sim, double transient);
/* The transient (ms) set by leinao_set_transient (or the model file's analysis.transient); 0 by
 * default. */
double leinao_get_transient(const leinao_sim *sim);
/* Makes the built network hold delays up to `ms` (rounded up to whole steps of dt; at most
 * 65535 steps) even where no declared synapse has one, so that leinao_set_connections may set
 * them later (NEST's and PyNN's max_delay). The ring buffers grow by a slot per step; results
 * do not change. 0 (the default): the declared delays' range. LEINAO_INVALID ("ms") unless
 * finite and 0 <= ms, LEINAO_STATE after leinao_build. */
leinao_status leinao_reserve_max_delay(leinao_sim *sim, double ms);
/* Stops a run (LEINAO_GUARD, the message names population, rate and window) when a
 * population's mean rate over a window of `window` ms leaves [min_rate, max_rate] Hz.
 * pop = -1 applies it to every population of neurons. LEINAO_NOT_FOUND (argument "pop") for an
 * unknown population, LEINAO_INVALID ("min_rate", "max_rate", "window") for bad bounds,
 * LEINAO_STATE after leinao_build. */
leinao_status leinao_set_rate_guard(leinao_sim *sim, int pop, double min_rate, double max_rate,
                                    double window);
/* Free-text name of the model (shown in summaries and plots); copied. LEINAO_INVALID (argument
 * "name") for NULL. */
leinao_status leinao_set_name(leinao_sim *sim, const char *name);

/* A number or a distribution, for parameters, initial state, weights and delays. */
typedef enum leinao_dist_kind {
    LEINAO_DIST_CONSTANT = 0,       /* value = a */
    LEINAO_DIST_UNIFORM = 1,        /* uniform on [a, b) */
    LEINAO_DIST_NORMAL = 2,         /* mean a, standard deviation b */
    LEINAO_DIST_NORMAL_CLIPPED = 3, /* mean a, sd b, redrawn until low <= x <= high */
    LEINAO_DIST_LOGNORMAL = 4       /* exp(N(a, b^2)): a = mu, b = sigma of the logarithm */
} leinao_dist_kind;

typedef struct leinao_dist {
    leinao_dist_kind kind;
    double a, b;      /* see leinao_dist_kind */
    double low, high; /* bounds of NORMAL_CLIPPED; -INFINITY / INFINITY when absent */
} leinao_dist;

/* Adds a population of `size` elements of model `model` (see leinao_model_count) named `name`
 * (unique, [A-Za-z_][A-Za-z0-9_]*). Its id (0, 1, ...) goes to *id when id is not NULL.
 * LEINAO_NOT_FOUND (argument "model") for an unknown model, LEINAO_INVALID for a bad name
 * ("name") or size ("size"), LEINAO_STATE after leinao_build. */
leinao_status leinao_add_population(leinao_sim *sim, const char *name, const char *model,
                                    uint64_t size, int *id);
/* Id of a population by name, or -1. */
int leinao_population_id(const leinao_sim *sim, const char *name);
/* Number of populations declared. Their ids are 0 .. count - 1; leinao_get_population_stats
 * gives each one's name, model and size, before leinao_build too. */
int leinao_population_count(const leinao_sim *sim);
/* Sets parameter `param` of every element of population `pop`. Validated at once against the
 * parameter's own rule; rules between parameters are checked by leinao_build (and by
 * leinao_check_population). After leinao_build (between runs) the rules between parameters are
 * checked at once too, and the new value takes effect at the next step (devices: the next
 * slice, see leinao_simulate); on failure the population keeps its old values; a value for the
 * whole population replaces that parameter's per-neuron values. LEINAO_NOT_FOUND for an
 * unknown population ("pop") or parameter ("param"), LEINAO_INVALID ("value", parameter named)
 * for a value a rule refuses, LEINAO_STATE after leinao_finish. */
leinao_status leinao_set_param(leinao_sim *sim, int pop, const char *param, double value);
/* Sets a list parameter (spike_generator's spike_times, step_current_generator's
 * amplitude_times and amplitude_values): each has its own rule, times sorted and > 0, or any
 * finite numbers. The array is copied. Statuses as leinao_set_param; a refused element gives
 * argument "values" and its index. Rules between lists (equal lengths) are checked with the
 * population's (leinao_check_population, build), blaming the parameter ("param"). */
leinao_status leinao_set_param_array(leinao_sim *sim, int pop, const char *param,
                                     const double *values, size_t n);
/* Initial value of state variable `var` (e.g. "V_m") of each neuron of `pop`, drawn per neuron
 * from its own random stream (seed, population, variable, neuron index). LEINAO_NOT_FOUND for
 * an unknown population ("pop") or state variable ("var"), LEINAO_INVALID ("value") for a bad
 * distribution, LEINAO_STATE after leinao_build. */
leinao_status leinao_set_init(leinao_sim *sim, int pop, const char *var, const leinao_dist *value);
/* Per-neuron values: parameter `param` (or initial value of state variable `var`) of neuron i of
 * population `pop` is values[i]; n must equal the population's size. The array is copied and
 * overrides leinao_set_param / leinao_set_init for that parameter or variable. Each value is
 * checked by the parameter's own rule; the rules between parameters are checked per neuron by
 * leinao_build (the error names the neuron). A per-neuron E_L moves the parameters that follow
 * E_L (V_th, V_reset, ...) where those are not given, but not V_m's default initial value. Cost:
 * the update kernel runs once per segment of consecutive neurons with identical parameters, so
 * fully heterogeneous values cost one kernel call per neuron per slice. Neurons only.
 * LEINAO_NOT_FOUND ("pop", "param" / "var"), LEINAO_INVALID ("n" for a wrong count, "values"
 * with the index of a refused value, "pop" for a device), LEINAO_STATE after build. */
leinao_status leinao_set_param_values(leinao_sim *sim, int pop, const char *param,
                                      const double *values, size_t n);
leinao_status leinao_set_init_values(leinao_sim *sim, int pop, const char *var,
                                     const double *values, size_t n);
/* Applies the rules between the parameters of population `pop` now (leinao_build applies
 * them anyway), e.g. "V_reset must be < V_th", and NEST's E_L convention. LEINAO_INVALID (no
 * argument: a rule between several parameters), LEINAO_NOT_FOUND ("pop"). */
leinao_status leinao_check_population(leinao_sim *sim, int pop);

/* Connection rules, with NEST's names and defaults (autapses and multapses allowed). */
typedef enum leinao_rule_kind {
    LEINAO_ALL_TO_ALL = 0,
    LEINAO_ONE_TO_ONE = 1,
    LEINAO_PAIRWISE_BERNOULLI = 2, /* p */
    LEINAO_FIXED_INDEGREE = 3,     /* n = indegree K */
    LEINAO_FIXED_OUTDEGREE = 4,    /* n = outdegree K */
    LEINAO_FIXED_TOTAL_NUMBER = 5  /* n = total number N */
} leinao_rule_kind;

typedef struct leinao_rule {
    leinao_rule_kind kind;
    double p;
    uint64_t n;
    int allow_autapses;  /* 1 (default) or 0 */
    int allow_multapses; /* 1 (default) or 0 */
} leinao_rule;

/* Returns a rule with NEST's defaults for options. */
leinao_rule leinao_rule_default(leinao_rule_kind kind);

/* Connects population src to population tgt with static synapses. weight: mV for iaf_psc_delta
 * (the jump of V_m), pA for current-based models; a negative weight goes to the inhibitory
 * receptor. delay in ms: a constant delay must be a multiple of dt and >= dt; drawn delays are
 * rounded to the dt grid and kept >= dt. Connections are generated by leinao_build. The new
 * projection's id goes to *id (when not NULL). LEINAO_NOT_FOUND for an unknown population
 * (argument "source" or "target"), LEINAO_INVALID for a bad rule ("rule"), weight ("weight"),
 * delay ("delay") or a target that cannot receive it ("target"), LEINAO_STATE after build. */
leinao_status leinao_connect(leinao_sim *sim, int src, int tgt, const leinao_rule *rule,
                             const leinao_dist *weight, const leinao_dist *delay, int *id);

/* Connects with an explicit list of n synapses: synapse k goes from neuron sources[k] of src to
 * neuron targets[k] of tgt with weights[k] and delays[k] ms. The arrays are copied; weights NULL
 * means every weight is 1, delays NULL means every delay is 1 ms. Each delay must be a multiple
 * of dt (the dt configured now) and >= dt. The synapses are stored in canonical order (by
 * source, then target, then the order given), so results do not depend on threads. The
 * projection is static; leinao_set_synapse can make it plastic. LEINAO_NOT_FOUND ("source",
 * "target") for an unknown population, LEINAO_INVALID with argument "sources", "targets",
 * "weights" or "delays" and the index k of the first bad element, LEINAO_STATE after build. */
leinao_status leinao_connect_explicit(leinao_sim *sim, int src, int tgt, size_t n,
                                      const uint32_t *sources, const uint32_t *targets,
                                      const double *weights, const double *delays, int *id);

/* Makes projection `proj` use synapse model `model` ("static_synapse", the default;
 * "stdp_synapse"; "tsodyks_synapse"), with that model's default parameters, then sets one of
 * them. Plastic synapses need a population of neurons as source. LEINAO_NOT_FOUND for an
 * unknown projection ("proj"), model ("model") or parameter ("name"), LEINAO_INVALID for a
 * source of devices ("model") or a value its rule refuses ("value", parameter named),
 * LEINAO_STATE after build for leinao_set_synapse. leinao_set_synapse_param may also be called
 * between runs, as leinao_set_synapse_params. */
leinao_status leinao_set_synapse(leinao_sim *sim, int proj, const char *model);
leinao_status leinao_set_synapse_param(leinao_sim *sim, int proj, const char *name, double value);
/* Sets n parameters of projection `proj`'s synapse model at once (names[k] = values[k]), then
 * checks the rules between the model's parameters (e.g. tsodyks_synapse's x + y <= 1). Nothing
 * is changed unless all pass. Before the build, or after it between runs (NEST's SetStatus of a
 * synapse model's common properties): the next spikes use the new values; per-source state
 * already made from the initial values (tsodyks_synapse's x, y, u) is not reset, and built
 * stdp_synapse weights must still lie between 0 and the new Wmax. After the build the
 * projection can no longer be checkpointed (LEINAO_UNSUPPORTED from leinao_checkpoint_write).
 * LEINAO_NOT_FOUND ("names", index k) for an unknown name, LEINAO_INVALID ("values", index k
 * and parameter named) for a refused value, or ("values", index -1) for a broken rule between
 * parameters; LEINAO_STATE once finished. */
leinao_status leinao_set_synapse_params(leinao_sim *sim, int proj, size_t n,
                                        const char *const *names, const double *values);

/* The value of parameter `name` of projection `proj`'s synapse model (as set, else the model's
 * default), at any time. LEINAO_NOT_FOUND ("proj"; "name": not a parameter of its model),
 * LEINAO_INVALID for NULL arguments. */
leinao_status leinao_get_synapse_param(const leinao_sim *sim, int proj, const char *name,
                                       double *value);

/* Records the spikes of population `pop` into `path` (SONATA HDF5 when format is "sonata",
 * CSV when "csv"). Several populations may share one file: call once per population with the
 * same path and format. The file is created by leinao_build, written while running and closed
 * by leinao_finish or leinao_close, so an interrupted run still leaves a valid file.
 * Format "memory" (path ignored, may be NULL) keeps the spikes in memory instead, for
 * leinao_get_spikes. LEINAO_NOT_FOUND ("pop"), LEINAO_INVALID for a device population ("pop"),
 * an unknown format ("format") or a path already used otherwise ("path"), LEINAO_STATE after
 * build. */
leinao_status leinao_record_spikes(leinao_sim *sim, int pop, const char *path, const char *format);

/* The spikes recorded in memory for population `pop` since leinao_build, in time order (ties:
 * by neuron): *times in ms, *ids neuron indices within `pop`, *n of them. The arrays belong to
 * the handle and stay valid until the next leinao_run or leinao_close. LEINAO_NOT_FOUND ("pop")
 * when the population is unknown or not recorded with format "memory". */
leinao_status leinao_get_spikes(const leinao_sim *sim, int pop, const double **times,
                                const uint32_t **ids, size_t *n);

/* Records state variables `vars` (NEST names, e.g. "V_m", "g_ex") of the neurons `neurons`
 * (indices within `pop`; NULL and 0 for all) every `interval` ms (a multiple of dt; samples at
 * interval, 2 interval, ...: the state at the end of that step) into `path`, as a SONATA frame
 * report ("sonata") or CSV ("csv"). Written while running, closed by leinao_finish/close. */
/* Format "memory" keeps the frames in memory for leinao_get_state (path ignored, may be NULL).
 * LEINAO_NOT_FOUND ("pop"; "variables" with the index of an unknown name), LEINAO_INVALID for
 * a device ("pop"), format ("format"), variables ("variables"), neuron index ("neurons", its
 * index), interval ("interval") or a path already used ("path"), LEINAO_STATE after build. */
leinao_status leinao_record_state(leinao_sim *sim, int pop, const char *const *vars, size_t n_vars,
                                  const uint32_t *neurons, size_t n_neurons, double interval,
                                  const char *path, const char *format);

/* The frames recorded in memory by state recording `recording` (0 for the first
 * leinao_record_state call of the handle, 1 for the second, ...): *n_frames sample times in
 * *times (ms) and *values[frame * n_columns + neuron * n_vars + var], *n_columns = neurons x
 * variables. Owned by the handle, valid until the next leinao_run or leinao_close.
 * LEINAO_NOT_FOUND ("recording") when there is no such recording or it is not in memory. */
leinao_status leinao_get_state(const leinao_sim *sim, int recording, const double **times,
                               const double **values, size_t *n_frames, size_t *n_columns);

/* The i-th recording's file as declared (relative to the output folder unless absolute), its
 * type ("spikes" or "state") and format ("sonata" or "csv"); NULL past the last. */
const char *leinao_recording(const leinao_sim *sim, int i, const char **type, const char **format);

/* What state recording `recording` (numbered as for leinao_get_state) records: its population,
 * the names of its n_vars variables (static strings, in the order given), its neurons (indices
 * within the population, all of them when none were given; owned by the handle), the interval
 * in ms, the path as declared and the format. LEINAO_NOT_FOUND ("recording") past the last,
 * LEINAO_INVALID ("out") for NULL. */
typedef struct leinao_state_recording_info {
    int pop;
    size_t n_vars;
    const char *vars[64];
    const uint32_t *neurons;
    size_t n_neurons;
    double interval;
    const char *path, *format;
} leinao_state_recording_info;
leinao_status leinao_get_state_recording(const leinao_sim *sim, int recording,
                                         leinao_state_recording_info *out);

/* Directory that relative output paths (recordings, summary.json) are resolved against;
 * created if missing. When overwrite is 0, fails with LEINAO_EXISTS if any output file of
 * the handle already exists there. Call after all recordings are declared. LEINAO_IO ("dir")
 * when it cannot be created, LEINAO_STATE after build. */
leinao_status leinao_set_output_dir(leinao_sim *sim, const char *dir, int overwrite);

/* ---- Model files ---------------------------------------------------------------------- */

/* Reads a model file (YAML; JSON accepted) and declares its simulation settings, populations,
 * projections and recordings on a fresh handle. `overrides` are "dotted.key=value" strings
 * applied to the file's tree before validation (e.g. "simulation.duration=200",
 * "populations.E.size=1000", "projections.0.synapse.weight=0.2").
 * Errors (LEINAO_MODEL_FILE, LEINAO_NOT_FOUND, LEINAO_IO) name file:line:column, key and rule. */
leinao_status leinao_load_model(leinao_sim *sim, const char *path, const char *const *overrides,
                                size_t n_overrides);

/* ---- Build, run, results ------------------------------------------------------------- */

/* Size of the network and memory it will take, computed without building. */
typedef struct leinao_estimate {
    uint64_t neurons;        /* neuron elements (devices excluded) */
    uint64_t devices;        /* generator elements */
    uint64_t synapses;       /* expected synapses between neurons (exact for deterministic
                                rules); connections from devices are not counted */
    uint64_t bytes;          /* estimated peak memory of build and run, bytes */
    int populations, projections;
    double min_delay, max_delay; /* ms */
} leinao_estimate;

/* Always LEINAO_OK. */
leinao_status leinao_estimate_size(leinao_sim *sim, leinao_estimate *out);

/* Validates the model, creates connections, initial state and output files. LEINAO_INVALID
 * when a rule between parameters breaks (the message names population or projection), LEINAO_IO
 * for an output file, LEINAO_ERROR when threads cannot start, LEINAO_STATE when already built,
 * LEINAO_INTERRUPTED when the build-progress callback stopped it (the handle is then as before
 * the call and may be built again). */
leinao_status leinao_build(leinao_sim *sim);

/* Progress of leinao_build. A build runs six phases in this order: "resolve_populations",
 * "start_threads", "build_projections" (connection generation: nearly all the time of a large
 * network), "build_populations", "prepare_engine", "open_outputs". */
typedef struct leinao_build_progress {
    const char *phase;        /* the phase's name (static string) */
    int phase_index, phases;  /* 0 .. phases - 1, and phases = 6 */
    int done;                 /* 0: the phase starts or is under way; 1: the phase has ended */
    int projection;           /* build_projections: the projection being built (0 ..
                                 projections - 1); -1 in the other phases */
    int projections;          /* projections of the network */
    const char *source, *target; /* that projection's populations; NULL when projection is -1 */
    uint64_t synapses;        /* synapses of that projection generated so far */
    uint64_t expected;        /* that projection's expected synapses (exact for deterministic
                                 rules; random rules vary around it) */
    uint64_t synapses_before; /* synapses of the projections built before it */
    uint64_t expected_all;    /* expected synapses of all projections, devices' included */
    double elapsed;           /* wall seconds since leinao_build started */
} leinao_build_progress;
/* Called by leinao_build on the thread that called it (never on a worker thread): at the start
 * and end of each phase, at the start and end of each projection, and while a projection's
 * synapses are generated, after each chunk of about a million synapses (of the calling
 * thread's share when the connections are generated on several threads). It must not call
 * into the handle. Return non-zero to stop the build: leinao_build then returns
 * LEINAO_INTERRUPTED (at the next chunk). The results of a build do not depend on it. */
typedef int (*leinao_build_progress_fn)(void *user, const leinao_build_progress *progress);

/* Sets the build-progress callback of the handle (NULL: none, the default). LEINAO_STATE after
 * leinao_build. */
leinao_status leinao_set_build_progress(leinao_sim *sim, leinao_build_progress_fn progress,
                                        void *user);

/* Called after every min-delay slice while running. Return non-zero to stop the run at this
 * point (leinao_run then returns LEINAO_INTERRUPTED and everything recorded so far is kept). */
typedef struct leinao_progress {
    double t;        /* model time reached, ms */
    double duration; /* model time of the whole run, ms */
    double wall;     /* wall seconds since leinao_run started */
    uint64_t spikes; /* spikes of neurons so far */
    uint64_t neurons;
} leinao_progress;
typedef int (*leinao_progress_fn)(void *user, const leinao_progress *progress);

/* Simulates up to the configured duration (from wherever earlier runs stopped; nothing to do
 * when it is reached). progress may be NULL. LEINAO_STATE before leinao_build, after
 * leinao_finish or after a run that failed; LEINAO_INTERRUPTED when the callback stopped it
 * (the run may go on with another call); LEINAO_NUMERIC when a state became NaN (message names
 * neuron, time, variable); LEINAO_GUARD when a rate guard stopped it; LEINAO_IO when an output
 * file could not be written. */
leinao_status leinao_run(leinao_sim *sim, leinao_progress_fn progress, void *user);

/* Simulates `span` more ms (a multiple of dt, >= 0), as NEST's Simulate: any number of calls,
 * with results bitwise identical to one run of the total length when nothing is changed in
 * between (the loop's slices of min_delay steps lie on a fixed grid; a slice cut by the end of
 * a call is completed by the next). Between calls, results can be read and parameters of
 * neurons and devices set (leinao_set_param): a neuron parameter takes effect at the next step;
 * a device's output is computed a slice (the network's shortest delay) at a time, so its change
 * takes effect at the next slice start. Returns as leinao_run, and LEINAO_INVALID for a bad
 * span or beyond 2^32 - 1 steps in all. */
leinao_status leinao_simulate(leinao_sim *sim, double span, leinao_progress_fn progress,
                              void *user);

/* Flushes and closes all outputs and writes summary.json into the output directory (if one
 * was set). Safe after an interrupted or failed run; the summary says so. LEINAO_IO when a file
 * cannot be written, LEINAO_STATE before leinao_build; LEINAO_OK when already finished. */
leinao_status leinao_finish(leinao_sim *sim);

/* ---- Checkpoints: stop a run and continue it, bit for bit (docs/checkpoint-format.md) ---- */

/* Writes the run state of a built handle to `path` (HDF5): every neuron's state (hidden counters
 * included), the spikes in flight (ring buffers, and the spikes of a slice a run cut short),
 * spike archives, plastic weights and per-source synapse state, statistics, guard windows, the
 * step reached, parameters changed between runs, and each output file's position. Connectivity
 * is not stored: the build makes it again from the seed (explicit connections from the same
 * declarations, which the checkpoint's identity covers). Written to `path`.tmp, synced and
 * renamed: an existing checkpoint at `path` stays whole until the new one replaces it. Output
 * files in memory ("memory" recordings) are not stored. A run stopped by its rate guard
 * (LEINAO_GUARD) can be written when no call on the handle has failed since: the guard is
 * checked after a slice's delivery, so the state is at a slice boundary; the checkpoint records
 * the stop (leinao_checkpoint_info.stopped_by_guard). LEINAO_STATE before leinao_build, after
 * leinao_finish or after any other failed run; LEINAO_IO when the file cannot be written. */
leinao_status leinao_checkpoint_write(leinao_sim *sim, const char *path);

/* Continues a run from a checkpoint. Call it on a handle with the same declarations (model,
 * seed, recordings; the thread count may differ) and the same output folder, before
 * leinao_build: it checks that the checkpoint belongs to this model (LEINAO_INVALID naming what
 * differs: seed, dt, a population, a projection, the recordings), builds, restores the state and
 * reopens the output files where the checkpoint left them (later content is cut off), so that
 * the run's outputs end byte-identical to those of a run never stopped. On a built handle that
 * has not run, and has no file outputs, it restores the state only. On any error before the
 * state is changed nothing is changed (the handle is as declared, the files as they were);
 * LEINAO_INVALID for a damaged file or one of another format version, LEINAO_STATE after a run.
 * Then leinao_run or leinao_simulate go on from the step reached; except from a checkpoint of
 * a run its rate guard stopped: read, it gives the handle as that run left it (state, files),
 * which cannot run on (LEINAO_STATE, as the stopped handle): a guard's stop is final, and a
 * loosened guard is another model (LEINAO_INVALID: the simulation settings differ). */
leinao_status leinao_checkpoint_read(leinao_sim *sim, const char *path);

/* A text stored in the checkpoints this handle writes (e.g. which model file and overrides
 * made it; the leinao command stores its own); copied. LEINAO_NOMEM. */
leinao_status leinao_set_checkpoint_note(leinao_sim *sim, const char *note);

/* How often (model ms, > 0; 0: never) a program running this handle should write checkpoints
 * (the model file's simulation.checkpoint_every; the leinao command does, at slice ends).
 * Stored only: the library writes no checkpoint by itself. LEINAO_INVALID ("every") when
 * negative or not finite. */
leinao_status leinao_set_checkpoint_every(leinao_sim *sim, double every);
double leinao_checkpoint_every(const leinao_sim *sim);

typedef struct leinao_checkpoint_info {
    int format_version;
    char leinao_version[32]; /* that wrote it */
    char model[256];         /* the model's name */
    char note[4096];         /* leinao_set_checkpoint_note's text (cut to fit) */
    uint64_t seed;
    double dt, t_reached;    /* ms */
    uint64_t steps;          /* reached */
    int threads, populations, projections;
    uint64_t arrays;         /* datasets */
    uint64_t file_bytes;
    /* "" or, for a run its rate guard stopped, the guard's message (cut to fit): such a run
     * does not go on (leinao_checkpoint_read) */
    char stopped_by_guard[512];
} leinao_checkpoint_info;

/* What a checkpoint holds (any handle may read it). LEINAO_NOT_FOUND when it is not an HDF5
 * file, LEINAO_INVALID when it is not a checkpoint of this format version or is damaged. */
leinao_status leinao_checkpoint_inspect(leinao_sim *sim, const char *path,
                                        leinao_checkpoint_info *out);

typedef struct leinao_population_stats {
    const char *name, *model;
    uint64_t size;
    int is_device;
    uint64_t spikes;  /* after the transient */
    double rate;      /* Hz, mean over neurons, after the transient */
    double cv_isi;    /* mean over neurons with >= 2 ISIs after the transient; NaN if none */
} leinao_population_stats;

typedef struct leinao_run_stats {
    uint64_t neurons, synapses, events; /* events: synaptic events delivered */
    double build_wall, run_wall;        /* seconds */
    /* run_wall split by phase of the slices (seconds): devices' input and neuron updates (in
     * parallel); spike exchange, counting and recording (on one thread); spike delivery into
     * ring buffers (in parallel). The rest of run_wall is progress reporting and bookkeeping. */
    double update_wall, exchange_wall, deliver_wall;
    double t_simulated;                 /* ms reached */
    double real_time_factor;            /* run_wall / model seconds */
    double events_per_second;           /* per wall second */
    uint64_t peak_bytes;                /* peak of memory held through the allocator */
    uint64_t seed;
    int threads, interrupted, populations;
    const char *name;
    /* over the MPI ranks (1, and this process's figures, without MPI): peaks of memory held
     * through the allocator and as the OS counts it (bytes: the largest rank's and the sum),
     * seconds in MPI calls (the largest rank's) and bytes sent by all ranks in them */
    int ranks;
    uint64_t peak_bytes_rank_max, peak_bytes_ranks;
    double peak_rss_rank_max, peak_rss_ranks;
    double mpi_wall, mpi_bytes;
    uint64_t mpi_exchanges; /* spike exchanges (one per slice, or per part of one) */
} leinao_run_stats;

/* Name, model and size of population `pop` (before leinao_build too) and, after a run, its
 * spike statistics (NaN rates before). LEINAO_NOT_FOUND ("pop"). */
leinao_status leinao_get_population_stats(const leinao_sim *sim, int pop, leinao_population_stats *out);
/* Always LEINAO_OK. */
leinao_status leinao_get_run_stats(const leinao_sim *sim, leinao_run_stats *out);

typedef struct leinao_projection_stats {
    int source, target;          /* population ids */
    const char *synapse_model;
    uint64_t synapses;
    double weight_mean_initial;  /* after build */
    double weight_mean, weight_min, weight_max; /* now (plastic synapses change them) */
} leinao_projection_stats;

/* LEINAO_NOT_FOUND ("proj"). */
leinao_status leinao_get_projection_stats(const leinao_sim *sim, int proj,
                                          leinao_projection_stats *out);
int leinao_projection_count(const leinao_sim *sim);

/* Copies the synapses of built projection `proj` out in storage order (by source, then target):
 * source and target indices within their populations, weights as they are now (plastic
 * synapses change them) and delays in ms. With all four arrays NULL, only *n is set: the number
 * of synapses. Otherwise *n is the length of the arrays given (any may be NULL); the call sets
 * it to the number of synapses, and fails with LEINAO_INVALID ("n") when that is more. Like
 * NEST's GetConnections. LEINAO_NOT_FOUND ("proj"), LEINAO_STATE before leinao_build. */
leinao_status leinao_get_connections(const leinao_sim *sim, int proj, size_t *n, uint32_t *sources,
                                     uint32_t *targets, double *weights, double *delays);

/* Sets the weights and/or delays (ms) of all n synapses of built projection `proj` between runs,
 * in the storage order of leinao_get_connections (NEST's SetStatus on connections; PyNN's
 * Projection.set). weights or delays may be NULL: those stay. A weight's sign picks the
 * receptor as at connect (negative: inhibitory); plastic synapses go on from the new weights,
 * which must obey the model's rules (stdp_synapse: between 0 and Wmax). Each delay must be a
 * multiple of dt (never rounded) within the delay range the network was built with (its
 * slices and ring buffers are sized by it): leinao_estimate's min_delay .. max_delay. A
 * projection that stored one weight (or one delay) for all its synapses gets one per synapse
 * from then on. Nothing changes unless every value passes. A changed projection can no longer
 * be checkpointed (LEINAO_UNSUPPORTED from leinao_checkpoint_write). LEINAO_NOT_FOUND ("proj"),
 * LEINAO_STATE before leinao_build or once finished, LEINAO_INVALID ("n" unless it is the number
 * of synapses; "weights" or "delays" with the index of the first bad value), LEINAO_UNSUPPORTED
 * ("delays") when the target population is too large for the longer delays' bits, LEINAO_NOMEM. */
leinao_status leinao_set_connections(leinao_sim *sim, int proj, size_t n, const double *weights,
                                     const double *delays);

/* ---- Pictures ------------------------------------------------------------------------ */

typedef struct leinao_plot_options {
    double t_from, t_to;      /* ms; NaN: the data's own range */
    const char *populations;  /* comma-separated names to show; NULL: all */
    const char *title;        /* NULL: the model's name stored in the file */
    int width, height;        /* pixels (points for SVG and PDF) */
    uint32_t max_neurons;     /* raster rows per population at most (evenly spaced neurons) */
    int isolated;             /* 1: draw in a child process (fork), so that a crash of the HDF5
                                 library on a corrupt file is reported as an error (LEINAO_INVALID)
                                 instead of ending the program; 0 (default): draw in the calling
                                 process, which never forks */
} leinao_plot_options;

/* Defaults: whole time range, all populations, 1200 x 800, 400 rows per population, drawn in the
 * calling process (isolated = 0); NULL options mean these. The plot functions return LEINAO_IO or LEINAO_NOT_FOUND for a
 * file that cannot be read or written, LEINAO_INVALID for a file that is not a SONATA spike file
 * or frame report. */
void leinao_plot_options_default(leinao_plot_options *options);
/* Draws a spike raster with the population rate histogram under it from the SONATA spike file
 * `spike_file` into `out_path` (PNG, SVG or PDF by its extension). The handle only provides the
 * allocator and the error message; it needs no network. */
leinao_status leinao_plot_spikes(leinao_sim *sim, const char *spike_file, const char *out_path,
                                 const leinao_plot_options *options);
/* Draws the traces of a SONATA frame report (one panel per variable). */
leinao_status leinao_plot_state(leinao_sim *sim, const char *report_file, const char *out_path,
                                const leinao_plot_options *options);
/* Draws one page (PNG, SVG or PDF by out_path's extension) about the finished run whose output
 * folder is `dir`, from its files alone: the raster and rate histogram of the first SONATA spike
 * file (spikes.h5 when there is one); the distributions over neurons of rates and CV of ISI and
 * the ISI histogram of each population, after the summary's transient; the weight distributions
 * before and after the run of plastic projections when dir/weights.csv holds them (leinao run
 * --report writes it: projection,source,target,synapse_model,bin_low,bin_high,before,after, one
 * line per bin); the traces of the first two frame reports; and the summary table from
 * dir/summary.json (run: neurons, synapses, build and simulation time, real-time factor, peak
 * memory; per population: size, spikes, rate, CV of ISI). options: width and height of the page
 * (NULL: 1240 x 1754, A4 at 150 dpi), populations, title, isolated as for the other plots.
 * LEINAO_NOT_FOUND or LEINAO_IO when dir has no summary.json, LEINAO_INVALID for a file that is
 * not what it should be. */
leinao_status leinao_plot_report(leinao_sim *sim, const char *dir, const char *out_path,
                                 const leinao_plot_options *options);

/* ---- Models -------------------------------------------------------------------------- */

/* Number of built-in models (neuron and device models, then synapse models), and the name of
 * model i (0 <= i < count), NULL past the end. */
int leinao_model_count(void);
const char *leinao_model_name(int i);
/* Writes the Markdown documentation of a model (generated from its parameter table) to the
 * stream `out` (a FILE *). LEINAO_NOT_FOUND for an unknown name (no handle: no message). */
leinao_status leinao_model_doc(const char *model, void *out);

/* "neuron", "device" (generators) or "synapse" for a built-in model, NULL for an unknown name. */
const char *leinao_model_kind(const char *model);

/* One row of a model's parameter table. Static strings. */
typedef struct leinao_param_info {
    const char *name, *unit; /* NEST's name and unit ("" when unitless) */
    double default_value;    /* NEST's default (initial value for a state variable) */
    const char *rule;        /* its own rule as text: "any number", "> 0", ">= 0",
                                "list of numbers" */
    int is_state;            /* 1: a state variable (leinao_set_init, recordable), 0: a parameter */
    int hidden;              /* 1: internal state, neither settable nor recordable */
    const char *doc;         /* one line */
} leinao_param_info;

/* Number of parameters and state variables of a neuron, device or synapse model (parameters
 * first, in the model's order), or -1 for an unknown model. */
int leinao_model_param_count(const char *model);
/* Row i (0 <= i < leinao_model_param_count(model)). LEINAO_NOT_FOUND for an unknown model or
 * i out of range (no handle: no message). */
leinao_status leinao_model_param(const char *model, int i, leinao_param_info *out);

/* ---- SONATA networks ----------------------------------------------------------------- */

/* What a SONATA simulation config asks of the program that runs it. */
typedef struct leinao_sonata_info {
    char output_dir[4096]; /* output.output_dir resolved (default: "output" beside the config) */
    char log_file[4096];   /* output.log_file, relative to output_dir; "" when none */
    int overwrite;         /* output.overwrite_output_dir */
} leinao_sonata_info;

/* Reads a SONATA simulation config (which names its circuit config), a top file naming both
 * ({"network": ..., "simulation": ...}) or a combined config, and declares on a fresh handle
 * what it describes, as bmtk's pointnet does with NEST:
 *  - run: tstop (the duration) and dt in ms (optional random_seed, threads);
 *  - node populations of point neurons: one population each of the NEST model in the node
 *    types' model_template ("nest:iaf_psc_alpha"; one model per population), named after the
 *    SONATA population; node ids must be 0 .. n - 1 and are the neuron indices. The node types'
 *    dynamics_params files (components.point_neuron_models_dir) give parameters, per neuron
 *    where node types differ;
 *  - virtual nodes: one spike_generator population of size 1 per node with edges, named
 *    POPULATION_ID, fed by the inputs of type spikes (SONATA or bmtk HDF5, CSV); spike times
 *    go onto the grid as NEST's allow_offgrid_times does (the end of their step);
 *  - edges: one explicit projection per edge population, source population and synapse
 *    (model_template and dynamics_params of the edge type), weight nsyns x syn_weight (h5
 *    column, else edge-type column), delay from the h5 column, else the edge type, else 1 ms;
 *    a delay off the dt grid is an error;
 *  - IClamp inputs (amp, delay, duration, or a CSV of timestamps and amps): one dc_generator per
 *    step, its numbers taken as pA as bmtk's pointnet passes them to NEST;
 *  - reports: state variable variable_name (a name, or a list as bmtk's multimeter_report
 *    takes: one report of several variables) of the node set `cells` every dt (or the
 *    report's dt) into output_dir/NAME.h5 (or file_name) as a SONATA report;
 *  - output: spikes_file (SONATA, time order) and spikes_file_csv of every neuron population.
 * `overrides` are "dotted.key=value" applied to the simulation config first (e.g.
 * "run.tstop=200"). The caller sets the output folder (leinao_set_output_dir), usually to
 * info->output_dir; info may be NULL. Errors name the file, the dataset, key or row, the value
 * and the rule: LEINAO_MODEL_FILE, LEINAO_NOT_FOUND (a missing file, an unknown model),
 * LEINAO_UNSUPPORTED (a construct leinao cannot map), LEINAO_IO, LEINAO_STATE (not a fresh
 * handle). */
leinao_status leinao_load_sonata(leinao_sim *sim, const char *config_path,
                                 const char *const *overrides, size_t n_overrides,
                                 leinao_sonata_info *info);
/* 1 when `path` is a .json file holding a SONATA config (keys networks, network, run or a
 * simulation file name, and no populations), else 0. */
int leinao_is_sonata_config(const char *path);

/* Writes the built network of `sim` as a SONATA circuit into folder `dir` (created; with
 * overwrite 0, LEINAO_EXISTS when it holds any file), through this header's functions only:
 * network/nodes_POP.h5 and network/node_types_POP.csv (one node population and node type per
 * leinao population of neurons, named as the population, with node_id, node_type_id,
 * node_group_id, node_group_index; parameters and initial values uniform over the population
 * in components/cell_models/POP.json, per-neuron ones in the node group's dynamics_params
 * subgroup), network/edges_K.h5 and network/edge_types.csv (one edge population and edge type
 * per projection K, in projection order, with source_node_id and target_node_id (attribute
 * node_population), edge_type_id, edge_group_id, edge_group_index and per-edge syn_weight and
 * delay in group 0), spike_generator populations as virtual nodes fed by a SONATA spike file
 * inputs/POP_spikes.h5, circuit_config.json and simulation_config.json (run: tstop, dt,
 * random_seed; output: spikes.h5 in time order in "output"; inputs; reports: one per state
 * recording, named after its file, with its neurons as an inline node set, its variables as
 * variable_name (a list when several), its interval as dt). stdp_synapse and tsodyks_synapse
 * projections become edge types of that model_template with all their parameters in
 * components/synaptic_models/MODEL_K.json; a tau_minus other than 20 ms goes into the neurons'
 * dynamics_params. Leaving
 * leinao_load_sonata of that config to build a network with the same neurons, initial values,
 * synapses and input spikes. Refused with LEINAO_UNSUPPORTED naming the population or
 * projection: other devices (poisson_generator has no SONATA form beyond bmtk's own Poisson
 * inputs; current generators), spike_generators with a start or stop window, CSV state
 * recordings, a recording's file in a subfolder, neurons recorded twice. LEINAO_STATE before leinao_build or after a run has started,
 * LEINAO_IO when a file cannot be written. */
leinao_status leinao_export_sonata(leinao_sim *sim, const char *dir, int overwrite);

/* ---- Reading a network back (for programs that write it out again) --------------------- */

/* The settings of leinao_configure (the defaults when it was not called; threads resolved). Any
 * pointer may be NULL. Always LEINAO_OK. */
leinao_status leinao_get_config(const leinao_sim *sim, double *dt, double *duration,
                                uint64_t *seed, int *threads);
/* Values of a built population `pop`, one per element (n must be its size): for a parameter
 * `name`, its effective value per element (per-neuron values and NEST's E_L convention
 * applied); for a state variable, its value now (the initial value, drawn per neuron, before
 * the first run); "tau_minus" of a population of neurons is its archiving time constant (for
 * stdp_synapse onto it). LEINAO_NOT_FOUND ("pop"; "name": not a number parameter or state variable
 * of the model), LEINAO_INVALID ("n"), LEINAO_STATE before leinao_build. */
leinao_status leinao_get_param_values(const leinao_sim *sim, int pop, const char *name,
                                      double *values, size_t n);
/* An array parameter (spike_generator's spike_times) as set: *values (owned by the handle,
 * valid until it changes or the handle is closed; NULL when empty) and *n. LEINAO_NOT_FOUND
 * ("pop"; "name": not an array parameter), LEINAO_INVALID for NULL arguments. */
leinao_status leinao_get_param_array(const leinao_sim *sim, int pop, const char *name,
                                     const double **values, size_t *n);

#if defined(__GNUC__) || defined(__clang__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif
#endif /* LEINAO_H */
