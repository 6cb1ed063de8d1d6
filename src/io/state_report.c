/* state_report.c — state recordings: a SONATA frame report (/report/<population>/data, rows =
 * times, columns = (neuron, variable) pairs; /report/<population>/mapping/{node_ids,
 * index_pointers, element_ids, time}) streamed in chunks, or CSV rows "time,node_id,<vars>". */
#include <errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <string.h>

#include "h5util.h"
#include "io.h"

#define BUFFER_BYTES (1 << 20)

typedef struct frame_file {
    hid_t file, data;
    char *path;
    hsize_t rows_written, columns, rows_buffered, rows_capacity;
    double *buffer, t_first, t_last;
    FILE *csv;
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
    return f->rows_buffered == f->rows_capacity ? sonata_flush(r, sim) : LEINAO_OK;
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
    return st;
}

static void frame_destroy(lstate_recorder *r, leinao_sim *sim)
{
    frame_file *f = r->impl;
    if (!f)
        return;
    r->ops->close(r, sim);
    lc_free(&sim->ctx, f->buffer);
    lc_free(&sim->ctx, f->path);
    lc_free(&sim->ctx, f);
    r->impl = NULL;
}

const lstate_ops lstate_sonata_ops = {sonata_open, sonata_write, sonata_close, frame_destroy};

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
        fprintf(f->csv, "%.17g,%u", t, r->neurons[j]);
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

const lstate_ops lstate_csv_ops = {csv_open, csv_write, csv_close, frame_destroy};
