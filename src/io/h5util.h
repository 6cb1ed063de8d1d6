/* h5util.h — small HDF5 helpers shared by the SONATA writers and readers. */
#ifndef LEINAO_IO_H5UTIL_H
#define LEINAO_IO_H5UTIL_H

#include <hdf5.h>

#include "../base/context.h"

/* A scalar variable-length UTF-8 string attribute (h5py reads it as str). Returns 1 on success. */
int lh5_string_attr(hid_t loc, const char *name, const char *value);
/* A scalar (count 1) or 1-D attribute of `count` values of `type`. Returns 1 on success. */
int lh5_attr(hid_t loc, const char *name, hid_t type, const void *value, hsize_t count);
/* A group without wall-clock stamps (same run, same bytes); < 0 on failure. */
hid_t lh5_group(hid_t parent, const char *name);
/* A 1-D dataset of n values, written at once, without wall-clock stamps. Returns 1 on success. */
int lh5_array(hid_t group, const char *name, hid_t type, const void *data, hsize_t n);

/* Opens an HDF5 file for reading, with the library's error printing off. On failure returns
 * < 0 and sets *st and the message: "PATH: not an HDF5 file" followed by `hint` (e.g. " (a
 * SONATA spike file is)"), or "PATH: cannot open as HDF5". */
hid_t lh5_open_read(lctx *ctx, const char *path, const char *hint, leinao_status *st);

#endif
