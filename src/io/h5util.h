/* h5util.h — small HDF5 helpers shared by the SONATA writers. */
#ifndef LEINAO_IO_H5UTIL_H
#define LEINAO_IO_H5UTIL_H

#include <hdf5.h>

/* A scalar variable-length UTF-8 string attribute (h5py reads it as str). Returns 1 on success. */
int lh5_string_attr(hid_t loc, const char *name, const char *value);
/* A scalar (count 1) or 1-D attribute of `count` values of `type`. Returns 1 on success. */
int lh5_attr(hid_t loc, const char *name, hid_t type, const void *value, hsize_t count);
/* A group without wall-clock stamps (same run, same bytes); < 0 on failure. */
hid_t lh5_group(hid_t parent, const char *name);
/* A 1-D dataset of n values, written at once, without wall-clock stamps. Returns 1 on success. */
int lh5_array(hid_t group, const char *name, hid_t type, const void *data, hsize_t n);

#endif
