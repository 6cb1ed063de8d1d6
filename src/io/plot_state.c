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

leinao_status lplot_state(lctx *ctx, const char *report_file, const char *out_path,
                          const leinao_plot_options *o)
{
    report r;
    leinao_status st = read_report(ctx, report_file, &r);
    if (st) {
        lc_free(ctx, r.data);
        return st;
    }
    /* variables are the comma-separated names; columns are neuron-major */
    char names[16][64];
    int n_vars = 0;
    for (char *p = r.variables; *p && n_vars < 16;) {
        char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        snprintf(names[n_vars++], sizeof names[0], "%.*s", (int)(len < 63 ? len : 63), p);
        p = end ? end + 1 : p + len;
    }
    if (n_vars == 0 || r.cols % (hsize_t)n_vars) {
        lc_free(ctx, r.data);
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
    lcanvas c = {NULL, NULL, 0, NULL};
    if ((st = lcanvas_open(ctx, &c, out_path, o->width, o->height))) {
        lc_free(ctx, r.data);
        return st;
    }
    cairo_t *cr = c.cr;
    const double left = 110, right = 30, top = 50, bottom = 60, gap = 30;
    double panel_h = (o->height - top - bottom - gap * (n_vars - 1)) / n_vars;
    double panel_w = o->width - left - right;
    char label[1400];
    for (int v = 0; v < n_vars; v++) {
        double y0 = top + v * (panel_h + gap), lo = INFINITY, hi = -INFINITY;
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
        for (size_t j = 0; j < neurons && j < 64; j++) {
            static const double colours[4][3] = {{0.12, 0.47, 0.71}, {0.84, 0.15, 0.16},
                                                 {0.17, 0.63, 0.17}, {1.0, 0.5, 0.05}};
            cairo_set_source_rgb(cr, colours[j % 4][0], colours[j % 4][1], colours[j % 4][2]);
            cairo_set_line_width(cr, 1.2);
            int started = 0;
            for (hsize_t k = 0; k < r.rows; k++) {
                double t = r.time[0] + r.time[2] * (double)k;
                double x = r.data[k * r.cols + j * (size_t)n_vars + (size_t)v];
                if (t < t0 || t > t1 || !isfinite(x))
                    continue;
                double px = left + (t - t0) / (t1 - t0) * panel_w;
                double py = y0 + panel_h - (x - lo) / (hi - lo) * panel_h;
                if (started)
                    cairo_line_to(cr, px, py);
                else
                    cairo_move_to(cr, px, py);
                started = 1;
            }
            cairo_stroke(cr);
        }
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, 1.0);
        cairo_rectangle(cr, left, y0, panel_w, panel_h);
        cairo_stroke(cr);
        cairo_set_font_size(cr, 13);
        snprintf(label, sizeof label, "%s", names[v]);
        cairo_move_to(cr, 10, y0 + panel_h / 2);
        cairo_show_text(cr, label);
        cairo_set_font_size(cr, 11);
        snprintf(label, sizeof label, "%.4g", hi);
        cairo_move_to(cr, left - 60, y0 + 12);
        cairo_show_text(cr, label);
        snprintf(label, sizeof label, "%.4g", lo);
        cairo_move_to(cr, left - 60, y0 + panel_h);
        cairo_show_text(cr, label);
    }
    cairo_set_font_size(cr, 12);
    snprintf(label, sizeof label, "%g ms", t0);
    cairo_move_to(cr, left, o->height - bottom + 20);
    cairo_show_text(cr, label);
    snprintf(label, sizeof label, "%g ms", t1);
    cairo_move_to(cr, left + panel_w - 60, o->height - bottom + 20);
    cairo_show_text(cr, label);
    cairo_set_font_size(cr, 15);
    snprintf(label, sizeof label, "%s: %s (%s) of %zu neuron(s), every %g ms",
             o->title ? o->title : r.pop, r.variables, r.units, neurons, r.time[2]);
    cairo_move_to(cr, left, 28);
    cairo_show_text(cr, label);
    lc_free(ctx, r.data);
    return lcanvas_close(ctx, &c);
}
