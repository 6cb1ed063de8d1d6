/* run_state.h — the run state as a list of named arrays (what a checkpoint holds), and the
 * identity of a declared network (hashes that say whether a checkpoint belongs to it). The io
 * layer writes and reads the arrays (src/io/checkpoint.c) without knowing the structs. */
#ifndef LEINAO_ENGINE_RUN_STATE_H
#define LEINAO_ENGINE_RUN_STATE_H

#include "sim.h"

typedef enum lrs_type { LRS_F64 = 0, LRS_F32, LRS_U32, LRS_U64, LRS_I64 } lrs_type;

/* One array: `n` values of `type`, named like an HDF5 path ("population0/state/V_m"). */
typedef struct lrs_array {
    char *name;
    lrs_type type;
    uint64_t n;
    void *data;
    int owned; /* data was allocated for the list (else it points into live state) */
} lrs_array;

typedef struct lrs_list {
    lrs_array *a;
    size_t n, cap;
} lrs_list;

size_t lrs_type_size(lrs_type type);
/* Adds an array; copy: the list keeps its own copy (else it borrows `data`). */
leinao_status lrs_add(lctx *ctx, lrs_list *list, const char *name, lrs_type type, uint64_t n,
                      const void *data, int copy);
/* Adds an array the list takes ownership of (allocated with lc_malloc on ctx). */
leinao_status lrs_adopt(lctx *ctx, lrs_list *list, const char *name, lrs_type type, uint64_t n,
                        void *data);
const lrs_array *lrs_find(const lrs_list *list, const char *name);
void lrs_free(lctx *ctx, lrs_list *list);

/* What the reader gives the engine: the array `name` as `type`, with at most max_n values
 * (*n gets the count, *data the values, owned by the reader). A missing array is an error when
 * `required`, else *n = 0. */
typedef leinao_status (*lrs_get_fn)(void *user, const char *name, lrs_type type, uint64_t max_n,
                                    int required, uint64_t *n, const void **data);

/* The run state of a built handle, as arrays (borrowed where they are live state). */
leinao_status lsim_run_state_export(leinao_sim *sim, lrs_list *out);
/* Restores the run state through `get`: with apply = 0 only checks every array (sizes,
 * indices, order), with apply = 1 also sets it. The thread count may differ from the writer's:
 * the open slice's spikes are split by the current partition. */
leinao_status lsim_run_state_import(leinao_sim *sim, lrs_get_fn get, void *user, int apply);

/* Hashes of the declared network: [0] the configuration (dt, seed, transient, guards, sizes of
 * the lists), then one per population, one per projection, and last the recordings. n gets
 * their count (2 + populations + projections). Caller frees. */
uint64_t *lsim_identity(leinao_sim *sim, int *n);

#endif
