/* outputs.c — declaring spike recordings, the output folder, and finishing a run: closing
 * every file and writing summary.json. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "io.h"

const char *leinao_features(void)
{
    return "yaml json sonata-hdf5 csv";
}

leinao_status leinao_record_spikes(leinao_sim *sim, int pop, const char *path, const char *format)
{
    lctx *ctx = &sim->ctx;
    if (sim->phase != LSIM_DECLARING)
        return lc_error(ctx, LEINAO_STATE, "recordings must be declared before leinao_build");
    if (pop < 0 || pop >= sim->n_pops)
        return lc_error(ctx, LEINAO_NOT_FOUND, "no population with id %d", pop);
    if (sim->pops[pop]->model->kind != LM_NEURON)
        return lc_error(ctx, LEINAO_INVALID, "population '%s' is a %s: only neurons' spikes are "
                                             "recorded",
                        sim->pops[pop]->name, sim->pops[pop]->model->name);
    const lsink_ops *ops = !strcmp(format, "sonata") ? &lsink_sonata_ops
                           : !strcmp(format, "csv")  ? &lsink_csv_ops
                                                     : NULL;
    if (!ops)
        return lc_error(ctx, LEINAO_INVALID, "format must be sonata or csv, got '%s'", format);
    if (!strcmp(path, "summary.json"))
        return lc_error(ctx, LEINAO_INVALID, "summary.json is the run summary's file name");
    lspike_sink *sink = lsim_find_sink(sim, path);
    if (sink && strcmp(sink->format, format))
        return lc_error(ctx, LEINAO_INVALID, "%s is already recorded as %s", path, sink->format);
    if (sink) {
        for (int i = 0; i < sink->n_pops; i++)
            if (sink->pops[i] == pop)
                return lc_error(ctx, LEINAO_INVALID, "population '%s' is recorded twice in %s",
                                sim->pops[pop]->name, path);
        int *pops = lc_realloc(ctx, sink->pops, ((size_t)sink->n_pops + 1) * sizeof *pops);
        if (!pops)
            return LEINAO_NOMEM;
        sink->pops = pops;
        pops[sink->n_pops++] = pop;
        return LEINAO_OK;
    }
    sink = lc_calloc(ctx, 1, sizeof *sink);
    if (!sink)
        return LEINAO_NOMEM;
    sink->path = lc_strdup(ctx, path);
    sink->format = lc_strdup(ctx, format);
    sink->pops = lc_malloc(ctx, sizeof *sink->pops);
    sink->ops = ops;
    leinao_status st = (!sink->path || !sink->format || !sink->pops) ? LEINAO_NOMEM
                                                                     : lsim_add_sink(sim, sink);
    if (st) {
        lc_free(ctx, sink->path);
        lc_free(ctx, sink->format);
        lc_free(ctx, sink->pops);
        lc_free(ctx, sink);
        return st;
    }
    sink->pops[0] = pop;
    sink->n_pops = 1;
    return LEINAO_OK;
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* mkdir -p */
static leinao_status make_dirs(lctx *ctx, char *path)
{
    for (char *p = path + 1;; p++) {
        if (*p == '/' || *p == 0) {
            char c = *p;
            *p = 0;
            if (mkdir(path, 0777) != 0 && errno != EEXIST) {
                leinao_status st = lc_error(ctx, LEINAO_IO, "%s: cannot create folder: %s", path,
                                            strerror(errno));
                *p = c;
                return st;
            }
            *p = c;
            if (!c)
                break;
        }
    }
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return lc_error(ctx, LEINAO_IO, "%s: not a folder", path);
    return LEINAO_OK;
}

leinao_status leinao_set_output_dir(leinao_sim *sim, const char *dir, int overwrite)
{
    lctx *ctx = &sim->ctx;
    if (sim->phase != LSIM_DECLARING)
        return lc_error(ctx, LEINAO_STATE, "the output folder must be set before leinao_build");
    char *copy = lc_strdup(ctx, dir);
    if (!copy)
        return LEINAO_NOMEM;
    size_t n = strlen(copy);
    while (n > 1 && copy[n - 1] == '/')
        copy[--n] = 0;
    lc_free(ctx, sim->out_dir);
    sim->out_dir = copy;
    if (!overwrite) {
        for (int i = -1; i < sim->n_sinks; i++) {
            char *path = lsim_output_path(sim, i < 0 ? "summary.json" : sim->sinks[i]->path);
            if (!path)
                return LEINAO_NOMEM;
            int found = exists(path);
            leinao_status st = found ? lc_error(ctx, LEINAO_EXISTS,
                                                "%s exists: results are not overwritten without "
                                                "--overwrite",
                                                path)
                                     : LEINAO_OK;
            lc_free(ctx, path);
            if (st)
                return st;
        }
    }
    return make_dirs(ctx, copy);
}

static void json_number(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.10g", v);
    else
        fputs("null", f);
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static leinao_status write_summary(leinao_sim *sim, const char *path)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return lc_error(&sim->ctx, LEINAO_IO, "%s: path too long", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return lc_error(&sim->ctx, LEINAO_IO, "%s: cannot create: %s", tmp, strerror(errno));
    leinao_run_stats r;
    leinao_get_run_stats(sim, &r);
    const char *status = sim->failed ? "failed" : r.interrupted ? "interrupted" : "completed";
    fputs("{\n  \"leinao_version\": ", f);
    json_string(f, leinao_version());
    fputs(",\n  \"model\": ", f);
    json_string(f, r.name);
    fprintf(f, ",\n  \"status\": \"%s\",\n  \"interrupted\": %s,\n", status,
            r.interrupted ? "true" : "false");
    /* this release computes on one thread whatever was requested: say both */
    fprintf(f, "  \"seed\": %llu,\n  \"threads\": 1,\n  \"threads_requested\": %d,\n  \"dt_ms\": ",
            (unsigned long long)r.seed, r.threads);
    json_number(f, sim->dt);
    fputs(",\n  \"duration_ms\": ", f);
    json_number(f, sim->duration);
    fputs(",\n  \"simulated_ms\": ", f);
    json_number(f, r.t_simulated);
    fputs(",\n  \"transient_ms\": ", f);
    json_number(f, sim->transient);
    fprintf(f, ",\n  \"neurons\": %llu,\n  \"synapses\": %llu,\n  \"synaptic_events\": %llu,\n",
            (unsigned long long)r.neurons, (unsigned long long)r.synapses,
            (unsigned long long)r.events);
    fputs("  \"build_time_s\": ", f);
    json_number(f, r.build_wall);
    fputs(",\n  \"simulation_wall_s\": ", f);
    json_number(f, r.run_wall);
    fputs(",\n  \"real_time_factor\": ", f);
    json_number(f, r.real_time_factor);
    fputs(",\n  \"synaptic_events_per_s\": ", f);
    json_number(f, r.events_per_second);
    fprintf(f, ",\n  \"peak_allocated_bytes\": %llu,\n  \"populations\": {",
            (unsigned long long)r.peak_bytes);
    for (int i = 0; i < sim->n_pops; i++) {
        leinao_population_stats p;
        leinao_get_population_stats(sim, i, &p);
        fputs(i ? ",\n    " : "\n    ", f);
        json_string(f, p.name);
        fputs(": {\"model\": ", f);
        json_string(f, p.model);
        fprintf(f, ", \"size\": %llu", (unsigned long long)p.size);
        if (!p.is_device) {
            fprintf(f, ", \"spikes\": %llu, \"rate_hz\": ", (unsigned long long)p.spikes);
            json_number(f, p.rate);
            fputs(", \"cv_isi\": ", f);
            json_number(f, p.cv_isi);
        }
        fputs("}", f);
    }
    fputs("\n  }\n}\n", f);
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        remove(tmp);
        return lc_error(&sim->ctx, LEINAO_IO, "%s: cannot write the summary (disk full?)", path);
    }
    return LEINAO_OK;
}

leinao_status leinao_finish(leinao_sim *sim)
{
    if (sim->phase == LSIM_FINISHED)
        return LEINAO_OK;
    if (sim->phase == LSIM_DECLARING)
        return lc_error(&sim->ctx, LEINAO_STATE, "nothing to finish: the network is not built");
    sim->phase = LSIM_FINISHED;
    leinao_status st = lsim_close_sinks(sim);
    if (sim->out_dir) {
        char *path = lsim_output_path(sim, "summary.json");
        if (!path)
            return LEINAO_NOMEM;
        leinao_status st2 = write_summary(sim, path);
        lc_free(&sim->ctx, path);
        if (!st)
            st = st2;
    }
    return st;
}
