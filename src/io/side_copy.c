/* side_copy.c — see side_copy.h. */
#define _POSIX_C_SOURCE 200809L
#include "side_copy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FNV_OFFSET 1469598103934665603ull
#define FNV_PRIME 1099511628211ull

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * FNV_PRIME;
    return h;
}

void lside_init(lside *s)
{
    s->fd1 = 0;
    s->path = NULL;
    s->bytes = 0;
    s->hash = FNV_OFFSET;
}

int lside_active(const lside *s)
{
    return s->fd1 > 0;
}

char *lside_name(lctx *ctx, const char *output)
{
    size_t n = strlen(output) + 16;
    char *name = lc_malloc(ctx, n);
    if (name)
        snprintf(name, n, "%s.ckpt-data", output);
    return name;
}

leinao_status lside_create(lctx *ctx, lside *s, const char *path)
{
    lside_close(ctx, s, 0);
    s->path = lc_strdup(ctx, path);
    if (!s->path)
        return LEINAO_NOMEM;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    s->fd1 = fd + 1;
    s->hash = FNV_OFFSET;
    s->bytes = 0;
    if (fd < 0)
        return lc_error(ctx, LEINAO_IO, "%s: cannot create the checkpoint's copy of the output: %s",
                        path, strerror(errno));
    return LEINAO_OK;
}

leinao_status lside_append(lctx *ctx, lside *s, const void *data, size_t n)
{
    if (s->fd1 <= 0)
        return LEINAO_OK;
    const char *p = data;
    for (size_t done = 0; done < n;) {
        ssize_t k = write(s->fd1 - 1, p + done, n - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return lc_error(ctx, LEINAO_IO, "%s: cannot write: %s", s->path,
                            k < 0 ? strerror(errno) : "no space");
        done += (size_t)k;
    }
    s->hash = fnv(s->hash, data, n);
    s->bytes += n;
    return LEINAO_OK;
}

leinao_status lside_save(lctx *ctx, lside *s, lrs_list *list, const char *prefix)
{
    if (s->fd1 <= 0)
        return LEINAO_OK;
    if (fsync(s->fd1 - 1) != 0)
        return lc_error(ctx, LEINAO_IO, "%s: cannot sync: %s", s->path, strerror(errno));
    char name[160];
    uint64_t v[2] = {s->bytes, s->hash};
    snprintf(name, sizeof name, "%s/side", prefix);
    return lrs_add(ctx, list, name, LRS_U64, 2, v, 1);
}

void lside_close(lctx *ctx, lside *s, int remove_file)
{
    if (s->fd1 > 0)
        close(s->fd1 - 1);
    if (remove_file && s->path)
        unlink(s->path);
    lc_free(ctx, s->path);
    lside_init(s);
}

int lside_read(int fd, uint64_t at, void *out, size_t n)
{
    char *p = out;
    for (size_t done = 0; done < n;) {
        ssize_t k = pread(fd, p + done, n - done, (off_t)(at + done));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return 0;
        done += (size_t)k;
    }
    return 1;
}

int lside_open_valid(const char *path, const lrs_list *list, const char *prefix)
{
    char name[160];
    snprintf(name, sizeof name, "%s/side", prefix);
    const lrs_array *a = lrs_find(list, name);
    if (!a || a->type != LRS_U64 || a->n != 2)
        return -1;
    const uint64_t *v = a->data;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0)
        return -1;
    if (fstat(fd, &sb) != 0 || (uint64_t)sb.st_size < v[0]) {
        close(fd);
        return -1;
    }
    static char block[1 << 16];
    uint64_t h = FNV_OFFSET;
    for (uint64_t at = 0; at < v[0];) {
        size_t n = v[0] - at < sizeof block ? (size_t)(v[0] - at) : sizeof block;
        if (!lside_read(fd, at, block, n)) {
            close(fd);
            return -1;
        }
        h = fnv(h, block, n);
        at += n;
    }
    if (h != v[1]) {
        close(fd);
        return -1;
    }
    return fd;
}
