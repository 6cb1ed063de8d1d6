/* test_step_current_generator.c — step_current_generator's schedule and delivery against
 * NEST's test_step_current_generator: its expected V_m (given to 6 digits, compared there to 5
 * decimals) of an iaf_psc_alpha (C_m 1 pF, tau_m 1 ms, E_L = V_reset = V_m = 0) driven through
 * NEST's default 1 ms delay. Once through the device's hooks alone (the deliver hook writes into
 * a ring buffer, and V_m follows from iaf_psc_alpha's propagators with NEST's order: a current
 * read in a step acts from the next), once through the API as a model file would (the
 * registered device, its two list parameters, the engine and iaf_psc_alpha). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "models/generator.h"

/* NEST's expected V_m at t = 6.1, 6.2, ..., 24.0 ms (before 6.1: 0) */
static const double expected[] = {
    9.516260e-02, 1.812690e-01, 2.591820e-01, 3.296800e-01, 3.934690e-01, 1.657010e-01,
    -4.039300e-02, -2.268740e-01, -3.956100e-01, -5.482870e-01, -6.864360e-01, -8.114380e-01,
    -9.245450e-01, -1.026890e00, -1.119490e00, -1.203280e00, -1.279100e00, -1.347700e00,
    -1.409780e00, -1.465940e00, -1.516770e00, -1.562750e00, -1.604360e00, -1.642010e00,
    -1.676080e00, -1.135930e00, -6.471810e-01, -2.049430e-01, 1.952100e-01, 5.572840e-01,
    8.849020e-01, 1.181340e00, 1.449570e00, 1.692280e00, 1.911890e00, 2.110600e00,
    2.290400e00, 2.453090e00, 2.600300e00, 2.733500e00, 2.854020e00, 2.963070e00,
    3.061750e00, 3.151040e00, 3.231830e00, 3.304930e00, 3.371070e00, 3.430920e00,
    3.485080e00, 3.534080e00, 2.436470e00, 1.443310e00, 5.446560e-01, -2.684760e-01,
    -1.004230e00, -1.669960e00, -2.272350e00, -2.817400e00, -3.310590e00, -3.756850e00,
    -4.160640e00, -4.526000e00, -4.856600e00, -5.155730e00, -5.426400e00, -5.671310e00,
    -5.892910e00, -6.093430e00, -6.274860e00, -6.439030e00, -6.587580e00, -6.721990e00,
    -6.843610e00, -6.953650e00, -7.053230e00, -7.143320e00, -7.224850e00, -7.298610e00,
    -7.365360e00, -7.425750e00, -7.480400e00, -7.529850e00, -7.574590e00, -7.615070e00,
    -7.651700e00, -7.684850e00, -7.714840e00, -7.741970e00, -7.766530e00, -7.788750e00,
    -7.808850e00, -7.827040e00, -7.843500e00, -7.858390e00, -7.871870e00, -7.884060e00,
    -7.895090e00, -7.905080e00, -7.914110e00, -5.638380e00, -5.101820e00, -4.616320e00,
    -4.177020e00, -3.779520e00, -3.419850e00, -3.094410e00, -2.799940e00, -2.533490e00,
    -2.292400e00, -2.074240e00, -1.876850e00, -1.698250e00, -1.536640e00, -1.390410e00,
    -1.258090e00, -1.138370e00, -1.030040e00, -9.320180e-01, -8.433250e-01, -7.630720e-01,
    -6.904560e-01, -6.247510e-01, -5.652980e-01, -5.115020e-01, -4.628270e-01, -4.187830e-01,
    -3.789300e-01, -3.428700e-01, -3.102420e-01, -2.807190e-01, -2.540050e-01, -2.298330e-01,
    -2.079610e-01, -1.881710e-01, -1.702640e-01, -1.540620e-01, -1.394010e-01, -1.261350e-01,
    -1.141320e-01, -1.032710e-01, -9.344310e-02, -8.455080e-02, -7.650470e-02, -6.922430e-02,
    -6.263680e-02, -5.667610e-02, -5.128260e-02, -4.640250e-02, -4.198670e-02, -3.799110e-02,
    -3.437580e-02, -3.110450e-02, -2.814450e-02, -2.546620e-02, -2.304280e-02, -2.085000e-02,
    -1.886580e-02, -1.707050e-02, -1.544600e-02, -1.397620e-02, -1.264610e-02, -1.144270e-02,
    -1.035380e-02, -9.368490e-03, -8.476960e-03, -7.670270e-03, -6.940350e-03, -6.279890e-03,
    -5.682280e-03, -5.141540e-03, -4.652260e-03, -4.209540e-03, -3.808950e-03, -3.446480e-03,
    -3.118500e-03, -2.821740e-03, -2.553210e-03, -2.310240e-03, -2.090390e-03, -1.891470e-03,
};

static void nest_expected_v_m(void **state)
{
    (void)state;
    const double dt = 0.1;
    const double times[] = {1.5, 5.5, 7.5, 10.0, 14.9, 15.0, 20.0};
    const double values[] = {1.0, -2.0, 4.0, -8.0, 16.0, -32.0, 64.0};
    lctx ctx;
    lctx_init(&ctx, NULL, NULL);
    void *data = NULL;
    assert_int_equal(lstep_current_prepare(&ctx, times, 7, values, 7, dt, &data), LEINAO_OK);
    enum { SLOTS = 16, DELAY = 10 };
    double current[SLOTS] = {0};
    lring ring = {NULL, NULL, current, 1, SLOTS, 0};
    const uint16_t target = 0;
    lsyn_view syn = {NULL, &target, NULL, 1.0f, 0, 0, DELAY, 0};
    const double params[3] = {0.0, 5.0, 15.0}; /* amplitude_times (unused here), start, stop */
    ldevice_call call = {params, data, &ring, &syn, 0, 0, 1, 0, 0, 1, dt, 1};
    const double e = exp(-dt / 1.0), P30 = 1.0 * (1 - e); /* tau_m / C_m (1 - e) */
    const int n_expected = (int)(sizeof expected / sizeof expected[0]);
    double V = 0.0, I0 = 0.0, worst = 0.0;
    for (int k = 0; k < 60 + n_expected; k++) {
        call.step = k;
        lstep_current_deliver(&call);
        V = e * V + P30 * I0;          /* the current read in the previous step */
        I0 = current[k % SLOTS];       /* this step's slot */
        current[k % SLOTS] = 0.0;
        const double want = k < 60 ? 0.0 : expected[k - 60];
        worst = fmax(worst, fabs(V - want));
    }
    printf("# step_current_generator, NEST's test_step_current_generator: largest |V_m - NEST| "
           "%.3g mV (NEST compares to 5 decimals; its values have 6 digits)\n",
           worst);
    assert_true(worst < 1.5e-5);
    lc_free(&ctx, data);
}

static void nest_expected_v_m_through_the_api(void **state)
{
    (void)state;
    int pop, gen;
    leinao_sim *sim = harness_neurons("iaf_psc_alpha", 1, 0.1, 24.0, &pop);
    const char *names[] = {"C_m", "tau_m", "E_L", "V_reset", "V_th"};
    const double set[] = {1.0, 1.0, 0.0, 0.0, 1e3};
    for (int i = 0; i < 5; i++)
        assert_int_equal(leinao_set_param(sim, pop, names[i], set[i]), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "step", "step_current_generator", 1, &gen),
                     LEINAO_OK);
    const double times[] = {1.5, 5.5, 7.5, 10.0, 14.9, 15.0, 20.0};
    const double values[] = {1.0, -2.0, 4.0, -8.0, 16.0, -32.0, 64.0};
    assert_int_equal(leinao_set_param_array(sim, gen, "amplitude_times", times, 7), LEINAO_OK);
    assert_int_equal(leinao_set_param_array(sim, gen, "amplitude_values", values, 7), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "start", 5.0), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "stop", 15.0), LEINAO_OK);
    leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
    leinao_dist w = harness_const(1.0), d = harness_const(1.0);
    assert_int_equal(leinao_connect(sim, gen, pop, &all, &w, &d, NULL), LEINAO_OK);
    harness_every_step(sim, pop);
    harness_trace *tr = harness_run_trace(sim, pop, "V_m");
    const int n_expected = (int)(sizeof expected / sizeof expected[0]);
    assert_int_equal(tr->n, 60 + n_expected);
    double worst = 0.0;
    for (int k = 0; k < tr->n; k++) {
        const double want = k < 60 ? 0.0 : expected[k - 60];
        worst = fmax(worst, fabs(tr->v[k] - want));
    }
    printf("# step_current_generator through the API, NEST's test_step_current_generator: "
           "largest |V_m - NEST| %.3g mV\n",
           worst);
    assert_true(worst < 1.5e-5);
    free(tr);
    leinao_close(sim);
}

/* The list rules through the API: values of any sign and order, but finite; the rules between
 * the lists (lengths, increasing times, on the grid) at the check of the population. */
static void api_rules(void **state)
{
    (void)state;
    int pop, gen;
    leinao_sim *sim = harness_neurons("iaf_psc_alpha", 1, 0.1, 5.0, &pop);
    assert_int_equal(leinao_add_population(sim, "step", "step_current_generator", 1, &gen),
                     LEINAO_OK);
    const double t2[] = {1.0, 2.0}, v2[] = {3.0, -1.0}, bad[] = {1.0, NAN};
    assert_int_equal(leinao_set_param_array(sim, gen, "amplitude_values", bad, 2), LEINAO_INVALID);
    leinao_error_info e;
    leinao_error_detail(sim, &e);
    assert_string_equal(e.argument, "values");
    assert_int_equal(e.index, 1);
    assert_int_equal(leinao_set_param(sim, gen, "amplitude_values", 1.0), LEINAO_INVALID);
    assert_int_equal(leinao_set_param_array(sim, gen, "amplitude_values", v2, 2), LEINAO_OK);
    assert_int_equal(leinao_check_population(sim, gen), LEINAO_INVALID); /* no times */
    leinao_error_detail(sim, &e);
    assert_string_equal(e.argument, "param");
    assert_string_equal(e.parameter, "amplitude_values");
    assert_int_equal(leinao_set_param_array(sim, gen, "amplitude_times", t2, 2), LEINAO_OK);
    assert_int_equal(leinao_check_population(sim, gen), LEINAO_OK);
    leinao_close(sim);
}

static void nest_rules(void **state)
{
    (void)state;
    lctx ctx;
    lctx_init(&ctx, NULL, NULL);
    void *data = NULL;
    const double t2[] = {1.0, 2.0}, t3[] = {1.0, 2.0, 2.0}, v3[] = {1.0, 2.0, 3.0};
    assert_int_equal(lstep_current_prepare(&ctx, t2, 2, v3, 3, 0.1, &data), LEINAO_INVALID);
    assert_int_equal(lstep_current_prepare(&ctx, t3, 3, v3, 3, 0.1, &data), LEINAO_INVALID);
    const double off[] = {1.05};
    assert_int_equal(lstep_current_prepare(&ctx, off, 1, v3, 1, 0.1, &data), LEINAO_INVALID);
    assert_null(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nest_expected_v_m),
        cmocka_unit_test(nest_expected_v_m_through_the_api),
        cmocka_unit_test(api_rules),
        cmocka_unit_test(nest_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
