/* sonata_net.c — SONATA nodes and edges into a leinao network, on the public API: a node
 * population of point neurons becomes a population of its NEST model (model_template
 * "nest:<model>"), with the dynamics_params of its node types and per-node overrides as
 * per-neuron values; each virtual node becomes a spike_generator; the edges of each (source
 * population, target population, synapse) become one explicit projection, with bmtk's weight
 * rule (nsyns x syn_weight) and delays on the dt grid (never rounded). HDF5 datasets are read in
 * chunks of CHUNK rows (sonata_h5.c); node columns for node sets: sonata_nodecol.c. */
#include "sonata_h5.h"
#include "h5util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 65536
#define MAX_NODES 4000000000ull
#define MAX_PARAMS 64

/* ---- node types and dynamics_params ---- */

/* The parameters of one node type: names and values from its dynamics_params file. */
typedef struct stype_params {
    int n;
    char name[MAX_PARAMS][64];
    double value[MAX_PARAMS];
} stype_params;

static leinao_status read_dynamics(sload *S, const char *dir, const char *file, const char *model,
                                   const char *where, stype_params *out)
{
    out->n = 0;
    if (!file[0] || !strcmp(file, "NULL") || !strcmp(file, "None"))
        return LEINAO_OK;
    char path[SPATH];
    if (file[0] == '/')
        snprintf(path, sizeof path, "%s", file);
    else if (dir[0])
        snprintf(path, sizeof path, "%.2000s/%.2000s", dir, file);
    else
        return serr(S, LEINAO_MODEL_FILE, "%s: dynamics_params '%s' needs the components "
                                          "directory (components.%s in the config)",
                    where, file, model ? "point_neuron_models_dir" : "synaptic_models_dir");
    ynode *root;
    leinao_status st = sjson_load(S, path, &root);
    if (st) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", S->ctx->errmsg);
        return serr(S, st, "%s: dynamics_params: %s", where, msg);
    }
    for (size_t i = 0; !st && i < root->n; i++) {
        double v;
        if (out->n == MAX_PARAMS || strlen(root->keys[i]) >= 64)
            st = serr(S, LEINAO_MODEL_FILE, "%s: more than %d parameters or a name over 63 "
                                            "characters",
                      path, MAX_PARAMS);
        else if (!snumber(root->items[i], &v))
            st = serr(S, LEINAO_UNSUPPORTED,
                      "%s:%d:%d: parameter '%s' must be a number, got %s (leinao's NEST models "
                      "take numbers)",
                      path, root->items[i]->line, root->items[i]->col, root->keys[i],
                      root->items[i]->type == YN_SCALAR ? root->items[i]->text
                                                        : ytree_type_name(root->items[i]));
        else if (model && leinao_model_param_count(model) >= 0) {
            /* tau_minus: NEST's archiving-node parameter, which every neuron model takes */
            int found = !strcmp(root->keys[i], "tau_minus");
            for (int k = 0; k < leinao_model_param_count(model) && !found; k++) {
                leinao_param_info info;
                found = !leinao_model_param(model, k, &info) && !info.hidden &&
                        !strcmp(info.name, root->keys[i]);
            }
            if (!found)
                st = serr(S, LEINAO_MODEL_FILE,
                          "%s:%d:%d: '%s' is not a parameter of %s (leinao doc %s lists them)",
                          path, root->items[i]->line, root->items[i]->col, root->keys[i], model,
                          model);
        }
        if (!st) {
            snprintf(out->name[out->n], 64, "%s", root->keys[i]);
            out->value[out->n++] = v;
        }
    }
    ytree_free(S->ctx, root);
    return st;
}

typedef struct stype_key {
    double id;
    size_t row;
} stype_key;

static int compare_key(const void *a, const void *b)
{
    double x = ((const stype_key *)a)->id, y = ((const stype_key *)b)->id;
    return x < y ? -1 : x > y;
}

/* Sorted (type id, row) pairs of a types table, for lookups by id. */
static leinao_status type_index(sload *S, const lcsv *t, const char *file, const char *id_col,
                                stype_key **out)
{
    int col = lcsv_col(t, id_col);
    if (col < 0)
        return serr(S, LEINAO_MODEL_FILE, "%s: no column '%s'", file, id_col);
    stype_key *keys = lc_malloc(S->ctx, (t->n_rows ? t->n_rows : 1) * sizeof *keys);
    if (!keys)
        return LEINAO_NOMEM;
    for (size_t r = 0; r < t->n_rows; r++) {
        const char *cell = lcsv_cell(t, r, col);
        char *end;
        keys[r].id = strtod(cell, &end);
        keys[r].row = r;
        if (!cell[0] || *end || keys[r].id != floor(keys[r].id)) {
            lc_free(S->ctx, keys);
            return serr(S, LEINAO_MODEL_FILE, "%s:%d: %s must be a whole number, got '%s'", file,
                        t->line[r + 1], id_col, cell);
        }
    }
    qsort(keys, t->n_rows, sizeof *keys, compare_key);
    for (size_t r = 1; r < t->n_rows; r++)
        if (keys[r].id == keys[r - 1].id) {
            double id = keys[r].id;
            lc_free(S->ctx, keys);
            return serr(S, LEINAO_MODEL_FILE, "%s: %s %.0f is defined twice", file, id_col, id);
        }
    *out = keys;
    return LEINAO_OK;
}

static long find_type(const stype_key *keys, size_t n, double id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (keys[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && keys[lo].id == id ? (long)keys[lo].row : -1;
}

static leinao_status keep_table(sload *S, lcsv *t)
{
    lcsv **bigger = lc_realloc(S->ctx, S->tables, (size_t)(S->n_tables + 1) * sizeof *bigger);
    if (!bigger) {
        lcsv_free(S->ctx, t);
        return LEINAO_NOMEM;
    }
    S->tables = bigger;
    S->tables[S->n_tables++] = t;
    return LEINAO_OK;
}

/* The leinao population name for a SONATA population name: [A-Za-z_][A-Za-z0-9_]*. */
static void population_name(const char *in, char *out, size_t size)
{
    snprintf(out, size, "%s%s", in[0] >= '0' && in[0] <= '9' ? "_" : "", in);
    for (char *p = out; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            *p = '_';
}

/* ---- node populations ---- */

static leinao_status neuron_params(sload *S, snodes *p, const char *model, stype_params *tp,
                                   const char *types_file)
{
    /* every parameter named by any node type: one value for all, or one per neuron */
    leinao_status st = LEINAO_OK;
    double *values = lc_malloc(S->ctx, (size_t)p->n * sizeof *values);
    if (!values)
        return LEINAO_NOMEM;
    char done[MAX_PARAMS * 4][64];
    int n_done = 0;
    for (size_t r = 0; !st && r < p->types->n_rows; r++) {
        for (int k = 0; !st && k < tp[r].n; k++) {
            const char *name = tp[r].name[k];
            int seen = 0;
            for (int d = 0; d < n_done && !seen; d++)
                seen = !strcmp(done[d], name);
            if (seen || n_done == MAX_PARAMS * 4)
                continue;
            snprintf(done[n_done++], 64, "%s", name);
            leinao_param_info info = {0}, row;
            for (int i = 0; i < leinao_model_param_count(model); i++)
                if (!leinao_model_param(model, i, &row) && !strcmp(row.name, name)) {
                    info = row;
                    break;
                } /* not in the table (tau_minus): a parameter, no default */
            int uniform = 1;
            for (uint64_t i = 0; i < p->n; i++) {
                const stype_params *t = &tp[p->type_row[i]];
                values[i] = info.default_value;
                for (int j = 0; j < t->n; j++)
                    if (!strcmp(t->name[j], name))
                        values[i] = t->value[j];
                uniform = uniform && values[i] == values[0];
            }
            if (info.is_state) {
                leinao_dist d = {LEINAO_DIST_CONSTANT, values[0], 0, -INFINITY, INFINITY};
                st = uniform ? leinao_set_init(S->sim, p->pop, name, &d)
                             : leinao_set_init_values(S->sim, p->pop, name, values, p->n);
            } else {
                st = uniform ? leinao_set_param(S->sim, p->pop, name, values[0])
                             : leinao_set_param_values(S->sim, p->pop, name, values, p->n);
            }
            if (st) {
                leinao_error_info e;
                leinao_error_detail(S->sim, &e);
                int64_t at = e.index >= 0 && (uint64_t)e.index < p->n ? e.index : 0;
                st = sapi(S, LEINAO_MODEL_FILE, "%s: node %lld of population '%s', dynamics_params "
                                                "'%s'",
                          types_file, (long long)at, p->name, name);
            }
        }
    }
    lc_free(S->ctx, values);
    return st;
}

/* Per-node dynamics_params: datasets /nodes/<pop>/<group>/dynamics_params/<name>, one row per
 * node of the group (at its node_group_index). Each named parameter or state variable becomes
 * per-neuron values: the node's row where its group has one, else its node type's value (else
 * the model's default). */
static leinao_status node_overrides(sload *S, snodes *p, const char *model,
                                    const stype_params *tp, const char *file, hid_t h5,
                                    hid_t g, const char *gpath)
{
    snames groups = {0};
    leinao_status st = slist_group(S, file, h5, gpath, &groups);
    if (st) {
        lc_free(S->ctx, groups.name);
        return st;
    }
    /* the groups with a dynamics_params subgroup, and the union of their names */
    char dyn_names[MAX_PARAMS][64];
    int n_names = 0, any = 0;
    for (int k = 0; !st && k < groups.n; k++) {
        char sub[400];
        snprintf(sub, sizeof sub, "%s/dynamics_params", groups.name[k]);
        if (H5Lexists(g, groups.name[k], H5P_DEFAULT) <= 0 ||
            H5Lexists(g, sub, H5P_DEFAULT) <= 0)
            continue;
        snames list = {0};
        st = slist_group(S, file, g, sub, &list);
        for (int i = 0; !st && i < list.n; i++) {
            int seen = 0;
            for (int d = 0; d < n_names && !seen; d++)
                seen = !strcmp(dyn_names[d], list.name[i]);
            if (seen)
                continue;
            int found = 0;
            for (int q = 0; q < leinao_model_param_count(model) && !found; q++) {
                leinao_param_info info;
                found = !leinao_model_param(model, q, &info) && !info.hidden &&
                        strcmp(info.rule, "list of numbers") && !strcmp(info.name, list.name[i]);
            }
            if (!found)
                st = serr(S, LEINAO_MODEL_FILE,
                          "%s: %s/%s/%s: '%s' is not a parameter of %s (leinao doc %s lists them)",
                          file, gpath, sub, list.name[i], list.name[i], model, model);
            else if (n_names == MAX_PARAMS || strlen(list.name[i]) >= 64)
                st = serr(S, LEINAO_MODEL_FILE, "%s: %s/%s: more than %d parameters", file,
                          gpath, sub, MAX_PARAMS);
            else
                snprintf(dyn_names[n_names++], 64, "%s", list.name[i]);
        }
        lc_free(S->ctx, list.name);
        any = 1;
    }
    if (st || !any) {
        lc_free(S->ctx, groups.name);
        return st;
    }
    /* each node's group and index (rows in file order, node ids as node_id says) */
    sdset gid, gix, nid;
    double *id = NULL, *gi = NULL, *gx = NULL, *col = NULL, *values = NULL;
    gid.set = gix.set = nid.set = -1;
    st = sdset_open(S, file, g, gpath, "node_group_id", 0, &gid);
    if (!st)
        st = sdset_open(S, file, g, gpath, "node_group_index", 0, &gix);
    if (!st)
        st = sdset_open(S, file, g, gpath, "node_id", 0, &nid);
    size_t n = (size_t)p->n;
    if (!st) {
        id = lc_malloc(S->ctx, n * sizeof *id);
        gi = lc_malloc(S->ctx, n * sizeof *gi);
        gx = lc_malloc(S->ctx, n * sizeof *gx);
        values = lc_malloc(S->ctx, n * sizeof *values);
        if (!id || !gi || !gx || !values)
            st = LEINAO_NOMEM;
    }
    for (size_t r = 0; !st && r < n; r++) {
        id[r] = (double)r;
        gi[r] = 0;
        gx[r] = (double)r;
    }
    const sdset *sets[3] = {&gid, &gix, &nid};
    double *dst[3] = {gi, gx, id};
    for (int k = 0; !st && k < 3; k++) {
        if (sets[k]->set < 0)
            continue;
        if (sets[k]->n != n)
            st = serr(S, LEINAO_MODEL_FILE, "%s: %s has %llu rows but the population has %zu "
                                            "nodes (they must be of equal length)",
                      file, sets[k]->name, (unsigned long long)sets[k]->n, n);
        else
            st = sdset_read(S, file, sets[k], H5T_NATIVE_DOUBLE, 0, n, dst[k]);
    }
    for (int d = 0; !st && d < n_names; d++) {
        const char *name = dyn_names[d];
        leinao_param_info info = {0};
        for (int i = 0; i < leinao_model_param_count(model); i++)
            if (!leinao_model_param(model, i, &info) && !strcmp(info.name, name))
                break;
        for (size_t i = 0; i < n; i++) {
            const stype_params *t = &tp[p->type_row[i]];
            values[i] = info.default_value;
            for (int j = 0; j < t->n; j++)
                if (!strcmp(t->name[j], name))
                    values[i] = t->value[j];
        }
        for (int k = 0; !st && k < groups.n; k++) {
            char sub[400];
            snprintf(sub, sizeof sub, "%s/dynamics_params", groups.name[k]);
            char *end;
            double gnum = strtod(groups.name[k], &end);
            if (*end || H5Lexists(g, sub, H5P_DEFAULT) <= 0)
                continue;
            hid_t dg = H5Gopen2(g, sub, H5P_DEFAULT);
            char dpath[700];
            snprintf(dpath, sizeof dpath, "%s/%s", gpath, sub);
            sdset ds;
            st = dg < 0 ? serr(S, LEINAO_MODEL_FILE, "%s: %s is not a group", file, dpath)
                        : sdset_open(S, file, dg, dpath, name, 0, &ds);
            if (!st && ds.set >= 0) {
                lc_free(S->ctx, col);
                col = lc_malloc(S->ctx, (ds.n ? ds.n : 1) * sizeof *col);
                st = col ? sdset_read(S, file, &ds, H5T_NATIVE_DOUBLE, 0, ds.n, col)
                         : LEINAO_NOMEM;
                for (size_t r = 0; !st && r < n; r++) {
                    if (gi[r] != gnum)
                        continue;
                    if (!(gx[r] >= 0 && gx[r] < (double)ds.n && gx[r] == floor(gx[r])))
                        st = serr(S, LEINAO_MODEL_FILE,
                                  "%s: %s/node_group_index[%zu] = %g is past the %llu rows of "
                                  "%s",
                                  file, gpath, r, gx[r], (unsigned long long)ds.n, ds.name);
                    else if (!(id[r] >= 0 && id[r] < (double)n))
                        st = serr(S, LEINAO_MODEL_FILE, "%s: %s/node_id[%zu] = %g", file, gpath,
                                  r, id[r]);
                    else
                        values[(size_t)id[r]] = col[(size_t)gx[r]];
                }
                sdset_close(&ds);
            }
            if (dg >= 0)
                H5Gclose(dg);
        }
        if (st)
            break;
        st = info.is_state ? leinao_set_init_values(S->sim, p->pop, name, values, n)
                           : leinao_set_param_values(S->sim, p->pop, name, values, n);
        if (st) {
            leinao_error_info e;
            leinao_error_detail(S->sim, &e);
            st = sapi(S, LEINAO_MODEL_FILE, "%s: %s: node %lld, dynamics_params '%s'", file,
                      gpath, (long long)(e.index >= 0 ? e.index : 0), name);
        }
    }
    sdset_close(&gid);
    sdset_close(&gix);
    sdset_close(&nid);
    lc_free(S->ctx, id);
    lc_free(S->ctx, gi);
    lc_free(S->ctx, gx);
    lc_free(S->ctx, col);
    lc_free(S->ctx, values);
    lc_free(S->ctx, groups.name);
    return st;
}

/* Reads population `name` of nodes file `file` (open as h5). */
static leinao_status load_population(sload *S, const char *file, hid_t h5, const char *name,
                                     const lcsv *types, const char *types_file)
{
    char gpath[300];
    snprintf(gpath, sizeof gpath, "/nodes/%s", name);
    hid_t g = H5Gopen2(h5, gpath, H5P_DEFAULT);
    if (g < 0)
        return serr(S, LEINAO_MODEL_FILE, "%s: %s is not a group", file, gpath);
    if (snodes_find(S, name)) {
        H5Gclose(g);
        return serr(S, LEINAO_MODEL_FILE, "%s: node population '%s' is defined twice", file, name);
    }
    snodes *grown = lc_realloc(S->ctx, S->nodes, (size_t)(S->n_nodes + 1) * sizeof *grown);
    if (!grown) {
        H5Gclose(g);
        return LEINAO_NOMEM;
    }
    S->nodes = grown;
    snodes *p = &S->nodes[S->n_nodes++];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->file, sizeof p->file, "%s", file);
    snprintf(p->types_file, sizeof p->types_file, "%s", types_file);
    p->types = types;
    p->pop = -1;
    sdset type_ds, id_ds;
    stype_key *keys = NULL;
    double *buf = NULL;
    stype_params *tp = NULL;
    leinao_status st = sdset_open(S, file, g, gpath, "node_type_id", 1, &type_ds);
    if (!st)
        st = sdset_open(S, file, g, gpath, "node_id", 0, &id_ds);
    else
        id_ds.set = -1;
    if (!st)
        st = sdset_same_length(S, file, &type_ds, &id_ds);
    if (!st && type_ds.n > MAX_NODES)
        st = serr(S, LEINAO_MODEL_FILE, "%s: %s: more than %llu nodes", file, type_ds.name,
                  MAX_NODES);
    if (!st && type_ds.n == 0)
        st = serr(S, LEINAO_MODEL_FILE, "%s: population '%s' has no nodes", file, name);
    if (!st)
        st = type_index(S, types, types_file, "node_type_id", &keys);
    p->n = type_ds.n;
    if (!st) {
        p->type_row = lc_malloc(S->ctx, (size_t)p->n * sizeof *p->type_row);
        buf = lc_malloc(S->ctx, 2 * CHUNK * sizeof *buf);
        if (!p->type_row || !buf)
            st = LEINAO_NOMEM;
    }
    for (uint64_t i = 0; !st && i < p->n; i++)
        p->type_row[i] = -1;
    /* node_type_id (and node_id, which must number the nodes 0 .. n - 1) in chunks */
    for (hsize_t from = 0; !st && from < p->n; from += CHUNK) {
        hsize_t count = p->n - from < CHUNK ? p->n - from : CHUNK;
        st = sdset_read(S, file, &type_ds, H5T_NATIVE_DOUBLE, from, count, buf);
        if (!st && id_ds.set >= 0)
            st = sdset_read(S, file, &id_ds, H5T_NATIVE_DOUBLE, from, count, buf + CHUNK);
        for (hsize_t k = 0; !st && k < count; k++) {
            double id = id_ds.set >= 0 ? buf[CHUNK + k] : (double)(from + k);
            if (!(id >= 0 && id < (double)p->n && id == floor(id)) || p->type_row[(size_t)id] >= 0)
                st = serr(S, LEINAO_UNSUPPORTED,
                          "%s: %s/node_id[%llu] = %g: node ids must number the nodes 0 to %llu, "
                          "each once",
                          file, gpath, (unsigned long long)(from + k), id,
                          (unsigned long long)p->n - 1);
            long row = st ? 0 : find_type(keys, types->n_rows, buf[k]);
            if (!st && row < 0)
                st = serr(S, LEINAO_MODEL_FILE,
                          "%s: %s/node_type_id[%llu] = %g is not a node type of %s", file, gpath,
                          (unsigned long long)(from + k), buf[k], types_file);
            if (!st)
                p->type_row[(size_t)id] = (int32_t)row;
        }
    }
    sdset_close(&type_ds);
    sdset_close(&id_ds);
    /* the model: every node virtual, or every node of one NEST model */
    int c_type = lcsv_col(types, "model_type"), c_template = lcsv_col(types, "model_template");
    int c_dyn = lcsv_col(types, "dynamics_params");
    if (!st && c_type < 0)
        st = serr(S, LEINAO_MODEL_FILE, "%s: no column 'model_type'", types_file);
    const char *first = NULL, *first_type = NULL;
    size_t first_row = 0;
    for (uint64_t i = 0; !st && i < p->n; i++) {
        size_t r = (size_t)p->type_row[i];
        const char *mtype = lcsv_cell(types, r, c_type);
        const char *tmpl = c_template >= 0 ? lcsv_cell(types, r, c_template) : "";
        int virt = !strcmp(mtype, "virtual");
        if (!virt && strcmp(mtype, "point_process") && strcmp(mtype, "point_neuron"))
            st = serr(S, LEINAO_UNSUPPORTED,
                      "%s:%d: model_type '%s' is not supported (leinao simulates point_process, "
                      "point_neuron and virtual nodes)",
                      types_file, types->line[r + 1], mtype);
        else if (!first_type) {
            first_type = mtype;
            first = tmpl;
            first_row = r;
            p->is_virtual = virt;
        } else if (virt != p->is_virtual || (!virt && strcmp(tmpl, first)))
            st = serr(S, LEINAO_UNSUPPORTED,
                      "%s: population '%s' mixes node types '%s %s' (line %d) and '%s %s' (line "
                      "%d): a leinao population has one model",
                      types_file, name, first_type, first, types->line[first_row + 1], mtype,
                      tmpl, types->line[r + 1]);
    }
    char model[128] = "";
    if (!st && !p->is_virtual) {
        const char *colon = strchr(first, ':');
        if (colon && strncmp(first, "nest:", 5))
            st = serr(S, LEINAO_UNSUPPORTED,
                      "%s:%d: model_template '%s': only NEST models (nest:<model>) are supported",
                      types_file, types->line[first_row + 1], first);
        snprintf(model, sizeof model, "%s", colon ? colon + 1 : first);
        const char *kind = leinao_model_kind(model);
        if (!st && (!kind || strcmp(kind, "neuron")))
            st = serr(S, LEINAO_NOT_FOUND,
                      "%s:%d: model_template '%s': unknown neuron model '%s' (leinao models lists "
                      "them)",
                      types_file, types->line[first_row + 1], first, model);
    }
    if (!st && p->is_virtual) {
        p->gen = lc_malloc(S->ctx, (size_t)p->n * sizeof *p->gen);
        if (!p->gen)
            st = LEINAO_NOMEM;
        for (uint64_t i = 0; !st && i < p->n; i++)
            p->gen[i] = -1;
    }
    if (!st && !p->is_virtual) {
        char pname[140];
        population_name(name, pname, sizeof pname);
        if ((st = leinao_add_population(S->sim, pname, model, p->n, &p->pop)))
            st = sapi(S, st, "%s: population '%s'", file, name);
        tp = st ? NULL : lc_calloc(S->ctx, types->n_rows ? types->n_rows : 1, sizeof *tp);
        if (!st && !tp)
            st = LEINAO_NOMEM;
        for (size_t r = 0; !st && r < types->n_rows; r++) {
            char where[SPATH + 32];
            snprintf(where, sizeof where, "%s:%d", types_file, types->line[r + 1]);
            if (c_dyn >= 0)
                st = read_dynamics(S, S->cell_dir, lcsv_cell(types, r, c_dyn), model, where,
                                   &tp[r]);
        }
        if (!st)
            st = neuron_params(S, p, model, tp, types_file);
        if (!st)
            st = node_overrides(S, p, model, tp, file, h5, g, gpath);
        if (!st && (st = leinao_check_population(S->sim, p->pop)))
            st = sapi(S, LEINAO_MODEL_FILE, "%s: population '%s'", types_file, p->name);
    }
    lc_free(S->ctx, tp);
    lc_free(S->ctx, keys);
    lc_free(S->ctx, buf);
    H5Gclose(g);
    return st;
}

/* One entry of the circuit's networks.nodes or networks.edges list, opened: its file and
 * types file (paths resolved), the types table (kept with the loader), the HDF5 file and the
 * names of the populations under /nodes or /edges. Where may_disable (edges), an entry with
 * `enabled: false` is skipped: h5 is then -1. On failure nothing is left open. */
typedef struct network_file {
    char file[SPATH], types_file[SPATH];
    lcsv *types;
    hid_t h5;
    snames pops;
} network_file;

static leinao_status open_network_file(sload *S, ynode *entry, const char *what, const char *one,
                                       int may_disable, size_t i, network_file *nf)
{
    char file_key[32], types_key[32], group[16], kind[48];
    snprintf(file_key, sizeof file_key, "%s_file", what);
    snprintf(types_key, sizeof types_key, "%s_types_file", one);
    snprintf(group, sizeof group, "/%s", what);
    snprintf(kind, sizeof kind, " (a SONATA %s file is)", what);
    nf->h5 = -1;
    nf->pops = (snames){0};
    if (entry->type != YN_MAP)
        return serr(S, LEINAO_MODEL_FILE, "%s: networks.%s[%zu] must be a mapping",
                    S->circuit->path, what, i);
    ynode *enabled = may_disable ? ytree_get(entry, "enabled") : NULL;
    if (enabled && enabled->type == YN_SCALAR &&
        (!strcmp(enabled->text, "false") || !strcmp(enabled->text, "False")))
        return LEINAO_OK;
    leinao_status st;
    if ((st = sconfig_string(S, S->circuit, entry, file_key, 1, nf->file, sizeof nf->file)) ||
        (st = sconfig_string(S, S->circuit, entry, types_key, 1, nf->types_file,
                             sizeof nf->types_file)))
        return st;
    if (!nf->file[0] || !nf->types_file[0])
        return serr(S, LEINAO_MODEL_FILE, "%s: networks.%s[%zu]: missing key '%s'",
                    S->circuit->path, what, i, !nf->file[0] ? file_key : types_key);
    if ((st = lcsv_read(S->ctx, nf->types_file, &nf->types)) || (st = keep_table(S, nf->types)))
        return st;
    nf->h5 = lh5_open_read(S->ctx, nf->file, kind, &st);
    if (nf->h5 < 0)
        return st == LEINAO_INVALID ? LEINAO_MODEL_FILE : st;
    if ((st = slist_group(S, nf->file, nf->h5, group, &nf->pops))) {
        lc_free(S->ctx, nf->pops.name);
        H5Fclose(nf->h5);
        nf->h5 = -1;
    }
    return st;
}

leinao_status snet_load_nodes(sload *S)
{
    ynode *networks = ytree_get(S->circuit->root, "networks");
    ynode *list = networks && networks->type == YN_MAP ? ytree_get(networks, "nodes") : NULL;
    if (!list || list->type != YN_SEQ || list->n == 0)
        return serr(S, LEINAO_MODEL_FILE, "%s: networks.nodes must be a list of nodes files",
                    S->circuit->path);
    leinao_status st = LEINAO_OK;
    for (size_t i = 0; !st && i < list->n; i++) {
        network_file nf;
        if ((st = open_network_file(S, list->items[i], "nodes", "node", 0, i, &nf)))
            return st;
        for (int k = 0; !st && k < nf.pops.n; k++)
            st = load_population(S, nf.file, nf.h5, nf.pops.name[k], nf.types, nf.types_file);
        lc_free(S->ctx, nf.pops.name);
        H5Fclose(nf.h5);
    }
    return st;
}

leinao_status snet_generator(sload *S, snodes *p, uint64_t id, int *pop)
{
    if (p->gen[id] < 0) {
        char name[200], base[140];
        population_name(p->name, base, sizeof base);
        snprintf(name, sizeof name, "%s_%llu", base, (unsigned long long)id);
        leinao_status st = leinao_add_population(S->sim, name, "spike_generator", 1, &p->gen[id]);
        if (st)
            return sapi(S, st, "%s: virtual node %llu of population '%s'", p->file,
                        (unsigned long long)id, p->name);
    }
    *pop = p->gen[id];
    return LEINAO_OK;
}

/* ---- edges ---- */

/* What an edge type gives: synapse model and parameters, weight, delay and nsyns (NaN where
 * the table has none), and which synapse it shares with other types (same model and file). */
typedef struct sedge_type {
    char model[64], dyn[256];
    double weight, delay, nsyns;
    int synapse; /* index of the first type with the same model and dynamics_params */
    int line;
} sedge_type;

typedef struct sbucket {
    int src, tgt, synapse;
    size_t n, cap;
    uint32_t *sources, *targets;
    double *weights, *delays;
} sbucket;

typedef struct sedges {
    sbucket *b;
    size_t n, cap;
    size_t last;
    size_t reserve; /* rows of the edge population: the first bucket's room */
} sedges;

static double cell_number(const lcsv *t, size_t row, int col, const char *file, int *bad)
{
    if (col < 0)
        return NAN;
    const char *cell = lcsv_cell(t, row, col);
    char *end;
    double v = strtod(cell, &end);
    if (!strcmp(cell, "NULL") || !strcmp(cell, "None") || !cell[0])
        return NAN;
    if (*end || !isfinite(v))
        *bad = 1;
    (void)file;
    return v;
}

static leinao_status edge_types(sload *S, const lcsv *t, const char *file, sedge_type **out)
{
    sedge_type *et = lc_calloc(S->ctx, t->n_rows ? t->n_rows : 1, sizeof *et);
    if (!et)
        return LEINAO_NOMEM;
    int c_model = lcsv_col(t, "model_template"), c_dyn = lcsv_col(t, "dynamics_params");
    int c_w = lcsv_col(t, "syn_weight"), c_d = lcsv_col(t, "delay"), c_n = lcsv_col(t, "nsyns");
    int c_wf = lcsv_col(t, "weight_function");
    leinao_status st = LEINAO_OK;
    for (size_t r = 0; !st && r < t->n_rows; r++) {
        sedge_type *e = &et[r];
        e->line = t->line[r + 1];
        const char *tmpl = c_model >= 0 ? lcsv_cell(t, r, c_model) : "static_synapse";
        if (!strncmp(tmpl, "nest:", 5))
            tmpl += 5;
        snprintf(e->model, sizeof e->model, "%s", tmpl);
        snprintf(e->dyn, sizeof e->dyn, "%s", c_dyn >= 0 ? lcsv_cell(t, r, c_dyn) : "");
        int bad = 0;
        e->weight = cell_number(t, r, c_w, file, &bad);
        e->delay = cell_number(t, r, c_d, file, &bad);
        e->nsyns = cell_number(t, r, c_n, file, &bad);
        const char *kind = leinao_model_kind(e->model);
        if (bad)
            st = serr(S, LEINAO_MODEL_FILE, "%s:%d: syn_weight, delay and nsyns must be numbers",
                      file, e->line);
        else if (!kind || strcmp(kind, "synapse"))
            st = serr(S, LEINAO_NOT_FOUND,
                      "%s:%d: model_template '%s': unknown synapse model (leinao has "
                      "static_synapse, stdp_synapse, tsodyks_synapse)",
                      file, e->line, lcsv_cell(t, r, c_model));
        else if (c_wf >= 0 && strcmp(lcsv_cell(t, r, c_wf), "NULL") &&
                 strcmp(lcsv_cell(t, r, c_wf), "None") && lcsv_cell(t, r, c_wf)[0])
            st = serr(S, LEINAO_UNSUPPORTED,
                      "%s:%d: weight_function '%s' is a Python function of bmtk's; leinao applies "
                      "nsyns x syn_weight only",
                      file, e->line, lcsv_cell(t, r, c_wf));
        e->synapse = (int)r;
        for (size_t q = 0; q < r; q++)
            if (!strcmp(et[q].model, e->model) && !strcmp(et[q].dyn, e->dyn)) {
                e->synapse = et[q].synapse;
                break;
            }
    }
    if (st) {
        lc_free(S->ctx, et);
        return st;
    }
    *out = et;
    return LEINAO_OK;
}

static leinao_status bucket_add(sload *S, sedges *E, int src, int tgt, int synapse, uint32_t s,
                                uint32_t t, double w, double d)
{
    sbucket *b = E->n ? &E->b[E->last] : NULL;
    if (!b || b->src != src || b->tgt != tgt || b->synapse != synapse) {
        b = NULL;
        for (size_t i = 0; i < E->n && !b; i++)
            if (E->b[i].src == src && E->b[i].tgt == tgt && E->b[i].synapse == synapse) {
                b = &E->b[i];
                E->last = i;
            }
    }
    if (!b) {
        if (E->n == E->cap) {
            size_t cap = E->cap ? 2 * E->cap : 16;
            sbucket *bigger = lc_realloc(S->ctx, E->b, cap * sizeof *bigger);
            if (!bigger)
                return LEINAO_NOMEM;
            E->b = bigger;
            E->cap = cap;
        }
        b = &E->b[E->n];
        memset(b, 0, sizeof *b);
        b->src = src;
        b->tgt = tgt;
        b->synapse = synapse;
        E->last = E->n++;
    }
    if (b->n == b->cap) {
        /* the first bucket takes the whole edge population's room at once (most edge
         * populations are one bucket: no doubling, no slack); any other grows by doubling */
        size_t cap = b->cap ? 2 * b->cap : E->n == 1 && E->reserve > 64 ? E->reserve : 64;
        uint32_t *s2 = lc_realloc(S->ctx, b->sources, cap * sizeof *s2);
        if (s2)
            b->sources = s2;
        uint32_t *t2 = s2 ? lc_realloc(S->ctx, b->targets, cap * sizeof *t2) : NULL;
        if (t2)
            b->targets = t2;
        double *w2 = t2 ? lc_realloc(S->ctx, b->weights, cap * sizeof *w2) : NULL;
        if (w2)
            b->weights = w2;
        double *d2 = w2 ? lc_realloc(S->ctx, b->delays, cap * sizeof *d2) : NULL;
        if (!d2)
            return LEINAO_NOMEM;
        b->delays = d2;
        b->cap = cap;
    }
    b->sources[b->n] = s;
    b->targets[b->n] = t;
    b->weights[b->n] = w;
    b->delays[b->n++] = d;
    return LEINAO_OK;
}

static void buckets_free(sload *S, sedges *E)
{
    for (size_t i = 0; i < E->n; i++) {
        lc_free(S->ctx, E->b[i].sources);
        lc_free(S->ctx, E->b[i].targets);
        lc_free(S->ctx, E->b[i].weights);
        lc_free(S->ctx, E->b[i].delays);
    }
    lc_free(S->ctx, E->b);
}

/* The synapse's model and dynamics_params on projection `proj`. */
static leinao_status set_synapse(sload *S, int proj, const sedge_type *e, const char *where)
{
    stype_params tp;
    leinao_status st = read_dynamics(S, S->syn_dir, e->dyn, NULL, where, &tp);
    if (st)
        return st;
    if (strcmp(e->model, "static_synapse") && (st = leinao_set_synapse(S->sim, proj, e->model)))
        return sapi(S, st, "%s: model_template '%s'", where, e->model);
    const char *names[MAX_PARAMS];
    double values[MAX_PARAMS];
    size_t n = 0;
    for (int k = 0; k < tp.n; k++) {
        /* weight and delay come with the edges */
        if (!strcmp(tp.name[k], "weight") || !strcmp(tp.name[k], "delay"))
            continue;
        names[n] = tp.name[k];
        values[n++] = tp.value[k];
    }
    if (n && (st = leinao_set_synapse_params(S->sim, proj, n, names, values)))
        return sapi(S, st, "%s: dynamics_params '%s'", where, e->dyn);
    return LEINAO_OK;
}

/* Delay d (ms) of edge `row` on the dt grid: a multiple of dt, >= dt. */
static leinao_status grid_delay(sload *S, double *d, const char *file, const char *pop,
                                uint64_t row)
{
    double steps = *d / S->dt, whole = nearbyint(steps);
    if (!isfinite(steps) || fabs(steps - whole) > 1e-9 * (whole > 1 ? whole : 1) || whole < 1)
        return serr(S, LEINAO_MODEL_FILE,
                    "%s: /edges/%s: edge %llu: delay %g ms must be a multiple of dt = %g ms and "
                    ">= dt (leinao never rounds a delay)",
                    file, pop, (unsigned long long)row, *d, S->dt);
    *d = whole * S->dt;
    return LEINAO_OK;
}

typedef struct sgroup_cols {
    sdset weight, delay, nsyns;
} sgroup_cols;

static leinao_status load_edge_population(sload *S, const char *file, hid_t h5, const char *name,
                                          const lcsv *types, const char *types_file, sedges *E)
{
    char gpath[300];
    snprintf(gpath, sizeof gpath, "/edges/%s", name);
    hid_t g = H5Gopen2(h5, gpath, H5P_DEFAULT);
    if (g < 0)
        return serr(S, LEINAO_MODEL_FILE, "%s: %s is not a group", file, gpath);
    sdset src = {-1, 0, ""}, tgt = {-1, 0, ""}, type = {-1, 0, ""}, gid = {-1, 0, ""},
          gix = {-1, 0, ""};
    sgroup_cols groups[16];
    int n_groups = 0;
    stype_key *keys = NULL;
    sedge_type *et = NULL;
    double *buf = NULL;
    hsize_t *rows = NULL;
    leinao_status st = sdset_open(S, file, g, gpath, "source_node_id", 1, &src);
    if (!st)
        st = sdset_open(S, file, g, gpath, "target_node_id", 1, &tgt);
    if (!st)
        st = sdset_open(S, file, g, gpath, "edge_type_id", 1, &type);
    if (!st)
        st = sdset_open(S, file, g, gpath, "edge_group_id", 0, &gid);
    if (!st)
        st = sdset_open(S, file, g, gpath, "edge_group_index", 0, &gix);
    for (int k = 0; k < 4 && !st; k++) {
        const sdset *d = k == 0 ? &tgt : k == 1 ? &type : k == 2 ? &gid : &gix;
        st = sdset_same_length(S, file, &src, d);
    }
    snodes *sp = NULL, *tp = NULL;
    for (int k = 0; k < 2 && !st; k++) {
        char pop[128];
        const sdset *d = k ? &tgt : &src;
        if (!sstring_attr(d->set, "node_population", pop, sizeof pop))
            st = serr(S, LEINAO_MODEL_FILE, "%s: %s has no attribute node_population", file,
                      d->name);
        else if (!(*(k ? &tp : &sp) = snodes_find(S, pop)))
            st = serr(S, LEINAO_MODEL_FILE,
                      "%s: %s: node_population '%s' is not a node population of the circuit",
                      file, d->name, pop);
    }
    if (!st && tp->is_virtual)
        st = serr(S, LEINAO_MODEL_FILE, "%s: %s: edges into virtual nodes ('%s'): virtual nodes "
                                        "only send spikes",
                  file, gpath, tp->name);
    if (!st)
        st = type_index(S, types, types_file, "edge_type_id", &keys);
    if (!st)
        st = edge_types(S, types, types_file, &et);
    /* the groups' columns: /edges/<pop>/<group id>/{syn_weight, delay, nsyns} */
    for (int k = 0; !st && k < 16; k++) {
        char gname[16], sub[340];
        snprintf(gname, sizeof gname, "%d", k);
        sgroup_cols *c = &groups[k];
        c->weight.set = c->delay.set = c->nsyns.set = -1;
        n_groups = k + 1;
        if (H5Lexists(g, gname, H5P_DEFAULT) <= 0)
            continue;
        hid_t eg = H5Gopen2(g, gname, H5P_DEFAULT);
        if (eg < 0)
            continue; /* a dataset of that name: not a group */
        snprintf(sub, sizeof sub, "%s/%s", gpath, gname);
        st = sdset_open(S, file, eg, sub, "syn_weight", 0, &c->weight);
        if (!st)
            st = sdset_open(S, file, eg, sub, "delay", 0, &c->delay);
        if (!st)
            st = sdset_open(S, file, eg, sub, "nsyns", 0, &c->nsyns);
        H5Gclose(eg);
    }
    if (!st) {
        buf = lc_malloc(S->ctx, 9 * (size_t)CHUNK * sizeof *buf);
        rows = lc_malloc(S->ctx, (size_t)CHUNK * sizeof *rows);
        if (!buf || !rows)
            st = LEINAO_NOMEM;
    }
    /* the chunk's columns (no pointer arithmetic on a buffer that failed to come) */
    double *s_id = NULL, *t_id = NULL, *ty = NULL, *gi = NULL, *gx = NULL, *w = NULL, *dl = NULL,
           *ns = NULL;
    if (buf) {
        s_id = buf, t_id = buf + CHUNK, ty = buf + 2 * CHUNK, gi = buf + 3 * CHUNK;
        gx = buf + 4 * CHUNK, w = buf + 5 * CHUNK, dl = buf + 6 * CHUNK, ns = buf + 7 * CHUNK;
    }
    E->reserve = (size_t)src.n;
    for (hsize_t from = 0; !st && from < src.n; from += CHUNK) {
        hsize_t count = src.n - from < CHUNK ? src.n - from : CHUNK;
        st = sdset_read(S, file, &src, H5T_NATIVE_DOUBLE, from, count, s_id);
        if (!st)
            st = sdset_read(S, file, &tgt, H5T_NATIVE_DOUBLE, from, count, t_id);
        if (!st)
            st = sdset_read(S, file, &type, H5T_NATIVE_DOUBLE, from, count, ty);
        for (hsize_t k = 0; k < count; k++) {
            gi[k] = 0;
            gx[k] = (double)(from + k);
            w[k] = dl[k] = ns[k] = NAN;
        }
        if (!st && gid.set >= 0)
            st = sdset_read(S, file, &gid, H5T_NATIVE_DOUBLE, from, count, gi);
        if (!st && gix.set >= 0)
            st = sdset_read(S, file, &gix, H5T_NATIVE_DOUBLE, from, count, gx);
        /* per group: the rows of this chunk in it, read at their group index */
        for (int k = 0; !st && k < n_groups; k++) {
            sgroup_cols *c = &groups[k];
            if (c->weight.set < 0 && c->delay.set < 0 && c->nsyns.set < 0)
                continue;
            size_t m = 0;
            for (hsize_t r = 0; !st && r < count; r++) {
                if (gi[r] != k)
                    continue;
                const sdset *any = c->weight.set >= 0 ? &c->weight
                                   : c->delay.set >= 0 ? &c->delay
                                                       : &c->nsyns;
                if (!(gx[r] >= 0 && gx[r] < (double)any->n && gx[r] == floor(gx[r])))
                    st = serr(S, LEINAO_MODEL_FILE,
                              "%s: %s/edge_group_index[%llu] = %g is past the %llu rows of group "
                              "%d",
                              file, gpath, (unsigned long long)(from + r), gx[r],
                              (unsigned long long)any->n, k);
                rows[m++] = (hsize_t)gx[r];
            }
            double *tmp = buf + 8 * CHUNK;
            for (int col = 0; !st && m && col < 3; col++) {
                const sdset *d = col == 0 ? &c->weight : col == 1 ? &c->delay : &c->nsyns;
                double *dst = col == 0 ? w : col == 1 ? dl : ns;
                if (d->set < 0)
                    continue;
                for (size_t q = 0; q < m && !st; q++)
                    if (rows[q] >= d->n)
                        st = serr(S, LEINAO_MODEL_FILE,
                                  "%s: %s has %llu rows, but edge_group_index needs row %llu",
                                  file, d->name, (unsigned long long)d->n,
                                  (unsigned long long)rows[q]);
                /* contiguous rows (a group holding the population's edges in order, as
                 * exported files and most bmtk ones do): one hyperslab, not m points */
                int run = 1;
                for (size_t q = 1; q < m && run; q++)
                    run = rows[q] == rows[0] + q;
                if (!st)
                    st = run ? sdset_read(S, file, d, H5T_NATIVE_DOUBLE, rows[0], m, tmp)
                             : sdset_gather(S, file, d, H5T_NATIVE_DOUBLE, rows, m, tmp);
                size_t q = 0;
                for (hsize_t r = 0; !st && r < count; r++)
                    if (gi[r] == k)
                        dst[r] = tmp[q++];
            }
        }
        for (hsize_t k = 0; !st && k < count; k++) {
            uint64_t row = from + k;
            if (!(s_id[k] >= 0 && s_id[k] < (double)sp->n && s_id[k] == floor(s_id[k])))
                st = serr(S, LEINAO_MODEL_FILE,
                          "%s: %s/source_node_id[%llu] = %g points past the last node of '%s' "
                          "(%llu nodes)",
                          file, gpath, (unsigned long long)row, s_id[k], sp->name,
                          (unsigned long long)sp->n);
            else if (!(t_id[k] >= 0 && t_id[k] < (double)tp->n && t_id[k] == floor(t_id[k])))
                st = serr(S, LEINAO_MODEL_FILE,
                          "%s: %s/target_node_id[%llu] = %g points past the last node of '%s' "
                          "(%llu nodes)",
                          file, gpath, (unsigned long long)row, t_id[k], tp->name,
                          (unsigned long long)tp->n);
            long r = st ? 0 : find_type(keys, types->n_rows, ty[k]);
            if (!st && r < 0)
                st = serr(S, LEINAO_MODEL_FILE,
                          "%s: %s/edge_type_id[%llu] = %g is not an edge type of %s", file, gpath,
                          (unsigned long long)row, ty[k], types_file);
            if (st)
                break;
            const sedge_type *e = &et[r];
            double weight = isnan(w[k]) ? e->weight : w[k];
            double nsyns = isnan(ns[k]) ? (isnan(e->nsyns) ? 1.0 : e->nsyns) : ns[k];
            double delay = isnan(dl[k]) ? (isnan(e->delay) ? 1.0 : e->delay) : dl[k];
            if (isnan(weight)) {
                st = serr(S, LEINAO_MODEL_FILE,
                          "%s: %s: edge %llu has no syn_weight (neither a dataset of its group "
                          "nor a column of %s)",
                          file, gpath, (unsigned long long)row, types_file);
                break;
            }
            if ((st = grid_delay(S, &delay, file, name, row)))
                break;
            int src_pop = sp->pop;
            uint32_t s_index = (uint32_t)s_id[k];
            if (sp->is_virtual) {
                st = snet_generator(S, sp, (uint64_t)s_id[k], &src_pop);
                s_index = 0;
            }
            /* bmtk's rule: the NEST weight is nsyns x syn_weight */
            if (!st)
                st = bucket_add(S, E, src_pop, tp->pop, e->synapse, s_index, (uint32_t)t_id[k],
                                nsyns * weight, delay);
        }
    }
    /* the projections of this edge population */
    for (size_t i = 0; !st && i < E->n; i++) {
        sbucket *b = &E->b[i];
        int proj = -1;
        if ((st = leinao_connect_explicit(S->sim, b->src, b->tgt, b->n, b->sources, b->targets,
                                          b->weights, b->delays, &proj)))
            st = sapi(S, st, "%s: %s", file, gpath);
        char where[SPATH + 32];
        snprintf(where, sizeof where, "%s:%d", types_file, et[b->synapse].line);
        if (!st)
            st = set_synapse(S, proj, &et[b->synapse], where);
    }
    for (int k = 0; k < n_groups; k++) {
        sdset_close(&groups[k].weight);
        sdset_close(&groups[k].delay);
        sdset_close(&groups[k].nsyns);
    }
    sdset_close(&src);
    sdset_close(&tgt);
    sdset_close(&type);
    sdset_close(&gid);
    sdset_close(&gix);
    lc_free(S->ctx, keys);
    lc_free(S->ctx, et);
    lc_free(S->ctx, buf);
    lc_free(S->ctx, rows);
    H5Gclose(g);
    return st;
}

leinao_status snet_load_edges(sload *S)
{
    ynode *networks = ytree_get(S->circuit->root, "networks");
    ynode *list = networks && networks->type == YN_MAP ? ytree_get(networks, "edges") : NULL;
    if (!list)
        return LEINAO_OK;
    if (list->type != YN_SEQ)
        return serr(S, LEINAO_MODEL_FILE, "%s: networks.edges must be a list of edges files",
                    S->circuit->path);
    leinao_status st = LEINAO_OK;
    for (size_t i = 0; !st && i < list->n; i++) {
        network_file nf;
        if ((st = open_network_file(S, list->items[i], "edges", "edge", 1, i, &nf)))
            return st;
        if (nf.h5 < 0)
            continue; /* enabled: false */
        for (int k = 0; !st && k < nf.pops.n; k++) {
            sedges E = {0};
            st = load_edge_population(S, nf.file, nf.h5, nf.pops.name[k], nf.types,
                                      nf.types_file, &E);
            buckets_free(S, &E);
        }
        lc_free(S->ctx, nf.pops.name);
        H5Fclose(nf.h5);
    }
    return st;
}
