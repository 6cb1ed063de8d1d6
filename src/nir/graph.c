/* graph.c — a NIR graph as read: nodes, parameters, edges; the defaults of old files and the
 * shape of every node (inferred through the graph where the file does not say it), checked
 * edge by edge; and the introspection functions of leinao_nir.h. */
#include "nir.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[NIR_KIND_COUNT] = {
    "Input", "Output", "Affine", "Linear", "Scale", "Threshold", "I", "LI", "IF", "LIF",
    "CubaLI", "CubaLIF", "Delay", "Flatten", "Conv1d", "Conv2d", "SumPool2d", "AvgPool2d",
    "Identity"};

const char *nir_kind_name(nir_kind kind)
{
    return (unsigned)kind < NIR_KIND_COUNT ? kind_names[kind] : "?";
}

int nir_kind_of(const char *type)
{
    for (int k = 0; k < NIR_KIND_COUNT; k++)
        if (k != NIR_IDENTITY && !strcmp(type, kind_names[k]))
            return k;
    return -1;
}

leinao_nir *nir_new(const char *path)
{
    leinao_nir *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    lctx_init(&g->ctx, NULL, NULL);
    g->path = lc_strdup(&g->ctx, path ? path : "");
    if (!g->path) {
        free(g);
        return NULL;
    }
    return g;
}

static void free_run_state(leinao_nir *g)
{
    for (int n = 0; n < g->n; n++) {
        nir_node *d = &g->nodes[n];
        lc_free(&g->ctx, d->in);
        lc_free(&g->ctx, d->out);
        lc_free(&g->ctx, d->prev);
        lc_free(&g->ctx, d->v);
        lc_free(&g->ctx, d->i);
        for (int k = 0; k < 8; k++)
            lc_free(&g->ctx, d->k[k]);
        lc_free(&g->ctx, d->lag);
        lc_free(&g->ctx, d->nz);
        lc_free(&g->ctx, d->ring);
        d->in = d->out = d->prev = d->v = d->i = NULL;
        memset(d->k, 0, sizeof d->k);
        d->lag = NULL;
        d->nz = NULL;
        d->ring = NULL;
        d->ring_len = 0;
    }
    lc_free(&g->ctx, g->order);
    g->order = NULL;
    g->prepared = 0;
}

/* Used by prepare.c before it allocates again. */
void nir_free_run_state(leinao_nir *g);
void nir_free_run_state(leinao_nir *g)
{
    free_run_state(g);
}

static void free_node(leinao_nir *g, nir_node *d);

void leinao_nir_free(leinao_nir *g)
{
    if (!g)
        return;
    free_run_state(g);
    for (int n = 0; n < g->n; n++)
        free_node(g, &g->nodes[n]);
    lc_free(&g->ctx, g->nodes);
    lc_free(&g->ctx, g->edges);
    lc_free(&g->ctx, g->spike_input);
    for (int k = 0; k < g->nsubs; k++)
        lc_free(&g->ctx, g->subs[k]);
    lc_free(&g->ctx, g->subs);
    lc_free(&g->ctx, g->path);
    free(g);
}

const char *leinao_nir_errmsg(const leinao_nir *g)
{
    return g ? g->ctx.errmsg : "no handle (out of memory)";
}

static int find_node(const leinao_nir *g, const char *name)
{
    for (int n = 0; n < g->n; n++)
        if (!strcmp(g->nodes[n].name, name))
            return n;
    return -1;
}

static int find_sub(const leinao_nir *g, const char *name)
{
    for (int k = 0; k < g->nsubs; k++)
        if (!strcmp(g->subs[k], name))
            return k;
    return -1;
}

leinao_status nir_add_subgraph(leinao_nir *g, const char *name, int *sub)
{
    if (find_node(g, name) >= 0 || find_sub(g, name) >= 0)
        return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: two nodes named '%s'", g->path, name);
    char **subs = lc_realloc(&g->ctx, g->subs, (size_t)(g->nsubs + 1) * sizeof *subs);
    if (!subs)
        return LEINAO_NOMEM;
    g->subs = subs;
    if (!(subs[g->nsubs] = lc_strdup(&g->ctx, name)))
        return LEINAO_NOMEM;
    *sub = ++g->nsubs;
    return LEINAO_OK;
}

leinao_status nir_add_node(leinao_nir *g, const char *name, const char *type, int *index)
{
    return nir_add_node_in(g, 0, name, type, index);
}

leinao_status nir_add_node_in(leinao_nir *g, int sub, const char *name, const char *type, int *index)
{
    int kind = nir_kind_of(type);
    if (!strcmp(type, "NIRGraph")) /* the reader registers those with nir_add_subgraph */
        return lc_error(&g->ctx, LEINAO_ERROR, "%s: node '%s': a NIRGraph is not a node", g->path, name);
    if (kind < 0)
        return lc_error(&g->ctx, LEINAO_MODEL_FILE,
                        "%s: node '%s' has unknown type '%s' (NIR types: Input Output Affine "
                        "Linear Scale Threshold I LI IF LIF CubaLI CubaLIF Delay Flatten Conv1d "
                        "Conv2d SumPool2d AvgPool2d NIRGraph)",
                        g->path, name, type);
    if (find_node(g, name) >= 0 || find_sub(g, name) >= 0)
        return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: two nodes named '%s'", g->path, name);
    if (g->n == g->cap) {
        int cap = g->cap ? 2 * g->cap : 16;
        nir_node *nodes = lc_realloc(&g->ctx, g->nodes, (size_t)cap * sizeof *nodes);
        if (!nodes)
            return LEINAO_NOMEM;
        g->nodes = nodes;
        g->cap = cap;
    }
    nir_node *d = &g->nodes[g->n];
    memset(d, 0, sizeof *d);
    d->name = lc_strdup(&g->ctx, name);
    if (!d->name)
        return LEINAO_NOMEM;
    d->kind = (nir_kind)kind;
    d->sub = sub > 0 && sub <= g->nsubs ? sub : 0;
    if (d->sub && (kind == NIR_INPUT || kind == NIR_OUTPUT)) {
        d->role = kind == NIR_INPUT ? NIR_ROLE_INPUT : NIR_ROLE_OUTPUT;
        d->kind = NIR_IDENTITY;
    }
    d->rank = -1;
    d->in_rank = -1;
    *index = g->n++;
    return LEINAO_OK;
}

static nir_param *new_param(leinao_nir *g, int node, const char *name)
{
    nir_node *d = &g->nodes[node];
    nir_param *params = lc_realloc(&g->ctx, d->params, (size_t)(d->nparams + 1) * sizeof *params);
    if (!params)
        return NULL;
    d->params = params;
    nir_param *p = &params[d->nparams];
    memset(p, 0, sizeof *p);
    p->name = lc_strdup(&g->ctx, name);
    if (!p->name)
        return NULL;
    d->nparams++;
    return p;
}

leinao_status nir_add_param(leinao_nir *g, int node, const char *name, int rank,
                            const int64_t *dims, const double *values, const char *file_type)
{
    if (rank < 0 || rank > NIR_MAX_RANK)
        return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s': dataset '%s' has rank %d (at most %d)",
                        g->path, g->nodes[node].name, name, rank, NIR_MAX_RANK);
    size_t count = 1;
    for (int r = 0; r < rank; r++) {
        if (dims[r] < 0 || lc_mul_overflows(count, (size_t)dims[r], &count))
            return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s': dataset '%s' is too large",
                            g->path, g->nodes[node].name, name);
    }
    nir_param *p = new_param(g, node, name);
    if (!p)
        return LEINAO_NOMEM;
    p->rank = rank;
    memcpy(p->dims, dims, (size_t)rank * sizeof *dims);
    p->count = count;
    p->file_type = file_type;
    p->values = lc_malloc(&g->ctx, (count ? count : 1) * sizeof(double));
    if (!p->values)
        return LEINAO_NOMEM;
    if (count)
        memcpy(p->values, values, count * sizeof(double));
    return LEINAO_OK;
}

leinao_status nir_add_text_param(leinao_nir *g, int node, const char *name, const char *text)
{
    nir_param *p = new_param(g, node, name);
    if (!p || !(p->text = lc_strdup(&g->ctx, text)))
        return LEINAO_NOMEM;
    p->file_type = "string";
    return LEINAO_OK;
}

/* "subgraph 'a.b': " for messages about an edge of a nested graph ("" at the top level). */
static void scope_label(const leinao_nir *g, int sub, char *buf, size_t len)
{
    if (sub > 0)
        snprintf(buf, len, "subgraph '%s': ", g->subs[sub - 1]);
    else
        buf[0] = 0;
}

/* Node index for one end of an edge of graph `sub` (as_target: the edge enters it). */
static leinao_status resolve(leinao_nir *g, int sub, const char *name, int as_target,
                             const char *source, const char *target, int *id)
{
    char where[512];
    scope_label(g, sub, where, sizeof where);
    const char *prefix = sub > 0 ? g->subs[sub - 1] : "";
    size_t len = strlen(prefix) + strlen(name) + 2;
    char *full = lc_malloc(&g->ctx, len);
    if (!full)
        return LEINAO_NOMEM;
    snprintf(full, len, "%s%s%s", prefix, sub > 0 ? "." : "", name);
    leinao_status st = LEINAO_OK;
    *id = find_node(g, full);
    int k = *id < 0 ? find_sub(g, full) : -1;
    if (*id >= 0) {
        const nir_node *d = &g->nodes[*id];
        if (sub > 0 && d->sub == sub && d->role == (as_target ? NIR_ROLE_INPUT : NIR_ROLE_OUTPUT))
            st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: %sedge %s -> %s: its %s node '%s' has an %s edge inside it",
                          g->path, where, source, target, as_target ? "Input" : "Output", name,
                          as_target ? "incoming" : "outgoing");
    } else if (k >= 0) {
        /* the subgraph as a whole: its one Input (edge into it) or Output (edge out of it) */
        int role = as_target ? NIR_ROLE_INPUT : NIR_ROLE_OUTPUT, found = 0;
        for (int n = 0; n < g->n; n++)
            if (g->nodes[n].sub == k + 1 && g->nodes[n].role == role) {
                if (!found++)
                    *id = n;
            }
        if (found != 1)
            st = lc_error(&g->ctx, LEINAO_MODEL_FILE,
                          "%s: %sedge %s -> %s: subgraph '%s' has %s %s node%s; the edge must name one of its "
                          "nodes ('%s.NAME')",
                          g->path, where, source, target, name, found ? "several" : "no",
                          as_target ? "Input" : "Output", found ? "s" : "", name);
    } else {
        st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: %sedge %s -> %s names a missing node '%s'%s", g->path,
                      where, source, target, name, strchr(name, '.') ? " (nor is it a node of a subgraph)" : "");
    }
    lc_free(&g->ctx, full);
    return st;
}

leinao_status nir_add_edge(leinao_nir *g, int sub, const char *source, const char *target)
{
    int ids[2];
    leinao_status st;
    if ((st = resolve(g, sub, source, 0, source, target, &ids[0])) ||
        (st = resolve(g, sub, target, 1, source, target, &ids[1])))
        return st;
    if (g->ne == g->edge_cap) {
        int cap = g->edge_cap ? 2 * g->edge_cap : 16;
        nir_edge *edges = lc_realloc(&g->ctx, g->edges, (size_t)cap * sizeof *edges);
        if (!edges)
            return LEINAO_NOMEM;
        g->edges = edges;
        g->edge_cap = cap;
    }
    g->edges[g->ne++] = (nir_edge){ids[0], ids[1], 0};
    return LEINAO_OK;
}

const nir_param *nir_find_param(const nir_node *node, const char *name)
{
    for (int p = 0; p < node->nparams; p++)
        if (!strcmp(node->params[p].name, name))
            return &node->params[p];
    return NULL;
}

/* ---- Parameters required by each kind, and the shapes ------------------------------------ */

static const char *const required[NIR_KIND_COUNT][7] = {
    [NIR_INPUT] = {"shape"},
    [NIR_AFFINE] = {"weight", "bias"},
    [NIR_LINEAR] = {"weight"},
    [NIR_SCALE] = {"scale"},
    [NIR_THRESHOLD] = {"threshold"},
    [NIR_I] = {"r"},
    [NIR_LI] = {"tau", "r", "v_leak"},
    [NIR_IF] = {"r", "v_threshold"},
    [NIR_LIF] = {"tau", "r", "v_leak", "v_threshold"},
    [NIR_CUBALI] = {"tau_syn", "tau_mem", "r", "v_leak"},
    [NIR_CUBALIF] = {"tau_syn", "tau_mem", "r", "v_leak", "v_threshold"},
    [NIR_DELAY] = {"delay"},
    [NIR_FLATTEN] = {"start_dim", "end_dim"},
    [NIR_CONV1D] = {"weight"},
    [NIR_CONV2D] = {"weight"},
    [NIR_SUMPOOL2D] = {"kernel_size", "stride", "padding"},
    [NIR_AVGPOOL2D] = {"kernel_size", "stride", "padding"},
};

static int is_elementwise(nir_kind k)
{
    return k == NIR_SCALE || k == NIR_THRESHOLD || (k >= NIR_I && k <= NIR_DELAY);
}

static void format_shape(char *buf, size_t len, int rank, const int64_t *dims)
{
    size_t at = (size_t)snprintf(buf, len, "[");
    for (int r = 0; r < rank && at < len; r++)
        at += (size_t)snprintf(buf + at, len - at, "%s%lld", r ? "," : "", (long long)dims[r]);
    if (at < len)
        snprintf(buf + at, len - at, "]");
}

static int set_shape(nir_node *d, int rank, const int64_t *dims)
{
    size_t size = 1;
    for (int r = 0; r < rank; r++)
        if (dims[r] <= 0 || lc_mul_overflows(size, (size_t)dims[r], &size) || size > ((size_t)1 << 31))
            return 0;
    d->rank = rank;
    memcpy(d->shape, dims, (size_t)rank * sizeof *dims);
    d->size = size;
    return 1;
}

static double scalar(const nir_node *d, const char *name, double fallback)
{
    const nir_param *p = nir_find_param(d, name);
    return p && p->count >= 1 && p->values ? p->values[0] : fallback;
}

/* Pair of a 2-D (or 1-D) operator's integer parameter: index `axis`, with a scalar broadcast. */
static int64_t pair(const nir_node *d, const char *name, int axis, int64_t fallback)
{
    const nir_param *p = nir_find_param(d, name);
    if (!p || !p->values || p->count == 0)
        return fallback;
    double v = p->values[p->count > (size_t)axis ? axis : 0];
    return isfinite(v) && fabs(v) < 1e9 ? (int64_t)v : -1;
}

static void flatten_shape(nir_node *d, int rank, const int64_t *in, int with_batch);

/* The node's output shape from its own parameters alone, when they determine it. */
static leinao_status own_shape(leinao_nir *g, nir_node *d)
{
    const nir_param *p = NULL;
    switch (d->kind) {
    case NIR_INPUT:
        p = nir_find_param(d, "shape");
        break;
    case NIR_IDENTITY: /* a subgraph's Input or Output: its declared shape, else the graph's */
        p = nir_find_param(d, "shape");
        for (size_t r = 0; p && p->values && r < p->count; r++)
            if (!(p->values[r] > 0))
                p = NULL;
        if (!p || !p->values || p->rank != 1 || p->count == 0)
            return LEINAO_OK;
        break;
    case NIR_AFFINE:
    case NIR_LINEAR: {
        p = nir_find_param(d, "weight");
        if (p->rank != 2)
            return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s' (%s): weight must be 2-D (out, in), has rank %d",
                            g->path, d->name, nir_kind_name(d->kind), p->rank);
        int64_t in = p->dims[1], out = p->dims[0];
        const nir_param *b = nir_find_param(d, "bias");
        if (d->kind == NIR_AFFINE && b->count != (size_t)out)
            return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s' (Affine): bias has %zu values, weight has %lld rows",
                            g->path, d->name, b->count, (long long)out);
        d->in_rank = 1;
        d->in_shape[0] = in;
        d->in_size = (size_t)in;
        if (!set_shape(d, 1, &out))
            return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s': empty weight", g->path, d->name);
        return LEINAO_OK;
    }
    case NIR_FLATTEN:
        p = nir_find_param(d, "input_type");
        for (size_t r = 0; p && p->values && r < p->count; r++)
            if (!(p->values[r] > 0))
                p = NULL; /* placeholder zeros (writers of Oct 2023): from the graph */
        if (!p)
            return LEINAO_OK;
        break;
    default:
        if (!is_elementwise(d->kind))
            return LEINAO_OK;
        /* the largest parameter array gives the neuron array's shape */
        for (int k = 0; k < d->nparams; k++) {
            const nir_param *q = &d->params[k];
            if (q->values && (!p || q->count > p->count))
                p = q;
        }
        break;
    }
    if (!p)
        return LEINAO_OK;
    if (d->kind == NIR_INPUT || d->kind == NIR_FLATTEN || d->kind == NIR_IDENTITY) {
        if (p->rank != 1 || p->count > NIR_MAX_RANK)
            return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s': '%s' must be a list of at most %d dimensions",
                            g->path, d->name, p->name, NIR_MAX_RANK);
        int64_t dims[NIR_MAX_RANK];
        for (size_t r = 0; r < p->count; r++)
            dims[r] = isfinite(p->values[r]) && fabs(p->values[r]) < 1e12 ? (int64_t)p->values[r] : -1;
        if (!set_shape(d, (int)p->count, dims))
            return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s': '%s' is not a valid shape",
                            g->path, d->name, p->name);
        if (d->kind == NIR_FLATTEN || d->kind == NIR_IDENTITY) {
            d->in_rank = d->rank;
            memcpy(d->in_shape, d->shape, sizeof d->shape);
            d->in_size = d->size;
            if (d->kind == NIR_FLATTEN)
                flatten_shape(d, d->in_rank, d->in_shape, 0);
        }
        return LEINAO_OK;
    }
    if (p->rank == 0 || p->count == 1)
        return LEINAO_OK; /* scalar parameters: the shape comes from the graph */
    if (!set_shape(d, p->rank, p->dims))
        return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s': parameter '%s' has an empty shape",
                        g->path, d->name, p->name);
    for (int k = 0; k < d->nparams; k++) {
        const nir_param *q = &d->params[k];
        if (q->values && q->count != 1 && q->count != d->size)
            return lc_error(&g->ctx, LEINAO_MODEL_FILE,
                            "%s: node '%s' (%s): parameter '%s' has %zu values, '%s' has %zu (must be equal or 1)",
                            g->path, d->name, nir_kind_name(d->kind), q->name, q->count, p->name, d->size);
    }
    d->in_rank = d->rank;
    memcpy(d->in_shape, d->shape, sizeof d->shape);
    d->in_size = d->size;
    return LEINAO_OK;
}

static int64_t out_len(int64_t n, int64_t k, int64_t s, int64_t p, int64_t dil)
{
    if (s <= 0 || k <= 0 || dil <= 0 || p < 0)
        return -1;
    int64_t num = n + 2 * p - dil * (k - 1) - 1;
    return num < 0 ? -1 : num / s + 1;
}

/* Flatten's output: dims start..end (inclusive, negative from the end) merged; when the
 * exporter counted the batch (with_batch), both move down by one. */
static void flatten_shape(nir_node *d, int rank, const int64_t *in, int with_batch)
{
    int64_t s = (int64_t)scalar(d, "start_dim", 0), e = (int64_t)scalar(d, "end_dim", -1);
    if (with_batch) {
        if (s > 0)
            s--;
        if (e > 0)
            e--;
    }
    int64_t out[NIR_MAX_RANK];
    if (s < 0)
        s += rank;
    if (e < 0)
        e += rank;
    if (s < 0 || e >= rank || s > e) {
        /* start_dim=1 meant with the batch (PyTorch exporters): flatten everything */
        s = 0;
        e = rank - 1;
    }
    int r = 0;
    for (int k = 0; k < s; k++)
        out[r++] = in[k];
    int64_t prod = 1;
    for (int64_t k = s; k <= e; k++)
        prod *= in[k];
    out[r++] = prod;
    for (int k = (int)e + 1; k < rank; k++)
        out[r++] = in[k];
    set_shape(d, r, out);
}

/* Shape of a node that takes it from its input (rank/in_shape set). */
static leinao_status shape_from_input(leinao_nir *g, nir_node *d, int rank, const int64_t *in, size_t size)
{
    char got[96];
    format_shape(got, sizeof got, rank, in);
    d->in_rank = rank;
    memcpy(d->in_shape, in, (size_t)rank * sizeof *in);
    d->in_size = size;
    int64_t out[NIR_MAX_RANK];
    switch (d->kind) {
    case NIR_OUTPUT:
    case NIR_IDENTITY:
    case NIR_SCALE:
    case NIR_THRESHOLD:
    case NIR_I: case NIR_LI: case NIR_IF: case NIR_LIF: case NIR_CUBALI: case NIR_CUBALIF:
    case NIR_DELAY:
        set_shape(d, rank, in);
        return LEINAO_OK;
    case NIR_FLATTEN:
        /* here only without a valid input_type (old PyTorch exporters): the dims count the batch */
        flatten_shape(d, rank, in, 1);
        return LEINAO_OK;
    case NIR_CONV1D:    case NIR_CONV2D: {
        int dims2 = d->kind == NIR_CONV2D ? 2 : 1;
        const nir_param *w = nir_find_param(d, "weight");
        if (w->rank != dims2 + 2)
            return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s' (%s): weight must have rank %d, has %d",
                            g->path, d->name, nir_kind_name(d->kind), dims2 + 2, w->rank);
        int64_t groups = (int64_t)scalar(d, "groups", 1);
        int64_t cin = w->dims[1] * groups;
        int64_t sp[2] = {0, 0};
        const nir_param *ish = nir_find_param(d, "input_shape");
        while (rank > dims2 + 1 && in[0] == 1) { /* a batch of 1 leaked into the shape */
            in++;
            rank--;
        }
        if (rank == dims2 + 1) {
            for (int a = 0; a < dims2; a++)
                sp[a] = in[1 + a];
            if (in[0] != cin)
                return lc_error(&g->ctx, LEINAO_MODEL_FILE,
                                "%s: node '%s' (%s) expects %lld input channels, its input has shape %s",
                                g->path, d->name, nir_kind_name(d->kind), (long long)cin, got);
        } else if (ish && ish->count == (size_t)dims2 && ish->values) {
            for (int a = 0; a < dims2; a++)
                sp[a] = (int64_t)ish->values[a];
            if ((size_t)(cin * sp[0] * (dims2 == 2 ? sp[1] : 1)) != size)
                return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s' (%s): input shape %s does not match input_shape",
                                g->path, d->name, nir_kind_name(d->kind), got);
        } else {
            return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s' (%s): input of shape %s is not (C, %s)",
                            g->path, d->name, nir_kind_name(d->kind), got, dims2 == 2 ? "H, W" : "L");
        }
        if (ish && ish->values && ish->count == (size_t)dims2 && rank == dims2 + 1)
            for (int a = 0; a < dims2; a++)
                if ((int64_t)ish->values[a] != sp[a])
                    return lc_error(&g->ctx, LEINAO_MODEL_FILE,
                                    "%s: node '%s' (%s): input_shape says %lld along axis %d, its input has shape %s",
                                    g->path, d->name, nir_kind_name(d->kind), (long long)ish->values[a], a, got);
        d->in_rank = dims2 + 1;
        d->in_shape[0] = cin;
        for (int a = 0; a < dims2; a++)
            d->in_shape[1 + a] = sp[a];
        const nir_param *pad = nir_find_param(d, "padding");
        out[0] = w->dims[0];
        for (int a = 0; a < dims2; a++) {
            int64_t k = w->dims[2 + a], s = pair(d, "stride", a, 1), dil = pair(d, "dilation", a, 1);
            int64_t p = pair(d, "padding", a, 0);
            if (pad && pad->text) {
                if (!strcmp(pad->text, "valid"))
                    p = 0;
                else if (!strcmp(pad->text, "same") && s == 1 && (dil * (k - 1)) % 2 == 0)
                    p = dil * (k - 1) / 2;
                else
                    return lc_error(&g->ctx, LEINAO_UNSUPPORTED, "%s: node '%s': padding '%s' is not supported here",
                                    g->path, d->name, pad->text);
            }
            out[1 + a] = out_len(sp[a], k, s, p, dil);
            if (out[1 + a] <= 0)
                return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s' (%s): input shape %s gives an empty output",
                                g->path, d->name, nir_kind_name(d->kind), got);
        }
        if (groups <= 0 || w->dims[0] % groups)
            return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s': groups = %lld does not divide the channels",
                            g->path, d->name, (long long)groups);
        set_shape(d, dims2 + 1, out);
        return LEINAO_OK;
    }
    case NIR_SUMPOOL2D:
    case NIR_AVGPOOL2D:
        while (rank > 3 && in[0] == 1) {
            in++;
            rank--;
        }
        d->in_rank = rank;
        memmove(d->in_shape, in, (size_t)rank * sizeof *in);
        if (rank != 3)
            return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s' (%s): input of shape %s is not (C, H, W)",
                            g->path, d->name, nir_kind_name(d->kind), got);
        out[0] = in[0];
        for (int a = 0; a < 2; a++) {
            out[1 + a] = out_len(in[1 + a], pair(d, "kernel_size", a, -1), pair(d, "stride", a, -1),
                                 pair(d, "padding", a, 0), 1);
            if (out[1 + a] <= 0)
                return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s' (%s): kernel, stride or padding invalid for input %s",
                                g->path, d->name, nir_kind_name(d->kind), got);
        }
        set_shape(d, 3, out);
        return LEINAO_OK;
    default:
        return LEINAO_OK;
    }
}

static const char *label(const nir_node *d);
static leinao_status contract_identities(leinao_nir *g);

/* A node's type for messages: a subgraph's Input and Output are named so. */
static const char *label(const nir_node *d)
{
    if (d->kind == NIR_IDENTITY)
        return d->role == NIR_ROLE_INPUT ? "subgraph Input" : "subgraph Output";
    return nir_kind_name(d->kind);
}

static void free_node(leinao_nir *g, nir_node *d)
{
    for (int p = 0; p < d->nparams; p++) {
        lc_free(&g->ctx, d->params[p].name);
        lc_free(&g->ctx, d->params[p].values);
        lc_free(&g->ctx, d->params[p].text);
    }
    lc_free(&g->ctx, d->params);
    lc_free(&g->ctx, d->name);
}

#define MAX_FLAT_EDGES 1000000

/* Removes the subgraphs' Input and Output nodes (shapes are checked by then): each edge out of
 * one becomes one edge from each of its sources, where it stood in the edge list; edges into
 * it go. The graph left is the flat graph the nested one describes: the same nodes compute
 * the same sums (in the order of the edges). */
static leinao_status contract_identities(leinao_nir *g)
{
    lctx *ctx = &g->ctx;
    for (int id = 0; id < g->n; id++) {
        nir_node *d = &g->nodes[id];
        if (d->kind != NIR_IDENTITY)
            continue;
        size_t ins = 0, outs = 0;
        for (int e = 0; e < g->ne; e++) {
            int s = g->edges[e].source, t = g->edges[e].target;
            if (s == id && t == id)
                continue; /* a loop on a pass-through carries nothing */
            ins += t == id;
            outs += s == id;
        }
        if (d->role == NIR_ROLE_INPUT && ins == 0)
            return lc_error(ctx, LEINAO_MODEL_FILE,
                            "%s: subgraph '%s': its Input node '%s' receives no edge (nothing enters the "
                            "subgraph through it)", g->path, g->subs[d->sub - 1], d->name);
        size_t total = (size_t)g->ne - ins - outs + ins * outs;
        if (ins && outs && (ins * outs / ins != outs || total > MAX_FLAT_EDGES))
            return lc_error(ctx, LEINAO_MODEL_FILE, "%s: flattening subgraph '%s' gives more than %d edges",
                            g->path, g->subs[d->sub - 1], MAX_FLAT_EDGES);
        int *from = lc_malloc(ctx, (ins ? ins : 1) * sizeof *from);
        nir_edge *edges = lc_malloc(ctx, (total ? total : 1) * sizeof *edges);
        if (!from || !edges) {
            lc_free(ctx, from);
            lc_free(ctx, edges);
            return LEINAO_NOMEM;
        }
        size_t k = 0, m = 0;
        for (int e = 0; e < g->ne; e++)
            if (g->edges[e].target == id && g->edges[e].source != id)
                from[k++] = g->edges[e].source;
        for (int e = 0; e < g->ne; e++) {
            nir_edge x = g->edges[e];
            if (x.target == id)
                continue;
            if (x.source != id) {
                edges[m++] = x;
                continue;
            }
            for (size_t j = 0; j < ins; j++)
                edges[m++] = (nir_edge){from[j], x.target, 0};
        }
        lc_free(ctx, from);
        lc_free(ctx, g->edges);
        g->edges = edges;
        g->ne = (int)m;
        g->edge_cap = (int)(total ? total : 1);
    }
    /* drop the nodes, renumber the edges */
    int *renum = lc_malloc(ctx, (size_t)(g->n ? g->n : 1) * sizeof *renum);
    if (!renum)
        return LEINAO_NOMEM;
    int kept = 0;
    for (int n = 0; n < g->n; n++) {
        if (g->nodes[n].kind == NIR_IDENTITY) {
            free_node(g, &g->nodes[n]);
            renum[n] = -1;
        } else {
            renum[n] = kept;
            if (kept != n)
                g->nodes[kept] = g->nodes[n];
            kept++;
        }
    }
    g->n = kept;
    for (int e = 0; e < g->ne; e++) {
        g->edges[e].source = renum[g->edges[e].source];
        g->edges[e].target = renum[g->edges[e].target];
    }
    lc_free(ctx, renum);
    return LEINAO_OK;
}

leinao_status nir_finish(leinao_nir *g)
{
    leinao_status st;
    for (int n = 0; n < g->n; n++) {
        nir_node *d = &g->nodes[n];
        for (int r = 0; r < 7 && required[d->kind][r]; r++) {
            const nir_param *p = nir_find_param(d, required[d->kind][r]);
            if (!p || (!p->values && strcmp(p->name, "padding")))
                return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s' (%s) has no dataset '%s'",
                                g->path, d->name, nir_kind_name(d->kind), required[d->kind][r]);
        }
        if ((st = own_shape(g, d)))
            return st;
    }
    if (g->n == 0)
        return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: the graph has no nodes", g->path);
    int inputs = 0;
    for (int n = 0; n < g->n; n++)
        inputs += g->nodes[n].kind == NIR_INPUT;
    if (!inputs)
        return lc_error(&g->ctx, LEINAO_MODEL_FILE,
                        "%s: the graph has no Input node (drafts before NIR 0.1 lack them; the "
                        "input's shape is then unknown)", g->path);
    /* propagate shapes until nothing changes */
    for (int changed = 1; changed;) {
        changed = 0;
        for (int n = 0; n < g->n; n++) {
            nir_node *d = &g->nodes[n];
            if (d->rank >= 0 && d->in_rank >= 0)
                continue;
            for (int e = 0; e < g->ne; e++) {
                const nir_node *s = &g->nodes[g->edges[e].source];
                if (g->edges[e].target != n || s->rank < 0)
                    continue;
                if (d->rank >= 0) { /* own shape known: the input must match it */
                    d->in_rank = d->rank;
                    memcpy(d->in_shape, d->shape, sizeof d->shape);
                    d->in_size = d->size;
                } else if ((st = shape_from_input(g, d, s->rank, s->shape, s->size))) {
                    return st;
                }
                changed = 1;
                break;
            }
        }
    }
    for (int n = 0; n < g->n; n++) {
        nir_node *d = &g->nodes[n];
        if (d->rank < 0 || (d->in_rank < 0 && d->kind != NIR_INPUT))
            return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s' (%s): its shape cannot be inferred (no input with a known shape)",
                            g->path, d->name, label(d));
        if (d->kind == NIR_INPUT)
            for (int e = 0; e < g->ne; e++)
                if (g->edges[e].target == n)
                    return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: Input node '%s' has an incoming edge", g->path, d->name);
        if (d->kind == NIR_OUTPUT) {
            const nir_param *p = nir_find_param(d, "shape");
            size_t want = 1;
            for (size_t r = 0; p && p->values && r < p->count; r++)
                want *= (size_t)(p->values[r] > 0 ? p->values[r] : 0);
            if (p && p->values && want != d->size) {
                char a[96];
                format_shape(a, sizeof a, d->rank, d->shape);
                return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: Output node '%s' declares %zu values, its input has shape %s",
                                g->path, d->name, want, a);
            }
        }
    }
    for (int e = 0; e < g->ne; e++) {
        const nir_node *s = &g->nodes[g->edges[e].source], *t = &g->nodes[g->edges[e].target];
        if (s->size != t->in_size) {
            char a[96], b[96];
            format_shape(a, sizeof a, s->rank, s->shape);
            format_shape(b, sizeof b, t->in_rank, t->in_shape);
            return lc_error(&g->ctx, LEINAO_MODEL_FILE,
                            "%s: shapes do not chain: edge %s -> %s: '%s' (%s) gives %s, '%s' (%s) takes %s",
                            g->path, s->name, t->name, s->name, label(s), a, t->name, label(t), b);
        }
    }
    if ((st = contract_identities(g)))
        return st;
    g->finished = 1;
    return LEINAO_OK;
}

/* ---- Introspection ------------------------------------------------------------------------ */

int leinao_nir_node_count(const leinao_nir *g)
{
    return g ? g->n : 0;
}

static const nir_node *node_at(const leinao_nir *g, int node)
{
    return g && node >= 0 && node < g->n ? &g->nodes[node] : NULL;
}

const char *leinao_nir_node_name(const leinao_nir *g, int node)
{
    const nir_node *d = node_at(g, node);
    return d ? d->name : NULL;
}

const char *leinao_nir_node_type(const leinao_nir *g, int node)
{
    const nir_node *d = node_at(g, node);
    return d ? nir_kind_name(d->kind) : NULL;
}

int leinao_nir_find_node(const leinao_nir *g, const char *name)
{
    return g && name ? find_node(g, name) : -1;
}

int leinao_nir_node_shape(const leinao_nir *g, int node, int64_t *dims, int max_dims)
{
    const nir_node *d = node_at(g, node);
    if (!d)
        return -1;
    for (int r = 0; r < d->rank && r < max_dims; r++)
        dims[r] = d->shape[r];
    return d->rank;
}

size_t leinao_nir_input_size(const leinao_nir *g)
{
    size_t size = 0;
    for (int n = 0; g && n < g->n; n++)
        if (g->nodes[n].kind == NIR_INPUT && g->nodes[n].rank >= 0)
            size += g->nodes[n].size;
    return size;
}

int leinao_nir_output_node(const leinao_nir *g)
{
    for (int n = 0; g && n < g->n; n++)
        if (g->nodes[n].kind == NIR_OUTPUT)
            return n;
    return -1;
}

int leinao_nir_param_count(const leinao_nir *g, int node)
{
    const nir_node *d = node_at(g, node);
    return d ? d->nparams : 0;
}

const char *leinao_nir_param(const leinao_nir *g, int node, int p, const double **values,
                             size_t *count, const char **file_type)
{
    const nir_node *d = node_at(g, node);
    if (!d || p < 0 || p >= d->nparams)
        return NULL;
    if (values)
        *values = d->params[p].values;
    if (count)
        *count = d->params[p].values ? d->params[p].count : 0;
    if (file_type)
        *file_type = d->params[p].file_type;
    return d->params[p].name;
}

int leinao_nir_edge_count(const leinao_nir *g)
{
    return g ? g->ne : 0;
}

int leinao_nir_edge(const leinao_nir *g, int e, int *source, int *target)
{
    if (!g || e < 0 || e >= g->ne)
        return -1;
    if (source)
        *source = g->edges[e].source;
    if (target)
        *target = g->edges[e].target;
    return g->edges[e].delayed;
}

const int *leinao_nir_order(const leinao_nir *g)
{
    return g && g->prepared ? g->order : NULL;
}
