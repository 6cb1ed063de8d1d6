/* context.h — what every layer needs from the handle: the allocator, memory accounting and the
 * last error message. Lower layers receive a context instead of the whole simulation handle. */
#ifndef LEINAO_BASE_CONTEXT_H
#define LEINAO_BASE_CONTEXT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "leinao.h"

typedef struct lctx {
    leinao_alloc_fn alloc;
    void *alloc_user;
    uint64_t bytes_in_use, peak_bytes;
    char errmsg[1024];
    /* the last error as data (leinao_error_detail): its status, the argument of the call that
     * failed (a static string, NULL if none), the model parameter or state variable concerned
     * ("" if none) and the element index (-1 if none) */
    leinao_status err_status;
    const char *err_argument;
    char err_parameter[64];
    int64_t err_index;
} lctx;

void lctx_init(lctx *ctx, leinao_alloc_fn alloc, void *user);

/* Allocation through the handle's allocator. Each block carries its size, so lc_free needs no
 * size. On failure they set "out of memory" in ctx->errmsg and return NULL. */
void *lc_malloc(lctx *ctx, size_t size);
void *lc_calloc(lctx *ctx, size_t count, size_t size);
void *lc_realloc(lctx *ctx, void *ptr, size_t size);
void lc_free(lctx *ctx, void *ptr);
char *lc_strdup(lctx *ctx, const char *s);

/* Worker contexts of a parallel section: the parent's allocator (it must be thread-safe, as
 * malloc is), their own accounting and message. lctx_join folds their accounting back into the
 * parent: bytes in use add up; the peak counts the workers' peaks as if they were simultaneous
 * on top of `base` (the parent's bytes in use at the fork), an upper bound. */
void lctx_fork(const lctx *parent, lctx *worker);
void lctx_join(lctx *parent, uint64_t base, const lctx *workers, size_t stride, int n);

/* Records a formatted message and returns `status` (so errors read `return lc_error(...)`). */
leinao_status lc_error(lctx *ctx, leinao_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* As lc_error, and records which argument of the call failed (a static string such as "dt"),
 * which parameter or state variable (NULL: none) and which element (-1: none). lc_error itself
 * clears them. */
leinao_status lc_error_at(lctx *ctx, leinao_status status, const char *argument,
                          const char *parameter, int64_t index, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;
/* Sets the detail of the error already in ctx (its message and status stay). */
void lc_error_detail(lctx *ctx, const char *argument, const char *parameter, int64_t index);
leinao_status lc_nomem(lctx *ctx);

/* Overflow-checked size product; returns 0 and sets *out on success. */
int lc_mul_overflows(size_t a, size_t b, size_t *out);

/* Wall clock in seconds (monotonic). */
double lc_wall_seconds(void);

#endif
