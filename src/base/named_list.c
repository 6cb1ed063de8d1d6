/* named_list.c — see named_list.h. */
#include "named_list.h"

#include <stdlib.h>
#include <string.h>

int lnamed_count(lnamed_list *list)
{
    pthread_mutex_lock(&list->lock);
    int n = list->n;
    pthread_mutex_unlock(&list->lock);
    return n;
}

const void *lnamed_at(lnamed_list *list, int i)
{
    pthread_mutex_lock(&list->lock);
    const void *item = i >= 0 && i < list->n ? list->items[i] : NULL;
    pthread_mutex_unlock(&list->lock);
    return item;
}

static const void *find_locked(const lnamed_list *list, const char *name)
{
    for (int i = 0; i < list->n; i++)
        if (strcmp(list->name_of(list->items[i]), name) == 0)
            return list->items[i];
    return NULL;
}

const void *lnamed_find(lnamed_list *list, const char *name)
{
    pthread_mutex_lock(&list->lock);
    const void *item = find_locked(list, name);
    pthread_mutex_unlock(&list->lock);
    return item;
}

leinao_status lnamed_add(lnamed_list *list, lctx *ctx, const void *item)
{
    leinao_status st = LEINAO_OK;
    const char *name = list->name_of(item);
    pthread_mutex_lock(&list->lock);
    if (find_locked(list, name)) {
        st = lc_error(ctx, LEINAO_INVALID, "a model named '%s' exists already", name);
    } else if (list->n == list->cap) {
        int cap = list->cap ? 2 * list->cap : 8;
        const void **grown = realloc(list->items, (size_t)cap * sizeof *grown);
        if (grown) {
            list->items = grown;
            list->cap = cap;
        } else {
            st = lc_nomem(ctx);
        }
    }
    if (!st)
        list->items[list->n++] = item;
    pthread_mutex_unlock(&list->lock);
    return st;
}
