/* sonata_h5.h — the HDF5 reading the SONATA loader's files share (sonata_h5.c): 1-D numeric
 * datasets read in rows or at chosen rows, the names under a group, string attributes. Errors
 * name the file and the dataset (through serr). */
#ifndef LEINAO_IO_SONATA_H5_H
#define LEINAO_IO_SONATA_H5_H

#include <hdf5.h>

#include "sonata_net.h"

/* An open 1-D dataset of numbers: its length and its path (for messages). */
typedef struct sdset {
    hid_t set;
    hsize_t n;
    char name[256];
} sdset;

/* Names under a group (at most 256, each under 128 characters). */
typedef struct snames {
    char (*name)[128];
    int n, cap;
} snames;

/* Opens 1-D dataset `name` under `group` (absent: set < 0 and OK unless required). */
leinao_status sdset_open(sload *S, const char *file, hid_t group, const char *gpath,
                         const char *name, int required, sdset *d);
void sdset_close(sdset *d);
/* An error unless b is absent or as long as a. */
leinao_status sdset_same_length(sload *S, const char *file, const sdset *a, const sdset *b);
/* Rows [from, from + count) of d, converted to `type`. */
leinao_status sdset_read(sload *S, const char *file, const sdset *d, hid_t type, hsize_t from,
                         hsize_t count, void *out);
/* The elements rows[0..count) of d (any order), converted to `type`. */
leinao_status sdset_gather(sload *S, const char *file, const sdset *d, hid_t type,
                           const hsize_t *rows, size_t count, void *out);
/* The names under `path` in `file` (list->name: the caller frees it, also on error). */
leinao_status slist_group(sload *S, const char *fname, hid_t file, const char *path,
                          snames *list);
/* A string attribute of a dataset or group into out (1), or 0 when absent or not a string. */
int sstring_attr(hid_t loc, const char *name, char *out, size_t size);

#endif
