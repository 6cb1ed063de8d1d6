/* sonata_net.h — what the SONATA network loader's files share (sonata_config.c: configs,
 * manifests, paths and node sets; sonata_net.c: nodes and edges; sonata_inputs.c: inputs,
 * reports and outputs; sonata_csv.c: the type tables). A client of include/leinao.h. */
#ifndef LEINAO_IO_SONATA_NET_H
#define LEINAO_IO_SONATA_NET_H

#include <stdint.h>

#include "../base/context.h"
#include "yaml_tree.h"

#define SPATH 4096

/* A delimited-text table: row 0 of cells is the header. */
typedef struct lcsv {
    size_t n_cols, n_rows;
    char **cells;
    int *line; /* line number of each row (header first) */
    char *text;
    char sep;
} lcsv;

leinao_status lcsv_read(lctx *ctx, const char *path, lcsv **out);
int lcsv_col(const lcsv *t, const char *name);
const char *lcsv_cell(const lcsv *t, size_t row, int col);
void lcsv_free(lctx *ctx, lcsv *t);

/* One config file and the manifest its paths are resolved with. */
typedef struct sconfig {
    ynode *root;
    char path[SPATH], dir[SPATH];
} sconfig;

/* One SONATA node population. Node ids are 0 .. n - 1 (checked). */
typedef struct snodes {
    char name[128];
    char file[SPATH];
    uint64_t n;
    int is_virtual;
    int pop;          /* leinao population (neurons) */
    int *gen;         /* virtual: leinao spike_generator population per node, -1 until used */
    int32_t *type_row; /* row of the node types table of each node */
    const lcsv *types;
    char types_file[SPATH];
} snodes;

/* A node set resolved: one population, and the node ids in it (ids NULL: all of them). */
typedef struct snode_set {
    snodes *nodes;
    uint32_t *ids;
    size_t n;
} snode_set;

typedef struct sload {
    leinao_sim *sim;
    lctx *ctx;
    sconfig cfg[3]; /* the top file, the simulation and the circuit config (maybe the same) */
    int n_cfg;
    sconfig *sim_cfg, *circuit;
    ynode *node_sets;   /* the node_sets_file's root, or NULL */
    char node_sets_file[SPATH];
    char cell_dir[SPATH], syn_dir[SPATH];
    snodes *nodes;
    int n_nodes;
    lcsv **tables;
    int n_tables;
    double dt, tstop;
    int n_devices; /* for unique device names */
} sload;

/* Formats an error into ctx (the caller passes it on to the handle); returns status. */
leinao_status serr(sload *S, leinao_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The message of a failed API call, prefixed with where it came from. */
leinao_status sapi(sload *S, leinao_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reads the top config and the files it names; applies the overrides to the simulation config. */
leinao_status sconfig_load(sload *S, const char *path, const char *const *overrides, size_t n);
/* The string at `key` of `map` in config `c`, manifest variables expanded; out "" when absent.
 * is_path: a relative result is made relative to the config's folder. */
leinao_status sconfig_string(sload *S, const sconfig *c, ynode *map, const char *key, int is_path,
                             char *out, size_t size);
/* Expands manifest variables of config `c` in `text`. */
leinao_status sconfig_expand(sload *S, const sconfig *c, const char *text, int is_path, char *out,
                             size_t size, const char *where);
/* A number at `key` (absent: *out unchanged, returns OK). */
leinao_status sconfig_number(sload *S, const sconfig *c, ynode *map, const char *key, double *out);
void sconfig_free(sload *S);

snodes *snodes_find(sload *S, const char *name);
/* A node set by name (node_sets_file, else a population's name) or inline (a mapping, a list of
 * names). `where` names the key it came from, for errors. The ids are allocated. */
leinao_status snode_set_resolve(sload *S, ynode *spec, const char *where, snode_set *out);
void snode_set_free(sload *S, snode_set *set);

leinao_status snet_load_nodes(sload *S);
leinao_status snet_load_edges(sload *S);
/* The spike_generator population standing for virtual node `id` (created on first use). */
leinao_status snet_generator(sload *S, snodes *p, uint64_t id, int *pop);

/* Column `column` of p's node groups in the nodes file, as text per node id (NCELL characters
 * each, "" where a node's group lacks it; numbers as %.17g); *found: whether any group has it.
 * *cells is allocated (NULL when not found). */
#define NCELL 128
leinao_status snet_node_column(sload *S, const snodes *p, const char *column, char **cells,
                               int *found);

leinao_status sinputs_load(sload *S);
leinao_status soutputs_load(sload *S, char *output_dir, size_t size, int *overwrite,
                            char *log_file, size_t log_size);

/* A JSON file (dynamics_params) as a tree. */
leinao_status sjson_load(sload *S, const char *path, ynode **out);
/* A scalar as a number; 0 when not one. */
int snumber(const ynode *n, double *out);

#endif
