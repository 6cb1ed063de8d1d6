#!/usr/bin/python3
"""Writes the Potjans & Diesmann (2014) cortical microcircuit as a leinao model file, from the
definition in docs/benchmarks.md section 4 (Cereb. Cortex 24:785; NEST's Potjans_2014).

usage: make_microcircuit.py OUT.yaml [--scale S] [--drive dc|poisson] [--duration MS]
                            [--no-record] [--name NAME]
--scale multiplies every population size (the numbers of synapses follow from the connection
probabilities, so in-degrees shrink with the scale: a scaled network is for smoke tests and
speed, not for the published rates). --name is the model's name (shown in summaries and plots;
default microcircuit, microcircuit_poisson for the Poisson drive, with _scaled added below scale 1).
"""
import argparse
import math

POPS = ["L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"]
N = [20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948]
# connection probability C[target][source]
C = [[0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
     [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
     [0.0077, 0.0059, 0.0497, 0.1350, 0.0067, 0.0003, 0.0453, 0.0],
     [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
     [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
     [0.0548, 0.0269, 0.0257, 0.0022, 0.0600, 0.3158, 0.0086, 0.0],
     [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
     [0.0364, 0.0010, 0.0034, 0.0005, 0.0277, 0.0080, 0.0658, 0.1443]]
K_EXT = [1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100]
V0_MEAN = [-68.28, -63.16, -63.33, -63.45, -63.11, -61.66, -66.72, -61.43]
V0_SD = [5.36, 4.57, 4.74, 4.94, 4.94, 4.55, 5.46, 4.48]
W_EXC = 87.81          # pA: a 0.15 mV PSP
BG_RATE = 8.0          # Hz per external input
TAU_SYN = 0.5          # ms
DT = 0.1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--drive", choices=["dc", "poisson"], default="dc")
    ap.add_argument("--duration", type=float, default=1000.0)
    ap.add_argument("--no-record", action="store_true")
    ap.add_argument("--name")
    a = ap.parse_args()
    if a.name is None:
        a.name = ("microcircuit" + ("_poisson" if a.drive == "poisson" else "") +
                  ("_scaled" if a.scale < 1 else ""))
    n = [max(1, int(round(x * a.scale))) for x in N]
    lines = [
        "# Potjans & Diesmann (2014) cortical microcircuit, written by bench/make_microcircuit.py",
        f"# (scale {a.scale:g}, {a.drive} drive). Definition: docs/benchmarks.md section 4.",
        "# Expected mean rates (NEST, full scale, Poisson drive), Hz: L23E 0.97, L23I 2.87,",
        "# L4E 4.75, L4I 5.40, L5E 8.14, L5I 9.08, L6E 0.99, L6I 7.52 (first 500 ms discarded).",
        f"name: {a.name}",
        f"simulation: {{dt: {DT}, duration: {a.duration:g}, seed: 55}}",
        "analysis: {transient: 500.0}",
        "populations:",
    ]
    for i, pop in enumerate(POPS):
        params = ("C_m: 250.0, tau_m: 10.0, E_L: -65.0, V_reset: -65.0, V_th: -50.0, "
                  f"t_ref: 2.0, tau_syn_ex: {TAU_SYN}, tau_syn_in: {TAU_SYN}")
        if a.drive == "dc":
            # DC equivalent of K_ext inputs at 8 Hz: K_ext * rate * tau_syn * w
            params += f", I_e: {K_EXT[i] * BG_RATE * 1e-3 * TAU_SYN * W_EXC:.4f}"
        lines += [f"  {pop}:",
                  "    model: iaf_psc_exp",
                  f"    size: {n[i]}",
                  f"    params: {{{params}}}",
                  f"    init: {{V_m: {{normal: {{mean: {V0_MEAN[i]}, std: {V0_SD[i]}}}}}}}"]
    if a.drive == "poisson":
        for i, pop in enumerate(POPS):
            lines.append(f"  bg_{pop}: {{model: poisson_generator, params: "
                         f"{{rate: {K_EXT[i] * BG_RATE:.1f}}}}}")
    lines.append("projections:")
    for t, tgt in enumerate(POPS):
        for s, src in enumerate(POPS):
            if C[t][s] == 0.0:
                continue
            pairs = n[s] * n[t]
            k = int(round(math.log(1.0 - C[t][s]) / math.log(1.0 - 1.0 / pairs)))
            if k == 0:
                continue
            exc = src.endswith("E")
            w = W_EXC * (2.0 if (src == "L4E" and tgt == "L23E") else 1.0) * (1 if exc else -4)
            # weights keep their sign; delays are clipped below at dt and rounded to the grid
            wdist = (f"{{normal_clipped: {{mean: {w:.3f}, std: {abs(w) * 0.1:.4f}, "
                     f"{'low: 0.0' if exc else 'high: 0.0'}}}}}")
            d_mean, d_sd = (1.5, 0.75) if exc else (0.75, 0.375)
            ddist = f"{{normal_clipped: {{mean: {d_mean}, std: {d_sd}, low: {DT}}}}}"
            lines.append(f"  - {{source: {src}, target: {tgt}, rule: {{fixed_total_number: {k}}}, "
                         f"synapse: {{weight: {wdist}, delay: {ddist}}}}}")
    if a.drive == "poisson":
        for pop in POPS:
            lines.append(f"  - {{source: bg_{pop}, target: {pop}, rule: all_to_all, "
                         f"synapse: {{weight: {W_EXC}, delay: 1.5}}}}")
    if not a.no_record:
        lines += ["recordings:",
                  f"  - {{type: spikes, populations: [{', '.join(POPS)}], file: spikes.h5}}"]
    with open(a.out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
