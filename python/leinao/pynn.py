"""PyNN backend for leinao: ``import leinao.pynn as sim`` runs a PyNN 0.10 script on leinao.

It follows pyNN.nest: PyNN's standard cell types map to leinao's NEST models (IF_curr_exp ->
iaf_psc_exp, IF_curr_alpha -> iaf_psc_alpha, IF_cond_exp -> iaf_cond_exp, IF_cond_alpha ->
iaf_cond_alpha, EIF_cond_exp_isfa_ista -> aeif_cond_exp, EIF_cond_alpha_isfa_ista ->
aeif_cond_alpha, Izhikevich -> izhikevich (weights in mV, as pyNN.nest), HH_cond_exp ->
hh_cond_exp_traub (its initial m, h, n ignored, as pyNN.nest), SpikeSourcePoisson ->
poisson_generator, SpikeSourceArray -> spike_generator, both relayed by parrot_neurons as
pyNN.nest does so that each source has one spike train), with PyNN's units converted as
pyNN.nest converts them (nA -> pA, nF -> pF, uS -> nS, tau_m -> g_L for conductance-based cells;
inhibitory conductances negative).

Importing this module also registers it as ``pyNN.leinao``, so after ``import leinao.pynn``
``import pyNN.leinao as sim`` works too. It is not installed inside Debian's pyNN package folder:
that folder belongs to python3-pynn (dpkg), and pyNN is a regular package, not a namespace.

Supported: setup/run/run_until/reset/end, Population, PopulationView, Assembly (get/set, record,
get_data, as pre or post of a Projection), Projection with AllToAll, OneToOne, FixedProbability,
FixedNumberPre, FixedNumberPost, FixedTotalNumber between whole populations (leinao's own rules,
connections drawn by leinao's generators) and every other connector (FromList, FromFile, ...),
or any connector between views and assemblies, through PyNN's generic path as explicit
connections. Synapse types: StaticSynapse; STDPMechanism with SpikePairRule and
Additive/MultiplicativeWeightDependence -> stdp_synapse (A_plus -> lambda, A_minus/A_plus ->
alpha, w_max -> Wmax, mu_plus/mu_minus 0 or 1, tau_minus set on the target neurons, as
pyNN.nest); TsodyksMarkramSynapse -> tsodyks_synapse (tau_psc from the target's tau_syn_E or
tau_syn_I). Synapse parameters other than weight and delay are one per projection.
Projection.set (weights, delays, synapse parameters after the connections are made: numbers,
2D arrays, pyNN.random distributions, functions of distance) goes to leinao's
Projection.set_connections (leinao_set_connections) and Projection.set; delays are rounded to
dt and must stay within setup's max_delay, which leinao reserves. Current
sources DCSource (dc_generator), ACSource (ac_generator), NoisyCurrentSource (noise_generator)
and StepCurrentSource (one dc_generator per step: leinao's step_current_generator is not
registered), injected with min_delay and start/stop moved min_delay earlier as in pyNN.nest;
their parameters may change between runs. initialize; record('spikes' | 'v' | 'gsyn_exc' |
'gsyn_inh' | 'w' | 'u'); get_data()/write_data() as Neo blocks. reset() builds the network
again from the declarations kept (same seed: the same connections and the same random input;
parameters and Projection.set values set between runs apply from t = 0). Random weights and
delays given as pyNN.random distributions (uniform, normal, normal_clipped, lognormal) become
leinao's own distributions for the native rules, and so do initial values given as such a
distribution (or a number) for a whole Population: drawn by leinao per neuron at the build,
as a model file's, so that a PyNN script and its model file spike alike, bit for bit.
HH_cond_exp runs on hh_cond_exp_traub. Not yet: SpikeSourceGamma (no leinao model; it raises
NotImplementedError), recording a current source, new populations or projections after the
first run (leinao builds once).
"""

import sys

import numpy as np
from pyNN import common, errors, recording
from pyNN.common.control import DEFAULT_MAX_DELAY, DEFAULT_TIMESTEP, DEFAULT_MIN_DELAY
from pyNN.connectors import *  # noqa: F401,F403 (the connectors are part of a backend's API)
from pyNN.connectors import (AllToAllConnector, OneToOneConnector, FixedProbabilityConnector,
                             FixedNumberPreConnector, FixedNumberPostConnector,
                             FixedTotalNumberConnector)
from pyNN.parameters import ParameterSpace, simplify, Sequence
from pyNN.random import RandomDistribution
from pyNN.recording import *  # noqa: F401,F403
from pyNN.space import Space
from pyNN.standardmodels import (StandardCellType, StandardCurrentSource, build_translations,
                                 cells, electrodes, synapses)
from neo.io import get_io

import leinao

name = "leinao"

# ---- Simulator state ---------------------------------------------------------------------


class _Handle:
    """A leinao object (Population, Projection, StateRecording) that reset() rebinds to its
    counterpart in the rebuilt Simulator; calls go to the current one."""

    def __init__(self, replay):
        self._replay, self._obj = replay, None

    def __getattr__(self, name):
        obj = object.__getattribute__(self, "_obj")
        if name in ("set", "initialize", "set_connections"):
            def logged(*args, **kwargs):
                return self._replay._call(self, name, args, kwargs)
            return logged
        return getattr(obj, name)

    def __getitem__(self, key):
        return self._obj[key]

    def __len__(self):
        return len(self._obj)


def _unwrap(value):
    if isinstance(value, _Handle):
        return value._obj
    if isinstance(value, (list, tuple)):
        return type(value)(_unwrap(v) for v in value)
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    return value


class _Replay:
    """A leinao.Simulator whose declarations (and every set/initialize) are kept, so that
    reset() can build the same network again in a new Simulator from the same seed."""

    def __init__(self, max_delay=0.0, **settings):
        self._settings, self._log, self._max_delay = settings, [], max_delay
        self.real = self._new()

    def _new(self):
        sim = leinao.Simulator(**self._settings)
        sim.reserve_max_delay(self._max_delay)  # PyNN's max_delay: room for Projection.set
        return sim

    def _call(self, target, name, args, kwargs, handle=None):
        entry = (target, name, args, kwargs, handle)
        self._log.append(entry)
        return self._do(entry)

    def _do(self, entry):
        target, name, args, kwargs, handle = entry
        obj = self.real if target is None else target._obj
        result = getattr(obj, name)(*_unwrap(args), **_unwrap(kwargs))
        if handle is not None:
            handle._obj = result
            return handle
        return result

    def population(self, *args, **kwargs):
        return self._call(None, "population", args, kwargs, _Handle(self))

    def connect(self, *args, **kwargs):
        return self._call(None, "connect", args, kwargs, _Handle(self))

    def record(self, *args, **kwargs):
        return self._call(None, "record", args, kwargs, _Handle(self))

    def record_spikes(self, *args, **kwargs):
        return self._call(None, "record_spikes", args, kwargs)

    def rebuild(self):
        """A new Simulator with every declaration and parameter change replayed (before its
        build: parameters set between runs apply from t = 0, as PyNN's reset keeps them)."""
        self.real.close()
        self.real = self._new()
        after_build = [e for e in self._log if e[1] == "set_connections"]
        for entry in self._log:
            if entry[1] != "set_connections":
                self._do(entry)
        if after_build:  # synapse values set after the build (Projection.set): built again
            self.real.build()
            for entry in after_build:
                self._do(entry)

    def __getattr__(self, name):
        return getattr(self.real, name)



class ID(int, common.IDMixin):
    def __init__(self, n):
        int.__init__(n)
        common.IDMixin.__init__(self)


class State(common.control.BaseState):
    """PyNN's simulator state over one leinao.Simulator (made by setup())."""

    def __init__(self):
        common.control.BaseState.__init__(self)
        self.mpi_rank, self.num_processes = 0, 1
        self.dt = DEFAULT_TIMESTEP
        self.min_delay, self.max_delay = DEFAULT_MIN_DELAY, DEFAULT_MAX_DELAY
        self.sim = None
        self.seed, self.threads = 12345, 1
        self.clear()

    @property
    def t(self):
        return self.sim.t if self.sim is not None and self.sim._built else 0.0

    @t.setter
    def t(self, value):
        pass  # the time is leinao's

    def build(self):
        """Builds the network (once), then applies the Projection.set calls made before."""
        if self.sim._built:
            return
        self.sim.build()
        for drawn in self.drawn:
            drawn.read()
        pending, self.pending_sets = self.pending_sets, []
        for projection, parameter_space in pending:
            projection._apply_attributes(parameter_space)

    def run_until(self, tstop):
        self.build()
        span = round((tstop - self.t) / self.dt) * self.dt
        if span > 0:
            self.sim.run(round(span, 10))
        self.running = True

    def run(self, simtime):
        self.run_until(self.t + simtime)

    def clear(self):
        if self.sim is not None:
            self.sim.close()
        max_delay = self.max_delay if isinstance(self.max_delay, (int, float)) else 0.0
        self.sim = _Replay(max_delay=max_delay, dt=self.dt, seed=self.seed, threads=self.threads)
        self.recorders = set()
        self.current_sources = []
        self.pending_sets = []  # (Projection, native ParameterSpace) until the build
        self.drawn = []  # initial values leinao draws (_Drawn), read back at the build
        self.id_counter = 0
        self.segment_counter = -1
        self.n_pops = 0
        self.reset()

    def reset(self):
        if self.sim is not None and self.sim._built:
            self.sim.rebuild()  # time 0, initial values, initial weights; parameters kept
        self.running = False
        self.t_start = 0
        self.segment_counter += 1

    @property
    def delay_min(self):
        return self.dt if self.min_delay == "auto" else self.min_delay


class _SimulatorModule:
    """What PyNN's common code reaches as `_simulator` (a module in other backends)."""
    name = name
    ID = ID
    state = State()


simulator = _SimulatorModule()
state = simulator.state

# ---- Standard models ---------------------------------------------------------------------

_IF_CURR = (('v_rest', 'E_L'), ('v_reset', 'V_reset'), ('cm', 'C_m', 1000.0),
            ('tau_m', 'tau_m'), ('tau_refrac', 't_ref'), ('tau_syn_E', 'tau_syn_ex'),
            ('tau_syn_I', 'tau_syn_in'), ('v_thresh', 'V_th'), ('i_offset', 'I_e', 1000.0))
_IF_COND = (('v_rest', 'E_L'), ('v_reset', 'V_reset'), ('cm', 'C_m', 1000.0),
            ('tau_m', 'g_L', "cm/tau_m*1000.0", "C_m/g_L"), ('tau_refrac', 't_ref'),
            ('tau_syn_E', 'tau_syn_ex'), ('tau_syn_I', 'tau_syn_in'), ('v_thresh', 'V_th'),
            ('i_offset', 'I_e', 1000.0), ('e_rev_E', 'E_ex'), ('e_rev_I', 'E_in'))


class IF_curr_exp(cells.IF_curr_exp):
    __doc__ = cells.IF_curr_exp.__doc__
    translations = build_translations(*_IF_CURR)
    leinao_model = "iaf_psc_exp"


class IF_curr_alpha(cells.IF_curr_alpha):
    __doc__ = cells.IF_curr_alpha.__doc__
    translations = build_translations(*_IF_CURR)
    leinao_model = "iaf_psc_alpha"


class IF_cond_exp(cells.IF_cond_exp):
    __doc__ = cells.IF_cond_exp.__doc__
    translations = build_translations(*_IF_COND)
    leinao_model = "iaf_cond_exp"


class EIF_cond_exp_isfa_ista(cells.EIF_cond_exp_isfa_ista):
    __doc__ = cells.EIF_cond_exp_isfa_ista.__doc__
    translations = build_translations(
        ('cm', 'C_m', 1000.0), ('tau_refrac', 't_ref'), ('v_spike', 'V_peak'),
        ('v_reset', 'V_reset'), ('v_rest', 'E_L'), ('tau_m', 'g_L', "cm/tau_m*1000.0", "C_m/g_L"),
        ('i_offset', 'I_e', 1000.0), ('a', 'a'), ('b', 'b', 1000.0), ('delta_T', 'Delta_T'),
        ('tau_w', 'tau_w'), ('v_thresh', 'V_th'), ('e_rev_E', 'E_ex'),
        ('tau_syn_E', 'tau_syn_ex'), ('e_rev_I', 'E_in'), ('tau_syn_I', 'tau_syn_in'))
    leinao_model = "aeif_cond_exp"


class SpikeSourcePoisson(cells.SpikeSourcePoisson):
    __doc__ = cells.SpikeSourcePoisson.__doc__
    translations = build_translations(
        ('rate', 'rate'), ('start', 'start'),
        ('duration', 'stop', "start+duration", "stop-start"))
    leinao_model = "poisson_generator"


class SpikeSourceArray(cells.SpikeSourceArray):
    __doc__ = cells.SpikeSourceArray.__doc__
    translations = build_translations(('spike_times', 'spike_times'))
    leinao_model = "spike_generator"


def _not_yet(base, nest_model):
    class NotYet(base):
        __doc__ = base.__doc__
        translations = build_translations()

        def __init__(self, *args, **kwargs):
            raise NotImplementedError(f"{base.__name__} needs NEST's {nest_model}, which leinao "
                                      "does not have yet")
    NotYet.__name__ = base.__name__
    return NotYet


class IF_cond_alpha(cells.IF_cond_alpha):
    __doc__ = cells.IF_cond_alpha.__doc__
    translations = build_translations(*_IF_COND)
    leinao_model = "iaf_cond_alpha"


class EIF_cond_alpha_isfa_ista(cells.EIF_cond_alpha_isfa_ista):
    __doc__ = cells.EIF_cond_alpha_isfa_ista.__doc__
    translations = EIF_cond_exp_isfa_ista.translations
    leinao_model = "aeif_cond_alpha"


class Izhikevich(cells.Izhikevich):
    __doc__ = cells.Izhikevich.__doc__
    translations = build_translations(('a', 'a'), ('b', 'b'), ('c', 'c'), ('d', 'd'),
                                      ('i_offset', 'I_e', 1000.0))
    leinao_model = "izhikevich"
    receptor_scale = 1e-3  # weights jump V_m in mV: pyNN.nest undoes the nA -> pA factor


class HH_cond_exp(cells.HH_cond_exp):
    __doc__ = cells.HH_cond_exp.__doc__
    # pyNN.nest's translation: uS -> nS, nF -> pF, nA -> pA
    translations = build_translations(
        ('gbar_Na', 'g_Na', 1000.0), ('gbar_K', 'g_K', 1000.0), ('g_leak', 'g_L', 1000.0),
        ('cm', 'C_m', 1000.0), ('v_offset', 'V_T'), ('e_rev_Na', 'E_Na'), ('e_rev_K', 'E_K'),
        ('e_rev_leak', 'E_L'), ('e_rev_E', 'E_ex'), ('e_rev_I', 'E_in'),
        ('tau_syn_E', 'tau_syn_ex'), ('tau_syn_I', 'tau_syn_in'), ('i_offset', 'I_e', 1000.0))
    leinao_model = "hh_cond_exp_traub"
    # PyNN's initial m, h, n have no NEST name: pyNN.nest leaves NEST's own initial gating
    # variables (it warns that NEST does not allow setting them), and so does leinao
    ignored_initial = ("m", "h", "n")


SpikeSourceGamma = _not_yet(cells.SpikeSourceGamma, "gamma_sup_generator")


class StaticSynapse(synapses.StaticSynapse):
    __doc__ = synapses.StaticSynapse.__doc__
    translations = build_translations(('weight', 'weight', 1000.0), ('delay', 'delay'))

    leinao_model = "static_synapse"

    def _get_minimum_delay(self):
        return state.delay_min


class STDPMechanism(synapses.STDPMechanism):
    __doc__ = synapses.STDPMechanism.__doc__
    base_translations = build_translations(
        ('weight', 'weight', 1000.0), ('delay', 'delay'),
        ('dendritic_delay_fraction', 'dendritic_delay_fraction'))
    leinao_model = "stdp_synapse"

    def __init__(self, timing_dependence=None, weight_dependence=None, voltage_dependence=None,
                 dendritic_delay_fraction=1.0, weight=0.0, delay=None):
        if dendritic_delay_fraction != 1:
            raise ValueError("leinao (as NEST) takes every delay as dendritic for STDP: "
                             "dendritic_delay_fraction must be 1")
        if voltage_dependence is not None:
            raise NotImplementedError("voltage-dependent STDP is not supported by leinao")
        synapses.STDPMechanism.__init__(self, timing_dependence, weight_dependence,
                                        voltage_dependence, dendritic_delay_fraction, weight,
                                        delay)
        self.possible_models  # raises NoModelAvailableError for a combination leinao lacks

    def _get_minimum_delay(self):
        return state.delay_min


class AdditiveWeightDependence(synapses.AdditiveWeightDependence):
    __doc__ = synapses.AdditiveWeightDependence.__doc__
    translations = build_translations(('w_max', 'Wmax', 1000.0),
                                      ('w_min', 'w_min_always_zero_in_NEST'))
    possible_models = {"stdp_synapse"}
    extra_parameters = {"mu_plus": 0.0, "mu_minus": 0.0}

    def __init__(self, w_min=0.0, w_max=1.0):
        if w_min != 0:
            raise ValueError("leinao's stdp_synapse (as NEST's) has w_min = 0")
        synapses.AdditiveWeightDependence.__init__(self, w_min, w_max)


class MultiplicativeWeightDependence(synapses.MultiplicativeWeightDependence):
    __doc__ = synapses.MultiplicativeWeightDependence.__doc__
    translations = AdditiveWeightDependence.translations
    possible_models = {"stdp_synapse"}
    extra_parameters = {"mu_plus": 1.0, "mu_minus": 1.0}

    def __init__(self, w_min=0.0, w_max=1.0):
        if w_min != 0:
            raise ValueError("leinao's stdp_synapse (as NEST's) has w_min = 0")
        synapses.MultiplicativeWeightDependence.__init__(self, w_min, w_max)


def _A_minus_forwards(**p):
    return p["A_minus"] if p["A_plus"] == 0 else p["A_minus"] / p["A_plus"]


def _A_minus_reverse(**p):
    return p["alpha"] if p["lambda"] == 0 else p["alpha"] * p["lambda"]


class SpikePairRule(synapses.SpikePairRule):
    __doc__ = synapses.SpikePairRule.__doc__
    translations = build_translations(
        ('tau_plus', 'tau_plus'), ('tau_minus', 'tau_minus'),  # tau_minus: the target neurons'
        ('A_plus', 'lambda'), ('A_minus', 'alpha', _A_minus_forwards, _A_minus_reverse))
    possible_models = {"stdp_synapse"}


class TsodyksMarkramSynapse(synapses.TsodyksMarkramSynapse):
    __doc__ = synapses.TsodyksMarkramSynapse.__doc__
    translations = build_translations(('weight', 'weight', 1000.0), ('delay', 'delay'),
                                      ('U', 'U'), ('tau_rec', 'tau_rec'),
                                      ('tau_facil', 'tau_fac'))
    leinao_model = "tsodyks_synapse"

    def _get_minimum_delay(self):
        return state.delay_min


# parameters of PyNN's synapse types that are not leinao synapse parameters
_NOT_SYNAPSE_PARAMS = ("weight", "delay", "dendritic_delay_fraction", "w_min_always_zero_in_NEST",
                       "tau_minus")


# PyNN's recordable variables: leinao's state variable and the factor from leinao's units
_VARIABLES = {"v": ("V_m", 1.0), "gsyn_exc": ("g_ex", 1e-3), "gsyn_inh": ("g_in", 1e-3),
              "isyn_exc": ("I_syn_ex", 1e-3), "isyn_inh": ("I_syn_in", 1e-3),
              "w": ("w", 1e-3), "u": ("U_m", 1.0)}

# ---- Recording ---------------------------------------------------------------------------


class Recorder(recording.Recorder):
    _simulator = simulator

    def _record(self, variable, new_ids, sampling_interval=None):
        pop = self.population
        if variable == "spikes":
            if not pop._spikes_recorded:
                state.sim.record_spikes(pop._target)
                pop._spikes_recorded = True
        elif variable not in pop._state_recordings:
            if variable not in _VARIABLES:
                raise errors.RecordingError(variable, pop.celltype)
            pop._state_recordings[variable] = state.sim.record(
                pop._target, _VARIABLES[variable][0], interval=sampling_interval or state.dt)

    def _spikes_by_id(self):
        pop = self.population
        times, idx = pop._target.spikes()
        order = np.argsort(idx, kind="stable")
        bounds = np.searchsorted(idx[order], np.arange(pop.size + 1))
        return {int(pop.first_id) + k: times[order[bounds[k]:bounds[k + 1]]]
                for k in range(pop.size)}

    def _get_spiketimes(self, ids, clear=False):
        by_id = self._spikes_by_id()
        if hasattr(ids, "__len__"):
            return {int(i): by_id[int(i)] for i in ids}
        return by_id[int(ids)]

    def _get_all_signals(self, variable, ids, clear=False):
        pop = self.population
        var, scale = _VARIABLES[variable]
        columns = np.asarray([int(i) - int(pop.first_id) for i in ids], dtype=int)
        values = pop._state_recordings[variable][var][:, columns] * scale
        initial = pop._initial_values.get(variable)
        first = (np.full(len(columns), np.nan) if initial is None
                 else np.broadcast_to(initial, (pop.size,))[columns])
        return np.vstack([first[None, :], values]), None

    def _local_count(self, variable, filter_ids=None):
        by_id = self._spikes_by_id()
        return {int(i): len(by_id[int(i)]) for i in self.filter_recorded(variable, filter_ids)}

    def _clear_simulator(self):
        pass

    def _reset(self):
        pass

# ---- Populations -------------------------------------------------------------------------


def _uniform(values):
    v = np.asarray(values)
    return v.size == 0 or np.all(v == v.flat[0])


class Assembly(common.Assembly):
    _simulator = simulator


class PopulationView(common.PopulationView):
    _assembly_class = Assembly
    _simulator = simulator

    def _get_parameters(self, *names):
        return ParameterSpace({n: simplify(np.asarray(self.parent._parameters[n])[self.mask])
                               for n in names}, shape=(self.size,))

    def _set_parameters(self, parameter_space):
        parameter_space.evaluate(simplify=False)
        values = {}
        for n, v in parameter_space.items():
            full = np.array(self.parent._parameters[n], dtype=object if n == "spike_times" else float)
            full[self.mask] = v
            values[n] = full
        self.parent._push_parameters(values)

    def _set_initial_value_array(self, variable, initial_values):
        if isinstance(self.parent._initial_values.get(variable), _Drawn):
            raise NotImplementedError(f"{variable} of {self.parent.label} is drawn by leinao from "
                                      "a distribution: initialize the whole population instead")
        full = np.array(np.broadcast_to(self.parent._initial_values.get(variable, np.nan),
                                        (self.parent.size,)), dtype=float)
        full[self.mask] = initial_values._partially_evaluate(self.mask, simplify=False) \
            if hasattr(initial_values, "_partially_evaluate") else initial_values
        self.parent._push_initial(variable, full)

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)


class Population(common.Population):
    __doc__ = common.Population.__doc__
    _simulator = simulator
    _recorder_class = Recorder
    _assembly_class = Assembly

    def _create_cells(self):
        celltype = self.celltype
        if not isinstance(celltype, StandardCellType) or not hasattr(celltype, "leinao_model"):
            raise NotImplementedError(f"{type(celltype).__name__} is not supported by leinao")
        ids = np.arange(state.id_counter, state.id_counter + self.size)
        self.all_cells = np.array([ID(i) for i in ids], dtype=ID)
        self._mask_local = np.ones(self.size, dtype=bool)
        for i in self.all_cells:
            i.parent = self
        state.id_counter += self.size
        self._spikes_recorded = False
        self._state_recordings = {}
        self._initial_values = {}
        self._init_arrays = set()
        sim, k = state.sim, state.n_pops
        state.n_pops += 1
        model = celltype.leinao_model
        self._generators = []
        if model == "poisson_generator":
            gen = sim.population(model, self.size, name=f"pynn{k}_generator")
            self._generators = [gen]
            self._target = sim.population("parrot_neuron", self.size, name=f"pynn{k}")
            sim.connect(gen, self._target, "one_to_one", weight=1.0, delay=state.dt)
        elif model == "spike_generator":
            self._target = sim.population("parrot_neuron", self.size, name=f"pynn{k}")
            for i in range(self.size):
                gen = sim.population(model, 1, name=f"pynn{k}_generator{i}")
                sim.connect(gen, self._target, sources=[0], targets=[i], weight=1.0,
                            delay=state.dt)
                self._generators.append(gen)
        else:
            self._target = sim.population(model, self.size, name=f"pynn{k}")
        native = celltype.native_parameters
        native.shape = (self.size,)
        native.evaluate(simplify=False)
        self._parameters = {}
        self._push_parameters(native.as_dict())

    def _push_parameters(self, values):
        """Native values (arrays of size n) to leinao: one number when all are equal."""
        model = self.celltype.leinao_model
        for n, v in values.items():
            self._parameters[n] = v
            if model == "spike_generator":
                for gen, times in zip(self._generators, np.broadcast_to(v, (self.size,))):
                    t = np.asarray(getattr(times, "value", times), float)  # Sequence, ArrayParameter
                    gen.set(spike_times=t - state.dt)  # the parrot's delay of one dt
            elif self._generators:
                if not _uniform(v):
                    raise NotImplementedError(f"{type(self.celltype).__name__}: one {n} for the "
                                              "whole population (leinao's generators)")
                self._generators[0].set({n: float(np.asarray(v).flat[0])})
            elif _uniform(v) or state.sim._built:
                self._target.set({n: float(np.asarray(v).flat[0]) if _uniform(v) else v})
            else:
                self._target.set({n: np.asarray(v, dtype=float)})

    def _push_initial(self, variable, values):
        if self._generators or variable in getattr(self.celltype, "ignored_initial", ()):
            return
        if variable not in _VARIABLES:
            raise errors.NonExistentParameterError(variable, self.celltype)
        var, scale = _VARIABLES[variable]
        values = np.broadcast_to(np.asarray(values, dtype=float), (self.size,))
        self._initial_values[variable] = values.copy()
        self._init_arrays.add(variable)  # leinao's per-neuron values: they override the others
        known = {p["name"] for p in leinao.model_params(self.celltype.leinao_model)}
        if var not in known and np.all(values == 0.0):
            return  # a synaptic current PyNN starts at 0 that the model has as another variable
        self._target.initialize({var: values / scale})

    def _set_initial_value_array(self, variable, initial_values):
        """A number or a pyNN.random distribution becomes leinao's initial value for the whole
        population (a distribution is drawn by leinao's generators, per neuron, at the build, as
        a model file's); anything else, or anything after per-neuron values, an array."""
        base = getattr(initial_values, "base_value", None)
        if (not self._generators and variable in _VARIABLES and variable not in self._init_arrays
                and hasattr(initial_values, "evaluate") and not initial_values.operations):
            var, scale = _VARIABLES[variable]
            if isinstance(base, RandomDistribution):
                dist = _leinao_dist(base, 1.0 / scale)
                if dist is not None:
                    self._target.initialize({var: dist})
                    self._initial_values[variable] = _Drawn(self, var, scale)
                    return
            elif isinstance(base, (int, float, np.integer, np.floating)):
                known = {p["name"] for p in leinao.model_params(self.celltype.leinao_model)}
                self._initial_values[variable] = np.full(self.size, float(base))
                if var in known or base != 0:
                    self._target.initialize({var: float(base) / scale})
                return
        if hasattr(initial_values, "evaluate"):
            initial_values.shape = (self.size,)
            values = initial_values.evaluate(simplify=False)
        else:
            values = initial_values
        self._push_initial(variable, values)

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)

    def _get_parameters(self, *names):
        return ParameterSpace({n: simplify(self._parameters[n]) for n in names},
                              shape=(self.local_size,))

    def _set_parameters(self, parameter_space):
        parameter_space.evaluate(simplify=False)
        self._push_parameters(dict(parameter_space.items()))

# ---- Projections -------------------------------------------------------------------------


class _Drawn:
    """An initial value that leinao draws per neuron from a distribution at the build: read back
    (in PyNN's units) when it is needed, which builds the network."""

    def __init__(self, population, var, scale):
        self.population, self.var, self.scale = population, var, scale
        self.values = None
        state.drawn.append(self)

    def read(self):
        """At the build, before the first step: the values drawn."""
        self.values = self.population._target.get(self.var) * self.scale

    def __array__(self, dtype=None, copy=None):
        state.build()
        return self.values if dtype is None else self.values.astype(dtype)


def _leinao_dist(value, scale):
    """A number or a pyNN.random distribution times `scale` as leinao's value, or None."""
    if isinstance(value, (int, float, np.floating, np.integer)):
        return float(value) * scale
    if isinstance(value, RandomDistribution):
        p = value.parameters
        lo, hi = sorted((p.get("low", 0) * scale, p.get("high", 0) * scale))
        if value.name == "uniform":
            return leinao.uniform(lo, hi)
        if value.name == "normal" and scale > 0:
            return leinao.normal(p["mu"] * scale, p["sigma"] * scale)
        if value.name == "normal_clipped" and scale > 0:
            return leinao.normal(p["mu"] * scale, p["sigma"] * scale, p["low"] * scale,
                                 p["high"] * scale)
        if value.name == "lognormal" and scale > 0:
            return leinao.lognormal(p["mu"] + np.log(scale), p["sigma"])
    return None


def _groups(p):
    """The leinao populations under a Population, PopulationView or Assembly: a list of
    (base Population, indices within p, indices within the base population)."""
    if isinstance(p, Population):
        idx = np.arange(p.size)
        return [(p, idx, idx)]
    cells = p.all_cells
    parents = [c.parent for c in cells]
    ids = np.asarray(cells, dtype=np.int64)
    out = []
    for base in dict.fromkeys(parents):  # in order of first appearance
        sel = np.nonzero([q is base for q in parents])[0]
        out.append((base, sel, ids[sel] - int(base.first_id)))
    return out


def _at_synapses(value, rows, cols):
    """A lazy (pre size, post size) array of Projection.set at the synapses (rows[k], cols[k]):
    numbers, arrays and random distributions evaluated there alone (a distribution draws one
    number per synapse); a function of distance (or of the indices) over the whole matrix, as
    pyNN.nest evaluates it, then read there."""
    if callable(value.base_value):
        out = np.asarray(value.evaluate(simplify=False), dtype=float)[rows, cols]
    else:
        out = np.asarray(value[(rows, cols)], dtype=float)
    return np.array(np.broadcast_to(out, rows.shape))


class _Part:
    """One leinao projection behind a PyNN Projection: between two base populations, with the
    maps from their indices back to the Projection's pre and post indices and the factor from
    PyNN's weights to leinao's."""

    def __init__(self, proj, pre_group, post_group, scale):
        self.proj, self.scale, self.post = proj, scale, post_group[0]
        self.pre_map = np.full(pre_group[0].size, -1, dtype=np.int64)
        self.pre_map[pre_group[2]] = pre_group[1]
        self.post_map = np.full(post_group[0].size, -1, dtype=np.int64)
        self.post_map[post_group[2]] = post_group[1]


class Projection(common.Projection):
    __doc__ = common.Projection.__doc__
    _simulator = simulator
    _static_synapse_class = StaticSynapse

    def __init__(self, presynaptic_population, postsynaptic_population, connector,
                 synapse_type=None, source=None, receptor_type=None, space=Space(), label=None):
        common.Projection.__init__(self, presynaptic_population, postsynaptic_population,
                                   connector, synapse_type, source, receptor_type, space, label)
        if not hasattr(self.synapse_type, "leinao_model"):
            raise NotImplementedError(f"{type(self.synapse_type).__name__} is not supported by "
                                      "leinao (StaticSynapse, STDPMechanism with SpikePairRule "
                                      "and Additive/MultiplicativeWeightDependence, "
                                      "TsodyksMarkramSynapse are)")
        self._pre_groups, self._post_groups = _groups(self.pre), _groups(self.post)
        self._parts = []
        self._synapse_set = {}  # synapse parameters given to set() (PyNN's names and units)
        self._explicit = []
        whole = isinstance(self.pre, Population) and isinstance(self.post, Population)
        if not (whole and self._connect_natively(connector)):
            connector.connect(self)
            self._connect_explicit()

    # -- the factor and the synapse model of the synapses onto one base population
    def _scale(self, post):
        """PyNN weight -> leinao weight onto `post` (a base Population): nA -> pA or uS -> nS,
        negative for the inhibitory receptor of conductance-based cells, times the cell type's
        receptor_scale (Izhikevich: mV), as pyNN.nest."""
        sign = -1.0 if (self.receptor_type == "inhibitory" and post.conductance_based) else 1.0
        return sign * getattr(post.celltype, "receptor_scale", 1.0)

    def _synapse(self, post, negative):
        """The `synapse` argument of leinao's connect for synapses onto `post`: None (static) or
        {"model": ..., parameters}. `negative`: the weights are negative (Wmax follows)."""
        syn = self.synapse_type
        if syn.leinao_model == "static_synapse":
            return None
        native = syn.native_parameters
        native.shape = (1,)
        values = {}
        for n, v in native.items():
            if not v.is_homogeneous:
                raise NotImplementedError(f"{type(syn).__name__}: leinao takes one {n} per "
                                          "projection (only weights and delays per synapse)")
            values[n] = float(np.asarray(v.evaluate(simplify=True)).flat[0])
        params = {n: v for n, v in values.items() if n not in _NOT_SYNAPSE_PARAMS}
        if syn.leinao_model == "stdp_synapse":
            params["Wmax"] *= abs(self._scale(post)) * (-1.0 if negative else 1.0)
            post._target.set(tau_minus=values["tau_minus"])  # leinao's (and NEST's) neuron parameter
        elif syn.leinao_model == "tsodyks_synapse":
            name = {"excitatory": "tau_syn_ex", "inhibitory": "tau_syn_in"}.get(self.receptor_type)
            tau = post._parameters.get(name) if name else None
            if tau is None or not _uniform(tau):
                raise NotImplementedError("TsodyksMarkramSynapse takes tau_psc from the target's "
                                          "tau_syn_E/tau_syn_I (one value per population), as "
                                          "pyNN.nest does; this target has none")
            params["tau_psc"] = float(np.asarray(tau).flat[0])
        return dict(model=syn.leinao_model, **params)

    def _connect_natively(self, connector):
        post = self.post
        scale = 1000.0 * self._scale(post)
        params = self.synapse_type.parameter_space
        base_weight = params["weight"].base_value
        weight = _leinao_dist(base_weight, scale)
        delay = params["delay"].base_value
        delay = _leinao_dist(state.delay_min if delay is None else delay, 1.0)
        if weight is None or delay is None:
            return False
        autapses = getattr(connector, "allow_self_connections", True)
        if autapses == "NoMutual":
            return False
        if isinstance(connector, AllToAllConnector):
            rule = {"all_to_all": True}
        elif isinstance(connector, OneToOneConnector):
            rule = {"one_to_one": True}
        elif isinstance(connector, FixedProbabilityConnector):
            rule = {"pairwise_bernoulli": float(connector.p_connect)}
        elif isinstance(connector, FixedNumberPreConnector) and isinstance(connector.n, int):
            rule = {"fixed_indegree": connector.n, "allow_multapses": connector.with_replacement}
        elif isinstance(connector, FixedNumberPostConnector) and isinstance(connector.n, int):
            rule = {"fixed_outdegree": connector.n, "allow_multapses": connector.with_replacement}
        elif isinstance(connector, FixedTotalNumberConnector) and isinstance(connector.n, int):
            rule = {"fixed_total_number": connector.n,
                    "allow_multapses": connector.with_replacement}
        else:
            return False
        if self.pre is self.post:
            rule["allow_autapses"] = bool(autapses)
        negative = (isinstance(base_weight, (int, float)) and base_weight * scale < 0) or scale < 0
        proj = state.sim.connect(self.pre._target, post._target, rule=rule,
                                 synapse=self._synapse(post, negative), weight=weight,
                                 delay=delay)
        self._parts.append(_Part(proj, self._pre_groups[0], self._post_groups[0], scale))
        return True

    def _convergent_connect(self, presynaptic_indices, postsynaptic_index,
                            **connection_parameters):
        pre = np.asarray(presynaptic_indices)
        if pre.dtype == bool:
            pre = np.nonzero(pre)[0]
        n = len(pre)
        w = np.broadcast_to(connection_parameters["weight"], (n,))
        d = connection_parameters.get("delay")
        d = np.broadcast_to(state.delay_min if d is None else d, (n,))
        self._explicit.append((pre, np.full(n, postsynaptic_index), np.asarray(w, float),
                               np.asarray(d, float)))

    def _connect_explicit(self):
        """The connections PyNN's connector made, as one explicit leinao projection per pair of
        base populations (weights are native: nA -> pA already)."""
        if self._explicit:
            s, t, w, d = (np.concatenate(a) for a in zip(*self._explicit))
        else:
            s = t = np.zeros(0, dtype=np.int64)
            w = d = np.zeros(0)
        self._explicit = []
        pre_group = np.empty(self.pre.size, dtype=np.int64)
        for k, g in enumerate(self._pre_groups):
            pre_group[g[1]] = k
        post_group = np.empty(self.post.size, dtype=np.int64)
        for k, g in enumerate(self._post_groups):
            post_group[g[1]] = k
        gs, gt = pre_group[s.astype(np.int64)], post_group[t.astype(np.int64)]
        for i, pg in enumerate(self._pre_groups):
            for j, qg in enumerate(self._post_groups):
                sel = (gs == i) & (gt == j)
                if not sel.any() and (i or j):
                    continue  # (an empty projection of the first pair keeps len() = 0 simple)
                to_base_pre = np.full(self.pre.size, -1, dtype=np.int64)
                to_base_pre[pg[1]] = pg[2]
                to_base_post = np.full(self.post.size, -1, dtype=np.int64)
                to_base_post[qg[1]] = qg[2]
                scale = self._scale(qg[0])
                ws = w[sel] * scale
                negative = scale < 0 or bool(ws.size and np.all(ws < 0))
                proj = state.sim.connect(pg[0]._target, qg[0]._target,
                                         sources=to_base_pre[s[sel].astype(np.int64)],
                                         targets=to_base_post[t[sel].astype(np.int64)],
                                         synapse=self._synapse(qg[0], negative), weight=ws,
                                         delay=d[sel])
                self._parts.append(_Part(proj, pg, qg, 1000.0 * scale))

    def set(self, **attributes):
        """Sets weights, delays and synapse parameters after the connections are made, as
        PyNN documents (common.Projection.set): each value a number, a pyNN.random
        RandomDistribution, a 2D array of shape (pre size, post size) as get(format="array")
        gives, or a function of the distance between the cells. Weights and delays are per
        synapse (a distribution draws one value per synapse, as pyNN.nest; several synapses
        between one pair of cells get the same value from an array or a function); delays are
        rounded to the time step, as NEST rounds them, and must lie within the delays the
        network was built with. The synapse type's other parameters (U, tau_rec, tau_facil,
        tau_plus, tau_minus, A_plus with A_minus, w_max) take one value per projection. The
        first set() builds the network (the connections exist from then on); values set
        before the first run act from t = 0, values set between runs from then on, and a
        reset() keeps them (it builds the network again and sets them again)."""
        common.Projection.set(self, **attributes)
        for name, value in attributes.items():
            if name not in ("weight", "delay"):
                self._synapse_set[name] = float(np.asarray(value).flat[0])

    def _value_list_to_array(self, attributes):
        """PyNN's: a list (one value per connection) into a matrix; it reads the connections,
        which builds the network, so only when a list is given."""
        if any(isinstance(v, list) or (isinstance(v, np.ndarray) and v.ndim == 1)
               for v in attributes.values()):
            return common.Projection._value_list_to_array(self, attributes)
        return attributes

    def _set_attributes(self, parameter_space):
        """The native (translated) values of set() onto the leinao projections behind this one:
        weights and delays through leinao's Projection.set_connections (the synapses in their
        storage order), synapse parameters through Projection.set. Before the build they wait
        for it (state.build), so that populations and projections may still be added."""
        if not state.sim._built:
            state.pending_sets.append((self, parameter_space))
            return
        self._apply_attributes(parameter_space)

    def _apply_attributes(self, parameter_space):
        names = list(parameter_space.keys())
        per_projection = {}
        for name in names:
            if name in ("weight", "delay"):
                continue
            v = parameter_space[name]
            if not v.is_homogeneous:
                raise NotImplementedError(f"{type(self.synapse_type).__name__}: leinao takes one "
                                          f"{name} per projection (only weights and delays per "
                                          "synapse)")
            per_projection[name] = float(np.asarray(v.evaluate(simplify=True)).flat[0])
        fixed = {"dendritic_delay_fraction": 1.0, "w_min_always_zero_in_NEST": 0.0}
        for name, need in fixed.items():
            if name in per_projection and per_projection.pop(name) != need:
                raise ValueError(f"leinao's {self.synapse_type.leinao_model} needs {name} = {need}")
        dt = state.dt
        for part in self._parts:
            c = part.proj.connections()
            rows, cols = part.pre_map[c["source"]], part.post_map[c["target"]]
            factor = part.scale / 1000.0  # native (pA, nS) -> leinao: the inhibitory sign etc.
            columns = {}
            for name in ("weight", "delay"):
                if name in names and rows.size:
                    values = _at_synapses(parameter_space[name], rows, cols)
                    columns[name] = (values * factor if name == "weight"
                                     else np.round(values / dt) * dt)
            if columns:
                part.proj.set_connections(weight=columns.get("weight"),
                                          delay=columns.get("delay"))
            if per_projection:
                params = dict(per_projection)
                if "tau_minus" in params:  # a parameter of the target neurons (NEST's)
                    part.post._target.set(tau_minus=params.pop("tau_minus"))
                if "Wmax" in params:
                    w = part.proj.connections()["weight"]
                    negative = factor < 0 or bool(w.size and w.max() <= 0 and w.min() < 0)
                    params["Wmax"] = abs(params["Wmax"] * factor) * (-1.0 if negative else 1.0)
                if params:
                    part.proj.set(params)

    def _connections(self):
        """(pre index, post index, weight in PyNN's units, delay) of every synapse."""
        state.build()
        cols = [[], [], [], []]
        for part in self._parts:
            c = part.proj.connections()
            cols[0].append(part.pre_map[c["source"]])
            cols[1].append(part.post_map[c["target"]])
            cols[2].append(c["weight"] / part.scale)
            cols[3].append(c["delay"])
        if not self._parts:
            return np.zeros(0, int), np.zeros(0, int), np.zeros(0), np.zeros(0)
        return tuple(np.concatenate(c) for c in cols)

    def __len__(self):
        return len(self._connections()[0])

    def get(self, attribute_names, format, gather=True, with_address=True, multiple_synapses="sum"):
        """Weights (in PyNN's units, as they are now: plastic synapses change), delays and the
        synapse type's other (per-projection) parameters as a list of tuples or arrays."""
        s, t, w, d = self._connections()
        names = [attribute_names] if isinstance(attribute_names, str) else list(attribute_names)
        columns = {"weight": w, "delay": d}
        for n in names:
            if n not in columns:
                if not self.synapse_type.has_parameter(n):
                    raise errors.NonExistentParameterError(n, type(self.synapse_type).__name__)
                if n in self._synapse_set:
                    columns[n] = np.full(len(s), self._synapse_set[n])
                    continue
                v = self.synapse_type.parameter_space[n]
                v.shape = (1,)
                columns[n] = np.full(len(s), float(np.asarray(v.evaluate(simplify=True)).flat[0]))
        if format == "list":
            rows = zip(s, t, *[columns[n] for n in names])
            return [tuple(int(v) if k < 2 else float(v) for k, v in enumerate(r)) if with_address
                    else tuple(float(v) for v in r[2:]) for r in rows]
        out = []
        for n in names:
            a = np.zeros((self.pre.size, self.post.size))
            if multiple_synapses == "sum":
                np.add.at(a, (s, t), columns[n])
            else:
                a[s, t] = columns[n]  # the last of several synapses between a pair
            mask = np.zeros_like(a, dtype=bool)
            mask[s, t] = True
            a[~mask] = np.nan
            out.append(a)
        return out[0] if isinstance(attribute_names, str) else out


# ---- Current sources ---------------------------------------------------------------------


class _CurrentSource(StandardCurrentSource):
    """A PyNN current source over leinao's current generators, as pyNN.nest: one generator
    connected to the cells it is injected into with the delay min_delay, its start and stop
    moved min_delay earlier (not below 0), so that the current acts on the membrane from PyNN's
    start to its stop. Parameters may change between runs."""

    def __init__(self, **parameters):
        object.__setattr__(self, "_devices", [])
        object.__setattr__(self, "_native", {})
        self.parameter_space = ParameterSpace(self.default_parameters, self.get_schema(),
                                              shape=(1,))
        if parameters:
            self.parameter_space.update(**parameters)
        self.set_native_parameters(self.translate(self.parameter_space))
        state.current_sources.append(self)

    def _delay(self):
        return state.delay_min

    def inject_into(self, cells):
        """Injects the current into a Population, PopulationView, Assembly or list of IDs (before
        the first run)."""
        if isinstance(cells, (Population, PopulationView, Assembly)):
            groups = _groups(cells)
        else:
            ids = sorted(cells)
            by_parent = {}
            for i in ids:
                by_parent.setdefault(i.parent, []).append(int(i) - int(i.parent.first_id))
            groups = [(p, None, np.asarray(v)) for p, v in by_parent.items()]
        for pop, _, idx in groups:
            if not pop.celltype.injectable:
                raise TypeError("Can't inject current into a spike source.")
            group = []
            for params in self._device_params():
                k = len(state.sim.populations)
                dev = state.sim.population(self.leinao_model, 1, name=f"pynn_current{k}")
                dev.set(params)
                state.sim.connect(dev, pop._target, sources=np.zeros(len(idx), dtype=np.uint32),
                                  targets=idx, weight=1.0, delay=self._delay())
                group.append(dev)
            self._devices.append(group)

    def _corrected(self, t):
        return t if np.isinf(t) else max(t - self._delay(), 0.0)

    def _device_params(self):
        """The parameters of each generator (one, or one per step of a StepCurrentSource)."""
        p = {k: v for k, v in self._native.items()}
        for k in ("start", "stop"):
            if k in p:
                p[k] = self._corrected(p[k])
        if "stop" in p:
            p["stop"] = max(p["stop"], p.get("start", 0.0))
        return [p]

    def set_native_parameters(self, parameters):
        parameters.evaluate(simplify=True)
        for k, v in parameters.items():
            self._native[k] = (np.asarray(v.value, float) if isinstance(v, Sequence)
                               else float(np.asarray(v).flat[0]))
        if self._devices:
            params = self._device_params()
            for group in self._devices:
                if len(group) != len(params):
                    raise NotImplementedError("a StepCurrentSource keeps its number of steps "
                                              "after inject_into()")
                for dev, p in zip(group, params):
                    dev.set(p)

    def get_native_parameters(self):
        return ParameterSpace({k: Sequence(v) if isinstance(v, np.ndarray) else v
                               for k, v in self._native.items()}, shape=(1,))


class DCSource(_CurrentSource, electrodes.DCSource):
    __doc__ = electrodes.DCSource.__doc__
    translations = build_translations(('amplitude', 'amplitude', 1000.0), ('start', 'start'),
                                      ('stop', 'stop'))
    leinao_model = "dc_generator"


class ACSource(_CurrentSource, electrodes.ACSource):
    __doc__ = electrodes.ACSource.__doc__
    translations = build_translations(('amplitude', 'amplitude', 1000.0), ('start', 'start'),
                                      ('stop', 'stop'), ('frequency', 'frequency'),
                                      ('offset', 'offset', 1000.0), ('phase', 'phase'))
    leinao_model = "ac_generator"

    def _device_params(self):
        (p,) = _CurrentSource._device_params(self)
        # pyNN.nest's phase correction (PyNN's phase is the phase at `start`)
        p["phase"] = self._native["phase"] - 360.0 * self._native["frequency"] * \
            self._native["start"] / 1000.0
        return [p]


class NoisyCurrentSource(_CurrentSource, electrodes.NoisyCurrentSource):
    __doc__ = electrodes.NoisyCurrentSource.__doc__
    translations = build_translations(('mean', 'mean', 1000.0), ('start', 'start'),
                                      ('stop', 'stop'), ('stdev', 'std', 1000.0), ('dt', 'dt'))
    leinao_model = "noise_generator"


class StepCurrentSource(_CurrentSource, electrodes.StepCurrentSource):
    """PyNN's StepCurrentSource. leinao's step_current_generator is not registered yet (its
    descriptor needs two array parameters), so each step is a dc_generator active from its time
    to the next one: the same current."""
    translations = build_translations(('amplitudes', 'amplitude_values', 1000.0),
                                      ('times', 'amplitude_times'))
    leinao_model = "dc_generator"

    def _device_params(self):
        times = np.asarray(self._native.get("amplitude_times", []), float)
        values = np.asarray(self._native.get("amplitude_values", []), float)
        if len(times) != len(values):
            raise ValueError("StepCurrentSource: times and amplitudes must have the same length")
        if len(times) and (times.min() < 0 or np.any(np.diff(times) <= 0)):
            raise ValueError("StepCurrentSource: times must be >= 0 and increasing")
        ends = np.append(times[1:], np.inf)
        return [{"amplitude": a, "start": self._corrected(t0), "stop": self._corrected(t1)}
                for t0, t1, a in zip(times, ends, values)]


# ---- Module functions (as every PyNN backend) --------------------------------------------


def list_standard_models():
    """Names of the StandardCellType classes this backend implements."""
    return [n for n, obj in globals().items() if isinstance(obj, type)
            and issubclass(obj, StandardCellType) and hasattr(obj, "leinao_model")]


def setup(timestep=DEFAULT_TIMESTEP, min_delay=DEFAULT_MIN_DELAY, **extra_params):
    """Starts a new simulation: timestep (ms), min_delay, and extra parameters `threads`
    (default 1; results are identical for any number) and `rng_seed` (leinao's master seed)."""
    max_delay = extra_params.get("max_delay", DEFAULT_MAX_DELAY)
    common.setup(timestep, min_delay, **extra_params)
    state.dt = timestep
    state.min_delay, state.max_delay = min_delay, max_delay
    state.seed = int(extra_params.get("rng_seed", extra_params.get("seed", 12345)))
    state.threads = int(extra_params.get("threads", 1))
    state.segment_counter = -1
    state.clear()
    return rank()


def end(compatible_output=True):
    """Writes the data asked for with a file name to record(), then closes the output files."""
    for (population, variables, filename) in state.write_on_end:
        io = get_io(filename)
        population.write_data(io, variables)
    state.write_on_end = []


run, run_until = common.build_run(simulator)
run_for = run
reset = common.build_reset(simulator)
initialize = common.initialize
get_current_time, get_time_step, get_min_delay, get_max_delay, \
    num_processes, rank = common.build_state_queries(simulator)
create = common.build_create(Population)
connect = common.build_connect(Projection, FixedProbabilityConnector, StaticSynapse)
record = common.build_record(simulator)


def record_v(source, filename):
    return record(['v'], source, filename)


def record_gsyn(source, filename):
    return record(['gsyn_exc', 'gsyn_inh'], source, filename)


sys.modules.setdefault("pyNN.leinao", sys.modules[__name__])
import pyNN as _pyNN  # noqa: E402
if not hasattr(_pyNN, "leinao"):
    _pyNN.leinao = sys.modules[__name__]
