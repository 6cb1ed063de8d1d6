/* prepare.c — from a loaded graph to a runnable one: which edges of cycles are delayed, the
 * evaluation order, the per-element constants of each node (propagators computed once in
 * double, used in float32) and the zeroed state. */
#include "nir.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void nir_free_run_state(leinao_nir *g);

static int is_stateful(nir_kind k)
{
    return (k >= NIR_I && k <= NIR_CUBALIF) || k == NIR_DELAY;
}

/* Depth-first walk over the edges not yet delayed, in edge order: an edge into a node on the
 * stack closes a cycle and is delayed (NIRTorch's and Norse's traversal). Iterative: graphs
 * from files may be deep. */
static leinao_status delay_back_edges(leinao_nir *g)
{
    lctx *ctx = &g->ctx;
    int *colour = lc_calloc(ctx, (size_t)g->n, sizeof *colour); /* 0 new, 1 on stack, 2 done */
    int *stack = lc_malloc(ctx, (size_t)g->n * sizeof *stack);
    int *next_edge = lc_calloc(ctx, (size_t)g->n, sizeof *next_edge);
    if (!colour || !stack || !next_edge) {
        lc_free(ctx, colour);
        lc_free(ctx, stack);
        lc_free(ctx, next_edge);
        return LEINAO_NOMEM;
    }
    for (int pass = 0; pass < 2; pass++)
        for (int root = 0; root < g->n; root++) {
            if (colour[root] || (pass == 0 && g->nodes[root].kind != NIR_INPUT))
                continue;
            int top = 0;
            stack[top++] = root;
            colour[root] = 1;
            while (top) {
                int u = stack[top - 1];
                int e = next_edge[u];
                while (e < g->ne && (g->edges[e].source != u || g->edges[e].delayed))
                    e++;
                if (e == g->ne) {
                    colour[u] = 2;
                    top--;
                    continue;
                }
                next_edge[u] = e + 1;
                int v = g->edges[e].target;
                if (colour[v] == 1)
                    g->edges[e].delayed = 1;
                else if (colour[v] == 0) {
                    colour[v] = 1;
                    stack[top++] = v;
                }
            }
        }
    lc_free(ctx, colour);
    lc_free(ctx, stack);
    lc_free(ctx, next_edge);
    return LEINAO_OK;
}

/* Edges out of a stateful node that stay inside its strongly connected component (snnTorch's
 * RSynaptic: the recurrent weights read last step's spikes). Component by reachability: u and
 * v share one when each reaches the other (graphs are small; O(n * e)). */
static leinao_status delay_neuron_outputs(leinao_nir *g)
{
    lctx *ctx = &g->ctx;
    size_t n = (size_t)g->n;
    unsigned char *reach = lc_calloc(ctx, n * n, 1);
    int *queue = lc_malloc(ctx, n * sizeof *queue);
    if (!reach || !queue) {
        lc_free(ctx, reach);
        lc_free(ctx, queue);
        return LEINAO_NOMEM;
    }
    for (size_t s = 0; s < n; s++) {
        unsigned char *r = reach + s * n;
        int head = 0, tail = 0;
        queue[tail++] = (int)s;
        while (head < tail) {
            int u = queue[head++];
            for (int e = 0; e < g->ne; e++)
                if (g->edges[e].source == u && !r[g->edges[e].target]) {
                    r[g->edges[e].target] = 1;
                    queue[tail++] = g->edges[e].target;
                }
        }
    }
    for (int e = 0; e < g->ne; e++) {
        int u = g->edges[e].source, v = g->edges[e].target;
        if (is_stateful(g->nodes[u].kind) && reach[(size_t)v * n + (size_t)u])
            g->edges[e].delayed = 1;
    }
    lc_free(ctx, reach);
    lc_free(ctx, queue);
    return delay_back_edges(g); /* cycles through stateless nodes only */
}

/* Kahn's algorithm on the undelayed edges, lowest node index first among the ready ones. */
static leinao_status order_nodes(leinao_nir *g)
{
    lctx *ctx = &g->ctx;
    int *indegree = lc_calloc(ctx, (size_t)g->n, sizeof *indegree);
    g->order = lc_malloc(ctx, (size_t)g->n * sizeof *g->order);
    if (!indegree || !g->order) {
        lc_free(ctx, indegree);
        return LEINAO_NOMEM;
    }
    for (int e = 0; e < g->ne; e++)
        if (!g->edges[e].delayed)
            indegree[g->edges[e].target]++;
    for (int k = 0; k < g->n; k++) {
        int pick = -1;
        for (int u = 0; u < g->n && pick < 0; u++)
            if (indegree[u] == 0)
                pick = u;
        if (pick < 0) { /* cannot happen: every cycle has a delayed edge */
            lc_free(ctx, indegree);
            return lc_error(ctx, LEINAO_ERROR, "%s: no evaluation order found", g->path);
        }
        indegree[pick] = -1;
        g->order[k] = pick;
        for (int e = 0; e < g->ne; e++)
            if (!g->edges[e].delayed && g->edges[e].source == pick)
                indegree[g->edges[e].target]--;
    }
    lc_free(ctx, indegree);
    return LEINAO_OK;
}

/* Value j of parameter `name` broadcast over the node (fallback when absent). */
static double value(const nir_node *d, const char *name, size_t j, double fallback)
{
    const nir_param *p = nir_find_param(d, name);
    if (!p || !p->values || p->count == 0)
        return fallback;
    return p->values[p->count == 1 ? 0 : j];
}

static float *floats(leinao_nir *g, size_t count)
{
    return lc_calloc(&g->ctx, count ? count : 1, sizeof(float));
}

/* Per-element constants of a neuron: k[0] decay of v, k[1] leak term, k[2] input gain of v,
 * k[3] threshold, k[4] reset value, k[5] decay of the synaptic current, k[6] its input gain. */
static leinao_status neuron_constants(leinao_nir *g, nir_node *d)
{
    const leinao_nir_options *o = &g->opt;
    double dt = o->dt;
    for (int k = 0; k < 7; k++)
        if (!(d->k[k] = floats(g, d->size)))
            return LEINAO_NOMEM;
    for (size_t j = 0; j < d->size; j++) {
        int cuba = d->kind == NIR_CUBALI || d->kind == NIR_CUBALIF;
        double tau = value(d, cuba ? "tau_mem" : "tau", j, INFINITY);
        double r = value(d, "r", j, 1.0), leak = value(d, "v_leak", j, 0.0);
        double thr = value(d, "v_threshold", j, INFINITY), reset = value(d, "v_reset", j, 0.0);
        if (!cuba && o->gain == LEINAO_NIR_GAIN_R_IGNORED)
            r = 1.0;
        double a = 1.0, gain, nominal;
        int leaky = d->kind == NIR_LI || d->kind == NIR_LIF || cuba;
        if (leaky) {
            if (!(tau > 0))
                return lc_error(&g->ctx, LEINAO_INVALID, "%s: node '%s': tau must be > 0, got %g (element %zu)",
                                g->path, d->name, tau, j);
            a = o->integration == LEINAO_NIR_EXACT ? exp(-dt / tau) : 1.0 - dt / tau;
            nominal = (o->integration == LEINAO_NIR_EXACT ? 1.0 - a : dt / tau) * r;
        } else {
            nominal = dt * r; /* I and IF: dv = dt R I */
            leak = 0.0;
        }
        gain = o->gain == LEINAO_NIR_GAIN_UNIT ? 1.0 : nominal;
        double scale = 1.0;
        if (o->threshold_rescale && o->gain == LEINAO_NIR_GAIN_UNIT && !cuba && nominal != 0.0 &&
            fabs(nominal - 1.0) > 1e-6)
            scale = 1.0 / nominal;
        d->k[0][j] = (float)a;
        d->k[1][j] = (float)((leaky ? 1.0 - a : 0.0) * leak * scale);
        d->k[2][j] = (float)gain;
        d->k[3][j] = (float)(thr * scale);
        d->k[4][j] = (float)(reset * scale);
        if (cuba) {
            double ts = value(d, "tau_syn", j, INFINITY), w_in = value(d, "w_in", j, 1.0);
            if (!(ts > 0))
                return lc_error(&g->ctx, LEINAO_INVALID, "%s: node '%s': tau_syn must be > 0, got %g (element %zu)",
                                g->path, d->name, ts, j);
            double as = o->integration == LEINAO_NIR_EXACT ? exp(-dt / ts) : 1.0 - dt / ts;
            d->k[5][j] = (float)as;
            d->k[6][j] = (float)(o->gain == LEINAO_NIR_GAIN_UNIT
                                     ? 1.0
                                     : (o->integration == LEINAO_NIR_EXACT ? 1.0 - as : dt / ts) * w_in);
        }
    }
    return LEINAO_OK;
}

static leinao_status node_constants(leinao_nir *g, nir_node *d)
{
    switch (d->kind) {
    case NIR_AFFINE:
    case NIR_LINEAR:
    case NIR_CONV1D:
    case NIR_CONV2D: {
        const nir_param *w = nir_find_param(d, "weight"), *b = nir_find_param(d, "bias");
        if (!(d->k[0] = floats(g, w->count)))
            return LEINAO_NOMEM;
        /* the sparse paths of exec.c (input sizes are below 2^31: set_shape) */
        if (!(d->nz = lc_malloc(&g->ctx, (d->in_size ? d->in_size : 1) * sizeof *d->nz)))
            return LEINAO_NOMEM;
        for (size_t j = 0; j < w->count; j++)
            d->k[0][j] = (float)w->values[j];
        size_t nb = d->kind == NIR_AFFINE || d->kind == NIR_LINEAR ? d->size : (size_t)w->dims[0];
        if (!(d->k[1] = floats(g, nb)))
            return LEINAO_NOMEM;
        if (b && b->values && d->kind != NIR_LINEAR) {
            if (b->count != nb && b->count != 1)
                return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s': bias has %zu values, expected %zu",
                                g->path, d->name, b->count, nb);
            for (size_t j = 0; j < nb; j++)
                d->k[1][j] = (float)b->values[b->count == 1 ? 0 : j];
        }
        return LEINAO_OK;
    }
    case NIR_SCALE:
    case NIR_THRESHOLD:
        if (!(d->k[0] = floats(g, d->size)))
            return LEINAO_NOMEM;
        for (size_t j = 0; j < d->size; j++)
            d->k[0][j] = (float)value(d, d->kind == NIR_SCALE ? "scale" : "threshold", j, 0.0);
        return LEINAO_OK;
    case NIR_DELAY: {
        if (!(d->lag = lc_calloc(&g->ctx, d->size, sizeof *d->lag)))
            return LEINAO_NOMEM;
        int64_t most = 0;
        for (size_t j = 0; j < d->size; j++) {
            double steps = value(d, "delay", j, 0.0) / g->opt.dt;
            double whole = nearbyint(steps);
            if (!(whole >= 0) || whole > 1e6 || fabs(steps - whole) > 1e-6 * (whole > 1 ? whole : 1))
                return lc_error(&g->ctx, LEINAO_INVALID,
                                "%s: node '%s': delay %g s is not a multiple of dt = %g s (element %zu)",
                                g->path, d->name, value(d, "delay", j, 0.0), g->opt.dt, j);
            d->lag[j] = (int64_t)whole;
            if (d->lag[j] > most)
                most = d->lag[j];
        }
        d->ring_len = (int)most + 1;
        size_t n;
        if (lc_mul_overflows((size_t)d->ring_len, (size_t)g->batch * d->size, &n) || !(d->ring = floats(g, n)))
            return lc_nomem(&g->ctx);
        return LEINAO_OK;
    }
    case NIR_I: case NIR_LI: case NIR_IF: case NIR_LIF: case NIR_CUBALI: case NIR_CUBALIF:
        return neuron_constants(g, d);
    default:
        return LEINAO_OK;
    }
}

/* Rockpool recovers dt from the parameters it wrote: dt = min(tau / (1 + r)). */
static double derived_dt(const leinao_nir *g)
{
    double dt = INFINITY;
    for (int n = 0; n < g->n; n++) {
        const nir_node *d = &g->nodes[n];
        const char *tname = d->kind == NIR_CUBALIF || d->kind == NIR_CUBALI ? "tau_mem" : "tau";
        const nir_param *tau = nir_find_param(d, tname);
        if (!tau || !tau->values)
            continue;
        for (size_t j = 0; j < tau->count; j++) {
            double c = tau->values[j] / (1.0 + value(d, "r", j, 0.0));
            if (c > 0 && c < dt)
                dt = c;
        }
    }
    return isfinite(dt) ? dt : 1.0;
}

leinao_status leinao_nir_prepare(leinao_nir *g, const leinao_nir_options *options, int batch)
{
    if (!g)
        return LEINAO_INVALID;
    if (!g->finished)
        return lc_error(&g->ctx, LEINAO_STATE, "leinao_nir_prepare: the graph did not load");
    if (!options)
        return lc_error_at(&g->ctx, LEINAO_INVALID, "options", NULL, -1, "leinao_nir_prepare: options is NULL");
    leinao_nir_options o = *options;
    o.preset[sizeof o.preset - 1] = 0;
    if (o.dt == 0.0 && !strcmp(o.preset, "rockpool"))
        o.dt = derived_dt(g);
    if (!(o.dt > 0) || !isfinite(o.dt))
        return lc_error_at(&g->ctx, LEINAO_INVALID, "dt", NULL, -1,
                           "dt must be > 0 s, got %g (a NIR file carries no dt: give one, or a preset)", o.dt);
    if (batch < 1)
        return lc_error_at(&g->ctx, LEINAO_INVALID, "batch", NULL, -1, "batch must be >= 1, got %d", batch);
    if ((unsigned)o.integration > 1 || (unsigned)o.reset > 2 || (unsigned)o.gain > 2 ||
        (unsigned)o.cycle_delay > 1 || o.input_delay < 0 || o.input_delay > 1000000 ||
        !isfinite(o.spike_amplitude))
        return lc_error_at(&g->ctx, LEINAO_INVALID, "options", NULL, -1,
                           "leinao_nir_prepare: an option is out of range");
    nir_free_run_state(g);
    g->opt = o;
    g->batch = batch;
    for (int e = 0; e < g->ne; e++)
        g->edges[e].delayed = 0;
    leinao_status st = o.cycle_delay == LEINAO_NIR_DELAY_NEURON_OUTPUT ? delay_neuron_outputs(g)
                                                                      : delay_back_edges(g);
    if (!st)
        st = order_nodes(g);
    size_t offset = 0;
    for (int n = 0; n < g->n && !st; n++) {
        nir_node *d = &g->nodes[n];
        size_t out_count, in_count;
        if (lc_mul_overflows((size_t)batch, d->size, &out_count) ||
            lc_mul_overflows((size_t)batch, d->in_size ? d->in_size : d->size, &in_count)) {
            st = lc_nomem(&g->ctx);
            break;
        }
        if (!(d->out = floats(g, out_count)) || !(d->in = floats(g, in_count))) {
            st = LEINAO_NOMEM;
            break;
        }
        int has_delayed = 0;
        for (int e = 0; e < g->ne; e++)
            has_delayed |= g->edges[e].delayed && g->edges[e].source == n;
        if (has_delayed && !(d->prev = floats(g, out_count))) {
            st = LEINAO_NOMEM;
            break;
        }
        if (is_stateful(d->kind) && d->kind != NIR_DELAY &&
            (!(d->v = floats(g, out_count)) ||
             ((d->kind == NIR_CUBALI || d->kind == NIR_CUBALIF) && !(d->i = floats(g, out_count))))) {
            st = LEINAO_NOMEM;
            break;
        }
        if (d->kind == NIR_INPUT) {
            d->input_offset = offset;
            offset += d->size;
            if (o.input_delay > 0) {
                d->ring_len = o.input_delay + 1;
                size_t n_ring;
                if (lc_mul_overflows((size_t)d->ring_len, out_count, &n_ring) || !(d->ring = floats(g, n_ring))) {
                    st = lc_nomem(&g->ctx);
                    break;
                }
            }
        }
        st = node_constants(g, d);
    }
    if (st) {
        nir_free_run_state(g);
        return st;
    }
    g->prepared = 1;
    g->steps = 0;
    return LEINAO_OK;
}

const leinao_nir_options *leinao_nir_options_used(const leinao_nir *g)
{
    return g && g->prepared ? &g->opt : NULL;
}

leinao_status leinao_nir_reset(leinao_nir *g)
{
    if (!g || !g->prepared)
        return g ? lc_error(&g->ctx, LEINAO_STATE, "leinao_nir_reset: call leinao_nir_prepare first") : LEINAO_INVALID;
    size_t b = (size_t)g->batch;
    for (int n = 0; n < g->n; n++) {
        nir_node *d = &g->nodes[n];
        size_t count = b * d->size;
        memset(d->out, 0, count * sizeof(float));
        if (d->prev)
            memset(d->prev, 0, count * sizeof(float));
        if (d->v)
            memset(d->v, 0, count * sizeof(float));
        if (d->i)
            memset(d->i, 0, count * sizeof(float));
        if (d->ring)
            memset(d->ring, 0, (size_t)d->ring_len * count * sizeof(float));
    }
    g->steps = 0;
    return LEINAO_OK;
}

int64_t leinao_nir_steps(const leinao_nir *g)
{
    return g ? g->steps : 0;
}
