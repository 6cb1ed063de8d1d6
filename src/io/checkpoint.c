/* checkpoint.c — checkpoints as HDF5 files (docs/checkpoint-format.md): the engine's run state
 * (src/engine/run_state.h), one dataset per array (chunked and compressed where large), the
 * output files' positions, and attributes saying what the file belongs to (format version, the
 * declared network's hashes, seed, time reached). Written to a temporary file, synced and
 * renamed, so that the previous checkpoint stays whole until the new one is. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../engine/run_state.h"
#include "h5util.h"
#include "io.h"

#define CHECKPOINT_FORMAT "leinao checkpoint"
#define CHECKPOINT_VERSION 1u
#define MAX_OUTPUT_VALUES (1u << 26) /* an output's position: counts and a flush log */

static hid_t mem_type(lrs_type t)
{
    switch (t) {
    case LRS_F64: return H5T_NATIVE_DOUBLE;
    case LRS_F32: return H5T_NATIVE_FLOAT;
    case LRS_U32: return H5T_NATIVE_UINT32;
    case LRS_U64: return H5T_NATIVE_UINT64;
    default: return H5T_NATIVE_INT64;
    }
}

/* libhdf5's metadata checksum (exported, not in its public headers) */
uint32_t H5_checksum_metadata(const void *data, size_t len, uint32_t initval);

/* H5Fget_file_image of a file of superblock version 2 or 3 clears the image's "open for
 * writing" flags but leaves the superblock's checksum as it was: computed again here (on a
 * libhdf5 whose image is right, the same value is written again). The documented ways were
 * tried and fail the full disk: libhdf5 writing the file itself, with the sec2 driver or with
 * the core driver's backing store, fails H5Fclose on ENOSPC, keeps the file and crashes
 * (SIGSEGV) at exit; the libver bounds of superblock 2 (V18) give the same stale checksum, and
 * superblock 0 has no metadata checksums at all. */
static void fix_superblock(unsigned char *image, size_t n)
{
    if (n < 48 || image[8] < 2 || image[9] != 8)
        return;
    size_t at = 12 + 4 * 8; /* signature, versions, sizes, flags; four addresses */
    uint32_t sum = H5_checksum_metadata(image, at, 0);
    for (int k = 0; k < 4; k++) /* little-endian, as HDF5 stores it */
        image[at + (size_t)k] = (unsigned char)(sum >> (8 * k));
}

static leinao_status h5_fail(leinao_sim *sim, const char *path, const char *what)
{
    return lc_error(&sim->ctx, LEINAO_IO, "%s: cannot %s (HDF5 error; is the disk full or the "
                                          "folder not writable?)",
                    path, what);
}

/* ---- writing -------------------------------------------------------------------------------- */

static int write_array(hid_t file, hid_t lcpl, const lrs_array *a)
{
    hsize_t n = a->n;
    hid_t space = H5Screate_simple(1, &n, NULL);
    hid_t props = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(props, 0);
    if (n > 0) { /* chunked with checksums; compressed where it pays */
        hsize_t chunk = n < 262144 ? n : 262144;
        H5Pset_chunk(props, 1, &chunk);
        if (n >= 4096) {
            H5Pset_shuffle(props);
            H5Pset_deflate(props, 1);
        }
        H5Pset_fletcher32(props);
    }
    hid_t set = H5Dcreate2(file, a->name, mem_type(a->type), space, lcpl, props, H5P_DEFAULT);
    int ok = set >= 0 &&
             (n == 0 || H5Dwrite(set, mem_type(a->type), H5S_ALL, H5S_ALL, H5P_DEFAULT, a->data) >= 0);
    if (set >= 0)
        ok &= H5Dclose(set) >= 0;
    H5Pclose(props);
    H5Sclose(space);
    return ok;
}

static int sync_path(const char *path, int directory)
{
    int fd = open(path, directory ? O_RDONLY : O_RDWR);
    if (fd < 0)
        return 0;
    int ok = fsync(fd) == 0;
    close(fd);
    return ok;
}

static leinao_status collect(leinao_sim *sim, lrs_list *list)
{
    leinao_status st = lsim_run_state_export(sim, list);
    char prefix[64];
    for (int i = 0; i < sim->out.n_sinks && !st; i++) {
        lspike_sink *s = sim->out.sinks[i];
        snprintf(prefix, sizeof prefix, "outputs/spikes%d", i);
        if (s->ops->save && s->is_open)
            st = s->ops->save(s, sim, list, prefix);
    }
    for (int i = 0; i < sim->out.n_recorders && !st; i++) {
        lstate_recorder *r = sim->out.recorders[i];
        snprintf(prefix, sizeof prefix, "outputs/state%d", i);
        if (r->ops->save && r->is_open)
            st = r->ops->save(r, sim, list, prefix);
    }
    return st;
}

static int write_attributes(leinao_sim *sim, hid_t file, const char *guard_stop)
{
    uint32_t version = CHECKPOINT_VERSION;
    uint64_t step = (uint64_t)sim->run.step;
    double t = (double)sim->run.step * sim->config.dt;
    int32_t counts[3] = {sim->part.n_threads, sim->net.n_pops, sim->net.n_projs};
    return lh5_string_attr(file, "format", CHECKPOINT_FORMAT) &&
           lh5_attr(file, "format_version", H5T_NATIVE_UINT32, &version, 1) &&
           lh5_string_attr(file, "leinao_version", leinao_version()) &&
           lh5_string_attr(file, "model", sim->config.name ? sim->config.name : "") &&
           lh5_string_attr(file, "note", sim->config.checkpoint_note ? sim->config.checkpoint_note : "") &&
           lh5_attr(file, "seed", H5T_NATIVE_UINT64, &sim->config.seed, 1) &&
           lh5_attr(file, "dt_ms", H5T_NATIVE_DOUBLE, &sim->config.dt, 1) &&
           lh5_attr(file, "step", H5T_NATIVE_UINT64, &step, 1) &&
           lh5_attr(file, "t_ms", H5T_NATIVE_DOUBLE, &t, 1) &&
           lh5_attr(file, "threads_populations_projections", H5T_NATIVE_INT32, counts, 3) &&
           lh5_attr(file, "identity", H5T_NATIVE_UINT64, sim->net.identity,
                    (hsize_t)sim->net.n_identity) &&
           (!guard_stop[0] || lh5_string_attr(file, "stopped_by_guard", guard_stop));
}

leinao_status leinao_checkpoint_write(leinao_sim *sim, const char *path)
{
    lctx *ctx = &sim->ctx;
    if (!path || !path[0])
        return lc_error_at(ctx, LEINAO_INVALID, "path", NULL, -1, "path must not be empty");
    if (sim->phase != LSIM_BUILT)
        return lc_error(ctx, LEINAO_STATE, sim->phase == LSIM_DECLARING
                                               ? "a checkpoint needs a built network (leinao_build)"
                                               : "the run is finished: a checkpoint must come "
                                                 "before leinao_finish");
    /* A run stopped by its rate guard ends at a slice boundary (the guard is checked after
     * the slice's delivery): its state is whole, and the checkpoint records the stop. Any
     * other failure leaves a state no checkpoint could continue. The guard's stop is known by
     * the handle's last error (errors as data): no call has failed since. */
    const int guard_stop = sim->run.failed && ctx->err_status == LEINAO_GUARD;
    if (sim->run.failed && !guard_stop)
        return lc_error(ctx, LEINAO_STATE,
                        "the run stopped with an error; a checkpoint could not continue it");
    for (int k = 0; k < sim->net.n_projs; k++)
        if (sim->net.projs[k]->changed)
            return lc_error_at(ctx, LEINAO_UNSUPPORTED, "proj", NULL, k,
                               "projection %d has synapses or parameters set after the build "
                               "(leinao_set_connections, leinao_set_synapse_params), which a "
                               "checkpoint does not hold",
                               k);
    char stop[sizeof ctx->errmsg];
    snprintf(stop, sizeof stop, "%s", guard_stop ? ctx->errmsg : "");
    size_t n = strlen(path) + 16;
    char *tmp = lc_malloc(ctx, n);
    if (!tmp)
        return LEINAO_NOMEM;
    snprintf(tmp, n, "%s.tmp", path);
    lrs_list list = {0};
    leinao_status st = collect(sim, &list); /* with several ranks, all take part */
    if (sim->part.comm.rank != 0) { /* rank 0 writes the file */
        lrs_free(ctx, &list);
        lc_free(ctx, tmp);
        return lsim_agree(sim, st, NULL);
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t file = -1, lcpl = -1;
    void *image = NULL;
    ssize_t image_size = -1;
    if (!st) {
        /* The file is made in memory (HDF5's core driver, no backing store) and written with
         * write(2): a full disk is then a plain write error with its reason, and libhdf5 never
         * holds a file it failed to close (which crashes it at exit). */
        hid_t fapl = H5Pcreate(H5P_FILE_ACCESS); /* checksummed metadata (HDF5 1.10 format) */
        H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110);
        H5Pset_fapl_core(fapl, 1 << 20, 0);
        file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
        H5Pclose(fapl);
        lcpl = H5Pcreate(H5P_LINK_CREATE);
        H5Pset_create_intermediate_group(lcpl, 1);
        int ok = file >= 0 && write_attributes(sim, file, stop);
        for (size_t i = 0; ok && i < list.n; i++)
            ok = write_array(file, lcpl, &list.a[i]);
        H5Pclose(lcpl);
        if (ok && H5Fflush(file, H5F_SCOPE_LOCAL) >= 0 &&
            (image_size = H5Fget_file_image(file, NULL, 0)) > 0 &&
            (image = lc_malloc(ctx, (size_t)image_size)) != NULL &&
            H5Fget_file_image(file, image, (size_t)image_size) != image_size)
            image_size = -1;
        if (file >= 0 && H5Fclose(file) < 0)
            ok = 0;
        if (ok && image_size > 0 && image)
            fix_superblock(image, (size_t)image_size);
        if (!ok || image_size <= 0 || !image)
            st = image_size > 0 && !image ? LEINAO_NOMEM
                                          : h5_fail(sim, tmp, "make the checkpoint in memory");
    }
    lrs_free(ctx, &list);
    if (!st) {
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        const char *p = image;
        size_t left = (size_t)image_size;
        int err = fd < 0 ? errno : 0;
        while (!err && left > 0) {
            ssize_t k = write(fd, p, left);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                err = k < 0 ? errno : ENOSPC;
            else
                p += k, left -= (size_t)k;
        }
        if (!err && fsync(fd) != 0)
            err = errno;
        if (fd >= 0 && close(fd) != 0 && !err)
            err = errno;
        if (err)
            st = lc_error(ctx, LEINAO_IO, "%s: cannot write the checkpoint (%llu bytes): %s", tmp,
                          (unsigned long long)image_size, strerror(err));
    }
    lc_free(ctx, image);
    if (!st && rename(tmp, path) != 0)
        st = lc_error(ctx, LEINAO_IO, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
    if (st) {
        remove(tmp);
    } else {
        char *dir = lc_strdup(ctx, path);
        if (dir)
            sync_path(dirname(dir), 1);
        lc_free(ctx, dir);
    }
    lc_free(ctx, tmp);
    return lsim_agree(sim, st, NULL);
}

leinao_status leinao_set_checkpoint_note(leinao_sim *sim, const char *note)
{
    char *copy = lc_strdup(&sim->ctx, note ? note : "");
    if (!copy)
        return LEINAO_NOMEM;
    lc_free(&sim->ctx, sim->config.checkpoint_note);
    sim->config.checkpoint_note = copy;
    return LEINAO_OK;
}

leinao_status leinao_set_checkpoint_every(leinao_sim *sim, double every)
{
    if (!(every >= 0.0) || !isfinite(every))
        return lc_error_at(&sim->ctx, LEINAO_INVALID, "every", NULL, -1,
                           "checkpoint_every must be >= 0 ms (0: never), got %g", every);
    sim->config.checkpoint_every = every;
    return LEINAO_OK;
}

double leinao_checkpoint_every(const leinao_sim *sim)
{
    return sim->config.checkpoint_every;
}

/* ---- reading -------------------------------------------------------------------------------- */

typedef struct reader {
    leinao_sim *sim;
    hid_t file;
    const char *path;
    lrs_list cache; /* arrays read so far */
    leinao_status visit_st;
} reader;

/* Reads a 1-D dataset of at most max_n values into the cache. */
static leinao_status read_array(reader *rd, const char *name, lrs_type type, uint64_t max_n,
                                int required, const lrs_array **out)
{
    leinao_sim *sim = rd->sim;
    *out = lrs_find(&rd->cache, name);
    if (*out)
        return (*out)->type == type ? LEINAO_OK
                                    : lc_error(&sim->ctx, LEINAO_INVALID, "%s: %s: read as two types",
                                               rd->path, name);
    if (H5Lexists(rd->file, name, H5P_DEFAULT) <= 0) {
        /* H5Lexists fails on a missing intermediate group: treated as missing */
        if (required)
            return lc_error(&sim->ctx, LEINAO_INVALID, "%s: the checkpoint has no %s (not a "
                                                       "checkpoint of this model, or damaged)",
                            rd->path, name);
        return LEINAO_OK;
    }
    hid_t set = H5Dopen2(rd->file, name, H5P_DEFAULT);
    hid_t space = set >= 0 ? H5Dget_space(set) : -1;
    hsize_t dims[2] = {0, 0};
    int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    leinao_status st = LEINAO_OK;
    if (rank != 1 || H5Sget_simple_extent_dims(space, dims, NULL) != 1)
        st = lc_error(&sim->ctx, LEINAO_INVALID, "%s: %s is not a 1-D array", rd->path, name);
    else if (dims[0] > max_n)
        st = lc_error(&sim->ctx, LEINAO_INVALID, "%s: %s has %llu values, more than this model has (%llu)",
                      rd->path, name, (unsigned long long)dims[0], (unsigned long long)max_n);
    void *data = NULL;
    if (!st) {
        size_t bytes = (size_t)dims[0] * lrs_type_size(type);
        data = lc_malloc(&sim->ctx, bytes ? bytes : 1);
        if (!data)
            st = LEINAO_NOMEM;
        else if (dims[0] && H5Dread(set, mem_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
            st = lc_error(&sim->ctx, LEINAO_INVALID, "%s: cannot read %s (damaged?)", rd->path, name);
    }
    if (space >= 0)
        H5Sclose(space);
    if (set >= 0)
        H5Dclose(set);
    if (!st)
        st = lrs_adopt(&sim->ctx, &rd->cache, name, type, dims[0], data);
    else
        lc_free(&sim->ctx, data);
    if (!st)
        *out = &rd->cache.a[rd->cache.n - 1];
    return st;
}

static leinao_status get_array(void *user, const char *name, lrs_type type, uint64_t max_n,
                               int required, uint64_t *n, const void **data)
{
    const lrs_array *a = NULL;
    leinao_status st = read_array(user, name, type, max_n, required, &a);
    *n = a ? a->n : 0;
    *data = a ? a->data : NULL;
    return st;
}

/* Every dataset under outputs/ (the files' positions), for the sinks' resume. */
static herr_t visit_output(hid_t group, const char *name, const H5L_info_t *info, void *user)
{
    (void)group;
    (void)info;
    reader *rd = user;
    char full[256];
    if (snprintf(full, sizeof full, "outputs/%s", name) >= (int)sizeof full)
        return 0;
    H5O_info_t oi;
    if (H5Oget_info_by_name2(rd->file, full, &oi, H5O_INFO_BASIC, H5P_DEFAULT) < 0 ||
        oi.type != H5O_TYPE_DATASET)
        return 0;
    hid_t set = H5Dopen2(rd->file, full, H5P_DEFAULT);
    if (set < 0)
        return 0;
    hid_t type = H5Dget_type(set);
    H5T_class_t cls = H5Tget_class(type);
    H5T_sign_t sign = cls == H5T_INTEGER ? H5Tget_sign(type) : H5T_SGN_ERROR;
    size_t size = H5Tget_size(type);
    H5Tclose(type);
    H5Dclose(set);
    lrs_type t = cls == H5T_FLOAT ? (size == 4 ? LRS_F32 : LRS_F64)
                 : sign == H5T_SGN_2 ? LRS_I64
                 : size == 4         ? LRS_U32
                                     : LRS_U64;
    const lrs_array *a;
    rd->visit_st = read_array(rd, full, t, MAX_OUTPUT_VALUES, 1, &a);
    return rd->visit_st ? -1 : 0;
}

static int read_string(hid_t file, const char *name, char *out, size_t n)
{
    out[0] = 0;
    if (H5Aexists(file, name) <= 0)
        return 0;
    hid_t attr = H5Aopen(file, name, H5P_DEFAULT);
    hid_t type = attr >= 0 ? H5Aget_type(attr) : -1;
    hid_t space = attr >= 0 ? H5Aget_space(attr) : -1;
    int ok = type >= 0 && H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) > 0 &&
             space >= 0 && H5Sget_simple_extent_npoints(space) == 1;
    if (ok) {
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, H5T_VARIABLE);
        H5Tset_cset(mt, H5T_CSET_UTF8);
        char *value = NULL;
        ok = H5Aread(attr, mt, &value) >= 0 && value;
        if (ok)
            snprintf(out, n, "%s", value);
        if (value)
            H5free_memory(value);
        H5Tclose(mt);
    }
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    if (attr >= 0)
        H5Aclose(attr);
    return ok;
}

/* A numeric attribute of exactly `count` values. */
static int read_attr(hid_t file, const char *name, hid_t type, void *out, hssize_t count)
{
    if (H5Aexists(file, name) <= 0)
        return 0;
    hid_t attr = H5Aopen(file, name, H5P_DEFAULT);
    hid_t space = attr >= 0 ? H5Aget_space(attr) : -1;
    hid_t ftype = attr >= 0 ? H5Aget_type(attr) : -1;
    H5T_class_t cls = ftype >= 0 ? H5Tget_class(ftype) : H5T_NO_CLASS;
    int ok = space >= 0 && H5Sget_simple_extent_npoints(space) == count &&
             (cls == H5T_INTEGER || cls == H5T_FLOAT) && H5Aread(attr, type, out) >= 0;
    if (ftype >= 0)
        H5Tclose(ftype);
    if (space >= 0)
        H5Sclose(space);
    if (attr >= 0)
        H5Aclose(attr);
    return ok;
}

/* Opens a checkpoint and checks that it is one, of this format version. */
static hid_t open_checkpoint(leinao_sim *sim, const char *path, leinao_status *st)
{
    hid_t file = lh5_open_read(&sim->ctx, path, " (a leinao checkpoint is)", st);
    if (file < 0)
        return file;
    char format[64], version_text[64];
    uint32_t version = 0;
    if (!read_string(file, "format", format, sizeof format) || strcmp(format, CHECKPOINT_FORMAT)) {
        *st = lc_error(&sim->ctx, LEINAO_INVALID, "%s: not a leinao checkpoint", path);
    } else if (!read_attr(file, "format_version", H5T_NATIVE_UINT32, &version, 1) ||
               version != CHECKPOINT_VERSION) {
        read_string(file, "leinao_version", version_text, sizeof version_text);
        *st = lc_error(&sim->ctx, LEINAO_INVALID,
                       "%s: checkpoint format version %u (written by leinao %s); this leinao "
                       "(%s) reads version %u",
                       path, version, version_text[0] ? version_text : "?", leinao_version(),
                       CHECKPOINT_VERSION);
    } else {
        return file;
    }
    H5Fclose(file);
    return -1;
}

/* Compares the checkpoint's identity with this handle's declared network; names what differs. */
static leinao_status check_identity(leinao_sim *sim, hid_t file, const char *path)
{
    const uint64_t *mine = sim->net.identity;
    int n = sim->net.n_identity;
    uint64_t *computed = NULL;
    if (!mine) {
        if (!(computed = lsim_identity(sim, &n)))
            return LEINAO_NOMEM;
        mine = computed;
    }
    uint64_t seed = 0;
    int32_t counts[3] = {0, 0, 0};
    double dt = 0;
    leinao_status st = LEINAO_OK;
    uint64_t *theirs = lc_malloc(&sim->ctx, (size_t)n * sizeof *theirs);
    if (!theirs)
        st = LEINAO_NOMEM;
    else if (!read_attr(file, "seed", H5T_NATIVE_UINT64, &seed, 1) ||
             !read_attr(file, "dt_ms", H5T_NATIVE_DOUBLE, &dt, 1) ||
             !read_attr(file, "threads_populations_projections", H5T_NATIVE_INT32, counts, 3))
        st = lc_error(&sim->ctx, LEINAO_INVALID, "%s: the checkpoint's attributes are damaged", path);
    else if (seed != sim->config.seed)
        st = lc_error(&sim->ctx, LEINAO_INVALID,
                      "%s: the checkpoint is of seed %llu, this model has seed %llu", path,
                      (unsigned long long)seed, (unsigned long long)sim->config.seed);
    else if (dt != sim->config.dt)
        st = lc_error(&sim->ctx, LEINAO_INVALID, "%s: the checkpoint has dt = %g ms, this model %g ms",
                      path, dt, sim->config.dt);
    else if (counts[1] != sim->net.n_pops || counts[2] != sim->net.n_projs)
        st = lc_error(&sim->ctx, LEINAO_INVALID,
                      "%s: the checkpoint has %d populations and %d projections, this model %d "
                      "and %d",
                      path, counts[1], counts[2], sim->net.n_pops, sim->net.n_projs);
    else if (!read_attr(file, "identity", H5T_NATIVE_UINT64, theirs, n))
        st = lc_error(&sim->ctx, LEINAO_INVALID, "%s: the checkpoint's identity is damaged", path);
    for (int i = 0; !st && i < n; i++) {
        if (theirs[i] == mine[i])
            continue;
        if (i == 0)
            st = lc_error(&sim->ctx, LEINAO_INVALID,
                          "%s: the checkpoint is of another model: its simulation settings "
                          "(transient or rate guards) differ",
                          path);
        else if (i <= sim->net.n_pops)
            st = lc_error(&sim->ctx, LEINAO_INVALID,
                          "%s: the checkpoint is of another model: population %s differs (model, "
                          "size, parameters or initial values)",
                          path, sim->net.pops[i - 1]->name);
        else if (i < n - 1) {
            const lprojection *p = sim->net.projs[i - 1 - sim->net.n_pops];
            st = lc_error(&sim->ctx, LEINAO_INVALID,
                          "%s: the checkpoint is of another model: projection %d (%s -> %s) differs",
                          path, i - 1 - sim->net.n_pops, sim->net.pops[p->src]->name,
                          sim->net.pops[p->tgt]->name);
        } else
            st = lc_error(&sim->ctx, LEINAO_INVALID,
                          "%s: the checkpoint is of another model: its recordings differ", path);
    }
    lc_free(&sim->ctx, theirs);
    lc_free(&sim->ctx, computed);
    return st;
}

static int has_file_outputs(const leinao_sim *sim)
{
    for (int i = 0; i < sim->out.n_sinks; i++)
        if (strcmp(sim->out.sinks[i]->format, "memory"))
            return 1;
    for (int i = 0; i < sim->out.n_recorders; i++)
        if (strcmp(sim->out.recorders[i]->format, "memory"))
            return 1;
    return 0;
}

/* Reopens every output at its recorded position (check: only checks that each can). */
static leinao_status resume_outputs(leinao_sim *sim, reader *rd, int check)
{
    char prefix[64];
    leinao_status st = LEINAO_OK;
    if (sim->part.comm.rank != 0) /* the files are rank 0's */
        return LEINAO_OK;
    for (int i = 0; i < sim->out.n_sinks && !st; i++) {
        lspike_sink *s = sim->out.sinks[i];
        if (s->is_open)
            continue;
        char *path = lsim_output_path(sim, s->path);
        if (!path)
            return LEINAO_NOMEM;
        snprintf(prefix, sizeof prefix, "outputs/spikes%d", i);
        if (s->ops->resume)
            st = s->ops->resume(s, sim, path, &rd->cache, prefix, check);
        else if (!check)
            st = s->ops->open(s, sim, path);
        lc_free(&sim->ctx, path);
        if (!st && !check)
            s->is_open = 1;
    }
    for (int i = 0; i < sim->out.n_recorders && !st; i++) {
        lstate_recorder *r = sim->out.recorders[i];
        if (r->is_open)
            continue;
        char *path = lsim_output_path(sim, r->path);
        if (!path)
            return LEINAO_NOMEM;
        snprintf(prefix, sizeof prefix, "outputs/state%d", i);
        if (!r->frames)
            r->frames = lc_calloc(&sim->ctx,
                                  r->n_neurons * (size_t)r->n_vars * (size_t)sim->net.min_delay,
                                  sizeof(double));
        if (!r->frames)
            st = LEINAO_NOMEM;
        else if (r->ops->resume)
            st = r->ops->resume(r, sim, path, &rd->cache, prefix, check);
        else if (!check)
            st = r->ops->open(r, sim, path);
        lc_free(&sim->ctx, path);
        if (!st && !check)
            r->is_open = 1;
    }
    return st;
}

static leinao_status restore(leinao_sim *sim, reader *rd)
{
    leinao_status st = lsim_run_state_import(sim, get_array, rd, 0);
    if (!st && H5Lexists(rd->file, "outputs", H5P_DEFAULT) > 0) {
        hid_t group = H5Gopen2(rd->file, "outputs", H5P_DEFAULT);
        if (group < 0 || H5Lvisit(group, H5_INDEX_NAME, H5_ITER_NATIVE, visit_output, rd) < 0)
            st = rd->visit_st ? rd->visit_st
                              : lc_error(&sim->ctx, LEINAO_INVALID,
                                         "%s: the outputs' positions are damaged", rd->path);
        if (group >= 0)
            H5Gclose(group);
    }
    if (!st)
        st = resume_outputs(sim, rd, 1);
    if (st)
        return st;
    /* everything is checked: from here on the handle changes */
    if ((st = lsim_run_state_import(sim, get_array, rd, 1)) || (st = resume_outputs(sim, rd, 0))) {
        char message[sizeof sim->ctx.errmsg];
        memcpy(message, sim->ctx.errmsg, sizeof message);
        sim->run.failed = 1;
        lc_error(&sim->ctx, st, "%s; the handle cannot run (its state is partly restored)", message);
    }
    return st;
}

leinao_status leinao_checkpoint_read(leinao_sim *sim, const char *path)
{
    lctx *ctx = &sim->ctx;
    if (!path || !path[0])
        return lc_error_at(ctx, LEINAO_INVALID, "path", NULL, -1, "path must not be empty");
    if (sim->phase == LSIM_FINISHED || (sim->phase == LSIM_BUILT && (sim->run.step || sim->run.failed)))
        return lc_error(ctx, LEINAO_STATE, "a checkpoint is read into a handle that has not run");
    if (sim->phase == LSIM_BUILT && has_file_outputs(sim))
        return lc_error(ctx, LEINAO_STATE,
                        "the build has created the output files anew: read the checkpoint "
                        "before leinao_build to continue them");
    leinao_status st = LEINAO_OK;
    hid_t file = open_checkpoint(sim, path, &st);
    if (file < 0)
        return st;
    reader rd = {sim, file, path, {0}, LEINAO_OK};
    st = check_identity(sim, file, path);
    if (!st && sim->phase == LSIM_DECLARING) {
        sim->out.defer_open = 1; /* the files are reopened where the checkpoint left them */
        st = leinao_build(sim);
        sim->out.defer_open = 0;
    }
    if (!st)
        st = restore(sim, &rd);
    st = lsim_agree(sim, st, NULL);
    char stop[sizeof ctx->errmsg];
    if (!st && read_string(file, "stopped_by_guard", stop, sizeof stop) && stop[0])
        sim->run.failed = 1; /* a run its rate guard stopped does not go on */
    if (st && sim->phase == LSIM_BUILT && !sim->run.failed) {
        /* nothing was changed but the build: the handle is as declared again, its files as
         * they were */
        char message[sizeof ctx->errmsg];
        memcpy(message, ctx->errmsg, sizeof message);
        lsim_unbuild(sim);
        memcpy(ctx->errmsg, message, sizeof message);
    }
    lrs_free(ctx, &rd.cache);
    H5Fclose(file);
    return st;
}

/* ---- what a checkpoint holds ---------------------------------------------------------------- */

static herr_t count_datasets(hid_t group, const char *name, const H5O_info_t *info, void *user)
{
    (void)group;
    (void)name;
    if (info->type == H5O_TYPE_DATASET)
        (*(uint64_t *)user)++;
    return 0;
}

leinao_status leinao_checkpoint_inspect(leinao_sim *sim, const char *path,
                                        leinao_checkpoint_info *out)
{
    memset(out, 0, sizeof *out);
    leinao_status st = LEINAO_OK;
    if (!path || !path[0])
        return lc_error_at(&sim->ctx, LEINAO_INVALID, "path", NULL, -1, "path must not be empty");
    hid_t file = open_checkpoint(sim, path, &st);
    if (file < 0)
        return st;
    out->format_version = (int)CHECKPOINT_VERSION;
    int32_t counts[3] = {0, 0, 0};
    uint64_t step = 0;
    int ok = read_string(file, "leinao_version", out->leinao_version, sizeof out->leinao_version) &&
             read_string(file, "model", out->model, sizeof out->model) &&
             read_string(file, "note", out->note, sizeof out->note) &&
             read_attr(file, "seed", H5T_NATIVE_UINT64, &out->seed, 1) &&
             read_attr(file, "dt_ms", H5T_NATIVE_DOUBLE, &out->dt, 1) &&
             read_attr(file, "t_ms", H5T_NATIVE_DOUBLE, &out->t_reached, 1) &&
             read_attr(file, "step", H5T_NATIVE_UINT64, &step, 1) &&
             read_attr(file, "threads_populations_projections", H5T_NATIVE_INT32, counts, 3);
    read_string(file, "stopped_by_guard", out->stopped_by_guard, sizeof out->stopped_by_guard);
    out->steps = step;
    out->threads = counts[0];
    out->populations = counts[1];
    out->projections = counts[2];
    if (ok && H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_NATIVE, count_datasets, &out->arrays,
                        H5O_INFO_BASIC) < 0)
        ok = 0;
    H5Fclose(file);
    struct stat sb;
    out->file_bytes = stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
    if (!ok)
        return lc_error(&sim->ctx, LEINAO_INVALID, "%s: the checkpoint's attributes are damaged", path);
    return LEINAO_OK;
}
