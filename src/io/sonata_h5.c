/* sonata_h5.c — the HDF5 reading of the SONATA loader (sonata_h5.h). */
#include "sonata_h5.h"

#include <stdio.h>
#include <string.h>

/* Opens 1-D dataset `name` under `group` (absent: set < 0 and OK unless required). */
leinao_status sdset_open(sload *S, const char *file, hid_t group, const char *gpath,
                         const char *name, int required, sdset *d)
{
    d->set = -1;
    d->n = 0;
    snprintf(d->name, sizeof d->name, "%s/%s", gpath, name);
    if (H5Lexists(group, name, H5P_DEFAULT) <= 0) {
        if (required)
            return serr(S, LEINAO_MODEL_FILE, "%s: missing dataset %s", file, d->name);
        return LEINAO_OK;
    }
    d->set = H5Dopen2(group, name, H5P_DEFAULT);
    if (d->set < 0)
        return serr(S, LEINAO_MODEL_FILE, "%s: %s is not a dataset", file, d->name);
    hid_t space = H5Dget_space(d->set);
    int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    hsize_t dims[1] = {0};
    int ok = rank == 1 && H5Sget_simple_extent_dims(space, dims, NULL) == 1;
    if (space >= 0)
        H5Sclose(space);
    if (!ok) {
        H5Dclose(d->set);
        d->set = -1;
        return serr(S, LEINAO_MODEL_FILE, "%s: %s must be one-dimensional", file, d->name);
    }
    hid_t type = H5Dget_type(d->set);
    H5T_class_t cls = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
    if (type >= 0)
        H5Tclose(type);
    if (cls != H5T_INTEGER && cls != H5T_FLOAT) {
        H5Dclose(d->set);
        d->set = -1;
        return serr(S, LEINAO_MODEL_FILE, "%s: %s must hold numbers", file, d->name);
    }
    d->n = dims[0];
    return LEINAO_OK;
}

void sdset_close(sdset *d)
{
    if (d->set >= 0)
        H5Dclose(d->set);
    d->set = -1;
}

leinao_status sdset_same_length(sload *S, const char *file, const sdset *a, const sdset *b)
                                {
    if (b->set >= 0 && b->n != a->n)
        return serr(S, LEINAO_MODEL_FILE, "%s: %s has %llu rows but %s has %llu (they must be of "
                                          "equal length)",
                    file, b->name, (unsigned long long)b->n, a->name, (unsigned long long)a->n);
    return LEINAO_OK;
}

/* Rows [from, from + count) of d, converted to `type`. */
leinao_status sdset_read(sload *S, const char *file, const sdset *d, hid_t type,
                         hsize_t from, hsize_t count, void *out)
{
    hid_t space = H5Dget_space(d->set);
    hid_t mem = H5Screate_simple(1, &count, NULL);
    int ok = space >= 0 && mem >= 0 &&
             H5Sselect_hyperslab(space, H5S_SELECT_SET, &from, NULL, &count, NULL) >= 0 &&
             H5Dread(d->set, type, mem, space, H5P_DEFAULT, out) >= 0;
    if (mem >= 0)
        H5Sclose(mem);
    if (space >= 0)
        H5Sclose(space);
    if (!ok)
        return serr(S, LEINAO_MODEL_FILE, "%s: cannot read rows %llu to %llu of %s", file,
                    (unsigned long long)from, (unsigned long long)(from + count), d->name);
    return LEINAO_OK;
}

/* The elements rows[0..count) of d (any order), converted to `type`. */
leinao_status sdset_gather(sload *S, const char *file, const sdset *d, hid_t type,
                           const hsize_t *rows, size_t count, void *out)
{
    hid_t space = H5Dget_space(d->set);
    hsize_t n = count;
    hid_t mem = H5Screate_simple(1, &n, NULL);
    int ok = space >= 0 && mem >= 0 &&
             H5Sselect_elements(space, H5S_SELECT_SET, count, rows) >= 0 &&
             H5Dread(d->set, type, mem, space, H5P_DEFAULT, out) >= 0;
    if (mem >= 0)
        H5Sclose(mem);
    if (space >= 0)
        H5Sclose(space);
    if (!ok)
        return serr(S, LEINAO_MODEL_FILE, "%s: cannot read %s at the rows of its group", file,
                    d->name);
    return LEINAO_OK;
}

static herr_t collect(hid_t group, const char *name, const H5L_info_t *info, void *user)
{
    (void)group;
    (void)info;
    snames *list = user;
    if (strlen(name) >= 128 || list->n == list->cap)
        return 1;
    snprintf(list->name[list->n++], 128, "%s", name);
    return 0;
}

/* The names under `path` in `file` (at most 256). */
leinao_status slist_group(sload *S, const char *fname, hid_t file, const char *path,
                          snames *list)
{
    list->n = 0;
    list->cap = 256;
    list->name = lc_malloc(S->ctx, 256 * sizeof *list->name);
    if (!list->name)
        return LEINAO_NOMEM;
    hid_t g = H5Lexists(file, path, H5P_DEFAULT) > 0 ? H5Gopen2(file, path, H5P_DEFAULT) : -1;
    if (g < 0)
        return serr(S, LEINAO_MODEL_FILE, "%s: no group %s", fname, path);
    herr_t r = H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, collect, list);
    H5Gclose(g);
    if (r != 0)
        return serr(S, LEINAO_MODEL_FILE, "%s: cannot list %s (at most 256 names under 128 "
                                          "characters)",
                    fname, path);
    return LEINAO_OK;
}

/* A string attribute of a dataset or group. */
int sstring_attr(hid_t loc, const char *name, char *out, size_t size)
                 {
    out[0] = 0;
    if (H5Aexists(loc, name) <= 0)
        return 0;
    hid_t attr = H5Aopen(loc, name, H5P_DEFAULT);
    hid_t type = attr >= 0 ? H5Aget_type(attr) : -1;
    hid_t space = attr >= 0 ? H5Aget_space(attr) : -1;
    int ok = 0;
    if (type >= 0 && space >= 0 && H5Tget_class(type) == H5T_STRING &&
        H5Sget_simple_extent_npoints(space) == 1) {
        if (H5Tis_variable_str(type) > 0) {
            hid_t mem = H5Tcopy(H5T_C_S1);
            H5Tset_size(mem, H5T_VARIABLE);
            H5Tset_cset(mem, H5Tget_cset(type)); /* HDF5 converts no character sets */
            char *value = NULL;
            if (H5Aread(attr, mem, &value) >= 0 && value) {
                snprintf(out, size, "%s", value);
                ok = 1;
            }
            if (value)
                H5free_memory(value);
            H5Tclose(mem);
        } else {
            size_t len = H5Tget_size(type);
            if (len > 0 && len < size) {
                hid_t mem = H5Tcopy(H5T_C_S1);
                H5Tset_size(mem, len + 1);
                H5Tset_cset(mem, H5Tget_cset(type));
                char buf[1024];
                if (len + 1 <= sizeof buf && H5Aread(attr, mem, buf) >= 0) {
                    buf[len] = 0;
                    memcpy(out, buf, len + 1); /* len < size */
                    ok = 1;
                }
                H5Tclose(mem);
            }
        }
    }
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    if (attr >= 0)
        H5Aclose(attr);
    return ok;
}
