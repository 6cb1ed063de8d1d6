/* h5util.c — see h5util.h. */
#include "h5util.h"

int lh5_attr(hid_t loc, const char *name, hid_t type, const void *value, hsize_t count)
{
    hid_t space = count == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &count, NULL);
    hid_t attr = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    int ok = attr >= 0 && H5Awrite(attr, type, value) >= 0;
    if (attr >= 0)
        H5Aclose(attr);
    H5Sclose(space);
    return ok;
}

int lh5_string_attr(hid_t loc, const char *name, const char *value)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    int ok = lh5_attr(loc, name, type, &value, 1);
    H5Tclose(type);
    return ok;
}

hid_t lh5_group(hid_t parent, const char *name)
{
    hid_t props = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_obj_track_times(props, 0);
    hid_t g = H5Gcreate2(parent, name, H5P_DEFAULT, props, H5P_DEFAULT);
    H5Pclose(props);
    return g;
}

int lh5_array(hid_t group, const char *name, hid_t type, const void *data, hsize_t n)
{
    hid_t space = H5Screate_simple(1, &n, NULL);
    hid_t props = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(props, 0);
    hid_t set = H5Dcreate2(group, name, type, space, H5P_DEFAULT, props, H5P_DEFAULT);
    H5Pclose(props);
    int ok = set >= 0 && H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0;
    if (set >= 0)
        H5Dclose(set);
    H5Sclose(space);
    return ok;
}

hid_t lh5_open_read(lctx *ctx, const char *path, const char *hint, leinao_status *st)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (H5Fis_hdf5(path) <= 0) {
        *st = lc_error(ctx, LEINAO_NOT_FOUND, "%s: not an HDF5 file%s", path, hint);
        return -1;
    }
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0)
        *st = lc_error(ctx, LEINAO_INVALID, "%s: cannot open as HDF5", path);
    return file;
}
