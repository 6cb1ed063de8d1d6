/* exec.c — one time step of a prepared NIR graph: every node in order, over the batch, in
 * float32 with a fixed order of operations (sums in index order, bias last), so that results
 * are reproducible and comparable with the frameworks' float32 arithmetic. */
#include "nir.h"

#include <math.h>
#include <string.h>

/* Sum of the node's incoming edges (previous step's output for delayed edges) into d->in. */
static void gather(leinao_nir *g, int n)
{
    nir_node *d = &g->nodes[n];
    size_t count = (size_t)g->batch * d->in_size;
    memset(d->in, 0, count * sizeof(float));
    for (int e = 0; e < g->ne; e++) {
        if (g->edges[e].target != n)
            continue;
        const nir_node *s = &g->nodes[g->edges[e].source];
        const float *x = g->edges[e].delayed ? s->prev : s->out;
        for (size_t j = 0; j < count; j++)
            d->in[j] += x[j];
    }
}

/* Indices of the nonzero values of x[0..n) into nz, in increasing order; their count.
 *
 * Skipping zero inputs changes no result: every sum here starts at +0.0f and adds terms in index
 * order; a term w * 0 is +-0, and adding +-0 leaves a nonzero sum as it is and a zero sum +0
 * (a float sum is never -0 when it starts at +0 in round-to-nearest), so the sums over the
 * nonzero terms, taken in the same order, are bit-identical. (Only an infinite or NaN weight
 * would differ: inf * 0 is NaN.) Spike inputs are mostly zero, hence the sparse paths. */
static size_t nonzeros(const float *x, size_t n, uint32_t *nz)
{
    size_t k = 0;
    for (size_t j = 0; j < n; j++)
        if (x[j] != 0.0f)
            nz[k++] = (uint32_t)j;
    return k;
}

static void dense(const nir_node *d, int batch)
{
    const float *w = d->k[0], *bias = d->k[1];
    size_t in = d->in_size, out = d->size;
    for (int b = 0; b < batch; b++) {
        const float *x = d->in + (size_t)b * in;
        float *y = d->out + (size_t)b * out;
        size_t nnz = d->nz ? nonzeros(x, in, d->nz) : in;
        if (nnz < in / 2) { /* sparse: the nonzero inputs only, in the same order */
            for (size_t o = 0; o < out; o++) {
                float acc = 0.0f;
                const float *row = w + o * in;
                for (size_t k = 0; k < nnz; k++)
                    acc += row[d->nz[k]] * x[d->nz[k]];
                y[o] = acc + bias[o];
            }
            continue;
        }
        for (size_t o = 0; o < out; o++) {
            float acc = 0.0f;
            const float *row = w + o * in;
            for (size_t j = 0; j < in; j++)
                acc += row[j] * x[j];
            y[o] = acc + bias[o];
        }
    }
}

/* PyTorch conv1d/conv2d (cross-correlation); conv1d is conv2d with H = 1. The sum runs over
 * input channel, kernel row, kernel column, and the bias is added last. */
static void conv(const nir_node *d, int batch)
{
    const nir_param *w = nir_find_param(d, "weight");
    int two = d->kind == NIR_CONV2D;
    int64_t cout = w->dims[0], cpg = w->dims[1], kh = two ? w->dims[2] : 1, kw = w->dims[two ? 3 : 2];
    int64_t groups = 1;
    const nir_param *gp = nir_find_param(d, "groups");
    if (gp && gp->values && gp->count)
        groups = (int64_t)gp->values[0];
    int64_t ih = two ? d->in_shape[1] : 1, iw = d->in_shape[two ? 2 : 1];
    int64_t oh = two ? d->shape[1] : 1, ow = d->shape[two ? 2 : 1];
    int64_t s[2], p[2], dil[2];
    const char *names[3] = {"stride", "padding", "dilation"};
    int64_t *dst[3] = {s, p, dil};
    for (int k = 0; k < 3; k++) {
        const nir_param *q = nir_find_param(d, names[k]);
        for (int a = 0; a < 2; a++) {
            int64_t v = k == 1 ? 0 : 1;
            if (q && q->values && q->count)
                v = (int64_t)q->values[q->count > (size_t)a ? a : 0];
            dst[k][a] = v;
        }
        if (!two) { /* 1-D: the one value is the column's */
            dst[k][1] = dst[k][0];
            dst[k][0] = k == 1 ? 0 : 1;
        }
    }
    const nir_param *pad = nir_find_param(d, "padding");
    if (pad && pad->text) {
        int64_t k2[2] = {kh, kw};
        for (int a = 0; a < 2; a++)
            p[a] = strcmp(pad->text, "same") ? 0 : dil[a] * (k2[a] - 1) / 2;
    }
    int64_t cin_total = cpg * groups, per_group_out = cout / groups;
    for (int b = 0; b < batch; b++) {
        const float *x = d->in + (size_t)b * d->in_size;
        float *y = d->out + (size_t)b * d->size;
        size_t nnz = d->nz ? nonzeros(x, d->in_size, d->nz) : d->in_size;
        if (nnz < d->in_size / 2) {
            /* sparse: each nonzero input, in (channel, row, column) order, added to the outputs
             * it reaches. For one output, its inputs come in increasing row and column, that is
             * in increasing kernel row and column: the order of the dense loop below. */
            memset(y, 0, d->size * sizeof *y);
            for (size_t k = 0; k < nnz; k++) {
                int64_t at = d->nz[k], ci = at / (ih * iw), yy = at / iw % ih, xx = at % iw;
                float xv = x[at];
                int64_t g0 = ci / cpg, cl = ci - g0 * cpg;
                for (int64_t co = g0 * per_group_out; co < (g0 + 1) * per_group_out; co++) {
                    float *plane = y + co * oh * ow;
                    const float *wk = d->k[0] + (co * cpg + cl) * kh * kw;
                    for (int64_t ky = 0; ky < kh; ky++) {
                        int64_t ny = yy + p[0] - ky * dil[0];
                        if (ny < 0 || ny % s[0] || ny / s[0] >= oh)
                            continue;
                        float *row = plane + ny / s[0] * ow;
                        for (int64_t kx = 0; kx < kw; kx++) {
                            int64_t nx = xx + p[1] - kx * dil[1];
                            if (nx < 0 || nx % s[1] || nx / s[1] >= ow)
                                continue;
                            row[nx / s[1]] += wk[ky * kw + kx] * xv;
                        }
                    }
                }
            }
            for (int64_t co = 0; co < cout; co++)
                for (int64_t j = 0; j < oh * ow; j++)
                    y[co * oh * ow + j] += d->k[1][co];
            continue;
        }
        for (int64_t co = 0; co < cout; co++) {
            float *plane = y + co * oh * ow;
            for (int64_t j = 0; j < oh * ow; j++)
                plane[j] = 0.0f;
            int64_t c0 = co / per_group_out * cpg;
            for (int64_t ci = 0; ci < cpg; ci++) {
                const float *xin = x + (c0 + ci) * ih * iw;
                for (int64_t ky = 0; ky < kh; ky++)
                    for (int64_t kx = 0; kx < kw; kx++) {
                        float wv = d->k[0][((co * cpg + ci) * kh + ky) * kw + kx];
                        for (int64_t oy = 0; oy < oh; oy++) {
                            int64_t yy = oy * s[0] - p[0] + ky * dil[0];
                            if (yy < 0 || yy >= ih)
                                continue;
                            for (int64_t ox = 0; ox < ow; ox++) {
                                int64_t xx = ox * s[1] - p[1] + kx * dil[1];
                                if (xx >= 0 && xx < iw)
                                    plane[oy * ow + ox] += wv * xin[yy * iw + xx];
                            }
                        }
                    }
            }
            for (int64_t j = 0; j < oh * ow; j++)
                plane[j] += d->k[1][co];
        }
        (void)cin_total;
    }
}

static void pool(const nir_node *d, int batch)
{
    int64_t c = d->in_shape[0], ih = d->in_shape[1], iw = d->in_shape[2], oh = d->shape[1], ow = d->shape[2];
    int64_t k[2], s[2], p[2];
    const char *names[3] = {"kernel_size", "stride", "padding"};
    int64_t *dst[3] = {k, s, p};
    for (int q = 0; q < 3; q++) {
        const nir_param *pr = nir_find_param(d, names[q]);
        for (int a = 0; a < 2; a++)
            dst[q][a] = (int64_t)pr->values[pr->count > (size_t)a ? a : 0];
    }
    float divisor = d->kind == NIR_AVGPOOL2D ? (float)(k[0] * k[1]) : 1.0f;
    for (int b = 0; b < batch; b++)
        for (int64_t ch = 0; ch < c; ch++) {
            const float *x = d->in + (size_t)b * d->in_size + ch * ih * iw;
            float *y = d->out + (size_t)b * d->size + ch * oh * ow;
            for (int64_t oy = 0; oy < oh; oy++)
                for (int64_t ox = 0; ox < ow; ox++) {
                    float acc = 0.0f;
                    for (int64_t ky = 0; ky < k[0]; ky++) {
                        int64_t yy = oy * s[0] - p[0] + ky;
                        for (int64_t kx = 0; kx < k[1]; kx++) {
                            int64_t xx = ox * s[1] - p[1] + kx;
                            if (yy >= 0 && yy < ih && xx >= 0 && xx < iw)
                                acc += x[yy * iw + xx];
                        }
                    }
                    y[oy * ow + ox] = d->kind == NIR_AVGPOOL2D ? acc / divisor : acc;
                }
        }
}

/* Leaky and non-leaky neurons: v <- a v + c + g I (c = (1 - a) v_leak), then the spike and reset
 * rules of the options (see leinao_nir_options). CubaLIF first updates I <- a_s I + g_s S. */
static void neurons(const leinao_nir *g, nir_node *d)
{
    const leinao_nir_options *o = &g->opt;
    int spiking = d->kind == NIR_IF || d->kind == NIR_LIF || d->kind == NIR_CUBALIF;
    int cuba = d->kind == NIR_CUBALI || d->kind == NIR_CUBALIF;
    float amp = (float)o->spike_amplitude;
    for (int b = 0; b < g->batch; b++) {
        size_t base = (size_t)b * d->size;
        for (size_t j = 0; j < d->size; j++) {
            float x = d->in[base + j], v = d->v[base + j];
            const float a = d->k[0][j], c = d->k[1][j], gain = d->k[2][j], thr = d->k[3][j],
                        reset = d->k[4][j];
            if (cuba) {
                float cur = d->k[5][j] * d->i[base + j] + d->k[6][j] * x;
                d->i[base + j] = cur;
                x = cur;
            }
            if (!spiking) {
                v = a * v + c + gain * x;
                d->v[base + j] = v;
                d->out[base + j] = v;
                continue;
            }
            float spikes;
            if (o->spike_from_previous) { /* Spyx: decided on v[t-1], subtracted in step t */
                spikes = (o->spike_at_equal ? v >= thr : v > thr) ? 1.0f : 0.0f;
                v = a * v + c + gain * x;
                if (spikes > 0.0f)
                    v = o->reset == LEINAO_NIR_RESET_SUBTRACT ? v - thr
                        : o->reset == LEINAO_NIR_RESET_ZERO  ? 0.0f
                                                             : reset;
            } else if (o->reset_pre) { /* snnTorch, reset_delay = False */
                float pre = v > thr ? 1.0f : 0.0f;
                if (o->reset == LEINAO_NIR_RESET_SUBTRACT)
                    v = (a * v + c + gain * x) - pre * thr;
                else {
                    float base_v = o->reset == LEINAO_NIR_RESET_ZERO ? 0.0f : reset;
                    v = a * v + c + gain * x;
                    if (pre > 0.0f)
                        v = base_v;
                }
                spikes = v > thr ? 1.0f : 0.0f;
                float do_reset = spikes - pre;
                if (o->reset == LEINAO_NIR_RESET_SUBTRACT)
                    v = v - do_reset * thr;
                else if (do_reset > 0.0f)
                    v = o->reset == LEINAO_NIR_RESET_ZERO ? 0.0f : reset;
            } else {
                v = a * v + c + gain * x;
                int fire = o->spike_at_equal ? v >= thr : v > thr;
                spikes = fire ? 1.0f : 0.0f;
                if (fire && o->multi_spike && thr > 0.0f)
                    spikes = floorf(v / thr);
                if (fire)
                    v = o->reset == LEINAO_NIR_RESET_SUBTRACT ? v - spikes * thr
                        : o->reset == LEINAO_NIR_RESET_ZERO  ? 0.0f
                                                             : reset;
            }
            if (o->if_min_clamp && d->kind == NIR_IF && v < -thr)
                v = -thr;
            d->v[base + j] = v;
            d->out[base + j] = spikes * amp;
        }
    }
}

static void delay_line(leinao_nir *g, nir_node *d)
{
    size_t count = (size_t)g->batch * d->size;
    int slot = (int)(g->steps % d->ring_len);
    memcpy(d->ring + (size_t)slot * count, d->in, count * sizeof(float));
    for (int b = 0; b < g->batch; b++)
        for (size_t j = 0; j < d->size; j++) {
            int64_t from = g->steps - d->lag[j];
            size_t at = (size_t)b * d->size + j;
            d->out[at] = from < 0 ? 0.0f : d->ring[(size_t)(from % d->ring_len) * count + at];
        }
}

leinao_status leinao_nir_step(leinao_nir *g, const float *input, size_t count)
{
    if (!g)
        return LEINAO_INVALID;
    if (!g->prepared)
        return lc_error(&g->ctx, LEINAO_STATE, "leinao_nir_step: call leinao_nir_prepare first");
    size_t want = (size_t)g->batch * leinao_nir_input_size(g);
    if (count != want || (!input && want))
        return lc_error_at(&g->ctx, LEINAO_INVALID, "count", NULL, -1,
                           "leinao_nir_step: input has %zu values, the graph takes %zu (batch %d x %zu)",
                           count, want, g->batch, leinao_nir_input_size(g));
    for (int n = 0; n < g->n; n++) {
        nir_node *d = &g->nodes[n];
        if (d->prev)
            memcpy(d->prev, d->out, (size_t)g->batch * d->size * sizeof(float));
    }
    size_t total = leinao_nir_input_size(g);
    for (int k = 0; k < g->n; k++) {
        int n = g->order[k];
        nir_node *d = &g->nodes[n];
        size_t count_out = (size_t)g->batch * d->size;
        if (d->kind == NIR_INPUT) {
            float *dst = d->ring ? d->ring + (size_t)(g->steps % d->ring_len) * count_out : d->out;
            for (int b = 0; b < g->batch; b++)
                memcpy(dst + (size_t)b * d->size, input + (size_t)b * total + d->input_offset,
                       d->size * sizeof(float));
            if (d->ring) { /* the input of step t - input_delay */
                int64_t from = g->steps - g->opt.input_delay;
                if (from < 0)
                    memset(d->out, 0, count_out * sizeof(float));
                else
                    memcpy(d->out, d->ring + (size_t)(from % d->ring_len) * count_out, count_out * sizeof(float));
            }
            continue;
        }
        gather(g, n);
        switch (d->kind) {
        case NIR_OUTPUT:
        case NIR_FLATTEN:
            memcpy(d->out, d->in, count_out * sizeof(float));
            break;
        case NIR_AFFINE:
        case NIR_LINEAR:
            dense(d, g->batch);
            break;
        case NIR_SCALE:
            for (size_t j = 0; j < count_out; j++)
                d->out[j] = d->k[0][j % d->size] * d->in[j];
            break;
        case NIR_THRESHOLD:
            for (size_t j = 0; j < count_out; j++)
                d->out[j] = d->in[j] > d->k[0][j % d->size] ? (float)g->opt.spike_amplitude : 0.0f;
            break;
        case NIR_CONV1D:
        case NIR_CONV2D:
            conv(d, g->batch);
            break;
        case NIR_SUMPOOL2D:
        case NIR_AVGPOOL2D:
            pool(d, g->batch);
            break;
        case NIR_DELAY:
            delay_line(g, d);
            break;
        default:
            neurons(g, d);
            break;
        }
    }
    g->steps++;
    return LEINAO_OK;
}

leinao_status leinao_nir_output(const leinao_nir *g, int node, const float **data, size_t *count)
{
    if (!g || !g->prepared)
        return LEINAO_STATE;
    if (node < 0 || node >= g->n)
        return LEINAO_NOT_FOUND;
    *data = g->nodes[node].out;
    *count = (size_t)g->batch * g->nodes[node].size;
    return LEINAO_OK;
}

leinao_status leinao_nir_state(const leinao_nir *g, int node, const char *var, const float **data,
                               size_t *count)
{
    if (!g || !g->prepared)
        return LEINAO_STATE;
    if (node < 0 || node >= g->n || !var)
        return LEINAO_NOT_FOUND;
    const nir_node *d = &g->nodes[node];
    const float *p = !strcmp(var, "v") ? d->v : !strcmp(var, "i") ? d->i : NULL;
    if (!p)
        return LEINAO_NOT_FOUND;
    *data = p;
    *count = (size_t)g->batch * d->size;
    return LEINAO_OK;
}
