/* memory.h — the memory check of `leinao check` and `leinao run` (cli/memory.c). */
#ifndef LEINAO_CLI_MEMORY_H
#define LEINAO_CLI_MEMORY_H

#include "leinao.h"

/* Parses a --memory-limit value: bytes ("2000000000") or a number with a unit, with or without
 * a space: B, KiB, MiB, GiB, TiB (powers of 1024; K, M, G, T alike), kB, MB, GB, TB (powers of
 * 1000). Returns 0 and sets *bytes, or -1 for a value that is not one. */
int cli_parse_bytes(const char *text, double *bytes);

/* Memory this machine can give a new process without swapping: /proc/meminfo's MemAvailable
 * (else free pages), bytes; 0 when unknown. */
double cli_available_memory(void);

/* Compares the handle's memory estimate with `limit` (bytes; 0: the available memory). Under
 * MPI the estimate is split over the ranks. When it does not fit: check (refuse = 0) prints a
 * warning and returns 0; run (refuse = 1) prints an error with both numbers and what to change
 * and returns LEINAO_NOMEM. Prints only on rank 0 (`rank`). */
int cli_memory_check(leinao_sim *sim, double limit, int refuse, int rank);

#endif
