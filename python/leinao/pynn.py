"""PyNN backend for leinao: ``import leinao.pynn as sim`` runs a PyNN 0.10 script on leinao.

It follows pyNN.nest: PyNN's standard cell types map to leinao's NEST models (IF_curr_exp ->
iaf_psc_exp, IF_curr_alpha -> iaf_psc_alpha, IF_cond_exp -> iaf_cond_exp,
EIF_cond_exp_isfa_ista -> aeif_cond_exp, SpikeSourcePoisson -> poisson_generator,
SpikeSourceArray -> spike_generator, both relayed by parrot_neurons as pyNN.nest does so that each
source has one spike train), with PyNN's units converted as pyNN.nest converts them (nA -> pA,
nF -> pF, uS -> nS, tau_m -> g_L for conductance-based cells; inhibitory conductances negative).

Importing this module also registers it as ``pyNN.leinao``, so after ``import leinao.pynn``
``import pyNN.leinao as sim`` works too. It is not installed inside Debian's pyNN package folder:
that folder belongs to python3-pynn (dpkg), and pyNN is a regular package, not a namespace.

Supported: setup/run/run_until/end, Population, PopulationView (get/set, record), Assembly,
Projection with AllToAll, OneToOne, FixedProbability, FixedNumberPre, FixedNumberPost (leinao's
own rules, connections drawn by leinao's generators) and every other connector through PyNN's
generic path as explicit connections, between whole populations; StaticSynapse; initialize;
record('spikes' | 'v' | 'gsyn_exc' | 'gsyn_inh'); get_data()/write_data() as Neo blocks.
Random weights and delays given as pyNN.random distributions (uniform, normal, normal_clipped,
lognormal) become leinao's own distributions for the native rules. Not yet: reset(), current
sources, plastic synapse types, cell types without a leinao model (they raise
NotImplementedError).
"""

import sys

import numpy as np
from pyNN import common, errors, recording
from pyNN.common.control import DEFAULT_MAX_DELAY, DEFAULT_TIMESTEP, DEFAULT_MIN_DELAY
from pyNN.connectors import *  # noqa: F401,F403 (the connectors are part of a backend's API)
from pyNN.connectors import (AllToAllConnector, OneToOneConnector, FixedProbabilityConnector,
                             FixedNumberPreConnector, FixedNumberPostConnector)
from pyNN.parameters import ParameterSpace, simplify, Sequence
from pyNN.random import RandomDistribution
from pyNN.recording import *  # noqa: F401,F403
from pyNN.space import Space
from pyNN.standardmodels import StandardCellType, build_translations, cells, synapses
from neo.io import get_io

import leinao

name = "leinao"

# ---- Simulator state ---------------------------------------------------------------------


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

    def run_until(self, tstop):
        span = round((tstop - self.t) / self.dt) * self.dt
        if span > 0:
            self.sim.run(round(span, 10))
        self.running = True

    def run(self, simtime):
        self.run_until(self.t + simtime)

    def clear(self):
        if self.sim is not None:
            self.sim.close()
        self.sim = leinao.Simulator(dt=self.dt, seed=self.seed, threads=self.threads)
        self.recorders = set()
        self.id_counter = 0
        self.segment_counter = -1
        self.n_pops = 0
        self.reset()

    def reset(self):
        if self.sim is not None and self.sim._built:
            raise NotImplementedError("reset() is not supported by the leinao backend yet")
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


IF_cond_alpha = _not_yet(cells.IF_cond_alpha, "iaf_cond_alpha")
EIF_cond_alpha_isfa_ista = _not_yet(cells.EIF_cond_alpha_isfa_ista, "aeif_cond_alpha")
HH_cond_exp = _not_yet(cells.HH_cond_exp, "hh_cond_exp_traub")
SpikeSourceGamma = _not_yet(cells.SpikeSourceGamma, "gamma_sup_generator")


class StaticSynapse(synapses.StaticSynapse):
    __doc__ = synapses.StaticSynapse.__doc__
    translations = build_translations(('weight', 'weight', 1000.0), ('delay', 'delay'))

    def _get_minimum_delay(self):
        return state.delay_min


# PyNN's recordable variables: leinao's state variable and the factor from leinao's units
_VARIABLES = {"v": ("V_m", 1.0), "gsyn_exc": ("g_ex", 1e-3), "gsyn_inh": ("g_in", 1e-3),
              "isyn_exc": ("I_syn_ex", 1e-3), "isyn_inh": ("I_syn_in", 1e-3)}

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
                    t = np.asarray(times.value if isinstance(times, Sequence) else times, float)
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
        if self._generators:
            return
        if variable not in _VARIABLES:
            raise errors.NonExistentParameterError(variable, self.celltype)
        var, scale = _VARIABLES[variable]
        values = np.broadcast_to(np.asarray(values, dtype=float), (self.size,))
        self._initial_values[variable] = values.copy()
        known = {p["name"] for p in leinao.model_params(self.celltype.leinao_model)}
        if var not in known and np.all(values == 0.0):
            return  # a synaptic current PyNN starts at 0 that the model has as another variable
        self._target.initialize({var: values / scale})

    def _set_initial_value_array(self, variable, initial_values):
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


class Projection(common.Projection):
    __doc__ = common.Projection.__doc__
    _simulator = simulator

    def __init__(self, presynaptic_population, postsynaptic_population, connector,
                 synapse_type=None, source=None, receptor_type=None, space=Space(), label=None):
        common.Projection.__init__(self, presynaptic_population, postsynaptic_population,
                                   connector, synapse_type, source, receptor_type, space, label)
        if not (isinstance(self.pre, Population) and isinstance(self.post, Population)):
            raise NotImplementedError("leinao.pynn connects whole Populations only (not views "
                                      "or assemblies) for now")
        if not isinstance(self.synapse_type, StaticSynapse):
            raise NotImplementedError(f"{type(self.synapse_type).__name__} is not supported yet")
        self._sign = -1.0 if (self.receptor_type == "inhibitory"
                              and self.post.conductance_based) else 1.0
        self._explicit = []
        self._leinao = [] if self._connect_natively(connector) else None
        if self._leinao is None:
            connector.connect(self)
            self._leinao = [self._connect_explicit()]

    def _connect_natively(self, connector):
        params = self.synapse_type.parameter_space
        weight = _leinao_dist(params["weight"].base_value, 1000.0 * self._sign)
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
        else:
            return False
        if self.pre is self.post:
            rule["allow_autapses"] = bool(autapses)
        self._native = state.sim.connect(self.pre._target, self.post._target, rule=rule,
                                         weight=weight, delay=delay)
        return True

    def _convergent_connect(self, presynaptic_indices, postsynaptic_index,
                            **connection_parameters):
        n = len(presynaptic_indices)
        w = np.broadcast_to(connection_parameters["weight"], (n,)) * self._sign
        d = connection_parameters.get("delay")
        d = np.broadcast_to(state.delay_min if d is None else d, (n,))
        self._explicit.append((np.asarray(presynaptic_indices), np.full(n, postsynaptic_index),
                               np.asarray(w, float), np.asarray(d, float)))

    def _connect_explicit(self):
        if self._explicit:
            s, t, w, d = (np.concatenate(a) for a in zip(*self._explicit))
        else:
            s = t = np.zeros(0, dtype=np.uint32)
            w = d = np.zeros(0)
        self._explicit = []
        return state.sim.connect(self.pre._target, self.post._target, sources=s, targets=t,
                                 weight=w, delay=d)

    @property
    def _projection(self):
        return self._native if self._leinao == [] else self._leinao[0]

    def __len__(self):
        if not state.sim._built:
            state.sim.build()
        return len(self._projection.connections()["source"])

    def get(self, attribute_names, format, gather=True, with_address=True, multiple_synapses="sum"):
        """Weights (in PyNN's units) and delays as a list of tuples or an array, as PyNN."""
        if not state.sim._built:
            state.sim.build()
        c = self._projection.connections()
        names = [attribute_names] if isinstance(attribute_names, str) else list(attribute_names)
        columns = {"weight": np.abs(c["weight"]) / 1000.0, "delay": c["delay"]}
        if format == "list":
            rows = zip(c["source"], c["target"], *[columns[n] for n in names])
            return [tuple(int(v) if k < 2 else float(v) for k, v in enumerate(r)) if with_address
                    else tuple(float(v) for v in r[2:]) for r in rows]
        out = []
        for n in names:
            a = np.full((self.pre.size, self.post.size), np.nan)
            np.add.at(np.nan_to_num(a, copy=False), (c["source"], c["target"]), columns[n])
            a[np.isnan(a)] = 0.0
            mask = np.zeros_like(a, dtype=bool)
            mask[c["source"], c["target"]] = True
            a[~mask] = np.nan
            out.append(a)
        return out[0] if isinstance(attribute_names, str) else out


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
