/* context.c — allocator wrapper with size headers and memory accounting, and error messages. */
#define _POSIX_C_SOURCE 200809L
#include "context.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A header in front of every block keeps its size; 16 bytes keeps the payload aligned for
 * any scalar type. */
typedef union block_header {
    size_t size;
    max_align_t align;
} block_header;

static void *default_alloc(void *user, void *ptr, size_t old_size, size_t new_size)
{
    (void)user;
    (void)old_size;
    if (new_size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, new_size);
}

void lctx_init(lctx *ctx, leinao_alloc_fn alloc, void *user)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->alloc = alloc ? alloc : default_alloc;
    ctx->alloc_user = user;
    ctx->err_index = -1;
}

void lctx_fork(const lctx *parent, lctx *worker)
{
    lctx_init(worker, parent->alloc, parent->alloc_user);
}

void lctx_join(lctx *parent, uint64_t base, const lctx *workers, size_t stride, int n)
{
    uint64_t peaks = 0;
    for (int i = 0; i < n; i++) {
        const lctx *w = (const lctx *)((const char *)workers + stride * (size_t)i);
        parent->bytes_in_use += w->bytes_in_use;
        peaks += w->peak_bytes;
    }
    if (base + peaks > parent->peak_bytes)
        parent->peak_bytes = base + peaks;
    if (parent->bytes_in_use > parent->peak_bytes)
        parent->peak_bytes = parent->bytes_in_use;
}

void lc_error_detail(lctx *ctx, const char *argument, const char *parameter, int64_t index)
{
    ctx->err_argument = argument;
    snprintf(ctx->err_parameter, sizeof ctx->err_parameter, "%s", parameter ? parameter : "");
    ctx->err_index = index;
}

leinao_status lc_error(lctx *ctx, leinao_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
    va_end(ap);
    ctx->err_status = status;
    lc_error_detail(ctx, NULL, NULL, -1);
    return status;
}

leinao_status lc_error_at(lctx *ctx, leinao_status status, const char *argument,
                          const char *parameter, int64_t index, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
    va_end(ap);
    ctx->err_status = status;
    lc_error_detail(ctx, argument, parameter, index);
    return status;
}

leinao_status lc_nomem(lctx *ctx)
{
    return lc_error(ctx, LEINAO_NOMEM, "out of memory");
}

int lc_mul_overflows(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a)
        return 1;
    *out = a * b;
    return 0;
}

void *lc_realloc(lctx *ctx, void *ptr, size_t size)
{
    block_header *h = ptr ? (block_header *)ptr - 1 : NULL;
    size_t old = h ? h->size : 0;
    if (size == 0) {
        lc_free(ctx, ptr);
        return NULL;
    }
    if (size > SIZE_MAX - sizeof(block_header)) {
        lc_nomem(ctx);
        return NULL;
    }
    block_header *n = ctx->alloc(ctx->alloc_user, h, h ? old + sizeof *h : 0, size + sizeof *n);
    if (!n) {
        lc_nomem(ctx);
        return NULL;
    }
    n->size = size;
    ctx->bytes_in_use += size - old;
    if (ctx->bytes_in_use > ctx->peak_bytes)
        ctx->peak_bytes = ctx->bytes_in_use;
    return n + 1;
}

void *lc_malloc(lctx *ctx, size_t size)
{
    return lc_realloc(ctx, NULL, size ? size : 1);
}

void *lc_calloc(lctx *ctx, size_t count, size_t size)
{
    size_t total;
    if (lc_mul_overflows(count, size, &total)) {
        lc_nomem(ctx);
        return NULL;
    }
    void *p = lc_malloc(ctx, total);
    if (p)
        memset(p, 0, total);
    return p;
}

void lc_free(lctx *ctx, void *ptr)
{
    if (!ptr)
        return;
    block_header *h = (block_header *)ptr - 1;
    ctx->bytes_in_use -= h->size;
    ctx->alloc(ctx->alloc_user, h, h->size + sizeof *h, 0);
}

char *lc_strdup(lctx *ctx, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = lc_malloc(ctx, n);
    if (p)
        memcpy(p, s, n);
    return p;
}

double lc_wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
