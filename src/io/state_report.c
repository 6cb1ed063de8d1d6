/* state_report.c — state recordings: a SONATA frame report (/report/<population>/data, rows =
 * times, columns = (neuron, variable) pairs; /report/<population>/mapping/{node_ids,
 * index_pointers, element_ids, time}) streamed in chunks, or CSV rows "time,node_id,<vars>". */
#include <errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "h5util.h"
#include "csv_resume.h"
#include "io.h"
#include "side_copy.h"

#define BUFFER_BYTES (1 << 20)

typedef struct frame_file {
    hid_t file, data;
    char *path;
    hsize_t rows_written, columns, rows_buffered, rows_capacity;
    double *buffer, t_first, t_last;
    FILE *csv;
    lside side; /* SONATA, from the first checkpoint on: the full flushes' rows (side_copy.h) */
} frame_file;

static leinao_status fail_h5(leinao_sim *sim, const char *path, const char *what)
{
    return lc_error(&sim->ctx, LEINAO_IO, "%s: cannot %s (HDF5 error; is the disk full or the "
                                          "folder not writable?)",
                    path, what);
}

/* "V_m,g_ex" and "mV,nS" */
static void names_and_units(const lstate_recorder *r, const lmodel *m, char *names, char *units,
                            size_t size)
{
    names[0] = units[0] = 0;
    for (int v = 0; v < r->n_vars; v++) {
        const lparam_def *d = &m->states[r->vars[v]];
        size_t a = strlen(names), b = strlen(units);
        snprintf(names + a, size - a, "%s%s", v ? "," : "", d->name);
        snprintf(units + b, size - b, "%s%s", v ? "," : "", d->unit);
    }
}

static leinao_status sonata_open(lstate_recorder *r, leinao_sim *sim, const char *path)
{
    lctx *ctx = &sim->ctx;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    frame_file *f = lc_calloc(ctx, 1, sizeof *f);
    if (!f)
        return LEINAO_NOMEM;
    r->impl = f;
    f->file = f->data = -1;
    f->columns = r->n_neurons * (hsize_t)r->n_vars;
    f->rows_capacity = BUFFER_BYTES / (f->columns * sizeof(double)) + 1;
    f->path = lc_strdup(ctx, path);
    f->buffer = lc_malloc(ctx, f->rows_capacity * f->columns * sizeof(double));
    uint64_t *ids = lc_malloc(ctx, (r->n_neurons + 1) * sizeof *ids);
    uint64_t *pointers = lc_malloc(ctx, (r->n_neurons + 1) * sizeof *pointers);
    uint32_t *elements = lc_malloc(ctx, (f->columns + 1) * sizeof *elements);
    leinao_status st = LEINAO_OK;
    if (!f->path || !f->buffer || !ids || !pointers || !elements)
        st = LEINAO_NOMEM;
    for (size_t j = 0; !st && j <= r->n_neurons; j++) {
        pointers[j] = j * (uint64_t)r->n_vars;
        if (j < r->n_neurons) {
            ids[j] = r->neurons[j];
            for (int v = 0; v < r->n_vars; v++)
                elements[j * (size_t)r->n_vars + (size_t)v] = (uint32_t)v;
        }
    }
    const lpopulation *pop = sim->net.pops[r->pop];
    char names[512], units[512];
    names_and_units(r, pop->model, names, units, sizeof names);
    hid_t report = -1, group = -1, mapping = -1;
    if (!st) {
        f->file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        hsize_t dims[2] = {0, f->columns}, max[2] = {H5S_UNLIMITED, f->columns};
        hsize_t chunk[2] = {65536 / (f->columns * sizeof(double)) + 1, f->columns}; /* 64 KiB */
        double time[3] = {r->interval_steps * sim->config.dt, r->interval_steps * sim->config.dt,
                          r->interval_steps * sim->config.dt};
        hid_t space = H5Screate_simple(2, dims, max), props = H5Pcreate(H5P_DATASET_CREATE);
        H5Pset_chunk(props, 2, chunk);
        H5Pset_obj_track_times(props, 0);
        int ok = f->file >= 0 &&
                 (report = lh5_group(f->file, "report")) >= 0 &&
                 (group = lh5_group(report, pop->name)) >= 0 &&
                 (mapping = lh5_group(group, "mapping")) >= 0 &&
                 lh5_array(mapping, "node_ids", H5T_NATIVE_UINT64, ids, r->n_neurons) &&
                 lh5_array(mapping, "index_pointers", H5T_NATIVE_UINT64, pointers,
                             r->n_neurons + 1) &&
                 lh5_array(mapping, "element_ids", H5T_NATIVE_UINT32, elements, f->columns) &&
                 lh5_array(mapping, "time", H5T_NATIVE_DOUBLE, time, 3) &&
                 (f->data = H5Dcreate2(group, "data", H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, props,
                                       H5P_DEFAULT)) >= 0 &&
                 lh5_string_attr(f->data, "variables", names) && lh5_string_attr(f->data, "units", units);
        H5Pclose(props);
        H5Sclose(space);
        if (!ok)
            st = fail_h5(sim, path, "create the report");
    }
    if (mapping >= 0)
        H5Gclose(mapping);
    if (group >= 0)
        H5Gclose(group);
    if (report >= 0)
        H5Gclose(report);
    lc_free(ctx, ids);
    lc_free(ctx, pointers);
    lc_free(ctx, elements);
    return st;
}

static leinao_status sonata_flush(lstate_recorder *r, leinao_sim *sim)
{
    frame_file *f = r->impl;
    if (f->rows_buffered == 0)
        return LEINAO_OK;
    hsize_t size[2] = {f->rows_written + f->rows_buffered, f->columns};
    hsize_t start[2] = {f->rows_written, 0}, count[2] = {f->rows_buffered, f->columns};
    int ok = H5Dset_extent(f->data, size) >= 0;
    hid_t file_space = ok ? H5Dget_space(f->data) : -1;
    hid_t mem_space = H5Screate_simple(2, count, NULL);
    ok = ok && file_space >= 0 &&
         H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
         H5Dwrite(f->data, H5T_NATIVE_DOUBLE, mem_space, file_space, H5P_DEFAULT, f->buffer) >= 0;
    if (file_space >= 0)
        H5Sclose(file_space);
    H5Sclose(mem_space);
    if (!ok)
        return fail_h5(sim, f->path, "write the report");
    f->rows_written += f->rows_buffered;
    f->rows_buffered = 0;
    return LEINAO_OK;
}

static leinao_status sonata_write(lstate_recorder *r, leinao_sim *sim, double t, const double *values)
{
    frame_file *f = r->impl;
    memcpy(f->buffer + f->rows_buffered * f->columns, values, f->columns * sizeof(double));
    f->rows_buffered++;
    f->t_last = t;
    if (f->rows_buffered < f->rows_capacity)
        return LEINAO_OK;
    leinao_status st = sonata_flush(r, sim);
    return st ? st
              : lside_append(&sim->ctx, &f->side, f->buffer,
                             f->rows_capacity * f->columns * sizeof(double));
}

static leinao_status sonata_close(lstate_recorder *r, leinao_sim *sim)
{
    frame_file *f = r->impl;
    if (!f || f->file < 0)
        return LEINAO_OK;
    leinao_status st = f->data >= 0 && !r->failed ? sonata_flush(r, sim) : LEINAO_OK;
    if (!st && f->data >= 0) {
        /* mapping/time = [start, stop, step]: stop is known now */
        double step = r->interval_steps * sim->config.dt;
        double time[3] = {step, f->rows_written ? f->t_last + step : step, step};
        char where[300];
        snprintf(where, sizeof where, "report/%s/mapping/time", sim->net.pops[r->pop]->name);
        hid_t set = H5Dopen2(f->file, where, H5P_DEFAULT);
        if (set < 0 || H5Dwrite(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, time) < 0)
            st = fail_h5(sim, f->path, "write the report's times");
        if (set >= 0) {
            lh5_string_attr(set, "units", "ms");
            H5Dclose(set);
        }
    }
    if (f->data >= 0)
        H5Dclose(f->data);
    if (H5Fclose(f->file) < 0 && !st)
        st = fail_h5(sim, f->path, "close the file");
    f->file = f->data = -1;
    lside_close(&sim->ctx, &f->side, !st); /* a closed file can be read back */
    return st;
}

static void frame_destroy(lstate_recorder *r, leinao_sim *sim)
{
    frame_file *f = r->impl;
    if (!f)
        return;
    r->ops->close(r, sim);
    lside_close(&sim->ctx, &f->side, 0);
    lc_free(&sim->ctx, f->buffer);
    lc_free(&sim->ctx, f->path);
    lc_free(&sim->ctx, f);
    r->impl = NULL;
}

/* The first checkpoint starts the side copy with the rows the file holds so far. */
static leinao_status start_side(leinao_sim *sim, frame_file *f)
{
    lctx *ctx = &sim->ctx;
    char *name = lside_name(ctx, f->path);
    leinao_status st = name ? lside_create(ctx, &f->side, name) : LEINAO_NOMEM;
    lc_free(ctx, name);
    size_t block = (size_t)(f->rows_capacity * f->columns);
    double *rows = st ? NULL : lc_malloc(ctx, block * sizeof *rows);
    if (!st && !rows)
        st = LEINAO_NOMEM;
    hid_t space = st ? -1 : H5Dget_space(f->data);
    for (hsize_t at = 0; !st && at < f->rows_written; at += f->rows_capacity) {
        hsize_t start[2] = {at, 0}, count[2] = {f->rows_capacity, f->columns};
        hid_t mem = H5Screate_simple(2, count, NULL);
        int ok = space >= 0 &&
                 H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
                 H5Dread(f->data, H5T_NATIVE_DOUBLE, mem, space, H5P_DEFAULT, rows) >= 0;
        H5Sclose(mem);
        st = ok ? lside_append(ctx, &f->side, rows, block * sizeof *rows)
                : fail_h5(sim, f->path, "read back the report");
    }
    if (space >= 0)
        H5Sclose(space);
    lc_free(ctx, rows);
    if (st)
        lside_close(ctx, &f->side, 1);
    return st;
}

/* Checkpoints: rows written (in full flushes) and the buffered rows themselves; the side copy
 * of the rows written, synced (kill -9). */
static leinao_status sonata_save(lstate_recorder *r, leinao_sim *sim, lrs_list *list,
                                 const char *prefix)
{
    frame_file *f = r->impl;
    char name[128];
    leinao_status side_st = !lside_active(&f->side) ? start_side(sim, f) : LEINAO_OK;
    if (!side_st)
        side_st = lside_save(&sim->ctx, &f->side, list, prefix);
    if (side_st)
        return side_st;
    uint64_t rows[2] = {f->rows_written, f->rows_buffered};
    snprintf(name, sizeof name, "%s/rows_written_buffered", prefix);
    leinao_status st = lrs_add(&sim->ctx, list, name, LRS_U64, 2, rows, 1);
    snprintf(name, sizeof name, "%s/t_last", prefix);
    if (!st)
        st = lrs_add(&sim->ctx, list, name, LRS_F64, 1, &f->t_last, 1);
    snprintf(name, sizeof name, "%s/buffered", prefix);
    if (!st)
        st = lrs_add(&sim->ctx, list, name, LRS_F64, f->rows_buffered * f->columns, f->buffer, 0);
    return st;
}

/* Makes the report anew by the calls that wrote it (same bytes as a run never stopped),
 * reading back its rows; then it replaces the old file. */
static leinao_status sonata_resume(lstate_recorder *r, leinao_sim *sim, const char *path,
                                   const lrs_list *list, const char *prefix, int check)
{
    lctx *ctx = &sim->ctx;
    char name[300];
    hsize_t columns = r->n_neurons * (hsize_t)r->n_vars;
    hsize_t capacity = BUFFER_BYTES / (columns * sizeof(double)) + 1;
    snprintf(name, sizeof name, "%s/rows_written_buffered", prefix);
    const lrs_array *rows = lrs_find(list, name);
    snprintf(name, sizeof name, "%s/t_last", prefix);
    const lrs_array *t_last = lrs_find(list, name);
    snprintf(name, sizeof name, "%s/buffered", prefix);
    const lrs_array *buffered = lrs_find(list, name);
    const uint64_t *n = rows ? rows->data : NULL;
    if (!rows || !t_last || !buffered || rows->type != LRS_U64 || rows->n != 2 ||
        t_last->type != LRS_F64 || t_last->n != 1 || buffered->type != LRS_F64 ||
        n[0] % capacity != 0 || n[1] >= capacity || buffered->n != n[1] * columns)
        return lc_error(ctx, LEINAO_INVALID, "checkpoint: the position of %s is missing or damaged",
                        path);
    leinao_status st = LEINAO_OK;
    /* the side copy when the checkpoint has one and it is whole; else the old file, which
     * must then have been closed */
    char *side_name = lside_name(ctx, path);
    if (!side_name)
        return LEINAO_NOMEM;
    int side = lside_open_valid(side_name, list, prefix);
    hid_t old = -1, set = -1, space = -1;
    if (side < 0) {
        old = lh5_open_read(ctx, path, " (the run's state report)", &st);
        if (old < 0) {
            lc_free(ctx, side_name);
            return lc_error(ctx, st, "%s; the rows recorded before the checkpoint cannot be read "
                                     "back (and %s, the checkpoint's copy of them, is missing or "
                                     "damaged)",
                            ctx->errmsg, side_name);
        }
        snprintf(name, sizeof name, "report/%s/data", sim->net.pops[r->pop]->name);
        set = H5Lexists(old, "report", H5P_DEFAULT) > 0 && H5Lexists(old, name, H5P_DEFAULT) > 0
                  ? H5Dopen2(old, name, H5P_DEFAULT)
                  : -1;
        space = set >= 0 ? H5Dget_space(set) : -1;
    }
    hsize_t dims[2] = {0, 0};
    if (side < 0 && (space < 0 || H5Sget_simple_extent_ndims(space) != 2 ||
                     H5Sget_simple_extent_dims(space, dims, NULL) != 2 || dims[1] != columns ||
                     dims[0] < n[0]))
        st = lc_error(ctx, LEINAO_INVALID,
                      "%s: /%s holds fewer rows than the checkpoint recorded (%llu): not the file "
                      "of this run",
                      path, name, (unsigned long long)n[0]);
    char *tmp = NULL, *side_tmp = NULL;
    if (!st && !check) {
        size_t len = strlen(path) + 16;
        if (!(tmp = lc_malloc(ctx, len)))
            st = LEINAO_NOMEM;
        else
            snprintf(tmp, len, "%s.resume", path);
        if (!st)
            st = sonata_open(r, sim, tmp);
        frame_file *f = r->impl;
        if (!st && !(side_tmp = lside_name(ctx, tmp)))
            st = LEINAO_NOMEM;
        if (!st)
            st = lside_create(ctx, &f->side, side_tmp);
        size_t block = (size_t)(capacity * columns) * sizeof(double);
        for (hsize_t at = 0; !st && at < n[0]; at += capacity) {
            int ok;
            if (side >= 0) {
                ok = lside_read(side, (uint64_t)(at / capacity) * block, f->buffer, block);
            } else {
                hsize_t start[2] = {at, 0}, count[2] = {capacity, columns};
                hid_t mem = H5Screate_simple(2, count, NULL);
                ok = H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
                     H5Dread(set, H5T_NATIVE_DOUBLE, mem, space, H5P_DEFAULT, f->buffer) >= 0;
                H5Sclose(mem);
            }
            if (!ok)
                st = lc_error(ctx, LEINAO_IO, "%s: cannot read back the report",
                              side >= 0 ? side_name : path);
            f->rows_buffered = capacity;
            if (!st)
                st = sonata_flush(r, sim);
            if (!st)
                st = lside_append(ctx, &f->side, f->buffer, block);
        }
        if (!st) {
            memcpy(f->buffer, buffered->data, buffered->n * sizeof(double));
            f->rows_buffered = n[1];
            f->t_last = *(const double *)t_last->data;
        }
        if (!st && rename(tmp, path) != 0)
            st = lc_error(ctx, LEINAO_IO, "%s: cannot replace it", path);
        /* the new side copy holds the same bytes as the old one's prefix */
        if (!st && rename(side_tmp, side_name) != 0)
            st = lc_error(ctx, LEINAO_IO, "%s: cannot replace it", side_name);
        if (st) {
            frame_destroy(r, sim);
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
    if (space >= 0)
        H5Sclose(space);
    if (set >= 0)
        H5Dclose(set);
    lc_free(ctx, tmp);
    lc_free(ctx, side_tmp);
    lc_free(ctx, side_name);
    if (side >= 0)
        close(side);
    if (old >= 0)
        H5Fclose(old);
    return st;
}

/* Its buffer of rows (about BUFFER_BYTES) and the mapping's node ids and pointers. */
static uint64_t sonata_memory(const lstate_recorder *r)
{
    uint64_t columns = (uint64_t)r->n_neurons * (uint64_t)r->n_vars;
    uint64_t rows = columns ? BUFFER_BYTES / (columns * sizeof(double)) + 1 : 1;
    return rows * columns * sizeof(double) + 2 * ((uint64_t)r->n_neurons + 1) * sizeof(uint64_t) +
           (columns + 1) * sizeof(uint32_t);
}

const lstate_ops lstate_sonata_ops = {sonata_open,   sonata_write, sonata_close,
                                      frame_destroy, sonata_save,  sonata_resume,
                                      sonata_memory};

static leinao_status csv_open(lstate_recorder *r, leinao_sim *sim, const char *path)
{
    frame_file *f = lc_calloc(&sim->ctx, 1, sizeof *f);
    if (!f)
        return LEINAO_NOMEM;
    r->impl = f;
    f->file = -1;
    if (!(f->path = lc_strdup(&sim->ctx, path)))
        return LEINAO_NOMEM;
    if (!(f->csv = fopen(path, "w")))
        return lc_error(&sim->ctx, LEINAO_IO, "%s: cannot create: %s", path, strerror(errno));
    fputs("time,node_id", f->csv);
    for (int v = 0; v < r->n_vars; v++)
        fprintf(f->csv, ",%s", sim->net.pops[r->pop]->model->states[r->vars[v]].name);
    fputc('\n', f->csv);
    return LEINAO_OK;
}

static leinao_status csv_write(lstate_recorder *r, leinao_sim *sim, double t, const double *values)
{
    frame_file *f = r->impl;
    for (size_t j = 0; j < r->n_neurons; j++) {
        lcsv_write_time(f->csv, t, lcsv_time_decimals(sim->config.dt));
        fprintf(f->csv, ",%u", r->neurons[j]);
        for (int v = 0; v < r->n_vars; v++)
            fprintf(f->csv, ",%.17g", values[j * (size_t)r->n_vars + (size_t)v]);
        if (fputc('\n', f->csv) == EOF)
            return lc_error(&sim->ctx, LEINAO_IO, "%s: cannot write: %s", f->path, strerror(errno));
    }
    return LEINAO_OK;
}

static leinao_status csv_close(lstate_recorder *r, leinao_sim *sim)
{
    frame_file *f = r->impl;
    if (!f || !f->csv)
        return LEINAO_OK;
    int bad = ferror(f->csv);
    bad |= fclose(f->csv) != 0;
    f->csv = NULL;
    return bad ? lc_error(&sim->ctx, LEINAO_IO, "%s: cannot write (disk full?)", f->path)
               : LEINAO_OK;
}

static leinao_status csv_save(lstate_recorder *r, leinao_sim *sim, lrs_list *list,
                              const char *prefix)
{
    frame_file *f = r->impl;
    return lcsv_save(sim, f->csv, f->path, list, prefix);
}

static leinao_status csv_resume(lstate_recorder *r, leinao_sim *sim, const char *path,
                                const lrs_list *list, const char *prefix, int check)
{
    FILE *out = NULL;
    leinao_status st = lcsv_resume(sim, path, list, prefix, check, &out);
    if (st || check)
        return st;
    frame_file *f = lc_calloc(&sim->ctx, 1, sizeof *f);
    char *copy = lc_strdup(&sim->ctx, path);
    if (!f || !copy) {
        lc_free(&sim->ctx, f);
        lc_free(&sim->ctx, copy);
        fclose(out);
        return LEINAO_NOMEM;
    }
    f->file = -1;
    f->csv = out;
    f->path = copy;
    r->impl = f;
    return LEINAO_OK;
}

const lstate_ops lstate_csv_ops = {csv_open,      csv_write, csv_close,
                                   frame_destroy, csv_save,  csv_resume, NULL};
