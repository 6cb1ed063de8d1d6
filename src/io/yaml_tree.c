/* yaml_tree.c — builds a ynode tree from libyaml's event stream, and applies --set overrides. */
#include "yaml_tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static ynode *node_new(lctx *ctx, ynode_type type, int line, int col, const char *origin)
{
    ynode *n = lc_calloc(ctx, 1, sizeof *n);
    if (n) {
        n->type = type;
        n->line = line;
        n->col = col;
        n->origin = origin;
    }
    return n;
}

void ytree_free(lctx *ctx, ynode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++) {
        ytree_free(ctx, n->items[i]);
        if (n->keys)
            lc_free(ctx, n->keys[i]);
    }
    lc_free(ctx, n->text);
    lc_free(ctx, n->keys);
    lc_free(ctx, n->key_line);
    lc_free(ctx, n->key_col);
    lc_free(ctx, n->used);
    lc_free(ctx, n->items);
    lc_free(ctx, n);
}

const char *ytree_type_name(const ynode *n)
{
    return n->type == YN_MAP ? "a mapping" : n->type == YN_SEQ ? "a list" : "a scalar";
}

static int node_reserve(lctx *ctx, ynode *n)
{
    if (n->n < n->cap)
        return 1;
    size_t cap = n->cap ? 2 * n->cap : 8;
    ynode **items = lc_realloc(ctx, n->items, cap * sizeof *items);
    if (!items)
        return 0;
    n->items = items;
    if (n->type == YN_MAP) {
        char **keys = lc_realloc(ctx, n->keys, cap * sizeof *keys);
        if (keys)
            n->keys = keys;
        int *kl = keys ? lc_realloc(ctx, n->key_line, cap * sizeof *kl) : NULL;
        if (kl)
            n->key_line = kl;
        int *kc = kl ? lc_realloc(ctx, n->key_col, cap * sizeof *kc) : NULL;
        if (kc)
            n->key_col = kc;
        unsigned char *u = kc ? lc_realloc(ctx, n->used, cap) : NULL;
        if (!u)
            return 0;
        n->used = u;
    }
    n->cap = cap;
    return 1;
}

typedef struct builder {
    lctx *ctx;
    yaml_parser_t parser;
    const char *path;
    leinao_status status;
} builder;

static leinao_status syntax_error(builder *b, int line, int col, const char *what)
{
    return b->status = lc_error(b->ctx, LEINAO_MODEL_FILE, "%s:%d:%d: %s", b->path, line, col, what);
}

static int next_event(builder *b, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&b->parser, ev)) {
        yaml_parser_t *p = &b->parser;
        if (p->error == YAML_MEMORY_ERROR) {
            b->status = lc_nomem(b->ctx);
            return 0;
        }
        char what[512];
        snprintf(what, sizeof what, "malformed YAML: %s%s%s", p->problem ? p->problem : "error",
                 p->context ? " " : "", p->context ? p->context : "");
        syntax_error(b, (int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1, what);
        return 0;
    }
    return 1;
}

static ynode *build_node(builder *b, yaml_event_t *ev, int depth);

static ynode *build_collection(builder *b, yaml_event_t *start, int depth)
{
    int is_map = start->type == YAML_MAPPING_START_EVENT;
    ynode *n = node_new(b->ctx, is_map ? YN_MAP : YN_SEQ, (int)start->start_mark.line + 1,
                        (int)start->start_mark.column + 1, b->path);
    if (!n) {
        b->status = LEINAO_NOMEM;
        return NULL;
    }
    for (;;) {
        yaml_event_t ev;
        if (!next_event(b, &ev))
            break;
        if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return n;
        }
        if (!node_reserve(b->ctx, n)) {
            yaml_event_delete(&ev);
            b->status = LEINAO_NOMEM;
            break;
        }
        if (is_map) {
            if (ev.type != YAML_SCALAR_EVENT) {
                syntax_error(b, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
                             "mapping keys must be plain names");
                yaml_event_delete(&ev);
                break;
            }
            const char *key = (const char *)ev.data.scalar.value;
            for (size_t i = 0; i < n->n; i++) {
                if (strcmp(n->keys[i], key) == 0) {
                    char what[256];
                    snprintf(what, sizeof what, "duplicate key '%.100s' (first at line %d)", key,
                             n->key_line[i]);
                    syntax_error(b, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
                                 what);
                    yaml_event_delete(&ev);
                    ytree_free(b->ctx, n);
                    return NULL;
                }
            }
            n->keys[n->n] = lc_strdup(b->ctx, key);
            n->key_line[n->n] = (int)ev.start_mark.line + 1;
            n->key_col[n->n] = (int)ev.start_mark.column + 1;
            n->used[n->n] = 0;
            yaml_event_delete(&ev);
            if (!n->keys[n->n]) {
                b->status = LEINAO_NOMEM;
                break;
            }
            if (!next_event(b, &ev)) {
                lc_free(b->ctx, n->keys[n->n]);
                break;
            }
        }
        ynode *child = build_node(b, &ev, depth + 1);
        yaml_event_delete(&ev);
        if (!child) {
            if (is_map)
                lc_free(b->ctx, n->keys[n->n]);
            break;
        }
        n->items[n->n++] = child;
    }
    ytree_free(b->ctx, n);
    return NULL;
}

static ynode *build_node(builder *b, yaml_event_t *ev, int depth)
{
    int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
    if (depth > 64) {
        syntax_error(b, line, col, "nesting deeper than 64 levels");
        return NULL;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        ynode *n = node_new(b->ctx, YN_SCALAR, line, col, b->path);
        if (n)
            n->text = lc_strdup(b->ctx, (const char *)ev->data.scalar.value);
        if (!n || !n->text) {
            ytree_free(b->ctx, n);
            b->status = LEINAO_NOMEM;
            return NULL;
        }
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        return n;
    }
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT:
        return build_collection(b, ev, depth);
    case YAML_ALIAS_EVENT:
        syntax_error(b, line, col, "YAML aliases (*name) are not supported");
        return NULL;
    default:
        syntax_error(b, line, col, "unexpected YAML event");
        return NULL;
    }
}

/* Reads the event stream of the parser set up in `b` into one mapping. */
static leinao_status parse_document(builder *b, ynode **out)
{
    const char *path = b->path;
    lctx *ctx = b->ctx;
    ynode *root = NULL;
    yaml_event_t ev;
    int done = 0;
    while (!done && !b->status && next_event(b, &ev)) {
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_STREAM_START_EVENT:
        case YAML_DOCUMENT_START_EVENT:
        case YAML_DOCUMENT_END_EVENT:
            break;
        default:
            if (root) {
                syntax_error(b, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
                             "a model file holds one document");
                break;
            }
            root = build_node(b, &ev, 0);
            if (!root && !b->status)
                b->status = LEINAO_NOMEM;
        }
        yaml_event_delete(&ev);
    }
    if (!done && !b->status)
        b->status = LEINAO_MODEL_FILE;
    yaml_parser_delete(&b->parser);
    if (!b->status && !root)
        b->status = lc_error(ctx, LEINAO_MODEL_FILE, "%s:1:1: the file is empty", path);
    else if (!b->status && root->type != YN_MAP)
        b->status = lc_error(ctx, LEINAO_MODEL_FILE, "%s:%d:%d: a model file must be a mapping",
                            path, root->line, root->col);
    if (b->status) {
        ytree_free(ctx, root);
        return b->status;
    }
    *out = root;
    return LEINAO_OK;
}

leinao_status ytree_load(lctx *ctx, const char *path, ynode **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return lc_error(ctx, errno == ENOENT ? LEINAO_NOT_FOUND : LEINAO_IO, "%s: cannot open: %s",
                        path, strerror(errno));
    builder b = {ctx, {0}, path, LEINAO_OK};
    if (!yaml_parser_initialize(&b.parser)) {
        fclose(f);
        return lc_nomem(ctx);
    }
    yaml_parser_set_input_file(&b.parser, f);
    leinao_status st = parse_document(&b, out);
    fclose(f);
    return st;
}

leinao_status ytree_load_json(lctx *ctx, const char *path, ynode **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return lc_error(ctx, errno == ENOENT ? LEINAO_NOT_FOUND : LEINAO_IO, "%s: cannot open: %s",
                        path, strerror(errno));
    size_t cap = 4096, n = 0;
    unsigned char *text = lc_malloc(ctx, cap);
    leinao_status st = text ? LEINAO_OK : LEINAO_NOMEM;
    while (!st) {
        if (n == cap) {
            unsigned char *bigger = cap < (64u << 20) ? lc_realloc(ctx, text, 2 * cap) : NULL;
            if (!bigger) {
                st = cap < (64u << 20) ? LEINAO_NOMEM
                                       : lc_error(ctx, LEINAO_MODEL_FILE,
                                                  "%s: larger than 64 MiB", path);
                break;
            }
            text = bigger;
            cap *= 2;
        }
        size_t got = fread(text + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (!st && ferror(f))
        st = lc_error(ctx, LEINAO_IO, "%s: cannot read: %s", path, strerror(errno));
    fclose(f);
    /* JSON allows tabs between tokens, YAML does not: a tab outside a string is a space (inside
     * one JSON forbids it, and YAML then reports it) */
    int in_string = 0;
    for (size_t i = 0; !st && i < n; i++) {
        if (in_string && text[i] == '\\')
            i++;
        else if (text[i] == '"')
            in_string = !in_string;
        else if (!in_string && text[i] == '\t')
            text[i] = ' ';
    }
    builder b = {ctx, {0}, path, LEINAO_OK};
    if (!st && !yaml_parser_initialize(&b.parser))
        st = lc_nomem(ctx);
    if (!st) {
        yaml_parser_set_input_string(&b.parser, text, n);
        st = parse_document(&b, out);
    }
    lc_free(ctx, text);
    return st;
}

ynode *ytree_get(ynode *map, const char *key)
{
    if (!map || map->type != YN_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++) {
        if (strcmp(map->keys[i], key) == 0) {
            map->used[i] = 1;
            return map->items[i];
        }
    }
    return NULL;
}

static int parse_index(const char *s, size_t *out)
{
    char *end;
    if (!*s || *s == '-' || *s == '+')
        return 0;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno)
        return 0;
    *out = (size_t)v;
    return 1;
}

leinao_status ytree_override(lctx *ctx, ynode *root, const char *assignment, const char *origin)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return lc_error(ctx, LEINAO_INVALID, "--set %s: expected key=value", assignment);
    size_t klen = (size_t)(eq - assignment);
    char *key = lc_malloc(ctx, klen + 1);
    if (!key)
        return LEINAO_NOMEM;
    memcpy(key, assignment, klen);
    key[klen] = 0;
    leinao_status st = LEINAO_OK;
    ynode *at = root;
    char *part = key;
    for (;;) {
        char *dot = strchr(part, '.');
        if (dot)
            *dot = 0;
        if (!*part) {
            st = lc_error(ctx, LEINAO_INVALID, "--set %s: empty key component", assignment);
            break;
        }
        ynode *child = NULL;
        size_t slot = 0;
        if (at->type == YN_SEQ) {
            size_t idx;
            if (!parse_index(part, &idx) || idx >= at->n) {
                st = lc_error(ctx, LEINAO_INVALID,
                              "--set %s: '%s' is not an index of a list of %zu items", assignment,
                              part, at->n);
                break;
            }
            slot = idx;
            child = at->items[idx];
        } else if (at->type == YN_MAP) {
            for (slot = 0; slot < at->n && strcmp(at->keys[slot], part) != 0; slot++)
                ;
            if (slot < at->n) {
                child = at->items[slot];
            } else {
                if (!node_reserve(ctx, at) || !(at->keys[slot] = lc_strdup(ctx, part))) {
                    st = LEINAO_NOMEM;
                    break;
                }
                at->key_line[slot] = at->key_col[slot] = 0;
                at->used[slot] = 0;
                at->items[slot] = NULL;
                at->n++;
            }
        } else {
            st = lc_error(ctx, LEINAO_INVALID, "--set %s: '%s' is inside a scalar", assignment,
                          part);
            break;
        }
        if (!dot) {
            if (child && child->type != YN_SCALAR) {
                st = lc_error(ctx, LEINAO_INVALID, "--set %s: '%s' is %s, not a scalar",
                              assignment, key, ytree_type_name(child));
                break;
            }
            ynode *v = node_new(ctx, YN_SCALAR, 0, 0, origin);
            if (!v || !(v->text = lc_strdup(ctx, eq + 1))) {
                ytree_free(ctx, v);
                st = LEINAO_NOMEM;
                break;
            }
            v->plain = 1;
            ytree_free(ctx, child);
            at->items[slot] = v;
            break;
        }
        if (!child) {
            child = node_new(ctx, YN_MAP, 0, 0, origin);
            if (!child) {
                st = LEINAO_NOMEM;
                break;
            }
            at->items[slot] = child;
        }
        at = child;
        part = dot + 1;
    }
    /* a key created without a value (failure half way) must not stay behind */
    if (st && at->type == YN_MAP && at->n && !at->items[at->n - 1]) {
        at->n--;
        lc_free(ctx, at->keys[at->n]);
    }
    lc_free(ctx, key);
    return st;
}
