/* plot_state.c — state traces from a SONATA frame report (as leinao writes them, or any with
 * the same layout): one panel per variable, one line per neuron, time in ms. */
#include <cairo.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../engine/sim.h"
#include "h5util.h"
#include "io.h"
#include "plot_draw.h"

typedef struct report {
    char pop[128], variables[512], units[512];
    hsize_t rows, cols;
    double *data, time[3];
    uint64_t *node_ids;
    size_t n_nodes;
} report;

static herr_t first_name(hid_t g, const char *name, const H5L_info_t *info, void *user)
{
    (void)g;
    (void)info;
    snprintf(user, 128, "%s", name);
    return 1;
}

static leinao_status read_report(lctx *ctx, const char *path, report *r)
{
    memset(r, 0, sizeof *r);
    leinao_status st = LEINAO_OK;
    hid_t file = lh5_open_read(ctx, path, "", &st);
    if (file < 0)
        return st;
    hid_t rep = H5Lexists(file, "report", H5P_DEFAULT) > 0 ? H5Gopen2(file, "report", H5P_DEFAULT) : -1;
    if (rep < 0 || H5Literate(rep, H5_INDEX_NAME, H5_ITER_INC, NULL, first_name, r->pop) < 0 ||
        !r->pop[0])
        st = lc_error(ctx, LEINAO_INVALID, "%s: no /report/<population> (not a frame report)", path);
    char where[300];
    hid_t data = -1, space = -1;
    if (!st) {
        snprintf(where, sizeof where, "report/%s/data", r->pop);
        data = H5Dopen2(file, where, H5P_DEFAULT);
        space = data >= 0 ? H5Dget_space(data) : -1;
        hsize_t dims[2];
        if (space < 0 || H5Sget_simple_extent_ndims(space) != 2 ||
            H5Sget_simple_extent_dims(space, dims, NULL) != 2 || dims[0] * dims[1] > 50000000ull)
            st = lc_error(ctx, LEINAO_INVALID, "%s: /%s must be a 2-D dataset (times x columns)",
                          path, where);
        else {
            r->rows = dims[0];
            r->cols = dims[1];
            r->data = lc_malloc(ctx, (size_t)(r->rows * r->cols + 1) * sizeof(double));
            if (!r->data)
                st = LEINAO_NOMEM;
            else if (r->rows > 0 && r->cols > 0 &&
                     H5Dread(data, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, r->data) < 0)
                st = lc_error(ctx, LEINAO_INVALID, "%s: cannot read /%s", path, where);
        }
    }
    if (!st) {
        /* variable names and units (leinao's attributes); otherwise one unnamed variable */
        char *values[2] = {NULL, NULL};
        const char *names[2] = {"variables", "units"};
        for (int k = 0; k < 2; k++) {
            if (H5Aexists(data, names[k]) <= 0)
                continue;
            hid_t attr = H5Aopen(data, names[k], H5P_DEFAULT), mem = H5Tcopy(H5T_C_S1);
            H5Tset_size(mem, H5T_VARIABLE);
            H5Tset_cset(mem, H5T_CSET_UTF8);
            hid_t type = attr >= 0 ? H5Aget_type(attr) : -1;
            if (type >= 0 && H5Tis_variable_str(type) > 0 && H5Aread(attr, mem, &values[k]) < 0)
                values[k] = NULL;
            if (type >= 0)
                H5Tclose(type);
            H5Tclose(mem);
            if (attr >= 0)
                H5Aclose(attr);
        }
        snprintf(r->variables, sizeof r->variables, "%s", values[0] ? values[0] : "value");
        snprintf(r->units, sizeof r->units, "%s", values[1] ? values[1] : "");
        for (int k = 0; k < 2; k++)
            if (values[k])
                H5free_memory(values[k]);
        snprintf(where, sizeof where, "report/%s/mapping/time", r->pop);
        hid_t t = H5Dopen2(file, where, H5P_DEFAULT);
        hid_t ts = t >= 0 ? H5Dget_space(t) : -1;
        if (t < 0 || H5Sget_simple_extent_npoints(ts) != 3 ||
            H5Dread(t, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, r->time) < 0 ||
            !(r->time[2] > 0) || !isfinite(r->time[0]))
            st = lc_error(ctx, LEINAO_INVALID, "%s: /%s must hold [start, stop, step]", path, where);
        if (ts >= 0)
            H5Sclose(ts);
        if (t >= 0)
            H5Dclose(t);
        /* the neurons' ids (labels of the traces); optional */
        snprintf(where, sizeof where, "report/%s/mapping/node_ids", r->pop);
        hid_t ids = !st && H5Lexists(file, where, H5P_DEFAULT) > 0 ? H5Dopen2(file, where, H5P_DEFAULT) : -1;
        hid_t is = ids >= 0 ? H5Dget_space(ids) : -1;
        hssize_t n_ids = is >= 0 ? H5Sget_simple_extent_npoints(is) : -1;
        if (n_ids > 0 && n_ids <= 1000000) {
            r->node_ids = lc_malloc(ctx, (size_t)n_ids * sizeof *r->node_ids);
            if (r->node_ids &&
                H5Dread(ids, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, r->node_ids) >= 0) {
                r->n_nodes = (size_t)n_ids;
            } else {
                lc_free(ctx, r->node_ids);
                r->node_ids = NULL;
            }
        }
        if (is >= 0)
            H5Sclose(is);
        if (ids >= 0)
            H5Dclose(ids);
    }
    if (space >= 0)
        H5Sclose(space);
    if (data >= 0)
        H5Dclose(data);
    if (rep >= 0)
        H5Gclose(rep);
    H5Fclose(file);
    return st;
}

/* The i-th comma-separated item of `list` into out ("" past the end). */
static void item(const char *list, int i, char *out, size_t n)
{
    out[0] = 0;
    for (const char *p = list; *p; i--) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (i == 0) {
            snprintf(out, n, "%.*s", (int)(len < n - 1 ? len : n - 1), p);
            return;
        }
        if (!end)
            return;
        p = end + 1;
    }
}

static const double trace_colours[8][3] = {{0.12, 0.47, 0.71}, {0.84, 0.15, 0.16},
                                           {0.17, 0.63, 0.17}, {1.0, 0.5, 0.05},
                                           {0.58, 0.40, 0.74}, {0.55, 0.34, 0.29},
                                           {0.89, 0.47, 0.76}, {0.5, 0.5, 0.5}};

leinao_status lplot_state_region(lctx *ctx, cairo_t *cr, const char *report_file, lbox region,
                                 const leinao_plot_options *o)
{
    report r;
    leinao_status st = read_report(ctx, report_file, &r);
    if (st) {
        lc_free(ctx, r.data);
        lc_free(ctx, r.node_ids);
        return st;
    }
    /* variables are the comma-separated names; columns are neuron-major */
    int n_vars = 0;
    char name[64], unit[64];
    for (item(r.variables, 0, name, sizeof name); name[0] && n_vars < 16;
         item(r.variables, ++n_vars, name, sizeof name))
        ;
    if (n_vars == 0 || r.cols % (hsize_t)n_vars) {
        lc_free(ctx, r.data);
        lc_free(ctx, r.node_ids);
        return lc_error(ctx, LEINAO_INVALID, "%s: %llu columns do not fit %d variables", report_file,
                        (unsigned long long)r.cols, n_vars);
    }
    size_t neurons = (size_t)(r.cols / (hsize_t)n_vars);
    double t0 = r.time[0], t1 = t0 + r.time[2] * (double)(r.rows ? r.rows - 1 : 0);
    if (!isnan(o->t_from))
        t0 = o->t_from;
    if (!isnan(o->t_to))
        t1 = o->t_to;
    if (!(t1 > t0))
        t1 = t0 + r.time[2];
    const size_t drawn = neurons < 64 ? neurons : 64, named = drawn < 8 ? drawn : 8;
    const double left = 120, right = named ? 130 : 30, top = 50, bottom = 60, gap = 36;
    double panel_h = (region.h - top - bottom - gap * (n_vars - 1)) / n_vars;
    double panel_w = region.w - left - right;
    char label[1400];
    for (int v = 0; v < n_vars; v++) {
        lbox panel = {region.x + left, region.y + top + v * (panel_h + gap), panel_w, panel_h};
        double lo = INFINITY, hi = -INFINITY;
        for (hsize_t k = 0; k < r.rows; k++)
            for (size_t j = 0; j < neurons; j++) {
                double x = r.data[k * r.cols + j * (size_t)n_vars + (size_t)v];
                if (isfinite(x)) {
                    lo = fmin(lo, x);
                    hi = fmax(hi, x);
                }
            }
        if (!(hi > lo)) {
            lo = isfinite(lo) ? lo - 1 : 0;
            hi = lo + 2;
        }
        double pad = (hi - lo) * 0.05;
        lo -= pad;
        hi += pad;
        cairo_save(cr);
        cairo_rectangle(cr, panel.x, panel.y, panel.w, panel.h);
        cairo_clip(cr);
        for (size_t j = 0; j < drawn; j++) {
            cairo_set_source_rgb(cr, trace_colours[j % 8][0], trace_colours[j % 8][1],
                                 trace_colours[j % 8][2]);
            cairo_set_line_width(cr, 1.2);
            int started = 0;
            for (hsize_t k = 0; k < r.rows; k++) {
                double t = r.time[0] + r.time[2] * (double)k;
                double x = r.data[k * r.cols + j * (size_t)n_vars + (size_t)v];
                if (t < t0 || t > t1 || !isfinite(x))
                    continue;
                double px = panel.x + (t - t0) / (t1 - t0) * panel.w;
                double py = panel.y + panel.h - (x - lo) / (hi - lo) * panel.h;
                if (started)
                    cairo_line_to(cr, px, py);
                else
                    cairo_move_to(cr, px, py);
                started = 1;
            }
            cairo_stroke(cr);
        }
        cairo_restore(cr);
        /* ticks with values on both axes of every panel; the time labelled under the last */
        lplot_axes(cr, panel, t0, t1, lo, hi, 1, 1);
        item(r.variables, v, name, sizeof name);
        item(r.units, v, unit, sizeof unit);
        if (unit[0])
            snprintf(label, sizeof label, "%s (%s)", name, unit);
        else
            snprintf(label, sizeof label, "%s", name);
        cairo_set_source_rgb(cr, 0, 0, 0);
        lplot_vertical_text(cr, region.x + 22, panel.y + panel.h / 2, label, 13);
    }
    /* which trace is which neuron: a legend right of the first panel */
    double ly = region.y + top + 10;
    for (size_t j = 0; j < named; j++) {
        cairo_set_source_rgb(cr, trace_colours[j % 8][0], trace_colours[j % 8][1],
                             trace_colours[j % 8][2]);
        cairo_set_line_width(cr, 2.0);
        double lx = region.x + left + panel_w + 12;
        cairo_move_to(cr, lx, ly + 16.0 * (double)j);
        cairo_line_to(cr, lx + 18, ly + 16.0 * (double)j);
        cairo_stroke(cr);
        if (r.node_ids && j < r.n_nodes)
            snprintf(label, sizeof label, "neuron %llu", (unsigned long long)r.node_ids[j]);
        else
            snprintf(label, sizeof label, "column %zu", j);
        cairo_set_source_rgb(cr, 0, 0, 0);
        lplot_text(cr, lx + 24, ly + 16.0 * (double)j, label, 12, 0.0, 0.5);
    }
    if (neurons > named) {
        snprintf(label, sizeof label, "%zu more%s", neurons - named,
                 neurons > drawn ? " (64 drawn)" : "");
        lplot_text(cr, region.x + left + panel_w + 12, ly + 16.0 * (double)named, label, 11, 0.0,
                   0.5);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    lplot_text(cr, region.x + left + panel_w / 2, region.y + region.h - bottom + 30, "time (ms)",
               13, 0.5, 0.0);
    snprintf(label, sizeof label, "%s: %s (%s) of %zu neuron%s, every %g ms, %g to %g ms",
             o->title ? o->title : r.pop, r.variables, r.units, neurons, neurons == 1 ? "" : "s",
             r.time[2], t0, t1);
    lplot_text(cr, region.x + region.w / 2.0, region.y + 20, label, 15, 0.5, 0.5);
    lc_free(ctx, r.data);
    lc_free(ctx, r.node_ids);
    return LEINAO_OK;
}

leinao_status lplot_state(lctx *ctx, const char *report_file, const char *out_path,
                          const leinao_plot_options *o)
{
    lcanvas c = {NULL, NULL, 0, NULL};
    leinao_status st = lcanvas_open(ctx, &c, out_path, o->width, o->height);
    if (st)
        return st;
    lbox page = {0, 0, o->width, o->height};
    st = lplot_state_region(ctx, c.cr, report_file, page, o);
    leinao_status cs = lcanvas_close(ctx, &c);
    if (st)
        remove(out_path); /* no half-drawn picture */
    return st ? st : cs;
}
