/* sonata_read.h — reading SONATA spike files (any writer's: every population under /spikes with
 * timestamps and node_ids of equal length) for plots. */
#ifndef LEINAO_IO_SONATA_READ_H
#define LEINAO_IO_SONATA_READ_H

#include "../base/context.h"

typedef struct lspike_population {
    char name[128];
    size_t n;
    double *t;      /* ms */
    uint64_t *ids;
    uint64_t n_nodes; /* population size: the writer's n_nodes attribute, else max id + 1 */
} lspike_population;

typedef struct lspike_table {
    int n;
    lspike_population *pops;
    char model[256]; /* the model_name attribute, or "" */
} lspike_table;

/* Reads every population of `path`. LEINAO_IO / LEINAO_NOT_FOUND / LEINAO_INVALID with the file
 * and the rule in the message. */
leinao_status lsonata_read_spikes(lctx *ctx, const char *path, lspike_table **out);
void lsonata_free_spikes(lctx *ctx, lspike_table *table);

#endif
