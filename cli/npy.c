/* npy.c — see npy.h. The format: magic "\x93NUMPY", version (major, minor), header length
 * (2 bytes in 1.0, 4 in 2.0/3.0), a Python dict literal ('descr', 'fortran_order', 'shape')
 * padded with spaces to a multiple of 64 bytes, then the raw data. */
#include "npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t len, const char *path, const char *why)
{
    snprintf(err, len, "%s: %s", path, why);
    return 1;
}

static double element(const unsigned char *p, char kind, int size)
{
    uint64_t u = 0;
    for (int b = size - 1; b >= 0; b--)
        u = u << 8 | p[b];
    switch (kind) {
    case 'b':
    case 'u':
        return (double)u;
    case 'i':
        if (size < 8 && (u >> (8 * size - 1)))
            u |= ~(uint64_t)0 << (8 * size);
        return (double)(int64_t)u;
    default:
        if (size == 4) {
            uint32_t w = (uint32_t)u;
            float f;
            memcpy(&f, &w, 4);
            return f;
        } else {
            double d;
            memcpy(&d, &u, 8);
            return d;
        }
    }
}

int npy_read(const char *path, npy_array *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(err, errlen, path, "cannot open");
    unsigned char head[12];
    int rc = 1;
    char *header = NULL;
    unsigned char *raw = NULL;
    if (fread(head, 1, 10, f) != 10 || memcmp(head, "\x93NUMPY", 6)) {
        fail(err, errlen, path, "not a .npy file (magic)");
        goto done;
    }
    size_t hlen = (size_t)head[8] | (size_t)head[9] << 8;
    if (head[6] >= 2) {
        if (fread(head + 10, 1, 2, f) != 2) {
            fail(err, errlen, path, "truncated header");
            goto done;
        }
        hlen |= (size_t)head[10] << 16 | (size_t)head[11] << 24;
    }
    if (hlen > 1 << 20 || !(header = calloc(1, hlen + 1)) || fread(header, 1, hlen, f) != hlen) {
        fail(err, errlen, path, "truncated or oversized header");
        goto done;
    }
    char *descr = strstr(header, "'descr'"), *shape = strstr(header, "'shape'");
    char *fortran = strstr(header, "'fortran_order'");
    if (!descr || !shape || !fortran) {
        fail(err, errlen, path, "header lacks descr, fortran_order or shape");
        goto done;
    }
    if (strncmp(strchr(fortran, ':') + 1 + strspn(strchr(fortran, ':') + 1, " "), "False", 5)) {
        fail(err, errlen, path, "Fortran-ordered arrays are not supported (use np.ascontiguousarray)");
        goto done;
    }
    char *q = strchr(descr + 7, '\'');
    char endian = q ? q[1] : 0, kind = q ? q[2] : 0;
    int size = q ? atoi(q + 3) : 0;
    if ((endian != '<' && endian != '|' && endian != '=') || !strchr("biuf", kind) || size < 1 || size > 8 ||
        (kind == 'f' && size != 4 && size != 8)) {
        fail(err, errlen, path, "unsupported dtype (bool, integers, float32 or float64, little-endian)");
        goto done;
    }
    char *p = strchr(shape, '(');
    if (!p) {
        fail(err, errlen, path, "bad shape");
        goto done;
    }
    p++;
    out->count = 1;
    while (*p && *p != ')') {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == ')')
            break;
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p || v < 0 || out->rank == NPY_MAX_RANK) {
            fail(err, errlen, path, "bad shape");
            goto done;
        }
        out->dims[out->rank++] = v;
        out->count *= (size_t)v;
        if (out->count > ((size_t)1 << 32)) {
            fail(err, errlen, path, "array too large");
            goto done;
        }
        p = end;
    }
    raw = malloc(out->count * (size_t)size + 1);
    out->data = malloc((out->count ? out->count : 1) * sizeof(float));
    if (!raw || !out->data) {
        fail(err, errlen, path, "out of memory");
        goto done;
    }
    if (fread(raw, (size_t)size, out->count, f) != out->count) {
        fail(err, errlen, path, "truncated data");
        goto done;
    }
    for (size_t j = 0; j < out->count; j++)
        out->data[j] = (float)element(raw + j * (size_t)size, kind, size);
    rc = 0;
done:
    if (rc) {
        free(out->data);
        out->data = NULL;
    }
    free(raw);
    free(header);
    fclose(f);
    return rc;
}

static int write_npy(const char *path, const void *data, size_t elem, const char *descr, int rank,
                     const int64_t *dims)
{
    char header[512];
    size_t count = 1;
    int at = snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
    for (int r = 0; r < rank; r++) {
        at += snprintf(header + at, sizeof header - (size_t)at, "%lld,%s", (long long)dims[r],
                       r + 1 < rank ? " " : "");
        count *= (size_t)dims[r];
    }
    at += snprintf(header + at, sizeof header - (size_t)at, "), }");
    size_t total = 10 + (size_t)at + 1;
    size_t pad = (64 - total % 64) % 64;
    FILE *f = fopen(path, "wb");
    if (!f)
        return 1;
    unsigned short hlen = (unsigned short)(at + pad + 1);
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hlen & 0xff),
                             (unsigned char)(hlen >> 8)};
    int ok = fwrite(pre, 1, 10, f) == 10 && fwrite(header, 1, (size_t)at, f) == (size_t)at;
    for (size_t k = 0; k < pad && ok; k++)
        ok = fputc(' ', f) != EOF;
    ok = ok && fputc('\n', f) != EOF && (!count || fwrite(data, elem, count, f) == count);
    return fclose(f) != 0 || !ok;
}

int npy_write_f32(const char *path, const float *data, int rank, const int64_t *dims)
{
    return write_npy(path, data, 4, "<f4", rank, dims);
}

int npy_write_i64(const char *path, const int64_t *data, int rank, const int64_t *dims)
{
    return write_npy(path, data, 8, "<i8", rank, dims);
}
