/* fuzz_sonata_net.c — libFuzzer harness for the SONATA network loader (leinao_load_sonata): the
 * input is cut at lines "--8<--" into the config JSON, the node types CSV, the edge types CSV and
 * a dynamics_params JSON, written beside small valid nodes, edges and spike files that the
 * harness writes once with libhdf5. The HDF5 files stay valid, so libhdf5's own parser (which
 * can crash on corrupt files, see fuzz_sonata_spikes.c) is not what is fuzzed here: the configs,
 * manifests, node sets, tables and what the loader does with them are. A rejection must leave a
 * message. Seed corpus: tests/fuzz/corpus/sonata_net. */
#define _DEFAULT_SOURCE
#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "leinao.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[128];

static void dataset(hid_t g, const char *name, hid_t type, const void *values, hsize_t n)
{
    hid_t space = H5Screate_simple(1, &n, NULL);
    hid_t set = H5Dcreate2(g, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
    H5Dclose(set);
    H5Sclose(space);
}

static void population_attr(hid_t g, const char *set_name, const char *pop)
{
    hid_t set = H5Dopen2(g, set_name, H5P_DEFAULT);
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attr = H5Acreate2(set, "node_population", type, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attr, type, &pop);
    H5Aclose(attr);
    H5Sclose(space);
    H5Tclose(type);
    H5Dclose(set);
}

/* nodes.h5: population a (3 neurons, types 1 1 2; columns x and layer and a per-node V_m in
 * group 0) and v (2 virtual, type 9); edges.h5: v -> a
 * (types 5 5 6, syn_weight in group 0) and a -> a; spikes.h5: two spikes of v. */
static void write_network(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/nodes.h5", dir);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t nodes = H5Gcreate2(f, "nodes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t a = H5Gcreate2(nodes, "a", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const int64_t types_a[] = {1, 1, 2}, ids_a[] = {0, 1, 2}, zeros[] = {0, 0, 0};
    dataset(a, "node_type_id", H5T_NATIVE_INT64, types_a, 3);
    dataset(a, "node_id", H5T_NATIVE_INT64, ids_a, 3);
    dataset(a, "node_group_id", H5T_NATIVE_INT64, zeros, 3);
    dataset(a, "node_group_index", H5T_NATIVE_INT64, ids_a, 3);
    /* group 0: a number column and a string column (for node sets on node columns) and a
     * per-node V_m (dynamics_params overrides) */
    hid_t ga0 = H5Gcreate2(a, "0", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const double x[] = {1.5, -2.0, 3.25}, vm[] = {-65.0, -60.0, -58.0};
    dataset(ga0, "x", H5T_NATIVE_DOUBLE, x, 3);
    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, H5T_VARIABLE);
    const char *layer[] = {"L4", "L23", "L4"};
    dataset(ga0, "layer", str, layer, 3);
    H5Tclose(str);
    hid_t dyn = H5Gcreate2(ga0, "dynamics_params", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    dataset(dyn, "V_m", H5T_NATIVE_DOUBLE, vm, 3);
    H5Gclose(dyn);
    H5Gclose(ga0);
    hid_t v = H5Gcreate2(nodes, "v", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const int64_t types_v[] = {9, 9};
    dataset(v, "node_type_id", H5T_NATIVE_INT64, types_v, 2);
    H5Gclose(v);
    H5Gclose(a);
    H5Gclose(nodes);
    H5Fclose(f);
    snprintf(path, sizeof path, "%s/edges.h5", dir);
    f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t edges = H5Gcreate2(f, "edges", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t e = H5Gcreate2(edges, "va", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const int64_t src[] = {0, 1, 0}, tgt[] = {0, 1, 2}, et[] = {5, 5, 6};
    const double w[] = {10.0, 20.0, -5.0};
    dataset(e, "source_node_id", H5T_NATIVE_INT64, src, 3);
    dataset(e, "target_node_id", H5T_NATIVE_INT64, tgt, 3);
    dataset(e, "edge_type_id", H5T_NATIVE_INT64, et, 3);
    dataset(e, "edge_group_id", H5T_NATIVE_INT64, zeros, 3);
    dataset(e, "edge_group_index", H5T_NATIVE_INT64, ids_a, 3);
    population_attr(e, "source_node_id", "v");
    population_attr(e, "target_node_id", "a");
    hid_t g0 = H5Gcreate2(e, "0", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    dataset(g0, "syn_weight", H5T_NATIVE_DOUBLE, w, 3);
    H5Gclose(g0);
    H5Gclose(e);
    e = H5Gcreate2(edges, "aa", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    dataset(e, "source_node_id", H5T_NATIVE_INT64, tgt, 3);
    dataset(e, "target_node_id", H5T_NATIVE_INT64, src, 3);
    dataset(e, "edge_type_id", H5T_NATIVE_INT64, et, 3);
    population_attr(e, "source_node_id", "a");
    population_attr(e, "target_node_id", "a");
    H5Gclose(e);
    H5Gclose(edges);
    H5Fclose(f);
    snprintf(path, sizeof path, "%s/spikes.h5", dir);
    f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t s = H5Gcreate2(f, "spikes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t sv = H5Gcreate2(s, "v", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const double t[] = {1.55, 2.0};
    const int64_t ids[] = {0, 1};
    dataset(sv, "timestamps", H5T_NATIVE_DOUBLE, t, 2);
    dataset(sv, "node_ids", H5T_NATIVE_INT64, ids, 2);
    H5Gclose(sv);
    H5Gclose(s);
    H5Fclose(f);
}

static void write_part(const char *name, const uint8_t *p, size_t n)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return;
    fwrite(p, 1, n, f);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const parts[] = {"config.json", "node_types.csv", "edge_types.csv",
                                        "cell.json"};
    static const char cut[] = "\n--8<--\n";
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/leinao-fuzz-sonata-%d", (int)getpid());
        mkdir(dir, 0700);
        write_network();
    }
    const uint8_t *p = data, *end = data + size;
    for (int k = 0; k < 4; k++) {
        const uint8_t *next = NULL;
        for (const uint8_t *q = p; k < 3 && q + sizeof cut - 1 <= end; q++)
            if (!memcmp(q, cut, sizeof cut - 1)) {
                next = q;
                break;
            }
        write_part(parts[k], p, (size_t)((next ? next : end) - p));
        p = next ? next + sizeof cut - 1 : end;
    }
    char config[256];
    snprintf(config, sizeof config, "%s/config.json", dir);
    leinao_sim *sim = NULL;
    if (leinao_open(&sim) != LEINAO_OK)
        return 0;
    leinao_sonata_info info;
    leinao_status st = leinao_load_sonata(sim, config, NULL, 0, &info);
    if (st != LEINAO_OK && !leinao_errmsg(sim)[0])
        abort(); /* a rejection without a message is a bug */
    leinao_close(sim);
    return 0;
}
