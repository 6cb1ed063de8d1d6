/* yaml_tree.h — a YAML (or JSON) document as a tree of nodes that remember where they came from
 * (file, line, column), so every later error can point at the exact place. */
#ifndef LEINAO_IO_YAML_TREE_H
#define LEINAO_IO_YAML_TREE_H

#include <stddef.h>

#include "../base/context.h"

typedef enum ynode_type { YN_SCALAR, YN_MAP, YN_SEQ } ynode_type;

typedef struct ynode {
    ynode_type type;
    int line, col;      /* 1-based; 0 for nodes made by --set */
    const char *origin; /* file name, or the --set argument */
    char *text;         /* scalar */
    int plain;          /* scalar written without quotes */
    size_t n, cap;      /* map entries or sequence items */
    char **keys;
    int *key_line, *key_col;
    unsigned char *used;
    struct ynode **items;
} ynode;

/* Parses `path`. Errors: LEINAO_NOT_FOUND / LEINAO_IO (file), LEINAO_MODEL_FILE (syntax, with
 * file:line:column). */
leinao_status ytree_load(lctx *ctx, const char *path, ynode **out);
/* As ytree_load for a JSON file: tabs between tokens (which JSON allows and YAML does not) are
 * read as spaces. */
leinao_status ytree_load_json(lctx *ctx, const char *path, ynode **out);
void ytree_free(lctx *ctx, ynode *node);
/* Applies "dotted.key=value" to the tree (creating missing mapping keys). `origin` must outlive
 * the tree. */
leinao_status ytree_override(lctx *ctx, ynode *root, const char *assignment, const char *origin);
/* Value of `key` in a mapping (marks it used), or NULL. */
ynode *ytree_get(ynode *map, const char *key);
const char *ytree_type_name(const ynode *node);

#endif
