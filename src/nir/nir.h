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
    NIR_SUMPOOL2D, NIR_AVGPOOL2D,
    NIR_IDENTITY, /* a nested graph's Input or Output node while the graph is built; nir_finish
                     removes them (its inputs are wired to its outputs), so a prepared graph has
                     none. Not a type a file may name. */
    NIR_KIND_COUNT
} nir_kind;

/* Nested NIRGraph nodes are flattened as they are read: node B of subgraph G (itself in the
 * top-level graph) is the node "G.B", G's Input and Output nodes are NIR_IDENTITY nodes "G.in",
 * "G.out" that nir_finish contracts away. Nesting deeper than this is refused. */
#define NIR_MAX_DEPTH 16

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
    uint32_t *nz;     /* Affine, Linear, Conv: scratch for the indices of nonzero inputs */
    float *ring;      /* Delay / input delay: (max lag + 1) x batch x size */
    int ring_len;
    size_t input_offset; /* Input: where its values start in the step's input */
    int sub;             /* 0: the top-level graph; k + 1: subgraph k (leinao_nir.subs) */
    int role;            /* NIR_IDENTITY: NIR_ROLE_INPUT or NIR_ROLE_OUTPUT of subgraph `sub` */
} nir_node;

enum { NIR_ROLE_NONE = 0, NIR_ROLE_INPUT = 1, NIR_ROLE_OUTPUT = 2 };

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
    float *spike_input; /* leinao_nir_sonata_input's array (src/io/nir_sonata.c) */
    char **subs; /* full (dotted) names of the nested graphs read, e.g. "lif1", "a.b" */
    int nsubs;
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
/* A node of nested graph `sub` (0 = top level, as nir_add_node): `name` is its full dotted
 * name; an Input or Output of a subgraph becomes an NIR_IDENTITY node. */
leinao_status nir_add_node_in(leinao_nir *g, int sub, const char *name, const char *type, int *index);
/* Registers a nested NIRGraph node by its full dotted name; *sub receives its scope (>= 1) for
 * nir_add_node_in and nir_add_edge. LEINAO_MODEL_FILE when a node or subgraph has that name. */
leinao_status nir_add_subgraph(leinao_nir *g, const char *name, int *sub);
leinao_status nir_add_param(leinao_nir *g, int node, const char *name, int rank,
                            const int64_t *dims, const double *values, const char *file_type);
leinao_status nir_add_text_param(leinao_nir *g, int node, const char *name, const char *text);
/* An edge of graph `sub` (0 = top level) by the names its edges dataset uses: "B" is node B
 * of that graph (the literal name first: real files have dots inside plain names, "lif1.lif"),
 * "G.B" node B of its subgraph G, and a subgraph G itself stands for its Input node (as a
 * target) or its Output node (as a source), which must then be unique. LEINAO_MODEL_FILE
 * naming the missing node, or the subgraph and what it lacks. */
leinao_status nir_add_edge(leinao_nir *g, int sub, const char *source, const char *target);
/* Checks parameters, applies defaults (w_in = 1, v_reset = 0), infers and checks shapes (a
 * subgraph's Input and Output shapes too), then removes the subgraphs' Input and Output
 * nodes: every edge into one is joined to every edge out of it. */
leinao_status nir_finish(leinao_nir *g);

/* A new empty graph (NULL when out of memory). */
leinao_nir *nir_new(const char *path);
const nir_param *nir_find_param(const nir_node *node, const char *name);

#endif
