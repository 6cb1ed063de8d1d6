/* side_copy.h — checkpoints of HDF5 outputs that survive kill -9: from a run's first checkpoint
 * on, every block an HDF5 writer flushes to its file is also appended, raw, to OUTPUT.ckpt-data
 * (append-only, plain write(2)). Each checkpoint fsyncs it and records its length and FNV-1a 64
 * hash; resuming remakes the output from that prefix, never reading the HDF5 file a killed run
 * left unclosed. A clean close removes the side file (the HDF5 file is then readable). */
#ifndef LEINAO_IO_SIDE_COPY_H
#define LEINAO_IO_SIDE_COPY_H

#include <stddef.h>
#include <stdint.h>

#include "../engine/run_state.h"

typedef struct lside {
    int fd1; /* the descriptor + 1; 0: none (a zeroed lside is closed) */
    char *path;
    uint64_t bytes, hash;
} lside;

void lside_init(lside *s);
int lside_active(const lside *s);
/* "OUTPUT.ckpt-data" (lc_malloc'd) */
char *lside_name(lctx *ctx, const char *output);
/* Creates (or truncates) `path` for appending. */
leinao_status lside_create(lctx *ctx, lside *s, const char *path);
leinao_status lside_append(lctx *ctx, lside *s, const void *data, size_t n);
/* fsyncs the file and adds PREFIX/side = {bytes, hash}. */
leinao_status lside_save(lctx *ctx, lside *s, lrs_list *list, const char *prefix);
/* Closes; remove: deletes the file too. */
void lside_close(lctx *ctx, lside *s, int remove_file);
/* A read-only descriptor of `path` when it starts with the bytes PREFIX/side recorded (length
 * and hash), else -1 (no side copy recorded, file missing, short or different). */
int lside_open_valid(const char *path, const lrs_list *list, const char *prefix);
int lside_read(int fd, uint64_t at, void *out, size_t n);

#endif
