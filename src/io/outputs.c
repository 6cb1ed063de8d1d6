/* outputs.c — declaring spike recordings, the output folder, and finishing a run: closing
 * every file and writing summary.json. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "../engine/memory_sink.h"
#include "io.h"

const char *leinao_features(void)
{
#ifdef LEINAO_HAVE_MPI
    return "yaml json sonata-hdf5 csv threads mpi plots-png-svg-pdf";
#else
    return "yaml json sonata-hdf5 csv threads plots-png-svg-pdf";
#endif
}

const char *leinao_recording(const leinao_sim *sim, int i, const char **type, const char **format)
{
    if (i >= 0 && i < sim->out.n_sinks) {
        *type = "spikes";
        *format = sim->out.sinks[i]->format;
        return sim->out.sinks[i]->path;
    }
    i -= sim->out.n_sinks;
    if (i >= 0 && i < sim->out.n_recorders) {
        *type = "state";
        *format = sim->out.recorders[i]->format;
        return sim->out.recorders[i]->path;
    }
    return NULL;
}

leinao_status leinao_get_state_recording(const leinao_sim *sim, int recording,
                                         leinao_state_recording_info *out)
{
    if (!out)
        return lc_error_at((lctx *)&sim->ctx, LEINAO_INVALID, "out", NULL, -1,
                           "out must not be NULL");
    if (recording < 0 || recording >= sim->out.n_recorders)
        return lc_error_at((lctx *)&sim->ctx, LEINAO_NOT_FOUND, "recording", NULL, recording,
                           "no state recording %d", recording);
    const lstate_recorder *r = sim->out.recorders[recording];
    const lmodel *m = sim->net.pops[r->pop]->model;
    memset(out, 0, sizeof *out);
    out->pop = r->pop;
    out->n_vars = (size_t)r->n_vars;
    for (int v = 0; v < r->n_vars; v++)
        out->vars[v] = m->states[r->vars[v]].name;
    out->neurons = r->neurons;
    out->n_neurons = r->n_neurons;
    out->interval = r->interval_steps * sim->config.dt;
    out->path = r->path;
    out->format = r->format;
    return LEINAO_OK;
}

static int is_memory(const char *format)
{
    return format && !strcmp(format, "memory");
}

/* A memory recording's name (it has no file): "memory:" and the population's name. */
static char *memory_name(leinao_sim *sim, const char *what)
{
    size_t n = strlen(what) + 8;
    char *name = lc_malloc(&sim->ctx, n);
    if (name)
        snprintf(name, n, "memory:%s", what);
    return name;
}

/* A new sink of one population, written to `path` (taken over; NULL: out of memory). */
static leinao_status new_sink(leinao_sim *sim, int pop, char *path, const char *format,
                              const lsink_ops *ops)
{
    lctx *ctx = &sim->ctx;
    lspike_sink *sink = lc_calloc(ctx, 1, sizeof *sink);
    if (!sink) {
        lc_free(ctx, path);
        return LEINAO_NOMEM;
    }
    sink->path = path;
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

static leinao_status add_memory_sink(leinao_sim *sim, int pop)
{
    lctx *ctx = &sim->ctx;
    for (int i = 0; i < sim->out.n_sinks; i++)
        if (sim->out.sinks[i]->ops == &lsink_memory_ops && sim->out.sinks[i]->pops[0] == pop)
            return lc_error_at(ctx, LEINAO_INVALID, "pop", NULL, pop,
                               "population '%s' is recorded twice in memory", sim->net.pops[pop]->name);
    return new_sink(sim, pop, memory_name(sim, sim->net.pops[pop]->name), "memory",
                    &lsink_memory_ops);
}

static int path_taken(leinao_sim *sim, const char *path)
{
    if (!strcmp(path, "summary.json") || lsim_find_sink(sim, path))
        return 1;
    for (int i = 0; i < sim->out.n_recorders; i++)
        if (!strcmp(sim->out.recorders[i]->path, path))
            return 1;
    return 0;
}

leinao_status leinao_record_spikes(leinao_sim *sim, int pop, const char *path, const char *format)
{
    lctx *ctx = &sim->ctx;
    if (sim->phase != LSIM_DECLARING)
        return lc_error(ctx, LEINAO_STATE, "recordings must be declared before leinao_build");
    if (pop < 0 || pop >= sim->net.n_pops)
        return lc_error_at(ctx, LEINAO_NOT_FOUND, "pop", NULL, pop, "no population with id %d", pop);
    if (sim->net.pops[pop]->model->kind != LM_NEURON)
        return lc_error_at(ctx, LEINAO_INVALID, "pop", NULL, pop,
                           "population '%s' is a %s: only neurons' spikes are recorded",
                           sim->net.pops[pop]->name, sim->net.pops[pop]->model->name);
    if (is_memory(format))
        return add_memory_sink(sim, pop);
    const lsink_ops *ops = !format                   ? NULL
                           : !strcmp(format, "sonata") ? &lsink_sonata_ops
                           : !strcmp(format, "csv")    ? &lsink_csv_ops
                                                       : NULL;
    if (!ops)
        return lc_error_at(ctx, LEINAO_INVALID, "format", NULL, -1,
                           "format must be sonata, csv or memory, got '%s'",
                           format ? format : "(null)");
    if (!path || !path[0])
        return lc_error_at(ctx, LEINAO_INVALID, "path", NULL, -1, "path must not be empty");
    lspike_sink *sink = lsim_find_sink(sim, path);
    if (!sink && path_taken(sim, path))
        return lc_error_at(ctx, LEINAO_INVALID, "path", NULL, -1,
                           "%s is already an output of this model", path);
    if (sink && strcmp(sink->format, format))
        return lc_error_at(ctx, LEINAO_INVALID, "format", NULL, -1, "%s is already recorded as %s",
                           path, sink->format);
    if (sink) {
        for (int i = 0; i < sink->n_pops; i++)
            if (sink->pops[i] == pop)
                return lc_error_at(ctx, LEINAO_INVALID, "pop", NULL, pop,
                                   "population '%s' is recorded twice in %s",
                                   sim->net.pops[pop]->name, path);
        int *pops = lc_realloc(ctx, sink->pops, ((size_t)sink->n_pops + 1) * sizeof *pops);
        if (!pops)
            return LEINAO_NOMEM;
        sink->pops = pops;
        pops[sink->n_pops++] = pop;
        return LEINAO_OK;
    }
    return new_sink(sim, pop, lc_strdup(ctx, path), format, ops);
}

leinao_status leinao_record_state(leinao_sim *sim, int pop, const char *const *vars, size_t n_vars,
                                  const uint32_t *neurons, size_t n_neurons, double interval,
                                  const char *path, const char *format)
{
    lctx *ctx = &sim->ctx;
    if (sim->phase != LSIM_DECLARING)
        return lc_error(ctx, LEINAO_STATE, "recordings must be declared before leinao_build");
    if (pop < 0 || pop >= sim->net.n_pops)
        return lc_error_at(ctx, LEINAO_NOT_FOUND, "pop", NULL, pop, "no population with id %d", pop);
    const lpopulation *p = sim->net.pops[pop];
    const lmodel *m = p->model;
    if (m->kind != LM_NEURON)
        return lc_error_at(ctx, LEINAO_INVALID, "pop", NULL, pop,
                           "population '%s' is a %s: it has no state to record", p->name, m->name);
    const lstate_ops *ops = !format                   ? NULL
                            : !strcmp(format, "sonata") ? &lstate_sonata_ops
                            : !strcmp(format, "csv")    ? &lstate_csv_ops
                            : is_memory(format)         ? &lstate_memory_ops
                                                        : NULL;
    if (!ops)
        return lc_error_at(ctx, LEINAO_INVALID, "format", NULL, -1,
                           "format must be sonata, csv or memory, got '%s'",
                           format ? format : "(null)");
    if (n_vars == 0 || n_vars > 64 || !vars)
        return lc_error_at(ctx, LEINAO_INVALID, "variables", NULL, -1,
                           "variables: name 1 to 64 state variables");
    double steps;
    if (!(interval > 0.0) || !lgrid_steps(interval, sim->config.dt, &steps) || !(steps <= 2147483647.0))
        return lc_error_at(ctx, LEINAO_INVALID, "interval", NULL, -1,
                           "interval must be a positive multiple of dt = %g ms, got %g", sim->config.dt,
                           interval);
    char name[32];
    if (is_memory(format)) {
        snprintf(name, sizeof name, "memory:state%d", sim->out.n_recorders);
        path = name;
    } else if (!path || !path[0]) {
        return lc_error_at(ctx, LEINAO_INVALID, "path", NULL, -1, "path must not be empty");
    }
    if (path_taken(sim, path))
        return lc_error_at(ctx, LEINAO_INVALID, "path", NULL, -1,
                           "%s is already an output of this model", path);
    lstate_recorder *r = lc_calloc(ctx, 1, sizeof *r);
    if (!r)
        return LEINAO_NOMEM;
    size_t count = neurons ? n_neurons : p->size;
    r->pop = pop;
    r->interval_steps = (int)steps;
    r->ops = ops;
    r->vars = lc_malloc(ctx, n_vars * sizeof *r->vars);
    r->neurons = lc_malloc(ctx, (count ? count : 1) * sizeof *r->neurons);
    r->path = lc_strdup(ctx, path);
    r->format = lc_strdup(ctx, format);
    leinao_status st = (!r->vars || !r->neurons || !r->path || !r->format) ? LEINAO_NOMEM : LEINAO_OK;
    r->n_vars = (int)n_vars;
    r->n_neurons = count;
    for (size_t v = 0; !st && v < n_vars; v++) {
        int k = vars[v] ? lparam_find(m->states, m->n_states, vars[v]) : -1;
        if (k < 0 || (m->states[k].flags & LP_HIDDEN)) {
            lsuggest sg;
            lsuggest_init(&sg, vars[v] ? vars[v] : "");
            for (int j = 0; j < m->n_states; j++)
                if (!(m->states[j].flags & LP_HIDDEN))
                    lsuggest_offer(&sg, m->states[j].name);
            char hint[96];
            st = lc_error_at(ctx, LEINAO_NOT_FOUND, "variables", vars[v], (int64_t)v,
                             "%s has no state variable '%s'%s", m->name,
                             vars[v] ? vars[v] : "(null)", lsuggest_hint(&sg, hint, sizeof hint));
        }
        if (!st)
            r->vars[v] = k;
    }
    for (size_t j = 0; !st && j < count; j++) {
        r->neurons[j] = neurons ? neurons[j] : (uint32_t)j;
        if (r->neurons[j] >= p->size)
            st = lc_error_at(ctx, LEINAO_INVALID, "neurons", NULL, (int64_t)j,
                             "neuron %u is not in population '%s' of size %u", r->neurons[j],
                             p->name, p->size);
    }
    if (!st)
        st = lsim_add_recorder(sim, r);
    if (st) {
        void *parts[] = {r->vars, r->neurons, r->path, r->format, r};
        for (size_t k = 0; k < 5; k++)
            lc_free(ctx, parts[k]);
    }
    return st;
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
    if (!dir || !dir[0])
        return lc_error_at(ctx, LEINAO_INVALID, "dir", NULL, -1, "dir must not be empty");
    char *copy = lc_strdup(ctx, dir);
    if (!copy)
        return LEINAO_NOMEM;
    size_t n = strlen(copy);
    while (n > 1 && copy[n - 1] == '/')
        copy[--n] = 0;
    lc_free(ctx, sim->config.out_dir);
    sim->config.out_dir = copy;
    if (!overwrite) {
        for (int i = -1; i < sim->out.n_sinks + sim->out.n_recorders; i++) {
            const char *name = i < 0              ? "summary.json"
                               : i < sim->out.n_sinks ? sim->out.sinks[i]->path
                                                  : sim->out.recorders[i - sim->out.n_sinks]->path;
            const char *format = i < 0              ? NULL
                                 : i < sim->out.n_sinks ? sim->out.sinks[i]->format
                                                    : sim->out.recorders[i - sim->out.n_sinks]->format;
            if (is_memory(format))
                continue;
            char *path = lsim_output_path(sim, name);
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
    const char *status = sim->run.failed ? "failed" : r.interrupted ? "interrupted" : "completed";
    fputs("{\n  \"leinao_version\": ", f);
    json_string(f, leinao_version());
    fputs(",\n  \"model\": ", f);
    json_string(f, r.name);
    fprintf(f, ",\n  \"status\": \"%s\",\n  \"interrupted\": %s,\n", status,
            r.interrupted ? "true" : "false");
    fprintf(f, "  \"seed\": %llu,\n  \"threads\": %d,\n  \"dt_ms\": ", (unsigned long long)r.seed,
            r.threads);
    json_number(f, sim->config.dt);
    fputs(",\n  \"duration_ms\": ", f);
    json_number(f, sim->config.duration);
    fputs(",\n  \"simulated_ms\": ", f);
    json_number(f, r.t_simulated);
    fputs(",\n  \"transient_ms\": ", f);
    json_number(f, sim->config.transient);
    fprintf(f, ",\n  \"neurons\": %llu,\n  \"synapses\": %llu,\n  \"synaptic_events\": %llu,\n",
            (unsigned long long)r.neurons, (unsigned long long)r.synapses,
            (unsigned long long)r.events);
    fputs("  \"build_time_s\": ", f);
    json_number(f, r.build_wall);
    fputs(",\n  \"simulation_wall_s\": ", f);
    json_number(f, r.run_wall);
    fputs(",\n  \"update_wall_s\": ", f);
    json_number(f, r.update_wall);
    fputs(",\n  \"exchange_wall_s\": ", f);
    json_number(f, r.exchange_wall);
    fputs(",\n  \"deliver_wall_s\": ", f);
    json_number(f, r.deliver_wall);
    fputs(",\n  \"real_time_factor\": ", f);
    json_number(f, r.real_time_factor);
    fputs(",\n  \"synaptic_events_per_s\": ", f);
    json_number(f, r.events_per_second);
    /* the whole process, as the operating system counts it (Linux: ru_maxrss in KiB) */
    struct rusage usage;
    double rss = getrusage(RUSAGE_SELF, &usage) == 0 ? (double)usage.ru_maxrss * 1024.0 : NAN;
    fprintf(f, ",\n  \"peak_allocated_bytes\": %llu,\n  \"peak_rss_bytes\": ",
            (unsigned long long)r.peak_bytes);
    json_number(f, rss);
    fputs(",\n  \"bytes_per_synapse\": ", f);
    json_number(f, r.synapses ? (r.ranks > 1 ? r.peak_rss_ranks : rss) / (double)r.synapses : NAN);
    /* MPI: every rank's peaks (the largest and the sum), time in MPI calls, bytes exchanged */
    fprintf(f, ",\n  \"mpi_ranks\": %d", r.ranks);
    if (r.ranks > 1) {
        fprintf(f, ",\n  \"peak_allocated_bytes_rank_max\": %llu,\n  "
                   "\"peak_allocated_bytes_ranks_sum\": %llu,\n  \"peak_rss_bytes_rank_max\": ",
                (unsigned long long)r.peak_bytes_rank_max, (unsigned long long)r.peak_bytes_ranks);
        json_number(f, r.peak_rss_rank_max);
        fputs(",\n  \"peak_rss_bytes_ranks_sum\": ", f);
        json_number(f, r.peak_rss_ranks);
        fputs(",\n  \"mpi_wall_s_rank_max\": ", f);
        json_number(f, r.mpi_wall);
        fputs(",\n  \"mpi_bytes_sent\": ", f);
        json_number(f, r.mpi_bytes);
        fprintf(f, ",\n  \"mpi_exchanges\": %llu", (unsigned long long)r.mpi_exchanges);
    }
    fputs(",\n  \"populations\": {", f);
    for (int i = 0; i < sim->net.n_pops; i++) {
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
    fputs("\n  },\n  \"projections\": [", f);
    for (int i = 0; i < leinao_projection_count(sim); i++) {
        leinao_projection_stats p;
        leinao_get_projection_stats(sim, i, &p);
        fputs(i ? ",\n    {\"source\": " : "\n    {\"source\": ", f);
        json_string(f, sim->net.pops[p.source]->name);
        fputs(", \"target\": ", f);
        json_string(f, sim->net.pops[p.target]->name);
        fputs(", \"synapse_model\": ", f);
        json_string(f, p.synapse_model);
        fprintf(f, ", \"synapses\": %llu, \"weight_mean_initial\": ", (unsigned long long)p.synapses);
        json_number(f, p.weight_mean_initial);
        fputs(", \"weight_mean\": ", f);
        json_number(f, p.weight_mean);
        fputs(", \"weight_min\": ", f);
        json_number(f, p.weight_min);
        fputs(", \"weight_max\": ", f);
        json_number(f, p.weight_max);
        fputs("}", f);
    }
    fputs("\n  ]\n}\n", f);
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
    lsim_close_open_slice(sim);
    sim->phase = LSIM_FINISHED;
    leinao_status st = lsim_close_sinks(sim);
    if (sim->config.out_dir && sim->part.comm.rank == 0) { /* rank 0 writes the files */
        char *path = lsim_output_path(sim, "summary.json");
        if (!path)
            return LEINAO_NOMEM;
        leinao_status st2 = write_summary(sim, path);
        lc_free(&sim->ctx, path);
        if (!st)
            st = st2;
    }
    return lsim_agree(sim, st, NULL); /* rank 0's files: the others learn how they ended */
}
