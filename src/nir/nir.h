/* nir.h — the NIR runtime's graph: nodes with their parameters (as read, converted to double),
 * edges, the execution order and the per-step state. The reader (src/io/nir_read.c) fills a
 * graph through nir_add_node / nir_add_param / nir_add_edge and then calls nir_finish; the rest
 * (shapes, order, stepping) needs only libc and libm. */
#ifndef LEINAO_NIR_NIR_H
#define LEINAO_NIR_NIR_H

#include "../base/context.h"
#include "leinao_nir.h"

#define NIR_MAX_RANK 8

typedef enum nir_kind {
    NIR_INPUT, NIR_OUTPUT, NIR_AFFINE, NIR_LINEAR, NIR_SCALE, NIR_THRESHOLD, NIR_I, NIR_LI,
    NIR_IF, NIR_LIF, NIR_CUBALI, NIR_CUBALIF, NIR_DELAY, NIR_FLATTEN, NIR_CONV1D, NIR_CONV2D,
    NIR_SUMPOOL2D, NIR_AVGPOOL2D, NIR_KIND_COUNT
} nir_kind;

/* The NIR type name of a kind, and the kind of a name (-1 when unknown). */
const char *nir_kind_name(nir_kind kind);
int nir_kind_of(const char *type);

typedef struct nir_param {
    char *name;
    int rank;
    int64_t dims[NIR_MAX_RANK];
    size_t count;
    double *values;
    const char *file_type; /* "float32", "float64", "int64", "string" (values: none) */
    char *text;            /* string parameters (Conv padding "same"/"valid") */
} nir_param;

typedef struct nir_node {
    char *name;
    nir_kind kind;
    nir_param *params;
    int nparams;
    int rank;
    int64_t shape[NIR_MAX_RANK]; /* output shape */
    size_t size;                 /* output elements per sample */
    int in_rank;
    int64_t in_shape[NIR_MAX_RANK];
    size_t in_size;
    /* run state (batch x size each) */
    float *in, *out, *prev, *v, *i;
    float *k[8];      /* derived per-element constants (see exec.c) */
    int64_t *lag;     /* Delay: steps per element */
    float *ring;      /* Delay / input delay: (max lag + 1) x batch x size */
    int ring_len;
    size_t input_offset; /* Input: where its values start in the step's input */
} nir_node;

typedef struct nir_edge {
    int source, target;
    int delayed;
} nir_edge;

struct leinao_nir {
    lctx ctx;
    char *path;
    nir_node *nodes;
    int n, cap;
    nir_edge *edges;
    int ne, edge_cap;
    int finished;
    int *order;
    int prepared;
    leinao_nir_options opt;
    int batch;
    int64_t steps;
};

/* Building (the reader). Strings and arrays are copied. Each returns LEINAO_OK or a status with
 * the message set (naming the file and node). */
leinao_status nir_add_node(leinao_nir *g, const char *name, const char *type, int *index);
leinao_status nir_add_param(leinao_nir *g, int node, const char *name, int rank,
                            const int64_t *dims, const double *values, const char *file_type);
leinao_status nir_add_text_param(leinao_nir *g, int node, const char *name, const char *text);
/* An edge by node names: literal names first, then "Subgraph.Node" is refused (nested graphs are
 * not supported). LEINAO_MODEL_FILE naming the missing node. */
leinao_status nir_add_edge(leinao_nir *g, const char *source, const char *target);
/* Checks parameters, applies defaults (w_in = 1, v_reset = 0), infers and checks shapes. */
leinao_status nir_finish(leinao_nir *g);

/* A new empty graph (NULL when out of memory). */
leinao_nir *nir_new(const char *path);
const nir_param *nir_find_param(const nir_node *node, const char *name);

#endif
