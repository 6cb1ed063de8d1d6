/* nir_read.c — reads a NIR file (HDF5; docs/nir.md): /node is the top-level NIRGraph,
 * /node/nodes/<name>/ one group per node with its `type` string and one dataset per parameter
 * (float32, float64 or int64, any of them gzip-chunked: HDF5 converts and inflates),
 * /node/edges an (E, 2) array of strings. A node of type NIRGraph is a nested graph with its
 * own nodes/ and edges; it is read recursively (at most NIR_MAX_DEPTH deep, and a group that
 * contains itself through HDF5 links is refused) and flattened: its node B is "G.B". Everything read is checked before use; every failure
 * names the file, the node, the dataset and the rule. The graph is then built and checked by
 * the runtime (src/nir/graph.c). libhdf5 1.10 can crash on a corrupt file: callers reading
 * untrusted files run this in a child process. */
#include "../nir/nir.h"
#include "h5util.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ELEMENTS (64u * 1024u * 1024u) /* per dataset */
#define MAX_NODES 100000
#define MAX_EDGES 1000000

typedef struct reader {
    leinao_nir *g;
    leinao_status st;
    int *count;         /* nodes read, all levels together */
    const char *path;   /* HDF5 path of this graph's group, for messages ("/node") */
    const char *prefix; /* "" at the top level, "G." in subgraph G */
    int sub;            /* 0, or the subgraph's scope (nir_add_subgraph) */
    int depth;
    haddr_t *above;     /* HDF5 addresses of the enclosing graphs' groups, [0, depth] */
} reader;

static leinao_status read_graph_group(leinao_nir *g, hid_t graph, const reader *parent,
                                      const char *path, const char *prefix, int sub);

/* A string dataset (scalar or one element; variable or fixed length) into buf. */
static leinao_status read_string(leinao_nir *g, hid_t loc, const char *where, const char *name,
                                 char *buf, size_t len)
{
    hid_t set = H5Dopen2(loc, name, H5P_DEFAULT);
    if (set < 0)
        return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: %s has no dataset '%s'", g->path, where, name);
    hid_t ftype = H5Dget_type(set), space = H5Dget_space(set), mtype = -1;
    leinao_status st = LEINAO_OK;
    hssize_t n = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
    if (ftype < 0 || H5Tget_class(ftype) != H5T_STRING || n != 1) {
        st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: %s/%s must be one string", g->path, where, name);
    } else if (H5Tis_variable_str(ftype) > 0) {
        mtype = H5Tcopy(H5T_C_S1);
        H5Tset_size(mtype, H5T_VARIABLE);
        H5Tset_cset(mtype, H5Tget_cset(ftype));
        char *text = NULL;
        if (H5Dread(set, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) < 0 || !text)
            st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: %s/%s cannot be read", g->path, where, name);
        else
            snprintf(buf, len, "%s", text);
        if (text)
            H5free_memory(text);
    } else {
        size_t size = H5Tget_size(ftype);
        if (size == 0 || size + 1 >= len) {
            st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: %s/%s is too long", g->path, where, name);
        } else {
            mtype = H5Tcopy(H5T_C_S1); /* one more byte: NUL-padded file strings fill theirs */
            H5Tset_size(mtype, size + 1);
            H5Tset_strpad(mtype, H5T_STR_NULLTERM);
            H5Tset_cset(mtype, H5Tget_cset(ftype));
            memset(buf, 0, len);
            if (H5Dread(set, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
                st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: %s/%s cannot be read", g->path, where, name);
        }
    }
    if (mtype >= 0)
        H5Tclose(mtype);
    if (ftype >= 0)
        H5Tclose(ftype);
    if (space >= 0)
        H5Sclose(space);
    H5Dclose(set);
    return st;
}

/* A numeric dataset of node `node`, converted to double. */
static leinao_status read_param(leinao_nir *g, int node, hid_t group, const char *name)
{
    const char *nname = g->nodes[node].name;
    hid_t set = H5Dopen2(group, name, H5P_DEFAULT);
    if (set < 0)
        return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s': dataset '%s' cannot be opened", g->path, nname, name);
    hid_t ftype = H5Dget_type(set), space = H5Dget_space(set);
    leinao_status st = LEINAO_OK;
    H5T_class_t cls = ftype >= 0 ? H5Tget_class(ftype) : H5T_NO_CLASS;
    int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    hsize_t dims[NIR_MAX_RANK] = {0};
    int64_t d64[NIR_MAX_RANK] = {0};
    double *values = NULL;
    if (cls == H5T_STRING) {
        char text[64];
        H5Dclose(set);
        H5Tclose(ftype);
        if (space >= 0)
            H5Sclose(space);
        if ((st = read_string(g, group, nname, name, text, sizeof text)))
            return st;
        return nir_add_text_param(g, node, name, text);
    }
    const char *file_type = cls == H5T_INTEGER ? "int64" : ftype >= 0 && H5Tget_size(ftype) == 4 ? "float32" : "float64";
    if (cls != H5T_INTEGER && cls != H5T_FLOAT)
        st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s': dataset '%s' is neither a number nor a string",
                      g->path, nname, name);
    else if (rank < 0 || rank > NIR_MAX_RANK || H5Sget_simple_extent_dims(space, dims, NULL) != rank)
        st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s': dataset '%s' has an unreadable or too high rank",
                      g->path, nname, name);
    if (!st) {
        hssize_t n = H5Sget_simple_extent_npoints(space);
        if (n < 0 || (uint64_t)n > MAX_ELEMENTS)
            st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s': dataset '%s' is too large (%lld values)",
                          g->path, nname, name, (long long)n);
        else if (!(values = lc_malloc(&g->ctx, (size_t)(n ? n : 1) * sizeof(double))))
            st = LEINAO_NOMEM;
        else if (n && H5Dread(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0)
            st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s': dataset '%s' cannot be read (corrupt?)",
                          g->path, nname, name);
    }
    for (int r = 0; r < rank && r < NIR_MAX_RANK; r++)
        d64[r] = (int64_t)dims[r];
    if (!st)
        st = nir_add_param(g, node, name, rank, d64, values, file_type);
    lc_free(&g->ctx, values);
    if (ftype >= 0)
        H5Tclose(ftype);
    if (space >= 0)
        H5Sclose(space);
    H5Dclose(set);
    return st;
}

typedef struct param_walk {
    leinao_nir *g;
    int node;
    leinao_status st;
} param_walk;

static herr_t each_param(hid_t group, const char *name, const H5L_info_t *info, void *user)
{
    (void)info;
    param_walk *w = user;
    if (!strcmp(name, "type") || !strcmp(name, "metadata"))
        return 0;
    H5O_info_t oi;
    if (H5Oget_info_by_name(group, name, &oi, H5P_DEFAULT) < 0) {
        w->st = lc_error(&w->g->ctx, LEINAO_MODEL_FILE, "%s: node '%s': '%s' cannot be read", w->g->path,
                         w->g->nodes[w->node].name, name);
        return -1;
    }
    if (oi.type != H5O_TYPE_DATASET)
        return 0; /* subgroups other than a nested graph's nodes carry nothing the runtime uses */
    w->st = read_param(w->g, w->node, group, name);
    return w->st ? -1 : 0;
}

/* A nested NIRGraph node: checked against the enclosing groups, registered, read. */
static leinao_status read_subgraph(reader *r, hid_t group, haddr_t addr, const char *full)
{
    leinao_nir *g = r->g;
    for (int k = 0; k <= r->depth; k++)
        if (r->above[k] == addr)
            return lc_error(&g->ctx, LEINAO_MODEL_FILE,
                            "%s: nested graph '%s' is the group of an enclosing graph (a cycle of HDF5 links)",
                            g->path, full);
    if (r->depth + 1 > NIR_MAX_DEPTH)
        return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: nested graph '%s' is nested more than %d deep",
                        g->path, full, NIR_MAX_DEPTH);
    int sub = 0;
    leinao_status st = nir_add_subgraph(g, full, &sub);
    if (st)
        return st;
    size_t plen = strlen(r->path) + strlen(full) + 16, flen = strlen(full) + 2;
    char *path = lc_malloc(&g->ctx, plen), *prefix = lc_malloc(&g->ctx, flen);
    if (!path || !prefix) {
        lc_free(&g->ctx, path);
        lc_free(&g->ctx, prefix);
        return LEINAO_NOMEM;
    }
    snprintf(path, plen, "%s/nodes/%s", r->path, full + strlen(r->prefix));
    snprintf(prefix, flen, "%s.", full);
    r->above[r->depth + 1] = addr;
    st = read_graph_group(g, group, r, path, prefix, sub);
    lc_free(&g->ctx, path);
    lc_free(&g->ctx, prefix);
    return st;
}

static herr_t each_node(hid_t nodes, const char *name, const H5L_info_t *info, void *user)
{
    (void)info;
    reader *r = user;
    leinao_nir *g = r->g;
    if (++*r->count > MAX_NODES) {
        r->st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: more than %d nodes", g->path, MAX_NODES);
        return -1;
    }
    H5O_info_t oi;
    if (H5Oget_info_by_name(nodes, name, &oi, H5P_DEFAULT) < 0 || oi.type != H5O_TYPE_GROUP) {
        r->st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: %s/nodes/%s is not a group (a node is a group)", g->path,
                         r->path, name);
        return -1;
    }
    size_t flen = strlen(r->prefix) + strlen(name) + 1;
    char *full = lc_malloc(&g->ctx, flen);
    if (!full) {
        r->st = LEINAO_NOMEM;
        return -1;
    }
    snprintf(full, flen, "%s%s", r->prefix, name);
    hid_t group = H5Gopen2(nodes, name, H5P_DEFAULT);
    if (group < 0) {
        r->st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s' cannot be opened", g->path, full);
        lc_free(&g->ctx, full);
        return -1;
    }
    char where[512], type[64];
    snprintf(where, sizeof where, "node '%s'", full);
    int index = -1;
    r->st = read_string(g, group, where, "type", type, sizeof type);
    if (!r->st && !strcmp(type, "NIRGraph")) {
        r->st = read_subgraph(r, group, oi.addr, full);
        H5Gclose(group);
        lc_free(&g->ctx, full);
        return r->st ? -1 : 0;
    }
    if (!r->st)
        r->st = nir_add_node_in(g, r->sub, full, type, &index);
    lc_free(&g->ctx, full);
    if (!r->st) {
        param_walk w = {g, index, LEINAO_OK};
        hsize_t at = 0;
        if (H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &at, each_param, &w) < 0 && !w.st)
            w.st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: node '%s': its datasets cannot be listed", g->path,
                            g->nodes[index].name);
        r->st = w.st;
    }
    H5Gclose(group);
    return r->st ? -1 : 0;
}

static leinao_status read_edges(leinao_nir *g, hid_t graph, const char *path, int sub)
{
    if (H5Lexists(graph, "edges", H5P_DEFAULT) <= 0)
        return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: %s has no dataset 'edges'", g->path, path);
    hid_t set = H5Dopen2(graph, "edges", H5P_DEFAULT);
    if (set < 0)
        return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: %s/edges cannot be opened", g->path, path);
    hid_t ftype = H5Dget_type(set), space = H5Dget_space(set), mtype = -1;
    leinao_status st = LEINAO_OK;
    hsize_t dims[2] = {0, 0};
    int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    H5T_class_t cls = ftype >= 0 ? H5Tget_class(ftype) : H5T_NO_CLASS;
    if (cls == H5T_INTEGER)
        st = lc_error(&g->ctx, LEINAO_UNSUPPORTED,
                      "%s: %s/edges holds index pairs (NIR before 0.1, nodes as a list): not supported", g->path, path);
    else if (cls != H5T_STRING)
        st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: %s/edges must be strings", g->path, path);
    else if (rank == 1 && H5Sget_simple_extent_npoints(space) == 0)
        dims[0] = 0; /* no edges */
    else if (rank != 2 || H5Sget_simple_extent_dims(space, dims, NULL) != 2 || dims[1] != 2)
        st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: %s/edges must be an (E, 2) array of (source, target) names", g->path, path);
    else if (dims[0] > MAX_EDGES)
        st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: %s/edges: more than %d edges", g->path, path, MAX_EDGES);
    size_t n = (size_t)dims[0] * 2;
    if (!st && n) {
        mtype = H5Tcopy(H5T_C_S1);
        H5Tset_cset(mtype, H5Tget_cset(ftype));
        if (H5Tis_variable_str(ftype) > 0) {
            H5Tset_size(mtype, H5T_VARIABLE);
            char **names = lc_calloc(&g->ctx, n, sizeof *names);
            if (!names)
                st = LEINAO_NOMEM;
            else {
                if (H5Dread(set, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, names) < 0)
                    st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: %s/edges cannot be read", g->path, path);
                for (size_t e = 0; e < n / 2 && !st; e++)
                    st = !names[2 * e] || !names[2 * e + 1]
                             ? lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: %s/edges row %zu is empty", g->path, path, e)
                             : nir_add_edge(g, sub, names[2 * e], names[2 * e + 1]);
                /* also after a failed read: the strings read before it are allocated */
                H5Dvlen_reclaim(mtype, space, H5P_DEFAULT, names);
            }
            lc_free(&g->ctx, names);
        } else {
            size_t size = H5Tget_size(ftype);
            char *text = NULL, a[1024], b[1024];
            if (size == 0 || size + 1 >= sizeof a)
                st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: %s/edges: names too long", g->path, path);
            else if (!(text = lc_calloc(&g->ctx, n, size + 1)))
                st = LEINAO_NOMEM;
            else {
                size++; /* room for the NUL of NUL-padded names */
                H5Tset_size(mtype, size);
                H5Tset_strpad(mtype, H5T_STR_NULLTERM);
                if (H5Dread(set, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, text) < 0)
                    st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: %s/edges cannot be read", g->path, path);
                for (size_t e = 0; e < n / 2 && !st; e++) {
                    memcpy(a, text + 2 * e * size, size);
                    a[size - 1] = 0;
                    memcpy(b, text + (2 * e + 1) * size, size);
                    b[size - 1] = 0;
                    st = nir_add_edge(g, sub, a, b);
                }
            }
            lc_free(&g->ctx, text);
        }
    }
    if (mtype >= 0)
        H5Tclose(mtype);
    if (ftype >= 0)
        H5Tclose(ftype);
    if (space >= 0)
        H5Sclose(space);
    H5Dclose(set);
    return st;
}

/* The graph in group `graph` (its type already checked): nodes, nested graphs, edges. */
static leinao_status read_graph_group(leinao_nir *g, hid_t graph, const reader *parent,
                                      const char *path, const char *prefix, int sub)
{
    if (H5Lexists(graph, "nodes", H5P_DEFAULT) <= 0)
        return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: %s has no group 'nodes'", g->path, path);
    hid_t nodes = H5Gopen2(graph, "nodes", H5P_DEFAULT);
    if (nodes < 0)
        return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: %s/nodes is not a group", g->path, path);
    reader r = {g, LEINAO_OK, parent->count, path, prefix, sub, parent->depth + (sub > 0), parent->above};
    int before = *r.count;
    hsize_t at = 0;
    if (H5Literate(nodes, H5_INDEX_NAME, H5_ITER_INC, &at, each_node, &r) < 0 && !r.st)
        r.st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: %s/nodes cannot be listed", g->path, path);
    H5Gclose(nodes);
    if (!r.st && sub > 0 && *r.count == before)
        r.st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: nested graph '%.*s' has no nodes", g->path,
                        (int)(strlen(prefix) - 1), prefix);
    if (!r.st)
        r.st = read_edges(g, graph, path, sub);
    return r.st;
}

static leinao_status read_graph(leinao_nir *g, hid_t file)
{
    if (H5Lexists(file, "node", H5P_DEFAULT) <= 0)
        return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: no group /node (not a NIR file)", g->path);
    hid_t graph = H5Gopen2(file, "node", H5P_DEFAULT);
    if (graph < 0)
        return lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: /node is not a group (not a NIR file)", g->path);
    char type[64] = "";
    leinao_status st = read_string(g, graph, "/node", "type", type, sizeof type);
    if (!st && strcmp(type, "NIRGraph"))
        st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: /node/type is '%s', must be 'NIRGraph'", g->path, type);
    H5O_info_t oi;
    if (!st && H5Oget_info(graph, &oi) < 0)
        st = lc_error(&g->ctx, LEINAO_MODEL_FILE, "%s: /node cannot be read", g->path);
    if (!st) {
        haddr_t above[NIR_MAX_DEPTH + 1] = {oi.addr};
        int count = 0;
        reader top = {g, LEINAO_OK, &count, "/node", "", 0, 0, above};
        st = read_graph_group(g, graph, &top, "/node", "", 0);
    }
    H5Gclose(graph);
    if (!st)
        st = nir_finish(g);
    return st;
}

leinao_status leinao_nir_load(leinao_nir **out, const char *path)
{
    if (!out)
        return LEINAO_INVALID;
    *out = nir_new(path);
    leinao_nir *g = *out;
    if (!g)
        return LEINAO_NOMEM;
    if (!path)
        return lc_error_at(&g->ctx, LEINAO_INVALID, "path", NULL, -1, "leinao_nir_load: path is NULL");
    FILE *probe = fopen(path, "rb");
    if (!probe)
        return lc_error(&g->ctx, LEINAO_NOT_FOUND, "%s: cannot open (no such file or not readable)", path);
    fclose(probe);
    leinao_status st = LEINAO_OK;
    hid_t file = lh5_open_read(&g->ctx, path, " (a NIR file is)", &st);
    if (file < 0)
        return st;
    st = read_graph(g, file);
    H5Fclose(file);
    return st;
}
