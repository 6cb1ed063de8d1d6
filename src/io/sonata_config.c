/* sonata_config.c — SONATA configs: the simulation and circuit configs (or one combined file),
 * their manifests (variables, nested, ${configdir}), paths relative to each config's folder, and
 * node sets (node_sets_file, inline, by population, node ids and node-type attributes). */
#define _XOPEN_SOURCE 700 /* realpath */
#include "sonata_net.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

leinao_status serr(sload *S, leinao_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(S->ctx->errmsg, sizeof S->ctx->errmsg, fmt, ap);
    va_end(ap);
    return status;
}

leinao_status sapi(sload *S, leinao_status status, const char *fmt, ...)
{
    if (status == LEINAO_NOMEM)
        return serr(S, status, "out of memory");
    char where[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(where, sizeof where, fmt, ap);
    va_end(ap);
    return serr(S, status, "%s: %s", where, leinao_errmsg(S->sim));
}

int snumber(const ynode *n, double *out)
{
    if (!n || n->type != YN_SCALAR || !n->plain || !n->text[0])
        return 0;
    char *end;
    errno = 0;
    double v = strtod(n->text, &end);
    if (*end || errno == ERANGE || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

leinao_status sjson_load(sload *S, const char *path, ynode **out)
{
    return ytree_load_json(S->ctx, path, out);
}

static void dir_of(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, size, ".");
    else if (slash == path)
        snprintf(dir, size, "/");
    else
        snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

static ynode *manifest_value(const sconfig *c, const char *name, size_t len)
{
    ynode *m = c->root ? ytree_get(c->root, "manifest") : NULL;
    if (!m || m->type != YN_MAP)
        return NULL;
    for (size_t i = 0; i < m->n; i++) {
        const char *key = m->keys[i];
        if (key[0] == '$')
            key++;
        if (strlen(key) == len && !strncmp(key, name, len))
            return m->items[i];
    }
    return NULL;
}

static int is_name_char(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '_';
}

static leinao_status expand(sload *S, const sconfig *c, const char *text, char *out, size_t size,
                            const char *where, int depth)
{
    if (depth > 16)
        return serr(S, LEINAO_MODEL_FILE, "%s: manifest: variables nest deeper than 16 levels "
                                          "(a cycle?) in '%s' (%s)",
                    c->path, text, where);
    size_t w = 0;
    for (const char *p = text; *p;) {
        if (*p != '$') {
            if (w + 1 >= size)
                return serr(S, LEINAO_MODEL_FILE, "%s: %s: the path is too long", c->path, where);
            out[w++] = *p++;
            continue;
        }
        const char *name = p + 1;
        int braced = *name == '{';
        if (braced)
            name++;
        size_t len = 0;
        while (is_name_char(name[len]))
            len++;
        if (braced && name[len] != '}')
            return serr(S, LEINAO_MODEL_FILE, "%s: %s: '${' without a closing '}' in '%s'",
                        c->path, where, text);
        if (len == 0)
            return serr(S, LEINAO_MODEL_FILE, "%s: %s: '$' without a variable name in '%s'",
                        c->path, where, text);
        char value[SPATH];
        if (len == 9 && !strncmp(name, "configdir", 9)) {
            snprintf(value, sizeof value, "%s", c->dir);
        } else {
            ynode *v = manifest_value(c, name, len);
            if (!v || v->type != YN_SCALAR)
                return serr(S, LEINAO_MODEL_FILE,
                            "%s: %s: undefined manifest variable $%.*s in '%s' (the manifest "
                            "defines each variable used)",
                            c->path, where, (int)len, name, text);
            leinao_status st = expand(S, c, v->text, value, sizeof value, where, depth + 1);
            if (st)
                return st;
        }
        size_t vlen = strlen(value);
        if (w + vlen + 1 >= size)
            return serr(S, LEINAO_MODEL_FILE, "%s: %s: the path is too long", c->path, where);
        memcpy(out + w, value, vlen);
        w += vlen;
        p = name + len + braced;
    }
    out[w] = 0;
    return LEINAO_OK;
}

leinao_status sconfig_expand(sload *S, const sconfig *c, const char *text, int is_path, char *out,
                             size_t size, const char *where)
{
    char buf[SPATH];
    leinao_status st = expand(S, c, text, buf, sizeof buf, where, 0);
    if (st)
        return st;
    /* "./x" is "x": paths stay readable in messages */
    while (buf[0] == '.' && buf[1] == '/')
        memmove(buf, buf + 2, strlen(buf + 2) + 1);
    for (char *dot; (dot = strstr(buf, "/./"));)
        memmove(dot, dot + 2, strlen(dot + 2) + 1);
    if (is_path && buf[0] != '/' && buf[0]) {
        if (strlen(c->dir) + strlen(buf) + 2 > size)
            return serr(S, LEINAO_MODEL_FILE, "%s: %s: the path is too long", c->path, where);
        snprintf(out, size, "%s/%s", c->dir, buf);
    } else {
        snprintf(out, size, "%s", buf);
    }
    return LEINAO_OK;
}

leinao_status sconfig_string(sload *S, const sconfig *c, ynode *map, const char *key, int is_path,
                             char *out, size_t size)
{
    out[0] = 0;
    ynode *v = map && map->type == YN_MAP ? ytree_get(map, key) : NULL;
    if (!v)
        return LEINAO_OK;
    if (v->type != YN_SCALAR)
        return serr(S, LEINAO_MODEL_FILE, "%s:%d:%d: %s must be a string, got %s", c->path,
                    v->line, v->col, key, ytree_type_name(v));
    return sconfig_expand(S, c, v->text, is_path, out, size, key);
}

leinao_status sconfig_number(sload *S, const sconfig *c, ynode *map, const char *key, double *out)
{
    ynode *v = map && map->type == YN_MAP ? ytree_get(map, key) : NULL;
    if (v && !snumber(v, out))
        return serr(S, LEINAO_MODEL_FILE, "%s:%d:%d: %s must be a number, got %s", c->path,
                    v->line, v->col, key, v->type == YN_SCALAR ? v->text : ytree_type_name(v));
    return LEINAO_OK;
}

static leinao_status open_config(sload *S, const char *path, sconfig **out)
{
    for (int i = 0; i < S->n_cfg; i++)
        if (!strcmp(S->cfg[i].path, path)) {
            *out = &S->cfg[i];
            return LEINAO_OK;
        }
    if (S->n_cfg == 3)
        return serr(S, LEINAO_MODEL_FILE, "%s: too many config files", path);
    sconfig *c = &S->cfg[S->n_cfg];
    snprintf(c->path, sizeof c->path, "%s", path);
    dir_of(path, c->dir, sizeof c->dir);
    /* the folder as an absolute path: ${configdir} expands to it, and a relative result of an
     * expansion is relative to it */
    char *real = realpath(c->dir, NULL);
    if (real) {
        snprintf(c->dir, sizeof c->dir, "%s", real);
        free(real);
    }
    leinao_status st = sjson_load(S, c->path, &c->root);
    if (st)
        return st;
    S->n_cfg++;
    *out = c;
    return LEINAO_OK;
}

leinao_status sconfig_load(sload *S, const char *path, const char *const *overrides, size_t n)
{
    sconfig *top;
    leinao_status st = open_config(S, path, &top);
    if (st)
        return st;
    char file[SPATH];
    ynode *sim_key = ytree_get(top->root, "simulation");
    S->sim_cfg = top;
    if (sim_key && sim_key->type == YN_SCALAR) {
        /* a top file naming both configs */
        if ((st = sconfig_string(S, top, top->root, "simulation", 1, file, sizeof file)) ||
            (st = open_config(S, file, &S->sim_cfg)))
            return st;
    }
    if (ytree_get(top->root, "networks")) {
        S->circuit = top;
    } else if (S->sim_cfg != top && ytree_get(S->sim_cfg->root, "networks")) {
        S->circuit = S->sim_cfg;
    } else {
        const sconfig *from = ytree_get(top->root, "network") ? top : S->sim_cfg;
        if ((st = sconfig_string(S, from, from->root, "network", 1, file, sizeof file)))
            return st;
        if (!file[0])
            return serr(S, LEINAO_MODEL_FILE,
                        "%s: no circuit: a SONATA config needs 'networks' or 'network' (the "
                        "circuit config's file)",
                        path);
        if ((st = open_config(S, file, &S->circuit)))
            return st;
    }
    for (size_t i = 0; i < n; i++)
        if ((st = ytree_override(S->ctx, S->sim_cfg->root, overrides[i], overrides[i])))
            return st;
    /* components: the simulation config's win over the circuit's */
    for (int k = 0; k < 2; k++) {
        sconfig *c = k ? S->sim_cfg : S->circuit;
        ynode *comp = ytree_get(c->root, "components");
        char dir[SPATH];
        if ((st = sconfig_string(S, c, comp, "point_neuron_models_dir", 1, dir, sizeof dir)))
            return st;
        if (dir[0])
            snprintf(S->cell_dir, sizeof S->cell_dir, "%s", dir);
        if ((st = sconfig_string(S, c, comp, "synaptic_models_dir", 1, dir, sizeof dir)))
            return st;
        if (dir[0])
            snprintf(S->syn_dir, sizeof S->syn_dir, "%s", dir);
    }
    for (int k = 0; k < 2 && !S->node_sets_file[0]; k++) {
        sconfig *c = k ? S->circuit : S->sim_cfg;
        if ((st = sconfig_string(S, c, c->root, "node_sets_file", 1, S->node_sets_file,
                                 sizeof S->node_sets_file)))
            return st;
    }
    if (S->node_sets_file[0] && (st = sjson_load(S, S->node_sets_file, &S->node_sets)))
        return st;
    return LEINAO_OK;
}

void sconfig_free(sload *S)
{
    for (int i = 0; i < S->n_cfg; i++)
        ytree_free(S->ctx, S->cfg[i].root);
    ytree_free(S->ctx, S->node_sets);
}

/* ---- node sets ---- */

snodes *snodes_find(sload *S, const char *name)
{
    for (int i = 0; i < S->n_nodes; i++)
        if (!strcmp(S->nodes[i].name, name))
            return &S->nodes[i];
    return NULL;
}

void snode_set_free(sload *S, snode_set *set)
{
    lc_free(S->ctx, set->ids);
    set->ids = NULL;
}

static int cell_matches(const char *cell, const ynode *want)
{
    double a, b;
    char *end;
    if (!strcmp(cell, want->text))
        return 1;
    a = strtod(cell, &end);
    return cell[0] && !*end && snumber(want, &b) && a == b;
}

/* Keeps the nodes of `set` whose node type has `column` equal to (one of) `value`. */
static leinao_status filter(sload *S, snode_set *set, const char *column, ynode *value,
                            const char *where)
{
    snodes *p = set->nodes;
    int col = p->types ? lcsv_col(p->types, column) : -1;
    char *cells = NULL; /* a node column of the nodes file, when no node-type column */
    if (col < 0) {
        int found = 0;
        leinao_status st = snet_node_column(S, p, column, &cells, &found);
        if (st)
            return st;
        if (!found) {
            lc_free(S->ctx, cells);
            return serr(S, LEINAO_MODEL_FILE,
                        "%s: node set attribute '%s': population '%s' has no such node-type "
                        "column in %s nor node column in %s (node sets select by population, "
                        "node_id, node-type and node columns)",
                        where, column, p->name, p->types_file, p->file);
        }
    }
    size_t n_values = value->type == YN_SEQ ? value->n : 1;
    for (size_t k = 0; k < n_values; k++) {
        const ynode *v = value->type == YN_SEQ ? value->items[k] : value;
        if (v->type != YN_SCALAR) {
            lc_free(S->ctx, cells);
            return serr(S, LEINAO_MODEL_FILE, "%s: node set attribute '%s' must be a value or a "
                                              "list of values",
                        where, column);
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < set->n; i++) {
        uint32_t id = set->ids[i];
        const char *cell = cells ? cells + (size_t)id * NCELL
                                 : lcsv_cell(p->types, (size_t)p->type_row[id], col);
        int ok = 0;
        for (size_t k = 0; k < n_values && !ok; k++)
            ok = cell_matches(cell, value->type == YN_SEQ ? value->items[k] : value);
        if (ok)
            set->ids[kept++] = id;
    }
    set->n = kept;
    lc_free(S->ctx, cells);
    return LEINAO_OK;
}

static leinao_status resolve(sload *S, ynode *spec, const char *where, snode_set *out, int depth)
{
    memset(out, 0, sizeof *out);
    if (depth > 16)
        return serr(S, LEINAO_MODEL_FILE, "%s: node sets nest deeper than 16 levels (a cycle?)",
                    where);
    if (spec->type == YN_SCALAR) {
        ynode *def = S->node_sets ? ytree_get(S->node_sets, spec->text) : NULL;
        if (def)
            return resolve(S, def, where, out, depth + 1);
        snodes *p = snodes_find(S, spec->text);
        if (!p)
            return serr(S, LEINAO_MODEL_FILE,
                        "%s: unknown node set '%s' (neither in the node_sets_file%s%s nor a node "
                        "population)",
                        where, spec->text, S->node_sets_file[0] ? " " : "", S->node_sets_file);
        spec = NULL; /* the whole population */
        out->nodes = p;
    } else if (spec->type == YN_SEQ) {
        if (spec->n != 1)
            return serr(S, LEINAO_UNSUPPORTED,
                        "%s: compound node sets (lists of %zu node sets) are not supported: name "
                        "one node set",
                        where, spec->n);
        return resolve(S, spec->items[0], where, out, depth + 1);
    } else {
        ynode *pop = ytree_get(spec, "population");
        if (!pop && S->n_nodes == 1)
            out->nodes = &S->nodes[0];
        else if (!pop || pop->type != YN_SCALAR)
            return serr(S, LEINAO_MODEL_FILE, "%s: a node set needs 'population' (a name)", where);
        else if (!(out->nodes = snodes_find(S, pop->text)))
            return serr(S, LEINAO_MODEL_FILE, "%s: node set population '%s' is not a node "
                                              "population of the circuit",
                        where, pop->text);
    }
    snodes *p = out->nodes;
    out->ids = lc_malloc(S->ctx, (p->n ? p->n : 1) * sizeof *out->ids);
    if (!out->ids)
        return LEINAO_NOMEM;
    ynode *ids = spec ? ytree_get(spec, "node_id") : NULL;
    if (spec && !ids)
        ids = ytree_get(spec, "node_ids");
    if (ids) {
        size_t n = ids->type == YN_SEQ ? ids->n : 1;
        if (n > p->n)
            n = p->n + 1; /* a repeated id is reported below */
        for (size_t k = 0; k < n && k < (ids->type == YN_SEQ ? ids->n : 1); k++) {
            const ynode *v = ids->type == YN_SEQ ? ids->items[k] : ids;
            double id;
            if (!snumber(v, &id) || id != floor(id) || id < 0 || id >= (double)p->n) {
                snode_set_free(S, out);
                return serr(S, LEINAO_MODEL_FILE,
                            "%s: node set node_id[%zu] = %s is not a node of population '%s' "
                            "(ids 0 to %llu)",
                            where, k, v->type == YN_SCALAR ? v->text : ytree_type_name(v),
                            p->name, (unsigned long long)p->n - 1);
            }
            if (out->n == p->n) {
                snode_set_free(S, out);
                return serr(S, LEINAO_MODEL_FILE, "%s: node set repeats node ids", where);
            }
            out->ids[out->n++] = (uint32_t)id;
        }
    } else {
        for (uint64_t i = 0; i < p->n; i++)
            out->ids[out->n++] = (uint32_t)i;
    }
    for (size_t i = 0; spec && i < spec->n; i++) {
        const char *key = spec->keys[i];
        if (!strcmp(key, "population") || !strcmp(key, "node_id") || !strcmp(key, "node_ids"))
            continue;
        leinao_status st = filter(S, out, key, spec->items[i], where);
        if (st) {
            snode_set_free(S, out);
            return st;
        }
    }
    return LEINAO_OK;
}

leinao_status snode_set_resolve(sload *S, ynode *spec, const char *where, snode_set *out)
{
    return resolve(S, spec, where, out, 0);
}
