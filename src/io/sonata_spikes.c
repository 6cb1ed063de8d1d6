/* sonata_spikes.c — spike output in SONATA's HDF5 layout: /spikes/<population>/timestamps (ms,
 * float64) and node_ids (uint64), sorted by time, written in chunks as the run goes so that an
 * interrupted run still leaves a valid, closed file. */
#include <hdf5.h>
#include <string.h>
#include <unistd.h>

#include "../engine/run_state.h"
#include "h5util.h"
#include "io.h"
#include "side_copy.h"

#define BUFFER_SPIKES 65536

typedef struct sonata_pop {
    int pop;
    hid_t group, times, ids;
    hsize_t written;
    double *buf_times;
    uint64_t *buf_ids;
    size_t buffered;
} sonata_pop;

typedef struct sonata_file {
    hid_t file;
    char *path;
    sonata_pop *pops;
    int n_pops;
    uint32_t *log; /* which population's buffer each full flush wrote, in order (checkpoints) */
    size_t n_log, cap_log;
    lside side; /* from the first checkpoint on: the full flushes' spikes, raw (side_copy.h) */
} sonata_file;

static leinao_status h5_fail(leinao_sim *sim, const char *path, const char *what)
{
    return lc_error(&sim->ctx, LEINAO_IO, "%s: cannot %s (HDF5 error; is the disk full or the "
                                          "folder not writable?)",
                    path, what);
}

static hid_t make_dataset(hid_t group, const char *name, hid_t type)
{
    hsize_t zero = 0, unlimited = H5S_UNLIMITED, chunk = 4096; /* a small file stays small */
    hid_t space = H5Screate_simple(1, &zero, &unlimited);
    hid_t props = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(props, 1, &chunk);
    H5Pset_obj_track_times(props, 0); /* no wall-clock stamps: same run, same bytes */
    hid_t set = H5Dcreate2(group, name, type, space, H5P_DEFAULT, props, H5P_DEFAULT);
    H5Pclose(props);
    H5Sclose(space);
    return set;
}

static int append(hid_t set, hid_t type, hsize_t at, const void *data, hsize_t n)
{
    hsize_t size = at + n;
    if (H5Dset_extent(set, &size) < 0)
        return 0;
    hid_t file_space = H5Dget_space(set);
    hid_t mem_space = H5Screate_simple(1, &n, NULL);
    int ok = H5Sselect_hyperslab(file_space, H5S_SELECT_SET, &at, NULL, &n, NULL) >= 0 &&
             H5Dwrite(set, type, mem_space, file_space, H5P_DEFAULT, data) >= 0;
    H5Sclose(mem_space);
    H5Sclose(file_space);
    return ok;
}

static leinao_status flush_pop(leinao_sim *sim, sonata_file *f, sonata_pop *p)
{
    if (p->buffered == 0)
        return LEINAO_OK;
    if (!append(p->times, H5T_NATIVE_DOUBLE, p->written, p->buf_times, p->buffered) ||
        !append(p->ids, H5T_NATIVE_UINT64, p->written, p->buf_ids, p->buffered))
        return h5_fail(sim, f->path, "write spikes");
    p->written += p->buffered;
    p->buffered = 0;
    return LEINAO_OK;
}

static leinao_status log_flush(leinao_sim *sim, sonata_file *f, uint32_t pop)
{
    if (f->n_log == f->cap_log) {
        size_t cap = f->cap_log ? 2 * f->cap_log : 64;
        uint32_t *log = lc_realloc(&sim->ctx, f->log, cap * sizeof *log);
        if (!log)
            return LEINAO_NOMEM;
        f->log = log;
        f->cap_log = cap;
    }
    f->log[f->n_log++] = pop;
    return LEINAO_OK;
}

/* A full buffer: to the file, to the flush log and to the side copy (times, then ids). */
static leinao_status full_flush(leinao_sim *sim, sonata_file *f, sonata_pop *p)
{
    leinao_status st = flush_pop(sim, f, p);
    if (!st)
        st = log_flush(sim, f, (uint32_t)(p - f->pops));
    if (!st)
        st = lside_append(&sim->ctx, &f->side, p->buf_times, BUFFER_SPIKES * sizeof(double));
    if (!st)
        st = lside_append(&sim->ctx, &f->side, p->buf_ids, BUFFER_SPIKES * sizeof(uint64_t));
    return st;
}

static leinao_status sonata_open(lspike_sink *sink, leinao_sim *sim, const char *path)
{
    lctx *ctx = &sim->ctx;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    sonata_file *f = lc_calloc(ctx, 1, sizeof *f);
    if (!f)
        return LEINAO_NOMEM;
    sink->impl = f;
    lside_init(&f->side);
    f->file = -1;
    f->path = lc_strdup(ctx, path);
    f->pops = lc_calloc(ctx, (size_t)sink->n_pops, sizeof *f->pops);
    if (!f->path || !f->pops)
        return LEINAO_NOMEM;
    f->n_pops = sink->n_pops; /* before the buffers, so that destroy frees those made */
    for (int i = 0; i < sink->n_pops; i++) {
        sonata_pop *p = &f->pops[i];
        p->pop = sink->pops[i];
        p->group = p->times = p->ids = -1;
        p->buf_times = lc_malloc(ctx, BUFFER_SPIKES * sizeof(double));
        p->buf_ids = lc_malloc(ctx, BUFFER_SPIKES * sizeof(uint64_t));
        if (!p->buf_times || !p->buf_ids)
            return LEINAO_NOMEM;
    }
    f->file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f->file < 0)
        return h5_fail(sim, path, "create the file");
    uint32_t magic = 0x0A7A, version[2] = {0, 1};
    hid_t spikes = -1;
    int ok = lh5_attr(f->file, "magic", H5T_NATIVE_UINT32, &magic, 1) &&
             lh5_string_attr(f->file, "model_name", sim->config.name ? sim->config.name : "") &&
             lh5_attr(f->file, "version", H5T_NATIVE_UINT32, version, 2) &&
             (spikes = lh5_group(f->file, "spikes")) >= 0;
    /* sorting is an enum attribute as libsonata reads it: none 0, by_id 1, by_time 2 */
    hid_t sorting = H5Tenum_create(H5T_NATIVE_INT8);
    int8_t values[3] = {0, 1, 2};
    H5Tenum_insert(sorting, "none", &values[0]);
    H5Tenum_insert(sorting, "by_id", &values[1]);
    H5Tenum_insert(sorting, "by_time", &values[2]);
    for (int i = 0; ok && i < f->n_pops; i++) {
        sonata_pop *p = &f->pops[i];
        const char *name = sim->net.pops[p->pop]->name;
        uint64_t n_nodes = sim->net.pops[p->pop]->size;
        ok = (p->group = lh5_group(spikes, name)) >= 0 &&
             lh5_attr(p->group, "sorting", sorting, &values[2], 1) &&
             lh5_attr(p->group, "n_nodes", H5T_NATIVE_UINT64, &n_nodes, 1) &&
             (p->times = make_dataset(p->group, "timestamps", H5T_NATIVE_DOUBLE)) >= 0 &&
             lh5_string_attr(p->times, "units", "ms") &&
             (p->ids = make_dataset(p->group, "node_ids", H5T_NATIVE_UINT64)) >= 0;
    }
    H5Tclose(sorting);
    if (spikes >= 0)
        H5Gclose(spikes);
    if (!ok)
        return h5_fail(sim, path, "write the SONATA layout");
    return LEINAO_OK;
}

static leinao_status sonata_write(lspike_sink *sink, leinao_sim *sim, int pop, const double *times,
                                  const uint64_t *ids, size_t n)
{
    sonata_file *f = sink->impl;
    sonata_pop *p = NULL;
    for (int i = 0; i < f->n_pops; i++)
        if (f->pops[i].pop == pop)
            p = &f->pops[i];
    if (!p)
        return LEINAO_OK;
    while (n > 0) {
        size_t take = BUFFER_SPIKES - p->buffered;
        if (take > n)
            take = n;
        memcpy(p->buf_times + p->buffered, times, take * sizeof *times);
        memcpy(p->buf_ids + p->buffered, ids, take * sizeof *ids);
        p->buffered += take;
        times += take;
        ids += take;
        n -= take;
        if (p->buffered == BUFFER_SPIKES) {
            leinao_status st = full_flush(sim, f, p);
            if (st)
                return st;
        }
    }
    return LEINAO_OK;
}

static leinao_status sonata_close(lspike_sink *sink, leinao_sim *sim)
{
    sonata_file *f = sink->impl;
    leinao_status first = LEINAO_OK;
    if (!f)
        return LEINAO_OK;
    for (int i = 0; i < f->n_pops; i++) {
        sonata_pop *p = &f->pops[i];
        if (p->times >= 0 && p->ids >= 0 && !sink->failed) {
            leinao_status st = flush_pop(sim, f, p);
            if (st && !first)
                first = st;
        }
        if (p->times >= 0)
            H5Dclose(p->times);
        if (p->ids >= 0)
            H5Dclose(p->ids);
        if (p->group >= 0)
            H5Gclose(p->group);
        p->times = p->ids = p->group = -1;
    }
    if (f->file >= 0 && H5Fclose(f->file) < 0 && !first)
        first = h5_fail(sim, f->path, "close the file");
    f->file = -1;
    /* a closed file can be read back: the side copy is needed no more */
    lside_close(&sim->ctx, &f->side, !first);
    return first;
}

static void sonata_destroy(lspike_sink *sink, leinao_sim *sim)
{
    sonata_file *f = sink->impl;
    if (!f)
        return;
    sonata_close(sink, sim);
    lside_close(&sim->ctx, &f->side, 0);
    for (int i = 0; i < f->n_pops; i++) {
        lc_free(&sim->ctx, f->pops[i].buf_times);
        lc_free(&sim->ctx, f->pops[i].buf_ids);
    }
    lc_free(&sim->ctx, f->pops);
    lc_free(&sim->ctx, f->log);
    lc_free(&sim->ctx, f->path);
    lc_free(&sim->ctx, f);
    sink->impl = NULL;
}

/* ---- checkpoints: the file's position, and its continuation -------------------------------- */

static int read_range(hid_t set, hid_t type, hsize_t at, hsize_t n, void *out);

/* The first checkpoint starts the side copy with what the file holds so far. */
static leinao_status start_side(leinao_sim *sim, sonata_file *f)
{
    lctx *ctx = &sim->ctx;
    char *name = lside_name(ctx, f->path);
    leinao_status st = name ? lside_create(ctx, &f->side, name) : LEINAO_NOMEM;
    lc_free(ctx, name);
    double *times = st ? NULL : lc_malloc(ctx, BUFFER_SPIKES * sizeof *times);
    uint64_t *ids = st ? NULL : lc_malloc(ctx, BUFFER_SPIKES * sizeof *ids);
    hsize_t *at = st ? NULL : lc_calloc(ctx, (size_t)f->n_pops + 1, sizeof *at);
    if (!st && (!times || !ids || !at))
        st = LEINAO_NOMEM;
    for (size_t j = 0; !st && j < f->n_log; j++) {
        sonata_pop *p = &f->pops[f->log[j]];
        if (!read_range(p->times, H5T_NATIVE_DOUBLE, at[f->log[j]], BUFFER_SPIKES, times) ||
            !read_range(p->ids, H5T_NATIVE_UINT64, at[f->log[j]], BUFFER_SPIKES, ids))
            st = h5_fail(sim, f->path, "read back the spikes");
        at[f->log[j]] += BUFFER_SPIKES;
        if (!st)
            st = lside_append(ctx, &f->side, times, BUFFER_SPIKES * sizeof *times);
        if (!st)
            st = lside_append(ctx, &f->side, ids, BUFFER_SPIKES * sizeof *ids);
    }
    lc_free(ctx, times);
    lc_free(ctx, ids);
    lc_free(ctx, at);
    if (st)
        lside_close(ctx, &f->side, 1);
    return st;
}

/* What has been written (in full flushes, logged) and what is buffered, with the buffered
 * spikes themselves; the side copy of what was written, synced: a file left unclosed by a
 * crash (kill -9) still resumes from them. */
static leinao_status sonata_save(lspike_sink *sink, leinao_sim *sim, lrs_list *list,
                                 const char *prefix)
{
    sonata_file *f = sink->impl;
    lctx *ctx = &sim->ctx;
    char name[128];
    leinao_status side_st = !lside_active(&f->side) ? start_side(sim, f) : LEINAO_OK;
    if (!side_st)
        side_st = lside_save(ctx, &f->side, list, prefix);
    if (side_st)
        return side_st;
    uint64_t *counts = lc_malloc(ctx, 2 * ((size_t)f->n_pops + 1) * sizeof *counts);
    if (!counts)
        return LEINAO_NOMEM;
    for (int i = 0; i < f->n_pops; i++) {
        counts[2 * i] = f->pops[i].written;
        counts[2 * i + 1] = f->pops[i].buffered;
    }
    snprintf(name, sizeof name, "%s/written_buffered", prefix);
    leinao_status st = lrs_adopt(ctx, list, name, LRS_U64, 2 * (uint64_t)f->n_pops, counts);
    snprintf(name, sizeof name, "%s/flush_log", prefix);
    if (!st)
        st = lrs_add(ctx, list, name, LRS_U32, f->n_log, f->log, 0);
    for (int i = 0; i < f->n_pops && !st; i++) {
        snprintf(name, sizeof name, "%s/buffered_times%d", prefix, i);
        st = lrs_add(ctx, list, name, LRS_F64, f->pops[i].buffered, f->pops[i].buf_times, 0);
        snprintf(name, sizeof name, "%s/buffered_ids%d", prefix, i);
        if (!st)
            st = lrs_add(ctx, list, name, LRS_U64, f->pops[i].buffered, f->pops[i].buf_ids, 0);
    }
    return st;
}

static int read_range(hid_t set, hid_t type, hsize_t at, hsize_t n, void *out)
{
    if (n == 0)
        return 1;
    hid_t file_space = H5Dget_space(set);
    hid_t mem_space = H5Screate_simple(1, &n, NULL);
    int ok = file_space >= 0 &&
             H5Sselect_hyperslab(file_space, H5S_SELECT_SET, &at, NULL, &n, NULL) >= 0 &&
             H5Dread(set, type, mem_space, file_space, H5P_DEFAULT, out) >= 0;
    H5Sclose(mem_space);
    if (file_space >= 0)
        H5Sclose(file_space);
    return ok;
}

static hsize_t extent(hid_t set)
{
    hsize_t n = 0;
    hid_t space = H5Dget_space(set);
    if (space >= 0 && H5Sget_simple_extent_ndims(space) == 1)
        H5Sget_simple_extent_dims(space, &n, NULL);
    if (space >= 0)
        H5Sclose(space);
    return n;
}

/* Makes the file anew, beside the old one, by the same calls as the run that wrote it (so
 * the bytes are the same as if it had never stopped), reading back what it had written;
 * then it replaces the old file. */
static leinao_status sonata_resume(lspike_sink *sink, leinao_sim *sim, const char *path,
                                   const lrs_list *list, const char *prefix, int check)
{
    lctx *ctx = &sim->ctx;
    char name[128];
    snprintf(name, sizeof name, "%s/written_buffered", prefix);
    const lrs_array *counts = lrs_find(list, name);
    snprintf(name, sizeof name, "%s/flush_log", prefix);
    const lrs_array *log = lrs_find(list, name);
    if (!counts || !log || counts->type != LRS_U64 || log->type != LRS_U32 ||
        counts->n != 2 * (uint64_t)sink->n_pops)
        return lc_error(ctx, LEINAO_INVALID, "checkpoint: the position of %s is missing or damaged",
                        path);
    const uint64_t *c = counts->data;
    const uint32_t *entries = log->data;
    for (int i = 0; i < sink->n_pops; i++) {
        uint64_t full = 0;
        for (uint64_t j = 0; j < log->n; j++)
            full += entries[j] == (uint32_t)i;
        const lrs_array *bt, *bi;
        snprintf(name, sizeof name, "%s/buffered_times%d", prefix, i);
        bt = lrs_find(list, name);
        snprintf(name, sizeof name, "%s/buffered_ids%d", prefix, i);
        bi = lrs_find(list, name);
        if (c[2 * i] != full * BUFFER_SPIKES || c[2 * i + 1] >= BUFFER_SPIKES || !bt || !bi ||
            bt->type != LRS_F64 || bi->type != LRS_U64 || bt->n != c[2 * i + 1] ||
            bi->n != c[2 * i + 1])
            return lc_error(ctx, LEINAO_INVALID, "checkpoint: the position of %s is damaged", path);
    }
    for (uint64_t j = 0; j < log->n; j++)
        if (entries[j] >= (uint32_t)sink->n_pops)
            return lc_error(ctx, LEINAO_INVALID, "checkpoint: the position of %s is damaged", path);
    leinao_status st = LEINAO_OK;
    /* the side copy when the checkpoint has one and it is whole; else the old file, which
     * must then have been closed */
    char *side_name = lside_name(ctx, path);
    if (!side_name)
        return LEINAO_NOMEM;
    int side = lside_open_valid(side_name, list, prefix);
    hid_t old = -1;
    if (side < 0) {
        old = lh5_open_read(ctx, path, " (the run's spike file)", &st);
        if (old < 0) {
            lc_free(ctx, side_name);
            return lc_error(ctx, st, "%s; the spikes recorded before the checkpoint cannot be read "
                                     "back (and %s, the checkpoint's copy of them, is missing or "
                                     "damaged)",
                            ctx->errmsg, side_name);
        }
    }
    hid_t *sets = lc_calloc(ctx, 2 * (size_t)sink->n_pops + 1, sizeof *sets);
    if (!sets)
        st = LEINAO_NOMEM;
    for (int i = 0; sets && i < 2 * sink->n_pops; i++)
        sets[i] = -1;
    for (int i = 0; !st && old >= 0 && i < sink->n_pops; i++) {
        for (int k = 0; k < 2 && !st; k++) {
            snprintf(name, sizeof name, "spikes/%s/%s", sim->net.pops[sink->pops[i]]->name,
                     k ? "node_ids" : "timestamps");
            sets[2 * i + k] = H5Lexists(old, "spikes", H5P_DEFAULT) > 0 &&
                                      H5Lexists(old, name, H5P_DEFAULT) > 0
                                  ? H5Dopen2(old, name, H5P_DEFAULT)
                                  : -1;
            if (sets[2 * i + k] < 0 || extent(sets[2 * i + k]) < c[2 * i])
                st = lc_error(ctx, LEINAO_INVALID,
                              "%s: /%s holds fewer spikes than the checkpoint recorded (%llu): not "
                              "the file of this run",
                              path, name, (unsigned long long)c[2 * i]);
        }
    }
    char *tmp = NULL, *side_tmp = NULL;
    if (!st && !check) {
        size_t n = strlen(path) + 16;
        if (!(tmp = lc_malloc(ctx, n)))
            st = LEINAO_NOMEM;
        else
            snprintf(tmp, n, "%s.resume", path);
        if (!st)
            st = sonata_open(sink, sim, tmp);
        sonata_file *f = sink->impl;
        if (!st && !(side_tmp = lside_name(ctx, tmp)))
            st = LEINAO_NOMEM;
        if (!st)
            st = lside_create(ctx, &f->side, side_tmp);
        hsize_t *at = st ? NULL : lc_calloc(ctx, (size_t)f->n_pops + 1, sizeof *at);
        if (!st && !at)
            st = LEINAO_NOMEM;
        for (uint64_t j = 0; !st && j < log->n; j++) {
            uint32_t i = entries[j];
            sonata_pop *p = &f->pops[i];
            uint64_t block = j * (uint64_t)BUFFER_SPIKES * (sizeof(double) + sizeof(uint64_t));
            int ok = side >= 0
                         ? lside_read(side, block, p->buf_times, BUFFER_SPIKES * sizeof(double)) &&
                               lside_read(side, block + BUFFER_SPIKES * sizeof(double), p->buf_ids,
                                          BUFFER_SPIKES * sizeof(uint64_t))
                         : read_range(sets[2 * i], H5T_NATIVE_DOUBLE, at[i], BUFFER_SPIKES,
                                      p->buf_times) &&
                               read_range(sets[2 * i + 1], H5T_NATIVE_UINT64, at[i], BUFFER_SPIKES,
                                          p->buf_ids);
            if (!ok)
                st = lc_error(ctx, LEINAO_IO, "%s: cannot read back the spikes",
                              side >= 0 ? side_name : path);
            at[i] += BUFFER_SPIKES;
            p->buffered = BUFFER_SPIKES;
            if (!st)
                st = full_flush(sim, f, p);
        }
        for (int i = 0; !st && i < f->n_pops; i++) {
            sonata_pop *p = &f->pops[i];
            snprintf(name, sizeof name, "%s/buffered_times%d", prefix, i);
            memcpy(p->buf_times, lrs_find(list, name)->data, c[2 * i + 1] * sizeof(double));
            snprintf(name, sizeof name, "%s/buffered_ids%d", prefix, i);
            memcpy(p->buf_ids, lrs_find(list, name)->data, c[2 * i + 1] * sizeof(uint64_t));
            p->buffered = c[2 * i + 1];
        }
        lc_free(ctx, at);
        if (!st && rename(tmp, path) != 0)
            st = lc_error(ctx, LEINAO_IO, "%s: cannot replace it: %s", path, "rename failed");
        /* the new side copy holds the same bytes as the old one's prefix */
        if (!st && rename(side_tmp, side_name) != 0)
            st = lc_error(ctx, LEINAO_IO, "%s: cannot replace it: %s", side_name, "rename failed");
        if (st) {
            sonata_destroy(sink, sim);
            remove(tmp);
        } else {
            char *final = lc_strdup(ctx, path);
            if (final) {
                lc_free(ctx, f->path);
                f->path = final;
            }
            char *final_side = lc_strdup(ctx, side_name);
            if (final_side) {
                lc_free(ctx, f->side.path);
                f->side.path = final_side;
            }
        }
    }
    for (int i = 0; sets && i < 2 * sink->n_pops; i++)
        if (sets[i] >= 0)
            H5Dclose(sets[i]);
    lc_free(ctx, sets);
    lc_free(ctx, tmp);
    lc_free(ctx, side_tmp);
    lc_free(ctx, side_name);
    if (side >= 0)
        close(side);
    if (old >= 0)
        H5Fclose(old);
    return st;
}

/* A buffer of BUFFER_SPIKES times and ids per population. */
static uint64_t sonata_memory(const lspike_sink *sink)
{
    return (uint64_t)sink->n_pops * BUFFER_SPIKES * (sizeof(double) + sizeof(uint64_t));
}

const lsink_ops lsink_sonata_ops = {sonata_open,    sonata_write, sonata_close,
                                    sonata_destroy, sonata_save,  sonata_resume,
                                    sonata_memory};
