/* named_list.h — an append-only, thread-safe list of descriptors looked up by name: the models
 * registered at run time (models/registry.c for neurons and devices, net/synapse_model.c for
 * synapses). Nothing is ever removed, so an index, once valid, keeps naming the same entry. */
#ifndef LEINAO_BASE_NAMED_LIST_H
#define LEINAO_BASE_NAMED_LIST_H

#include <pthread.h>

#include "context.h"

typedef struct lnamed_list {
    pthread_mutex_t lock;
    const char *(*name_of)(const void *item);
    const void **items;
    int n, cap;
} lnamed_list;

#define LNAMED_LIST_INIT(name_of) {PTHREAD_MUTEX_INITIALIZER, name_of, NULL, 0, 0}

int lnamed_count(lnamed_list *list);
/* Entry i, or NULL past the end. */
const void *lnamed_at(lnamed_list *list, int i);
/* The entry called `name`, or NULL. */
const void *lnamed_find(lnamed_list *list, const char *name);
/* Appends `item` (not copied: it must outlive the list) unless an entry has its name:
 * LEINAO_INVALID ("a model named '...' exists already"), LEINAO_NOMEM. */
leinao_status lnamed_add(lnamed_list *list, lctx *ctx, const void *item);

#endif
