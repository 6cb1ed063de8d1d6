/* sonata_inputs.c — a SONATA simulation's run settings, inputs (spike trains of virtual nodes
 * from SONATA HDF5, legacy bmtk HDF5 or CSV spike files; IClamp current clamps), reports
 * (state variables of a node set) and outputs (spike files), and the loader's entry points
 * declared in leinao.h. */
#include "sonata_net.h"
#include "h5util.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT_SPIKES 2000000000ull

typedef struct sspikes {
    size_t n;
    double *t;
    double *id;
} sspikes;

static leinao_status read_h5_vector(sload *S, const char *file, hid_t loc, const char *gpath,
                                    const char *name, size_t expect, double **out, size_t *n)
{
    hid_t set = H5Lexists(loc, name, H5P_DEFAULT) > 0 ? H5Dopen2(loc, name, H5P_DEFAULT) : -1;
    if (set < 0)
        return serr(S, LEINAO_MODEL_FILE, "%s: missing dataset %s/%s", file, gpath, name);
    hid_t space = H5Dget_space(set);
    hsize_t dims[1] = {0};
    leinao_status st = LEINAO_OK;
    if (space < 0 || H5Sget_simple_extent_ndims(space) != 1 ||
        H5Sget_simple_extent_dims(space, dims, NULL) != 1)
        st = serr(S, LEINAO_MODEL_FILE, "%s: %s/%s must be one-dimensional", file, gpath, name);
    else if (dims[0] > MAX_INPUT_SPIKES)
        st = serr(S, LEINAO_MODEL_FILE, "%s: %s/%s is too long", file, gpath, name);
    else if (expect != (size_t)-1 && dims[0] != expect)
        st = serr(S, LEINAO_MODEL_FILE,
                  "%s: %s: timestamps and node ids differ in length (%zu, %llu)", file, gpath,
                  expect, (unsigned long long)dims[0]);
    if (!st) {
        *n = (size_t)dims[0];
        *out = lc_malloc(S->ctx, (*n ? *n : 1) * sizeof **out);
        if (!*out)
            st = LEINAO_NOMEM;
        else if (*n && H5Dread(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out) < 0)
            st = serr(S, LEINAO_MODEL_FILE, "%s: cannot read %s/%s as numbers", file, gpath, name);
    }
    if (space >= 0)
        H5Sclose(space);
    H5Dclose(set);
    return st;
}

/* The spikes of population `pop` in a SONATA spike file (/spikes/<pop>/{timestamps, node_ids})
 * or in bmtk's older layout (/spikes/{gids, timestamps}). */
static leinao_status read_spikes_h5(sload *S, const char *file, const char *pop, sspikes *out)
{
    leinao_status st = LEINAO_OK;
    hid_t h5 = lh5_open_read(S->ctx, file, " (a SONATA spike file is)", &st);
    if (h5 < 0)
        return st == LEINAO_INVALID ? LEINAO_MODEL_FILE : st;
    char gpath[300];
    snprintf(gpath, sizeof gpath, "/spikes/%s", pop);
    int legacy = H5Lexists(h5, "/spikes", H5P_DEFAULT) > 0 &&
                 H5Lexists(h5, "/spikes/gids", H5P_DEFAULT) > 0;
    const char *at = legacy ? "/spikes" : gpath;
    hid_t g = H5Lexists(h5, "/spikes", H5P_DEFAULT) > 0 && H5Lexists(h5, at, H5P_DEFAULT) > 0
                  ? H5Gopen2(h5, at, H5P_DEFAULT)
                  : -1;
    if (g < 0)
        st = serr(S, LEINAO_MODEL_FILE, "%s: no group %s (the spikes of node population '%s')",
                  file, gpath, pop);
    size_t n = (size_t)-1;
    if (!st)
        st = read_h5_vector(S, file, g, at, "timestamps", n, &out->t, &n);
    if (!st)
        st = read_h5_vector(S, file, g, at, legacy ? "gids" : "node_ids", n, &out->id, &n);
    if (!st)
        out->n = n;
    if (g >= 0)
        H5Gclose(g);
    H5Fclose(h5);
    return st;
}

/* bmtk's spike CSV: columns timestamps and node_ids (or gids), optionally population. */
static leinao_status read_spikes_csv(sload *S, const char *file, const char *pop, sspikes *out)
{
    lcsv *t;
    leinao_status st = lcsv_read(S->ctx, file, &t);
    if (st)
        return st;
    int c_t = lcsv_col(t, "timestamps"), c_id = lcsv_col(t, "node_ids");
    int c_pop = lcsv_col(t, "population");
    if (c_id < 0)
        c_id = lcsv_col(t, "gids");
    if (c_t < 0 || c_id < 0)
        st = serr(S, LEINAO_MODEL_FILE, "%s: a spike CSV needs the columns timestamps and "
                                        "node_ids",
                  file);
    if (!st) {
        out->t = lc_malloc(S->ctx, (t->n_rows ? t->n_rows : 1) * sizeof *out->t);
        out->id = lc_malloc(S->ctx, (t->n_rows ? t->n_rows : 1) * sizeof *out->id);
        if (!out->t || !out->id)
            st = LEINAO_NOMEM;
    }
    for (size_t r = 0; !st && r < t->n_rows; r++) {
        if (c_pop >= 0 && strcmp(lcsv_cell(t, r, c_pop), pop))
            continue;
        char *e1, *e2;
        double time = strtod(lcsv_cell(t, r, c_t), &e1), id = strtod(lcsv_cell(t, r, c_id), &e2);
        if (*e1 || *e2 || !lcsv_cell(t, r, c_t)[0] || !lcsv_cell(t, r, c_id)[0])
            st = serr(S, LEINAO_MODEL_FILE, "%s:%d: timestamps and node_ids must be numbers",
                      file, t->line[r + 1]);
        out->t[out->n] = time;
        out->id[out->n++] = id;
    }
    lcsv_free(S->ctx, t);
    return st;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* A spike time onto the dt grid as NEST's spike_generator does with allow_offgrid_times: a
 * time within 1e-9 steps of a grid point is that point, any other is the end of its step. */
static double grid_time(double t, double dt)
{
    double steps = t / dt, whole = nearbyint(steps);
    double k = fabs(steps - whole) <= 1e-9 * (whole > 1 ? whole : 1) ? whole : ceil(steps);
    return (k < 1 ? 1 : k) * dt;
}

static leinao_status spike_input(sload *S, ynode *in, const char *name)
{
    const sconfig *c = S->sim_cfg;
    char file[SPATH], module[64], where[1000];
    snprintf(where, sizeof where, "%.700s: inputs.%.200s", c->path, name);
    leinao_status st = sconfig_string(S, c, in, "input_file", 1, file, sizeof file);
    if (!st)
        st = sconfig_string(S, c, in, "module", 0, module, sizeof module);
    if (st)
        return st;
    if (!file[0])
        return serr(S, LEINAO_MODEL_FILE, "%s: missing key 'input_file'", where);
    ynode *ns = ytree_get(in, "node_set");
    if (!ns)
        return serr(S, LEINAO_MODEL_FILE, "%s: missing key 'node_set'", where);
    snode_set set;
    if ((st = snode_set_resolve(S, ns, where, &set)))
        return st;
    snodes *p = set.nodes;
    sspikes sp = {0, NULL, NULL};
    size_t *count = NULL, *start = NULL;
    double *sorted = NULL;
    if (!p->is_virtual)
        st = serr(S, LEINAO_UNSUPPORTED, "%s: spike trains drive virtual nodes, and '%s' is a "
                                         "population of neurons",
                  where, p->name);
    else if (!strcmp(module, "csv"))
        st = read_spikes_csv(S, file, p->name, &sp);
    else if (!strcmp(module, "sonata") || !strcmp(module, "h5") || !strcmp(module, "hdf5"))
        st = read_spikes_h5(S, file, p->name, &sp);
    else
        st = serr(S, LEINAO_UNSUPPORTED,
                  "%s: spike input module '%s' is not supported (sonata, h5, csv)", where, module);
    if (!st) {
        count = lc_calloc(S->ctx, (size_t)p->n + 1, sizeof *count);
        start = lc_calloc(S->ctx, (size_t)p->n + 1, sizeof *start);
        sorted = lc_malloc(S->ctx, (sp.n ? sp.n : 1) * sizeof *sorted);
        if (!count || !start || !sorted)
            st = LEINAO_NOMEM;
    }
    /* the spikes per node, in time order, on the grid; those after tstop never happen */
    size_t kept = 0;
    for (size_t k = 0; !st && k < sp.n; k++) {
        double id = sp.id[k];
        if (!(id >= 0 && id < (double)p->n && id == floor(id)))
            st = serr(S, LEINAO_MODEL_FILE,
                      "%s: spike %zu: node id %g is not a node of population '%s' (%llu nodes)",
                      file, k, id, p->name, (unsigned long long)p->n);
        else if (!isfinite(sp.t[k]) || sp.t[k] < 0)
            st = serr(S, LEINAO_MODEL_FILE, "%s: spike %zu: time %g must be finite and >= 0", file,
                      k, sp.t[k]);
        else if (sp.t[k] <= S->tstop)
            count[(size_t)id]++;
    }
    for (uint64_t i = 0; !st && i < p->n; i++)
        start[i + 1] = start[i] + count[i];
    for (size_t k = 0; !st && k < sp.n; k++)
        if (sp.t[k] <= S->tstop)
            sorted[start[(size_t)sp.id[k]] + --count[(size_t)sp.id[k]]] = sp.t[k];
    for (size_t i = 0; !st && i < set.n; i++) {
        uint32_t id = set.ids[i];
        size_t n = start[id + 1] - start[id];
        double *times = sorted + start[id];
        if (p->gen[id] < 0 || n == 0)
            continue; /* no edges: its spikes reach no one */
        qsort(times, n, sizeof *times, compare_double);
        for (size_t k = 0; k < n; k++)
            times[k] = grid_time(times[k], S->dt);
        kept += n;
        if ((st = leinao_set_param_array(S->sim, p->gen[id], "spike_times", times, n)))
            st = sapi(S, st, "%s: node %u of '%s'", file, id, p->name);
    }
    (void)kept;
    lc_free(S->ctx, count);
    lc_free(S->ctx, start);
    lc_free(S->ctx, sorted);
    lc_free(S->ctx, sp.t);
    lc_free(S->ctx, sp.id);
    snode_set_free(S, &set);
    return st;
}

/* One step of current: amp pA from t_on to t_off ms into the nodes of `set`. */
static leinao_status clamp_step(sload *S, const snode_set *set, double amp, double t_on,
                                double t_off, const char *where)
{
    char name[64];
    snprintf(name, sizeof name, "iclamp_%d", S->n_devices++);
    int gen = -1, proj = -1;
    leinao_status st = leinao_add_population(S->sim, name, "dc_generator", 1, &gen);
    if (!st)
        st = leinao_set_param(S->sim, gen, "amplitude", amp);
    if (!st)
        st = leinao_set_param(S->sim, gen, "start", t_on);
    if (!st)
        st = leinao_set_param(S->sim, gen, "stop", t_off);
    if (st)
        return sapi(S, st, "%s: amp %g, delay %g, duration %g", where, amp, t_on, t_off - t_on);
    uint32_t *zeros = lc_calloc(S->ctx, set->n ? set->n : 1, sizeof *zeros);
    double *delays = lc_malloc(S->ctx, (set->n ? set->n : 1) * sizeof *delays);
    if (!zeros || !delays)
        st = LEINAO_NOMEM;
    for (size_t i = 0; !st && i < set->n; i++)
        delays[i] = S->dt; /* as bmtk connects its step_current_generator */
    if (!st && (st = leinao_connect_explicit(S->sim, gen, set->nodes->pop, set->n, zeros, set->ids,
                                             NULL, delays, &proj)))
        st = sapi(S, st, "%s", where);
    lc_free(S->ctx, zeros);
    lc_free(S->ctx, delays);
    return st;
}

/* A number or a list of numbers at `key`: into v (at most max). */
static leinao_status numbers(sload *S, ynode *in, const char *key, double *v, size_t max,
                             size_t *n, const char *where)
{
    ynode *x = ytree_get(in, key);
    *n = 0;
    if (!x)
        return serr(S, LEINAO_MODEL_FILE, "%s: missing key '%s'", where, key);
    size_t count = x->type == YN_SEQ ? x->n : 1;
    if (count > max)
        return serr(S, LEINAO_MODEL_FILE, "%s: %s: at most %zu values", where, key, max);
    for (size_t k = 0; k < count; k++)
        if (!snumber(x->type == YN_SEQ ? x->items[k] : x, &v[k]))
            return serr(S, LEINAO_MODEL_FILE, "%s: %s must be a number or a list of numbers",
                        where, key);
    *n = count;
    return LEINAO_OK;
}

/* IClamp (bmtk's pointnet: a step_current_generator whose amplitudes are the config's numbers,
 * taken as pA): amp/delay/duration as numbers or lists, or a CSV of "timestamps amps" steps. */
static leinao_status clamp_input(sload *S, ynode *in, const char *name, const char *input_type)
{
    const sconfig *c = S->sim_cfg;
    char where[1000], file[SPATH];
    snprintf(where, sizeof where, "%.700s: inputs.%.200s", c->path, name);
    ynode *ns = ytree_get(in, "node_set");
    if (!ns)
        return serr(S, LEINAO_MODEL_FILE, "%s: missing key 'node_set'", where);
    snode_set set;
    leinao_status st = snode_set_resolve(S, ns, where, &set);
    if (st)
        return st;
    if (set.nodes->is_virtual)
        st = serr(S, LEINAO_MODEL_FILE, "%s: a current clamp needs neurons; '%s' is virtual",
                  where, set.nodes->name);
    if (!st && !strcmp(input_type, "csv")) {
        lcsv *t = NULL;
        st = sconfig_string(S, c, in, "file", 1, file, sizeof file);
        if (!st && !file[0])
            st = serr(S, LEINAO_MODEL_FILE, "%s: missing key 'file'", where);
        if (!st)
            st = lcsv_read(S->ctx, file, &t);
        int c_t = t ? lcsv_col(t, "timestamps") : -1, c_a = t ? lcsv_col(t, "amps") : -1;
        if (!st && (c_t < 0 || c_a < 0))
            st = serr(S, LEINAO_MODEL_FILE, "%s: a current-clamp CSV needs the columns "
                                            "timestamps and amps",
                      file);
        double prev = -INFINITY;
        for (size_t r = 0; !st && r < t->n_rows; r++) {
            char *e1, *e2, *e3 = NULL;
            double on = strtod(lcsv_cell(t, r, c_t), &e1), amp = strtod(lcsv_cell(t, r, c_a), &e2);
            double off = r + 1 < t->n_rows ? strtod(lcsv_cell(t, r + 1, c_t), &e3) : INFINITY;
            if (*e1 || *e2 || (e3 && *e3) || !(on >= 0) || !(on > prev))
                st = serr(S, LEINAO_MODEL_FILE,
                          "%s:%d: timestamps and amps must be numbers, times >= 0 and increasing",
                          file, t->line[r + 1]);
            prev = on;
            if (!st && amp != 0.0)
                st = clamp_step(S, &set, amp, on, off, where);
        }
        lcsv_free(S->ctx, t);
    } else if (!st) {
        double amp[256], delay[256], duration[256];
        size_t na, nd, nu;
        st = numbers(S, in, "amp", amp, 256, &na, where);
        if (!st)
            st = numbers(S, in, "delay", delay, 256, &nd, where);
        if (!st)
            st = numbers(S, in, "duration", duration, 256, &nu, where);
        if (!st && (na != nd || na != nu))
            st = serr(S, LEINAO_MODEL_FILE, "%s: amp, delay and duration must be lists of one "
                                            "length (%zu, %zu, %zu)",
                      where, na, nd, nu);
        for (size_t k = 0; !st && k < na; k++) {
            if (!(delay[k] >= 0) || !(duration[k] >= 0))
                st = serr(S, LEINAO_MODEL_FILE, "%s: delay and duration must be >= 0", where);
            else
                st = clamp_step(S, &set, amp[k], delay[k], delay[k] + duration[k], where);
        }
    }
    snode_set_free(S, &set);
    return st;
}

leinao_status sinputs_load(sload *S)
{
    ynode *inputs = ytree_get(S->sim_cfg->root, "inputs");
    if (!inputs)
        return LEINAO_OK;
    if (inputs->type != YN_MAP)
        return serr(S, LEINAO_MODEL_FILE, "%s: inputs must be a mapping", S->sim_cfg->path);
    leinao_status st = LEINAO_OK;
    for (size_t i = 0; !st && i < inputs->n; i++) {
        ynode *in = inputs->items[i];
        const char *name = inputs->keys[i];
        char type[64], module[64];
        if (in->type != YN_MAP)
            return serr(S, LEINAO_MODEL_FILE, "%s: inputs.%s must be a mapping",
                        S->sim_cfg->path, name);
        ynode *enabled = ytree_get(in, "enabled");
        if (enabled && enabled->type == YN_SCALAR &&
            (!strcmp(enabled->text, "false") || !strcmp(enabled->text, "False")))
            continue;
        if ((st = sconfig_string(S, S->sim_cfg, in, "input_type", 0, type, sizeof type)) ||
            (st = sconfig_string(S, S->sim_cfg, in, "module", 0, module, sizeof module)))
            return st;
        if (!strcmp(type, "spikes"))
            st = spike_input(S, in, name);
        else if (!strcmp(module, "IClamp") && (!strcmp(type, "current_clamp") || !strcmp(type, "csv")))
            st = clamp_input(S, in, name, type);
        else
            st = serr(S, LEINAO_UNSUPPORTED,
                      "%s: inputs.%s: input_type '%s' with module '%s' is not supported (spikes; "
                      "current_clamp or csv with IClamp)",
                      S->sim_cfg->path, name, type, module);
    }
    return st;
}

static leinao_status report(sload *S, ynode *r, const char *name)
{
    const sconfig *c = S->sim_cfg;
    char where[1000], var[64], file[SPATH];
    snprintf(where, sizeof where, "%.700s: reports.%.200s", c->path, name);
    ynode *cells = ytree_get(r, "cells");
    if (!cells)
        return serr(S, LEINAO_MODEL_FILE, "%s: missing key 'cells'", where);
    /* variable_name: one name, or a list of them (bmtk's multimeter_report): one report */
    ynode *vlist = ytree_get(r, "variable_name");
    const char *vars[64] = {var};
    size_t n_vars = 1;
    leinao_status st = LEINAO_OK;
    var[0] = 0;
    if (vlist && vlist->type == YN_SEQ) {
        if (vlist->n == 0 || vlist->n > 64)
            return serr(S, LEINAO_MODEL_FILE, "%s:%d:%d: variable_name: name 1 to 64 variables",
                        c->path, vlist->line, vlist->col);
        for (size_t k = 0; k < vlist->n; k++) {
            if (vlist->items[k]->type != YN_SCALAR)
                return serr(S, LEINAO_MODEL_FILE, "%s:%d:%d: variable_name[%zu] must be a string",
                            c->path, vlist->items[k]->line, vlist->items[k]->col, k);
            vars[k] = vlist->items[k]->text;
        }
        n_vars = vlist->n;
        snprintf(var, sizeof var, "%s", vars[0]);
    } else {
        st = sconfig_string(S, c, r, "variable_name", 0, var, sizeof var);
    }
    if (!st)
        st = sconfig_string(S, c, r, "file_name", 0, file, sizeof file);
    if (st)
        return st;
    if (!var[0])
        return serr(S, LEINAO_MODEL_FILE, "%s: missing key 'variable_name'", where);
    if (!file[0])
        snprintf(file, sizeof file, "%.200s.h5", name);
    double interval = S->dt;
    if ((st = sconfig_number(S, c, r, "dt", &interval)))
        return st;
    snode_set set;
    if ((st = snode_set_resolve(S, cells, where, &set)))
        return st;
    if (set.nodes->is_virtual)
        st = serr(S, LEINAO_MODEL_FILE, "%s: virtual nodes ('%s') have no %s", where,
                  set.nodes->name, var);
    else if (set.n == 0)
        st = serr(S, LEINAO_MODEL_FILE, "%s: the node set is empty", where);
    else if ((st = leinao_record_state(S->sim, set.nodes->pop, vars, n_vars, set.ids, set.n,
                                       interval,
                                       file, "sonata")))
        st = sapi(S, st, "%s", where);
    snode_set_free(S, &set);
    return st;
}

leinao_status soutputs_load(sload *S, char *output_dir, size_t size, int *overwrite,
                            char *log_file, size_t log_size)
{
    const sconfig *c = S->sim_cfg;
    ynode *reports = ytree_get(c->root, "reports");
    leinao_status st = LEINAO_OK;
    if (reports && reports->type != YN_MAP)
        return serr(S, LEINAO_MODEL_FILE, "%s: reports must be a mapping", c->path);
    for (size_t i = 0; reports && !st && i < reports->n; i++) {
        ynode *r = reports->items[i];
        if (r->type != YN_MAP)
            return serr(S, LEINAO_MODEL_FILE, "%s: reports.%s must be a mapping", c->path,
                        reports->keys[i]);
        ynode *enabled = ytree_get(r, "enabled");
        if (enabled && enabled->type == YN_SCALAR &&
            (!strcmp(enabled->text, "false") || !strcmp(enabled->text, "False")))
            continue;
        st = report(S, r, reports->keys[i]);
    }
    ynode *out = ytree_get(c->root, "output");
    char spikes[SPATH], csv[SPATH], order[64];
    if (!st)
        st = sconfig_string(S, c, out, "output_dir", 1, output_dir, size);
    if (!st)
        st = sconfig_string(S, c, out, "spikes_file", 0, spikes, sizeof spikes);
    if (!st)
        st = sconfig_string(S, c, out, "spikes_file_csv", 0, csv, sizeof csv);
    if (!st)
        st = sconfig_string(S, c, out, "spikes_sort_order", 0, order, sizeof order);
    if (!st)
        st = sconfig_string(S, c, out, "log_file", 0, log_file, log_size);
    if (st)
        return st;
    if (!output_dir[0])
        snprintf(output_dir, size, "%.4000s/output", c->dir);
    ynode *ow = out && out->type == YN_MAP ? ytree_get(out, "overwrite_output_dir") : NULL;
    *overwrite = ow && ow->type == YN_SCALAR && (!strcmp(ow->text, "true") || !strcmp(ow->text, "True"));
    if (order[0] && strcmp(order, "time") && strcmp(order, "by_time") && strcmp(order, "none"))
        return serr(S, LEINAO_UNSUPPORTED,
                    "%s: output.spikes_sort_order '%s' is not supported: leinao writes spikes in "
                    "time order (time, by_time or none)",
                    c->path, order);
    for (int i = 0; i < S->n_nodes && !st; i++) {
        const snodes *p = &S->nodes[i];
        if (p->is_virtual)
            continue;
        if (spikes[0] && (st = leinao_record_spikes(S->sim, p->pop, spikes, "sonata")))
            st = sapi(S, st, "%s: output.spikes_file", c->path);
        if (!st && csv[0] && (st = leinao_record_spikes(S->sim, p->pop, csv, "csv")))
            st = sapi(S, st, "%s: output.spikes_file_csv", c->path);
    }
    return st;
}

/* ---- entry points ---- */

static void sload_free(sload *S)
{
    for (int i = 0; i < S->n_nodes; i++) {
        lc_free(S->ctx, S->nodes[i].gen);
        lc_free(S->ctx, S->nodes[i].type_row);
    }
    lc_free(S->ctx, S->nodes);
    for (int i = 0; i < S->n_tables; i++)
        lcsv_free(S->ctx, S->tables[i]);
    lc_free(S->ctx, S->tables);
    sconfig_free(S);
}

static leinao_status load(sload *S, const char *path, const char *const *overrides, size_t n,
                          leinao_sonata_info *info)
{
    leinao_status st = sconfig_load(S, path, overrides, n);
    if (st)
        return st;
    ynode *run = ytree_get(S->sim_cfg->root, "run");
    if (!run || run->type != YN_MAP)
        return serr(S, LEINAO_MODEL_FILE, "%s: missing key 'run' (with tstop and dt)",
                    S->sim_cfg->path);
    double seed = LEINAO_DEFAULT_SEED, threads = 0;
    S->dt = LEINAO_DEFAULT_DT;
    S->tstop = NAN;
    if ((st = sconfig_number(S, S->sim_cfg, run, "tstop", &S->tstop)) ||
        (st = sconfig_number(S, S->sim_cfg, run, "dt", &S->dt)) ||
        (st = sconfig_number(S, S->sim_cfg, run, "random_seed", &seed)) ||
        (st = sconfig_number(S, S->sim_cfg, run, "threads", &threads)))
        return st;
    if (isnan(S->tstop))
        return serr(S, LEINAO_MODEL_FILE, "%s: run: missing key 'tstop'", S->sim_cfg->path);
    if (!(seed >= 0 && seed == floor(seed) && seed < 1.8e19) ||
        !(threads >= 0 && threads == floor(threads) && threads <= LEINAO_MAX_THREADS))
        return serr(S, LEINAO_MODEL_FILE, "%s: run: random_seed and threads must be whole "
                                          "numbers >= 0 (threads <= %d)",
                    S->sim_cfg->path, LEINAO_MAX_THREADS);
    if ((st = leinao_configure(S->sim, S->dt, S->tstop, (uint64_t)seed, (int)threads)))
        return sapi(S, st, "%s: run", S->sim_cfg->path);
    const char *slash = strrchr(path, '/');
    leinao_set_name(S->sim, slash ? slash + 1 : path);
    if ((st = snet_load_nodes(S)) || (st = snet_load_edges(S)) || (st = sinputs_load(S)))
        return st;
    leinao_sonata_info own;
    leinao_sonata_info *i = info ? info : &own;
    return soutputs_load(S, i->output_dir, sizeof i->output_dir, &i->overwrite, i->log_file,
                         sizeof i->log_file);
}

leinao_status leinao_load_sonata(leinao_sim *sim, const char *config_path,
                                 const char *const *overrides, size_t n_overrides,
                                 leinao_sonata_info *info)
{
    if (info)
        memset(info, 0, sizeof *info);
    if (leinao_population_count(sim) > 0)
        return leinao_report_error(sim, LEINAO_STATE,
                                   "a SONATA network must be loaded into a fresh handle");
    lctx own;
    void *user;
    leinao_alloc_fn alloc = leinao_allocator(sim, &user);
    lctx_init(&own, alloc, user);
    sload *S = lc_calloc(&own, 1, sizeof *S);
    if (!S)
        return leinao_report_error(sim, LEINAO_NOMEM, "out of memory");
    S->sim = sim;
    S->ctx = &own;
    leinao_status st = load(S, config_path, overrides, n_overrides, info);
    sload_free(S);
    lc_free(&own, S);
    if (st) {
        if (st == LEINAO_INVALID)
            st = LEINAO_MODEL_FILE;
        return leinao_report_error(sim, st, own.errmsg[0] ? own.errmsg : leinao_strerror(st));
    }
    return LEINAO_OK;
}

int leinao_is_sonata_config(const char *path)
{
    size_t len = strlen(path);
    if (len < 5 || strcmp(path + len - 5, ".json"))
        return 0;
    lctx ctx;
    leinao_sim *sim = NULL;
    if (leinao_open(&sim))
        return 0;
    void *user;
    leinao_alloc_fn alloc = leinao_allocator(sim, &user);
    lctx_init(&ctx, alloc, user);
    ynode *root = NULL;
    int yes = 0;
    if (!ytree_load_json(&ctx, path, &root)) {
        ynode *sim_key = ytree_get(root, "simulation");
        yes = !ytree_get(root, "populations") &&
              (ytree_get(root, "networks") || ytree_get(root, "network") ||
               ytree_get(root, "run") || (sim_key && sim_key->type == YN_SCALAR));
    }
    ytree_free(&ctx, root);
    leinao_close(sim);
    return yes;
}
