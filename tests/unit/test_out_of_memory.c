/* test_out_of_memory.c — every allocation of loading, building and running a small network
 * (all rule kinds, plastic synapses, generators, spike and state recordings, 2 threads) is made
 * to fail in turn: each failure must end in LEINAO_NOMEM with "out of memory" in the message,
 * leave a handle that closes cleanly, and leak nothing (the test allocator counts blocks; the
 * sanitizer build adds LeakSanitizer). A failed build must leave the handle usable: the same
 * handle is then built again with memory to spare and must write the same bytes as a run that
 * never failed. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pthread.h>

#include "leinao.h"
#include "stats.h"

typedef struct failing {
    long countdown; /* allocations left before the failure; < 0: never fail */
    long allocations, live;
} failing;

/* connections are generated on several threads: the allocator is called from all of them */
static pthread_mutex_t failing_lock = PTHREAD_MUTEX_INITIALIZER;

static void *failing_alloc_locked(failing *f, void *ptr, size_t new_size);

static void *failing_alloc(void *user, void *ptr, size_t old_size, size_t new_size)
{
    (void)old_size;
    pthread_mutex_lock(&failing_lock);
    void *p = failing_alloc_locked(user, ptr, new_size);
    pthread_mutex_unlock(&failing_lock);
    return p;
}

static void *failing_alloc_locked(failing *f, void *ptr, size_t new_size)
{
    if (new_size == 0) {
        if (ptr)
            f->live--;
        free(ptr);
        return NULL;
    }
    if (f->countdown == 0)
        return NULL;
    if (f->countdown > 0)
        f->countdown--;
    f->allocations++;
    void *p = realloc(ptr, new_size);
    if (p && !ptr)
        f->live++;
    return p;
}

static const char *model =
    "simulation: {dt: 0.1, duration: 20.0, seed: 3, threads: 2}\n"
    "populations:\n"
    "  E: {model: iaf_psc_exp, size: 30, init: {V_m: {uniform: {low: -70, high: -55}}}}\n"
    "  C: {model: iaf_cond_exp, size: 10}\n"
    "  P: {model: parrot_neuron, size: 10}\n"
    "  noise: {model: poisson_generator, params: {rate: 9000.0}}\n"
    "  gen: {model: spike_generator, params: {spike_times: [1.0, 2.0, 5.0]}}\n"
    "  dc: {model: dc_generator, params: {amplitude: 50.0}}\n"
    "projections:\n"
    "  - {source: noise, target: E, rule: all_to_all, synapse: {weight: 80.0, delay: 0.5}}\n"
    "  - {source: noise, target: P, rule: all_to_all, synapse: {weight: 1.0, delay: 0.5}}\n"
    "  - {source: gen, target: C, rule: all_to_all, synapse: {weight: 5.0, delay: 0.5}}\n"
    "  - {source: dc, target: C, rule: all_to_all, synapse: {weight: 1.0, delay: 0.5}}\n"
    "  - {source: E, target: E, rule: {fixed_indegree: 5, allow_multapses: false}, synapse: {weight: 20.0, delay: 1.0}}\n"
    "  - {source: E, target: C, rule: {pairwise_bernoulli: 0.3}, synapse: {weight: {normal: {mean: 2.0, std: 0.5}}, delay: {uniform: {low: 0.5, high: 2.0}}}}\n"
    "  - {source: C, target: E, rule: {fixed_outdegree: 4}, synapse: {weight: -30.0, delay: 0.5}}\n"
    "  - {source: E, target: P, rule: {fixed_total_number: 40}, synapse: {weight: 1.0, delay: 0.5}}\n"
    "  - {source: P, target: C, rule: all_to_all, synapse: {model: stdp_synapse, weight: 1.0, delay: 1.0, Wmax: 10.0}}\n"
    "  - {source: P, target: C, rule: one_to_one, synapse: {model: tsodyks_synapse, weight: 50.0, delay: 0.5}}\n"
    "recordings:\n"
    "  - {type: spikes, populations: [E, C], file: spikes.h5}\n"
    "  - {type: spikes, populations: P, file: parrots.csv}\n"
    "  - {type: state, population: C, variables: [V_m, g_ex], neurons: [0, 3], interval: 0.5, file: vm.h5}\n";

static const char *const outputs[] = {"spikes.h5", "parrots.csv", "vm.h5"};

static int same_file(const char *dir_a, const char *dir_b, const char *name)
{
    char a[256], b[256];
    snprintf(a, sizeof a, "%s/%s", dir_a, name);
    snprintf(b, sizeof b, "%s/%s", dir_b, name);
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int same = fa && fb;
    while (same) {
        int ca = fgetc(fa), cb = fgetc(fb);
        same = ca == cb;
        if (ca == EOF || cb == EOF)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

/* After a build failed for want of memory: the same handle, with memory to spare, builds, runs
 * and finishes, and writes what the reference run wrote. */
static void rebuild(leinao_sim *sim, failing *f, const char *out, const char *reference)
{
    f->countdown = -1;
    leinao_status st = leinao_build(sim);
    if (st)
        fail_msg("rebuild after a failed build: %s: %s", leinao_status_name(st), leinao_errmsg(sim));
    assert_int_equal(leinao_run(sim, NULL, NULL), LEINAO_OK);
    assert_int_equal(leinao_finish(sim), LEINAO_OK);
    for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++)
        if (!same_file(out, reference, outputs[i]))
            fail_msg("%s differs after a rebuild", outputs[i]);
}

/* Loads, builds, runs and finishes under the allocator; returns the first failing status. With
 * a reference folder, a failed build is followed by a rebuild on the same handle; *rebuilt
 * counts them. */
static leinao_status attempt(failing *f, const char *path, const char *out, const char *reference,
                             long *rebuilt)
{
    leinao_sim *sim = NULL;
    leinao_status st = leinao_open_with_allocator(&sim, failing_alloc, f);
    if (st)
        return st;
    if (!(st = leinao_load_model(sim, path, NULL, 0)) && !(st = leinao_set_output_dir(sim, out, 1))) {
        st = leinao_build(sim);
        if (st == LEINAO_NOMEM && reference) {
            assert_non_null(strstr(leinao_errmsg(sim), "out of memory"));
            rebuild(sim, f, out, reference);
            (*rebuilt)++;
        } else if (!st && !(st = leinao_run(sim, NULL, NULL))) {
            st = leinao_finish(sim);
        }
    }
    if (st == LEINAO_NOMEM)
        assert_non_null(strstr(leinao_errmsg(sim), "out of memory"));
    else if (st)
        printf("# %s: %s\n", leinao_status_name(st), leinao_errmsg(sim));
    leinao_close(sim);
    return st;
}

static void every_allocation_can_fail(void **state)
{
    (void)state;
    char dir[] = "/tmp/leinao_oom_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128], out[128], reference[128];
    snprintf(path, sizeof path, "%s/model.yaml", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(reference, sizeof reference, "%s/reference", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(model, fp);
    fclose(fp);

    failing f = {-1, 0, 0};
    long rebuilt = 0;
    assert_int_equal(attempt(&f, path, reference, NULL, NULL), LEINAO_OK);
    assert_int_equal(f.live, 0);
    long total = f.allocations;
    printf("# %ld allocations in a successful load, build, run and finish\n", total);
    assert_true(total > 100);
    long failures = 0;
    for (long n = 0; n < total; n++) {
        failing g = {n, 0, 0};
        leinao_status st = attempt(&g, path, out, reference, &rebuilt);
        if (st == LEINAO_OK) /* the build failed, and the rebuild gave the same bytes */
            st = LEINAO_NOMEM;
        if (st != LEINAO_NOMEM)
            printf("# allocation %ld failing gave %s\n", n, leinao_status_name(st));
        assert_int_equal(st, LEINAO_NOMEM);
        if (g.live != 0)
            printf("# allocation %ld failing leaked %ld blocks\n", n, g.live);
        assert_int_equal(g.live, 0);
        failures++;
    }
    printf("# each of the %ld allocations failed in turn: out of memory, nothing leaked\n", failures);
    printf("# %ld of them failed a build; each handle was built again and wrote the same bytes\n",
           rebuilt);
    assert_true(rebuilt > 50);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_allocation_can_fail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
