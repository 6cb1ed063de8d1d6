/* plot_report.c — one page about a finished run, from its output folder alone: the raster with
 * the rate histogram, the distributions over neurons of rates and CV of ISI and the ISI
 * histograms per population (from the SONATA spike file, after the summary's transient), the
 * weight distributions before and after the run of plastic projections (weights.csv, which
 * `leinao run --report` writes), the traces of the first state reports, and the summary table
 * (summary.json). Drawn in the plot's child process when the caller asks for isolation. */
#define _XOPEN_SOURCE 700
#include <cairo.h>
#include <dirent.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/sim.h"
#include "h5util.h"
#include "io.h"
#include "plot_draw.h"
#include "sonata_read.h"
#include "yaml_tree.h"

#define MAX_FILES 64
#define MAX_WEIGHT_PROJ 4
#define WEIGHT_BINS 64

static double num(ynode *map, const char *key)
{
    ynode *v = map && map->type == YN_MAP ? ytree_get(map, key) : NULL;
    if (!v || v->type != YN_SCALAR || !v->text)
        return NAN;
    char *end = NULL;
    double x = strtod(v->text, &end);
    return end != v->text && !*end ? x : NAN;
}

static const char *str(ynode *map, const char *key)
{
    ynode *v = map && map->type == YN_MAP ? ytree_get(map, key) : NULL;
    return v && v->type == YN_SCALAR && v->text ? v->text : "";
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The HDF5 files of the folder, by kind: 1 SONATA spike file (/spikes), 2 frame report
 * (/report), 0 anything else (checkpoints among them). */
static int file_kind(const char *path)
{
    lctx quiet;
    lctx_init(&quiet, NULL, NULL);
    leinao_status st = LEINAO_OK;
    hid_t f = lh5_open_read(&quiet, path, "", &st);
    if (f < 0)
        return 0;
    int kind = H5Lexists(f, "spikes", H5P_DEFAULT) > 0   ? 1
               : H5Lexists(f, "report", H5P_DEFAULT) > 0 ? 2
                                                         : 0;
    H5Fclose(f);
    return kind;
}

/* Step-line histograms of values per population over [lo, hi] in `bins` bins, each normalised
 * to its fraction; the panel's axes and labels. */
typedef struct series {
    const char *name;
    const double *v;
    size_t n;
    int colour;
} series;

static void distributions(cairo_t *cr, lbox b, const char *title, const char *xlabel,
                          const series *s, int n_series, double lo, double hi, int bins,
                          const char *empty)
{
    size_t all = 0;
    if (!(hi > lo))
        hi = lo + 1.0;
    double *h = calloc((size_t)bins * (size_t)(n_series ? n_series : 1), sizeof *h);
    double top = 0.0;
    for (int k = 0; h && k < n_series; k++) {
        size_t used = 0;
        for (size_t i = 0; i < s[k].n; i++) {
            double x = s[k].v[i];
            if (!isfinite(x))
                continue;
            int j = (int)((x - lo) / (hi - lo) * bins);
            h[(size_t)k * (size_t)bins + (size_t)(j < 0 ? 0 : j >= bins ? bins - 1 : j)] += 1.0;
            used++;
        }
        all += used;
        for (int j = 0; j < bins; j++) {
            double *c = &h[(size_t)k * (size_t)bins + (size_t)j];
            *c = used ? *c / (double)used : 0.0;
            top = fmax(top, *c);
        }
    }
    top = top > 0 ? top * 1.1 : 1.0;
    for (int k = 0; h && k < n_series; k++) {
        const double *rgb = lplot_palette[s[k].colour % 8];
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        cairo_set_line_width(cr, 1.4);
        for (int j = 0; j < bins; j++) {
            double xa = b.x + (double)j / bins * b.w, xb = b.x + (double)(j + 1) / bins * b.w;
            double y = b.y + b.h - h[(size_t)k * (size_t)bins + (size_t)j] / top * b.h;
            if (j == 0)
                cairo_move_to(cr, xa, b.y + b.h);
            cairo_line_to(cr, xa, y);
            cairo_line_to(cr, xb, y);
        }
        cairo_line_to(cr, b.x + b.w, b.y + b.h);
        cairo_stroke(cr);
        lplot_text(cr, b.x + b.w - 4, b.y + 12 + 15.0 * k, s[k].name, 11, 1.0, 0.5);
    }
    free(h);
    lplot_axes(cr, b, lo, hi, 0, top, 1, 1);
    if (all == 0 && empty) {
        cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
        lplot_text(cr, b.x + b.w / 2, b.y + b.h / 2, empty, 12, 0.5, 0.5);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    lplot_text(cr, b.x + b.w / 2, b.y - 14, title, 13, 0.5, 0.5);
    lplot_text(cr, b.x + b.w / 2, b.y + b.h + 26, xlabel, 12, 0.5, 0.0);
    lplot_vertical_text(cr, b.x - 52, b.y + b.h / 2, "fraction", 12);
}

/* Per-neuron rates, CV of ISI and the ISIs of one population after the transient. */
typedef struct pop_stats {
    double *rate, *cv, *isi;
    size_t n_neurons, n_isi;
} pop_stats;

static int population_stats(const lspike_population *p, double t_from, double t_to, pop_stats *out)
{
    memset(out, 0, sizeof *out);
    size_t n = (size_t)(p->n_nodes ? p->n_nodes : 1);
    if (n > 20000000u)
        return 0;
    double *last = malloc(n * sizeof *last), *sum = calloc(n, sizeof *sum),
           *sum2 = calloc(n, sizeof *sum2);
    size_t *count = calloc(n, sizeof *count);
    out->rate = calloc(n, sizeof *out->rate);
    out->cv = malloc(n * sizeof *out->cv);
    out->isi = malloc((p->n ? p->n : 1) * sizeof *out->isi);
    int ok = last && sum && sum2 && count && out->rate && out->cv && out->isi;
    if (ok) {
        for (size_t i = 0; i < n; i++)
            last[i] = NAN;
        for (size_t j = 0; j < p->n; j++) {
            double t = p->t[j];
            uint64_t id = p->ids[j];
            if (t < t_from || t > t_to || id >= n)
                continue;
            count[id]++;
            if (!isnan(last[id])) {
                double d = t - last[id];
                sum[id] += d;
                sum2[id] += d * d;
                out->isi[out->n_isi++] = d;
            }
            last[id] = t;
        }
        double span = (t_to - t_from) * 1e-3;
        for (size_t i = 0; i < n; i++) {
            out->rate[i] = span > 0 ? (double)count[i] / span : NAN;
            size_t k = count[i] > 0 ? count[i] - 1 : 0;
            double mean = k ? sum[i] / (double)k : 0.0;
            double var = k ? sum2[i] / (double)k - mean * mean : 0.0;
            out->cv[i] = k >= 2 && mean > 0 ? sqrt(fmax(var, 0.0)) / mean : NAN;
        }
        out->n_neurons = n;
    }
    free(last);
    free(sum);
    free(sum2);
    free(count);
    if (!ok) {
        free(out->rate);
        free(out->cv);
        free(out->isi);
        memset(out, 0, sizeof *out);
    }
    return ok;
}

/* weights.csv: projection,source,target,synapse_model,bin_low,bin_high,before,after */
typedef struct weight_hist {
    int projection;
    char source[64], target[64], model[64];
    int bins;
    double lo[WEIGHT_BINS], hi[WEIGHT_BINS], before[WEIGHT_BINS], after[WEIGHT_BINS];
} weight_hist;

static int read_weights(const char *dir, weight_hist *w, int most)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/weights.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        int proj;
        char src[64], tgt[64], model[64];
        double lo, hi, before, after;
        if (sscanf(line, "%d,%63[^,],%63[^,],%63[^,],%lf,%lf,%lf,%lf", &proj, src, tgt, model, &lo,
                   &hi, &before, &after) != 8)
            continue; /* the header and comments */
        if (n == 0 || w[n - 1].projection != proj) {
            if (n == most)
                break;
            memset(&w[n], 0, sizeof w[n]);
            w[n].projection = proj;
            snprintf(w[n].source, sizeof w[n].source, "%s", src);
            snprintf(w[n].target, sizeof w[n].target, "%s", tgt);
            snprintf(w[n].model, sizeof w[n].model, "%s", model);
            n++;
        }
        weight_hist *h = &w[n - 1];
        if (h->bins < WEIGHT_BINS) {
            h->lo[h->bins] = lo;
            h->hi[h->bins] = hi;
            h->before[h->bins] = before;
            h->after[h->bins] = after;
            h->bins++;
        }
    }
    fclose(f);
    return n;
}

static void draw_weights(cairo_t *cr, lbox b, const weight_hist *w)
{
    double lo = w->bins ? w->lo[0] : 0.0, hi = w->bins ? w->hi[w->bins - 1] : 1.0, top = 0;
    double total[2] = {0, 0};
    for (int j = 0; j < w->bins; j++) {
        total[0] += w->before[j];
        total[1] += w->after[j];
    }
    for (int j = 0; j < w->bins; j++)
        top = fmax(top, fmax(w->before[j] / fmax(total[0], 1), w->after[j] / fmax(total[1], 1)));
    top = top > 0 ? top * 1.1 : 1.0;
    if (!(hi > lo))
        hi = lo + 1.0;
    static const char *const when[2] = {"before", "after"};
    for (int k = 0; k < 2; k++) {
        cairo_set_source_rgb(cr, k ? 0.84 : 0.5, k ? 0.15 : 0.5, k ? 0.16 : 0.5);
        cairo_set_line_width(cr, 1.4);
        cairo_move_to(cr, b.x, b.y + b.h);
        for (int j = 0; j < w->bins; j++) {
            double c = (k ? w->after[j] : w->before[j]) / fmax(total[k], 1);
            double y = b.y + b.h - c / top * b.h;
            cairo_line_to(cr, b.x + (w->lo[j] - lo) / (hi - lo) * b.w, y);
            cairo_line_to(cr, b.x + (w->hi[j] - lo) / (hi - lo) * b.w, y);
        }
        cairo_line_to(cr, b.x + b.w, b.y + b.h);
        cairo_stroke(cr);
        lplot_text(cr, b.x + b.w - 4, b.y + 12 + 15.0 * k, when[k], 11, 1.0, 0.5);
    }
    lplot_axes(cr, b, lo, hi, 0, top, 1, 1);
    char title[300];
    snprintf(title, sizeof title, "weights %s -> %s (%s)", w->source, w->target, w->model);
    cairo_set_source_rgb(cr, 0, 0, 0);
    lplot_text(cr, b.x + b.w / 2, b.y - 14, title, 13, 0.5, 0.5);
    lplot_text(cr, b.x + b.w / 2, b.y + b.h + 26, "weight", 12, 0.5, 0.0);
    lplot_vertical_text(cr, b.x - 52, b.y + b.h / 2, "fraction", 12);
}

static void human(double bytes, char *out, size_t n)
{
    const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024.0 && u < 4) {
        bytes /= 1024.0;
        u++;
    }
    if (!isfinite(bytes))
        snprintf(out, n, "-");
    else
        snprintf(out, n, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

static void cell(cairo_t *cr, double x, double y, const char *s, int right)
{
    lplot_text(cr, x, y, s, 12, right ? 1.0 : 0.0, 0.5);
}

/* The summary table: the run, then a row per population. Returns the height used. */
static void draw_table(cairo_t *cr, lbox b, ynode *sum)
{
    char line[1200], a[32], c[32];
    double y = b.y + 10;
    cairo_set_source_rgb(cr, 0, 0, 0);
    human(num(sum, "peak_rss_bytes"), a, sizeof a);
    human(num(sum, "peak_allocated_bytes"), c, sizeof c);
    snprintf(line, sizeof line,
             "%.0f neurons, %.0f synapses, %.4g synaptic events; seed %s, %s thread(s), dt = %s ms",
             num(sum, "neurons"), num(sum, "synapses"), num(sum, "synaptic_events"),
             str(sum, "seed"), str(sum, "threads"), str(sum, "dt_ms"));
    cell(cr, b.x, y, line, 0);
    y += 20;
    snprintf(line, sizeof line,
             "build %.3g s; simulation %.3g s for %g ms of model time: real-time factor %.3g; "
             "peak memory %s (allocator %s)",
             num(sum, "build_time_s"), num(sum, "simulation_wall_s"), num(sum, "simulated_ms"),
             num(sum, "real_time_factor"), a, c);
    cell(cr, b.x, y, line, 0);
    y += 20;
    double transient = num(sum, "transient_ms");
    snprintf(line, sizeof line,
             "spikes, rates and CV of ISI count from t = %g ms (the transient before is left out)",
             isfinite(transient) ? transient : 0.0);
    cell(cr, b.x, y, line, 0);
    y += 28;
    static const char *const head[6] = {"population", "model", "size", "spikes", "rate (Hz)",
                                         "CV ISI"};
    const double col[6] = {0, 180, 420, 540, 660, 780}; /* left edges; numbers right-aligned */
    const int right[6] = {0, 0, 1, 1, 1, 1};
    const double width[6] = {0, 0, 100, 100, 100, 90};
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    for (int k = 0; k < 6; k++)
        cell(cr, b.x + col[k] + width[k], y, head[k], right[k]);
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, b.x, y + 10);
    cairo_line_to(cr, b.x + col[5] + width[5], y + 10);
    cairo_stroke(cr);
    y += 22;
    ynode *pops = sum && sum->type == YN_MAP ? ytree_get(sum, "populations") : NULL;
    for (size_t i = 0; pops && pops->type == YN_MAP && i < pops->n && y < b.y + b.h - 10; i++) {
        ynode *p = pops->items[i];
        int device = isnan(num(p, "rate_hz")) && isnan(num(p, "spikes"));
        char size[32], spikes[32], rate[32], cv[32];
        snprintf(size, sizeof size, "%.0f", num(p, "size"));
        if (device) {
            snprintf(spikes, sizeof spikes, "-");
            snprintf(rate, sizeof rate, "-");
            snprintf(cv, sizeof cv, "-");
        } else {
            snprintf(spikes, sizeof spikes, "%.0f", num(p, "spikes"));
            snprintf(rate, sizeof rate, isnan(num(p, "rate_hz")) ? "-" : "%.3f",
                     num(p, "rate_hz"));
            snprintf(cv, sizeof cv, isnan(num(p, "cv_isi")) ? "-" : "%.3f", num(p, "cv_isi"));
        }
        const char *cells[6] = {pops->keys[i], str(p, "model"), size, spikes, rate, cv};
        double grey = device ? 0.45 : 0.0;
        cairo_set_source_rgb(cr, grey, grey, grey);
        for (int k = 0; k < 6; k++)
            cell(cr, b.x + col[k] + width[k], y, cells[k], right[k]);
        y += 18;
    }
    /* plastic projections: mean weight before and after */
    ynode *projs = sum && sum->type == YN_MAP ? ytree_get(sum, "projections") : NULL;
    y += 8;
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (size_t i = 0; projs && projs->type == YN_SEQ && i < projs->n && y < b.y + b.h - 10; i++) {
        ynode *p = projs->items[i];
        if (!strcmp(str(p, "synapse_model"), "static_synapse"))
            continue;
        snprintf(line, sizeof line,
                 "projection %zu %s -> %s (%s, %.0f synapses): mean weight %.4g before, %.4g after "
                 "(%.4g to %.4g)",
                 i, str(p, "source"), str(p, "target"), str(p, "synapse_model"),
                 num(p, "synapses"), num(p, "weight_mean_initial"), num(p, "weight_mean"),
                 num(p, "weight_min"), num(p, "weight_max"));
        cell(cr, b.x, y, line, 0);
        y += 18;
    }
}

leinao_status lplot_report(lctx *ctx, const char *dir, const char *out_path,
                           const leinao_plot_options *o)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    ynode *sum = NULL;
    leinao_status st = ytree_load_json(ctx, path, &sum);
    if (st == LEINAO_NOT_FOUND || st == LEINAO_IO)
        return lc_error(ctx, st, "%s: no summary.json (is it the output folder of a finished "
                                 "run?)", dir);
    if (st)
        return st;
    if (sum->type != YN_MAP) {
        ytree_free(ctx, sum);
        return lc_error(ctx, LEINAO_INVALID, "%s: not a leinao summary", path);
    }
    /* the folder's spike files and frame reports, by name (spikes.h5 first) */
    char *names[MAX_FILES];
    int n_names = 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d)) && n_names < MAX_FILES;) {
        size_t len = strlen(e->d_name);
        if (len > 3 && !strcmp(e->d_name + len - 3, ".h5") && strncmp(e->d_name, "checkpoint", 10))
            names[n_names++] = strdup(e->d_name);
    }
    if (d)
        closedir(d);
    qsort(names, (size_t)n_names, sizeof *names, by_name);
    char spike_file[4200] = "", reports[2][4200] = {"", ""};
    int n_reports = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n_names; i++) {
            if (!names[i] || (pass == 0) != !strcmp(names[i], "spikes.h5"))
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            int kind = file_kind(path);
            if (kind == 1 && !spike_file[0])
                snprintf(spike_file, sizeof spike_file, "%s", path);
            else if (kind == 2 && n_reports < 2)
                snprintf(reports[n_reports++], sizeof reports[0], "%s", path);
        }
    for (int i = 0; i < n_names; i++)
        free(names[i]);
    weight_hist weights[MAX_WEIGHT_PROJ];
    int n_weights = read_weights(dir, weights, MAX_WEIGHT_PROJ);

    lcanvas c = {NULL, NULL, 0, NULL};
    if ((st = lcanvas_open(ctx, &c, out_path, o->width, o->height))) {
        ytree_free(ctx, sum);
        return st;
    }
    cairo_t *cr = c.cr;
    double W = o->width, H = o->height, y = 0;
    char line[1200];
    cairo_set_source_rgb(cr, 0, 0, 0);
    const char *model = str(sum, "model");
    snprintf(line, sizeof line, "%s: leinao %s run report (%s)", model[0] ? model : dir,
             str(sum, "leinao_version"), str(sum, "status"));
    lplot_text(cr, W / 2, 24, o->title ? o->title : line, 20, 0.5, 0.5);
    y = 44;
    double simulated = num(sum, "simulated_ms"), transient = num(sum, "transient_ms");
    if (!isfinite(transient))
        transient = 0.0;
    lspike_table *table = NULL;
    if (spike_file[0])
        st = lsonata_read_spikes(ctx, spike_file, &table);
    double raster_h = H * 0.30, hist_h = H * 0.16, trace_h = H * 0.20;
    if (!st && table) {
        lbox region = {0, y, W, raster_h};
        st = lplot_raster(ctx, cr, table, region, o, simulated, spike_file);
    } else if (!st) {
        lplot_text(cr, W / 2, y + raster_h / 2, "no SONATA spike file in the folder", 14, 0.5, 0.5);
    }
    y += raster_h + 40;
    if (!st && table) {
        /* distributions over neurons, per population, after the transient */
        series rs[8], cs[8], is[8];
        pop_stats ps[8];
        int n = 0;
        double rmax = 0, imax = 0, cmax = 1.5;
        double t_to = isfinite(simulated) ? simulated : INFINITY;
        for (int i = 0; i < table->n && n < 8; i++) {
            if (!lplot_selected(o->populations, table->pops[i].name))
                continue;
            if (!population_stats(&table->pops[i], transient, t_to, &ps[n]))
                continue;
            for (size_t k = 0; k < ps[n].n_neurons; k++) {
                if (isfinite(ps[n].rate[k]))
                    rmax = fmax(rmax, ps[n].rate[k]);
                if (isfinite(ps[n].cv[k]))
                    cmax = fmax(cmax, ps[n].cv[k]);
            }
            double mean = 0;
            for (size_t k = 0; k < ps[n].n_isi; k++)
                mean += ps[n].isi[k];
            mean = ps[n].n_isi ? mean / (double)ps[n].n_isi : 0;
            imax = fmax(imax, 4.0 * mean);
            rs[n] = (series){table->pops[i].name, ps[n].rate, ps[n].n_neurons, i};
            cs[n] = (series){table->pops[i].name, ps[n].cv, ps[n].n_neurons, i};
            is[n] = (series){table->pops[i].name, ps[n].isi, ps[n].n_isi, i};
            n++;
        }
        char empty[200];
        if (isfinite(simulated) && simulated <= transient)
            snprintf(empty, sizeof empty, "nothing after the transient (%g ms of %g)", transient,
                     simulated);
        else
            snprintf(empty, sizeof empty, "no spikes after t = %g ms", transient);
        double pw = (W - 110 - 3 * 90) / 3.0;
        lbox b1 = {100, y, pw, hist_h - 70}, b2 = {100 + pw + 90, y, pw, hist_h - 70},
             b3 = {100 + 2 * (pw + 90), y, pw, hist_h - 70};
        distributions(cr, b1, "rates of neurons", "rate (Hz)", rs, n, 0, rmax > 0 ? rmax * 1.05 : 1,
                      40, empty);
        distributions(cr, b2, "CV of ISI of neurons (>= 2 ISIs)", "CV of ISI", cs, n, 0,
                      fmin(cmax, 4.0), 40, "no neuron with 2 ISIs");
        distributions(cr, b3, "inter-spike intervals", "ISI (ms)", is, n, 0,
                      imax > 0 ? imax : 1, 50, empty);
        for (int k = 0; k < n; k++) {
            free(ps[k].rate);
            free(ps[k].cv);
            free(ps[k].isi);
        }
    }
    y += hist_h + 20;
    if (!st && n_weights > 0) {
        double pw = (W - 110 - (double)(n_weights - 1) * 90) / (double)n_weights;
        for (int k = 0; k < n_weights; k++) {
            lbox b = {100 + k * (pw + 90), y, pw, hist_h - 70};
            draw_weights(cr, b, &weights[k]);
        }
        y += hist_h + 10;
    }
    for (int k = 0; !st && k < n_reports; k++) {
        double w = n_reports == 1 ? W : W / 2;
        lbox region = {k * w, y, w, trace_h};
        leinao_plot_options to = *o;
        to.title = NULL;
        st = lplot_state_region(ctx, cr, reports[k], region, &to);
    }
    if (n_reports == 0 && !st) {
        cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
        lplot_text(cr, W / 2, y + 20, "no state recorded (type: state recordings in the model)",
                   13, 0.5, 0.5);
        trace_h = 40;
    }
    y += trace_h + 10;
    if (!st) {
        lbox tb = {60, y, W - 120, H - y - 20};
        draw_table(cr, tb, sum);
    }
    if (table)
        lsonata_free_spikes(ctx, table);
    ytree_free(ctx, sum);
    leinao_status cs = lcanvas_close(ctx, &c);
    if (st)
        remove(out_path);
    return st ? st : cs;
}
