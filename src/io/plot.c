/* plot.c — pictures of results with cairo: a spike raster with the population rate histogram
 * under it (as NEST's raster_plot and bmtk's plot_raster), and state traces (plot_state.c);
 * PNG, SVG or PDF by the file's extension. Large populations are subsampled (evenly spaced
 * neurons) so that a raster stays readable and quick; the rates use every spike.
 *
 * A plot reads files it did not write, and libhdf5 1.10 (Debian 12) can crash on a corrupt file
 * (fuzzing found heap overflows in its object-header parser). A library must not fork behind
 * its caller's back, so a plot is drawn in the calling process unless the caller asks for
 * isolation (leinao_plot_options.isolated, as the leinao command does): then it is drawn in a
 * child process, and if that dies the caller gets an error naming the file, not a crash. */
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../engine/sim.h"
#include "io.h"
#include "plot_draw.h"
#include "sonata_read.h"
#include "yaml_tree.h"

const double lplot_palette[8][3] = {{0.12, 0.47, 0.71}, {1.00, 0.50, 0.05}, {0.17, 0.63, 0.17},
                                     {0.84, 0.15, 0.16}, {0.58, 0.40, 0.74}, {0.55, 0.34, 0.29},
                                     {0.89, 0.47, 0.76}, {0.50, 0.50, 0.50}};

void leinao_plot_options_default(leinao_plot_options *o)
{
    memset(o, 0, sizeof *o);
    o->t_from = NAN;
    o->t_to = NAN;
    o->width = 1200;
    o->height = 800;
    o->max_neurons = 400;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

leinao_status lcanvas_open(lctx *ctx, lcanvas *c, const char *path, int w, int h)
{
    c->path = path;
    c->png = !(ends_with(path, ".svg") || ends_with(path, ".pdf"));
    if (!c->png && ends_with(path, ".svg"))
        c->surface = cairo_svg_surface_create(path, w, h);
    else if (!c->png)
        c->surface = cairo_pdf_surface_create(path, w, h);
    else if (ends_with(path, ".png"))
        c->surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    else
        return lc_error(ctx, LEINAO_INVALID, "%s: the picture's name must end in .png, .svg or .pdf",
                        path);
    if (cairo_surface_status(c->surface) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(c->surface);
        return lc_error(ctx, LEINAO_IO, "%s: cannot create the picture", path);
    }
    c->cr = cairo_create(c->surface);
    cairo_set_source_rgb(c->cr, 1, 1, 1);
    cairo_paint(c->cr);
    cairo_select_font_face(c->cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    return LEINAO_OK;
}

leinao_status lcanvas_close(lctx *ctx, lcanvas *c)
{
    cairo_destroy(c->cr);
    cairo_surface_flush(c->surface);
    cairo_status_t s = c->png ? cairo_surface_write_to_png(c->surface, c->path)
                              : cairo_surface_status(c->surface);
    cairo_surface_finish(c->surface);
    if (s == CAIRO_STATUS_SUCCESS)
        s = cairo_surface_status(c->surface);
    cairo_surface_destroy(c->surface);
    if (s != CAIRO_STATUS_SUCCESS)
        return lc_error(ctx, LEINAO_IO, "%s: cannot write the picture: %s", c->path,
                        cairo_status_to_string(s));
    return LEINAO_OK;
}

double lplot_nice_step(double range, int n)
{
    if (!(range > 0))
        return 1.0;
    double raw = range / n, p = pow(10.0, floor(log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

void lplot_text(cairo_t *cr, double x, double y, const char *s, double size, double ax, double ay)
{
    cairo_text_extents_t e;
    cairo_set_font_size(cr, size);
    cairo_text_extents(cr, s, &e);
    cairo_move_to(cr, x - ax * e.width - e.x_bearing, y - ay * e.height - e.y_bearing);
    cairo_show_text(cr, s);
}

void lplot_axes(cairo_t *cr, lbox b, double x0, double x1, double y0, double y1, int x_labels,
                int y_ticks)
{
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1.0);
    cairo_rectangle(cr, b.x, b.y, b.w, b.h);
    cairo_stroke(cr);
    double step = lplot_nice_step(x1 - x0, 8);
    char label[64];
    for (double t = ceil(x0 / step) * step; t <= x1 + step * 1e-9; t += step) {
        double x = b.x + (t - x0) / (x1 - x0) * b.w;
        cairo_move_to(cr, x, b.y + b.h);
        cairo_line_to(cr, x, b.y + b.h + 5);
        cairo_stroke(cr);
        if (x_labels) {
            snprintf(label, sizeof label, "%g", fabs(t) < step * 1e-9 ? 0.0 : t);
            lplot_text(cr, x, b.y + b.h + 8, label, 12, 0.5, 0.0);
        }
    }
    if (!y_ticks)
        return;
    step = lplot_nice_step(y1 - y0, 4);
    for (double v = ceil(y0 / step) * step; v <= y1 + step * 1e-9; v += step) {
        double y = b.y + b.h - (v - y0) / (y1 - y0) * b.h;
        cairo_move_to(cr, b.x - 5, y);
        cairo_line_to(cr, b.x, y);
        cairo_stroke(cr);
        snprintf(label, sizeof label, "%g", fabs(v) < step * 1e-9 ? 0.0 : v);
        lplot_text(cr, b.x - 8, y, label, 12, 1.0, 0.5);
    }
}

/* Rows of a population in the raster: every stride-th neuron, at most `most` rows. */
static uint64_t plotted_rows(uint64_t n_nodes, uint32_t most, uint64_t *stride_out)
{
    uint64_t stride = most && n_nodes > most ? (n_nodes + most - 1) / most : 1;
    if (stride_out)
        *stride_out = stride;
    return (n_nodes + stride - 1) / stride;
}

int lplot_selected(const char *list, const char *name)
{
    if (!list || !*list)
        return 1;
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && !strncmp(p, name, n))
            return 1;
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

void lplot_vertical_text(cairo_t *cr, double x, double y, const char *s, double size)
{
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, -1.57079632679489661923);
    lplot_text(cr, 0, 0, s, size, 0.5, 0.5);
    cairo_restore(cr);
}

double lplot_simulated_span(lctx *ctx, const char *data_file)
{
    const char *slash = strrchr(data_file, '/');
    size_t n = slash ? (size_t)(slash - data_file + 1) : 0;
    char path[4200];
    if (n + 16 > sizeof path)
        return NAN;
    snprintf(path, sizeof path, "%.*ssummary.json", (int)n, data_file);
    if (access(path, R_OK) != 0)
        return NAN;
    ynode *root = NULL;
    lctx quiet; /* a summary that cannot be read only costs the title its span */
    lctx_init(&quiet, NULL, NULL);
    (void)ctx;
    if (ytree_load_json(&quiet, path, &root) != LEINAO_OK)
        return NAN;
    ynode *v = root->type == YN_MAP ? ytree_get(root, "simulated_ms") : NULL;
    double span = NAN;
    if (v && v->type == YN_SCALAR && v->text) {
        char *end = NULL;
        span = strtod(v->text, &end);
        if (end == v->text || *end || !(span > 0) || !isfinite(span))
            span = NAN;
    }
    ytree_free(&quiet, root);
    return span;
}

/* Draws the raster (in the child process of plot_isolated when options->isolated). */
leinao_status lplot_raster(lctx *ctx, cairo_t *cr, const lspike_table *table, lbox region,
                           const leinao_plot_options *o, double span, const char *file)
{
    /* populations shown, time window, rows per population */
    int shown[256], n_shown = 0;
    double t0 = INFINITY, t1 = -INFINITY;
    uint64_t rows_total = 0;
    for (int i = 0; i < table->n && n_shown < 256; i++) {
        if (!lplot_selected(o->populations, table->pops[i].name))
            continue;
        shown[n_shown++] = i;
        for (size_t j = 0; j < table->pops[i].n; j++) {
            t0 = fmin(t0, table->pops[i].t[j]);
            t1 = fmax(t1, table->pops[i].t[j]);
        }
        rows_total += plotted_rows(table->pops[i].n_nodes, o->max_neurons, NULL);
    }
    /* every name asked for must be in the file: a typo is an error, not a missing band */
    for (const char *p = o->populations; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        int found = 0;
        for (int i = 0; i < table->n && !found; i++)
            found = strlen(table->pops[i].name) == len && !strncmp(table->pops[i].name, p, len);
        if (!found) {
            char have[600] = "";
            for (int i = 0; i < table->n; i++) {
                size_t at = strlen(have);
                if (at + 4 < sizeof have)
                    snprintf(have + at, sizeof have - at, "%s%s", i ? ", " : "",
                             table->pops[i].name);
            }
            return lc_error(ctx, LEINAO_NOT_FOUND,
                            "%s: no population matches '%.*s' (the file holds: %s)", file,
                            (int)len, p, have);
        }
        p = end ? end + 1 : p + len;
    }
    if (n_shown == 0)
        return lc_error(ctx, LEINAO_NOT_FOUND, "%s: no population matches '%s'", file,
                        o->populations ? o->populations : "");
    double last_spike = t1;
    int simulated = 0; /* the window is the run's simulated span */
    if (!isnan(o->t_from))
        t0 = o->t_from;
    else
        t0 = isinf(t0) || t0 >= 0.0 ? 0.0 : floor(t0); /* simulations start at 0 */
    if (!isnan(o->t_to)) {
        t1 = o->t_to;
    } else if (isfinite(span) && span > t0 && !(last_spike > span)) {
        t1 = span;
        simulated = 1;
    } else if (isinf(t1)) {
        t1 = t0 + 1.0;
    }
    if (!(t1 > t0))
        return lc_error(ctx, LEINAO_INVALID, "the time window must have from < to, got %g and %g",
                        t0, t1);
    const double left = 110, right = 140, top = 50, bottom = 60, gap = 45;
    double plot_h = region.h - top - bottom - gap;
    lbox raster = {region.x + left, region.y + top, region.w - left - right, plot_h * 0.68};
    lbox hist = {raster.x, raster.y + raster.h + gap, raster.w, plot_h * 0.32};

    /* raster: populations stacked from the top, each neuron of a subsample is a row */
    double y = raster.y, bin = lplot_nice_step(t1 - t0, 150);
    int bins = (int)ceil((t1 - t0) / bin);
    if (bins < 1)
        bins = 1;
    double *rate = lc_calloc(ctx, (size_t)bins * (size_t)n_shown, sizeof *rate);
    if (!rate)
        return LEINAO_NOMEM;
    double rate_max = 0.0;
    uint64_t total = 0;
    for (int k = 0; k < n_shown; k++) {
        const lspike_population *p = &table->pops[shown[k]];
        uint64_t stride;
        uint64_t rows = plotted_rows(p->n_nodes, o->max_neurons, &stride);
        double band = rows_total ? raster.h * (double)rows / (double)rows_total : 0.0;
        const double *rgb = lplot_palette[k % 8];
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        double dot = fmax(1.2, fmin(3.0, band / (double)(rows ? rows : 1)));
        for (size_t j = 0; j < p->n; j++) {
            double t = p->t[j];
            if (t < t0 || t > t1)
                continue;
            total++;
            int b = (int)((t - t0) / bin);
            rate[(size_t)k * (size_t)bins + (size_t)(b < bins ? b : bins - 1)] += 1.0;
            if (p->ids[j] % stride)
                continue;
            double x = raster.x + (t - t0) / (t1 - t0) * raster.w;
            double yy = y + band * ((double)(p->ids[j] / stride) + 0.5) / (double)(rows ? rows : 1);
            cairo_rectangle(cr, x - dot / 2, yy - dot / 2, dot, dot);
        }
        cairo_fill(cr);
        char label[200];
        snprintf(label, sizeof label, "%s", p->name);
        lplot_text(cr, raster.x - 10, y + band / 2, label, 13, 1.0, 0.5);
        if (stride > 1) {
            snprintf(label, sizeof label, "1 in %llu shown", (unsigned long long)stride);
            cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
            lplot_text(cr, raster.x + raster.w + 8, y + band / 2, label, 11, 0.0, 0.5);
        }
        if (k > 0) {
            cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
            cairo_move_to(cr, raster.x, y);
            cairo_line_to(cr, raster.x + raster.w, y);
            cairo_stroke(cr);
        }
        y += band;
        for (int b = 0; b < bins; b++) {
            double *r = &rate[(size_t)k * (size_t)bins + (size_t)b];
            *r /= (double)(p->n_nodes ? p->n_nodes : 1) * bin * 1e-3;
            rate_max = fmax(rate_max, *r);
        }
    }
    lplot_axes(cr, raster, t0, t1, 0, 1, 0, 0);
    lplot_vertical_text(cr, region.x + 22, raster.y + raster.h / 2, "neurons", 13);

    /* rate histogram: one line per population, in Hz */
    double top_rate = rate_max > 0 ? rate_max * 1.1 : 1.0;
    for (int k = 0; k < n_shown; k++) {
        const double *rgb = lplot_palette[k % 8];
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        cairo_set_line_width(cr, 1.3);
        for (int b = 0; b < bins; b++) {
            double xa = hist.x + (double)b * bin / (t1 - t0) * hist.w;
            double xb = hist.x + fmin(1.0, (double)(b + 1) * bin / (t1 - t0)) * hist.w;
            double yy = hist.y + hist.h - rate[(size_t)k * (size_t)bins + (size_t)b] / top_rate * hist.h;
            if (b == 0)
                cairo_move_to(cr, xa, yy);
            else
                cairo_line_to(cr, xa, yy);
            cairo_line_to(cr, xb, yy);
        }
        cairo_stroke(cr);
        lplot_text(cr, hist.x + hist.w + 8, hist.y + 14 + 16 * k, table->pops[shown[k]].name, 12, 0.0, 0.5);
    }
    lplot_axes(cr, hist, t0, t1, 0, top_rate, 1, 1);
    cairo_set_source_rgb(cr, 0, 0, 0);
    lplot_text(cr, hist.x + hist.w / 2, hist.y + hist.h + 34, "time (ms)", 13, 0.5, 0.0);
    lplot_vertical_text(cr, region.x + 22, hist.y + hist.h / 2, "rate (Hz)", 13);
    char title[700], window[160];
    if (simulated)
        snprintf(window, sizeof window, "%g to %g ms simulated", t0, t1);
    else if (!isnan(o->t_to) || !isnan(o->t_from))
        snprintf(window, sizeof window, "%g to %g ms shown", t0, t1);
    else
        snprintf(window, sizeof window, "%g ms to the last spike at %g ms", t0, t1);
    snprintf(title, sizeof title, "%s: %llu spikes, %s, rate bins of %g ms",
             o->title ? o->title : table->model[0] ? table->model : file,
             (unsigned long long)total, window, bin);
    lplot_text(cr, region.x + region.w / 2.0, region.y + 20, title, 15, 0.5, 0.5);
    lc_free(ctx, rate);
    return LEINAO_OK;
}

static leinao_status plot_spikes(lctx *ctx, const char *spike_file, const char *out_path,
                                 const leinao_plot_options *o)
{
    lspike_table *table;
    leinao_status st = lsonata_read_spikes(ctx, spike_file, &table);
    if (st)
        return st;
    lcanvas c = {NULL, NULL, 0, NULL};
    if ((st = lcanvas_open(ctx, &c, out_path, o->width, o->height))) {
        lsonata_free_spikes(ctx, table);
        return st;
    }
    lbox page = {0, 0, o->width, o->height};
    st = lplot_raster(ctx, c.cr, table, page, o, lplot_simulated_span(ctx, spike_file), spike_file);
    lsonata_free_spikes(ctx, table);
    leinao_status cs = lcanvas_close(ctx, &c);
    if (st)
        remove(out_path); /* no half-drawn picture */
    return st ? st : cs;
}

typedef leinao_status (*plot_fn)(lctx *ctx, const char *in, const char *out,
                                 const leinao_plot_options *o);

/* Runs fn in a child process; its status and message come back through a pipe. */
static leinao_status plot_isolated(leinao_sim *sim, plot_fn fn, const char *in, const char *out,
                                   const leinao_plot_options *o)
{
    lctx *ctx = &sim->ctx;
    int fds[2];
    if (pipe(fds) != 0)
        return lc_error(ctx, LEINAO_IO, "%s: cannot plot: no pipe: %s", in, strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return lc_error(ctx, LEINAO_IO, "%s: cannot plot: fork failed: %s", in, strerror(errno));
    }
    if (pid == 0) {
        close(fds[0]);
        lctx child;
        lctx_init(&child, NULL, NULL);
        int32_t st = (int32_t)fn(&child, in, out, o);
        ssize_t a = write(fds[1], &st, sizeof st);
        ssize_t b = write(fds[1], child.errmsg, strlen(child.errmsg) + 1);
        _exit(a == (ssize_t)sizeof st && b > 0 ? 0 : 3);
    }
    close(fds[1]);
    char reply[sizeof ctx->errmsg + sizeof(int32_t)];
    size_t got = 0;
    for (;;) {
        ssize_t r = read(fds[0], reply + got, sizeof reply - 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fds[0]);
    reply[got] = 0;
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
        ;
    if (got < sizeof(int32_t) || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
        remove(out); /* whatever the child had begun to draw */
        return lc_error(ctx, LEINAO_INVALID,
                        "%s: the HDF5 library crashed reading this file (it is corrupt or not "
                        "what leinao writes); nothing was drawn",
                        in);
    }
    int32_t st;
    memcpy(&st, reply, sizeof st);
    return st ? lc_error(ctx, (leinao_status)st, "%s", reply + sizeof st) : LEINAO_OK;
}

/* In a child process when the caller asked for it, else directly; NULL options: the defaults. */
static leinao_status plot(leinao_sim *sim, plot_fn fn, const char *in, const char *out,
                          const leinao_plot_options *o)
{
    leinao_plot_options defaults;
    if (!o) {
        leinao_plot_options_default(&defaults);
        o = &defaults;
    }
    return o->isolated ? plot_isolated(sim, fn, in, out, o) : fn(&sim->ctx, in, out, o);
}

leinao_status leinao_plot_spikes(leinao_sim *sim, const char *spike_file, const char *out_path,
                                 const leinao_plot_options *options)
{
    return plot(sim, plot_spikes, spike_file, out_path, options);
}

leinao_status leinao_plot_state(leinao_sim *sim, const char *report_file, const char *out_path,
                                const leinao_plot_options *options)
{
    return plot(sim, lplot_state, report_file, out_path, options);
}

leinao_status leinao_plot_report(leinao_sim *sim, const char *dir, const char *out_path,
                                 const leinao_plot_options *options)
{
    leinao_plot_options page;
    if (!options) {
        leinao_plot_options_default(&page);
        page.width = 1240;
        page.height = 1754;
        options = &page;
    }
    return plot(sim, lplot_report, dir, out_path, options);
}
