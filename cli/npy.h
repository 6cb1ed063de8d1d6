/* npy.h — NumPy .npy files (format 1.0 to 3.0, little-endian, C order): read any integer, bool
 * or float array as float32; write float32 and int64 arrays. */
#ifndef LEINAO_CLI_NPY_H
#define LEINAO_CLI_NPY_H

#include <stddef.h>
#include <stdint.h>

#define NPY_MAX_RANK 8

typedef struct npy_array {
    int rank;
    int64_t dims[NPY_MAX_RANK];
    size_t count;
    float *data; /* malloc'ed; free() it */
} npy_array;

/* Reads `path`; on failure returns nonzero and writes the reason into err. */
int npy_read(const char *path, npy_array *out, char *err, size_t errlen);
/* Writes a float32 ('<f4') or int64 ('<i8') array. Returns 0 on success. */
int npy_write_f32(const char *path, const float *data, int rank, const int64_t *dims);
int npy_write_i64(const char *path, const int64_t *data, int rank, const int64_t *dims);

#endif
