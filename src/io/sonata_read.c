/* sonata_read.c — see sonata_read.h. Everything read is checked (ranks, lengths, finite times)
 * before use; HDF5's own error printing is off, and every failure names the file.
 * libhdf5 (1.10, Debian 12) can crash on a corrupt file (fuzzing found heap overflows in its
 * object-header parser): callers that read files they did not write run this in a child
 * process (see plot.c). */
#include "h5util.h"
#include "sonata_read.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_SPIKES 2000000000ull

typedef struct names {
    char (*name)[128];
    int n, cap, bad;
} names;

static herr_t collect(hid_t group, const char *name, const H5L_info_t *info, void *user)
{
    (void)group;
    (void)info;
    names *list = user;
    if (strlen(name) >= 128 || list->n == list->cap) {
        list->bad = 1;
        return 1;
    }
    snprintf(list->name[list->n++], 128, "%s", name);
    return 0;
}

/* A 1-D dataset of `expected` elements (or any length when expected is SIZE_MAX). */
static leinao_status read_vector(lctx *ctx, const char *path, hid_t group, const char *pop,
                                 const char *name, hid_t type, size_t elem, void **out, size_t *n)
{
    hid_t set = H5Dopen2(group, name, H5P_DEFAULT);
    if (set < 0)
        return lc_error(ctx, LEINAO_INVALID, "%s: /spikes/%s has no dataset '%s'", path, pop, name);
    hid_t space = H5Dget_space(set);
    int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    hsize_t dims[1] = {0};
    leinao_status st = LEINAO_OK;
    if (rank != 1 || H5Sget_simple_extent_dims(space, dims, NULL) != 1)
        st = lc_error(ctx, LEINAO_INVALID, "%s: /spikes/%s/%s must be one-dimensional", path, pop,
                      name);
    else if (dims[0] > MAX_SPIKES)
        st = lc_error(ctx, LEINAO_INVALID, "%s: /spikes/%s/%s is too long", path, pop, name);
    else if (*n != (size_t)-1 && dims[0] != *n)
        st = lc_error(ctx, LEINAO_INVALID,
                      "%s: /spikes/%s: timestamps and node_ids differ in length (%zu, %llu)", path,
                      pop, *n, (unsigned long long)dims[0]);
    if (!st) {
        *n = (size_t)dims[0];
        *out = lc_malloc(ctx, (*n ? *n : 1) * elem);
        if (!*out)
            st = LEINAO_NOMEM;
        else if (*n && H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out) < 0)
            st = lc_error(ctx, LEINAO_INVALID, "%s: cannot read /spikes/%s/%s as numbers", path,
                          pop, name);
    }
    if (space >= 0)
        H5Sclose(space);
    H5Dclose(set);
    return st;
}

static int read_scalar_attr(hid_t loc, const char *name, hid_t type, void *value)
{
    if (H5Aexists(loc, name) <= 0)
        return 0;
    hid_t attr = H5Aopen(loc, name, H5P_DEFAULT);
    if (attr < 0)
        return 0;
    hid_t space = H5Aget_space(attr);
    int ok = space >= 0 && H5Sget_simple_extent_npoints(space) == 1 &&
             H5Aread(attr, type, value) >= 0;
    if (space >= 0)
        H5Sclose(space);
    H5Aclose(attr);
    return ok;
}

static void read_model_name(hid_t file, char *out, size_t size)
{
    out[0] = 0;
    if (H5Aexists(file, "model_name") <= 0)
        return;
    hid_t attr = H5Aopen(file, "model_name", H5P_DEFAULT);
    hid_t type = attr >= 0 ? H5Aget_type(attr) : -1;
    if (type >= 0 && H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) > 0) {
        hid_t mem = H5Tcopy(H5T_C_S1);
        H5Tset_size(mem, H5T_VARIABLE);
        H5Tset_cset(mem, H5T_CSET_UTF8);
        char *value = NULL;
        if (H5Aread(attr, mem, &value) >= 0 && value) {
            snprintf(out, size, "%s", value);
            H5free_memory(value);
        }
        H5Tclose(mem);
    }
    if (type >= 0)
        H5Tclose(type);
    if (attr >= 0)
        H5Aclose(attr);
}

leinao_status lsonata_read_spikes(lctx *ctx, const char *path, lspike_table **out)
{
    *out = NULL;
    if (access(path, R_OK) != 0)
        return lc_error(ctx, errno == ENOENT ? LEINAO_NOT_FOUND : LEINAO_IO, "%s: cannot open: %s",
                        path, strerror(errno));
    leinao_status st = LEINAO_OK;
    hid_t file = lh5_open_read(ctx, path, " (a SONATA spike file is)", &st);
    if (file < 0)
        return st;
    hid_t spikes = H5Lexists(file, "spikes", H5P_DEFAULT) > 0 ? H5Gopen2(file, "spikes", H5P_DEFAULT)
                                                              : -1;
    names list = {NULL, 0, 256, 0};
    lspike_table *table = lc_calloc(ctx, 1, sizeof *table);
    list.name = lc_malloc(ctx, 256 * sizeof *list.name);
    if (!table || !list.name)
        st = LEINAO_NOMEM;
    else if (spikes < 0)
        st = lc_error(ctx, LEINAO_INVALID, "%s: no /spikes group (not a SONATA spike file)", path);
    else if (H5Literate(spikes, H5_INDEX_NAME, H5_ITER_INC, NULL, collect, &list) < 0 || list.bad)
        st = lc_error(ctx, LEINAO_INVALID, "%s: cannot list /spikes (at most 256 populations with "
                                           "names under 128 characters)",
                      path);
    if (!st) {
        read_model_name(file, table->model, sizeof table->model);
        table->pops = lc_calloc(ctx, (size_t)list.n + 1, sizeof *table->pops);
        if (!table->pops)
            st = LEINAO_NOMEM;
    }
    for (int i = 0; !st && i < list.n; i++) {
        lspike_population *p = &table->pops[i];
        table->n = i + 1;
        snprintf(p->name, sizeof p->name, "%s", list.name[i]);
        hid_t group = H5Gopen2(spikes, p->name, H5P_DEFAULT);
        if (group < 0) {
            st = lc_error(ctx, LEINAO_INVALID, "%s: /spikes/%s is not a group", path, p->name);
            break;
        }
        size_t n = (size_t)-1;
        st = read_vector(ctx, path, group, p->name, "timestamps", H5T_NATIVE_DOUBLE,
                         sizeof(double), (void **)&p->t, &n);
        if (!st)
            st = read_vector(ctx, path, group, p->name, "node_ids", H5T_NATIVE_UINT64,
                             sizeof(uint64_t), (void **)&p->ids, &n);
        if (!st) {
            p->n = n;
            uint64_t size = 0, top = 0;
            for (size_t j = 0; j < n && !st; j++) {
                if (!isfinite(p->t[j]))
                    st = lc_error(ctx, LEINAO_INVALID, "%s: /spikes/%s/timestamps[%zu] is not a "
                                                       "finite number",
                                  path, p->name, j);
                top = p->ids[j] + 1 > top ? p->ids[j] + 1 : top;
            }
            p->n_nodes = read_scalar_attr(group, "n_nodes", H5T_NATIVE_UINT64, &size) && size >= top
                             ? size
                             : top;
        }
        H5Gclose(group);
    }
    lc_free(ctx, list.name);
    if (spikes >= 0)
        H5Gclose(spikes);
    H5Fclose(file);
    if (st) {
        lsonata_free_spikes(ctx, table);
        return st;
    }
    *out = table;
    return LEINAO_OK;
}

void lsonata_free_spikes(lctx *ctx, lspike_table *table)
{
    if (!table)
        return;
    for (int i = 0; table->pops && i < table->n; i++) {
        lc_free(ctx, table->pops[i].t);
        lc_free(ctx, table->pops[i].ids);
    }
    lc_free(ctx, table->pops);
    lc_free(ctx, table);
}

