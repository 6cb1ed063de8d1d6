/* iaf_cond_exp.c — leaky integrate-and-fire neuron with exponentially decaying synaptic
 * conductances (NEST's iaf_cond_exp), integrated with adaptive Dormand-Prince 5(4); whole steps
 * within the tolerance are taken for many neurons at once (a Taylor or a Dormand-Prince step). */
#include <math.h>

#include "chunk.h"
#include "odeint.h"

enum { P_V_th, P_V_reset, P_t_ref, P_g_L, P_C_m, P_E_ex, P_E_in, P_E_L, P_tau_syn_ex,
       P_tau_syn_in, P_I_e, N_PARAMS };
enum { S_V_m, S_g_ex, S_g_in, S_I_stim, S_h, S_refractory, N_STATES };
/* consts: the refractory steps, 1/C_m, and the Dormand-Prince stage values of the two
 * conductances over one whole step (see fast_step) */
enum {
    C_REFRACTORY,
    C_INV_C,
    C_GEX,               /* G[9] of the excitatory conductance (conductance_stages) */
    C_GIN = C_GEX + 9,   /* G[9] of the inhibitory conductance */
    C_BE = C_GIN + 9,    /* per stage s: G_ex[s] / C_m, G_in[s] / C_m, G_ex[s] E_ex / C_m, ... */
    C_BI = C_BE + 7,
    C_AE = C_BI + 7,
    C_AI = C_AE + 7,
    C_GE_MAX = C_AI + 7, /* the largest |g_ex| whose error stays within FAST_ERR of the tolerance */
    C_GI_MAX,
    C_TAYLOR,            /* 1 where the whole-step path is the Taylor step (taylor_step) */
    C_PE,                /* (-dt/tau_syn_ex)^n / n!, n = 1 .. 4 */
    C_PI = C_PE + 4,     /* (-dt/tau_syn_in)^n / n! */
    C_DECAY_EX = C_PI + 4, /* exp(-dt/tau_syn_ex) */
    C_DECAY_IN,
    N_CONSTS
};
/* dt / tau_syn up to which the whole-step path is the Taylor step */
#define TAYLOR_MAX 0.1
#define FAST_ERR 0.59
#define TOL 1e-6

static const lparam_def params[N_PARAMS] = {
    [P_V_th] = {"V_th", "mV", -55.0, LP_ANY, 0, "Spike threshold."},
    [P_V_reset] = {"V_reset", "mV", -60.0, LP_ANY, 0,
                   "Reset potential; V_m is held here during the refractory period."},
    [P_t_ref] = {"t_ref", "ms", 2.0, LP_NONNEGATIVE, 0,
                 "Duration of the absolute refractory period (rounded to the nearest step)."},
    [P_g_L] = {"g_L", "nS", 16.6667, LP_POSITIVE, 0, "Leak conductance."},
    [P_C_m] = {"C_m", "pF", 250.0, LP_POSITIVE, 0, "Membrane capacitance."},
    [P_E_ex] = {"E_ex", "mV", 0.0, LP_ANY, 0, "Excitatory reversal potential."},
    [P_E_in] = {"E_in", "mV", -85.0, LP_ANY, 0, "Inhibitory reversal potential."},
    [P_E_L] = {"E_L", "mV", -70.0, LP_ANY, 0, "Leak reversal potential."},
    [P_tau_syn_ex] = {"tau_syn_ex", "ms", 0.2, LP_POSITIVE, 0,
                      "Decay time of the excitatory conductance."},
    [P_tau_syn_in] = {"tau_syn_in", "ms", 2.0, LP_POSITIVE, 0,
                      "Decay time of the inhibitory conductance."},
    [P_I_e] = {"I_e", "pA", 0.0, LP_ANY, 0, "Constant input current."},
};

static const lparam_def states[N_STATES] = {
    [S_V_m] = {"V_m", "mV", -70.0, LP_ANY, 0, "Membrane potential."},
    [S_g_ex] = {"g_ex", "nS", 0.0, LP_ANY, 0, "Excitatory conductance."},
    [S_g_in] = {"g_in", "nS", 0.0, LP_ANY, 0, "Inhibitory conductance."},
    [S_I_stim] = {"I_stim", "pA", 0.0, LP_ANY, LP_HIDDEN, "Current from current generators."},
    [S_h] = {"h_int", "ms", 0.0, LP_ANY, LP_HIDDEN, "Integrator's substep, kept between steps."},
    [S_refractory] = {"refractory_steps", "steps", 0.0, LP_NONNEGATIVE, LP_HIDDEN,
                      "Steps of the refractory period left (a whole number, kept as a double)."},
};

static leinao_status check(lctx *ctx, const double *p)
{
    return lmodel_check_reset(ctx, p[P_V_reset], p[P_V_th]);
}

/* dg/dt = -g/tau is linear, so every Dormand-Prince stage value of g over a step of h is g(0)
 * times a number that depends on h/tau alone: g_s = g(0) G[s] for the seven stages, G[7] the
 * error estimate's factor, G[8] = G[6] the new value. Computed by running the pair on g(0) = 1. */
static void conductance_stages(double tau, double h, double *G)
{
    double k[7], g;
    const double lambda = -1.0 / tau;
    G[0] = 1.0;
    k[0] = lambda;
    g = 1.0 + h * A21 * k[0];
    G[1] = g, k[1] = lambda * g;
    g = 1.0 + h * (A31 * k[0] + A32 * k[1]);
    G[2] = g, k[2] = lambda * g;
    g = 1.0 + h * (A41 * k[0] + A42 * k[1] + A43 * k[2]);
    G[3] = g, k[3] = lambda * g;
    g = 1.0 + h * (A51 * k[0] + A52 * k[1] + A53 * k[2] + A54 * k[3]);
    G[4] = g, k[4] = lambda * g;
    g = 1.0 + h * (A61 * k[0] + A62 * k[1] + A63 * k[2] + A64 * k[3] + A65 * k[4]);
    G[5] = g, k[5] = lambda * g;
    g = 1.0 + h * (B1 * k[0] + B3 * k[2] + B4 * k[3] + B5 * k[4] + B6 * k[5]);
    G[6] = g, k[6] = lambda * g;
    G[7] = h * (E1 * k[0] + E3 * k[2] + E4 * k[3] + E5 * k[4] + E6 * k[5] + E7 * k[6]);
    G[8] = G[6];
}

/* A conductance's error over the step is |g G[7]| and its scale TOL (1 + max(|g|, |g G[8]|)):
 * with a = |G[7]|, b = FAST_ERR TOL max(1, |G[8]|), d = FAST_ERR TOL the error is within
 * FAST_ERR of the tolerance when |g| (a - b) <= d, i.e. for every g when a <= b, else for
 * |g| <= d / (a - b). */
static double conductance_bound(const double *G)
{
    const double a = fabs(G[7]), b = FAST_ERR * TOL * fmax(1.0, fabs(G[8])), d = FAST_ERR * TOL;
    return a <= b ? INFINITY : d / (a - b);
}

static void prepare(const double *p, double dt, double *c)
{
    c[C_REFRACTORY] = lmodel_steps(p[P_t_ref], dt);
    c[C_INV_C] = 1.0 / p[P_C_m];
    conductance_stages(p[P_tau_syn_ex], dt, c + C_GEX);
    conductance_stages(p[P_tau_syn_in], dt, c + C_GIN);
    for (int s = 0; s < 7; s++) {
        c[C_BE + s] = c[C_GEX + s] * c[C_INV_C];
        c[C_BI + s] = c[C_GIN + s] * c[C_INV_C];
        c[C_AE + s] = c[C_GEX + s] * p[P_E_ex] * c[C_INV_C];
        c[C_AI + s] = c[C_GIN + s] * p[P_E_in] * c[C_INV_C];
    }
    c[C_GE_MAX] = conductance_bound(c + C_GEX);
    c[C_GI_MAX] = conductance_bound(c + C_GIN);
    const double xe = -dt / p[P_tau_syn_ex], xi = -dt / p[P_tau_syn_in];
    c[C_TAYLOR] = -xe <= TAYLOR_MAX && -xi <= TAYLOR_MAX;
    double pe = 1.0, pi = 1.0;
    for (int n = 1; n <= 4; n++) {
        pe *= xe / n;
        pi *= xi / n;
        c[C_PE + n - 1] = pe;
        c[C_PI + n - 1] = pi;
    }
    c[C_DECAY_EX] = exp(xe);
    c[C_DECAY_IN] = exp(xi);
}

typedef struct inputs {
    const double *p;
    double inv_C;
    double I; /* I_e + I_stim */
    int refractory;
} inputs;

static void rhs(const double *y, double *f, void *user)
{
    const inputs *in = user;
    const double *p = in->p, V = y[0];
    f[0] = in->refractory ? 0.0
                          : (-p[P_g_L] * (V - p[P_E_L]) - y[1] * (V - p[P_E_ex]) -
                             y[2] * (V - p[P_E_in]) + in->I) *
                                in->inv_C;
    f[1] = -y[1] / p[P_tau_syn_ex];
    f[2] = -y[2] / p[P_tau_syn_in];
}

/* Neurons are advanced in chunks of W: for each step, one Dormand-Prince 5(4) step of the whole
 * step length is taken for the chunk's neurons at once, in plain loops over the chunk that the
 * compiler vectorises. The conductances' stage values are g(0) times the factors from prepare, so
 * only V_m is evaluated at the seven stages. A neuron keeps that result when its integrator was
 * already at the full step and the step's error is at most FAST_ERR of the tolerance: then the
 * adaptive integrator would accept the same step and keep its substep at dt (its growth factor
 * 0.9 err^(-1/5) is >= 1 for err <= 0.9^5 = 0.59049). Every other neuron (a rejected or
 * shortened step, a smaller substep carried from an earlier step, NaN) is integrated by
 * lode_advance, the general adaptive path, from the same state. */
enum { W = 128 };
_Static_assert(W <= LCHUNK_MAX, "chunk wider than the driver's");

/* With the conductances' stage values known, dV/dt at stage s is A_s - B_s V, where
 * B_s = (g_L + g_ex G_ex[s] + g_in G_in[s]) / C_m and A_s = (g_L E_L + I + g_ex G_ex[s] E_ex +
 * g_in G_in[s] E_in) / C_m. A neuron whose step passes (see above) gets its new state in Vn, gen,
 * gin (its old state where it did not: fail[j] = 1). The outputs are other arrays than the
 * inputs: a select between a new value and the one in place would become a masked store,
 * which is slow on AMD processors. Everything is a double, the conditions are selects: the loop vectorises.
 * A refractory neuron's V_m is clamped (dV/dt = 0): its step passes the error test whatever
 * the stage values, and its V_m comes from finish_step; so the stages need no select. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void fast_step(const double *p, const double *c, double h, int m,
                             const double *restrict V, const double *restrict ge,
                             const double *restrict gi, const double *restrict I,
                             const double *restrict r, const double *restrict hs,
                             double *restrict Vn, double *restrict gen, double *restrict gin,
                             double *restrict fail)
{
    const double inv_C = c[C_INV_C], b0 = p[P_g_L] * inv_C, gLEL = p[P_g_L] * p[P_E_L];
    const double *be = c + C_BE, *bi = c + C_BI, *ae = c + C_AE, *ai = c + C_AI;
    const double *Ge = c + C_GEX, *Gi = c + C_GIN;
    const double gex_step = Ge[8], gin_step = Gi[8], ge_max = c[C_GE_MAX], gi_max = c[C_GI_MAX];
    const double h21 = h * A21, h31 = h * A31, h32 = h * A32, h41 = h * A41, h42 = h * A42,
                 h43 = h * A43, h51 = h * A51, h52 = h * A52, h53 = h * A53, h54 = h * A54,
                 h61 = h * A61, h62 = h * A62, h63 = h * A63, h64 = h * A64, h65 = h * A65,
                 hb1 = h * B1, hb3 = h * B3, hb4 = h * B4, hb5 = h * B5, hb6 = h * B6,
                 he1 = h * E1, he3 = h * E3, he4 = h * E4, he5 = h * E5, he6 = h * E6,
                 he7 = h * E7;
#define LF(v, s) ((a0 + g0 * ae[s] + q0 * ai[s]) - (b0 + g0 * be[s] + q0 * bi[s]) * (v))
    for (int j = 0; j < m; j++) {
        const double v0 = V[j], g0 = ge[j], q0 = gi[j], a0 = (gLEL + I[j]) * inv_C;
        const double refr = r[j];
        double v, k1, k2, k3, k4, k5, k6, k7;
        k1 = LF(v0, 0);
        v = v0 + h21 * k1;
        k2 = LF(v, 1);
        v = v0 + (h31 * k1 + h32 * k2);
        k3 = LF(v, 2);
        v = v0 + (h41 * k1 + h42 * k2 + h43 * k3);
        k4 = LF(v, 3);
        v = v0 + (h51 * k1 + h52 * k2 + h53 * k3 + h54 * k4);
        k5 = LF(v, 4);
        v = v0 + (h61 * k1 + h62 * k2 + h63 * k3 + h64 * k4 + h65 * k5);
        k6 = LF(v, 5);
        const double v5 = v0 + (hb1 * k1 + hb3 * k3 + hb4 * k4 + hb5 * k5 + hb6 * k6);
        k7 = LF(v5, 6);
        const double e = he1 * k1 + he3 * k3 + he4 * k4 + he5 * k5 + he6 * k6 + he7 * k7;
        const double a_0 = fabs(v0), a_5 = fabs(v5);
        /* chained selects on doubles (so that the loop vectorises); NaN compares false, so a
         * NaN anywhere fails the step */
        double ok = fabs(e) <= FAST_ERR * (TOL + TOL * (a_0 > a_5 ? a_0 : a_5)) ? 1.0 : 0.0;
        ok = refr > 0.0 ? 1.0 : ok; /* V_m is clamped: no error, and finish_step resets it */
        ok = hs[j] >= h ? ok : 0.0;
        ok = fabs(g0) <= ge_max ? ok : 0.0;
        ok = fabs(q0) <= gi_max ? ok : 0.0;
        Vn[j] = ok != 0.0 ? v5 : v0;
        gen[j] = ok != 0.0 ? g0 * gex_step : g0;
        gin[j] = ok != 0.0 ? q0 * gin_step : q0;
        fail[j] = 1.0 - ok;
    }
#undef LF
}

/* The whole-step path where dt / tau_syn <= TAYLOR_MAX for both conductances: over a step
 * the conductances decay exactly, g(t) = g(0) exp(-t / tau), so dV/dt = A(t) - B(t) V with
 * A(t) = (g_L E_L + I + g_ex(t) E_ex + g_in(t) E_in) / C_m and B(t) = (g_L + g_ex(t) + g_in(t)) /
 * C_m. With V(t) = sum d_n (t/h)^n and the Taylor coefficients of A and B scaled the same way
 * (a_n, b_n: for n >= 1, g(0) E / C_m or g(0) / C_m times (-h/tau)^n / n!), the equation gives
 * d_(n+1) = h / (n + 1) (a_n - sum_k b_k d_(n-k)); the terms a_n - b_n d_0 are computed
 * together as w_n. The step keeps terms up to d_5 (fifth
 * order, like the Dormand-Prince solution) and its error estimate is |d_5|, the difference
 * to the fourth-order value (as Dormand-Prince's estimate is the difference of its fifth- and
 * fourth-order solutions). It is kept under the same conditions as fast_step's: an estimate
 * within FAST_ERR of the tolerance, and a substep already at the whole step. About half the
 * arithmetic of the seven Dormand-Prince stages. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void taylor_step(const double *p, const double *c, double h, int m,
                               const double *restrict V, const double *restrict ge,
                               const double *restrict gi, const double *restrict I,
                               const double *restrict r, const double *restrict hs,
                               double *restrict Vn, double *restrict gen, double *restrict gin,
                               double *restrict fail)
{
    const double inv_C = c[C_INV_C], b0 = p[P_g_L] * inv_C, gLEL = p[P_g_L] * p[P_E_L];
    const double E_ex = p[P_E_ex], E_in = p[P_E_in];
    const double pe1 = c[C_PE], pe2 = c[C_PE + 1], pe3 = c[C_PE + 2], pe4 = c[C_PE + 3];
    const double pi1 = c[C_PI], pi2 = c[C_PI + 1], pi3 = c[C_PI + 2], pi4 = c[C_PI + 3];
    const double decay_ex = c[C_DECAY_EX], decay_in = c[C_DECAY_IN];
    const double h2 = h / 2.0, h3 = h / 3.0, h4 = h / 4.0, h5 = h / 5.0;
    for (int j = 0; j < m; j++) {
        const double v0 = V[j], g0 = ge[j], q0 = gi[j], refr = r[j];
        const double be = g0 * inv_C, bi = q0 * inv_C;
        /* w_n = a_n - b_n V(0): the conductances' driving force at the start of the step,
         * (E - V(0)) g(0) / C_m times (-h/tau)^n / n! */
        const double ue = be * (E_ex - v0), ui = bi * (E_in - v0);
        const double w0 = ((gLEL + I[j]) * inv_C - b0 * v0) + (ue + ui);
        const double w1 = ue * pe1 + ui * pi1, w2 = ue * pe2 + ui * pi2;
        const double w3 = ue * pe3 + ui * pi3, w4 = ue * pe4 + ui * pi4;
        const double B0 = b0 + be + bi, B1 = be * pe1 + bi * pi1, B2 = be * pe2 + bi * pi2,
                     B3 = be * pe3 + bi * pi3;
        /* the part of each sum that does not wait for the previous coefficient first: the
         * chain from one coefficient to the next is then one multiply, subtract, multiply */
        const double d1 = h * w0;
        const double d2 = h2 * (w1 - B0 * d1);
        const double s3 = w2 - B1 * d1;
        const double d3 = h3 * (s3 - B0 * d2);
        const double s4 = w3 - (B1 * d2 + B2 * d1);
        const double d4 = h4 * (s4 - B0 * d3);
        const double s5 = w4 - ((B1 * d3 + B2 * d2) + B3 * d1);
        const double d5 = h5 * (s5 - B0 * d4);
        const double v5 = v0 + ((d1 + d2) + ((d3 + d4) + d5));
        const double a_0 = fabs(v0), a_5 = fabs(v5);
        /* selects on doubles, so that the loop vectorises; NaN fails the step */
        double ok = fabs(d5) <= FAST_ERR * (TOL + TOL * (a_0 > a_5 ? a_0 : a_5)) ? 1.0 : 0.0;
        ok = refr > 0.0 ? 1.0 : ok; /* V_m is clamped: no error, and finish_step resets it */
        ok = hs[j] >= h ? ok : 0.0;
        Vn[j] = ok != 0.0 ? v5 : v0;
        gen[j] = ok != 0.0 ? g0 * decay_ex : g0;
        gin[j] = ok != 0.0 ? q0 * decay_in : q0;
        fail[j] = 1.0 - ok;
    }
}

/* The refractory clamp or the threshold test on the integrated state (Vn, gen, gin), written
 * back to the state with this step's input: spikes add to the conductances (inhibitory weights
 * are negative, g_in is positive), current-generator input acts from the next step. r holds
 * whole numbers >= 0, so r + 0.0 is r (written so, the compiler makes no masked store). */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline uint64_t finish_step(int m, double V_th, double V_reset, double refractory_steps,
                               const double *restrict Vn, const double *restrict gen,
                               const double *restrict gin, double *restrict V,
                               double *restrict ge, double *restrict gi, double *restrict I0,
                               double *restrict r, double *restrict in_ex,
                               double *restrict in_in, double *restrict in_cur,
                               double *restrict spiked, const int current)
{
    uint64_t bad = 0; /* a NaN or infinite state value */
    for (int j = 0; j < m; j++) {
        const double v = Vn[j], rr = r[j];
        const int refr = rr > 0.0, spike = !refr & (v >= V_th);
        V[j] = refr | spike ? V_reset : v;
        r[j] = refr ? rr - 1.0 : spike ? refractory_steps : rr + 0.0;
        spiked[j] = spike ? 1.0 : 0.0;
        ge[j] = gen[j] + in_ex[j];
        gi[j] = gin[j] - in_in[j];
        in_ex[j] = in_in[j] = 0.0;
        if (current) { /* a constant: the loop is compiled with and without this */
            I0[j] = in_cur[j];
            in_cur[j] = 0.0;
        }
        bad |= lnonfinite_bit(V[j]) | lnonfinite_bit(ge[j]) | lnonfinite_bit(gi[j]) |
               lnonfinite_bit(I0[j]);
    }
    return bad;
}

/* The kernel's view of a block for the chunk driver: parameters, the state arrays (advanced in
 * place), the working arrays of a chunk and the general integrator for the neurons whose whole
 * step fails. */
typedef struct kernel {
    const double *p, *c;
    double dt, V_th, V_reset, I_e, refractory_steps;
    int taylor, current; /* c[C_TAYLOR] != 0, b->current_input */
    double *V, *ge, *gi, *hs, *I0, *r;
    size_t per_buffer;
    inputs *in;
    lode_system *sys;
    double *I, *fail, *Vn, *gen, *gin; /* [W] each */
} kernel;

static LCHUNK_INLINE uint64_t step(void *self, uint32_t c0, int m, double *in_ex, double *spiked)
{
    const kernel *kn = self;
    const double *p = kn->p, *c = kn->c, dt = kn->dt;
    double *V = kn->V + c0, *ge = kn->ge + c0, *gi = kn->gi + c0, *hs = kn->hs + c0,
           *I0 = kn->I0 + c0, *r = kn->r + c0;
    double *I = kn->I, *fail = kn->fail, *Vn = kn->Vn, *gen = kn->gen, *gin = kn->gin;
    uint64_t bad = 0; /* a NaN or infinite state value */
    for (int j = 0; j < m; j++)
        I[j] = kn->I_e + I0[j];
    if (kn->taylor)
        taylor_step(p, c, dt, m, V, ge, gi, I, r, hs, Vn, gen, gin, fail);
    else
        fast_step(p, c, dt, m, V, ge, gi, I, r, hs, Vn, gen, gin, fail);
    if (lany(fail, m)) {
        for (int j = 0; j < m; j++) {
            if (fail[j] == 0.0)
                continue;
            double y[3] = {V[j], ge[j], gi[j]};
            kn->in->I = I[j];
            kn->in->refractory = r[j] > 0.0;
            if (lode_advance(kn->sys, y, dt, &hs[j]) != 0)
                y[0] = NAN; /* diverged: the engine stops the run, naming it */
            Vn[j] = y[0], gen[j] = y[1], gin[j] = y[2];
            if (!isfinite(hs[j])) /* the integrator's substep, kept between steps */
                bad = 1;
        }
    }
    double *in_in = in_ex + kn->per_buffer, *in_cur = in_ex + 2 * kn->per_buffer;
    const double V_th = kn->V_th, V_reset = kn->V_reset, refractory_steps = kn->refractory_steps;
    return bad | (kn->current ? finish_step(m, V_th, V_reset, refractory_steps, Vn, gen, gin, V,
                                            ge, gi, I0, r, in_ex, in_in, in_cur, spiked, 1)
                              : finish_step(m, V_th, V_reset, refractory_steps, Vn, gen, gin, V,
                                            ge, gi, I0, r, in_ex, in_in, in_cur, spiked, 0));
}

LEINAO_KERNEL static void update(lneuron_block *b, uint32_t begin, uint32_t end, int64_t step0,
                                 int nsteps)
{
    const double *p = b->params, *c = b->consts;
    double **s = b->state;
    inputs in = {p, c[C_INV_C], 0.0, 0};
    lode_system sys = {3, rhs, NULL, &in, TOL, TOL};
    double I[W], fail[W], Vn[W], gen[W], gin[W];
    kernel kn = {.p = p,
                 .c = c,
                 .dt = b->dt,
                 .V_th = p[P_V_th],
                 .V_reset = p[P_V_reset],
                 .I_e = p[P_I_e],
                 .refractory_steps = c[C_REFRACTORY],
                 .taylor = c[C_TAYLOR] != 0.0,
                 .current = b->current_input,
                 .V = s[S_V_m],
                 .ge = s[S_g_ex],
                 .gi = s[S_g_in],
                 .hs = s[S_h],
                 .I0 = s[S_I_stim],
                 .r = s[S_refractory],
                 .per_buffer = (size_t)b->slots * b->n,
                 .in = &in,
                 .sys = &sys,
                 .I = I,
                 .fail = fail,
                 .Vn = Vn,
                 .gen = gen,
                 .gin = gin};
    lchunk_update(b, begin, end, step0, nsteps, W, &kn, NULL, step, NULL);
}

const lmodel lmodel_iaf_cond_exp = {
    .name = "iaf_cond_exp",
    .kind = LM_NEURON,
    .summary = "Leaky integrate-and-fire neuron with exponentially decaying conductances.",
    .doc =
        "`C_m dV_m/dt = -g_L (V_m - E_L) - g_ex (V_m - E_ex) - g_in (V_m - E_in) + I_e + I_stim`, "
        "`dg_X/dt = -g_X / tau_syn_X`. A spike of weight `w` (nS) adds `w` to `g_ex` (w > 0) or "
        "`|w|` to `g_in` (w < 0) at its arrival. A spike is emitted when `V_m >= V_th` at the end "
        "of a step; `V_m` is set to `V_reset` and held there for `t_ref` (the conductances go on "
        "decaying).\n\n"
        "Integration: within each step the system is integrated with an adaptive Dormand-Prince "
        "5(4) Runge-Kutta pair (absolute and relative tolerance 1e-6), whose substep is kept "
        "from step to step as NEST keeps its GSL integrator's. Neurons whose substep is the "
        "whole step are advanced together (vectorised) by one whole step, kept where its error "
        "estimate is within 0.59 of the tolerance (there the adaptive integrator would keep its "
        "substep); the others take the adaptive path. That whole step is, where dt / tau_syn "
        "<= 0.1 for both conductances, a fifth-order Taylor step of the V_m equation with the "
        "conductances decaying exactly (error estimate: the fifth-order term), else one step of "
        "the Dormand-Prince pair. The test suite compares both with a fine-step reference (see "
        "tests/unit/test_conductance_models.c for the error reached). "
        "NEST's order per step: integrate, then the refractory clamp or the threshold test, "
        "then this step's spikes add to the conductances, and current-generator input is "
        "applied from the next step on. A state that becomes NaN or diverges stops the run "
        "with an error naming the neuron.\n\n"
        "Reference: NEST `iaf_cond_exp`; Vogels & Abbott (2005); Brette et al. (2007).",
    .params = params,
    .n_params = N_PARAMS,
    .states = states,
    .n_states = N_STATES,
    .n_buffers = 3,
    .port_buffer = {0, 1, 2},
    .n_consts = N_CONSTS,
    .check = check,
    .prepare = prepare,
    .update = update,
    .reports_nonfinite = 1,
};
