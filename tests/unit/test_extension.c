/* test_extension.c — a new synapse model and a new device need no edit of src/engine: both are
 * defined here, outside the library, registered at run time (lsynapse_register, lmodel_register)
 * and run by the engine through their hooks, in networks declared with the public API alone.
 * doubling_synapse (static, deliver adds 2 w) moves V_m and spikes bit for bit as static_synapse
 * with weight 2 w; pulse_generator sends one spike per element at `at`, which a parrot_neuron
 * repeats one delay later; a taken name or an unusable descriptor is refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* ---- doubling_synapse: static_synapse's storage, twice the weight ----------------------- */

static void doubling_deliver(const lsynapse_call *c, uint64_t begin, uint64_t end,
                             uint64_t emitted, const double *pre)
{
    (void)pre;
    const lprojection *p = c->proj;
    const lring *ring = c->ring;
    for (uint64_t j = begin; j < end; j++) {
        double w = 2.0 * (double)lproj_weight(p, j);
        uint32_t slot = lring_slot(ring, emitted, lproj_delay(p, j));
        lring_port(ring, w)[(size_t)slot * ring->n + lproj_target(p, j)] += w;
    }
}

/* Registered descriptors must outlive every use: static. */
static const lsynapse_model doubling_synapse = {
    .name = "doubling_synapse",
    .summary = "Fixed weight and delay; transmits twice the weight.",
    .doc = "Defined in tests/unit/test_extension.c.",
    .deliver = doubling_deliver,
};

/* ---- pulse_generator: one spike per element, emitted in the step that ends at `at` ------ */

static const lparam_def pulse_params[] = {
    {"at", "ms", 1.0, LP_POSITIVE, 0, "Time of the one spike (a multiple of dt)."},
};

static void pulse_deliver(const ldevice_call *c)
{
    const int64_t s = (int64_t)llround(c->params[0] / c->dt) - 1;
    if (s < c->step || s >= c->step + c->n)
        return;
    const lring *ring = c->ring;
    for (uint64_t j = c->begin; j < c->end; j++) {
        const double w = lsyn_weight(c->syn, j);
        uint32_t slot = lring_slot(ring, (uint64_t)s, lsyn_delay(c->syn, j));
        lring_port(ring, w)[(size_t)slot * ring->n + lsyn_target(c->syn, j)] += w;
    }
}

static const lmodel pulse_generator = {
    .name = "pulse_generator",
    .kind = LM_DEVICE,
    .summary = "One spike per element at a given time.",
    .doc = "Defined in tests/unit/test_extension.c.",
    .params = pulse_params,
    .n_params = 1,
    .port_buffer = {-1, -1, -1},
    .output_port = LPORT_EX,
    .deliver = pulse_deliver,
};

static int register_models(void **state)
{
    (void)state;
    lctx ctx;
    lctx_init(&ctx, NULL, NULL);
    assert_int_equal(lsynapse_register(&ctx, &doubling_synapse), LEINAO_OK);
    assert_int_equal(lmodel_register(&ctx, &pulse_generator), LEINAO_OK);
    return 0;
}

/* ---- a network driven through a projection of a given synapse model --------------------- */

#define N_RELAY 40
#define N_TARGET 20
#define DURATION 200.0

typedef struct result {
    double *times, *vm;
    uint32_t *ids;
    size_t n_spikes, n_frames, n_columns;
} result;

static void *copy_of(const void *from, size_t bytes)
{
    void *to = malloc(bytes ? bytes : 1);
    assert_non_null(to);
    memcpy(to, from, bytes);
    return to;
}

/* Poisson trains relayed by parrot neurons into iaf_psc_delta neurons (fixed_indegree 10)
 * through synapse model `model` with weight w and delay d; the targets' spikes and V_m at every
 * step, in memory, on two threads. */
static void run_network(const char *model, leinao_dist w, leinao_dist d, result *r)
{
    leinao_sim *sim;
    int noise, relay, target, proj;
    assert_int_equal(leinao_open(&sim), LEINAO_OK);
    assert_int_equal(leinao_configure(sim, 0.1, DURATION, 7, 2), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "noise", "poisson_generator", 1, &noise),
                     LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, noise, "rate", 500.0), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "relay", "parrot_neuron", N_RELAY, &relay),
                     LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "target", "iaf_psc_delta", N_TARGET, &target),
                     LEINAO_OK);
    leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
    leinao_rule indegree = leinao_rule_default(LEINAO_FIXED_INDEGREE);
    indegree.n = 10;
    leinao_dist one = harness_const(1.0);
    assert_int_equal(leinao_connect(sim, noise, relay, &all, &one, &one, NULL), LEINAO_OK);
    assert_int_equal(leinao_connect(sim, relay, target, &indegree, &w, &d, &proj), LEINAO_OK);
    assert_int_equal(leinao_set_synapse(sim, proj, model), LEINAO_OK);
    const char *vars[] = {"V_m"};
    assert_int_equal(leinao_record_spikes(sim, target, NULL, "memory"), LEINAO_OK);
    assert_int_equal(
        leinao_record_state(sim, target, vars, 1, NULL, 0, 0.1, NULL, "memory"), LEINAO_OK);
    assert_int_equal(leinao_build(sim), LEINAO_OK);
    assert_int_equal(leinao_run(sim, NULL, NULL), LEINAO_OK);

    leinao_projection_stats ps;
    assert_int_equal(leinao_get_projection_stats(sim, proj, &ps), LEINAO_OK);
    assert_string_equal(ps.synapse_model, model);
    if (w.kind != LEINAO_DIST_CONSTANT)
        assert_true(ps.weight_min < ps.weight_max); /* drawn, stored per synapse */
    const double *times, *values;
    const uint32_t *ids;
    assert_int_equal(leinao_get_spikes(sim, target, &times, &ids, &r->n_spikes), LEINAO_OK);
    r->times = copy_of(times, r->n_spikes * sizeof *times);
    r->ids = copy_of(ids, r->n_spikes * sizeof *ids);
    assert_int_equal(leinao_get_state(sim, 0, &times, &values, &r->n_frames, &r->n_columns),
                     LEINAO_OK);
    r->vm = copy_of(values, r->n_frames * r->n_columns * sizeof *values);
    assert_int_equal(leinao_finish(sim), LEINAO_OK);
    leinao_close(sim);
}

static int same_result(const result *a, const result *b)
{
    return a->n_spikes == b->n_spikes && a->n_frames == b->n_frames &&
           a->n_columns == b->n_columns &&
           !memcmp(a->times, b->times, a->n_spikes * sizeof *a->times) &&
           !memcmp(a->ids, b->ids, a->n_spikes * sizeof *a->ids) &&
           !memcmp(a->vm, b->vm, a->n_frames * a->n_columns * sizeof *a->vm);
}

static void free_result(result *r)
{
    free(r->times);
    free(r->ids);
    free(r->vm);
}

/* doubling_synapse with w against static_synapse with 2 w (and, to show the comparison can
 * fail, with w). */
static void compare_doubling(leinao_dist w, leinao_dist d)
{
    leinao_dist w2 = w;
    w2.a *= 2.0;
    w2.b *= 2.0;
    result doubled, twice, once;
    run_network("doubling_synapse", w, d, &doubled);
    run_network("static_synapse", w2, d, &twice);
    run_network("static_synapse", w, d, &once);
    assert_int_equal(doubled.n_frames, (size_t)(DURATION / 0.1 + 0.5));
    assert_int_equal(doubled.n_columns, N_TARGET);
    assert_true(doubled.n_spikes > 50); /* the targets fire */
    printf("# %zu spikes, %zu frames of V_m: doubling_synapse(w) = static_synapse(2 w) bit for "
           "bit; static_synapse(w): %zu spikes\n",
           doubled.n_spikes, doubled.n_frames, once.n_spikes);
    assert_true(same_result(&doubled, &twice));
    assert_false(same_result(&doubled, &once));
    free_result(&doubled);
    free_result(&twice);
    free_result(&once);
}

/* One weight and one delay: the compact storage (16-bit targets, no weights). */
static void doubling_synapse_compact(void **state)
{
    (void)state;
    compare_doubling(harness_const(0.3), harness_const(1.5));
}

/* Drawn weights and delays: per-synapse weights and entries. */
static void doubling_synapse_drawn(void **state)
{
    (void)state;
    leinao_dist w = {LEINAO_DIST_UNIFORM, 0.1, 0.5, -INFINITY, INFINITY};
    leinao_dist d = {LEINAO_DIST_UNIFORM, 1.0, 3.0, -INFINITY, INFINITY};
    compare_doubling(w, d);
}

/* ---- pulse_generator into parrot neurons ---------------------------------------------- */

static void pulse_generator_spikes_once(void **state)
{
    (void)state;
    leinao_sim *sim;
    int pulse, parrot;
    assert_int_equal(leinao_open(&sim), LEINAO_OK);
    assert_int_equal(leinao_configure(sim, 0.1, 40.0, 1, 2), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "pulse", "pulse_generator", 3, &pulse), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, pulse, "at", 5.0), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "parrot", "parrot_neuron", 3, &parrot), LEINAO_OK);
    leinao_rule one_to_one = leinao_rule_default(LEINAO_ONE_TO_ONE);
    leinao_dist w = harness_const(1.0), d = harness_const(1.0);
    assert_int_equal(leinao_connect(sim, pulse, parrot, &one_to_one, &w, &d, NULL), LEINAO_OK);
    assert_int_equal(leinao_record_spikes(sim, parrot, NULL, "memory"), LEINAO_OK);
    assert_int_equal(leinao_build(sim), LEINAO_OK);

    /* emitted in the step ending at 5 ms, received and repeated 1 ms later */
    const double *times;
    const uint32_t *ids;
    size_t n;
    assert_int_equal(leinao_simulate(sim, 20.0, NULL, NULL), LEINAO_OK);
    assert_int_equal(leinao_get_spikes(sim, parrot, &times, &ids, &n), LEINAO_OK);
    assert_int_equal(n, 3);
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(ids[i], i);
        assert_true(fabs(times[i] - 6.0) < 1e-9);
    }

    /* a parameter set between runs reaches the deliver hook at the next slice */
    assert_int_equal(leinao_set_param(sim, pulse, "at", 25.0), LEINAO_OK);
    assert_int_equal(leinao_simulate(sim, 20.0, NULL, NULL), LEINAO_OK);
    assert_int_equal(leinao_get_spikes(sim, parrot, &times, &ids, &n), LEINAO_OK);
    assert_int_equal(n, 6);
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(ids[3 + i], i);
        assert_true(fabs(times[3 + i] - 26.0) < 1e-9);
    }
    printf("# pulse_generator: one spike per parrot at 6 ms, then (at = 25) at 26 ms\n");
    assert_int_equal(leinao_finish(sim), LEINAO_OK);
    leinao_close(sim);
}

/* ---- the registry ---------------------------------------------------------------------- */

static void registered_models_are_listed(void **state)
{
    (void)state;
    assert_string_equal(leinao_model_kind("doubling_synapse"), "synapse");
    assert_string_equal(leinao_model_kind("pulse_generator"), "device");
    assert_int_equal(leinao_model_param_count("pulse_generator"), 1);
    assert_ptr_equal(lsynapse_find("doubling_synapse"), &doubling_synapse);
    assert_ptr_equal(lsynapse_at(lsynapse_count() - 1), &doubling_synapse);
    assert_null(lsynapse_at(lsynapse_count()));
    assert_ptr_equal(lmodel_find("pulse_generator"), &pulse_generator);
}

static void taken_names_and_unusable_descriptors_are_refused(void **state)
{
    (void)state;
    const int n_syn = lsynapse_count(), n_models = lmodel_count();
    lctx ctx;
    lctx_init(&ctx, NULL, NULL);

    static lsynapse_model syn_again, syn_builtin, syn_device_name, no_deliver, too_many;
    syn_again = doubling_synapse;
    assert_int_equal(lsynapse_register(&ctx, &syn_again), LEINAO_INVALID);
    assert_non_null(strstr(ctx.errmsg, "'doubling_synapse'"));
    syn_builtin = doubling_synapse;
    syn_builtin.name = "static_synapse";
    assert_int_equal(lsynapse_register(&ctx, &syn_builtin), LEINAO_INVALID);
    syn_device_name = doubling_synapse;
    syn_device_name.name = "pulse_generator"; /* a model of another kind has it */
    assert_int_equal(lsynapse_register(&ctx, &syn_device_name), LEINAO_INVALID);
    no_deliver = doubling_synapse;
    no_deliver.name = "silent_synapse";
    no_deliver.deliver = NULL;
    assert_int_equal(lsynapse_register(&ctx, &no_deliver), LEINAO_INVALID);
    assert_non_null(strstr(ctx.errmsg, "deliver"));
    static const lparam_def many[LSYN_MAX_PARAMS + 1];
    too_many = doubling_synapse;
    too_many.name = "wide_synapse";
    too_many.params = many;
    too_many.n_params = LSYN_MAX_PARAMS + 1;
    assert_int_equal(lsynapse_register(&ctx, &too_many), LEINAO_INVALID);
    assert_int_equal(lsynapse_count(), n_syn);

    static lmodel dev_again, dev_no_deliver;
    dev_again = pulse_generator;
    assert_int_equal(lmodel_register(&ctx, &dev_again), LEINAO_INVALID);
    assert_non_null(strstr(ctx.errmsg, "'pulse_generator'"));
    dev_no_deliver = pulse_generator;
    dev_no_deliver.name = "mute_generator";
    dev_no_deliver.deliver = NULL;
    assert_int_equal(lmodel_register(&ctx, &dev_no_deliver), LEINAO_INVALID);
    assert_int_equal(lmodel_count(), n_models);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(doubling_synapse_compact),
        cmocka_unit_test(doubling_synapse_drawn),
        cmocka_unit_test(pulse_generator_spikes_once),
        cmocka_unit_test(registered_models_are_listed),
        cmocka_unit_test(taken_names_and_unusable_descriptors_are_refused),
    };
    return cmocka_run_group_tests(tests, register_models, NULL);
}
