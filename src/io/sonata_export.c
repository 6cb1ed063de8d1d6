/* sonata_export.c — a built leinao network written as a SONATA circuit (leinao_export_sonata),
 * through include/leinao.h only: populations, their values (leinao_get_param_values), synapses
 * (leinao_get_connections), spike_generators' times (leinao_get_param_array) and the settings
 * (leinao_get_config). The files are what leinao_load_sonata reads back into the same network:
 * one node population and node type per population of neurons, one edges file, edge population
 * and edge type per projection (in projection order, so that the projections come back in it),
 * every parameter and initial value written (uniform ones in the node type's dynamics_params
 * JSON, per-neuron ones in the node group's dynamics_params subgroup), syn_weight and delay per
 * edge. */
#include "h5util.h"

#include <dirent.h>
#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define EPATH 4096

typedef struct exporter {
    leinao_sim *sim;
    lctx ctx;
    char dir[EPATH];
} exporter;

static leinao_status fail(exporter *E, leinao_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static leinao_status fail(exporter *E, leinao_status st, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return leinao_report_error(E->sim, st, msg);
}

/* The message of a failed API call, prefixed. */
static leinao_status api_fail(exporter *E, leinao_status st, const char *what)
{
    char msg[1024];
    snprintf(msg, sizeof msg, "export: %s: %s", what, leinao_errmsg(E->sim));
    return leinao_report_error(E->sim, st, msg);
}

static leinao_status make_dir(exporter *E, const char *path)
{
    if (mkdir(path, 0777) && errno != EEXIST)
        return fail(E, LEINAO_IO, "export: cannot create folder %s: %s", path, strerror(errno));
    return LEINAO_OK;
}

static FILE *open_text(exporter *E, const char *rel, leinao_status *st)
{
    char path[EPATH + 1024];
    snprintf(path, sizeof path, "%s/%.1000s", E->dir, rel);
    FILE *f = fopen(path, "w");
    *st = f ? LEINAO_OK : fail(E, LEINAO_IO, "export: cannot write %s: %s", path, strerror(errno));
    return f;
}

static leinao_status close_text(exporter *E, FILE *f, const char *rel)
{
    int bad = ferror(f);
    if (fclose(f) || bad)
        return fail(E, LEINAO_IO, "export: cannot write %s/%s", E->dir, rel);
    return LEINAO_OK;
}

static hid_t create_h5(exporter *E, const char *rel, leinao_status *st)
{
    char path[EPATH + 1024];
    snprintf(path, sizeof path, "%s/%.1000s", E->dir, rel);
    hid_t f = -1;
    H5E_BEGIN_TRY { f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT); }
    H5E_END_TRY;
    *st = f >= 0 ? LEINAO_OK : fail(E, LEINAO_IO, "export: cannot create %s", path);
    return f;
}

/* A number as JSON: shortest round-trip text. */
static void json_number(FILE *f, double v)
{
    char buf[64];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (strpbrk(buf, "eE") && fabs(v) >= 1e-4 && fabs(v) < 1e15) /* 300, not 3e+02 */
        for (int dec = 0; dec <= 20; dec++) {
            snprintf(buf, sizeof buf, "%.*f", dec, v);
            if (strtod(buf, NULL) == v)
                break;
        }
    fputs(buf, f);
    if (!strpbrk(buf, ".eE"))
        fputs(".0", f);
}

typedef struct popinfo {
    leinao_population_stats s;
    const char *kind; /* "neuron" or "device" */
    int is_virtual;   /* a spike_generator */
} popinfo;

/* ---- checks: what SONATA (and leinao_load_sonata) can hold ---- */

static leinao_status check_network(exporter *E, popinfo *pops, int n_pops)
{
    for (int p = 0; p < n_pops; p++) {
        popinfo *pi = &pops[p];
        leinao_status st = leinao_get_population_stats(E->sim, p, &pi->s);
        if (st)
            return api_fail(E, st, "population");
        pi->kind = leinao_model_kind(pi->s.model);
        if (!pi->kind)
            pi->kind = "neuron";
        if (!strcmp(pi->kind, "neuron"))
            continue;
        if (strcmp(pi->s.model, "spike_generator"))
            return fail(E, LEINAO_UNSUPPORTED,
                        "export: population '%s' is a %s: SONATA has no such generator (%s)",
                        pi->s.name, pi->s.model,
                        !strcmp(pi->s.model, "poisson_generator") ||
                                !strcmp(pi->s.model, "sinusoidal_poisson_generator")
                            ? "bmtk's Poisson spike input is bmtk's own, not a SONATA construct; "
                              "write its spikes out and drive a spike_generator with them"
                            : "only spike_generators become SONATA virtual nodes");
        pi->is_virtual = 1;
        double *v = lc_malloc(&E->ctx, (size_t)pi->s.size * sizeof *v);
        if (!v)
            return LEINAO_NOMEM;
        for (int k = 0; k < 2 && !st; k++) {
            const char *name = k ? "stop" : "start";
            if ((st = leinao_get_param_values(E->sim, p, name, v, pi->s.size)))
                st = api_fail(E, st, pi->s.name);
            else if (v[0] != (k ? INFINITY : 0.0))
                st = fail(E, LEINAO_UNSUPPORTED,
                          "export: population '%s': spike_generator with %s = %g: a SONATA spike "
                          "input has no activity window (leave start and stop at their "
                          "defaults)",
                          pi->s.name, name, v[0]);
        }
        lc_free(&E->ctx, v);
        if (st)
            return st;
    }
    for (int j = 0; j < leinao_projection_count(E->sim); j++) {
        leinao_projection_stats ps;
        leinao_status st = leinao_get_projection_stats(E->sim, j, &ps);
        if (st)
            return api_fail(E, st, "projection");
        if (strcmp(ps.synapse_model, "static_synapse") &&
            strcmp(ps.synapse_model, "stdp_synapse") && strcmp(ps.synapse_model, "tsodyks_synapse"))
            return fail(E, LEINAO_UNSUPPORTED,
                        "export: projection %d (%s -> %s) uses %s: leinao exports static_synapse, "
                        "stdp_synapse and tsodyks_synapse",
                        j, pops[ps.source].s.name, pops[ps.target].s.name, ps.synapse_model);
    }
    for (int i = 0;; i++) {
        leinao_state_recording_info r;
        if (leinao_get_state_recording(E->sim, i, &r))
            break;
        if (strcmp(r.format, "sonata"))
            return fail(E, LEINAO_UNSUPPORTED,
                        "export: state recording %s of population '%s' is %s: a SONATA report is "
                        "an HDF5 file (record it with format sonata)",
                        r.path, pops[r.pop].s.name, r.format);
        if (strchr(r.path, '/'))
            return fail(E, LEINAO_UNSUPPORTED,
                        "export: state recording %s: a SONATA report's file_name is a file in "
                        "the output folder, not a path",
                        r.path);
    }
    return LEINAO_OK;
}

/* ---- nodes ---- */

/* Every number parameter and non-hidden state variable of population p: uniform ones into the
 * JSON file, per-neuron ones as datasets of group `dyn`. */
static leinao_status write_neuron_values(exporter *E, int p, const popinfo *pi, FILE *json,
                                         hid_t dyn)
{
    int count = leinao_model_param_count(pi->s.model);
    double *v = lc_malloc(&E->ctx, (size_t)pi->s.size * sizeof *v);
    if (!v)
        return LEINAO_NOMEM;
    leinao_status st = LEINAO_OK;
    int first = 1;
    fputs("{", json);
    for (int i = 0; i < count && !st; i++) {
        leinao_param_info info;
        if (leinao_model_param(pi->s.model, i, &info) || info.hidden ||
            !strcmp(info.rule, "list of numbers"))
            continue;
        if ((st = leinao_get_param_values(E->sim, p, info.name, v, pi->s.size))) {
            st = api_fail(E, st, pi->s.name);
            break;
        }
        int uniform = 1, finite = 1;
        for (uint64_t k = 0; k < pi->s.size; k++) {
            uniform = uniform && v[k] == v[0];
            finite = finite && isfinite(v[k]);
        }
        if (!finite) {
            if (uniform && v[0] == info.default_value)
                continue; /* the default (V_min = -inf) */
            st = fail(E, LEINAO_UNSUPPORTED,
                      "export: population '%s': %s is not finite and not its default: JSON and "
                      "SONATA numbers are finite",
                      pi->s.name, info.name);
            break;
        }
        if (uniform) {
            fprintf(json, "%s\n  \"%s\": ", first ? "" : ",", info.name);
            json_number(json, v[0]);
            first = 0;
        } else if (!lh5_array(dyn, info.name, H5T_NATIVE_DOUBLE, v, pi->s.size)) {
            st = fail(E, LEINAO_IO, "export: cannot write dynamics_params/%s of '%s'", info.name,
                      pi->s.name);
        }
    }
    /* the archiving time constant of stdp_synapse's targets, where it is not NEST's 20 ms */
    if (!st && (st = leinao_get_param_values(E->sim, p, "tau_minus", v, pi->s.size)))
        st = api_fail(E, st, pi->s.name);
    if (!st && pi->s.size && v[0] != 20.0) {
        fprintf(json, "%s\n  \"tau_minus\": ", first ? "" : ",");
        json_number(json, v[0]);
    }
    fputs("\n}\n", json);
    lc_free(&E->ctx, v);
    return st;
}

static leinao_status write_nodes(exporter *E, int p, const popinfo *pi, int type_id)
{
    char rel[512], jrel[512];
    snprintf(rel, sizeof rel, "network/nodes_%s.h5", pi->s.name);
    leinao_status st;
    hid_t f = create_h5(E, rel, &st);
    if (f < 0)
        return st;
    uint64_t n = pi->s.size;
    uint64_t *ids = lc_malloc(&E->ctx, (size_t)n * sizeof *ids);
    uint64_t *types = lc_malloc(&E->ctx, (size_t)n * sizeof *types);
    uint32_t *groups = lc_calloc(&E->ctx, (size_t)n, sizeof *groups);
    hid_t nodes = -1, pop = -1, g0 = -1, dyn = -1;
    if (!ids || !types || !groups)
        st = LEINAO_NOMEM;
    for (uint64_t i = 0; !st && i < n; i++) {
        ids[i] = i;
        types[i] = (uint64_t)type_id;
    }
    if (!st && ((nodes = lh5_group(f, "nodes")) < 0 || (pop = lh5_group(nodes, pi->s.name)) < 0 ||
                !lh5_array(pop, "node_id", H5T_NATIVE_UINT64, ids, n) ||
                !lh5_array(pop, "node_type_id", H5T_NATIVE_UINT64, types, n) ||
                !lh5_array(pop, "node_group_id", H5T_NATIVE_UINT32, groups, n) ||
                !lh5_array(pop, "node_group_index", H5T_NATIVE_UINT64, ids, n) ||
                (g0 = lh5_group(pop, "0")) < 0 || (dyn = lh5_group(g0, "dynamics_params")) < 0))
        st = fail(E, LEINAO_IO, "export: cannot write %s/%s", E->dir, rel);
    if (!st && !pi->is_virtual) {
        snprintf(jrel, sizeof jrel, "components/cell_models/%s.json", pi->s.name);
        FILE *json = open_text(E, jrel, &st);
        if (json) {
            st = write_neuron_values(E, p, pi, json, dyn);
            leinao_status st2 = close_text(E, json, jrel);
            if (!st)
                st = st2;
        }
    }
    if (dyn >= 0)
        H5Gclose(dyn);
    if (g0 >= 0)
        H5Gclose(g0);
    if (pop >= 0)
        H5Gclose(pop);
    if (nodes >= 0)
        H5Gclose(nodes);
    if (H5Fclose(f) < 0 && !st)
        st = fail(E, LEINAO_IO, "export: cannot write %s/%s", E->dir, rel);
    lc_free(&E->ctx, ids);
    lc_free(&E->ctx, types);
    lc_free(&E->ctx, groups);
    return st;
}

/* A spike_generator's times, the same for each of its elements, as a SONATA spike file. */
static leinao_status write_input(exporter *E, int p, const popinfo *pi)
{
    const double *times;
    size_t n_times;
    leinao_status st = leinao_get_param_array(E->sim, p, "spike_times", &times, &n_times);
    if (st)
        return api_fail(E, st, pi->s.name);
    size_t n = (size_t)pi->s.size * n_times;
    double *t = lc_malloc(&E->ctx, (n ? n : 1) * sizeof *t);
    uint64_t *id = lc_malloc(&E->ctx, (n ? n : 1) * sizeof *id);
    if (!t || !id) {
        lc_free(&E->ctx, t);
        lc_free(&E->ctx, id);
        return LEINAO_NOMEM;
    }
    for (size_t k = 0; k < n_times; k++) /* time order, ties by node */
        for (uint64_t i = 0; i < pi->s.size; i++) {
            t[k * pi->s.size + i] = times[k];
            id[k * pi->s.size + i] = i;
        }
    char rel[512];
    snprintf(rel, sizeof rel, "inputs/%s_spikes.h5", pi->s.name);
    hid_t f = create_h5(E, rel, &st);
    hid_t spikes = -1, pop = -1;
    if (f >= 0 && ((spikes = lh5_group(f, "spikes")) < 0 ||
                   !lh5_string_attr(spikes, "sorting", "by_time") ||
                   (pop = lh5_group(spikes, pi->s.name)) < 0 ||
                   !lh5_string_attr(pop, "sorting", "by_time") ||
                   !lh5_array(pop, "timestamps", H5T_NATIVE_DOUBLE, t, n) ||
                   !lh5_array(pop, "node_ids", H5T_NATIVE_UINT64, id, n)))
        st = fail(E, LEINAO_IO, "export: cannot write %s/%s", E->dir, rel);
    if (pop >= 0)
        H5Gclose(pop);
    if (spikes >= 0)
        H5Gclose(spikes);
    if (f >= 0 && H5Fclose(f) < 0 && !st)
        st = fail(E, LEINAO_IO, "export: cannot write %s/%s", E->dir, rel);
    lc_free(&E->ctx, t);
    lc_free(&E->ctx, id);
    return st;
}

/* ---- edges ---- */

static leinao_status write_edges(exporter *E, int j, const popinfo *pops, char *name,
                                 size_t name_size)
{
    leinao_projection_stats ps;
    leinao_status st = leinao_get_projection_stats(E->sim, j, &ps);
    size_t n = 0;
    if (st || (st = leinao_get_connections(E->sim, j, &n, NULL, NULL, NULL, NULL)))
        return api_fail(E, st, "projection");
    snprintf(name, name_size, "%s_to_%s_%d", pops[ps.source].s.name, pops[ps.target].s.name, j);
    size_t m = n ? n : 1;
    uint32_t *src = lc_malloc(&E->ctx, m * sizeof *src), *tgt = lc_malloc(&E->ctx, m * sizeof *tgt);
    double *w = lc_malloc(&E->ctx, m * sizeof *w), *d = lc_malloc(&E->ctx, m * sizeof *d);
    uint64_t *index = lc_malloc(&E->ctx, m * sizeof *index);
    uint32_t *type = lc_malloc(&E->ctx, m * sizeof *type);
    uint16_t *group = lc_calloc(&E->ctx, m, sizeof *group);
    if (!src || !tgt || !w || !d || !index || !type || !group)
        st = LEINAO_NOMEM;
    if (!st && (st = leinao_get_connections(E->sim, j, &n, src, tgt, w, d)))
        st = api_fail(E, st, "projection");
    for (size_t k = 0; !st && k < n; k++) {
        index[k] = k;
        type[k] = (uint32_t)(100 + j);
    }
    char rel[512];
    snprintf(rel, sizeof rel, "network/edges_%d.h5", j);
    hid_t f = st ? -1 : create_h5(E, rel, &st);
    hid_t edges = -1, pop = -1, g0 = -1, s_set = -1, t_set = -1;
    if (f >= 0) {
        int ok = (edges = lh5_group(f, "edges")) >= 0 && (pop = lh5_group(edges, name)) >= 0 &&
                 lh5_array(pop, "source_node_id", H5T_NATIVE_UINT32, src, n) &&
                 lh5_array(pop, "target_node_id", H5T_NATIVE_UINT32, tgt, n) &&
                 lh5_array(pop, "edge_type_id", H5T_NATIVE_UINT32, type, n) &&
                 lh5_array(pop, "edge_group_id", H5T_NATIVE_UINT16, group, n) &&
                 lh5_array(pop, "edge_group_index", H5T_NATIVE_UINT64, index, n) &&
                 (g0 = lh5_group(pop, "0")) >= 0 &&
                 lh5_array(g0, "syn_weight", H5T_NATIVE_DOUBLE, w, n) &&
                 lh5_array(g0, "delay", H5T_NATIVE_DOUBLE, d, n) &&
                 (s_set = H5Dopen2(pop, "source_node_id", H5P_DEFAULT)) >= 0 &&
                 lh5_string_attr(s_set, "node_population", pops[ps.source].s.name) &&
                 (t_set = H5Dopen2(pop, "target_node_id", H5P_DEFAULT)) >= 0 &&
                 lh5_string_attr(t_set, "node_population", pops[ps.target].s.name);
        if (!ok)
            st = fail(E, LEINAO_IO, "export: cannot write %s/%s", E->dir, rel);
        if (s_set >= 0)
            H5Dclose(s_set);
        if (t_set >= 0)
            H5Dclose(t_set);
        if (g0 >= 0)
            H5Gclose(g0);
        if (pop >= 0)
            H5Gclose(pop);
        if (edges >= 0)
            H5Gclose(edges);
        if (H5Fclose(f) < 0 && !st)
            st = fail(E, LEINAO_IO, "export: cannot write %s/%s", E->dir, rel);
    }
    lc_free(&E->ctx, src);
    lc_free(&E->ctx, tgt);
    lc_free(&E->ctx, w);
    lc_free(&E->ctx, d);
    lc_free(&E->ctx, index);
    lc_free(&E->ctx, type);
    lc_free(&E->ctx, group);
    return st;
}

/* A plastic projection's synapse parameters (all of them, as set) as its edge type's
 * dynamics_params: components/synaptic_models/MODEL_J.json. */
static leinao_status write_synapse_params(exporter *E, int j)
{
    leinao_projection_stats ps;
    leinao_status st = leinao_get_projection_stats(E->sim, j, &ps);
    if (st)
        return api_fail(E, st, "projection");
    if (!strcmp(ps.synapse_model, "static_synapse"))
        return LEINAO_OK;
    char rel[512];
    snprintf(rel, sizeof rel, "components/synaptic_models/%s_%d.json", ps.synapse_model, j);
    FILE *f = open_text(E, rel, &st);
    if (!f)
        return st;
    int count = leinao_model_param_count(ps.synapse_model);
    fputs("{", f);
    for (int i = 0; i < count && !st; i++) {
        leinao_param_info info;
        double v;
        if (leinao_model_param(ps.synapse_model, i, &info) || info.hidden)
            continue;
        if ((st = leinao_get_synapse_param(E->sim, j, info.name, &v))) {
            st = api_fail(E, st, "projection");
            break;
        }
        if (!isfinite(v)) {
            st = fail(E, LEINAO_UNSUPPORTED,
                      "export: projection %d: %s %s = %g is not finite: JSON numbers are finite",
                      j, ps.synapse_model, info.name, v);
            break;
        }
        fprintf(f, "%s\n  \"%s\": ", i ? "," : "", info.name);
        json_number(f, v);
    }
    fputs("\n}\n", f);
    leinao_status closed = close_text(E, f, rel);
    return st ? st : closed;
}

/* The state recordings as the simulation config's reports: one report per recording, named
 * after its file (without .h5), with its population and neurons as an inline node set (in the
 * recording's order), its variables (a name, or a list as bmtk's multimeter_report takes) and
 * its interval as dt. */
static leinao_status write_reports(exporter *E, FILE *sc, const popinfo *pops)
{
    leinao_status st = LEINAO_OK;
    int any = 0;
    for (int i = 0; !st; i++) {
        leinao_state_recording_info r;
        if (leinao_get_state_recording(E->sim, i, &r))
            break;
        const popinfo *pi = &pops[r.pop];
        unsigned char *seen = lc_calloc(&E->ctx, pi->s.size ? pi->s.size : 1, 1);
        if (!seen)
            return LEINAO_NOMEM;
        int all = r.n_neurons == pi->s.size;
        for (size_t k = 0; k < r.n_neurons && !st; k++) {
            all = all && r.neurons[k] == k;
            if (seen[r.neurons[k]]++)
                st = fail(E, LEINAO_UNSUPPORTED,
                          "export: state recording %s repeats neuron %u: a SONATA node set "
                          "names each node once",
                          r.path, r.neurons[k]);
        }
        lc_free(&E->ctx, seen);
        if (st)
            break;
        char name[256];
        snprintf(name, sizeof name, "%s", r.path);
        size_t len = strlen(name);
        if (len > 3 && !strcmp(name + len - 3, ".h5"))
            name[len - 3] = 0;
        fprintf(sc, "%s\n    \"%s\": {\n      \"module\": \"multimeter_report\",\n"
                    "      \"cells\": {\"population\": \"%s\"",
                any ? "," : "  \"reports\": {", name, pi->s.name);
        if (!all) {
            fputs(", \"node_id\": [", sc);
            for (size_t k = 0; k < r.n_neurons; k++)
                fprintf(sc, "%s%u", k ? ", " : "", r.neurons[k]);
            fputs("]", sc);
        }
        fputs("},\n      \"variable_name\": ", sc);
        if (r.n_vars == 1) {
            fprintf(sc, "\"%s\"", r.vars[0]);
        } else {
            fputs("[", sc);
            for (size_t v = 0; v < r.n_vars; v++)
                fprintf(sc, "%s\"%s\"", v ? ", " : "", r.vars[v]);
            fputs("]", sc);
        }
        fputs(",\n      \"dt\": ", sc);
        json_number(sc, r.interval);
        fprintf(sc, ",\n      \"file_name\": \"%s\"\n    }", r.path);
        any = 1;
    }
    if (any)
        fputs("\n  },\n", sc);
    return st;
}

/* ---- the whole circuit ---- */

static int folder_has_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    int any = 0;
    while (!any && (e = readdir(d)))
        any = strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return any;
}

static leinao_status export_all(exporter *E, popinfo *pops, int n_pops, int overwrite)
{
    leinao_status st = check_network(E, pops, n_pops);
    if (st)
        return st;
    if (!overwrite && folder_has_files(E->dir))
        return fail(E, LEINAO_EXISTS,
                    "export: %s is not empty (overwrite it with --overwrite)", E->dir);
    const char *sub[] = {"", "/network", "/components", "/components/cell_models",
                         "/components/synaptic_models", "/inputs"};
    for (size_t k = 0; k < sizeof sub / sizeof *sub && !st; k++) {
        char path[EPATH + 64];
        snprintf(path, sizeof path, "%s%s", E->dir, sub[k]);
        st = make_dir(E, path);
    }
    int n_proj = leinao_projection_count(E->sim);
    /* a node types table per nodes file: the loader reads every row of a file's table */
    for (int p = 0; p < n_pops && !st; p++) {
        char rel[512];
        snprintf(rel, sizeof rel, "network/node_types_%s.csv", pops[p].s.name);
        FILE *nt = open_text(E, rel, &st);
        if (!nt)
            break;
        fputs("node_type_id model_type model_template dynamics_params pop_name\n", nt);
        if (pops[p].is_virtual)
            fprintf(nt, "%d virtual NULL NULL %s\n", 100 + p, pops[p].s.name);
        else
            fprintf(nt, "%d point_process nest:%s %s.json %s\n", 100 + p, pops[p].s.model,
                    pops[p].s.name, pops[p].s.name);
        st = close_text(E, nt, rel);
    }
    FILE *et = st ? NULL : open_text(E, "network/edge_types.csv", &st);
    if (et) {
        fputs("edge_type_id model_template dynamics_params\n", et);
        for (int j = 0; j < n_proj; j++) {
            leinao_projection_stats ps;
            leinao_get_projection_stats(E->sim, j, &ps);
            if (!strcmp(ps.synapse_model, "static_synapse"))
                fprintf(et, "%d static_synapse static_synapse.json\n", 100 + j);
            else
                fprintf(et, "%d %s %s_%d.json\n", 100 + j, ps.synapse_model, ps.synapse_model, j);
        }
        st = close_text(E, et, "network/edge_types.csv");
    }
    for (int j = 0; j < n_proj && !st; j++)
        st = write_synapse_params(E, j);
    FILE *syn = st ? NULL : open_text(E, "components/synaptic_models/static_synapse.json", &st);
    if (syn) {
        fputs("{}\n", syn);
        st = close_text(E, syn, "components/synaptic_models/static_synapse.json");
    }
    for (int p = 0; p < n_pops && !st; p++) {
        st = write_nodes(E, p, &pops[p], 100 + p);
        if (!st && pops[p].is_virtual)
            st = write_input(E, p, &pops[p]);
    }
    char name[300];
    for (int j = 0; j < n_proj && !st; j++)
        st = write_edges(E, j, pops, name, sizeof name);
    /* circuit_config.json: the node files in population order, the edge files in projection
     * order */
    FILE *cc = st ? NULL : open_text(E, "circuit_config.json", &st);
    if (cc) {
        fputs("{\n  \"manifest\": {\n    \"$BASE_DIR\": \".\",\n"
              "    \"$NETWORK_DIR\": \"$BASE_DIR/network\",\n"
              "    \"$COMPONENTS_DIR\": \"$BASE_DIR/components\"\n  },\n"
              "  \"components\": {\n"
              "    \"point_neuron_models_dir\": \"$COMPONENTS_DIR/cell_models\",\n"
              "    \"synaptic_models_dir\": \"$COMPONENTS_DIR/synaptic_models\"\n  },\n"
              "  \"networks\": {\n    \"nodes\": [",
              cc);
        for (int p = 0; p < n_pops; p++)
            fprintf(cc, "%s\n      {\"nodes_file\": \"$NETWORK_DIR/nodes_%s.h5\", "
                        "\"node_types_file\": \"$NETWORK_DIR/node_types_%s.csv\"}",
                    p ? "," : "", pops[p].s.name, pops[p].s.name);
        fputs("\n    ],\n    \"edges\": [", cc);
        for (int j = 0; j < n_proj; j++)
            fprintf(cc, "%s\n      {\"edges_file\": \"$NETWORK_DIR/edges_%d.h5\", "
                        "\"edge_types_file\": \"$NETWORK_DIR/edge_types.csv\"}",
                    j ? "," : "", j);
        fputs("\n    ]\n  }\n}\n", cc);
        st = close_text(E, cc, "circuit_config.json");
    }
    double dt, duration;
    uint64_t seed;
    leinao_get_config(E->sim, &dt, &duration, &seed, NULL);
    FILE *sc = st ? NULL : open_text(E, "simulation_config.json", &st);
    if (sc) {
        leinao_run_stats r;
        leinao_get_run_stats(E->sim, &r);
        fputs("{\n  \"manifest\": {\n    \"$BASE_DIR\": \".\",\n"
              "    \"$OUTPUT_DIR\": \"$BASE_DIR/output\",\n"
              "    \"$INPUT_DIR\": \"$BASE_DIR/inputs\"\n  },\n"
              "  \"target_simulator\": \"NEST\",\n"
              "  \"network\": \"$BASE_DIR/circuit_config.json\",\n  \"run\": {\n    \"tstop\": ",
              sc);
        json_number(sc, duration);
        fputs(",\n    \"dt\": ", sc);
        json_number(sc, dt);
        fprintf(sc, ",\n    \"random_seed\": %llu\n  },\n  \"inputs\": {", (unsigned long long)seed);
        int first = 1;
        for (int p = 0; p < n_pops; p++)
            if (pops[p].is_virtual) {
                fprintf(sc, "%s\n    \"%s_spikes\": {\"input_type\": \"spikes\", \"module\": "
                            "\"sonata\", \"input_file\": \"$INPUT_DIR/%s_spikes.h5\", "
                            "\"node_set\": \"%s\"}",
                        first ? "" : ",", pops[p].s.name, pops[p].s.name, pops[p].s.name);
                first = 0;
            }
        fputs("\n  },\n", sc);
        leinao_status rs = write_reports(E, sc, pops);
        fputs("  \"output\": {\n    \"output_dir\": \"$OUTPUT_DIR\",\n"
              "    \"spikes_file\": \"spikes.h5\",\n    \"spikes_sort_order\": \"time\",\n"
              "    \"overwrite_output_dir\": true\n  }\n}\n",
              sc);
        st = close_text(E, sc, "simulation_config.json");
        if (rs)
            st = rs;
    }
    return st;
}

leinao_status leinao_export_sonata(leinao_sim *sim, const char *dir, int overwrite)
{
    if (!dir || !dir[0])
        return leinao_report_error(sim, LEINAO_INVALID, "export: no folder given");
    size_t n = 0;
    if (leinao_projection_count(sim) > 0 &&
        leinao_get_connections(sim, 0, &n, NULL, NULL, NULL, NULL) == LEINAO_STATE)
        return leinao_report_error(sim, LEINAO_STATE, "export: build the network first");
    double probe;
    if (leinao_population_count(sim) > 0 &&
        leinao_get_param_values(sim, 0, "", &probe, 0) == LEINAO_STATE)
        return leinao_report_error(sim, LEINAO_STATE, "export: build the network first");
    leinao_run_stats r;
    leinao_get_run_stats(sim, &r);
    if (r.t_simulated > 0)
        return leinao_report_error(sim, LEINAO_STATE,
                                   "export: the network has run; export it before running");
    exporter *E = NULL;
    void *user;
    leinao_alloc_fn alloc = leinao_allocator(sim, &user);
    lctx own;
    lctx_init(&own, alloc, user);
    E = lc_calloc(&own, 1, sizeof *E);
    int n_pops = leinao_population_count(sim);
    popinfo *pops = lc_calloc(&own, (size_t)(n_pops ? n_pops : 1), sizeof *pops);
    if (!E || !pops) {
        lc_free(&own, E);
        lc_free(&own, pops);
        return leinao_report_error(sim, LEINAO_NOMEM, "out of memory");
    }
    E->sim = sim;
    E->ctx = own;
    snprintf(E->dir, sizeof E->dir, "%s", dir);
    leinao_status st = export_all(E, pops, n_pops, overwrite);
    if (st == LEINAO_NOMEM)
        leinao_report_error(sim, st, "out of memory");
    lc_free(&own, pops);
    lc_free(&own, E);
    return st;
}
